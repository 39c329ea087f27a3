"""PDF stage: a journal article PDF → `Layout` (blocks in reading order, each char mapped to its page).

pdfplumber gives the geometry (chars, words, ruling lines, tables). What no library does for
journal case reports, and is therefore written here, is the reading of the page the way a person
reads it:

1. running headers, footers and page numbers are found as text that recurs at the same place on
   several pages (plus, in the margins only, DOI/copyright/page-number lines of the first page);
2. a column gutter is found per page, so full-width rows (title, abstract, wide tables) and
   two-column regions can alternate down the page; each region is read left column first;
3. raised and lowered small text is written as `^9` / `+` / plain subscripts, so that `10⁹`
   never becomes `109`;
4. lines are grouped into paragraphs (gaps, indents, font changes, captions), paragraphs broken
   by a column or page turn are rejoined, and line-end hyphens are removed only when the word
   was split by the typesetter (`immuno-globulin`), not when the hyphen is the word's own
   (`anti-MDA5`, `follow-up`).
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .lexicons import resource_json, word_list
from .normalize import clean_char, superscript
from .structures import CAPTION_START, Block, Box, InputError, Layout, TextMap, TextMapBuilder

DEFAULT_SETTINGS: dict[str, Any] = {
    # words: split where the gap exceeds this share of the font size (pdfplumber's fixed 3 pt
    # glues words in tightly set 8–9 pt text)
    "x_tolerance_ratio": 0.15,
    "y_tolerance": 2.0,
    # page furniture
    "margin_band": 0.08,  # share of the page height, top and bottom, where furniture may stand
    "furniture_tolerance": 4.0,  # points a repeated line may move between pages
    "furniture_size_ratio": 0.85,  # margin lines this much smaller than body text are furniture
    # columns
    "gutter_search": (0.3, 0.7),  # where on the page (share of width) a gutter may be
    "gutter_min_gap": 6.0,  # points of white space that separate two columns
    "min_column_rows": 3,
    # super/subscripts: smaller than this share of the line's font and off its middle
    "script_size_ratio": 0.85,
    "script_shift_ratio": 0.12,
    # paragraphs
    "space_ratio": 0.12,  # a gap wider than this share of the font size is a space
    "indent_ratio": 0.6,  # an indent of this many ems starts a paragraph
    # pdfplumber's table finder; tables need ruling lines (most journals draw at least rows)
    "table_settings": {"vertical_strategy": "lines", "horizontal_strategy": "lines"},
    "min_table_rows": 2,
    "min_table_columns": 2,
}

TERMINAL = re.compile(r"[.!?:;]['\")\]]*$")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.I)
HYPHENS = ("-", "\u2010", "\u00ad")
LEFT, RIGHT, FULL = "L", "R", "F"


def read_pdf(path: str | Path, settings: dict[str, Any] | None = None) -> Layout:
    """Read a PDF into a `Layout`; raise `InputError` with a reason a person understands."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    cfg = {**DEFAULT_SETTINGS, **(settings or {})}
    path = Path(path)
    check_pdf_header(path)
    try:
        with pdfplumber.open(path) as pdf:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise InputError("PDF has no pages")
            if cfg.get("max_pages") and n_pages > cfg["max_pages"]:
                raise InputError(f"too many pages ({n_pages}; limit --max-pages {cfg['max_pages']})")
            pages = [_read_page(page, number, cfg) for number, page in enumerate(pdf.pages, start=1)]
    except InputError:
        raise
    except PdfminerException as exc:
        raise InputError(_explain_pdfminer(exc.args[0] if exc.args else exc)) from exc
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise InputError(_explain_pdfminer(exc)) from exc
    if not any(p.words for p in pages):
        raise InputError("no text layer (scanned?)")
    return assemble_layout(str(path), pages, cfg)


def check_pdf_header(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise InputError("not a PDF")


def _explain_pdfminer(exc: BaseException) -> str:
    name = type(exc).__name__
    if "Password" in name or "Encryption" in name:
        return "encrypted PDF (needs a password)"
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else name
    return f"damaged PDF ({detail})"


# --- per page --------------------------------------------------------------------------------


@dataclass
class Word:
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    chars: list[dict]
    page: int

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """Words printed on one line of the page (before columns are told apart)."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.main_words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.main_words)

    # cached: read only once a row is complete (after clustering)
    @cached_property
    def size(self) -> float:
        sizes: Counter[float] = Counter()
        for w in self.words:
            sizes[round(w.size, 1)] += len(w.chars)
        return sizes.most_common(1)[0][0]

    @cached_property
    def main_words(self) -> list[Word]:
        threshold = self.size * 0.85
        return [w for w in self.words if w.size >= threshold] or self.words

    @property
    def text(self) -> str:
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.x0))


@dataclass
class PageTable:
    bbox: tuple[float, float, float, float]
    cells: list[list[list[Word]]]  # rows → cells → words


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]
    tables: list[PageTable] = field(default_factory=list)


def _read_page(page: Any, number: int, cfg: dict[str, Any]) -> Page:
    # rotated text in the margins (arXiv stamps, "Downloaded from …") is never body text
    upright = page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("upright", True))
    raw = upright.extract_words(
        x_tolerance=1.0,
        x_tolerance_ratio=cfg["x_tolerance_ratio"],
        y_tolerance=cfg["y_tolerance"],
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["size", "fontname"],
        return_chars=True,
    )
    words = [
        Word(
            w["x0"],
            w["x1"],
            w["top"],
            w["bottom"],
            float(w["size"]),
            bool(BOLD_FONT.search(w["fontname"])),
            w["chars"],
            number,
        )
        for w in raw
        if w["text"].strip()
    ]
    tables = _find_tables(upright, words, cfg)
    if tables:  # a table's words are in its cells, not in the running text
        words = [w for w in words if not any(_inside(w, t.bbox) for t in tables)]
    return Page(number, float(page.width), float(page.height), words, tables)


def _inside(word: Word, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, word.middle
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _find_tables(page: Any, words: list[Word], cfg: dict[str, Any]) -> list[PageTable]:
    found = []
    for table in page.find_tables(cfg["table_settings"]):
        rows = [row.cells for row in table.rows]
        if len(rows) < cfg["min_table_rows"] or max(len(r) for r in rows) < cfg["min_table_columns"]:
            continue  # a frame around a figure or a boxed abstract, not a table
        cells = [[[w for w in words if cell and _inside(w, cell)] for cell in row] for row in rows]
        if not any(cell for row in cells for cell in row):
            continue
        found.append(PageTable(tuple(table.bbox), cells))
    return found


# --- rows, furniture, columns --------------------------------------------------------------------


def cluster_rows(words: list[Word], script_ratio: float = 0.85) -> list[Row]:
    """Group words into printed lines.

    Super/subscripts are set aside first and then attached to the line of the word they touch:
    a raised `⁹` overlaps the line above it nearly as much as its own, and in two-column pages
    the neighbouring column's line can sit at exactly that height.
    """
    by_top = sorted(words, key=lambda w: (w.top, w.x0))
    scripts = _script_hosts(by_top, script_ratio)
    rows: list[Row] = []
    anchors: list[tuple[float, float]] = []  # top, bottom of each row's first word
    row_of: dict[int, Row] = {}
    for word in by_top:
        if id(word) in scripts:
            continue
        for i in range(len(rows) - 1, max(len(rows) - 4, -1), -1):
            top, bottom = anchors[i]
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= 0.5 * min(bottom - top, word.bottom - word.top):
                rows[i].words.append(word)
                row_of[id(word)] = rows[i]
                break
        else:
            rows.append(Row([word]))
            anchors.append((word.top, word.bottom))
            row_of[id(word)] = rows[-1]
    for word in by_top:
        host = scripts.get(id(word))
        if host is not None:
            row = row_of.get(id(host))
            if row is None:
                row = Row([])
                rows.append(row)
            row.words.append(word)
            row_of[id(word)] = row
    for row in rows:
        row.words.sort(key=lambda w: w.x0)
    rows.sort(key=lambda r: r.top)
    return rows


def _script_hosts(by_top: list[Word], script_ratio: float) -> dict[int, Word]:
    """Small words that touch a larger word on their left or right: id(script) → that word."""
    hosts: dict[int, Word] = {}
    tops = [w.top for w in by_top]
    for word in by_top:
        lo = bisect.bisect_left(tops, word.top - 2 * word.size)
        hi = bisect.bisect_right(tops, word.top + 2 * word.size)
        best = None
        for other in by_top[lo:hi]:
            if other is word or other.size * script_ratio <= word.size or id(other) in hosts:
                continue
            if min(other.bottom, word.bottom) <= max(other.top, word.top):
                continue  # no vertical overlap
            touching = -1.0 <= word.x0 - other.x1 <= 1.5 or -1.0 <= other.x0 - word.x1 <= 1.5
            if touching:
                best = other
                break
        if best is not None:
            hosts[id(word)] = best
    return hosts


@lru_cache(maxsize=1)
def _furniture_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in resource_json("furniture.json")["margin_line_patterns"])


def _signature(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def find_furniture(pages: list[Page], cfg: dict[str, Any], body_size: float = 0.0) -> set[int]:
    """ids of words that are running headers, footers or page numbers.

    A margin line is furniture when the same text (digits ignored, so page numbers match)
    stands at the same height on at least two pages, when it looks like a page number, DOI,
    licence or copyright line, or when it is set smaller than the body text (how journals set
    their banners, which a one-page document gives no chance to see repeated).
    """
    band = cfg["margin_band"]
    tolerance = cfg["furniture_tolerance"]
    margin_rows: list[tuple[Page, Row, str]] = []
    for page in pages:
        for row in cluster_rows(page.words):
            if row.bottom <= band * page.height or row.top >= (1 - band) * page.height:
                margin_rows.append((page, row, _signature(row.text)))
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for page, row, sig in margin_rows:
        seen[sig].append((page.number, row.top))
    furniture: set[int] = set()
    for page, row, sig in margin_rows:
        repeated = any(other != page.number and abs(top - row.top) <= tolerance for other, top in seen[sig])
        small = bool(body_size) and row.size <= cfg["furniture_size_ratio"] * body_size
        if repeated or small or any(p.search(row.text) for p in _furniture_patterns()):
            furniture.update(id(w) for w in row.words)
    return furniture


def find_gutter(rows: list[Row], tables: list[PageTable], width: float, cfg: dict[str, Any]) -> float | None:
    """x of the white strip between two columns, or None for a one-column page."""
    words = [w for r in rows for w in r.words]
    if len(words) < 10:
        return None
    lo, hi = cfg["gutter_search"]
    xs = np.arange(lo * width, hi * width, 1.0)
    x0 = np.array([w.x0 for w in words] + [t.bbox[0] for t in tables])
    x1 = np.array([w.x1 for w in words] + [t.bbox[2] for t in tables])
    crossing = ((x0[:, None] < xs) & (x1[:, None] > xs)).sum(axis=0)
    best = crossing.min()
    candidates = np.flatnonzero(crossing == best)
    # the longest run of least-crossed x positions is the gutter's middle
    runs = np.split(candidates, np.flatnonzero(np.diff(candidates) > 1) + 1)
    run = max(runs, key=len)
    gutter = float(xs[run[len(run) // 2]])
    left = right = 0
    for row in rows:
        parts = split_row(row, gutter, cfg)
        if parts is None:
            continue
        left += bool(parts[0])
        right += bool(parts[1])
    need = max(cfg["min_column_rows"], 0.15 * len(rows))
    return gutter if left >= need and right >= need else None


def split_row(row: Row, gutter: float, cfg: dict[str, Any]) -> tuple[list[Word], list[Word]] | None:
    """(left words, right words) of a row, or None when the row runs across the gutter."""
    left = [w for w in row.words if w.x1 <= gutter]
    right = [w for w in row.words if w.x0 >= gutter]
    if len(left) + len(right) < len(row.words):
        return None  # a word straddles the gutter
    if left and right and right[0].x0 - left[-1].x1 < cfg["gutter_min_gap"]:
        return None  # an ordinary word space that happens to fall on the gutter
    return left, right


# --- lines in reading order --------------------------------------------------------------------


@dataclass
class Line:
    text: TextMap
    page: int
    side: str
    region: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    lead_bold: int
    column_first: bool = False
    column_last: bool = False
    table: list[list[TextMap]] | None = None  # set for a table placed among the lines


@dataclass
class Item:
    """A line or a table placed on the page, before ordering."""

    top: float
    side: str
    line_words: list[Word] | None = None
    table: PageTable | None = None
    region: int = 0  # runs of full-width rows and two-column stretches, numbered down the page


def order_page(page: Page, furniture: set[int], cfg: dict[str, Any]) -> list[Item]:
    """The page's lines and tables in reading order: full-width rows in place, two-column
    regions left column first."""
    rows = cluster_rows([w for w in page.words if id(w) not in furniture])
    gutter = find_gutter(rows, page.tables, page.width, cfg)
    items: list[Item] = []
    previous_full: Row | None = None
    for row in rows:
        parts = split_row(row, gutter, cfg) if gutter is not None else None
        if parts is not None and not parts[1] and _ends_full_width_paragraph(previous_full, row):
            parts = None
        if parts is None:
            items.append(Item(row.top, FULL, line_words=row.words))
            previous_full = row
        else:
            previous_full = None
            items.extend(Item(row.top, side, line_words=words) for side, words in zip((LEFT, RIGHT), parts) if words)
    for table in page.tables:
        x0, top, x1, _ = table.bbox
        side = FULL if gutter is None or (x0 < gutter < x1) else (LEFT if x1 <= gutter else RIGHT)
        items.append(Item(top, side, table=table))
    items.sort(key=lambda it: it.top)
    ordered: list[Item] = []
    columns: list[Item] = []
    region = 0
    for item in items + [Item(float("inf"), FULL)]:
        if item.side == FULL:
            if columns:
                region += 1
                for column_item in sorted(columns, key=lambda it: (it.side != LEFT, it.top)):
                    column_item.region = region
                    ordered.append(column_item)
                columns = []
                region += 1
            if item.top != float("inf"):
                item.region = region
                ordered.append(item)
        else:
            columns.append(item)
    return ordered


def _ends_full_width_paragraph(previous: Row | None, row: Row) -> bool:
    """A short last line of a full-width paragraph (title, abstract) never reaches the gutter;
    it belongs with the full-width line right above it, not with the left column."""
    if previous is None:
        return False
    return (
        abs(previous.size - row.size) < 0.3
        and abs(previous.x0 - row.x0) < 2.0
        and row.top - previous.bottom < 0.6 * row.size
    )


def render_words(words: list[Word], cfg: dict[str, Any]) -> tuple[TextMap, int]:
    """Text of one printed line, with super/subscripts marked; and the length of a leading bold run."""
    row = Row(sorted(words, key=lambda w: w.x0))
    size = row.size
    main = row.main_words
    middle = statistics.median(w.middle for w in main)
    builder = TextMapBuilder()
    previous: Word | None = None
    lead_bold, in_lead = 0, True
    for word in row.words:
        role = "main"
        if word.size < cfg["script_size_ratio"] * size:
            shift = word.middle - middle
            if shift < -cfg["script_shift_ratio"] * size:
                role = "sup"
            elif shift > cfg["script_shift_ratio"] * size:
                role = "sub"
        if previous is not None and word.x0 - previous.x1 > cfg["space_ratio"] * size:
            builder.append(" ", builder.last_box())
        boxes = [Box(word.page, c["x0"], c["top"], c["x1"], c["bottom"]) for c in word.chars]
        if role == "sup":
            text = "".join(clean_char(c["text"]) for c in word.chars)
            marked = superscript(text)
            builder.append(marked[: len(marked) - len(text)], boxes[0])  # the `^` marker, if any
        for char, box in zip(word.chars, boxes):
            builder.append(clean_char(char["text"]), box)
        if in_lead and role == "main":
            if word.bold:
                lead_bold = len(builder)
            else:
                in_lead = False
        previous = word
    mapped = builder.build()
    if in_lead:
        lead_bold = 0  # the whole line is bold: a heading, not a run-in label
    return mapped, lead_bold


def page_lines(page: Page, items: list[Item], region_base: int, cfg: dict[str, Any]) -> list[Line]:
    lines: list[Line] = []
    for item in items:
        region = region_base + item.region
        if item.table is not None:
            lines.append(_table_line(item.table, page.number, item.side, region, cfg))
            continue
        words = item.line_words or []
        text, lead_bold = render_words(words, cfg)
        row = Row(words)
        main = row.main_words
        lines.append(
            Line(
                text=text,
                page=page.number,
                side=item.side,
                region=region,
                x0=row.x0,
                x1=row.x1,
                top=row.top,
                bottom=row.bottom,
                size=row.size,
                bold=all(w.bold for w in main),
                lead_bold=lead_bold,
            )
        )
    _mark_column_ends(lines)
    return lines


def _table_line(table: PageTable, page: int, side: str, region: int, cfg: dict[str, Any]) -> Line:
    cells = [[_cell_text(cell, cfg) for cell in row] for row in table.cells]
    return Line(
        TextMap(""),
        page,
        side,
        region,
        table.bbox[0],
        table.bbox[2],
        table.bbox[1],
        table.bbox[3],
        0.0,
        False,
        0,
        table=cells,
    )


def _cell_text(words: list[Word], cfg: dict[str, Any]) -> TextMap:
    builder = TextMapBuilder()
    for i, row in enumerate(cluster_rows(words)):
        if i:
            builder.append(" ", builder.last_box())
        builder.extend(render_words(row.words, cfg)[0])
    return builder.build()


def _mark_column_ends(lines: list[Line]) -> None:
    groups: dict[tuple[int, str, int], list[Line]] = defaultdict(list)
    for line in lines:
        groups[(line.page, line.side, line.region)].append(line)
    for group in groups.values():
        group[0].column_first = True
        group[-1].column_last = True


# --- paragraphs --------------------------------------------------------------------------------


@dataclass
class Draft:
    lines: list[Line]
    kind: str = "text"


def group_blocks(lines: list[Line], body_size: float, cfg: dict[str, Any]) -> list[Draft]:
    """Lines → paragraph drafts, split at gaps, indents, font changes, run-in labels and captions."""
    gaps = [
        b.top - a.bottom
        for a, b in zip(lines, lines[1:])
        if _same_flow(a, b) and abs(a.size - b.size) < 0.3 and a.size and 0 <= b.top - a.bottom < a.size
    ]
    usual_gap = statistics.median(gaps) if gaps else 0.3 * body_size
    column_left: dict[tuple[int, str, int], float] = {}
    column_right: dict[tuple[int, str, int], float] = {}
    for line in lines:
        key = (line.page, line.side, line.region)
        column_left[key] = min(column_left.get(key, line.x0), line.x0)
        column_right[key] = max(column_right.get(key, line.x1), line.x1)
    drafts: list[Draft] = []
    for line in lines:
        if line.table is not None:
            drafts.append(Draft([line], "table"))
            continue
        previous = drafts[-1].lines[-1] if drafts and drafts[-1].kind != "table" else None
        if previous is None or _starts_block(previous, line, usual_gap, column_left, column_right, cfg):
            kind = "caption" if CAPTION_START.match(line.text.text) else "text"
            drafts.append(Draft([line], kind))
        else:
            drafts[-1].lines.append(line)
    for draft in drafts:
        if draft.kind == "text" and _looks_like_heading(draft, body_size):
            draft.kind = "heading"
    return drafts


def _same_flow(a: Line, b: Line) -> bool:
    return a.page == b.page and a.side == b.side and a.region == b.region


def _starts_block(
    prev: Line, line: Line, usual_gap: float, column_left: dict, column_right: dict, cfg: dict[str, Any]
) -> bool:
    if not _same_flow(prev, line):
        return True
    if abs(prev.size - line.size) > 0.5 or prev.bold != line.bold or line.lead_bold:
        return True
    if CAPTION_START.match(line.text.text):
        return True
    if line.top - prev.bottom > usual_gap + 0.25 * line.size:
        return True
    left = column_left[(line.page, line.side, line.region)]
    indent = cfg["indent_ratio"] * line.size
    if line.x0 - left > indent and prev.x0 - left <= indent:
        return True
    # a sentence that ends well short of the column's right edge ends its paragraph
    right = column_right[(line.page, line.side, line.region)]
    return right - prev.x1 > 2 * prev.size and bool(TERMINAL.search(prev.text.text))


def _looks_like_heading(draft: Draft, body_size: float) -> bool:
    text = " ".join(line.text.text for line in draft.lines)
    first = draft.lines[0]
    styled = first.bold or first.size >= body_size + 1.0
    return styled and len(draft.lines) <= 3 and len(text.split()) <= 20 and not text.rstrip().endswith(".")


# --- line joining and hyphenation --------------------------------------------------------------


WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]")


def document_vocabulary(lines: list[Line]) -> Counter[str]:
    """How often the article spells each word, leaving out the halves of words split at line ends
    (the `lights` of `high-` / `lights`), which would otherwise vouch for their own split."""
    vocab: Counter[str] = Counter()
    after_hyphen = False
    for line in lines:
        text = line.text.text
        for i, match in enumerate(WORD.finditer(text)):
            at_end = match.end() < len(text) and text[match.end() :].strip() in HYPHENS
            if not at_end and not (i == 0 and after_hyphen and match.start() == len(text) - len(text.lstrip())):
                vocab[match.group(0).lower()] += 1
        after_hyphen = text.rstrip().endswith(HYPHENS)
    return vocab


def keep_line_end_hyphen(left: str, right: str, vocab: Counter[str]) -> bool:
    """Whether `left-` at a line end followed by `right` is a real hyphen (`anti-MDA5`).

    The article's own spelling decides first (it says `immunoglobulin` or `follow-up`
    elsewhere); then bound prefixes that keep their hyphen (`anti-`), and words that begin
    compounds (`high-dose`) when the rest is a word the article uses on its own (`dose`, but not the
    `lights` of `high-lights`); otherwise the typesetter split it.
    """
    head = re.search(r"[A-Za-z]+$", left)
    tail = re.match(r"[A-Za-z]+", right)
    if not head or not tail or not right[:1].islower():
        return True
    head_s, tail_s = head.group(0).lower(), tail.group(0).lower()
    joined, hyphenated = head_s + tail_s, f"{head_s}-{tail_s}"
    if vocab[hyphenated] > vocab[joined]:
        return True
    if vocab[joined]:
        return False
    if head_s in word_list("hyphen_prefixes.txt"):
        return True
    return head_s in word_list("hyphen_word_prefixes.txt") and vocab[tail_s] > 0


def join_texts(maps: list[TextMap], vocab: Counter[str]) -> TextMap:
    """Lines → one paragraph: a space between lines, none after a line-end hyphen, which is
    dropped when the typesetter put it there."""
    builder = TextMapBuilder()
    for i, mapped in enumerate(maps):
        text = mapped.text
        following = maps[i + 1].text if i + 1 < len(maps) else None
        if following is not None and text.endswith(HYPHENS) and text[-2:-1].isalpha():
            keep = keep_line_end_hyphen(text[:-1], following, vocab)
            builder.extend(mapped, 0, len(text) if keep else len(text) - 1)
            continue
        builder.extend(mapped)
        if following:
            builder.append(" ", builder.last_box())
    return builder.build()


# --- assembly ----------------------------------------------------------------------------------


def assemble_layout(source: str, pages: list[Page], cfg: dict[str, Any]) -> Layout:
    sizes: Counter[float] = Counter()
    for page in pages:
        for w in page.words:
            sizes[round(w.size * 2) / 2] += len(w.chars)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    furniture = find_furniture(pages, cfg, body_size)
    removed = []
    lines: list[Line] = []
    for page in pages:
        removed.extend(w.text for w in page.words if id(w) in furniture)
        region_base = (lines[-1].region + 1) if lines else 0  # regions never span pages
        lines.extend(page_lines(page, order_page(page, furniture, cfg), region_base, cfg))
    vocab = document_vocabulary([line for line in lines if line.table is None])
    drafts = merge_continuations(group_blocks(lines, body_size, cfg))
    blocks = [_to_block(d, vocab) for d in drafts]
    blocks = [b for b in blocks if b.text.text.strip() or b.rows]
    return Layout(
        source_path=source,
        pages=len(pages),
        blocks=tuple(blocks),
        body_font_size=body_size,
        title=_title(blocks, body_size),
        furniture=tuple(removed),
    )


def merge_continuations(drafts: list[Draft]) -> list[Draft]:
    """Rejoin paragraphs that a column or page turn cut in two, stepping over floats
    (tables, captions) placed between the two halves."""
    out: list[Draft] = []
    for draft in drafts:
        first = draft.lines[0]
        if draft.kind == "text" and first.column_first and not first.lead_bold:
            for j in range(len(out) - 1, -1, -1):
                candidate = out[j]
                if candidate.kind in ("table", "caption"):
                    continue
                last = candidate.lines[-1]
                if (
                    candidate.kind == "text"
                    and last.column_last
                    and abs(last.size - first.size) < 0.3
                    and not TERMINAL.search(last.text.text.rstrip())
                ):
                    candidate.lines.extend(draft.lines)
                    draft = None  # type: ignore[assignment]
                break
        if draft is not None:
            out.append(draft)
    return out


def _to_block(draft: Draft, vocab: Counter[str]) -> Block:
    first = draft.lines[0]
    if draft.kind == "table":
        rows = tuple(tuple(row) for row in first.table or [])
        text = TextMapBuilder()
        for r, row in enumerate(rows):
            if r:
                text.append("\n", text.last_box())
            for c, cell in enumerate(row):
                if c:
                    text.append(" | ", text.last_box())
                text.extend(cell)
        return Block("table", text.build(), first.page, rows=rows)
    text = join_texts([line.text for line in draft.lines], vocab)
    return Block(draft.kind, text, first.page, font_size=first.size, bold=first.bold, lead_bold=first.lead_bold)


def _title(blocks: list[Block], body_size: float) -> str:
    first_page = [b for b in blocks if b.page == 1 and b.kind in ("heading", "text")]
    if not first_page:
        return ""
    biggest = max(first_page, key=lambda b: b.font_size)
    return biggest.text.text if biggest.font_size >= body_size + 1.5 else ""
