"""Link stage: spaCy `Doc` + `Article` → `Facts` (each fact attached to its patient and moment).

Case segmentation reads how case reports mark patients: run-in labels (`Case 1:`), headings
(`CASE 2`, `Patient 2`, `Case presentation 1`), phrases that switch patient (`the second
patient`, `her brother`), and table columns headed `Case 1` / `Patient 2`. Facts are taken only
from the patients' own sections (CARE sections and tables); the Abstract and Discussion restate
or cite, so they create neither duplicate nor phantom cases (the abstract is a fallback for age
and sex only). Timepoints come from the section a fact is written in and from cue phrases in its
sentence (`resources/timepoints.json`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from .lexicons import resource_json, word_list
from .nlp.components import DISEASE, DRUG, LabResult, Regimen
from .schema import CaseRow, DiagnosisRow, LabRow, MedicationRow
from .structures import Article, Facts, Section

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
RELATIVE = re.compile(
    r"\b(?:her|his|the patient's|their|the (?:boy|girl|man|woman|child|infant|patient)'s)\s+"
    r"(?:\d+[-\s]?(?:year|month)[-\s]?old\s+)?(?:younger\s+|older\s+|elder\s+|twin\s+)?"
    r"(brother|sister|son|daughter|twin)\b",
    re.I,
)
FEMALE_PRONOUNS = {"she", "her", "hers", "herself"}
MALE_PRONOUNS = {"he", "him", "his", "himself"}


def case_number(text: str) -> int | None:
    match = CASE_LABEL.match(text)
    if not match:
        return None
    token = match.group(1).lower()
    return int(token) if token.isdigit() else ORDINALS.get(token)


# --- case segmentation -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSpan:
    """Characters `start`..`end` of the article are about patient `case` (in a patients' section)."""

    start: int
    end: int
    case: int


def segment_cases(article: Article) -> list[CaseSpan]:
    """Assign every paragraph of the patients' sections to a case, in order."""
    spans: list[CaseSpan] = []
    current = 1
    heading_case: int | None = None
    previous_section = -2
    # numbered labels or headings say who is who; phrases (`her brother`) only where they are absent
    explicit = any(case_number(s.heading) is not None for s in article.sections) or any(
        p.label_end and case_number(article.text[p.start : p.label_end]) is not None for p in article.paragraphs
    )
    for paragraph in article.paragraphs:
        section = article.sections[paragraph.section] if paragraph.section >= 0 else None
        if section is None or section.role != "case":
            continue
        if paragraph.section != previous_section:
            previous_section = paragraph.section
            numbered = case_number(section.heading)
            if numbered is not None:
                heading_case = numbered
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
            continue
        if paragraph.label_end:
            numbered = case_number(article.text[paragraph.start : paragraph.label_end])
            if numbered is not None:
                current = numbered
        spans.extend(_switches_within(article, paragraph.start, paragraph.end, current, relatives=not explicit))
        current = spans[-1].case
    return spans


def _switches_within(article: Article, start: int, end: int, case: int, relatives: bool) -> list[CaseSpan]:
    """`In Patient 1`, `the second patient` or (where patients are not numbered) `her brother`
    inside a paragraph moves to another case from that sentence on."""
    text = article.text[start:end]
    cuts = []
    for match in SWITCH.finditer(text):
        cuts.append((match.start(), ORDINALS[match.group(1).lower()]))
    for match in NUMBERED.finditer(text):
        cuts.append((match.start(), int(match.group(1))))
    if relatives:
        for match in RELATIVE.finditer(text):
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


def case_at(spans: list[CaseSpan], offset: int) -> int | None:
    for span in spans:
        if span.start <= offset < span.end:
            return span.case
    return None


# --- timepoints --------------------------------------------------------------------------------


def timepoint(section: Section | None, sentence: Span | None, fact_start: int, kind: str = "") -> str:
    """The section's default, overridden by the last cue before the fact in its sentence (or the
    first cue after it when none precedes); with neither, the default for the kind of fact."""
    rules = resource_json("timepoints.json")
    default = rules["sections"].get(section.name, "") if section else ""
    default = default or rules["fact_defaults"].get(kind, "")
    if sentence is None:
        return default
    text = sentence.text.lower()
    offset = fact_start - sentence.start_char
    before: tuple[int, str] | None = None
    after: tuple[int, str] | None = None
    for moment, cue in _timepoint_cues():
        for match in cue.finditer(text):
            if match.start() <= offset and (before is None or match.start() > before[0]):
                before = (match.start(), moment)
            elif match.start() > offset and (after is None or match.start() < after[0]):
                after = (match.start(), moment)
    if before:
        return before[1]
    if after:
        return after[1]
    return default


@lru_cache(maxsize=1)
def _timepoint_cues() -> list[tuple[str, re.Pattern[str]]]:
    """Each cue of `timepoints.json` as a whole-word pattern, with its moment, in the file's order."""
    cues = resource_json("timepoints.json")["cues"]
    return [(moment, re.compile(r"\b" + re.escape(cue) + r"\b")) for moment, listed in cues.items() for cue in listed]


def column_timepoint(header: str) -> str:
    lowered = header.strip().lower()
    for moment in ("admission", "discharge", "follow-up"):
        if moment in lowered or (moment == "follow-up" and "follow up" in lowered):
            return moment
    return header.strip()


# --- facts -------------------------------------------------------------------------------------


def link(doc: Doc, article: Article, condition_filter: bool = True) -> Facts:
    """`condition_filter=False` keeps every disease candidate (what the condition filter trains on)."""
    spans = segment_cases(article)
    n_cases = max((s.case for s in spans), default=0)
    if n_cases == 0:
        # a case report always has a patient: without patients' sections, the facts come from the
        # front matter (an abstract page) or, failing that, from the whole text
        n_cases = 1
        abstracts = [s for s in article.sections if s.name == "abstract"]
        main_abstract = max(abstracts, key=lambda s: s.end - s.start) if abstracts else None
        # a web page's menu also says `Abstract`: of several abstracts, the longest is the article's
        front = [s for s in article.sections if s.role == "front" and (s.name != "abstract" or s is main_abstract)]
        spans = [CaseSpan(s.start, s.end, 1) for s in front]
        spans = spans or ([CaseSpan(0, len(article.text), 1)] if not article.sections else [])
    facts = Facts()
    if not article.text.strip():
        return facts
    for drug in (e for e in doc.ents if e.label_ == DRUG):
        facts.medications.extend(_medication_rows(article, spans, drug))
    for result in doc._.lab_results or []:
        row = _lab_row(article, spans, result, n_cases)
        if row:
            facts.labs.append(row)
    titles = [(p.start, p.end) for p in article.paragraphs if p.kind == "title"]
    for disease in (e for e in doc.ents if e.label_ == DISEASE):
        if condition_filter and disease._.is_condition is False:
            continue  # the learned filter reads it as a symptom, a sign or not a disease
        if any(lo <= disease.start_char < hi for lo, hi in titles):
            # the title names the central diagnosis: every patient of the report has it
            title_spans = [CaseSpan(disease.start_char, disease.end_char, case) for case in range(1, n_cases + 1)]
            facts.diagnoses.extend(r for s in title_spans if (r := _diagnosis_row(article, [s], disease)))
            continue
        row = _diagnosis_row(article, spans, disease)
        if row:
            facts.diagnoses.append(row)
    facts.cases = _case_rows(doc, article, spans, n_cases)
    return facts


def _provenance(article: Article, start: int, end: int, sentence: str) -> dict:
    """A fact row's provenance columns, as keyword arguments for its row class."""
    return {
        "page": article.text_map.page_at(start),
        "start_char": start,
        "end_char": end,
        "sentence": " ".join(sentence.split()),
    }


def _medication_rows(article: Article, spans: list[CaseSpan], drug: Span) -> list[MedicationRow]:
    """One row per regimen of the mention (a mention with no details is one row)."""
    case = case_at(spans, drug.start_char)
    if case is None or drug._.background or not _is_medication(drug):
        return []
    section = article.section_at(drug.start_char)
    moment = timepoint(section, drug.sent, drug.start_char, "medication")
    if drug._.certainty == "history":
        moment = "before"
    rows = []
    for regimen in drug._.regimens or [Regimen()]:
        dose = regimen.dose
        rows.append(
            MedicationRow(
                doc_id=article.doc_id,
                case_id=str(case),
                drug=drug._.normalized,
                mention=drug.text,
                dose_value=dose.value if dose else None,
                dose_unit=dose.unit if dose else "",
                dose_text=dose.text if dose else "",
                route=regimen.route or "",
                frequency=regimen.frequency or "",
                frequency_text=regimen.frequency_text or "",
                duration=regimen.duration or "",
                timepoint=moment,
                negated=bool(drug._.negex),
                **_provenance(article, drug.start_char, drug.end_char, drug.sent.text),
            )
        )
    return rows


CLASS_NAME = re.compile(
    r",\s|\b(?:agents|antagonists|agonists|inhibitors|blockers|drugs|solutions|preparations|compounds)$"
)


def _is_medication(drug: Span) -> bool:
    """A drug given to a patient, not a class (`narcotics`, `analgesics, opioid`), a molecule of the
    body or the laboratory (`serotonin`, `boric acid`), or a reagent of a method the sentence
    describes."""
    name = drug._.normalized or drug.text.lower()
    if name in word_list("drug_classes.txt") or CLASS_NAME.search(name):
        return False
    substances, method_context = _not_medications()
    if name in substances or drug.text.lower() in substances:
        return False
    has_dose = any(r.dose is not None for r in (drug._.regimens or []))
    return has_dose or not any(t.lower_ in method_context for t in drug.sent)


@lru_cache(maxsize=1)
def _not_medications() -> tuple[frozenset[str], frozenset[str]]:
    rules = resource_json("not_medications.json")
    return frozenset(rules["substances"]), frozenset(rules["method_context"])


def _lab_row(article: Article, spans: list[CaseSpan], result: LabResult, n_cases: int) -> LabRow | None:
    test = result.test
    case = case_at(spans, test.start_char)
    column_case = case_number(result.column) if result.column else None
    if column_case is not None:
        case = column_case
    elif result.column and case is None and n_cases == 1:
        case = 1
    if case is None:
        return None
    if result.value is None and not result.result:
        return None
    if result.column and column_case is None:
        moment = column_timepoint(result.column)
    else:
        moment = timepoint(article.section_at(test.start_char), test.sent, test.start_char, "lab")
    sentence = test.sent.text if not result.column else f"{result.row_label}: {result.column}"
    return LabRow(
        doc_id=article.doc_id,
        case_id=str(case),
        test=test._.normalized,
        mention=test.text,
        value=result.value,
        comparator=result.comparator,
        unit=result.unit,
        value_si=result.value_si,
        unit_si=result.unit_si,
        reference_range=result.reference_range,
        flag=result.flag,
        timepoint=moment,
        result=result.result,
        **_provenance(article, result.start, result.end, sentence),
    )


def _diagnosis_row(article: Article, spans: list[CaseSpan], disease: Span) -> DiagnosisRow | None:
    case = case_at(spans, disease.start_char)
    if case is None or disease._.background:
        return None
    if _is_symptom(disease._.normalized):
        return None
    return DiagnosisRow(
        doc_id=article.doc_id,
        case_id=str(case),
        diagnosis=disease._.normalized,
        mention=disease.text,
        negated=bool(disease._.negex),
        certainty=disease._.certainty or "confirmed",
        **_provenance(article, disease.start_char, disease.end_char, disease.sent.text),
    )


ADJECTIVE = re.compile(r"^[a-z]+(?:ful|ic|al|ous|ive|ory|ary|less)$")


def _is_symptom(name: str) -> bool:
    """Not a condition: a whole name in not_diagnoses.txt, a name whose head word is listed there
    with `*` (`heliotrope rash`), a list of symptoms (`nausea, vomiting`), a lone adjective
    (`painful`, `hemorrhagic`) or a lone pathogen (`pneumocystis`) — unless the name is a curated
    condition (`familial mediterranean fever`)."""
    if name in word_list("disease_additions.txt"):
        return False
    listed = word_list("not_diagnoses.txt")
    if name in listed:
        return True
    parts = [p.strip() for p in re.split(r",|\band\b|\bor\b|/", name) if p.strip()]
    if len(parts) > 1 and all(_is_symptom(p) for p in parts):
        return True
    words = name.split(" of ")[0].split()  # the head of `muscle weakness of limbs` is `weakness`
    if len(words) == 1 and ADJECTIVE.match(words[0]):
        return True
    if words and words[0] in word_list("microbes.txt") and len(words) <= 2 and not INFECTION_WORD.search(name):
        return True
    return bool(words and f"*{words[-1]}" in listed)


INFECTION_WORD = re.compile(r"infection|itis|osis|emia|abscess|sepsis|disease|syndrome|pneumonia", re.I)


def _case_rows(doc: Doc, article: Article, spans: list[CaseSpan], n_cases: int) -> list[CaseRow]:
    rows = []
    abstract = [d for d in doc._.demographics if _role_at(article, d.start) == "front"]
    for case in range(1, n_cases + 1):
        own = [d for d in doc._.demographics if case_at(spans, d.start) == case]
        if not own:
            own = [d for d in abstract if _mentions_case(d.sentence, case, n_cases)]
        age = next((d for d in own if d.age_years is not None), None)
        # the sex said with the age (`a 52-year-old woman`) before a sex word alone (`a woman`)
        sex_source = next((d for d in own if d.sex and d.age_years is not None), None) or next(
            (d for d in own if d.sex), None
        )
        sex = sex_source.sex if sex_source else _pronoun_sex(doc, spans, case)
        evidence, bounds = [], []
        for source in (age, sex_source):
            sentence = " ".join(source.sentence.split()) if source else ""
            if sentence and sentence not in evidence:
                evidence.append(sentence)
                bounds.append(_sentence_bounds(doc, source.start))
        rows.append(
            CaseRow(
                doc_id=article.doc_id,
                case_id=str(case),
                age_years=age.age_years if age else None,
                sex=sex,
                evidence=" … ".join(evidence),
                start_char=min(start for start, _ in bounds) if bounds else None,
                end_char=max(end for _, end in bounds) if bounds else None,
            )
        )
    return rows


def _sentence_bounds(doc: Doc, offset: int) -> tuple[int, int]:
    sentence = doc[doc.char_span(offset, offset + 1, alignment_mode="expand").start].sent
    return sentence.start_char, sentence.end_char


def _role_at(article: Article, offset: int) -> str:
    section = article.section_at(offset)
    return section.role if section else "front"


def _mentions_case(sentence: str, case: int, n_cases: int) -> bool:
    if n_cases == 1:
        return True
    return bool(re.search(rf"\b(case|patient)\s*{case}\b", sentence, re.I))


def _pronoun_sex(doc: Doc, spans: list[CaseSpan], case: int) -> str:
    counts: Counter[str] = Counter()
    for token in doc:
        sex = "female" if token.lower_ in FEMALE_PRONOUNS else "male" if token.lower_ in MALE_PRONOUNS else ""
        if sex and case_at(spans, token.idx) == case:  # look the case up for pronouns only
            counts[sex] += 1
    if not counts:
        return ""
    (sex, count), *rest = counts.most_common()
    return sex if not rest or count >= 3 * rest[0][1] else ""
