"""Whose facts are whose: relatives, donors and neonates; what each span is, decided once in the NLP
stage (`casextract_fact_types`); and every component writing only what it declares. The reports
here are written for these tests, in wording the resource lists were not written from."""

from __future__ import annotations

import pytest
from conftest import analyse_text, facts_of
from spacy.tokens import Doc

from pipeline.link import link
from pipeline.nlp import analyse, load_pipeline
from pipeline.sections import build_article


def test_the_five_line_report_has_one_patient_and_her_sisters_lupus_is_family_history():
    facts = facts_of(
        "A 30-year-old woman presented with joint pain and a malar rash. Her sister had systemic lupus "
        "erythematosus. She was given prednisone 40 mg daily. Her serum creatinine was 1.8 mg/dL on admission."
        "\n\nFINAL DIAGNOSIS: Lupus nephritis."
    )
    assert [(c.case_id, c.age_years, c.sex) for c in facts.cases] == [("1", 30, "female")]
    assert [(m.case_id, m.drug, m.dose_value) for m in facts.medications] == [("1", "prednisone", 40)]
    assert [(r.case_id, r.test, r.value) for r in facts.labs] == [("1", "creatinine", 1.8)]
    diagnoses = {(d.case_id, d.diagnosis, d.certainty, d.subject) for d in facts.diagnoses}
    assert ("1", "systemic lupus erythematosus", "history", "sister") in diagnoses
    assert ("1", "lupus nephritis", "confirmed", "") in diagnoses


# (report, the relative's condition, who): one patient, whose facts are all case 1
RELATIVES = [
    (
        "A 42-year-old man was admitted with fever and arthralgia. His brother had familial Mediterranean "
        "fever. He was started on colchicine 0.5 mg twice daily. His C-reactive protein was 86 mg/L on admission.",
        "familial mediterranean fever",
        "brother",
    ),
    (
        "A 19-year-old woman presented with palpitations and weight loss. Her mother had Graves disease. "
        "She received methimazole 10 mg daily. Her free thyroxine was 48 pmol/L on admission.",
        "graves disease",
        "mother",
    ),
    (
        "A 55-year-old man presented with chest pain. His father died of myocardial infarction at 50 years "
        "of age. He was given aspirin 100 mg daily. His troponin I was 2.4 ng/mL on admission.",
        "myocardial infarction",
        "father",
    ),
    (
        "A 16-year-old girl presented with polyuria and polydipsia. Her twin sister had type 1 diabetes "
        "mellitus. She was treated with insulin glargine 10 units daily. Her blood glucose was 24 mmol/L.",
        "type 1 diabetes mellitus",
        "twin sister",
    ),
    (
        "A 47-year-old man underwent kidney transplantation. The donor had cytomegalovirus infection. He "
        "received valganciclovir 900 mg daily. His creatinine was 1.4 mg/dL at discharge.",
        "cytomegalovirus infection",
        "donor",
    ),
    (
        "A 33-year-old woman presented with cough and night sweats. Her husband had pulmonary tuberculosis. "
        "She was started on isoniazid 300 mg daily. Her erythrocyte sedimentation rate was 64 mm/h.",
        "pulmonary tuberculosis",
        "husband",
    ),
    (
        "A 61-year-old woman presented with easy bruising. Her daughter, who was also examined, had von "
        "Willebrand disease. She was given desmopressin 0.3 μg/kg once. Her platelet count was 210 × 10^9/L.",
        "von willebrand disease",
        "daughter",
    ),
    (
        "A 70-year-old man presented with memory loss. His son had early-onset Alzheimer disease. He was "
        "started on donepezil 5 mg daily. His ferritin was 320 μg/L on admission.",
        "alzheimer disease",
        "son",
    ),
]


@pytest.mark.parametrize("text, condition, who", RELATIVES)
def test_a_relatives_condition_is_family_history_and_never_a_patient(text, condition, who):
    facts = facts_of(text)
    assert [c.case_id for c in facts.cases] == ["1"]
    assert facts.medications and {m.case_id for m in facts.medications} == {"1"}
    assert facts.labs and {r.case_id for r in facts.labs} == {"1"}
    assert (condition, "history", who) in {(d.diagnosis, d.certainty, d.subject) for d in facts.diagnoses}
    assert all(d.subject == "" for d in facts.diagnoses if d.diagnosis != condition)


def test_two_patients_introduced_in_one_paragraph_are_two_cases():
    facts = facts_of(
        "A 45-year-old woman developed hepatitis after starting nitrofurantoin 100 mg twice daily. A "
        "60-year-old man developed hepatitis after starting amoxicillin-clavulanate 875 mg twice daily."
    )
    assert [(c.case_id, c.age_years, c.sex) for c in facts.cases] == [("1", 45, "female"), ("2", 60, "male")]
    assert {(m.case_id, m.drug) for m in facts.medications} == {
        ("1", "nitrofurantoin"),
        ("2", "amoxicillin-clavulanic acid"),
    }
    assert {(d.case_id, d.diagnosis) for d in facts.diagnoses} == {("1", "hepatitis"), ("2", "hepatitis")}


def test_a_neonate_and_its_mother_are_both_patients_when_the_report_says_so():
    facts = facts_of(
        "A 28-year-old woman with gestational diabetes delivered at 38 weeks. A 1-day-old male neonate had "
        "hypoglycemia. His blood glucose was 1.6 mmol/L on day 1."
    )
    assert [(c.case_id, c.sex) for c in facts.cases] == [("1", "female"), ("2", "male")]
    assert {(d.case_id, d.diagnosis) for d in facts.diagnoses} == {("1", "gestational diabetes"), ("2", "hypoglycemia")}
    assert [(r.case_id, r.value) for r in facts.labs] == [("2", 1.6)]


def test_a_sibling_with_an_age_of_their_own_is_a_second_patient():
    facts = facts_of(
        "A 24-year-old man had recurrent fever and abdominal pain. His brother, a 19-year-old man, had "
        "the same attacks and was given colchicine 1 mg daily."
    )
    assert [(c.case_id, c.age_years) for c in facts.cases] == [("1", 24), ("2", 19)]
    assert [(m.case_id, m.drug) for m in facts.medications] == [("2", "colchicine")]


@pytest.mark.parametrize(
    "name, fact_type",
    [
        ("statins", "drug class"),
        ("opioids", "drug class"),
        ("immunosuppressants", "drug class"),
        ("serotonin", "other"),
        ("meropenem", "drug"),
    ],
)
def test_drug_classes_and_substances_are_not_drugs(name, fact_type):
    doc = analyse_text(f"She received {name} for the infection.")
    (drug,) = [e for e in doc.ents if e.label_ == "DRUG"] or [None]
    if drug is None:
        pytest.fail(f"{name} not recognised")
    assert drug._.fact_type == fact_type and drug._.type_evidence


def test_every_component_writes_only_what_it_declares(corpus_spec, tmp_path):
    """Each of the project's components, run on a real article, changes only the Doc, Span and
    Token attributes and the `doc.ents` its factory declares in `assigns` (what spaCy's pipe
    analysis reads); third-party ones (scispaCy's abbreviations) declare nothing to hold them to."""
    from pipeline.pdf import read_pdf
    from tools.journal_pdf import render_pdf

    render_pdf(corpus_spec, tmp_path / "a.pdf")
    article = build_article(read_pdf(tmp_path / "a.pdf"), "a")
    nlp = load_pipeline()
    doc = nlp.make_doc(article.text)
    doc._.article = article
    for name, component in nlp.pipeline:
        if name in nlp.disabled or not nlp.get_pipe_meta(name).factory.startswith("casextract_"):
            doc = component(doc) if name not in nlp.disabled else doc
            continue
        before = _written(doc)
        doc = component(doc)
        changed = {what for what, value in _written(doc).items() if before.get(what, _MISSING) != value}
        declared = set(nlp.get_pipe_meta(name).assigns)
        assert changed <= declared, f"{name} writes {sorted(changed - declared)} without declaring it"


_MISSING = object()


def _written(doc: Doc) -> dict[str, object]:
    """What components write, by the name `assigns` uses: extensions and the entities."""
    values: dict[str, list] = {"doc.ents": [(e.start, e.end, e.label_) for e in doc.ents]}
    for key, value in doc.user_data.items():
        if not (isinstance(key, tuple) and len(key) == 4 and key[0] == "._."):
            continue
        _, attr, start, end = key
        kind = "doc" if start is None else "token" if end is None else "span"
        values.setdefault(f"{kind}._.{attr}", []).append((start, end, repr(value)))
    return {what: sorted(v, key=repr) if what != "doc.ents" else v for what, v in values.items()}


def _articles_to_check(tmp_path):
    from conftest import SHARED, SPECS

    from pipeline.pdf import read_pdf
    from pipeline.textfile import read_text
    from tools.journal_pdf import load_spec, render_pdf

    for spec_path in sorted(SPECS.glob("*.json")):
        render_pdf(load_spec(spec_path), tmp_path / f"{spec_path.stem}.pdf")
        yield build_article(read_pdf(tmp_path / f"{spec_path.stem}.pdf"), spec_path.stem)
    seed = SHARED / "seeds" / "000_30e9b2de46709c67.txt"
    if seed.exists():
        yield build_article(read_text(seed), "wjcc-2023-11-5351")


def _in_patients_part(ent, spans, titles) -> bool:
    from pipeline.cases import case_at

    return case_at(spans, ent.start_char) is not None or any(lo <= ent.start_char < hi for lo, hi in titles)


def test_the_docs_typed_patient_facts_and_the_tables_agree(tmp_path):
    """Every DRUG span typed a drug of the patient's has its medication rows, every DISEASE span
    typed a diagnosis in a patient's part (or in the title) its diagnosis rows, and no row is
    without its span: the tables are what the NLP stage decided, nothing more or less."""
    from pipeline.cases import case_at, segment_cases

    for article in _articles_to_check(tmp_path):
        doc = analyse(article)
        facts = link(doc, article)
        spans = segment_cases(article)
        titles = [(p.start, p.end) for p in article.paragraphs if p.kind == "title"]

        drugs = {
            e.start_char
            for e in doc.ents
            if e.label_ == "DRUG" and e._.fact_type == "drug" and not e._.subject and case_at(spans, e.start_char)
        }
        diagnoses = {
            e.start_char
            for e in doc.ents
            if e.label_ == "DISEASE"
            and e._.fact_type == "diagnosis"
            and e._.subject != "literature"
            and _in_patients_part(e, spans, titles)
        }
        assert {m.start_char for m in facts.medications} == drugs, article.doc_id
        assert {d.start_char for d in facts.diagnoses} == diagnoses, article.doc_id
        assert drugs and diagnoses, article.doc_id


def test_in_a_neonates_report_the_mothers_conditions_are_family_history():
    facts = facts_of(
        "A 2-day-old male neonate was born to a 31-year-old mother with gestational diabetes. He had "
        "hypoglycemia. His blood glucose was 1.5 mmol/L."
    )
    assert [(c.case_id, c.sex) for c in facts.cases] == [("1", "male")]
    assert {(d.diagnosis, d.certainty, d.subject) for d in facts.diagnoses} == {
        ("gestational diabetes", "history", "mother"),
        ("hypoglycemia", "confirmed", ""),
    }


def test_a_previous_reports_patient_is_not_a_case():
    facts = facts_of(
        "A 40-year-old woman presented with fever. A previous report described a 52-year-old man with the "
        "same syndrome. She was given ceftriaxone 2 g daily."
    )
    assert [(c.case_id, c.age_years) for c in facts.cases] == [("1", 40)]
    assert [(m.case_id, m.drug) for m in facts.medications] == [("1", "ceftriaxone")]


def test_each_condition_carries_its_assertion_and_the_tables_the_contracts_certainty():
    text = (
        "A 58-year-old man was admitted with night sweats. The differential diagnoses included sarcoidosis. "
        "His father had colon cancer. There was no evidence of tuberculosis. He had a history of hypertension. "
        "Lymphoma was suspected. A lymph node biopsy showed histoplasmosis."
    )
    doc = analyse_text(text)
    assertions = {e._.normalized: e._.assertion for e in doc.ents if e._.fact_type == "diagnosis"}
    assert assertions == {
        "sarcoidosis": "differential",
        "colon cancer": "history",
        "tuberculosis": "negated",
        "hypertension": "history",
        "lymphoma": "suspected",
        "histoplasmosis": "confirmed",
    }
    assert all(e._.assertion_evidence for e in doc.ents if e._.fact_type == "diagnosis")
    table = {(d.diagnosis, d.certainty, d.negated, d.subject) for d in facts_of(text).diagnoses}
    # the table says `suspected` for a differential, and keeps negation in its own column
    assert ("sarcoidosis", "suspected", False, "") in table
    assert ("colon cancer", "history", False, "father") in table
    assert ("tuberculosis", "confirmed", True, "") in table


def test_sex_from_pronouns_is_counted_per_patient():
    facts = facts_of(
        "Case 1\n\nA patient aged 40 years presented with a cough. She smoked. Her chest film was clear. "
        "She was discharged.\n\nCase 2\n\nA patient aged 61 years had dyspnoea. He had smoked since youth; "
        "his spirometry was obstructive and he improved."
    )
    assert [(c.case_id, c.age_years, c.sex) for c in facts.cases] == [("1", 40, "female"), ("2", 61, "male")]


def _typed_by_recogniser(text: str, disease: str, case_spans: list[tuple[str, str]], read_all: bool = True):
    """The fact type of `disease` in `text` when the case-report recogniser found `case_spans`."""
    from spacy.tokens import Span

    from pipeline.nlp.fact_types import FactTypes

    doc = load_pipeline().make_doc(text)

    def span_of(words: str, label: str) -> Span:
        start = text.index(words)
        return doc.char_span(start, start + len(words), label=label)

    entity = span_of(disease, "DISEASE")
    entity._.normalized = disease.lower()
    read = [(0, len(doc))] if read_all else []
    types = FactTypes()
    types.ready()
    labels = types.token_labels(_with_spans(doc, [span_of(w, label) for w, label in case_spans]))
    return types.recognised(entity, labels, read)


def _with_spans(doc: Doc, spans) -> Doc:
    doc.spans["case"] = spans
    return doc


def test_the_case_recogniser_and_the_vocabularies_type_conditions():
    # a sign to the recogniser, named by no disease vocabulary: a symptom
    assert _typed_by_recogniser(
        "She had waxing nodular plaques on both shins.",
        "waxing nodular plaques",
        [("waxing nodular plaques", "Sign_symptom")],
    ) == ("symptom", "the recogniser reads a Sign_symptom")
    # a sign to the recogniser, but a disease to the Disease Ontology and MeSH: the word lists decide
    assert _typed_by_recogniser("He had hypertension.", "hypertension", [("hypertension", "Sign_symptom")]) is None
    # found by a list, where the recogniser found nothing and no vocabulary knows the name: not a condition
    typed = _typed_by_recogniser("The facility was closed. He had a fever.", "facility", [("fever", "Sign_symptom")])
    assert typed is not None and typed[0] == "other"
    # … but only where it read: elsewhere (a Discussion) the word lists decide
    assert _typed_by_recogniser("The facility was closed.", "facility", [], read_all=False) is None
    # a vocabulary's name in the plural is still a vocabulary's name
    assert _typed_by_recogniser("CT showed abscesses.", "abscesses", [("abscesses", "Sign_symptom")]) is None
    # the recogniser's own disorders overrule no list
    assert _typed_by_recogniser("He had pain.", "pain", [("pain", "Disease_disorder")]) is None


def test_a_disease_word_naming_a_test_leaves_the_tests_result_to_the_lab_stage():
    facts = facts_of("A 40-year-old man had fever. Antinuclear antibodies and hepatitis C serology were negative.")
    assert ("antinuclear antibody", "negative") in {(r.test, r.result) for r in facts.labs}
    assert not {d.diagnosis for d in facts.diagnoses} & {"hepatitis c"}
    # nor an instrument or a screen named after a condition
    facts = facts_of("A 40-year-old man fell. His Glasgow Coma Scale score was 8 and a hepatitis screen was negative.")
    assert not {d.diagnosis for d in facts.diagnoses} & {"coma", "hepatitis"}


def test_common_valve_diseases_are_found_wherever_they_are_written():
    facts = facts_of("A 78-year-old man was admitted. Echocardiography showed aortic stenosis and mitral stenosis.")
    assert {d.diagnosis for d in facts.diagnoses} >= {"aortic stenosis", "mitral stenosis"}
    facts = facts_of("A 66-year-old woman had a transient ischemic attack and later developed pseudogout.")
    assert {d.diagnosis for d in facts.diagnoses} >= {"transient ischemic attack", "pseudogout"}
    facts = facts_of("A 2-year-old boy had failure to thrive. His mother had a miscarriage in 2019.")
    assert {d.diagnosis for d in facts.diagnoses} >= {"failure to thrive", "miscarriage"}
    facts = facts_of("A 14-year-old boy presented with testicular torsion; he also had a chalazion.")
    assert {d.diagnosis for d in facts.diagnoses} >= {"testicular torsion", "chalazion"}


def test_a_disease_abbreviation_that_is_an_everyday_word_is_a_disease_only_in_capitals():
    facts = facts_of("A 50-year-old man used hearing aids and walking aids. His brother had AIDS.")
    assert [d.diagnosis for d in facts.diagnoses] == ["aids"] and facts.diagnoses[0].mention == "AIDS"
    assert not facts_of("A 50-year-old man fell. Aids such as a cane were provided.").diagnoses


def test_a_drug_of_the_past_said_not_to_have_been_taken_is_still_before():
    facts = facts_of("A 40-year-old man had fever. There was no prior warfarin use.")
    assert [(m.drug, m.timepoint, m.negated) for m in facts.medications] == [("warfarin", "before", True)]


def test_a_report_without_care_headings_keeps_its_facts_when_a_line_looks_like_one():
    """A report's last line `Follow-up ECG …` reads as a run-in heading before any case presentation
    opened, so as background; the untitled report before it (too long for an abstract) is still the
    patient's."""
    course = " ".join(f"On day {n} her temperature and her oxygen needs were recorded." for n in range(2, 60))
    facts = facts_of(
        "A 45-year-old woman presented with fever and a productive cough. She was given ceftriaxone 2 g "
        f"daily for pneumonia. {course}\nFollow-up ECG two months later showed no changes."
    )
    assert [(m.case_id, m.drug) for m in facts.medications] == [("1", "ceftriaxone")]
    assert ("1", "pneumonia") in {(d.case_id, d.diagnosis) for d in facts.diagnoses}
