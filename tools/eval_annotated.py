"""Field recall on MACCROBAT's dev split: the tables of a run over its 20 reports scored against
the corpus's own span annotations (pipeline/evaluate/annotated.py).

The dev split is the one `models/case_ner/SPLIT.json` fixed before any tuning; the recogniser
never trained on it. Prints recall and the precision proxy per field and writes them, with the
missed mentions, to OUT/annotated.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "maccrobat"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "annotated")
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    args = parser.parse_args()

    from pipeline.batch import run
    from pipeline.evaluate.annotated import score_annotated
    from pipeline.training.corpora import read_maccrobat, split_maccrobat

    train, dev = split_maccrobat(read_maccrobat(args.data))
    reports = dev if args.split == "dev" else train
    inputs = args.out / "inputs"
    for made in (inputs, args.out / "run"):  # what this tool wrote before, and nothing else of OUT
        shutil.rmtree(made, ignore_errors=True)
    inputs.mkdir(parents=True)
    for report in reports:
        (inputs / f"{report.doc_id}.txt").write_text(report.text, "utf-8")
    run(sorted(inputs.iterdir()), args.out / "run")
    documents = {r.doc_id: (r.text, list(r.annotations)) for r in reports}
    counts = score_annotated(args.out / "run", documents)
    print(f"MACCROBAT {args.split} split, {len(reports)} reports")
    print(f"{'field':<10} {'recall':>7} {'prec.~':>7} {'found':>6} {'of':>5} {'rows':>5}")
    for name, c in counts.items():
        d = c.as_dict()
        print(f"{name:<10} {d['recall']:>7.3f} {d['precision_proxy']:>7.3f} {c.found:>6} {c.annotated:>5} {c.rows:>5}")
    result = {name: {**c.as_dict(), "missed": c.missed} for name, c in counts.items()}
    (args.out / "annotated.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
