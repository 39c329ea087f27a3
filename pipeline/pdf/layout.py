"""Where each printed line stands in reading order: rows, the column gutter, and page order.

A column gutter is found per page, so full-width rows (title, abstract, wide tables) and
two-column regions can alternate down the page; each region is read left column first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scripts import script_hosts
from .settings import PdfSettings
from .words import Page, PageTable, Row, Word

LEFT, RIGHT, FULL = "L", "R", "F"


# --- rows --------------------------------------------------------------------------------------


def cluster_rows(words: list[Word], settings: PdfSettings) -> list[Row]:
    """Group words into printed lines.

    Super/subscripts are set aside first and then attached to the line of the word they touch:
    a raised `⁹` overlaps the line above it nearly as much as its own, and in two-column pages
    the neighbouring column's line can sit at exactly that height. A script is a word smaller than
    `script_size_ratio` of the word it touches.
    """
    script_ratio = settings.script_size_ratio
    by_top = sorted(words, key=lambda w: (w.top, w.x0))
    scripts = script_hosts(by_top, script_ratio)
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
            rows.append(Row([word], script_ratio))
            anchors.append((word.top, word.bottom))
            row_of[id(word)] = rows[-1]
    for word in by_top:
        host = scripts.get(id(word))
        if host is not None:
            row = row_of.get(id(host))
            if row is None:
                row = Row([], script_ratio)
                rows.append(row)
            row.words.append(word)
            row_of[id(word)] = row
    for row in rows:
        row.words.sort(key=lambda w: w.x0)
    rows.sort(key=lambda r: r.top)
    return rows


# --- columns -----------------------------------------------------------------------------------


def find_gutter(rows: list[Row], tables: list[PageTable], width: float, settings: PdfSettings) -> float | None:
    """x of the white strip between two columns, or None for a one-column page."""
    words = [w for r in rows for w in r.words]
    if len(words) < 10:
        return None
    lo, hi = settings.gutter_search
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
        parts = split_row(row, gutter, settings)
        if parts is None:
            continue
        left += bool(parts[0])
        right += bool(parts[1])
    need = max(settings.min_column_rows, 0.15 * len(rows))
    return gutter if left >= need and right >= need else None


def split_row(row: Row, gutter: float, settings: PdfSettings) -> tuple[list[Word], list[Word]] | None:
    """(left words, right words) of a row, or None when the row runs across the gutter."""
    left = [w for w in row.words if w.x1 <= gutter]
    right = [w for w in row.words if w.x0 >= gutter]
    if len(left) + len(right) < len(row.words):
        return None  # a word straddles the gutter
    if left and right and right[0].x0 - left[-1].x1 < settings.gutter_min_gap:
        return None  # an ordinary word space that happens to fall on the gutter
    return left, right


# --- reading order -----------------------------------------------------------------------------


@dataclass
class Item:
    """A line or a table placed on the page, before ordering."""

    top: float
    side: str
    line_words: list[Word] | None = None
    table: PageTable | None = None
    region: int = 0  # runs of full-width rows and two-column stretches, numbered down the page


def order_page(page: Page, rows: list[Row], furniture: set[int], settings: PdfSettings) -> list[Item]:
    """The page's lines and tables in reading order: full-width rows in place, two-column
    regions left column first. `rows`: the page's `cluster_rows`, whose furniture rows (furniture
    is whole rows) are left out. (Clustering the other words again, as this did before, costs a
    second pass per page and gives the same rows except where a small script hangs on a
    furniture word that is a script itself.)"""
    rows = [row for row in rows if id(row.words[0]) not in furniture]
    gutter = find_gutter(rows, page.tables, page.width, settings)
    items: list[Item] = []
    previous_full: Row | None = None
    for row in rows:
        parts = split_row(row, gutter, settings) if gutter is not None else None
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
    return _number_regions(items)


def _number_regions(items: list[Item]) -> list[Item]:
    """Items sorted by height → reading order, each two-column stretch read left column first;
    every stretch and every run of full-width items gets its own region number."""
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
