"""Printed lines → paragraphs → `Block`s.

Lines are grouped into paragraphs (gaps, indents, font changes, captions), and paragraphs broken
by a column or page turn are rejoined.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..structures import CAPTION_START, Block, TextMap, TextMapBuilder
from .layout import Item
from .scripts import join_texts, render_row
from .settings import PdfSettings
from .tables import cell_texts
from .words import Page, PageTable, Row

TERMINAL = re.compile(r"[.!?:;]['\")\]]*$")


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


def page_lines(page: Page, items: list[Item], region_base: int, settings: PdfSettings) -> list[Line]:
    lines: list[Line] = []
    for item in items:
        region = region_base + item.region
        if item.table is not None:
            lines.append(_table_line(item.table, page.number, item.side, region, settings))
            continue
        row = Row(sorted(item.line_words or [], key=lambda w: w.x0), settings.script_size_ratio)
        text, lead_bold = render_row(row, settings)
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


def _table_line(table: PageTable, page: int, side: str, region: int, settings: PdfSettings) -> Line:
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
        table=cell_texts(table, settings),
    )


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


def group_blocks(lines: list[Line], body_size: float, settings: PdfSettings) -> list[Draft]:
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
        if previous is None or _starts_block(previous, line, usual_gap, column_left, column_right, settings):
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
    prev: Line, line: Line, usual_gap: float, column_left: dict, column_right: dict, settings: PdfSettings
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
    indent = settings.indent_ratio * line.size
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


# --- blocks ------------------------------------------------------------------------------------


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


def to_block(draft: Draft, vocab: Counter[str]) -> Block:
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
