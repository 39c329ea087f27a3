"""Tables drawn with ruling lines: found by pdfplumber's table finder (through the page's source),
filled with the page's words.

Most journals draw at least the rows of a table; a frame around a figure or a boxed abstract is
told apart by having too few rows or columns.
"""

from __future__ import annotations

from ..structures import TextMap, TextMapBuilder
from .chars import SourcePage
from .layout import cluster_rows
from .scripts import render_words
from .settings import PdfSettings
from .words import PageTable, Word


def find_tables(page: SourcePage, words: list[Word], settings: PdfSettings) -> list[PageTable]:
    """The page's tables, each cell holding the words printed in it."""
    found = []
    for grid in page.table_grids(settings.table_settings):
        rows = grid.rows
        if len(rows) < settings.min_table_rows or max(len(r) for r in rows) < settings.min_table_columns:
            continue  # a frame around a figure or a boxed abstract, not a table
        cells = [[[w for w in words if cell and inside(w, cell)] for cell in row] for row in rows]
        if not any(cell for row in cells for cell in row):
            continue
        found.append(PageTable(grid.bbox, cells))
    return found


def inside(word: Word, bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, word.middle
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def cell_texts(table: PageTable, settings: PdfSettings) -> list[list[TextMap]]:
    """The table's text, row by row and cell by cell."""
    return [[_cell_text(cell, settings) for cell in row] for row in table.cells]


def _cell_text(words: list[Word], settings: PdfSettings) -> TextMap:
    builder = TextMapBuilder()
    for i, row in enumerate(cluster_rows(words, settings)):
        if i:
            builder.append(" ", builder.last_box())
        builder.extend(render_words(row.words, settings)[0])
    return builder.build()
