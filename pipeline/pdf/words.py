"""What the layout code works on: words made from a source's characters, the printed lines they
form, and a page's words and tables."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from .chars import Char
from .settings import PdfSettings

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.I)


class cached_property:  # noqa: N801  (functools' name: it is that, less its lock)
    """`functools.cached_property` without the lock Python 3.11 takes at every first read (one
    lock per property, for all instances; 3.12 dropped it): a page's words and rows are made by the
    thousand and read by one thread."""

    def __init__(self, compute):
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


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
        sizes: dict[float, int] = {}  # characters per size; the first of the most common wins
        for w in self.words:
            key = round(w.size, 1)
            sizes[key] = sizes.get(key, 0) + len(w.chars)
        return max(sizes, key=sizes.__getitem__)

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
    upright = [c for c in chars if c["upright"]]
    words = []
    for _, run in itertools.groupby(upright, itemgetter("upright", "size", "fontname")):
        for line in _lines(list(run), settings.y_tolerance):
            for word_chars in _split_line(line, settings.x_tolerance_ratio, settings.y_tolerance):
                word = _word(word_chars, page)
                if word.text.strip():
                    words.append(word)
    return words


# What pdfplumber's `WordExtractor` does for upright left-to-right text (`extract_words` with its
# defaults: lines by `top`, no text flow, blank characters split words), written out for that one
# case: its general version (any direction, word dicts, generators per character) was a fifth of
# the PDF stage's time. tests/test_pdf_parts.py holds the two to the same words.


def _lines(run: list[Char], y_tolerance: float) -> list[list[Char]]:
    """pdfplumber's `cluster_objects(run, "top", y_tolerance)`: distinct tops, sorted, start a new
    line where one is more than the tolerance below the one before; each line sorted by x0."""
    line_of: dict[float, int] = {}
    line, last = 0, None
    for top in sorted({c["top"] for c in run}):
        if last is not None and not (y_tolerance and top <= last + y_tolerance):
            line += 1
        line_of[top] = line
        last = top
    lines: list[list[Char]] = [[] for _ in range(line + 1)]
    for char in run:
        lines[line_of[char["top"]]].append(char)
    return [sorted(chars, key=itemgetter("x0")) for chars in lines if chars]


def _split_line(line: list[Char], x_tolerance_ratio: float, y_tolerance: float) -> list[list[Char]]:
    """pdfplumber's `iter_chars_to_words` for left-to-right text: a blank ends a word; a character
    starts one when it begins left of the last one, or further right than `x_tolerance_ratio` of
    the last one's size past its end, or at another height."""
    words: list[list[Char]] = []
    current: list[Char] = []
    # of the last character: its left edge, how far right of it the next may start, its top
    left = reach = top = 0.0
    for char in line:
        text = char["text"]
        if text.isspace():
            if current:
                words.append(current)
            current = []
            continue
        if text == "":  # pdfplumber's `text in split_at_punctuation`, with none given: a word of its own
            if current:
                words.append(current)
            words.append([char])
            current = []
            continue
        x0, char_top = char["x0"], char["top"]
        if current and (x0 < left or x0 > reach or abs(char_top - top) > y_tolerance):
            words.append(current)
            current = [char]
        else:
            current.append(char)
        left, reach, top = x0, char["x1"] + x_tolerance_ratio * char["size"], char_top
    if current:
        words.append(current)
    return words


_X0, _X1, _TOP, _BOTTOM = itemgetter("x0"), itemgetter("x1"), itemgetter("top"), itemgetter("bottom")


def _word(chars: list[Char], page: int) -> Word:
    # `map` with an itemgetter keeps each pass in C: this runs for every word of every page
    first = chars[0]
    box = min(map(_X0, chars)), max(map(_X1, chars)), min(map(_TOP, chars)), max(map(_BOTTOM, chars))
    return Word(*box, float(first["size"]), is_bold(first.get("weight", 0), first["fontname"]), chars, page)


@lru_cache(maxsize=512)  # a document has a handful of fonts and tens of thousands of words
def is_bold(weight: float, fontname: str) -> bool:
    """Set in a bold face: by the weight where the source knows it, else by the font's name."""
    return weight >= 600 or bool(BOLD_FONT.search(fontname))
