"""Page layout for tools/journal_pdf.py: the spec markup and a canvas that flows text in columns.

`_Canvas` writes one PDF file holding a sequence of *items* (an article, a contents page, another
article's last page …); `begin(spec)` starts each item on a new page with that item's running header,
and page numbers in the footer count across the whole file, as in a downloaded journal issue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 70.0, 64.0
GUTTER = 18.0
# font roles → font names; "standard" uses the 14 base fonts (Latin-1 only, as many journals' fonts),
# "dejavu" embeds DejaVu TrueType fonts for text with Greek letters and math signs (real articles)
FONT_SETS = {
    "standard": {
        "body": "Times-Roman",
        "bold": "Times-Bold",
        "head": "Helvetica-Bold",
        "plain": "Helvetica",
        "italic": "Times-Italic",
    },
    "dejavu": {
        "body": "DejaVuSerif",
        "bold": "DejaVuSerif-Bold",
        "head": "DejaVuSans-Bold",
        "plain": "DejaVuSans",
        "italic": "DejaVuSerif-Italic",
    },
}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
BODY_SIZE, LEADING = 9.5, 12.0
SCRIPT_SCALE, SUP_RISE, SUB_DROP = 0.62, 3.6, 1.8

_TOKEN = re.compile(r"\^\{([^}]*)\}|_\{([^}]*)\}|\*\*|\{-\}|\{/\}|\s+|[^\s^_*{]+|[\^_*{]")
SIGNS = re.compile(r"^[+\-−±]+$")


@dataclass
class Piece:
    text: str
    style: str  # normal | bold | sup | sub


@dataclass
class Word:
    pieces: list[Piece] = field(default_factory=list)
    break_after: str = ""  # "" | "hyphen" | "plain"

    @property
    def expected(self) -> str:
        return "".join(expected_piece(p) for p in self.pieces)


def expected_piece(piece: Piece) -> str:
    if piece.style == "sup":
        return piece.text if SIGNS.match(piece.text) or piece.text.startswith("[") else "^" + piece.text
    return piece.text


def parse_markup(text: str) -> list[Word]:
    """Split marked-up text into words; each word is a list of styled pieces."""
    words: list[Word] = [Word()]
    bold = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        current = words[-1]
        if match.group(1) is not None:
            current.pieces.append(Piece(match.group(1), "sup"))
        elif match.group(2) is not None:
            current.pieces.append(Piece(match.group(2), "sub"))
        elif token == "**":
            bold = not bold
        elif token in ("{-}", "{/}"):
            current.break_after = "hyphen" if token == "{-}" else "plain"
            words.append(Word())
        elif token.isspace():
            if current.pieces:
                words.append(Word())
        else:
            current.pieces.append(Piece(token, "bold" if bold else "normal"))
    return [w for w in words if w.pieces]


def expected_text(text: str) -> str:
    """The text an ideal extractor returns for a marked-up paragraph."""
    out: list[str] = []
    for word in parse_markup(text):
        out.append(word.expected)
        out.append("" if word.break_after else " ")
    return "".join(out).strip()


class _Blank:
    """Stands in for the PDF canvas on the pages of an item that are not printed (the pages before
    another article's last page): the flow still runs, so the printed page breaks where it would."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class _Canvas:
    """A reportlab canvas plus the cursor of a two-column flow."""

    def __init__(self, path: Path, spec: dict):
        from reportlab.pdfgen import canvas  # test/dev dependency

        # invariant=1 drops timestamps and IDs so the same spec always gives the same bytes
        self.file = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
        self.file.setTitle(spec.get("title", ""))
        self.pdf = self.file
        self.page = 0  # the number printed in the footer of the last page begun in the file
        self.page_open = False
        self.inset = (0.0, 0.0)  # extra left and right margins, for hanging indents and insets

    def begin(self, spec: dict, keep: set[int] | None = None) -> None:
        """Start an item on a new page; print only its pages numbered in `keep` (None: all)."""
        self.spec = spec
        self.fonts = _font_set(spec.get("fonts", "standard"))
        self.hyphenator = _hyphenator() if spec.get("hyphenate") else None
        self.keep = keep
        self.item_page = 0
        self.full_width = True
        self.new_page()

    # page furniture -------------------------------------------------------------------------
    def new_page(self) -> None:
        self.item_page += 1
        if self.keep is None or self.item_page in self.keep:
            if self.page_open:
                self.file.showPage()
            self.page += 1
            self.page_open = True
            self.pdf = self.file
        else:
            self.pdf = _Blank()
        self.column = 0
        self.y = PAGE_HEIGHT - MARGIN_TOP
        self.top_of_columns = self.y
        header = self.spec.get("running_header", ["", ""])
        pdf = self.pdf
        pdf.setFont(self.fonts["plain"], 7.5)
        if header[0]:
            pdf.drawString(MARGIN_X, PAGE_HEIGHT - 40, header[0])
        if header[1]:
            pdf.drawRightString(PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 40, header[1])
        if self.spec.get("header_rule", True):
            pdf.setLineWidth(0.4)
            pdf.line(MARGIN_X, PAGE_HEIGHT - 45, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 45)
        footer = self.spec.get("running_footer", "")
        if footer:
            pdf.drawString(MARGIN_X, 36, footer)
        pdf.drawRightString(PAGE_WIDTH - MARGIN_X, 36, str(self.page))
        if self.item_page == 1 and self.spec.get("doi"):
            pdf.drawString(MARGIN_X, 26, "DOI: " + self.spec["doi"])

    @property
    def x0(self) -> float:
        if self.full_width:
            return MARGIN_X + self.inset[0]
        return MARGIN_X + self.column * (self.column_width + GUTTER) + self.inset[0]

    @property
    def width(self) -> float:
        return (PAGE_WIDTH - 2 * MARGIN_X if self.full_width else self.column_width) - sum(self.inset)

    @property
    def column_width(self) -> float:
        return (PAGE_WIDTH - 2 * MARGIN_X - GUTTER) / 2

    def start_columns(self) -> None:
        self.full_width = False
        self.top_of_columns = self.y

    def ensure(self, height: float) -> None:
        """Move to the next column or page when `height` does not fit."""
        if self.y - height >= MARGIN_BOTTOM:
            return
        if not self.full_width and self.column == 0:
            self.column = 1
            self.y = self.top_of_columns
        else:
            self.new_page()

    # text -------------------------------------------------------------------------------------
    def font_for(self, piece: Piece, role: str, size: float) -> tuple[str, float]:
        if piece.style == "bold":
            return self.fonts["bold" if role == "body" else role], size
        if piece.style in ("sup", "sub"):
            return self.fonts[role], size * SCRIPT_SCALE
        return self.fonts[role], size

    def printable(self, text: str) -> str:
        # the standard PDF fonts have the micro sign but not Greek mu, as many journals' fonts
        return text.replace("μ", "µ") if self.fonts is FONT_SETS["standard"] else text

    def word_width(self, pieces: Iterable[Piece], font: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return sum(stringWidth(self.printable(p.text), *self.font_for(p, font, size)) for p in pieces)

    def draw_pieces(self, pieces: Iterable[Piece], x: float, y: float, font: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        for piece in pieces:
            name, piece_size = self.font_for(piece, font, size)
            rise = SUP_RISE if piece.style == "sup" else -SUB_DROP if piece.style == "sub" else 0.0
            self.pdf.setFont(name, piece_size)
            text = self.printable(piece.text)
            self.pdf.drawString(x, y + rise * size / BODY_SIZE, text)
            x += stringWidth(text, name, piece_size)
        return x

    def paragraph(
        self,
        text: str,
        font: str = "body",
        size: float = BODY_SIZE,
        leading: float = LEADING,
        indent: float = 0.0,
        justify: bool = True,
        space_before: float = 0.0,
    ) -> None:
        words = [piece for word in parse_markup(text) for piece in self.cut_overlong(word, font, size)]
        if not words:
            return
        self.y -= space_before
        space = self.word_width([Piece(" ", "normal")], font, size)
        line: list[tuple[list[Piece], float]] = []
        line_indent = indent

        def flush(last: bool) -> None:
            nonlocal line, line_indent
            self.ensure(leading)
            self.y -= leading
            natural = sum(w for _, w in line) + space * (len(line) - 1)
            gaps = len(line) - 1
            extra = 0.0 if last or not justify or gaps == 0 else (self.width - line_indent - natural) / gaps
            x = self.x0 + line_indent
            for pieces, width in line:
                self.draw_pieces(pieces, x, self.y, font, size)
                x += width + space + extra
            line, line_indent = [], 0.0

        for word in words:
            pieces = list(word.pieces)
            if word.break_after == "hyphen":
                pieces = pieces + [Piece("-", "normal")]
            width = self.word_width(pieces, font, size)
            used = sum(w for _, w in line) + space * len(line)
            if line and line_indent + used + width > self.width:
                split = self.hyphenate(word, self.width - line_indent - used, font, size)
                if split:
                    head, pieces = split
                    line.append((head, self.word_width(head, font, size)))
                    width = self.word_width(pieces, font, size)
                flush(last=False)
            line.append((pieces, width))
            if word.break_after:
                flush(last=True)  # a forced break leaves the line ragged, as a typesetter's would
        if line:
            flush(last=True)

    def cut_overlong(self, word: Word, font: str, size: float) -> list[Word]:
        """A word wider than the line (a URL, a web page's glued menu) is cut where the line ends,
        with no hyphen, as typesetters do; the cut shows in the extracted text as a space."""
        if len(word.pieces) != 1 or self.word_width(word.pieces, font, size) <= self.width * 0.95:
            return [word]
        text, style, parts = word.pieces[0].text, word.pieces[0].style, []
        while text:
            end = len(text)
            while end > 1 and self.word_width([Piece(text[:end], style)], font, size) > self.width * 0.9:
                end -= 1
            parts.append(Word([Piece(text[:end], style)]))
            text = text[end:]
        parts[-1].break_after = word.break_after
        return parts

    def hyphenate(self, word: Word, room: float, font: str, size: float) -> tuple[list[Piece], list[Piece]] | None:
        """Break a plain word at the longest dictionary hyphenation point whose first part (plus its
        hyphen) fits in `room`, as justified journal text does → (first part, rest)."""
        if self.hyphenator is None or word.break_after or len(word.pieces) != 1 or word.pieces[0].style != "normal":
            return None
        match = re.fullmatch(r"([A-Za-z]{6,})([,.;:)]*)", word.pieces[0].text)
        if not match:
            return None
        for left, right in self.hyphenator.iterate(match.group(1)):
            if len(left) >= 3 and len(right) >= 3:
                head = [Piece(left + "-", "normal")]
                if self.word_width(head, font, size) <= room:
                    return head, [Piece(right + match.group(2), "normal")]
        return None

    def table(self, table: dict) -> None:
        rows = table["rows"]
        caption = table.get("caption")
        row_height = 13.0
        height = row_height * len(rows) + (2 * LEADING if caption else 0) + 8
        self.ensure(height)
        if caption:
            self.paragraph(caption, font="head", size=8, leading=10.5, justify=False, space_before=6)
        self.y -= 4
        widths = table.get("widths") or [1 / len(rows[0])] * len(rows[0])
        xs = [self.x0]
        for share in widths:
            xs.append(xs[-1] + share * self.width)
        top = self.y
        pdf = self.pdf
        pdf.setLineWidth(0.5)
        for i in range(len(rows) + 1):
            pdf.line(xs[0], top - i * row_height, xs[-1], top - i * row_height)
        for x in xs:
            pdf.line(x, top, x, top - len(rows) * row_height)
        for r, row in enumerate(rows):
            baseline = top - (r + 1) * row_height + 3.8
            for c, cell in enumerate(row):
                font = "head" if r == 0 else "body"
                x = xs[c] + 3
                for word in parse_markup(cell):
                    x = self.draw_pieces(word.pieces, x, baseline, font, 8) + 2.0
        self.y = top - len(rows) * row_height - 6

    def figure(self, caption: str, height: float = 90.0) -> None:
        self.ensure(height + 3 * LEADING)
        self.y -= 6
        self.pdf.setFillGray(0.85)
        self.pdf.rect(self.x0, self.y - height, self.width, height, stroke=0, fill=1)
        self.pdf.setFillGray(0)
        self.y -= height
        self.paragraph(caption, font="body", size=8, leading=10, justify=False, space_before=2)
        self.y -= 4

    def save(self) -> None:
        self.file.showPage()
        self.file.save()


def _font_set(name: str) -> dict[str, str]:
    fonts = FONT_SETS[name]
    if name == "dejavu":
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for font in fonts.values():
            if font not in pdfmetrics.getRegisteredFontNames():
                file = DEJAVU_DIR / f"{font}.ttf"
                if not file.exists():
                    raise FileNotFoundError(f"{file} is missing: install Debian's fonts-dejavu-core")
                pdfmetrics.registerFont(TTFont(font, str(file)))
    return fonts


@cache
def _hyphenator():
    import pyphen  # test/dev dependency, as reportlab

    return pyphen.Pyphen(lang="en_US")
