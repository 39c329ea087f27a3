"""Link stage: spaCy `Doc` + `Article` → `Facts` (each fact attached to its patient and moment).

Which patient a part of the article is about comes from `cases` (case segmentation), when a fact
holds from `timepoints`. Facts are taken only from the patients' own sections (CARE sections and
tables); the Abstract and Discussion restate or cite, so they create neither duplicate nor phantom
cases (the abstract is a fallback for age and sex only).
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span

from .cases import CaseSpan, case_at, case_number, mentions_case, patients_under_title, segment_cases
from .nlp.components import DISEASE, DRUG, Codes, LabResult, Regimen
from .nlp.fact_types import BY_CLASSIFIER, table_certainty
from .schema import CaseRow, DiagnosisRow, LabRow, MedicationRow
from .structures import Article, Facts
from .timepoints import column_timepoint, timepoint

# --- facts -------------------------------------------------------------------------------------


def link(doc: Doc, article: Article, condition_filter: bool = True) -> Facts:
    """`condition_filter=False` also keeps the conditions the learned condition filter typed as
    symptoms (every candidate: what the filter trains on)."""
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
        spans = [CaseSpan(s.start, s.end, 1) for s in front] or _outside_background(article)
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
        if any(lo <= disease.start_char < hi for lo, hi in titles):
            # the title names the central diagnosis: every patient of the report has it
            patients = patients_under_title(disease.start_char, titles, spans) or range(1, n_cases + 1)
            title_spans = [CaseSpan(disease.start_char, disease.end_char, case) for case in patients]
            facts.diagnoses.extend(
                r for s in title_spans if (r := _diagnosis_row(article, [s], disease, condition_filter))
            )
            continue
        row = _diagnosis_row(article, spans, disease, condition_filter)
        if row:
            facts.diagnoses.append(row)
    facts.cases = _case_rows(doc, article, spans, n_cases)
    return facts


def _outside_background(article: Article) -> list[CaseSpan]:
    """The text no background or back-matter section claims: a report written without CARE
    headings (a journal's running text, one stray `Follow-up` line) is still about its patient."""
    spans, start = [], 0
    for section in sorted(article.sections, key=lambda s: s.start):
        if section.role in ("background", "back"):
            if section.start > start:
                spans.append(CaseSpan(start, section.start, 1))
            start = max(start, section.end)
    if start < len(article.text):
        spans.append(CaseSpan(start, len(article.text), 1))
    return spans


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
    if case is None or drug._.fact_type != "drug" or drug._.subject:
        return []  # a class, a substance or a reagent; a relative's, a donor's or the literature's
    section = article.section_at(drug.start_char)
    moment = timepoint(section, drug.sent, drug.start_char, "medication")
    if drug._.certainty == "history":  # `no prior warfarin use` is before, negated or not
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
                drugbank_id=drug._.codes.drugbank_id if drug._.codes else "",
                mesh_id=drug._.codes.mesh_id if drug._.codes else "",
            )
        )
    return rows


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
    if (result.value is None and not result.result) or result.general:
        return None
    if result.column and column_case is None:
        moment = column_timepoint(result.column)
    else:
        moment = timepoint(article.section_at(test.start_char), test.sent, test.start_char, "lab")
    sentence = test.sent.text if not result.column else f"{result.row_label}: {result.column}"
    return LabRow(
        doc_id=article.doc_id,
        case_id=str(case),
        test=result.name or test._.normalized,
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
        loinc=result.loinc,
    )


def _diagnosis_row(
    article: Article, spans: list[CaseSpan], disease: Span, condition_filter: bool = True
) -> DiagnosisRow | None:
    case = case_at(spans, disease.start_char)
    typed = disease._.fact_type == "diagnosis" or (not condition_filter and disease._.type_evidence == BY_CLASSIFIER)
    if case is None or not typed or disease._.subject == "literature":
        return None
    return DiagnosisRow(
        doc_id=article.doc_id,
        case_id=str(case),
        diagnosis=disease._.normalized,
        mention=disease.text,
        negated=bool(disease._.negex),
        certainty=table_certainty(disease),
        subject=disease._.subject,  # a relative's or a donor's condition is the patient's family history
        **_provenance(article, disease.start_char, disease.end_char, disease.sent.text),
        **_condition_codes(disease._.codes),
    )


def _condition_codes(codes: Codes | None) -> dict[str, str]:
    if codes is None:
        return {}
    return {
        "icd10cm": codes.icd10cm,
        "icd10cm_title": codes.icd10cm_title,
        "doid": codes.doid,
        "mesh_id": codes.mesh_id,
        "code_evidence": codes.evidence,
        "icd10cm_block": codes.icd10cm_block,
        "icd10cm_block_title": codes.icd10cm_block_title,
    }


def _case_rows(doc: Doc, article: Article, spans: list[CaseSpan], n_cases: int) -> list[CaseRow]:
    rows = []
    abstract = [d for d in doc._.demographics if _role_at(article, d.start) == "front"]
    for case in range(1, n_cases + 1):
        own = [d for d in doc._.demographics if case_at(spans, d.start) == case]
        if not own:
            own = [d for d in abstract if mentions_case(d.sentence, case, n_cases)]
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


def _pronoun_sex(doc: Doc, spans: list[CaseSpan], case: int) -> str:
    """The sex most of the patient's pronouns tell (three to one at least)."""
    counts = Counter(sex for offset, sex in doc._.pronouns or [] if case_at(spans, offset) == case)
    if not counts:
        return ""
    (sex, count), *rest = counts.most_common()
    return sex if not rest or count >= 3 * rest[0][1] else ""
