"""The pdfium character source (pypdfium2): the `Char`s pdfplumber would give, read many times faster.

pdfminer (under pdfplumber) parses every page in Python; pdfium parses in C. To keep the layout
code's input the same, each character's box is built as pdfminer builds it, not taken from
pdfium's own boxes: from the glyph's origin and advance, `size` high, its bottom at the font's
descent below the baseline. The descent is the font descriptor's, as pdfminer reads it; for the
14 standard fonts, which carry no descriptor, it is pdfminer's own metrics table (pdfium would use
those of its substitute fonts, a little different).

Tables come from pdfplumber's table finder, as they do with the pdfplumber source, and only on a
page whose drawn paths could make a table at all (two horizontal and two vertical edges): other
pages are never parsed by pdfminer.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from ..structures import InputError
from .chars import Char, DamagedPdf, PlumberPage, TableGrid, first_line, open_plumber

THIN = 2.0  # points: a path object no wider (taller) than this is a vertical (horizontal) rule


class PdfiumPage:
    def __init__(self, page: Any, number: int, plumber: Any) -> None:
        self._page = page
        self.number = number
        self._plumber = plumber  # () → the document opened by pdfplumber, on demand
        # pdfium measures a page by its crop box, turned by /Rotate, but places characters in the
        # media box unturned; pdfplumber (the reference) does both in one frame. Such a page is
        # read the way pdfplumber reads it.
        self._odd_frame = page.get_rotation() % 360 != 0 or page.get_cropbox() != page.get_mediabox()
        source = self._plumber().page(number) if self._odd_frame else None
        self.width = source.width if source else float(page.get_width())
        self.height = source.height if source else float(page.get_height())

    def chars(self) -> Sequence[Char]:
        import pypdfium2.raw as pdfium

        if self._odd_frame:
            return self._plumber().page(self.number).chars()
        textpage = self._page.get_textpage()
        try:
            chars = _page_chars(pdfium, textpage, self.height)
        finally:
            textpage.close()
        if overprinted(chars) or not chars:
            # pdfium drops a glyph printed where the one before it was (it takes that for fake
            # bold); pdfminer keeps every glyph, so such a page is read as pdfplumber reads it.
            # No characters: a figure page, or one whose content stream pdfium could not decode
            # and said nothing about; pdfminer raises on the latter (the file is damaged: `repair`)
            return self._plumber().page(self.number).chars()
        return chars

    def table_grids(self, table_settings: Mapping[str, Any]) -> list[TableGrid]:
        if not self.could_hold_a_table():
            return []
        return self._plumber().page(self.number).table_grids(table_settings)

    def could_hold_a_table(self) -> bool:
        """At least two horizontal and two vertical edges among the page's drawn paths (a box
        counts as two of each): fewer cannot make a table of ruled cells. Read with the raw API,
        object by object: the helpers wrap every object of the page, text included."""
        import pypdfium2.raw as pdfium

        page = self._page.raw
        horizontal = vertical = 0
        bounds = [ctypes.c_float() for _ in range(4)]
        for index in range(pdfium.FPDFPage_CountObjects(page)):
            item = pdfium.FPDFPage_GetObject(page, index)
            kind = pdfium.FPDFPageObj_GetType(item)
            if kind == pdfium.FPDF_PAGEOBJ_FORM:
                return True  # paths inside a form object: let the table finder look
            if kind != pdfium.FPDF_PAGEOBJ_PATH:
                continue
            pdfium.FPDFPageObj_GetBounds(item, *bounds)
            left, bottom, right, top = (b.value for b in bounds)
            wide, tall = right - left > THIN, top - bottom > THIN
            horizontal += 2 if wide and tall else int(wide)
            vertical += 2 if wide and tall else int(tall)
            if horizontal >= 2 and vertical >= 2:
                return True
        return False


class PdfiumSource:
    def __init__(self, document: Any, path: Path, stack: ExitStack) -> None:
        self._document = document
        self._path = path
        self._stack = stack
        self._plumber: Any = None
        self.page_count = len(document)

    def pages(self) -> Iterator[PdfiumPage]:
        for index in range(self.page_count):
            with self.page(index) as page:
                yield page

    @contextmanager
    def page(self, index: int) -> Iterator[PdfiumPage]:
        """One page (0-based `index`), on its own: a damaged page need not end the reading of the rest."""
        page = self._document[index]
        try:
            yield PdfiumPage(page, index + 1, self._plumber_pages)
        finally:
            page.close()

    def _plumber_pages(self) -> _PlumberPages:
        if isinstance(self._plumber, Exception):
            raise self._plumber  # pdfminer could not open the (damaged) file: once is enough to know
        if self._plumber is None:
            try:
                self._plumber = _PlumberPages(self._stack.enter_context(open_plumber(self._path)))
            except InputError as exc:
                self._plumber = exc
                raise
        return self._plumber


class _PlumberPages:
    """Single pages of the document as pdfplumber reads them (pdfminer parses only those asked for)."""

    def __init__(self, source: Any) -> None:
        self._pdf = source._pdf

    def page(self, number: int) -> PlumberPage:
        return PlumberPage(self._pdf.pages[number - 1], number)


@contextmanager
def open_pdfium(path: Path) -> Iterator[PdfiumSource]:
    """The document read by pdfium; a file pdfium cannot open gives the reason pdfplumber gives
    (the same error row whichever engine reads it)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        with open_plumber(path) as fallback:  # raises pdfminer's explanation as an InputError
            yield fallback
        return
    with pdfium_source(document, path) as source:
        yield source


@contextmanager
def pdfium_source(document: Any, path: Path) -> Iterator[PdfiumSource]:
    """An open pdfium document as a `CharSource`, closed after; any failure reading it is a
    `DamagedPdf` (pdfium reports damage page by page too)."""
    try:
        with ExitStack() as stack:
            yield PdfiumSource(document, path, stack)
    except (InputError, MemoryError):
        raise
    except Exception as exc:
        raise DamagedPdf(first_line(exc)) from exc
    finally:
        document.close()


# --- characters ----------------------------------------------------------------------------------


def overprinted(chars: Sequence[Char]) -> bool:
    """Two glyphs in a row at the same spot: a font with no advance widths (a broken `/Widths`).
    The positions are compared by numpy: a page has thousands of characters."""
    if len(chars) < 2:
        return False
    x0 = np.fromiter(map(itemgetter("x0"), chars), float, len(chars))
    bottom = np.fromiter(map(itemgetter("bottom"), chars), float, len(chars))
    same_spot = (np.abs(np.diff(x0)) < 0.01) & (np.abs(np.diff(bottom)) < 0.01)
    return any(chars[i]["text"].strip() for i in np.flatnonzero(same_spot))


def _untyped(function: Any, restype: Any, *argtypes: Any) -> Any:
    """A pdfium function declared with plain C types: pypdfium2's typed declarations check and
    convert every argument, which in a loop over every character of a page is most of its cost."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def _bare(function: Any, restype: Any) -> Any:
    """A pdfium function declared with its return type only, for the calls made for every character:
    ctypes then passes each argument as it is (a `c_void_p`, a `byref`, a Python int as a C int,
    which a character index is) instead of converting it through a declared type, and one call
    costs a third to a half of what it costs declared (`_untyped`). Only for functions whose
    parameters are exactly those: a text page, an `int` index, pointers."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


@dataclass(frozen=True)
class _Calls:
    """The pdfium calls made per character or per text object, declared once per process."""

    unicode: Any
    origin: Any
    text_object: Any
    is_generated: Any
    loose_box: Any
    matrix: Any
    font_size: Any
    font: Any


@cache
def _calls(pdfium: Any) -> _Calls:
    page, index, address = ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
    return _Calls(
        # per character (FPDF_TEXTPAGE, int[, double*, double*]): called with a `c_void_p` page
        unicode=_bare(pdfium.FPDFText_GetUnicode, ctypes.c_uint),
        origin=_bare(pdfium.FPDFText_GetCharOrigin, ctypes.c_int),
        text_object=_bare(pdfium.FPDFText_GetTextObject, address),
        is_generated=_bare(pdfium.FPDFText_IsGenerated, ctypes.c_int),
        loose_box=_bare(pdfium.FPDFText_GetLooseCharBox, ctypes.c_int),  # (…, FS_RECTF*)
        # per text object
        matrix=_untyped(pdfium.FPDFText_GetMatrix, ctypes.c_int, page, index, ctypes.POINTER(pdfium.FS_MATRIX)),
        font_size=_untyped(pdfium.FPDFText_GetFontSize, ctypes.c_double, page, index),
        font=_untyped(pdfium.FPDFTextObj_GetFont, address, address),
    )


def _page_chars(pdfium: Any, textpage: Any, page_height: float) -> list[Char]:
    """The page's printed characters; what is the same for a whole text object (its font, size
    and matrix) is asked once per object, the rest (origin, advance) per character."""
    raw = textpage.raw
    address = ctypes.cast(raw, ctypes.c_void_p).value
    page = ctypes.c_void_p(address)  # as the per-character calls take it (`_bare`)
    calls = _calls(pdfium)
    unicode_at, origin_at, object_at, is_generated = calls.unicode, calls.origin, calls.text_object, calls.is_generated
    count = pdfium.FPDFText_CountChars(raw)
    # per character, not the page's text in one call: that one leaves out line-end hyphens
    codes = [unicode_at(page, i) for i in range(count)]
    x, y = ctypes.c_double(), ctypes.c_double()
    x_at, y_at = ctypes.byref(x), ctypes.byref(y)
    box = pdfium.FS_RECTF()
    box_at, loose_box = ctypes.byref(box), calls.loose_box
    objects = _TextObjects(pdfium, calls, address)
    current, (font, size, upright) = None, (None, 0.0, True)
    chars: list[Char] = []
    for i, code in enumerate(codes):
        if code in (0x0D, 0x0A, 0xFFFE) or (code == 0x20 and is_generated(page, i)):
            continue  # a line break or space pdfium inferred; pdfminer sees only printed glyphs
        text = "-" if code == 0x02 else chr(code)  # 2: pdfium's code for a hyphen that ends a line
        text_object = object_at(page, i)
        if text_object != current:  # characters of one text object come one after another
            current = text_object
            font, size, upright = objects.of(i, text_object or 0)
        origin_at(page, i, x_at, y_at)
        left = x.value
        bottom = page_height - y.value - font.descent * size  # descent < 0: below the baseline
        advance = font.widths.get(text)
        if advance is None:
            loose_box(page, i, box_at)
        chars.append(
            {
                "text": text,
                "x0": left,
                # pdfminer's box is the glyph's advance; pdfium's loose box also takes in an
                # overhang (`f`), so the advance is used where the font's metrics give it
                "x1": left + advance * size / 1000 if advance is not None else box.right,
                "top": bottom - size,
                "bottom": bottom,
                "size": size,
                "fontname": font.name,
                "upright": upright,
                # no `weight`: boldness is read from the font name, as with pdfplumber, so that
                # both engines see the same headings
            }
        )
    return chars


class _TextObjects:
    """Font, size and uprightness of the text object a character belongs to, asked once per object."""

    def __init__(self, pdfium: Any, calls: _Calls, textpage: int) -> None:
        self._calls = calls
        self._textpage = textpage
        self._fonts = _FontTable(pdfium)
        self._objects: dict[int, tuple[_Font, float, bool]] = {}
        self._matrix = pdfium.FS_MATRIX()
        self._matrix_at = ctypes.pointer(self._matrix)

    def of(self, index: int, key: int) -> tuple[_Font, float, bool]:
        """What the text object at address `key`, holding character `index`, sets its characters in."""
        known = self._objects.get(key)
        if known is None:
            calls = self._calls
            calls.matrix(self._textpage, index, self._matrix_at)
            m = self._matrix
            known = (
                self._fonts.of(calls.font(key)),
                calls.font_size(self._textpage, index),
                m.a * m.d > 0 and m.b * m.c <= 0,  # pdfminer's test for upright text
            )
            self._objects[key] = known
        return known


@dataclass(frozen=True)
class _Font:
    name: str
    descent: float  # per point of size, negative: how far below the baseline the box reaches
    widths: Mapping[str, float]  # advance per 1000 points, for the standard fonts


class _FontTable:
    """Each font of the page, described once."""

    def __init__(self, pdfium: Any) -> None:
        self._pdfium = pdfium
        self._fonts: dict[int, _Font] = {}
        self._buffer = ctypes.create_string_buffer(256)

    def of(self, font: int | None) -> _Font:
        key = font or 0
        known = self._fonts.get(key)
        if known is None:
            known = self._fonts[key] = self._describe(ctypes.cast(ctypes.c_void_p(key), self._pdfium.FPDF_FONT))
        return known

    def _describe(self, font: Any) -> _Font:
        from pdfminer.fontmetrics import FONT_METRICS

        pdfium = self._pdfium
        length = pdfium.FPDFFont_GetBaseFontName(font, self._buffer, len(self._buffer))
        if length > len(self._buffer):  # a longer name than the buffer holds: ask again with room
            self._buffer = ctypes.create_string_buffer(length)
            length = pdfium.FPDFFont_GetBaseFontName(font, self._buffer, len(self._buffer))
        name = self._buffer.raw[: max(0, length - 1)].decode("latin-1") if length else ""
        standard = FONT_METRICS.get(name)
        if standard is not None and not pdfium.FPDFFont_GetIsEmbedded(font):
            return _Font(name, float(standard[0].get("Descent", 0)) / 1000, standard[1])
        descent = ctypes.c_float()
        pdfium.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), descent)
        return _Font(name, min(descent.value, -descent.value) / 1000, {})
