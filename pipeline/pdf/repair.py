"""Damaged PDFs: read by the repairing reader (pdfium), with a warning that says so.

A truncated download, bytes lost in the middle of a file or a cross-reference table that no longer
points at the objects are common. pdfminer (the default engine) gives up on many such files, or
worse reads them in part without a word; pdfium rebuilds the table by scanning the file and reads
what is left. So a PDF is read here when

- pdfium finds its cross-reference table broken (it had to rebuild it): whichever engine was asked
  for, so that both give the same text and the same warning for such a file; or
- the configured engine fails on it as damaged (`DamagedPdf`: not an encrypted file, not a limit).

(A file pdfium cannot open at all, but the engine reads, is kept as the engine read it, with a
warning.) The characters come from the pdfium source, so everything after them is the pdfium
engine's path. Pages are read one by one: a page a reader fails on is named `unreadable` (pdfium,
or pdfminer when asked about a page pdfium found no characters on: pdfium passes over a content
stream it cannot decode without a word), a page read without a character `with no text` (a figure
page, or one whose content was lost: which, a reader of a damaged file cannot tell, so a person is
told). A file from which no text at all is read stays an error row with the original reason.

A truncated file has lost its trailer, which names the document catalog, and pdfium will not open
it (it rebuilds a table, not a trailer). Many writers (reportlab among them) put the catalog and
the page objects near the start, so it is opened once more from its complete objects with a
trailer naming the last catalog among them: the pages whose content came before the cut are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .chars import DamagedPdf, SourcePage, refuse_too_many_pages
from .pdfium_chars import PdfiumSource, pdfium_source
from .settings import PdfSettings
from .words import Page

REPAIRED = "damaged PDF, read after repair"
BROKEN_XREF = "broken cross-reference table"
UNOPENED = "damaged document structure"
DEFAULT_SIZE = (612.0, 792.0)  # US Letter, for an unreadable page whose size is unknown too

ReadPage = Callable[[SourcePage, PdfSettings], Page]


def pdfium_damage(path: Path) -> str:
    """What pdfium finds wrong with the file's structure: `BROKEN_XREF` when it had to rebuild the
    cross-reference table, `UNOPENED` when it cannot open the file at all, "" when it is sound (or
    locked: the engine says so)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        return UNOPENED if getattr(exc, "err_code", None) == raw.FPDF_ERR_FORMAT else ""
    try:
        return "" if raw.FPDF_DocumentHasValidCrossReferenceTable(document.raw) else BROKEN_XREF
    finally:
        document.close()


def read_repaired(path: Path, settings: PdfSettings, damage: str, read_page: ReadPage) -> tuple[list[Page], str]:
    """Every page pdfium reads from the damaged file at `path`, and the documents row's warning.

    `damage` says what was found wrong (`Unexpected EOF`); raises `DamagedPdf(damage)` when pdfium
    reads no text either, `InputError` when the file is over the page limit."""
    with open_repaired(path, damage) as document:
        refuse_too_many_pages(document.page_count, settings.max_pages)
        pages, unreadable = [], []
        for index in range(document.page_count):
            page = _read_or_none(document, index, settings, read_page)
            if page is None:
                unreadable.append(index + 1)
                width, height = (pages[-1].width, pages[-1].height) if pages else DEFAULT_SIZE
                page = Page(index + 1, width, height, [], [])
            pages.append(page)
    if not any(p.words for p in pages):
        raise DamagedPdf(damage)
    textless = [p.number for p in pages if not p.words and p.number not in unreadable]
    return pages, repair_warning(damage, unreadable, textless)


def _read_or_none(document: PdfiumSource, index: int, settings: PdfSettings, read_page: ReadPage) -> Page | None:
    try:
        with document.page(index) as source:
            return read_page(_TablesIfReadable(source), settings)
    except (MemoryError, RecursionError):
        raise  # the document's limits, not the page's damage
    except Exception:  # pdfium (or pdfminer, for a page it is asked about) fails on this page
        return None


class _TablesIfReadable:
    """A page of a damaged file whose tables pdfplumber may fail to find (pdfminer gives up on
    files pdfium repairs): the page is then read without them, its cells as running text."""

    def __init__(self, page: SourcePage) -> None:
        self._page = page
        self.number, self.width, self.height = page.number, page.width, page.height

    def chars(self) -> Any:
        return self._page.chars()

    def table_grids(self, table_settings: Any) -> Any:
        try:
            return self._page.table_grids(table_settings)
        except (MemoryError, RecursionError):
            raise
        except Exception:
            return []


@contextmanager
def open_repaired(path: Path, damage: str) -> Iterator[PdfiumSource]:
    """The damaged file opened by pdfium: as it is, else with a trailer added (a truncated file);
    `DamagedPdf(damage)` when neither opens."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        mended = with_trailer(path.read_bytes())
        try:
            document = pdfium.PdfDocument(mended) if mended else None
        except pdfium.PdfiumError:
            document = None
    if document is None:
        raise DamagedPdf(damage)
    with pdfium_source(document, path) as source:
        yield source


CATALOG = re.compile(rb"(\d+)\s+(\d+)\s+obj\s*<<(?:(?!endobj).){0,4000}?/Type\s*/Catalog\b", re.S)


def with_trailer(data: bytes) -> bytes | None:
    """A truncated file cut back to its last complete object and given a trailer naming the last
    document catalog among its objects (pdfium rebuilds the rest); None when no catalog is left."""
    end = data.rfind(b"endobj")
    if end < 0:
        return None
    data = data[: end + len(b"endobj")]
    catalogs = list(CATALOG.finditer(data))
    if not catalogs:
        return None
    number, generation = catalogs[-1].group(1), catalogs[-1].group(2)
    return data + b"\ntrailer\n<< /Root %s %s R >>\n%%%%EOF\n" % (number, generation)


def repair_warning(damage: str, unreadable: list[int], textless: list[int]) -> str:
    """`damaged PDF, read after repair (Unexpected EOF): pages 7-9 unreadable; page 2 with no text`."""
    lost = [f"{page_list(unreadable)} unreadable"] if unreadable else []
    lost += [f"{page_list(textless)} with no text"] if textless else []
    return f"{REPAIRED} ({damage})" + (": " + "; ".join(lost) if lost else "")


def page_list(numbers: list[int]) -> str:
    """[2, 7, 8, 9] → `pages 2, 7-9`; [4] → `page 4`."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
    return f"{'page' if len(numbers) == 1 else 'pages'} {text}"
