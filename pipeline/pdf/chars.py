"""Where the characters come from: the small interface the layout code reads a PDF through.

Everything after this module (words, rows, columns, furniture, scripts, hyphenation) sees only page
sizes and `Char`s, so any PDF library that can say which character is printed where, in which
font, can feed it: a source opens a document (`OpenSource`) and gives its pages (`SourcePage`).

Tables are the one thing a source does not compute itself. They are found by pdfplumber's table
finder among the page's ruling lines, behind `SourcePage.table_grids`; a source built on another
library hands that call to pdfplumber (on the pages that have ruling lines or rectangles at all).

Today's only source is pdfplumber (pdfminer.six): `open_plumber`.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NotRequired, Protocol, TypedDict

from ..structures import InputError

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top-left


class Char(TypedDict):
    """One printed character; coordinates in PDF points from the page's top-left corner."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size
    fontname: str
    upright: bool  # False for rotated text (margin stamps, vertical labels)
    # the font's weight (400 regular, 700 bold) where the source can tell; pdfplumber cannot, so
    # its chars leave it out and boldness is read from the font name. (This module does without
    # `from __future__ import annotations`: with it, TypedDict would count `weight` as required.)
    weight: NotRequired[int]


@dataclass(frozen=True)
class TableGrid:
    """A table the finder drew from ruling lines: its box and each row's cell boxes (None where
    a merged cell leaves a gap)."""

    bbox: BBox
    rows: list[list[BBox | None]]


class SourcePage(Protocol):
    number: int  # 1-based
    width: float
    height: float

    def chars(self) -> Sequence[Char]:
        """The page's characters in the order the source reads them (the content stream's)."""
        ...

    def table_grids(self, table_settings: Mapping[str, Any]) -> list[TableGrid]:
        """Tables found by pdfplumber's table finder with these settings."""
        ...


class CharSource(Protocol):
    """An open document."""

    page_count: int

    def pages(self) -> Iterator[SourcePage]: ...


# a source's opener: any failure while the document is open surfaces as `InputError`
OpenSource = Callable[[Path], AbstractContextManager[CharSource]]


class DamagedPdf(InputError):
    """A PDF the reader fails on because the file is broken (not encrypted, not over a limit):
    the one failure worth a second try with the repairing reader (`repair`)."""

    def __init__(self, detail: str):
        super().__init__(f"damaged PDF ({detail})")
        self.detail = detail


def refuse_too_many_pages(page_count: int, max_pages: int) -> None:
    """An InputError (an error row, not hours of parsing) past `max_pages` (0: no limit)."""
    if max_pages and page_count > max_pages:
        raise InputError(f"too many pages ({page_count}; limit --max-pages {max_pages})")


# --- pdfplumber ----------------------------------------------------------------------------------


class PlumberPage:
    def __init__(self, page: Any, number: int) -> None:
        self._page = page
        self.number = number
        self.width = float(page.width)
        self.height = float(page.height)

    def chars(self) -> Sequence[Char]:
        """pdfplumber's `page.chars`, with only the keys a `Char` has, made straight from pdfminer's
        layout objects as pdfplumber makes them (the same objects, order, text and coordinates):
        pdfplumber resolves and copies every attribute of every object (colours, matrices, marked
        content), which was half of the default engine's reading time, for eight the layout reads."""
        page = self._page
        if page.pdf.unicode_norm is not None:  # pdfplumber would normalise the text: let it
            return page.chars
        mb_x0, mb_top = page.mediabox[:2]
        height = page.height
        chars: list[Char] = []
        for obj in layout_objects(page.layout):
            if not _is_char(type(obj)):
                continue
            fontname = obj.fontname
            if isinstance(fontname, bytes):  # pdfplumber repairs such a name: let it (rare)
                return page.chars
            x0, x1 = (obj.x0 + mb_x0, obj.x1 + mb_x0) if mb_x0 != 0 else (obj.x0, obj.x1)
            chars.append(
                {
                    "text": obj.get_text(),
                    "x0": x0,
                    "x1": x1,
                    "top": (height - obj.y1) + mb_top,
                    "bottom": (height - obj.y0) + mb_top,
                    "size": obj.size,
                    "fontname": fontname,
                    "upright": obj.upright,
                }
            )
        return chars

    def table_grids(self, table_settings: Mapping[str, Any]) -> list[TableGrid]:
        if not may_hold_a_table(self._page.layout, table_settings):
            return []  # nor are pdfplumber's objects made for it
        # the finder sees the page as the layout does, without rotated text (which only matters
        # to its text-based strategies)
        upright = self._page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("upright", True))
        return [
            TableGrid(tuple(table.bbox), [list(row.cells) for row in table.rows])
            for table in upright.find_tables(dict(table_settings))
        ]


def layout_objects(layout: Any) -> Iterator[Any]:
    """pdfminer's objects of a page (an `LTPage`) in the order pdfplumber lists them, figures
    opened (pdfplumber opened without layout analysis lists no container itself)."""
    from pdfminer.layout import LTContainer

    stack = [iter(layout._objs)]
    while stack:
        for obj in stack[-1]:
            if isinstance(obj, LTContainer):
                stack.append(iter(obj._objs))
                break
            yield obj
        else:
            stack.pop()


@cache
def _is_char(kind: type) -> bool:
    """What pdfplumber files under "char": its kind is the class name without `LT`, lower-cased."""
    return re.sub(r"^LT", "", kind.__name__).lower() == "char"


LINE_STRATEGIES = ("lines", "lines_strict")


def may_hold_a_table(layout: Any, table_settings: Mapping[str, Any]) -> bool:
    """Whether pdfplumber's table finder, drawing cells from ruling lines, could find a table on
    the page: a cell needs two horizontal and two vertical edges, and pdfplumber makes its edges
    from rectangles (two of each), lines (one, either way) and curves (one per segment, either
    way); each is counted here in both orientations, never fewer than it can give. Other
    strategies, or lines given in the settings, are always asked."""
    strategies = (table_settings.get("vertical_strategy", "lines"), table_settings.get("horizontal_strategy", "lines"))
    explicit = table_settings.get("explicit_vertical_lines") or table_settings.get("explicit_horizontal_lines")
    if explicit or any(s not in LINE_STRATEGIES for s in strategies):
        return True
    from pdfminer.layout import LTCurve, LTLine, LTRect

    edges = 0  # of either orientation, at most
    for obj in layout_objects(layout):
        if isinstance(obj, LTRect):
            edges += 2
        elif isinstance(obj, LTLine):
            edges += 1
        elif isinstance(obj, LTCurve):
            edges += max(0, len(obj.pts) - 1)
        if edges >= 2:
            return True
    return False


class PlumberSource:
    def __init__(self, pdf: Any) -> None:
        self._pdf = pdf
        self.page_count = len(pdf.pages)

    def pages(self) -> Iterator[PlumberPage]:
        for number, page in enumerate(self._pdf.pages, start=1):
            yield PlumberPage(page, number)


@contextmanager
def open_plumber(path: Path) -> Iterator[PlumberSource]:
    """The document read by pdfplumber.

    pdfminer parses lazily, so a damaged file can fail on any page, raising any of many types:
    every failure inside the `with` block becomes an `InputError` that says what went wrong."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            yield PlumberSource(pdf)
    except (InputError, MemoryError):  # out of memory (a decompression bomb) is no damage: the worker says so
        raise
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, MemoryError):  # pdfplumber wraps it too
            raise cause from exc
        raise _explain_pdfminer(cause) from exc
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise _explain_pdfminer(exc) from exc


def _explain_pdfminer(exc: BaseException) -> InputError:
    name = type(exc).__name__
    if "Password" in name or "Encryption" in name:
        return InputError("encrypted PDF (needs a password)")
    return DamagedPdf(first_line(exc))


def first_line(exc: BaseException) -> str:
    """An exception's message, short enough for one line of a table (its type when it has none);
    characters that would not print (a damaged byte quoted in the message) are left out."""
    text = "".join(c for c in str(exc).strip().split("\n")[0][:120] if c.isprintable()).strip()
    return text or type(exc).__name__
