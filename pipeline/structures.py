"""Plain values passed between the stages (pdf → sections → nlp → link → tables).

Every stage takes one of these and returns the next; none reaches into another stage's
internals. Text always travels with its `TextMap`, so any character offset can be traced back
to the page and box it was printed in.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from .schema import FACT_TABLES, CaseRow, DiagnosisRow, LabRow, MedicationRow

# how figure and table legends begin, in any reader: `Figure 2`, `Fig. 1A`, `Table 1`, `Supplementary Table S2`
CAPTION_START = re.compile(r"^(fig(ure)?\.?|table|supplementary (figure|table))\s*[0-9IVX]+[A-Za-z]?\b", re.I)


class InputError(Exception):
    """A document that cannot be processed; the message is shown to users as the error reason."""


class ExtractionError(Exception):
    """`pipeline.extract` could not read a document; `reason` is its documents row's error."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


class Box(NamedTuple):
    """Where a run of characters was printed: 1-based page and PDF points from the top-left.

    A named tuple, as `TextRun` is: a PDF has a box per word, and a frozen dataclass cost five
    times as much to make and to compare (`TextMapBuilder` compares each word's box with the last)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float


class TextRun(NamedTuple):
    """Characters `start`..`end` of a text share one source `box` (None for text input).

    A named tuple rather than a frozen dataclass: a PDF's text has a run per word, copied from
    stage to stage, and a tuple is several times cheaper to make."""

    start: int
    end: int
    box: Box | None


@dataclass(frozen=True)
class TextMap:
    """A string and, for every character, the box it came from (run-length encoded)."""

    text: str
    runs: tuple[TextRun, ...] = ()

    def box_at(self, offset: int) -> Box | None:
        if not self.runs or not 0 <= offset < len(self.text):
            return None
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.runs[max(i, 0)].box

    def page_at(self, offset: int) -> int | None:
        box = self.box_at(offset)
        return box.page if box else None

    @property
    def _starts(self) -> list[int]:
        # cached on first use; the dataclass is frozen, so write through object.__setattr__
        try:
            return self.__dict__["_starts_cache"]
        except KeyError:
            starts = [r.start for r in self.runs]
            object.__setattr__(self, "_starts_cache", starts)
            return starts


class TextMapBuilder:
    """Accumulates text pieces with their boxes into a `TextMap`."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._runs: list[TextRun] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, text: str, box: Box | None) -> None:
        if not text:
            return
        self._add_run(TextRun(self._length, self._length + len(text), box))
        self._parts.append(text)
        self._length += len(text)

    def _add_run(self, run: TextRun) -> None:
        """A run that continues the last one in the same box lengthens it."""
        last = self._runs[-1] if self._runs else None
        if last is not None and last.end == run.start and (last.box is run.box or last.box == run.box):
            self._runs[-1] = TextRun(last.start, run.end, run.box)
        else:
            self._runs.append(run)

    def extend(self, mapped: TextMap, start: int = 0, end: int | None = None) -> None:
        """Characters `start`..`end` of `mapped`, with their boxes. The runs are copied shifted, in
        one go: texts are copied from stage to stage, and a PDF's text has a run per word."""
        end = len(mapped.text) if end is None else end
        if start >= end:
            return
        if not mapped.runs:
            self.append(mapped.text[start:end], None)
            return
        shift = self._length - start
        first = max(bisect.bisect_right(mapped._starts, start) - 1, 0)
        copied = []
        for run in mapped.runs[first:]:
            if run.start >= end:
                break
            lo, hi = max(run.start, start), min(run.end, end)
            if lo < hi:
                copied.append(TextRun(lo + shift, hi + shift, run.box))
        if copied:
            self._add_run(copied[0])
            self._runs.extend(copied[1:])
        self._parts.append(mapped.text[start:end])
        self._length += end - start

    def last_box(self) -> Box | None:
        return self._runs[-1].box if self._runs else None

    def build(self) -> TextMap:
        return TextMap("".join(self._parts), tuple(self._runs))


# --- pdf stage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A unit of the page in reading order: a paragraph, heading-like line, caption or table.

    `kind` is the layout's guess from typography and position (`text`, `heading`, `caption`,
    `table`); the sections stage decides what is really a section heading.
    `lead_bold` is the length of a bold run-in prefix (`Case 1:` …) in `text`, 0 if none.
    """

    kind: str
    text: TextMap
    page: int | None
    level: int = 0  # heading level when the source says it (Markdown `##`), else 0
    font_size: float = 0.0
    bold: bool = False
    lead_bold: int = 0
    rows: tuple[tuple[TextMap, ...], ...] = ()  # table cells, row by row


@dataclass(frozen=True)
class Layout:
    """What the pdf stage (or the plain-text reader) found in one input file."""

    source_path: str
    pages: int | None
    blocks: tuple[Block, ...]
    body_font_size: float = 0.0
    furniture: tuple[str, ...] = ()  # text removed as running headers, footers, page numbers
    warning: str = ""  # what a person should know about how it was read (a damaged PDF repaired)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text.text for b in self.blocks)


# --- sections stage ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A headed part of the article; offsets point into `Article.text`.

    `name` is the canonical section (`laboratory examinations`, `discussion` …) or "" when the
    heading is not one we know. `role` says whose facts it holds: `case` (the patients'),
    `background` (Introduction, Discussion: other people's patients and the literature) or
    `front` (title, abstract, article metadata).
    """

    heading: str
    name: str
    level: int
    start: int
    end: int
    role: str = "case"
    article: int = 0  # which article of the input (0 unless it holds several case reports)


@dataclass(frozen=True)
class Paragraph:
    """`label_end` > start when the paragraph opens with a bold run-in label (`Case 1:`)."""

    kind: str  # title | text | heading | caption | table
    start: int
    end: int
    section: int  # index into Article.sections, -1 before the first heading
    label_end: int = 0


@dataclass(frozen=True)
class TableCell:
    row: int
    column: int
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    caption: str
    start: int
    end: int
    cells: tuple[TableCell, ...]

    @property
    def n_rows(self) -> int:
        return 1 + max((c.row for c in self.cells), default=-1)


@dataclass(frozen=True)
class LeftOut:
    """Text of the input that is not the article (an issue's contents, another article's pages),
    kept so that a reviewer sees what was set aside; `pages` as `1-3`, empty for text input."""

    where: str  # before | between | after
    pages: str
    text: str


LEFT_OUT_MARK = "=" * 24 + " not part of the article (left out; nothing below was read for facts) " + "=" * 24
LEFT_OUT_SEPARATOR = "\n\n\n" + LEFT_OUT_MARK  # between the article and what was left out


def article_part(text_file: str) -> str:
    """The article's text in a `text/DOC_ID.txt` (see `Article.text_file`): what precedes the mark."""
    return text_file.split(LEFT_OUT_SEPARATOR)[0]


@dataclass(frozen=True)
class Article:
    """The reading-order text the NLP sees, with its structure and source map."""

    doc_id: str
    title: str
    text: str
    text_map: TextMap
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    tables: tuple[Table, ...]
    pages: int | None
    left_out: tuple[LeftOut, ...] = ()
    article_pages: str = ""  # the pages read, when the input also holds other matter

    @property
    def text_file(self) -> str:
        """`text/DOC_ID.txt`: the text the NLP read, then what was left out, under a mark; the
        tables' offsets point into the first part, which is `text` unchanged."""
        if not self.left_out:
            return self.text
        parts = [self.text + LEFT_OUT_SEPARATOR]
        for part in self.left_out:
            where = f"{part.where} the article" + (f", pages {part.pages}" if part.pages else "")
            parts += ["", f"[{where}]", "", part.text]
        return "\n".join(parts) + "\n"

    def section_at(self, offset: int) -> Section | None:
        for section in reversed(self.sections):
            if section.start <= offset < section.end:
                return section
        return None


# --- results -----------------------------------------------------------------------------------


@dataclass
class Facts:
    """What the link stage attaches to patients: the rows of each of `schema.FACT_TABLES`."""

    cases: list[CaseRow] = field(default_factory=list)
    medications: list[MedicationRow] = field(default_factory=list)
    labs: list[LabRow] = field(default_factory=list)
    diagnoses: list[DiagnosisRow] = field(default_factory=list)

    def as_rows(self) -> dict[str, list[dict]]:
        """The rows of each fact table as plain dicts: how a document's result is recorded as JSON."""
        return {name: [asdict(row) for row in getattr(self, name)] for name in FACT_TABLES}
