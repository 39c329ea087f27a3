"""The 45 real case reports of ../shared/data/case-reports-ada as pipeline inputs, made reproducibly.

For each report it writes, under OUT (git-ignored; `make real-corpus`):

    text/DOC_ID.txt       the text exactly as the corpus has it: web text on one line, site
                          navigation, references and journal furniture left in;
    pdf-2col/DOC_ID.pdf   that text set as a two-column journal page;
    pdf-1col/DOC_ID.pdf   the same on a one-column page.

The PDFs are rendered by tools/journal_pdf.py with running heads, page numbers, words hyphenated at
line ends (pyphen) and powers of ten and cubic millimetres as real superscripts: `×10 9 /l`, the web
page's flattened `×10⁹/l`, is set as `×10` with a raised `9`. The paragraphs are cut at sentence ends
every ~150 words: the web text keeps no paragraph breaks, and the cut is blind to the content.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.journal_pdf import render_pdf  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "case-reports-ada" / "case_reports.jsonl"
LAYOUTS = {"pdf-2col": 2, "pdf-1col": 1}
PARAGRAPH_WORDS = 150

# the web pages flatten superscripts into the line: "10.14×10 9 /l", "19,000/mm 3 ", "10(9)/litre"
_SUPERSCRIPTS = (
    (re.compile(r"([×x]\s?10)\s(\d{1,2})\s?/"), r"\1^{\2}/"),
    (re.compile(r"\b10\((\d{1,2})\)\s?/"), r"10^{\1}/"),
    (re.compile(r"/\s?mm\s([23])\b"), r"/mm^{\1}"),
    (re.compile(r"/m\s2\b"), r"/m^{2}"),
)
# the renderer's markup characters, neutralised where the web text happens to contain them
_MARKUP = ((re.compile(r"\*\*"), "*"), (re.compile(r"([\^_])\{"), r"\1 {"), (re.compile(r"\{([-/])\}"), r"{ \1}"))
_TITLE_END = re.compile(r"\s(?:-\s(?:PubMed|NCBI)\b|Warning:|\|)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def read_reports(source: Path = DEFAULT_SOURCE) -> list[dict]:
    with open(source, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def marked_up(text: str) -> str:
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    for pattern, replacement in _SUPERSCRIPTS:
        text = pattern.sub(replacement, text)
    return text


def paragraphs(text: str, words: int = PARAGRAPH_WORDS) -> list[str]:
    out, current, count = [], [], 0
    for sentence in _SENTENCE_END.split(text):
        current.append(sentence)
        count += len(sentence.split())
        if count >= words:
            out.append(" ".join(current))
            current, count = [], 0
    if current:
        out.append(" ".join(current))
    return out


def spec_for(report: dict, columns: int) -> dict:
    """A journal_pdf spec holding the report's whole text: its leading title segment (up to the
    site's " - PubMed" or "Warning:") as the title, the rest as body paragraphs."""
    text = " ".join(report["text"].split())
    end = _TITLE_END.search(text[:400])
    title, body = (text[: end.start()], text[end.start() :].lstrip(" |")) if end else ("", text)
    doc_id = report["doc_id"]
    return {
        "doc_id": doc_id,
        "running_header": ["Case Reports · real-text corpus", f"{doc_id} · {title[:60]}"],
        "running_footer": "Rendered by casextract tools/real_corpus.py · text under its authors' CC licence",
        "title": marked_up(title),
        "columns": columns,
        "fonts": "dejavu",
        "hyphenate": True,
        "sections": [{"content": [marked_up(p) for p in paragraphs(body)]}],
    }


def build(
    out: Path,
    source: Path = DEFAULT_SOURCE,
    doc_ids: set[str] | None = None,
    layouts: tuple[str, ...] = ("text", *LAYOUTS),
) -> dict[str, Path]:
    """Write the inputs (skipping files already there) → {layout: folder}."""
    folders = {layout: out / layout for layout in layouts}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for report in read_reports(source):
        doc_id = report["doc_id"]
        if doc_ids is not None and doc_id not in doc_ids:
            continue
        if "text" in folders:
            target = folders["text"] / f"{doc_id}.txt"
            if not target.exists():
                target.write_text(report["text"], encoding="utf-8")
        for layout, columns in LAYOUTS.items():
            if layout in folders and not (folders[layout] / f"{doc_id}.pdf").exists():
                render_pdf(spec_for(report, columns), folders[layout] / f"{doc_id}.pdf")
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "real" / "inputs")
    args = parser.parse_args()
    if not args.source.exists():
        sys.exit(f"{args.source} not found: the real reports live in ../shared beside the checkout")
    for layout, folder in build(args.out, args.source).items():
        print(f"{layout:9s} {len(list(folder.iterdir())):3d} files → {folder}")


if __name__ == "__main__":
    main()
