"""End-to-end speed of `casextract run`: documents/s and pages/s with 1 and N workers on the same
inputs (the speed-up ratio), seconds for a 6-page report on one core, and peak memory per worker.

Run: `.venv/bin/python benchmarks/bench_batch.py [--docs 24]`. Inputs are generated journal PDFs
(corpus/specs, plus a 6-page variant). Targets: a 6-page report in < 2 s on one core, near-linear
speed-up to the core count, < 1.5 GB per worker.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.batch import InputFile, process, run  # noqa: E402
from pipeline.nlp import load_pipeline  # noqa: E402
from tools.journal_pdf import load_spec, render_pdf  # noqa: E402


def six_page_spec() -> dict:
    spec = copy.deepcopy(load_spec(ROOT / "corpus" / "specs" / "synth-001.json"))
    spec["doc_id"] = "six-pages"
    filler = (
        "The patient was reviewed daily by the rheumatology and respiratory teams, who recorded the oxygen "
        "requirement, the extent of the rash and the muscle strength in every limb. "
    ) * 8
    for section in spec["sections"]:
        section["content"] = section["content"] + [filler] * 2
    return spec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=24)
    args = parser.parse_args()
    import pdfplumber

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        specs = [load_spec(p) for p in sorted((ROOT / "corpus" / "specs").glob("*.json"))] + [six_page_spec()]
        six = folder / "six-pages.pdf"
        render_pdf(specs[-1], six)
        for i in range(args.docs):
            render_pdf(specs[i % len(specs)], folder / f"doc-{i:03d}.pdf")
        pages = 0
        for pdf_path in folder.glob("doc-*.pdf"):
            with pdfplumber.open(pdf_path) as pdf:
                pages += len(pdf.pages)
        with pdfplumber.open(six) as pdf:
            six_pages = len(pdf.pages)
        six.rename(Path(tmp) / "six-pages.pdf")
        six = Path(tmp) / "six-pages.pdf"

        load_pipeline()
        process(InputFile("warm", six, str(six)))  # warm caches once
        started = time.perf_counter()
        process(InputFile("six", six, str(six)))
        single = time.perf_counter() - started

        timings = {}
        for workers in (1, os.cpu_count() or 1):
            started = time.perf_counter()
            run([folder], Path(tmp) / f"out-{workers}", workers=workers)
            timings[workers] = time.perf_counter() - started
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"inputs: {args.docs} generated PDFs, {pages} pages")
    print(f"{six_pages}-page report, one core, end to end: {single:.2f} s   (target < 2 s)")
    for workers, seconds in timings.items():
        print(
            f"workers={workers}: {seconds:6.1f} s   {args.docs / seconds:5.2f} docs/s   {pages / seconds:5.2f} pages/s"
        )
    n = max(timings)
    print(f"speed-up with {n} workers: {timings[1] / timings[n]:.2f}x (ideal {n}x)")
    print(f"peak memory: worker {peak_children:,.0f} MB, single-process run {peak_self:,.0f} MB   (target < 1,536 MB)")


if __name__ == "__main__":
    main()
