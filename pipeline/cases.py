"""Case segmentation: which patient each part of an article is about.

Case reports mark patients with run-in labels (`Case 1:`), headings (`CASE 2`, `Patient 2`, `Case
presentation 1`), phrases that switch patient (`the second patient`, `her brother`), and table
columns headed `Case 1` / `Patient 2`. Only the patients' own sections (role `case`) are segmented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicons import resource_json
from .structures import Article

CASE_LABEL = re.compile(
    r"^\s*(?:case|patient)\s*(?:presentation\s*|report\s*)?#?\s*(\d+|[ivx]+|one|two|three|four|five)\b", re.I
)
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
}
SWITCH = re.compile(r"\b(?:the|our)\s+(first|second|third|fourth|fifth)\s+(?:patient|case)\b", re.I)
NUMBERED = re.compile(r"\b(?:(?:in|for)\s+(?:patient|case)|(?:^|(?<=[.;]\s))(?:Patient|Case))\s*#?\s*(\d+)\b", re.I)


def _relative_pattern(relatives: dict) -> re.Pattern[str]:
    """`her brother`, `the patient's 12-year-old twin sister`: a relative who may be a patient too
    (`relatives.json`, the list the NLP stage tells family history with)."""
    owners = "|".join(re.escape(w) for w in relatives["owners"])
    who = "|".join(re.escape(w) for w in relatives["may_be_patients"])
    return re.compile(
        rf"\b(?:{owners})\s+(?:\d+[-\s]?(?:year|month)[-\s]?old\s+)?(?:younger\s+|older\s+|elder\s+|twin\s+)?({who})\b",
        re.I,
    )


RELATIVE = _relative_pattern(resource_json("relatives.json"))
# a relative becomes a patient of the report only when the report gives them an age of their own
OWN_AGE = re.compile(r"\b\d+[-\s]?(?:year|yr|month|week|day)s?[-\s]?old\b", re.I)
# a sentence that introduces a patient: `A 60-year-old man developed …` (as abstracts do, one after
# another in a paragraph)
INTRODUCTION = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))An?\s+\d+[-\s]?(?:year|yr|month|week|day)s?[-\s]?old\s+"
    r"(?:woman|man|girl|boy|female|male|patient|infant|child|lady|gentleman|neonate|newborn)\b",
    re.M,
)


def case_number(text: str) -> int | None:
    match = CASE_LABEL.match(text)
    if not match:
        return None
    token = match.group(1).lower()
    return int(token) if token.isdigit() else ORDINALS.get(token)


@dataclass(frozen=True)
class CaseSpan:
    """Characters `start`..`end` of the article are about patient `case` (in a patients' section)."""

    start: int
    end: int
    case: int


def segment_cases(article: Article) -> list[CaseSpan]:
    """Assign every paragraph of the patients' sections to a case, in order. When the input holds
    several articles, each one's patients are new cases, numbered on from the previous article's."""
    spans: list[CaseSpan] = []
    current = 1
    heading_case: int | None = None
    previous_section = -2
    article_number, before = 0, 0  # the article being read, and how many patients came before it
    highest = 0  # the highest case number given so far
    introduced = False  # has the article introduced a patient yet (`A 45-year-old woman …`)?
    # numbered labels or headings say who is who; phrases (`her brother`) only where they are absent
    explicit = any(case_number(s.heading) is not None for s in article.sections) or any(
        p.label_end and case_number(article.text[p.start : p.label_end]) is not None for p in article.paragraphs
    )
    for paragraph in article.paragraphs:
        section = article.sections[paragraph.section] if paragraph.section >= 0 else None
        if section is None or section.role != "case":
            continue
        if section.article != article_number:
            article_number, before = section.article, highest
            current, heading_case, introduced = before + 1, None, False
        if paragraph.section != previous_section:
            previous_section = paragraph.section
            numbered = case_number(section.heading)
            if numbered is not None:
                heading_case = before + numbered
            elif section.level <= 1:
                heading_case = None
            if heading_case is not None:
                current = heading_case
        if paragraph.kind == "heading":
            continue
        if paragraph.kind == "caption":
            # a figure legend (`Figure 2 … of Case 1`) sits where the layout put it, not where the
            # narrative is: it neither switches nor ends the current patient
            spans.append(CaseSpan(paragraph.start, paragraph.end, current))
            highest = max(highest, current)
            continue
        if paragraph.label_end:
            numbered = case_number(article.text[paragraph.start : paragraph.label_end])
            if numbered is not None:
                current = before + numbered
        found = _switches_within(
            article, paragraph.start, paragraph.end, current, relatives=not explicit, before=before
        )
        if not explicit:
            found, introduced = _introductions(article, found, introduced, highest if spans else current)
        spans.extend(found)
        highest = max(highest, *(s.case for s in found))
        current = spans[-1].case
    return spans


def _switches_within(
    article: Article, start: int, end: int, case: int, relatives: bool, before: int = 0
) -> list[CaseSpan]:
    """`In Patient 1`, `the second patient` or (where patients are not numbered) `her brother`
    inside a paragraph moves to another case from that sentence on (`before`: the patients of
    the input's earlier articles, whom this article's numbers come after)."""
    text = article.text[start:end]
    cuts = []
    for match in SWITCH.finditer(text):
        cuts.append((match.start(), before + ORDINALS[match.group(1).lower()]))
    for match in NUMBERED.finditer(text):
        cuts.append((match.start(), before + int(match.group(1))))
    if relatives:
        for match in RELATIVE.finditer(text):
            sentence_end = text.find(". ", match.end())
            if OWN_AGE.search(text, match.start(), sentence_end if sentence_end >= 0 else len(text)):
                cuts.append((match.start(), case + 1))
    if not cuts:
        return [CaseSpan(start, end, case)]
    spans, position = [], start
    for offset, number in sorted(cuts):
        full_stop = text.rfind(". ", 0, offset)
        sentence_start = start + full_stop + 2 if full_stop >= 0 else start
        if sentence_start > position:
            spans.append(CaseSpan(position, sentence_start, case))
            position = sentence_start
        case = number
    spans.append(CaseSpan(position, end, case))
    return spans


def _introductions(
    article: Article, spans: list[CaseSpan], introduced: bool, highest: int
) -> tuple[list[CaseSpan], bool]:
    """Where patients are not numbered, each sentence that introduces a patient after the first
    (`A 45-year-old woman developed … A 60-year-old man developed …`) opens the next case."""
    out = []
    highest = max([highest, *(s.case for s in spans)])
    for span in spans:
        position, case = span.start, span.case
        for match in INTRODUCTION.finditer(article.text, span.start, span.end):
            if not introduced:
                introduced = True
                continue
            if match.start() > position:
                out.append(CaseSpan(position, match.start(), case))
            highest += 1
            position, case = match.start(), highest
        out.append(CaseSpan(position, span.end, case))
    return out, introduced


def mentions_case(sentence: str, case: int, n_cases: int) -> bool:
    """Does an abstract's sentence speak of patient `case` (`Case 2`, `patient 2`)? With one patient, all do."""
    if n_cases == 1:
        return True
    return bool(re.search(rf"\b(case|patient)\s*{case}\b", sentence, re.I))


def case_at(spans: list[CaseSpan], offset: int) -> int | None:
    for span in spans:
        if span.start <= offset < span.end:
            return span.case
    return None


def patients_under_title(offset: int, titles: list[tuple[int, int]], spans: list[CaseSpan]) -> list[int]:
    """The patients of the article a title heads: those written after it and before the next
    article's title (an input may hold several case reports)."""
    following = [lo for lo, _ in titles if lo > offset]
    until = min(following) if following else float("inf")
    return sorted({s.case for s in spans if offset <= s.start < until})


def patient_of(article: Article, spans: list[CaseSpan], offset: int) -> int | None:
    """The patient a part of the text is about: its case's, else, in an input that holds several
    articles, the one patient of the article it is in (its title, abstract or discussion), as a
    report read alone gives every mention to its one patient."""
    if (case := case_at(spans, offset)) is not None:
        return case
    titles = [(p.start, p.end) for p in article.paragraphs if p.kind == "title"]
    if any(lo <= offset < hi for lo, hi in titles):
        theirs = set(patients_under_title(offset, titles, spans))
    elif (section := article.section_at(offset)) is not None:
        theirs = {
            span.case for span in spans if getattr(article.section_at(span.start), "article", -1) == section.article
        }
    else:
        return None
    return next(iter(theirs)) if len(theirs) == 1 else None
