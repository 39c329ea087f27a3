"""The coder on whole case reports coded blind: the 100 MACCROBAT reports of ../shared, each read
whole by a helper who listed the patient's diagnoses with the ICD-10-CM code a coder would give
them from the article, without the tool's output (`data/maccrobat_codes/`: gold files, diagnoses
and codes only, in the project's gold format; MACCROBAT2018, CC BY 4.0, Caufield J.H. et al.).

`SPLITS.json` there says which 72 reports rules may be made from (dev) and which 28 are held out
(test). Prints, per split, what `casextract eval` reports of the codes on the matched diagnoses
(category, full code, any code) and the diagnosis F1 beside it; never a held-out error.

Run: `.venv/bin/python benchmarks/bench_codes_maccrobat.py` (needs ../shared; ~15 s on 2 cores).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MACCROBAT = ROOT.parent / "shared" / "data" / "maccrobat"
GOLD = Path(__file__).with_name("data") / "maccrobat_codes"


def main() -> None:
    if not MACCROBAT.is_dir():
        sys.exit(f"{MACCROBAT} is not here: nothing to measure")
    from pipeline.evaluate import evaluate

    reports = sorted(MACCROBAT / f"{path.stem}.txt" for path in GOLD.glob("*.json") if path.stem.isdigit())
    casextract = str(Path(sys.executable).with_name("casextract"))
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([casextract, "run", *map(str, reports), "--out", out, "-q"], check=True)
        scores = evaluate(Path(out), GOLD).as_dict()  # kept in memory: the held-out errors are never written
    for split in ("dev", "test"):
        codes = scores["codes_per_split"][split]
        diagnosis = scores["per_split"][split]["diagnosis"]
        print(
            f"{split:4}  {len(scores['split_documents'][split])} reports, {codes['diagnoses']} matched diagnoses:"
            f"  category {codes['icd10cm_category_accuracy']:.3f}  full code {codes['icd10cm_accuracy']:.3f}"
            f"  any code {codes['icd10cm_coverage']:.3f}   (diagnosis F1 {diagnosis['f1']:.3f})"
        )


if __name__ == "__main__":
    main()
