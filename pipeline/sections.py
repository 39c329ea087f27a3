"""Sections stage: `Layout` → `Article` (the text the NLP sees, with sections, paragraphs, tables).

Headings are recognised by what they say (the variants in `resources/sections.json`, CARE
headings included) and, for headings we do not know, by typography. Back matter (References,
declarations) is left out of the text; tables and captions printed after the references are
kept, since some journals put the lab tables there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicons import resource_json
from .structures import CAPTION_START, Article, Block, Layout, Paragraph, Section, Table, TableCell, TextMapBuilder

CASE_HEADING = re.compile(
    r"^(case|patient)(\s+(presentation|report|description|history))?\s*(\d+|[ivx]+|one|two|three|four|five)$"
)
NUMBERING = re.compile(r"^(\d+(\.\d+)*\.?|[ivx]+\.|[a-h]\.)\s+", re.I)


@dataclass(frozen=True)
class SectionKind:
    name: str
    role: str
    level: int


@lru_cache(maxsize=1)
def heading_lexicon() -> dict[str, SectionKind]:
    lexicon: dict[str, SectionKind] = {}
    for entry in resource_json("sections.json")["sections"]:
        kind = SectionKind(entry["name"], entry["role"], entry["level"])
        for variant in entry["variants"]:
            lexicon[variant] = kind
    return lexicon


def heading_key(text: str) -> str:
    text = NUMBERING.sub("", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" :.-–—").lower()
    return text.replace("‐", "-")


def classify_heading(text: str) -> SectionKind | None:
    key = heading_key(text)
    if key in heading_lexicon():
        return heading_lexicon()[key]
    if CASE_HEADING.match(key):
        return SectionKind("case presentation", "case", 2)
    return None


def build_article(layout: Layout, doc_id: str) -> Article:
    """Order is kept; headings become sections; blocks before the title (an issue's table of
    contents, journal banners) and back matter are left out of the text."""
    blocks = _from_title(layout)
    writer = _ArticleWriter()
    role = "front"
    abstract_level = 0  # while inside a structured abstract, its own sub-headings stay in it
    for block in blocks:
        kind = _heading_kind(block)
        if block.kind == "title":
            writer.paragraph(block, "title")
            continue
        if kind is not None or (block.kind == "heading" and block.text.text.strip()):
            level = block.level or (kind.level if kind else 1)
            if abstract_level and level > abstract_level:
                kind = SectionKind("abstract", "front", level)
            elif kind is not None and kind.name == "abstract":
                abstract_level = level
            else:
                abstract_level = 0
            name = kind.name if kind else ""
            role = kind.role if kind else (role if role != "back" else "case")
            writer.section(block.text.text.strip(), name, level, role)
            if role != "back":
                writer.paragraph(block, "heading")
            continue
        if block.kind == "table":
            writer.table(block)
        elif block.kind == "caption" or CAPTION_START.match(block.text.text.strip()):
            # a legend the reader could not tell by layout (Markdown has none) is still a caption
            writer.paragraph(block, "caption")
        elif role != "back":
            writer.paragraph(block, "text")
    return writer.build(doc_id, layout)


def _from_title(layout: Layout) -> list[Block]:
    blocks = list(layout.blocks)
    if layout.title:
        for i, block in enumerate(blocks):
            if block.text.text.strip() == layout.title:
                return [Block("title", block.text, block.page, block.level, block.font_size, block.bold)] + blocks[i + 1:]
    return blocks


def _heading_kind(block: Block) -> SectionKind | None:
    if block.kind not in ("heading", "text"):
        return None
    text = block.text.text.strip()
    if block.kind == "text" and (len(text.split()) > 8 or block.lead_bold):
        return None  # body text that merely starts with a heading word
    return classify_heading(text)


class _ArticleWriter:
    """Appends blocks to the article text, recording paragraphs, sections and table cells."""

    def __init__(self) -> None:
        self.builder = TextMapBuilder()
        self.paragraphs: list[Paragraph] = []
        self.sections: list[dict] = []
        self.tables: list[Table] = []
        self.pending_caption = ""

    def _start(self) -> int:
        if len(self.builder):
            self.builder.append("\n\n", self.builder.last_box())
        return len(self.builder)

    def section(self, heading: str, name: str, level: int, role: str) -> None:
        start = len(self.builder) + (2 if len(self.builder) else 0)
        self.sections.append({"heading": heading, "name": name, "level": level, "start": start, "role": role})

    def paragraph(self, block: Block, kind: str) -> None:
        start = self._start()
        self.builder.extend(block.text)
        label_end = start + block.lead_bold if block.lead_bold else 0
        self.paragraphs.append(Paragraph(kind, start, len(self.builder), len(self.sections) - 1, label_end))
        if kind == "caption" and block.text.text.lower().startswith("table"):
            self.pending_caption = block.text.text

    def table(self, block: Block) -> None:
        start = self._start()
        cells = []
        for r, row in enumerate(block.rows):
            if r:
                self.builder.append("\n", self.builder.last_box())
            for c, cell in enumerate(row):
                if c:
                    self.builder.append(" | ", self.builder.last_box())
                cell_start = len(self.builder)
                self.builder.extend(cell)
                cells.append(TableCell(r, c, cell_start, len(self.builder)))
        end = len(self.builder)
        self.tables.append(Table(self.pending_caption, start, end, tuple(cells)))
        self.paragraphs.append(Paragraph("table", start, end, len(self.sections) - 1))
        self.pending_caption = ""

    def build(self, doc_id: str, layout: Layout) -> Article:
        text_map = self.builder.build()
        sections = []
        for i, s in enumerate(self.sections):
            end = self.sections[i + 1]["start"] if i + 1 < len(self.sections) else len(text_map.text)
            start = min(s["start"], len(text_map.text))
            sections.append(Section(s["heading"], s["name"], s["level"], start, max(start, min(end, len(text_map.text))),
                                    s["role"]))
        return Article(
            doc_id=doc_id,
            title=layout.title,
            text=text_map.text,
            text_map=text_map,
            sections=tuple(sections),
            paragraphs=tuple(self.paragraphs),
            tables=tuple(self.tables),
            pages=layout.pages,
        )

