"""What the layout code works on: words made from a source's characters, the printed lines they
form, and a page's words and tables."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from .chars import Char
from .settings import PdfSettings

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.I)


@dataclass
class Word:
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    chars: list[Char]
    page: int

    @cached_property  # read many times per word (rows, furniture, rendering); its chars never change
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """Words printed on one line of the page (before columns are told apart)."""

    words: list[Word]
    # words set smaller than this share of the row's size are super/subscripts, not its main text
    # (`PdfSettings.script_size_ratio`)
    script_ratio: float

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
        threshold = self.size * self.script_ratio
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


# --- characters → words --------------------------------------------------------------------------


def words_from_chars(chars: Sequence[Char], page: int, settings: PdfSettings) -> list[Word]:
    """The page's words: runs of upright characters in one font and size, split at gaps wider than
    `x_tolerance_ratio` of the font size (pdfplumber's word splitting, on any source's chars).

    Rotated text in the margins (arXiv stamps, "Downloaded from …") is never body text."""
    from pdfplumber.utils.text import WordExtractor

    extractor = WordExtractor(
        x_tolerance=1.0,
        x_tolerance_ratio=settings.x_tolerance_ratio,
        y_tolerance=settings.y_tolerance,
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["size", "fontname"],
    )
    upright = [c for c in chars if c["upright"]]
    words = []
    # what pdfplumber's extract_words does, minus its word dicts (which need pdfplumber-only keys)
    for _, run in itertools.groupby(upright, itemgetter("upright", "size", "fontname")):
        for line, direction in extractor.iter_chars_to_lines(run):
            for word_chars in extractor.iter_chars_to_words(line, direction):
                word = _word(word_chars, page)
                if word.text.strip():
                    words.append(word)
    return words


def _word(chars: list[Char], page: int) -> Word:
    first = chars[0]
    x0, x1, top, bottom = first["x0"], first["x1"], first["top"], first["bottom"]
    for c in chars:  # one pass, not four: this runs for every word of every page
        x0, x1 = min(x0, c["x0"]), max(x1, c["x1"])
        top, bottom = min(top, c["top"]), max(bottom, c["bottom"])
    return Word(x0, x1, top, bottom, float(first["size"]), is_bold(first), chars, page)


def is_bold(char: Char) -> bool:
    """Set in a bold face: by the weight where the source knows it, else by the font's name."""
    return char.get("weight", 0) >= 600 or bool(BOLD_FONT.search(char["fontname"]))
