"""Reading-order fidelity and speed of the PDF stage against plain pdfplumber and pypdfium2.

Run: `make bench` (or `.venv/bin/python benchmarks/bench_pdf.py [--repeat N]`).

The inputs are journal-style PDFs generated from `corpus/specs/` (two columns, running header
and footer, hyphenated words, superscript units, a lab table, a figure, references) plus a long
variant whose paragraphs turn columns and pages and a one-column variant. The reference text is
what generated each PDF, in reading order, without page furniture.

Fidelity is 1 − normalised Levenshtein distance between an extractor's text and the reference,
both reduced to a neutral form (whitespace collapsed; `^` super-script markers and table `|`
separators removed, so no extractor is favoured for our own notation). Speed is seconds per page,
best of N runs, all measured in this one process, one after the other.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from pipeline.pdf import read_pdf  # noqa: E402
from tools.journal_pdf import load_spec, render_pdf  # noqa: E402


def neutral(text: str) -> str:
    text = text.replace("^", "").replace(" | ", " ")
    return re.sub(r"\s+", " ", text).strip()


def ours(path: Path) -> str:
    return read_pdf(path).text


def plumber_plain(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pdfium(path: Path) -> str:
    import pypdfium2 as pdfium_lib

    pdf = pdfium_lib.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


EXTRACTORS = {"casextract": ours, "pdfplumber extract_text": plumber_plain, "pypdfium2": pdfium}


def build_inputs(folder: Path) -> list[tuple[Path, str, int]]:
    import pdfplumber

    specs = [load_spec(p) for p in sorted((ROOT / "corpus" / "specs").glob("*.json"))]
    long_spec = copy.deepcopy(specs[0])
    long_spec["doc_id"] = "long"
    filler = (
        "The patient was reviewed daily by the rheumatology and respiratory teams, who recorded the "
        "oxygen requirement, the extent of the rash and the muscle strength in every limb. "
    ) * 6
    for section in long_spec["sections"]:
        section["content"] = section["content"] + [filler] * 2
    one_column = dict(copy.deepcopy(specs[0]), doc_id="one-column", columns=1)
    inputs = []
    for spec in specs + [long_spec, one_column]:
        path = folder / f"{spec['doc_id']}.pdf"
        expected = render_pdf(spec, path)
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
        inputs.append((path, expected, pages))
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = build_inputs(Path(tmp))
        total_pages = sum(p for _, _, p in inputs)
        print(f"{len(inputs)} generated PDFs, {total_pages} pages; best of {args.repeat} runs\n")
        header = f"{'document':<12}" + "".join(f"{name:>26}" for name in EXTRACTORS)
        print("fidelity (1 - normalised edit distance to the source text; higher is better)")
        print(header)
        scores = {name: [] for name in EXTRACTORS}
        seconds = {name: 0.0 for name in EXTRACTORS}
        for path, expected, _pages in inputs:
            row = f"{path.stem:<12}"
            for name, extract in EXTRACTORS.items():
                best = float("inf")
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    text = extract(path)
                    best = min(best, time.perf_counter() - started)
                seconds[name] += best
                score = 1 - Levenshtein.normalized_distance(neutral(text), neutral(expected))
                scores[name].append(score)
                row += f"{score:>26.4f}"
            print(row)
        print(f"{'mean':<12}" + "".join(f"{sum(s) / len(s):>26.4f}" for s in scores.values()))
        print("\nseconds per page")
        print(f"{'':<12}" + "".join(f"{seconds[name] / total_pages:>26.4f}" for name in EXTRACTORS))
        base = seconds["pdfplumber extract_text"]
        print(f"{'ratio':<12}" + "".join(f"{seconds[name] / base:>25.2f}x" for name in EXTRACTORS))
        mean = {name: sum(s) / len(s) for name, s in scores.items()}
        best_name = max(mean, key=mean.get)
        ratio = seconds["casextract"] / base
        print(f"\nmost faithful: {best_name}; casextract time / extract_text time = {ratio:.2f} (target ≤ 3)")


if __name__ == "__main__":
    main()
