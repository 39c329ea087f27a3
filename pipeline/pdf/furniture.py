"""Page furniture: running headers, footers and page numbers, which are never part of the article.

They are found as text that recurs at the same place on several pages, plus, in the margins only,
DOI/copyright/page-number lines and banners set smaller than the body text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from ..lexicons import resource_json
from .settings import PdfSettings
from .words import Page, Row


@lru_cache(maxsize=1)
def _furniture_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in resource_json("furniture.json")["margin_line_patterns"])


def _signature(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def find_furniture(
    pages: list[Page], page_rows: list[list[Row]], settings: PdfSettings, body_size: float = 0.0
) -> set[int]:
    """ids of words that are running headers, footers or page numbers.

    A margin line is furniture when the same text (digits ignored, so page numbers match)
    stands at the same height on at least two pages, when it looks like a page number, DOI,
    licence or copyright line, or when it is set smaller than the body text (how journals set
    their banners, which a one-page document gives no chance to see repeated). `page_rows`: each
    page's `cluster_rows`. Furniture is always whole rows.
    """
    tolerance = settings.furniture_tolerance
    margin_rows = _margin_rows(pages, page_rows, settings)
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for page, row, sig in margin_rows:
        seen[sig].append((page.number, row.top))
    furniture: set[int] = set()
    for page, row, sig in margin_rows:
        repeated = any(other != page.number and abs(top - row.top) <= tolerance for other, top in seen[sig])
        small = bool(body_size) and row.size <= settings.furniture_size_ratio * body_size
        if repeated or small or any(p.search(row.text) for p in _furniture_patterns()):
            furniture.update(id(w) for w in row.words)
    return furniture


def _margin_rows(pages: list[Page], page_rows: list[list[Row]], settings: PdfSettings) -> list[tuple[Page, Row, str]]:
    """Rows standing in the top or bottom `margin_band` (share of the page height), with their signature."""
    band = settings.margin_band
    margin_rows: list[tuple[Page, Row, str]] = []
    for page, rows in zip(pages, page_rows):
        for row in rows:
            if row.bottom <= band * page.height or row.top >= (1 - band) * page.height:
                margin_rows.append((page, row, _signature(row.text)))
    return margin_rows
