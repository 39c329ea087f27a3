"""Journal-style case report PDFs with known content, for tests, benchmarks and `corpus/`.

A *spec* (a dict, usually loaded from `corpus/specs/*.json`) holds an article's text with a small
markup; `render_pdf(spec, path)` lays it out the way journals do (full-width title and abstract,
two justified columns, running header and footer with page numbers, a lab table with rules,
a figure with its caption, a References section) and returns the text a perfect extractor would
recover, in reading order, without page furniture.

Markup inside paragraph text:
    ^{9}    superscript      (expected text: ``^9``; a lone sign such as ``^{+}`` gives ``+``)
    _{2}    subscript        (expected text: ``2``)
    **Bold** bold run        (run-in headings such as ``**Case 1:**``)
    {-}     force a line break here, hyphenating the word (expected text: the word unbroken)
    {/}     force a line break here with no hyphen (after a real hyphen: ``anti-{/}MDA5``)

Spec options: ``columns`` (1 or 2), ``fonts`` (``standard`` or ``dejavu``), ``hyphenate`` (break
words at line ends with pyphen's English patterns, as justified journal text does), ``front`` (list
of paragraphs set full width in 8 pt after the authors: affiliations, corresponding author, dates)
and ``after_abstract`` (paragraphs set full width after the abstract: Key Words, Core Tip, Citation).

Matter around the article, as a downloaded PDF has it: ``before`` and ``after`` are lists of page
dicts, each set from a new page before the article's first page / after its last page, with page
numbers counting on across the file. Their ``kind`` is ``contents`` (styles ``numbered``,
``leaders``, ``two-column``), ``cover``, ``publisher`` (tools/journal_matter.py documents their keys)
or ``article``: ``{"kind": "article", "spec": {...}, "pages": "all" | "first" | "last"}``, another
article with its own running header, whole or only its first or last page. None of this matter is in
the expected text: it is what an extractor must leave out. tools/front_matter.py invents such pages.

reportlab and pyphen are test/dev dependencies, imported lazily; the product never needs them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script (`python tools/journal_pdf.py`)
    sys.path.insert(0, str(ROOT))

from tools.journal_layout import LEADING, _Canvas, expected_text, parse_markup
from tools.journal_matter import draw_matter

__all__ = ["expected_text", "parse_markup", "render_pdf", "load_spec", "build_corpus"]


def render_pdf(spec: dict, path: str | Path) -> str:
    """Write `spec` as a journal-style PDF at `path`; return the expected reading-order text.

    The expected text has one block per paragraph, heading, caption or table, separated by blank
    lines; a table is one line per row, its cells joined by `` | ``. Running headers, footers and page
    numbers are absent from it because they are furniture, not content; so are the pages of
    `before` and `after`, which surround the article but are not part of it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _Canvas(path, spec)
    for page in spec.get("before") or []:
        _draw_page(doc, page, spec)
    doc.begin(spec)
    expected = draw_article(doc, spec)
    for page in spec.get("after") or []:
        _draw_page(doc, page, spec)
    doc.save()
    return "\n\n".join(expected)


def draw_article(doc: _Canvas, spec: dict) -> list[str]:
    """Set an article from the cursor on; return its expected text blocks."""
    expected: list[str] = []
    if spec.get("masthead"):  # the journal's name, set bigger than the title (as World J Clin Cases does)
        doc.paragraph(spec["masthead"], font="head", size=20, leading=24, justify=False, space_before=0)
        expected.append(expected_text(spec["masthead"]))
    if spec.get("title"):
        doc.paragraph(spec["title"], font="head", size=15, leading=18, justify=False, space_before=4)
        expected.append(expected_text(spec["title"]))
    if spec.get("authors"):
        doc.paragraph(spec["authors"], font="plain", size=9, leading=12, justify=False, space_before=4)
        expected.append(expected_text(spec["authors"]))
    for para in spec.get("front") or []:
        doc.paragraph(para, size=8, leading=10, justify=False, space_before=2)
        expected.append(expected_text(para))
    if spec.get("abstract"):
        doc.paragraph("Abstract", font="head", size=10, leading=13, space_before=10)
        expected.append("Abstract")
        for para in spec["abstract"]:
            doc.paragraph(para, space_before=2)
            expected.append(expected_text(para))
    for para in spec.get("after_abstract") or []:
        doc.paragraph(para, size=8.5, leading=11, space_before=3)
        expected.append(expected_text(para))
    doc.y -= 14
    if spec.get("columns", 2) == 2:
        doc.start_columns()
    for section in spec.get("sections", []):
        level = section.get("level", 1)
        heading = section.get("heading")
        if heading:
            doc.ensure(3 * LEADING)
            doc.paragraph(
                heading,
                font="head",
                size=9.5 if level == 1 else 9,
                leading=12,
                justify=False,
                space_before=8 if level == 1 else 5,
            )
            expected.append(expected_text(heading))
        for item in section.get("content", []):
            if isinstance(item, str):
                doc.paragraph(item, indent=9.0, space_before=2)
                expected.append(expected_text(item))
            elif "table" in item:
                table = item["table"]
                if table.get("caption"):
                    expected.append(expected_text(table["caption"]))
                doc.table(table)
                expected.append("\n".join(" | ".join(expected_text(c) for c in row) for row in table["rows"]))
            elif "figure" in item:
                doc.figure(item["figure"])
                expected.append(expected_text(item["figure"]))
    if spec.get("references"):
        doc.ensure(3 * LEADING)
        doc.paragraph("REFERENCES", font="head", size=9.5, leading=12, justify=False, space_before=8)
        expected.append("REFERENCES")
        for ref in spec["references"]:
            doc.paragraph(ref, size=7.5, leading=9.5, justify=False, space_before=1)
            expected.append(expected_text(ref))
    return expected


def _draw_page(doc: _Canvas, page: dict, article: dict) -> None:
    if page.get("kind") != "article":
        draw_matter(doc, page, fonts=page.get("fonts", article.get("fonts", "standard")))
        return
    spec, which = page["spec"], page.get("pages", "all")
    if which not in ("all", "first", "last"):
        raise ValueError(f"article pages must be all, first or last, not {which!r}")
    keep = None if which == "all" else {1}
    if which == "last":  # a dry run through the flow finds how many pages the article takes
        doc.begin(spec, keep=set())
        draw_article(doc, spec)
        keep = {doc.item_page}
    doc.begin(spec, keep=keep)
    draw_article(doc, spec)


def load_spec(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def build_corpus(spec_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Render every `*.json` spec in `spec_dir` to `out_dir/DOC_ID.pdf`."""
    written = []
    for spec_path in sorted(Path(spec_dir).glob("*.json")):
        spec = load_spec(spec_path)
        target = Path(out_dir) / f"{spec['doc_id']}.pdf"
        render_pdf(spec, target)
        written.append(target)
    return written


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        sys.exit("usage: python tools/journal_pdf.py SPEC_DIR OUT_DIR")
    for written in build_corpus(sys.argv[1], sys.argv[2]):
        print(written)
