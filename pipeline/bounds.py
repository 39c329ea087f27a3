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
Chief complaints …), whole and opened as articles are (every such one when an issue holds several);
everything outside is left out of the text the NLP reads. No article found means the whole input
is the article, as before.

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
LEADERS = re.compile(r"(?:(?:\.\s?){3,}|…+)\s*\d{1,5}$")  # `… . . . . 112`
PAGE_TAIL = re.compile(rf"{LEADERS.pattern}|\S+\s\S+\s\S*[A-Za-z)]\s\d{{1,5}}$")
PAGE_ALONE = re.compile(r"^\d{1,5}(?:\s+\d{1,5})*$")  # one page number, or a column of them read as one block
# one person's name in an author list: `Peng XD`, `MANCUSO M`, `Qiao-Hong Wang`, `Laura M. Moreno`,
# with affiliation marks (`^1,2`, `*`, `†`) set aside first
_PARTICLE = r"(?:van|de|der|den|von|da|di|del|dos|du|la|le|ten|ter)\s"
_SURNAME = rf"(?:{_PARTICLE})*[A-Z][A-Za-zÀ-ÿ'’\-]+(?:\s(?:{_PARTICLE})*[A-Z][A-Za-zÀ-ÿ'’\-]+)*"
_VANCOUVER = re.compile(rf"^{_SURNAME}\s[A-Z]{{1,4}}$")
_GIVEN_FIRST = re.compile(r"^[A-Z][a-zà-ÿ'’\-]+(?:[\s-][A-Z][a-zà-ÿ'’\-]*\.?)*\s(?:[A-Z]\.\s)?[A-Z][A-Za-zà-ÿ'’\-]+$")
_AFFILIATION_MARKS = re.compile(r"(?<=\S)\^?[0-9*†‡§#]+(?:,[0-9*†‡§#]+)*|\^[a-z](?:,[a-z])*")
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
CITATION = re.compile(r"\bdoi\b|\bPMID\b|\bet al\b|\d+\s?\(\d+\)|;\s?\d+\s?:\s?\d+|\d+:\s?\d+[-–]\d+", re.I)
SENTENCE_END = re.compile(r"[a-z0-9)\]%][.!?](?:\s|$)")

TAIL_SECTIONS = frozenset({"treatment", "outcome and follow-up", "final diagnosis", "discussion", "conclusion"})
# an article's own front matter reaches its Abstract or first section within this many blocks
OPENING_WINDOW = 40
# running prose after a title (words, in blocks of sentences) that makes it an article's start
PROSE_WORDS = 150
FIRST_PROSE_WORDS = 20


@dataclass(frozen=True)
class ArticleBounds:
    """Blocks `start`..`end` (indexes into the layout's blocks) are the article; `title` indexes
    its title block, or is None when the article has none we could tell; a title printed as
    several blocks (its lines set apart) runs over `title_blocks` blocks."""

    start: int
    end: int
    title: int | None
    title_blocks: int = 1


def find_article(blocks: list[Block] | tuple[Block, ...], body_size: float = 0.0) -> ArticleBounds:
    """The case report among `blocks` (see the module's docstring); of several, the best."""
    segments = _segments(blocks, body_size)
    return _best(blocks, segments, [_segment_rank(blocks, *seg) for seg in segments], body_size)


def find_articles(blocks: list[Block] | tuple[Block, ...], body_size: float = 0.0) -> list[ArticleBounds]:
    """Every whole case report among `blocks`, in order, when there are several (an issue's case
    reports): each opens as articles do, has patients' sections and reaches its References, so a
    big heading inside one article never makes two of it. Otherwise the one `find_article` finds."""
    segments = _segments(blocks, body_size)
    ranks = [_segment_rank(blocks, *seg) for seg in segments]
    whole = [seg for seg, rank in zip(segments, ranks) if rank[:3] == (True, True, True)]
    if len(whole) < 2 or not all(_reaches_references(blocks, *seg) for seg in whole):
        return [_best(blocks, segments, ranks, body_size)]
    return [_bounds(blocks, seg, body_size) for seg in whole]


def _best(blocks, segments: list[tuple[int, int]], ranks: list[tuple], body_size: float) -> ArticleBounds:
    """The best-ranked segment's bounds; with none, the whole input (its first page's biggest text
    as the title, when there is one)."""
    if not segments:
        title = _biggest_on_first_page(blocks, body_size)
        return ArticleBounds(title or 0, len(blocks), title)
    return _bounds(blocks, segments[max(range(len(segments)), key=ranks.__getitem__)], body_size)


def _segments(blocks: list[Block] | tuple[Block, ...], body_size: float) -> list[tuple[int, int]]:
    starts = article_starts(blocks, body_size)
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(blocks)) for k, s in enumerate(starts)]


def _bounds(blocks: list[Block] | tuple[Block, ...], segment: tuple[int, int], body_size: float) -> ArticleBounds:
    start, end = segment
    end = _without_closing_pages(blocks, start, _end_of_back_matter(blocks, start, end))
    return ArticleBounds(start, end, start, _title_blocks(blocks, start, body_size))


def _reaches_references(blocks: list[Block] | tuple[Block, ...], start: int, end: int) -> bool:
    return any((kind := _label_kind(b)) is not None and kind.name == "references" for b in blocks[start:end])


def _title_blocks(blocks: list[Block] | tuple[Block, ...], start: int, body_size: float) -> int:
    """How many blocks from `start` are the title's lines: a PDF may set them apart (a line in
    another weight) yet in the same size, one under the other."""
    count = 1
    while (
        body_size
        and start + count < len(blocks)
        and blocks[start + count].kind in ("heading", "text")
        and _same_line_style(blocks[start], blocks[start + count])
        and len(" ".join(b.text.text for b in blocks[start : start + count + 1]).split()) <= 45
    ):
        count += 1
    return count


def _biggest_on_first_page(blocks: list[Block] | tuple[Block, ...], body_size: float) -> int | None:
    """With no article start to go by, the first page's biggest text, when it is set clearly bigger
    than the body and is no masthead, is still the title (what follows it is read)."""
    if not body_size:
        return None  # text input: no sizes to tell a title by
    first_page = [i for i, b in enumerate(blocks) if b.page == 1 and b.kind in ("heading", "text")]
    first_page = [i for i in first_page if not is_masthead(blocks[i].text.text)]
    if not first_page:
        return None
    biggest = max(first_page, key=lambda i: blocks[i].font_size)
    return biggest if blocks[biggest].font_size >= body_size + 1.5 else None


def _without_closing_pages(blocks: list[Block] | tuple[Block, ...], start: int, end: int) -> int:
    """The article's last pages hold prose, references, tables or legends; a closing page with
    none of them (a publisher's address, a masthead) is not the article's."""
    while end > start + 1 and blocks[end - 1].page is not None and blocks[end - 1].page != blocks[start].page:
        page = blocks[end - 1].page
        first = end
        while first > start and blocks[first - 1].page == page:
            first -= 1
        if any(_holds_article_matter(b) for b in blocks[first:end]):
            break
        end = first
    return end


def _holds_article_matter(block: Block) -> bool:
    return block.kind in ("table", "caption") or prose_words(block) > 0 or is_reference(block.text.text)


def _end_of_back_matter(blocks: list[Block] | tuple[Block, ...], start: int, end: int) -> int:
    """Where the article's pages end: after its (last) References heading, a page with no reference, table or
    figure legend on it (a publisher's page, an advertisement) is no longer the article's."""
    listed = [i for i in range(start, end) if (kind := _label_kind(blocks[i])) and kind.name == "references"]
    back = listed[-1] if listed else None
    if back is None or blocks[back].page is None:
        return end
    page, first_of_page, keeps = blocks[back].page, back, True
    for i in range(back + 1, end):
        block = blocks[i]
        if block.page != page:
            if not keeps:
                return first_of_page
            page, first_of_page, keeps = block.page, i, False
        keeps = keeps or block.kind in ("table", "caption") or is_reference(block.text.text)
    return end if keeps else first_of_page


def is_reference(text: str) -> bool:
    """An entry of a reference list: a year and a journal's volume/pages, a DOI, a PMID or `et al`."""
    return bool(YEAR.search(text) and CITATION.search(text))


def article_starts(blocks: list[Block] | tuple[Block, ...], body_size: float = 0.0) -> list[int]:
    """Indexes of the title blocks that open an article, in order.

    A title opens an article when an Abstract/Introduction/Case heading follows it before any
    prose, or, where no article's body is open yet (the input's start, a new page, or after a
    References list), when prose follows it. A big heading inside an article's body (a journal that sets its
    sub-headings large) is neither."""
    heading_size = _known_heading_size(blocks) if body_size else 0.0
    candidates = [i for i in range(len(blocks)) if _is_title_candidate(blocks, i, body_size, heading_size)]
    candidate_set = set(candidates)
    body_open, article_open = _body_open_before(blocks)
    starts = []
    for k, i in enumerate(candidates):
        following = blocks[i + 1 : candidates[k + 1] if k + 1 < len(candidates) else len(blocks)]
        # the input's first text needs less prose after it: an abstract's title has no more
        first = not any(b.text.text.strip() for b in blocks[:i])
        # an article's title heads a page, or follows the end of the previous article
        heads_page = i > 0 and blocks[i].page is not None and blocks[i - 1].page != blocks[i].page
        free = not body_open[i] or (heads_page and not article_open[i])
        if _opens_with_heading(following) or (free and _opens_with_prose(following, first)):
            starts.append(i)
    # a title's lines set as blocks of their own: the article starts at its first line
    for n, i in enumerate(starts):
        while i - 1 in candidate_set and i - 1 not in starts and _same_line_style(blocks[i - 1], blocks[i]):
            i -= 1
        starts[n] = i
    return starts


def _same_line_style(upper: Block, lower: Block) -> bool:
    return upper.page == lower.page and upper.page is not None and abs(upper.font_size - lower.font_size) < 0.25


def _body_open_before(blocks: list[Block] | tuple[Block, ...]) -> tuple[list[bool], list[bool]]:
    """For each block: has running prose been read before it and not closed by a References list;
    and was that prose under an article's known sections (not a cover page's)?"""
    prose = labelled = heading_before = False  # (a contents page's `CASE REPORT` heads a list, not prose)
    open_before, article_before = [], []
    for block in blocks:
        open_before.append(prose)
        article_before.append(prose and labelled)
        kind = _label_kind(block)
        if kind is not None and kind.name == "references":
            prose = labelled = heading_before = False
            continue
        if kind is None and prose_words(block):
            prose, labelled = True, labelled or heading_before
        heading_before = kind is not None
    return open_before, article_before


# --- evidence ------------------------------------------------------------------------------------


# the evidence functions are asked about the same block several times (as each title candidate
# looks ahead): they are pure functions of the text, so the answers are kept
@lru_cache(maxsize=2048)  # a document's blocks, several times over
def is_contents_entry(text: str) -> bool:
    """A line of a contents page: a title with its page number, or a page number alone."""
    text = " ".join(text.split())
    if PAGE_ALONE.match(text):
        return True
    if len(text.split()) > 70 or SENTENCE_END.search(text[:-1]):
        return False
    # an address starts with its affiliation number and ends with a postcode, after the commas of
    # its parts; a date line ends with a year
    if text.count(",") > 2 or YEAR.search(text[-5:]) and not LEADERS.search(text):
        return False
    return bool(PAGE_LEAD.match(text) or PAGE_TAIL.search(text))


def is_author_list(text: str) -> bool:
    """Names in a by-line or citation style, comma- or `and`-separated, and nothing else."""
    if len(text.split()) > 80:
        return False  # (setting the affiliation marks aside never makes fewer words)
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
    return _prose_words(block.kind, block.text.text)


@lru_cache(maxsize=2048)  # a document's blocks, several times over
def _prose_words(kind: str, text: str) -> int:
    words = len(text.split())
    if kind != "text" or words < 20 or not SENTENCE_END.search(text):
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
    if classify_heading(text) is not None or is_contents_entry(text):
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
    first_line = i == 0 and len(blocks) > 1 and words <= 40 and len(SENTENCE_END.findall(text)) <= 1
    return first_line and not is_author_list(text)


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
    """The size the known section headings are most often set in (0 when none): a title is bigger.
    A heading counts when a heading or prose follows it, as in an article's body: a contents
    page's `CASE REPORT` heads a list of entries, and may be set bigger."""
    sizes = [
        b.font_size
        for b, following in zip(blocks, [*blocks[1:], None])
        if b.kind == "heading"
        and classify_heading(b.text.text) is not None
        and following is not None
        and (following.kind == "heading" or prose_words(following) > 0)
    ]
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


def _segment_rank(blocks: list[Block] | tuple[Block, ...], start: int, end: int) -> tuple[bool, bool, bool, int]:
    """A case report (patients' sections, or prose with no headings to tell) before any other
    article; a whole one (it reaches its References) before the first page of the next; one that
    opens as articles do (its title, then an Abstract or first section) before prose under a
    banner (a cover page, the tail of the previous article); then the longer."""
    segment = blocks[start:end]
    kinds = [kind for b in segment[1:] if (kind := _label_kind(b)) is not None]
    # sections that start with an article's last ones (Treatment, Discussion, References) are the
    # tail of an article whose first page is not here, under some banner
    tail = bool(kinds) and (kinds[0].name in TAIL_SECTIONS or kinds[0].role == "back")
    case_report = (any(kind.role == "case" for kind in kinds) and not tail) or not kinds
    # (one citation-like line is an article's own `Citation:` line, not its reference list)
    whole = any(kind.role == "back" for kind in kinds) or sum(is_reference(b.text.text) for b in segment) >= 2
    opened = _opens_with_heading(blocks[start + 1 : end])
    return case_report, whole, opened, sum(len(b.text.text.split()) for b in segment)
