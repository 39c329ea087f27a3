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
from pathlib import Path
from typing import Any

from ..structures import InputError
from .chars import Char, PlumberPage, TableGrid, open_plumber

THIN = 2.0  # points: a path object no wider (taller) than this is a vertical (horizontal) rule


class PdfiumPage:
    def __init__(self, page: Any, number: int, plumber: Any) -> None:
        self._page = page
        self.number = number
        self.width = float(page.get_width())
        self.height = float(page.get_height())
        self._plumber = plumber  # () → the document opened by pdfplumber, on demand

    def chars(self) -> Sequence[Char]:
        import pypdfium2.raw as pdfium

        textpage = self._page.get_textpage()
        try:
            chars = list(_page_chars(pdfium, textpage, self.height))
        finally:
            textpage.close()
        if overprinted(chars):
            # pdfium drops a glyph printed where the one before it was (it takes that for fake
            # bold); pdfminer keeps every glyph, so such a page is read as pdfplumber reads it
            return self._plumber().page(self.number).chars()
        return chars

    def table_grids(self, table_settings: Mapping[str, Any]) -> list[TableGrid]:
        if not self.could_hold_a_table():
            return []
        return self._plumber().page(self.number).table_grids(table_settings)

    def could_hold_a_table(self) -> bool:
        """At least two horizontal and two vertical edges among the page's drawn paths (a box
        counts as two of each): fewer cannot make a table of ruled cells."""
        import pypdfium2.raw as pdfium

        horizontal = vertical = 0
        for path in self._page.get_objects(filter=[pdfium.FPDF_PAGEOBJ_PATH], max_depth=2):
            left, bottom, right, top = path.get_bounds()
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
            page = self._document[index]
            try:
                yield PdfiumPage(page, index + 1, self._plumber_pages)
            finally:
                page.close()

    def _plumber_pages(self) -> _PlumberPages:
        if self._plumber is None:
            self._plumber = _PlumberPages(self._stack.enter_context(open_plumber(self._path)))
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
    try:
        with ExitStack() as stack:
            yield PdfiumSource(document, path, stack)
    except InputError:
        raise
    except Exception as exc:  # pdfium reports damage page by page too
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise InputError(f"damaged PDF ({detail})") from exc
    finally:
        document.close()


# --- characters ----------------------------------------------------------------------------------


def overprinted(chars: Sequence[Char]) -> bool:
    """Two glyphs in a row at the same spot: a font with no advance widths (a broken `/Widths`)."""
    return any(
        abs(a["x0"] - b["x0"]) < 0.01 and abs(a["bottom"] - b["bottom"]) < 0.01 and a["text"].strip()
        for a, b in zip(chars, chars[1:])
    )


def _page_chars(pdfium: Any, textpage: Any, page_height: float) -> Iterator[Char]:
    raw = textpage.raw
    count = pdfium.FPDFText_CountChars(raw)
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium.FS_RECTF()
    matrix = pdfium.FS_MATRIX()
    fonts = _FontTable(pdfium)
    for i in range(count):
        if pdfium.FPDFText_IsGenerated(raw, i):
            continue  # a space or line break pdfium inferred; pdfminer sees only printed glyphs
        code = pdfium.FPDFText_GetUnicode(raw, i)
        if code in (0x0D, 0x0A) or code == 0xFFFE:
            continue
        pdfium.FPDFText_GetCharOrigin(raw, i, x, y)
        pdfium.FPDFText_GetLooseCharBox(raw, i, box)
        pdfium.FPDFText_GetMatrix(raw, i, matrix)
        size = pdfium.FPDFText_GetFontSize(raw, i)
        text = "-" if code == 0x02 else chr(code)  # pdfium's code for a hyphen that ends a line
        font = fonts.of(raw, i)
        bottom = page_height - y.value - font.descent * size  # descent < 0: below the baseline
        advance = font.widths.get(text)
        yield {
            "text": text,
            "x0": x.value,
            # pdfminer's box is the glyph's advance; pdfium's loose box also takes in an overhang
            # (`f`), so the advance is used where the font's metrics give it
            "x1": x.value + advance * size / 1000 if advance is not None else box.right,
            "top": bottom - size,
            "bottom": bottom,
            "size": size,
            "fontname": font.name,
            "upright": matrix.a * matrix.d > 0 and matrix.b * matrix.c <= 0,
            "weight": pdfium.FPDFText_GetFontWeight(raw, i),
        }


@dataclass(frozen=True)
class _Font:
    name: str
    descent: float  # per point of size, negative: how far below the baseline the box reaches
    widths: Mapping[str, float]  # advance per 1000 points, for the standard fonts


class _FontTable:
    """Each character's font, described once per font of the page."""

    def __init__(self, pdfium: Any) -> None:
        self._pdfium = pdfium
        self._fonts: dict[int, _Font] = {}
        self._buffer = ctypes.create_string_buffer(256)

    def of(self, textpage: Any, index: int) -> _Font:
        pdfium = self._pdfium
        font = pdfium.FPDFTextObj_GetFont(pdfium.FPDFText_GetTextObject(textpage, index))
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key not in self._fonts:
            self._fonts[key] = self._describe(font)
        return self._fonts[key]

    def _describe(self, font: Any) -> _Font:
        from pdfminer.fontmetrics import FONT_METRICS

        pdfium = self._pdfium
        length = pdfium.FPDFFont_GetBaseFontName(font, self._buffer, len(self._buffer))
        name = self._buffer.raw[: max(0, length - 1)].decode("latin-1") if length else ""
        standard = FONT_METRICS.get(name)
        if standard is not None and not pdfium.FPDFFont_GetIsEmbedded(font):
            return _Font(name, float(standard[0].get("Descent", 0)) / 1000, standard[1])
        descent = ctypes.c_float()
        pdfium.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), descent)
        return _Font(name, min(descent.value, -descent.value) / 1000, {})
