"""What the layout code works on: words, the printed lines they form, and a page's words and tables."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.I)


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
