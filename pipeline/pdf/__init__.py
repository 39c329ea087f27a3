"""PDF stage: a journal article PDF → `Layout` (blocks in reading order, each char mapped to its page).

A character source (`chars`; pdfplumber today) gives the geometry: each character's box, font and
size, and the tables pdfplumber finds among ruling lines. What no library does for journal case
reports, and is therefore written here, is the reading of the page the way a person reads it:

1. running headers, footers and page numbers are found as text that recurs at the same place on
   several pages (plus, in the margins only, DOI/copyright/page-number lines of the first page);
   see `furniture`;
2. a column gutter is found per page, so full-width rows (title, abstract, wide tables) and
   two-column regions can alternate down the page; each region is read left column first; see
   `layout`;
3. raised and lowered small text is written as `^9` / `+` / plain subscripts, so that `10⁹`
   never becomes `109`; see `scripts`;
4. lines are grouped into paragraphs (gaps, indents, font changes, captions), paragraphs broken
   by a column or page turn are rejoined (`blocks`), and line-end hyphens are removed only when
   the word was split by the typesetter (`immuno-globulin`), not when the hyphen is the word's own
   (`anti-MDA5`, `follow-up`) (`scripts`).

A damaged file (a truncated download, a broken cross-reference table) is read by pdfium, which
repairs it, and its `Layout.warning` says so and names the pages lost; see `repair`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..structures import InputError, Layout
from .blocks import Line, group_blocks, merge_continuations, page_lines, to_block
from .chars import Char, CharSource, DamagedPdf, OpenSource, SourcePage, TableGrid, open_plumber, refuse_too_many_pages
from .furniture import find_furniture
from .layout import cluster_rows, order_page
from .pdfium_chars import open_pdfium
from .repair import BROKEN_XREF, pdfium_damage, read_repaired, repair_warning
from .scripts import document_vocabulary, join_texts, keep_line_end_hyphen
from .settings import PdfSettings
from .tables import find_tables, inside
from .words import Page, words_from_chars

__all__ = [
    "Char",
    "CharSource",
    "OpenSource",
    "SourcePage",
    "TableGrid",
    "open_plumber",
    "open_pdfium",
    "ENGINES",
    "PdfSettings",
    "read_pdf",
    "keep_line_end_hyphen",
    "join_texts",
    "document_vocabulary",
]


# the character sources `casextract run --pdf-engine` chooses from; pdfplumber is the reference
ENGINES: dict[str, OpenSource] = {"pdfplumber": open_plumber, "pdfium": open_pdfium}


def read_pdf(
    path: str | Path,
    settings: PdfSettings | Mapping[str, Any] | None = None,
    *,
    open_source: OpenSource = open_plumber,
) -> Layout:
    """Read a PDF into a `Layout`; raise `InputError` with a reason a person understands.

    `settings`: `PdfSettings`, or a mapping of the settings to change (an unknown key raises
    ValueError). `open_source`: where the characters come from (pdfplumber unless told)."""
    settings = PdfSettings.coerce(settings)
    path = Path(path)
    check_pdf_header(path)
    pages, warning = _read_or_repair(path, settings, open_source)
    if not any(p.words for p in pages):
        raise InputError("no text layer (scanned?)")
    return assemble_layout(str(path), pages, settings, warning)


def check_pdf_header(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise InputError("not a PDF")


def _read_or_repair(path: Path, settings: PdfSettings, open_source: OpenSource) -> tuple[list[Page], str]:
    """The pages, and a warning when the file is damaged (see `repair`): a cross-reference table
    pdfium had to rebuild, or a file the engine fails on as damaged, is read by pdfium page by
    page; a file pdfium cannot open at all but the engine (pdfminer, which rebuilds tables too)
    reads, is kept as the engine read it. A file in which the engine finds no pages (its page tree
    broken) is given to pdfium too, and stays that error row if pdfium finds no text either."""
    damage = pdfium_damage(path)
    if damage != BROKEN_XREF:
        try:
            with open_source(path) as document:
                pages = read_pages(document, settings)
        except DamagedPdf as exc:
            damage = exc.detail
        except NoPages as exc:
            try:
                return read_repaired(path, settings, damage or "no pages found", _read_page)
            except DamagedPdf:
                raise exc from None
        else:
            return pages, repair_warning(damage, [], [p.number for p in pages if not p.words]) if damage else ""
    return read_repaired(path, settings, damage, _read_page)


class NoPages(InputError):
    def __init__(self) -> None:
        super().__init__("PDF has no pages")


def read_pages(document: CharSource, settings: PdfSettings) -> list[Page]:
    """Every page's words and tables, unless the document has no pages or too many."""
    if document.page_count == 0:
        raise NoPages()
    refuse_too_many_pages(document.page_count, settings.max_pages)
    return [_read_page(page, settings) for page in document.pages()]


def _read_page(source: SourcePage, settings: PdfSettings) -> Page:
    words = words_from_chars(source.chars(), source.number, settings)
    tables = find_tables(source, words, settings)
    if tables:  # a table's words are in its cells, not in the running text
        words = [w for w in words if not any(inside(w, t.bbox) for t in tables)]
    return Page(source.number, source.width, source.height, words, tables)


def assemble_layout(source: str, pages: list[Page], settings: PdfSettings, warning: str = "") -> Layout:
    """Pages → `Layout`: furniture set aside, each page read in order, lines grouped into blocks;
    `warning`: what a person should know about how the file was read (`repair`)."""
    body_size = _body_size(pages)
    page_rows = [cluster_rows(page.words, settings) for page in pages]  # once, for furniture and order
    furniture = find_furniture(pages, page_rows, settings, body_size)
    removed = []
    lines: list[Line] = []
    for page, rows in zip(pages, page_rows):
        removed.extend(w.text for w in page.words if id(w) in furniture)
        region_base = (lines[-1].region + 1) if lines else 0  # regions never span pages
        lines.extend(page_lines(page, order_page(page, rows, furniture, settings), region_base, settings))
    vocab = document_vocabulary(line.text.text for line in lines if line.table is None)
    drafts = merge_continuations(group_blocks(lines, body_size, settings))
    blocks = [to_block(d, vocab) for d in drafts]
    blocks = [b for b in blocks if b.text.text.strip() or b.rows]
    return Layout(
        source_path=source,
        pages=len(pages),
        blocks=tuple(blocks),
        body_font_size=body_size,
        furniture=tuple(removed),
        warning=warning,
    )


def _body_size(pages: list[Page]) -> float:
    """The font size most of the document's characters are set in (to the half point)."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for w in page.words:
            sizes[round(w.size * 2) / 2] += len(w.chars)
    return sizes.most_common(1)[0][0] if sizes else 0.0
