"""Small raised and lowered text, and words split at line ends.

Super/subscripts are attached to the word they touch (so `10⁹` stays on its line) and written as
`^9` / plain subscripts (so it never becomes `109`). Line-end hyphens are removed only when the
typesetter split the word (`immuno-globulin`), not when the hyphen is the word's own
(`anti-MDA5`, `follow-up`).
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Iterable

from ..lexicons import word_list
from ..normalize import clean_chars, superscript
from ..structures import Box, TextMap, TextMapBuilder
from .settings import PdfSettings
from .words import Row, Word

HYPHENS = ("-", "\u2010", "\u00ad")
WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]")


# --- super/subscripts ---------------------------------------------------------------------------


def script_hosts(by_top: list[Word], script_ratio: float) -> dict[int, Word]:
    """Small words that touch a larger word on their left or right: id(script) → that word.

    A word is compared only with the words large enough to host it (listed once per font size:
    a page has few), so body text on a page with a big title is not compared with every word
    around it."""
    hosts: dict[int, Word] = {}
    larger: dict[float, tuple[list[float], list[Word]]] = {}
    for word in by_top:
        if word.size not in larger:
            bigger = [w for w in by_top if w.size * script_ratio > word.size]
            larger[word.size] = ([w.top for w in bigger], bigger)
        tops, bigger = larger[word.size]
        lo = bisect.bisect_left(tops, word.top - 2 * word.size)
        hi = bisect.bisect_right(tops, word.top + 2 * word.size)
        best = None
        for other in bigger[lo:hi]:
            if id(other) in hosts:
                continue
            if min(other.bottom, word.bottom) <= max(other.top, word.top):
                continue  # no vertical overlap
            touching = -1.0 <= word.x0 - other.x1 <= 1.5 or -1.0 <= other.x0 - word.x1 <= 1.5
            if touching:
                best = other
                break
        if best is not None:
            hosts[id(word)] = best
    return hosts


def render_words(words: list[Word], settings: PdfSettings) -> tuple[TextMap, int]:
    """Text of one printed line, with super/subscripts marked; and the length of a leading bold run."""
    return render_row(Row(sorted(words, key=lambda w: w.x0), settings.script_size_ratio), settings)


def render_row(row: Row, settings: PdfSettings) -> tuple[TextMap, int]:
    """`render_words` of a row whose words are in order from left to right.

    Each word is one run of the text map (its characters share the word's box: provenance reads
    only a text's page, and a box per character made a run per character, copied at every stage
    after this one); the space after a word joins the word's run, a superscript's `^` the
    superscript's."""
    size = row.size
    middle = statistics.median(w.middle for w in row.main_words)
    script_size, shift_limit, gap = (
        settings.script_size_ratio * size,
        settings.script_shift_ratio * size,
        settings.space_ratio * size,
    )
    builder = TextMapBuilder()
    previous: Word | None = None
    lead_bold, in_lead = 0, True
    for word in row.words:
        role = "main"
        if word.size < script_size:
            shift = word.middle - middle
            if shift < -shift_limit:
                role = "sup"
            elif shift > shift_limit:
                role = "sub"
        text = clean_chars([c["text"] for c in word.chars])
        if role == "sup":
            marked = superscript(text)
            text = marked[: len(marked) - len(text)] + text  # the `^` marker, if any, then the text
        if previous is not None and word.x0 - previous.x1 > gap:
            builder.append(" ", builder.last_box())
        builder.append(text, Box(word.page, word.x0, word.top, word.x1, word.bottom))
        if in_lead and role == "main":
            if word.bold:
                lead_bold = len(builder)
            else:
                in_lead = False
        previous = word
    if in_lead:
        lead_bold = 0  # the whole line is bold: a heading, not a run-in label
    return builder.build(), lead_bold


# --- line joining and hyphenation --------------------------------------------------------------


def document_vocabulary(texts: Iterable[str]) -> Counter[str]:
    """How often the article spells each word, leaving out the halves of words split at line ends
    (the `lights` of `high-` / `lights`), which would otherwise vouch for their own split.

    `texts` are the article's printed lines in reading order."""
    vocab: Counter[str] = Counter()
    after_hyphen = False
    for text in texts:
        for i, match in enumerate(WORD.finditer(text)):
            at_end = match.end() < len(text) and text[match.end() :].strip() in HYPHENS
            if not at_end and not (i == 0 and after_hyphen and match.start() == len(text) - len(text.lstrip())):
                vocab[match.group(0).lower()] += 1
        after_hyphen = text.rstrip().endswith(HYPHENS)
    return vocab


def keep_line_end_hyphen(left: str, right: str, vocab: Counter[str]) -> bool:
    """Whether `left-` at a line end followed by `right` is a real hyphen (`anti-MDA5`).

    The article's own spelling decides first (it says `immunoglobulin` or `follow-up`
    elsewhere); then bound prefixes that keep their hyphen (`anti-`), and words that begin
    compounds (`high-dose`) when the rest is a word the article uses on its own (`dose`, but not the
    `lights` of `high-lights`); otherwise the typesetter split it.
    """
    head = re.search(r"[A-Za-z]+$", left)
    tail = re.match(r"[A-Za-z]+", right)
    if not head or not tail or not right[:1].islower():
        return True
    head_s, tail_s = head.group(0).lower(), tail.group(0).lower()
    joined, hyphenated = head_s + tail_s, f"{head_s}-{tail_s}"
    if vocab[hyphenated] > vocab[joined]:
        return True
    if vocab[joined]:
        return False
    if head_s in word_list("hyphen_prefixes.txt"):
        return True
    return head_s in word_list("hyphen_word_prefixes.txt") and vocab[tail_s] > 0


def join_texts(maps: list[TextMap], vocab: Counter[str]) -> TextMap:
    """Lines → one paragraph: a space between lines, none after a line-end hyphen, which is
    dropped when the typesetter put it there."""
    builder = TextMapBuilder()
    for i, mapped in enumerate(maps):
        text = mapped.text
        following = maps[i + 1].text if i + 1 < len(maps) else None
        if following is not None and text.endswith(HYPHENS) and text[-2:-1].isalpha():
            keep = keep_line_end_hyphen(text[:-1], following, vocab)
            builder.extend(mapped, 0, len(text) if keep else len(text) - 1)
            continue
        builder.extend(mapped)
        if following:
            builder.append(" ", builder.last_box())
    return builder.build()
