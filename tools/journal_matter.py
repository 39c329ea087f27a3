"""Pages of matter that real downloaded PDFs carry around an article: contents, cover, publisher.

tools/journal_pdf.py sets them from `spec["before"]` / `spec["after"]`. Page dicts, by `kind`:

    contents   {"style": "numbered" | "leaders" | "two-column", "journal": str, "issue_line": str,
                "subtitle": str (optional, e.g. "Thrice Monthly Volume 11 Number 22"),
                "groups": [{"heading": "CASE REPORT",
                            "entries": [{"page": 1288, "title": str, "authors": str}]}]}
    cover      {"journal": str, "issue_line": str,
                "blocks": [{"heading": "AIMS AND SCOPE", "text": str | [str, ...]}]}
    publisher  {"lines": [str, ...]}

Every page may also carry `running_header` ([left, right]) and `fonts`. Text takes the markup of
journal_pdf (`**bold**`, `^{x}`, `_{x}`). Each kind runs on over as many pages as it needs.
"""

from __future__ import annotations

from tools.journal_layout import MARGIN_BOTTOM, MARGIN_X, PAGE_WIDTH, Piece, _Canvas, parse_markup

CONTENTS_STYLES = ("numbered", "leaders", "two-column")


def draw_matter(doc: _Canvas, page: dict, fonts: str = "standard") -> None:
    kind = page.get("kind")
    if kind == "contents":
        style = page.get("style", "numbered")
        if style not in CONTENTS_STYLES:
            raise ValueError(f"contents style must be one of {CONTENTS_STYLES}, not {style!r}")
        header = page.get("running_header", [page.get("journal", ""), "Contents"])
        doc.begin({"running_header": header, "fonts": fonts})
        _CONTENTS[style](doc, page)
    elif kind == "cover":
        doc.begin({"running_header": page.get("running_header", ["", ""]), "fonts": fonts, "header_rule": False})
        _cover(doc, page)
    elif kind == "publisher":
        doc.begin({"running_header": page.get("running_header", ["", ""]), "fonts": fonts, "header_rule": False})
        _publisher(doc, page)
    else:
        raise ValueError(f"unknown page kind {kind!r}: contents, cover, publisher or article")


# laying out lines by hand: contents entries hang their titles beside a page number, end them with
# dot leaders or centre them, which the justified paragraph flow of _Canvas does not do
def _lines(doc: _Canvas, text: str, font: str, size: float, width: float) -> list[list[list[Piece]]]:
    space = doc.word_width([Piece(" ", "normal")], font, size)
    lines: list[list[list[Piece]]] = []
    line: list[list[Piece]] = []
    used = 0.0
    for word in parse_markup(text):
        word_width = doc.word_width(word.pieces, font, size)
        if line and used + space + word_width > width:
            lines.append(line)
            line, used = [], 0.0
        used += (space if line else 0.0) + word_width
        line.append(word.pieces)
    if line:
        lines.append(line)
    return lines


def _draw_line(doc: _Canvas, words: list[list[Piece]], x: float, y: float, font: str, size: float) -> float:
    """Draw one line of words from `x`; return where it ends."""
    space = doc.word_width([Piece(" ", "normal")], font, size)
    for pieces in words:
        x = doc.draw_pieces(pieces, x, y, font, size) + space
    return x - space


def _line_width(doc: _Canvas, words: list[list[Piece]], font: str, size: float) -> float:
    space = doc.word_width([Piece(" ", "normal")], font, size)
    return sum(doc.word_width(p, font, size) for p in words) + space * (len(words) - 1)


def _block(doc: _Canvas, text: str, font: str, size: float, leading: float, indent: float = 0.0) -> None:
    """A ragged-right block at `indent` from the flow's left edge, breaking to new pages as needed."""
    for words in _lines(doc, text, font, size, doc.width - indent):
        doc.ensure(leading)
        doc.y -= leading
        _draw_line(doc, words, doc.x0 + indent, doc.y, font, size)


def _centred(doc: _Canvas, text: str, font: str, size: float, leading: float) -> None:
    for words in _lines(doc, text, font, size, doc.width):
        doc.y -= leading
        _draw_line(doc, words, doc.x0 + (doc.width - _line_width(doc, words, font, size)) / 2, doc.y, font, size)


def _rule(doc: _Canvas, width: float = 0.5, gap: float = 4.0) -> None:
    doc.y -= gap
    doc.pdf.setLineWidth(width)
    doc.pdf.line(doc.x0, doc.y, doc.x0 + doc.width, doc.y)
    doc.y -= gap


def _right(doc: _Canvas, text: str, x: float, y: float, font: str, size: float) -> None:
    doc.pdf.setFont(doc.fonts[font], size)
    doc.pdf.drawRightString(x, y, text)


# contents styles ---------------------------------------------------------------------------------
def _numbered(doc: _Canvas, page: dict) -> None:
    """Bold caps group headings; page number in a narrow left column, the title beside it, the
    authors in italics beneath (World J Clin Cases and many others)."""
    _block(doc, page.get("journal", ""), "head", 20, 24)
    _block(doc, page.get("issue_line", ""), "italic", 10, 14)
    _rule(doc, 1.2, 5)
    doc.y -= 14
    _draw_line(doc, _lines(doc, "Contents", "head", 14, doc.width)[0], doc.x0, doc.y, "head", 14)
    if page.get("subtitle"):
        _right(doc, page["subtitle"], doc.x0 + doc.width, doc.y, "plain", 8.5)
    doc.y -= 6
    number_width = 38.0
    for group in page.get("groups", []):
        doc.ensure(48)
        doc.y -= 8
        _block(doc, group["heading"], "head", 9.5, 12)
        for entry in group.get("entries", []):
            title = _lines(doc, entry["title"], "body", 9.5, doc.width - number_width)
            authors = _lines(doc, entry.get("authors", ""), "italic", 8.5, doc.width - number_width)
            doc.ensure(11.5 * len(title) + 10.5 * len(authors) + 5)
            doc.y -= 5
            for i, words in enumerate(title):
                doc.y -= 11.5
                if i == 0:
                    _draw_line(doc, [[Piece(str(entry["page"]), "bold")]], doc.x0, doc.y, "body", 9.5)
                _draw_line(doc, words, doc.x0 + number_width, doc.y, "body", 9.5)
            for words in authors:
                doc.y -= 10.5
                _draw_line(doc, words, doc.x0 + number_width, doc.y, "italic", 8.5)


def _leaders(doc: _Canvas, page: dict) -> None:
    """Centred masthead; each title ends in dot leaders to its right-aligned page number, the
    authors beneath in smaller type (society journals, older issues)."""
    _centred(doc, page.get("journal", ""), "bold", 21, 25)
    _centred(doc, page.get("issue_line", ""), "body", 10, 14)
    if page.get("subtitle"):
        _centred(doc, page["subtitle"], "body", 9, 12)
    _rule(doc, 0.8, 6)
    _centred(doc, "CONTENTS", "head", 12, 14)
    _rule(doc, 0.8, 6)
    number_room = 44.0
    dot = ". "
    dot_width = doc.word_width([Piece(dot, "normal")], "body", 9.5)
    for group in page.get("groups", []):
        doc.ensure(46)
        doc.y -= 10
        _block(doc, group["heading"], "head", 9, 12)
        for entry in group.get("entries", []):
            title = _lines(doc, entry["title"], "body", 10, doc.width - number_room)
            authors = _lines(doc, entry.get("authors", ""), "plain", 7.5, doc.width - number_room - 12)
            doc.ensure(12.5 * len(title) + 9.5 * len(authors) + 4)
            doc.y -= 4
            for i, words in enumerate(title):
                doc.y -= 12.5
                end = _draw_line(doc, words, doc.x0, doc.y, "body", 10)
                if i == len(title) - 1:
                    right = doc.x0 + doc.width
                    number = str(entry["page"])
                    dots_end = right - doc.word_width([Piece(number, "normal")], "body", 10) - 4
                    count = int((dots_end - end - 6) / dot_width)
                    if count > 0:
                        _right(doc, (dot * count).rstrip(), dots_end, doc.y, "body", 9.5)
                    _right(doc, number, right, doc.y, "body", 10)
            for words in authors:
                doc.y -= 9.5
                _draw_line(doc, words, doc.x0 + 12, doc.y, "plain", 7.5)


def _two_column(doc: _Canvas, page: dict) -> None:
    """Masthead on a grey band, then entries in two columns: bold page number and title run on
    together, authors in italics beneath (large issues with many short entries)."""
    band_top = doc.y + 12
    doc.pdf.setFillGray(0.88)
    doc.pdf.rect(MARGIN_X, band_top - 62, PAGE_WIDTH - 2 * MARGIN_X, 62, stroke=0, fill=1)
    doc.pdf.setFillGray(0)
    doc.inset = (8.0, 8.0)
    _block(doc, page.get("journal", ""), "head", 19, 23)
    _block(doc, page.get("issue_line", ""), "plain", 9, 13)
    doc.inset = (0.0, 0.0)
    doc.y = band_top - 62 - 20
    _draw_line(doc, _lines(doc, "CONTENTS", "head", 11, doc.width)[0], doc.x0, doc.y, "head", 11)
    if page.get("subtitle"):
        _right(doc, page["subtitle"], doc.x0 + doc.width, doc.y, "plain", 8)
    _rule(doc, 0.5, 5)
    doc.start_columns()
    for group in page.get("groups", []):
        doc.ensure(40)
        doc.y -= 8
        _block(doc, group["heading"], "head", 8.5, 11)
        _rule(doc, 0.3, 2)
        for entry in group.get("entries", []):
            title = _lines(doc, f"**{entry['page']}**  {entry['title']}", "body", 8.5, doc.width)
            authors = _lines(doc, entry.get("authors", ""), "italic", 7.5, doc.width - 10)
            doc.ensure(10.5 * len(title) + 9 * len(authors) + 4)
            doc.y -= 4
            for words in title:
                doc.y -= 10.5
                _draw_line(doc, words, doc.x0, doc.y, "body", 8.5)
            for words in authors:
                doc.y -= 9
                _draw_line(doc, words, doc.x0 + 10, doc.y, "italic", 7.5)


_CONTENTS = {"numbered": _numbered, "leaders": _leaders, "two-column": _two_column}


# cover and publisher ------------------------------------------------------------------------------
def _cover(doc: _Canvas, page: dict) -> None:
    """Masthead, issue line, then headed blocks full width: about the cover, aims and scope,
    indexing, an editorial board as a long list of names with affiliations."""
    _block(doc, page.get("journal", ""), "head", 22, 27)
    _block(doc, page.get("issue_line", ""), "italic", 10.5, 15)
    _rule(doc, 1.5, 6)
    for block in page.get("blocks", []):
        doc.ensure(40)
        doc.paragraph(block["heading"], font="head", size=9, leading=12, justify=False, space_before=10)
        texts = block.get("text", "")
        for text in [texts] if isinstance(texts, str) else texts:
            doc.paragraph(text, size=8.5, leading=10.5, space_before=2)


def _publisher(doc: _Canvas, page: dict) -> None:
    """The publisher's closing page: name, address, telephone, e-mail and web address in small
    type, centred in the lower half of an otherwise empty page."""
    lines = page.get("lines", [])
    doc.y = MARGIN_BOTTOM + 150 + 12 * len(lines)
    doc.pdf.setFillGray(0.8)
    doc.pdf.rect(PAGE_WIDTH / 2 - 18, doc.y + 14, 36, 36, stroke=0, fill=1)  # where the logo goes
    doc.pdf.setFillGray(0)
    for i, line in enumerate(lines):
        first = i == 0 and "**" not in line  # the publisher's name, unless the line marks it up itself
        _centred(doc, line, "bold" if first else "body", 9 if i == 0 else 8, 12)
