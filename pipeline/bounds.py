"""Where the case report is, among everything else a PDF or text file may hold.

A downloaded PDF is often more than the article: a journal issue's contents pages, its masthead,
cover note, aims and scope and editorial board, the previous article's last page, the next
article's first page, a publisher's closing page. None of it is the patient's, and all of it is
full of drug and disease words. This module reads the blocks of a `Layout` (from the PDF stage or
the text reader: both paths decide alike) and finds each article by its structure:

- a *title*: a block set bigger than the body (PDF), a level-1 heading (Markdown), or a short
  first line (plain text);
- that *opens an article*: an Abstract / Introduction / Case presentation heading follows it
  within a few blocks, with only title-block matter between (authors, affiliations, dates), or
  running prose follows it;
- while *contents* are lists: entries that start or end with a page number (a page-number column,
  dot leaders), author lists in citation style, with no prose between them.

Of the articles found, the case report is the one with the patients' sections (Case presentation,
Chief complaints …), the longest if several; everything outside it is left out of the text the
NLP reads. No article found means the whole input is the article, as before.

Why by hand: no library finds article boundaries in an arbitrary journal PDF (GROBID does it with
a CRF model over a Java service); here the evidence is the few layout facts above, which the PDF
stage already measures.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache

from .headings import classify_heading
from .lexicons import resource_json
from .structures import Block

# a contents entry's page number: before the title (`5288 Acute hepatitis…`, Markdown's `5296**`),
# after dot leaders (`… . . . . 112`), or alone in a page-number column
PAGE_LEAD = re.compile(r"^\d{1,5}\**\s+[A-Z\"'‘“(]")
PAGE_TAIL = re.compile(r"(?:(?:\.\s?){3,}|…+)\s*\d{1,5}$|\S+\s\S+\s\S*[A-Za-z)]\s\d{1,5}$")
PAGE_ALONE = re.compile(r"^\d{1,5}$")
# one person's name in an author list: `Peng XD`, `MANCUSO M`, `Qiao-Hong Wang`, `Laura M. Moreno`,
# with affiliation marks (`^1,2`, `*`, `†`) set aside first
_SURNAME = r"[A-Z][A-Za-zÀ-ÿ'’\-]+(?:\s(?:van|de|der|von|da|di|del|la|le)?\s?[A-Z][A-Za-zÀ-ÿ'’\-]+)*"
_VANCOUVER = re.compile(rf"^{_SURNAME}\s[A-Z]{{1,4}}$")
_GIVEN_FIRST = re.compile(r"^[A-Z][a-zà-ÿ'’\-]+(?:[\s-][A-Z][a-zà-ÿ'’\-]*\.?)*\s(?:[A-Z]\.\s)?[A-Z][A-Za-zà-ÿ'’\-]+$")
_AFFILIATION_MARKS = re.compile(r"\^?[0-9,*†‡§#]+(?=,|\s|$)|\^[a-z,]+")
SENTENCE_END = re.compile(r"[a-z0-9)\]%][.!?](?:\s|$)")

# an article's own front matter reaches its Abstract or first section within this many blocks
OPENING_WINDOW = 40
# running prose after a title (words, in blocks of sentences) that makes it an article's start
PROSE_WORDS = 150
FIRST_PROSE_WORDS = 20


@dataclass(frozen=True)
class ArticleBounds:
    """Blocks `start`..`end` (indexes into the layout's blocks) are the article; `title` indexes
    its title block, or is None when the article has none we could tell."""

    start: int
    end: int
    title: int | None


def find_article(blocks: list[Block] | tuple[Block, ...], body_size: float = 0.0) -> ArticleBounds:
    """The case report among `blocks` (see the module's docstring)."""
    starts = article_starts(blocks, body_size)
    if not starts:
        return ArticleBounds(0, len(blocks), None)
    segments = [(s, starts[k + 1] if k + 1 < len(starts) else len(blocks)) for k, s in enumerate(starts)]
    start, end = max(segments, key=lambda seg: _segment_rank(blocks[seg[0] : seg[1]]))
    return ArticleBounds(start, end, start)


def article_starts(blocks: list[Block] | tuple[Block, ...], body_size: float = 0.0) -> list[int]:
    """Indexes of the title blocks that open an article, in order.

    A title opens an article when an Abstract/Introduction/Case heading follows it before any
    prose, or, where no article's body is open yet (the input's start, or after a References
    list), when prose follows it. A big heading inside an article's body (a journal that sets its
    sub-headings large) is neither."""
    heading_size = _known_heading_size(blocks) if body_size else 0.0
    candidates = [i for i in range(len(blocks)) if _is_title_candidate(blocks, i, body_size, heading_size)]
    body_open = _body_open_before(blocks)
    starts = []
    for k, i in enumerate(candidates):
        following = blocks[i + 1 : candidates[k + 1] if k + 1 < len(candidates) else len(blocks)]
        # the input's first text needs less prose after it: an abstract's title has no more
        first = not any(b.text.text.strip() for b in blocks[:i])
        if _opens_with_heading(following) or (not body_open[i] and _opens_with_prose(following, first)):
            starts.append(i)
    return starts


def _body_open_before(blocks: list[Block] | tuple[Block, ...]) -> list[bool]:
    """For each block: has an article's running prose been read before it and not closed by
    back matter (References, declarations)?"""
    state, out = False, []
    for block in blocks:
        out.append(state)
        kind = _label_kind(block)
        if kind is not None and kind.role == "back":
            state = False
        elif prose_words(block):
            state = True
    return out


# --- evidence ------------------------------------------------------------------------------------


def is_contents_entry(text: str) -> bool:
    """A line of a contents page: a title with its page number, or a page number alone."""
    text = " ".join(text.split())
    if PAGE_ALONE.match(text):
        return True
    if len(text.split()) > 70 or SENTENCE_END.search(text[:-1]):
        return False
    return bool(PAGE_LEAD.match(text) or PAGE_TAIL.search(text))


def is_author_list(text: str) -> bool:
    """Names in a by-line or citation style, comma- or `and`-separated, and nothing else."""
    text = _AFFILIATION_MARKS.sub(" ", " ".join(text.split())).strip(" .;")
    if not text or len(text.split()) > 80:
        return False
    names = [n.strip() for n in re.split(r",|;|\band\b|&", text) if n.strip()]
    if not names:
        return False
    vancouver = all(_VANCOUVER.match(n) for n in names)
    given_first = len(names) >= 2 and all(_GIVEN_FIRST.match(n) for n in names)
    return vancouver or given_first


def prose_words(block: Block) -> int:
    """Words of running prose in a block: sentences, not a list entry or a label."""
    text = block.text.text
    words = len(text.split())
    if block.kind not in ("text",) or words < 20 or not SENTENCE_END.search(text):
        return 0
    if is_contents_entry(text) or is_author_list(text):
        return 0
    return words


def _is_title_candidate(blocks, i: int, body_size: float, heading_size: float = 0.0) -> bool:
    block = blocks[i]
    text = " ".join(block.text.text.split())
    words = len(text.split())
    if block.kind not in ("title", "heading", "text") or not 2 <= words <= 45:
        return False
    if classify_heading(text) is not None or is_contents_entry(text) or is_author_list(text):
        return False
    if is_not_article_heading(text) or is_masthead(text):
        return False
    if block.kind == "title":
        return True
    if body_size:  # a PDF: the title is set clearly bigger than the body and the section headings
        return block.font_size >= max(body_size + 1.5, heading_size + 1.0)
    if block.kind == "heading":
        return block.level == 1
    # plain text: a short first line above the rest (a PubMed record, an abstract pasted with its title)
    return i == 0 and len(blocks) > 1 and words <= 40 and len(SENTENCE_END.findall(text)) <= 1


def _opens_with_heading(following: list[Block] | tuple[Block, ...]) -> bool:
    """An Abstract/Introduction/Case heading within reach, with only title-block matter (authors,
    affiliations, dates) before it: not prose, not a list of contents."""
    entries = 0
    for block in following[:OPENING_WINDOW]:
        kind = _label_kind(block)
        if kind is not None and (kind.name in ("abstract", "introduction") or kind.role == "case"):
            return entries < 2
        if is_contents_entry(block.text.text):
            entries += 1
        elif prose_words(block) >= 40:
            return False
    return False


def _opens_with_prose(following: list[Block] | tuple[Block, ...], first: bool = False) -> bool:
    """Running prose follows, not a list of contents (an issue's contents page has no prose)."""
    prose = sum(prose_words(b) for b in following)
    listed = sum(1 for b in following if is_contents_entry(b.text.text))
    return prose >= (FIRST_PROSE_WORDS if first else PROSE_WORDS) and listed <= max(2, len(following) // 10)


def _label_kind(block: Block):
    """What a heading, or a short block, or a run-in bold label (`BACKGROUND Anti-MDA5 …`) says."""
    text = block.text.text.strip()
    if block.lead_bold:
        return classify_heading(text[: block.lead_bold])
    if block.kind in ("heading", "title") or len(text.split()) <= 8:
        return classify_heading(text)
    return None


def _known_heading_size(blocks: list[Block] | tuple[Block, ...]) -> float:
    """The size the known section headings are most often set in (0 when none): a title is bigger."""
    sizes = [b.font_size for b in blocks if b.kind == "heading" and classify_heading(b.text.text) is not None]
    return statistics.median_low(sizes) if sizes else 0.0


@lru_cache(maxsize=1)
def _masthead_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in resource_json("furniture.json")["masthead_patterns"])


def is_masthead(text: str) -> bool:
    """A journal's name as its banner prints it (`World Journal of …`, `BMC …`, `… Case Reports`)."""
    words = text.split()
    return 0 < len(words) <= 10 and any(p.search(" ".join(words)) for p in _masthead_patterns())


@lru_cache(maxsize=1)
def _not_article_headings() -> frozenset[str]:
    return frozenset(resource_json("front_matter.json")["not_article_headings"])


def is_not_article_heading(text: str) -> bool:
    """A heading of an issue's own pages (`Contents`, `Aims and scope`, `Editorial board`)."""
    return " ".join(text.lower().split()).strip(" :.") in _not_article_headings()


def _segment_rank(segment: list[Block] | tuple[Block, ...]) -> tuple[bool, int]:
    """A case report (patients' sections) before any other article; then the longer."""
    case_report = any((kind := _label_kind(b)) is not None and kind.role == "case" for b in segment)
    return case_report, sum(len(b.text.text.split()) for b in segment)
