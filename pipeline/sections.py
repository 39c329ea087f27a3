"""Sections stage: `Layout` → `Article` (the text the NLP sees, with sections, paragraphs, tables).

Headings are recognised by what they say (the variants in `resources/sections.json`, CARE
headings included) and, for headings we do not know, by typography. Back matter (References,
declarations) is left out of the text; tables and captions printed after the references are
kept, since some journals put the lab tables there.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from .bounds import ArticleBounds, find_articles
from .headings import CASE_HEADING, SectionKind, classify_heading, heading_key, heading_lexicon
from .lexicons import resource_json
from .structures import (
    CAPTION_START,
    Article,
    Block,
    Layout,
    LeftOut,
    Paragraph,
    Section,
    Table,
    TableCell,
    TextMapBuilder,
)

# --- headings run into the text ----------------------------------------------------------------


# an e-mail or web address ends an author block on a web page as a full stop ends a sentence
PAGE_ADDRESS = re.compile(r"(?:\S+@\S+\.[a-z]{2,6}|https?://\S+|www\.\S+)$", re.I)


@lru_cache(maxsize=1)
def _inline_heading_pattern() -> re.Pattern[str]:
    variants = sorted(heading_lexicon(), key=len, reverse=True)
    names = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in variants)
    # a heading starts a block or follows a sentence end, and is followed by a sentence start
    return re.compile(rf"(?:^|(?<=\s))((?:{names})(?P<number>\s*#?\s*(?:\d+|[IVX]+))?)\s*[:.]?\s+(?=\S)", re.I)


@lru_cache(maxsize=1)
def _back_matter_starts() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in resource_json("sections.json")["running_back_matter"])


def inline_heading_cuts(text: str) -> list[tuple[int, int]]:
    """(start, end) of the section headings inside a run of text with no line breaks (a web page
    copied as one line: `… chronic disease. Case presentation A 61-yr-old man …`). A heading is a
    known variant written with a capital, after a sentence end (or an e-mail address), before a
    capitalised word."""
    cuts = []
    for match in _inline_heading_pattern().finditer(text):
        start, end = match.span(1)
        last = start  # the end of what precedes the heading, white space aside
        while last and text[last - 1].isspace():
            last -= 1
        if last and not (text[last - 1] in ".!?]" or PAGE_ADDRESS.search(text[max(0, last - 80) : last])):
            continue  # inside a sentence, or after a menu word
        following = text[match.end() : match.end() + 1]
        numbered = CASE_HEADING.match(heading_key(text[start:end])) is not None
        if match.group("number") and not numbered:
            continue  # `References 1. Smith A …`: only patients' headings carry a number
        if text[start].isupper() and (following.isupper() or following.isdigit() or (numbered and following in "-–—")):
            cuts.append((start, match.end()))
    return cuts


def split_inline_headings(blocks: list[Block]) -> list[Block]:
    """Text blocks cut at the headings run into them, each heading a block of its own. Used when
    the layout found no headings at all (plain text copied from a web page, or a PDF of it).
    After the first heading, a web page's own furniture (`PMID: …`, `Articles from … are provided
    here courtesy of`) starts the back matter; once in back matter, only back-matter headings
    cut (a reference titled `Case report: …` is not a section)."""
    out: list[Block] = []
    seen_heading = in_back = False
    for block in blocks:
        if block.kind != "text":
            out.append(block)
            continue
        text = block.text.text
        events = [(start, end, "") for start, end in inline_heading_cuts(text)]
        for pattern in _back_matter_starts():
            events += [(m.start(), m.start(), "references") for m in pattern.finditer(text)]
        position = 0
        for start, end, label in sorted(events):
            if start < position:
                continue
            kind = SectionKind("references", "back", 1) if label else classify_heading(text[start:end])
            is_back = kind is not None and kind.role == "back"
            if (label and not seen_heading) or (in_back and not is_back):
                continue
            if text[position:start].strip():
                out.append(_piece(block, "text", position, start))
            out.append(_piece(block, "heading", start, end, label))
            seen_heading, in_back, position = True, in_back or is_back, end
        if text[position:].strip():
            out.append(_piece(block, "text", position, len(text)))
    return out


def _piece(block: Block, kind: str, start: int, end: int, label: str = "") -> Block:
    """Characters `start`..`end` of `block`, white space trimmed, as a block of `kind`; a `label`
    stands in for a heading the text does not print (a web page's back matter)."""
    text = block.text.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    builder = TextMapBuilder()
    if label:
        builder.append(label, block.text.box_at(start))
    builder.extend(block.text, start, end)
    return Block(kind, builder.build(), block.page, 0, block.font_size, kind in ("heading", "title"))


def build_article(layout: Layout, doc_id: str) -> Article:
    """Order is kept; headings become sections; what is not the article (an issue's contents and
    front matter, another article's pages: `bounds.find_articles`) and back matter are left out of
    the text. Several whole case reports in one input follow one another, each its own `article`."""
    articles = find_articles(layout.blocks, layout.body_font_size)
    writer = _ArticleWriter()
    titles = [_write_article(writer, layout, bounds, n) for n, bounds in enumerate(articles)]
    left_out = _left_out(layout, articles)
    read_pages = ", ".join(_page_range(layout.blocks[b.start : b.end]) for b in articles) if left_out else ""
    return writer.build(doc_id, layout, " | ".join(t for t in titles if t), left_out, read_pages)


def _write_article(writer: _ArticleWriter, layout: Layout, bounds: ArticleBounds, number: int) -> str:
    """One article's blocks into the writer, as article `number`; → its title."""
    writer.article, first_section, article_start = number, len(writer.sections), len(writer.builder)
    blocks = list(layout.blocks[bounds.start : bounds.end])
    if bounds.title is not None:
        blocks[: bounds.title_blocks] = [_joined_title(blocks[: bounds.title_blocks])]
    inline = not any(b.kind == "heading" or _heading_kind(b) for b in blocks)
    if inline or bounds.title is not None:
        blocks = _leading_title(blocks)
    title = " ".join(blocks[0].text.text.split()).removesuffix(".") if blocks and blocks[0].kind == "title" else ""
    abstract_until = 0
    if inline:
        blocks = split_inline_headings(blocks)
        # a web page's structured abstract has no heading of its own, but Keywords close it
        abstract_until = next(
            (
                i
                for i, b in enumerate(blocks)
                if b.kind == "heading" and (_heading_kind(b) or SectionKind("", "", 0)).name == "keywords"
            ),
            0,
        )
    role = "front"
    abstract_level = 0  # while inside a structured abstract, its own sub-headings stay in it
    patients_opened = False
    for i, block in enumerate(blocks):
        kind = _heading_kind(block)
        if kind is not None and i < abstract_until and kind.role != "back":
            kind = SectionKind("abstract", "front", 1)
        if inline and kind is not None and kind.role == "case":
            # run-in text has no typography to tell a review's `DIAGNOSIS` topic from a report's
            # CARE section: a patients' sub-section counts only after the case presentation opened
            if kind.name == "case presentation" or kind.name == "patient perspective":
                patients_opened = True
            elif not patients_opened:
                kind = SectionKind(kind.name, "background", kind.level)
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
            # a heading we do not know keeps the part it is in; after the references it opens
            # nothing (a publisher's page, an advertisement)
            role = kind.role if kind else role
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
    if is_abstract_only(blocks, writer.sections[first_section:]):
        writer.all_patients(first_section, article_start + (2 if article_start else 0))
    return title


# an abstract is all a PubMed record holds: its parts (Objective, Case summary, Conclusions) are
# the patient's, as a full article's Case presentation is
ABSTRACT_WORDS = 500


def is_abstract_only(blocks: list[Block], sections: list[dict]) -> bool:
    """A title and an abstract, nothing more: short, with no tables, no back matter and no
    patients' part (Case summary, Case presentation): where there is one, the patients are there."""
    words = sum(len(b.text.text.split()) for b in blocks if b.kind != "title")
    if words > ABSTRACT_WORDS or any(b.kind == "table" for b in blocks):
        return False
    return not any(section["role"] in ("back", "case") for section in sections)


def _joined_title(lines: list[Block]) -> Block:
    """The title's blocks (a title whose lines the PDF set apart) as one title block."""
    builder = TextMapBuilder()
    for n, line in enumerate(lines):
        if n:
            builder.append(" ", line.text.box_at(0))
        builder.extend(line.text)
    return replace(lines[0], kind="title", text=builder.build())


def _left_out(layout: Layout, articles: list[ArticleBounds]) -> tuple[LeftOut, ...]:
    """The blocks outside every article read: before the first, between two, after the last."""
    parts, position = [], 0
    for n, bounds in enumerate([*articles, ArticleBounds(len(layout.blocks), len(layout.blocks), None)]):
        chunk = layout.blocks[position : bounds.start]
        texts = [b.text.text.strip() for b in chunk if b.text.text.strip()]
        if texts:
            where = "before" if n == 0 else "after" if n == len(articles) else "between"
            parts.append(LeftOut(where, _page_range(chunk), "\n\n".join(texts)))
        position = bounds.end
    return tuple(parts)


def _page_range(blocks) -> str:
    pages = [b.page for b in blocks if b.page is not None]
    if not pages:
        return ""
    return str(min(pages)) if min(pages) == max(pages) else f"{min(pages)}-{max(pages)}"


@lru_cache(maxsize=1)
def _title_ends() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in resource_json("sections.json")["running_title_ends"])


def _leading_title(blocks: list[Block]) -> list[Block]:
    """A web page (copied as text, or printed) opens with the article's title, ended by the site's
    own words (` - PubMed`, `Warning:`, `| Full Text`): the title is cut there, whether the input's
    first block is text or already known to be the title; the rest is text."""
    if not blocks or blocks[0].kind not in ("text", "title"):
        return blocks
    first = blocks[0]
    text = first.text.text
    ends = [m.start() for pattern in _title_ends() for m in [pattern.search(text, 0, 400)] if m]
    if not ends or not 15 <= min(ends) <= 300:
        return blocks
    end = min(ends)
    title = _piece(first, "title", 0, end)
    rest = [_piece(first, "text", end, len(text))] if text[end:].strip() else []
    return [title] + rest + blocks[1:]


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
        self.article = 0  # which article of the input the blocks written now belong to

    def _start(self) -> int:
        if len(self.builder):
            self.builder.append("\n\n", self.builder.last_box())
        return len(self.builder)

    def section(self, heading: str, name: str, level: int, role: str) -> None:
        start = len(self.builder) + (2 if len(self.builder) else 0)
        part = {"heading": heading, "name": name, "level": level, "start": start, "role": role}
        self.sections.append({**part, "article": self.article})

    def all_patients(self, first_section: int = 0, start: int = 0) -> None:
        """Every part of the article from `first_section` (at offset `start`) is the patient's (an
        abstract is all there is): the text before its first heading (title, an unlabelled
        objective) becomes a part of its own."""
        for section in self.sections[first_section:]:
            section["role"] = "case"
        if len(self.sections) == first_section or self.sections[first_section]["start"] > start:
            part = {"heading": "", "name": "abstract", "level": 1, "start": start, "role": "case"}
            self.sections.insert(first_section, {**part, "article": self.article})
            self.paragraphs = [
                replace(p, section=p.section + 1 if p.section >= first_section or p.start >= start else p.section)
                for p in self.paragraphs
            ]

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

    def build(self, doc_id: str, layout: Layout, title: str, left_out=(), article_pages: str = "") -> Article:
        text_map = self.builder.build()
        sections = []
        for i, s in enumerate(self.sections):
            end = self.sections[i + 1]["start"] if i + 1 < len(self.sections) else len(text_map.text)
            start = min(s["start"], len(text_map.text))
            sections.append(
                Section(
                    s["heading"],
                    s["name"],
                    s["level"],
                    start,
                    max(start, min(end, len(text_map.text))),
                    s["role"],
                    s["article"],
                )
            )
        return Article(
            doc_id=doc_id,
            title=title,
            text=text_map.text,
            text_map=text_map,
            sections=tuple(sections),
            paragraphs=tuple(self.paragraphs),
            tables=tuple(self.tables),
            pages=layout.pages,
            left_out=tuple(left_out),
            article_pages=article_pages,
        )
