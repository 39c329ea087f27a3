"""Digests of the tables casextract writes for fixed inputs, to show that a refactor changed no
output: run it before and after, and compare.

Inputs: the bundled `corpus/` PDFs, the reference article (`../shared/seeds`, as
`wjcc-2023-11-5351.md`) and the real reports of `../shared/data/case-reports-ada` as web text and
as two-column PDFs (tools/real_corpus.py). For each table, the SHA-256 of its rows sorted, without
the columns that record the run itself (`source_path`).

    python tools/table_digest.py > before.txt   # … change …   python tools/table_digest.py | diff before.txt -
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TABLES = ("documents", "cases", "medications", "labs", "diagnoses")
SEED = ROOT.parent / "shared" / "seeds" / "000_30e9b2de46709c67.txt"


def digests(out: Path) -> dict[str, str]:
    import pandas as pd

    found = {}
    for name in TABLES:
        frame = pd.read_parquet(out / f"{name}.parquet").drop(columns=["source_path"], errors="ignore")
        text = frame.astype(str).sort_values(list(frame.columns)).to_csv(index=False)
        found[name] = f"{len(frame):5d} rows  {hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"
    texts = sorted((out / "text").glob("*.txt"))
    joined = "".join(p.name + p.read_text("utf-8") for p in texts)
    found["text/"] = f"{len(texts):5d} docs  {hashlib.sha256(joined.encode('utf-8')).hexdigest()[:16]}"
    return found


def main() -> None:
    from pipeline.batch import Limits, run
    from tools.real_corpus import DEFAULT_SOURCE, build

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pdf-engine", default="pdfplumber", help="pdfplumber or pdfium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = {"corpus": sorted((ROOT / "corpus").glob("*.pdf"))}
        if SEED.exists():
            seed = work / "seed" / "wjcc-2023-11-5351.md"
            seed.parent.mkdir()
            shutil.copyfile(SEED, seed)
            inputs["reference"] = [seed]
        if DEFAULT_SOURCE.exists():
            folders = build(work / "real", layouts=("text", "pdf-2col"))
            inputs["real-text"] = sorted(folders["text"].iterdir())
            inputs["real-pdf"] = sorted(folders["pdf-2col"].iterdir())
        for label, files in inputs.items():
            run(files, work / label, workers=args.workers, limits=Limits(pdf_engine=args.pdf_engine))
            for table, digest in digests(work / label).items():
                print(f"{label:10s} {table:12s} {digest}")


if __name__ == "__main__":
    main()
