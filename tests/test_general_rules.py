"""Rules for unstructured and unseen reports, each on wording written for this test, not taken from
the documents the rules were tuned on: inline headings, patients without an age, age forms,
unit spellings, lab results found by their unit, differential counts and series."""

from __future__ import annotations

import pytest
from conftest import article_of

from pipeline.link import link
from pipeline.nlp import analyse
from pipeline.nlp.demographics import parse_age
from pipeline.nlp.quantities import clean_unit

WEB_PAGE = (
    "Home Journals Submit Login Search Sitemap Cookies policy Br J Imaginary Med Vol 3 "
    "Splenic rupture after a sneeze: a case report. Abstract Background Spontaneous rupture is rare. "
    "Keywords Spleen; Rupture; Sneezing. Case Report A 63-year-old farmer presented with left shoulder pain. "
    "He had hypertension and took amlodipine 10 mg daily. Haemoglobin was 8.1 g/dL. "
    "Discussion Spontaneous rupture has been linked to malaria and infectious mononucleosis in the literature. "
    "References 1. Smith A. Case report: splenic rupture. J Surg 2001. "
    "Articles from Br J Imaginary Med are provided here courtesy of Imaginary Press Contact us Privacy"
)


def test_inline_headings_split_a_page_copied_as_one_line():
    article = article_of(WEB_PAGE)
    roles = [(s.heading, s.role) for s in article.sections]
    assert ("Case Report", "case") in roles and ("Discussion", "background") in roles
    assert roles[0] == ("Abstract", "front")  # Background before Keywords is the abstract's own
    assert roles[-1][1] == "back" and "courtesy" not in article.text  # references and site footer dropped
    assert not any(h == "Case report:" for h, _ in roles)  # a reference titled `Case report:` is no section


def test_discussion_and_navigation_stay_out_of_the_patient():
    article = article_of(WEB_PAGE)
    facts = link(analyse(article), article)
    diagnoses = {row.diagnosis for row in facts.diagnoses}
    assert "hypertension" in diagnoses and "malaria" not in diagnoses and "infectious mononucleosis" not in diagnoses
    assert [(c.age_years, c.sex) for c in facts.cases] == [(63, "male")]
    assert [(m.drug, m.dose_value) for m in facts.medications] == [("amlodipine", 10.0)]


def test_a_report_without_an_age_still_has_its_patient():
    article = article_of(
        "A woman presented with fever. Her ferritin was 950 ng/mL and she was given oral "
        "doxycycline 100 mg twice daily."
    )
    facts = link(analyse(article), article)
    assert [(c.case_id, c.age_years, c.sex) for c in facts.cases] == [("1", None, "female")]
    assert {m.drug for m in facts.medications} == {"doxycycline"} and facts.labs


@pytest.mark.parametrize(
    "text, years",
    [
        ("a 68–year–old man", 68),
        ("a 27 year-old woman", 27),
        ("a 41 - year old lady", 41),
        ("a 59- year- old", 59),
        ("a 6 and a half years old boy", 6.5),
        ("a twenty-two days old neonate", 0.0602),
        ("aged 73 years", 73),
        ("80 years of age", 80),
        ("a 12-hour-old infant", 0.0014),
        ("gestational age 36 weeks", None),
    ],
)
def test_age_forms(text, years):
    assert parse_age(text) == (pytest.approx(years, abs=1e-3) if years is not None else None)


@pytest.mark.parametrize(
    "written, clean",
    [
        ("mmol/l", "mmol/L"),
        ("ug/dl", "μg/dL"),
        ("iu/l", "IU/L"),
        ("/mm 3", "/mm^3"),
        ("10(12)/litre", "10^12/L"),
        ("mm Hg", "mmHg"),
        ("u/l", "U/L"),
    ],
)
def test_unit_spellings_are_made_one(written, clean):
    assert clean_unit(written) == clean


def results(text: str) -> list[tuple[str, float, str]]:
    doc = analyse(article_of(text))
    return [(r.name or r.test._.normalized, r.value, r.unit) for r in doc._.lab_results if r.value is not None]


def test_a_number_with_a_lab_unit_is_a_result_whatever_its_test():
    found = results("Serum zinc was low at 6.2 umol/l (reference 11-18 umol/l) and chromogranin A was 410 ng/ml.")
    assert ("zinc", 6.2, "μmol/L") in found and ("chromogranin a", 410.0, "ng/mL") in found
    assert len(found) == 2  # the reference range gives no result


def test_values_glued_to_units_and_units_only_in_the_reference_range():
    found = results(
        "Her platelet count was 98000/mm 3 and the haemoglobin 9.4g/dl; lactate was 4.1 (normal 0.5-2.2 mmol/L)."
    )
    assert ("platelet count", 98000.0, "/mm^3") in found and ("hemoglobin", 9.4, "g/dL") in found
    assert ("lactate", 4.1, "mmol/L") in found


def test_a_closed_reference_range_does_not_swallow_the_next_result():
    found = results(
        "Tumour markers: NSE 14.2 (normal range: 0-16.3 ng/mL), chromogranin A 88 (reference: 0-100 ng/mL) "
        "and gastrin was normal at 61 pg/ml."
    )
    assert sorted(found) == [("chromogranin a", 88.0, "ng/mL"), ("gastrin", 61.0, "pg/mL"), ("nse", 14.2, "ng/mL")]


def test_hyphenated_marker_codes_are_names_not_numbers():
    found = results("Her CA 72-4 level was 9.6 U/mL and the CA15-3 was 41 U/mL.")
    assert [(name, value) for name, value, _ in found] == [("ca 72-4", 9.6), ("ca15-3", 41.0)]


def test_counts_written_per_cubic_millimetre_or_microlitre_in_words():
    found = results("The platelets numbered 412,000 per cubic millimetre and the CD4 count 180 cells per microliter.")
    assert ("platelet count", 412000.0, "/mm^3") in found and ("cd4 count", 180.0, "/μL") in found


def test_a_drug_or_hormone_whose_level_is_measured_is_a_test_there():
    doc = analyse(article_of("The digoxin level was 3.1 ng/mL on arrival. Insulin concentration was 42 mU/L."))
    found = [(r.test._.normalized, r.value) for r in doc._.lab_results]
    assert ("digoxin", 3.1) in found and ("insulin", 42.0) in found
    assert not [e for e in doc.ents if e.label_ == "DRUG"]  # neither mention says it was given


def test_a_drug_named_with_its_toxicity_stays_a_drug_and_a_condition():
    doc = analyse(article_of("He presented with digoxin toxicity with a level of 3.1 ng/mL."))
    assert {(e.label_, e.text) for e in doc.ents} >= {("DRUG", "digoxin"), ("DISEASE", "toxicity")}


def test_dates_and_day_ranges_are_not_part_of_a_tests_name():
    found = results("On 2019-03-12 zonulin was 80 ng/mL. On days 2-3 hepcidin was 41 ng/mL.")
    assert [name for name, _, _ in found] == ["zonulin", "hepcidin"]


def test_an_abbreviation_the_text_defines_names_its_test_by_the_long_form():
    found = results("We measured serum angiotensin-converting enzyme (SACE). The SACE level was 96 U/L.")
    assert ("angiotensin-converting enzyme", 96.0, "U/L") in found


def test_differential_percentages_go_to_the_test_written_after_them():
    found = results("The leukocyte count was 12,400/μL with 88 % neutrophils and 7 % lymphocytes.")
    assert found == [
        ("white blood cell count", 12400.0, "/μL"),
        ("neutrophil count", 88.0, "%"),
        ("lymphocyte count", 7.0, "%"),
    ]


def test_a_series_keeps_its_test_and_vitals_are_not_labs():
    found = results(
        "Creatine kinase fell from 12,850 U/L to 640 U/L. Blood pressure was 150/90 mmHg and the "
        "intraocular pressure 31 mmHg."
    )
    assert found == [("creatine kinase", 12850.0, "U/L"), ("creatine kinase", 640.0, "U/L")]


def test_an_antibody_is_named_for_its_target_not_its_isotype():
    found = results("Testing showed anti-MAG IgM antibody at 9800 BTU (normal below 1000 BTU).")
    assert found and found[0][0] == "anti-mag antibody"


@pytest.mark.parametrize(
    "name, symptom",
    [
        ("ataxia", True),
        ("wheezing", True),
        ("painful", True),
        ("haemorrhagic", True),
        ("vomiting and diarrhoea", True),
        ("bronchoalveolar lavage", True),
        ("candida", True),
        ("candida albicans", True),
        ("candida albicans infection", False),
        ("left ventricular dysfunction", False),
        ("multiple organ dysfunction syndrome", False),
        ("septic shock", False),
        ("shock", False),
        ("sarcoidosis", False),
        ("type 2 diabetes mellitus", False),
    ],
)
def test_symptoms_signs_and_lone_pathogens_are_not_diagnoses(name, symptom):
    from pipeline.nlp import load_pipeline

    fact_types = load_pipeline().get_pipe("casextract_fact_types")
    fact_types.ready()
    assert (fact_types.condition_type(name)[0] == "symptom") is symptom


def test_the_title_names_every_patients_central_diagnosis():
    page = (
        "Familial Mediterranean fever in two brothers: a case report | Imaginary Journal of Case Reports "
        "Abstract Background We describe two brothers. Keywords Fever. Case presentation Patient 1 was a "
        "24-year-old man with recurrent abdominal attacks. Patient 2 was a 19-year-old man with chest pain. "
        "Discussion Amyloidosis is feared."
    )
    article = article_of(page)
    assert article.title.startswith("Familial Mediterranean fever in two brothers")
    facts = link(analyse(article), article)
    rows = {(r.case_id, r.diagnosis) for r in facts.diagnoses}
    assert {("1", "familial mediterranean fever"), ("2", "familial mediterranean fever")} <= rows
    assert not any(d == "amyloidosis" for _, d in rows)


def test_an_abstract_page_without_sentence_end_before_its_abstract():
    page = (
        "Pyomyositis in a marathon runner. - PubMed - NCBI Skip to main content Format: Abstract Send to "
        "J Sports Med. 2020. Doe J. Author information 1 Clinic of Sports, Springfield. jdoe@example.org "
        "Abstract A 33-year-old man developed pyomyositis of the thigh after a race. His creatine kinase "
        "was 2450 U/L. PMID: 12345678 [Indexed for MEDLINE] Similar articles Cookies policy"
    )
    article = article_of(page)
    facts = link(analyse(article), article)
    assert [(c.age_years, c.sex) for c in facts.cases] == [(33, "male")]
    assert [(r.test, r.value) for r in facts.labs] == [("creatine kinase", 2450.0)]
    assert not any("cookies" in r.diagnosis for r in facts.diagnoses)


def medications(text: str) -> list[tuple]:
    article = article_of(text)
    facts = link(analyse(article), article)
    return [(m.drug, m.dose_value, m.dose_unit, m.frequency) for m in facts.medications]


def test_doses_per_day_glued_or_compound_give_dose_and_frequency():
    found = medications(
        "A 40-year-old woman was given hydroxychloroquine 400mg/day, cyclophosphamide 750 mg/m2/day "
        "and gentamicin 5 mg/kg/24h; colchicine 0.5 mg 2/day was added."
    )
    assert ("hydroxychloroquine", 400.0, "mg", "1/d") in found and ("cyclophosphamide", 750.0, "mg/m2", "1/d") in found
    assert ("gentamicin", 5.0, "mg/kg", "1/d") in found and ("colchicine", 0.5, "mg", "2/d") in found


def test_topical_strength_misspelled_names_and_combination_products():
    found = medications(
        "A 9-year-old boy used pimecrolimus 1 % cream twice daily and took amoxicilin 250 mg three "
        "times a day, then amoxicillin/clavulanate and Ceftazidime-Avibactam."
    )
    assert ("pimecrolimus", 1.0, "%", "2/d") in found and ("amoxicillin", 250.0, "mg", "3/d") in found
    names = {f[0] for f in found}
    assert {"amoxicillin-clavulanic acid", "ceftazidime-avibactam"} <= names


def test_classes_body_molecules_and_reagents_are_not_medications():
    found = medications(
        "A 70-year-old man had been taking opioid analgesics and benzodiazepines; serotonin and "
        "substance P mediate the pain. Biopsy DNA was run on agarose gel in buffer with boric acid. "
        "He was given naloxone 0.4 mg."
    )
    assert [f[0] for f in found] == ["naloxone"]


def test_timepoints_from_cues_and_from_the_kind_of_fact():
    article = article_of(
        "Case presentation A 61-year-old man had been taking metformin 500 mg twice daily. "
        "His sodium was 128 mmol/L. He was treated with ceftriaxone 2 g daily. At follow-up his "
        "sodium was 139 mmol/L."
    )
    facts = link(analyse(article), article)
    moments = {(m.drug, m.timepoint) for m in facts.medications}
    assert moments == {("metformin", "before"), ("ceftriaxone", "hospital")}
    assert [(r.value, r.timepoint) for r in facts.labs] == [(128.0, "admission"), (139.0, "follow-up")]


def test_a_reviews_topic_headings_before_any_case_are_not_the_patients_text():
    page = (
        "Gout revisited: a review and a case. Introduction Gout is common. Diagnosis Crystals confirm "
        "pseudogout and septic arthritis in many series. Treatment Colchicine 0.5 mg daily is used. "
        "Case presentation A 66-year-old man had podagra and was given naproxen 500 mg twice daily."
    )
    article = article_of(page)
    roles = {s.heading: s.role for s in article.sections}
    assert roles["Diagnosis"] == "background" and roles["Treatment"] == "background"
    assert roles["Case presentation"] == "case"
    facts = link(analyse(article), article)
    assert [m.drug for m in facts.medications] == ["naproxen"]
    assert not {"pseudogout", "septic arthritis"} & {r.diagnosis for r in facts.diagnoses}


def test_a_drugs_form_is_not_part_of_its_name():
    doc = analyse(article_of("A fentanyl patch of 25 μg/h was applied and a hydrocortisone cream twice daily."))
    names = [e._.normalized for e in doc.ents if e.label_ == "DRUG"]
    assert names == ["fentanyl", "hydrocortisone"]


def test_thousands_set_apart_by_spaces_are_one_number_only_before_a_lab_unit():
    found = results("The platelet count was 452 000/μL and the leukocyte count 13 250 per microlitre.")
    assert found == [("platelet count", 452000.0, "/μL"), ("white blood cell count", 13250.0, "/μL")]
    doc = analyse(article_of("She was given 2 500 mg capsules of paracetamol."))
    assert not doc._.lab_results


def test_a_condition_that_is_an_analytes_level_names_the_test_and_stays_a_condition():
    text = "On arrival she had severe hyponatraemia (118 mmol/L) and thrombocytopenia (42 × 10^9/L)."
    assert results(text) == [("sodium", 118.0, "mmol/L"), ("platelet count", 42.0, "10^9/L")]
    doc = analyse(article_of(text))
    assert [e.text for e in doc.ents if e.label_ == "DISEASE"] == ["hyponatraemia", "thrombocytopenia"]
    assert [e._.normalized for e in doc.ents if e.label_ == "DISEASE"] == ["hyponatraemia", "thrombocytopenia"]


def test_a_value_followed_by_a_tests_name_is_that_tests_result():
    found = results("The white cell count was 9,800/mm3, with 7,100/mm3 neutrophils.")
    assert found == [("white blood cell count", 9800.0, "/mm^3"), ("neutrophil count", 7100.0, "/mm^3")]
    # a name followed by its own value opens the next result of a list
    found = results("Counts: leukocytes 12,000/μL, platelets 250,000/μL.")
    assert found == [("white blood cell count", 12000.0, "/μL"), ("platelet count", 250000.0, "/μL")]


def test_an_em_dash_links_a_name_to_its_value():
    assert results("Her ferritin was markedly high—2,350 ng/mL.") == [("ferritin", 2350.0, "ng/mL")]


def test_a_generic_behind_a_chemical_locant_is_that_drug():
    found = medications("A 58-year-old man received 5-fluorouracil 400 mg/m2 and later 6-thioguanine 40 mg daily.")
    assert found == [("fluorouracil", 400.0, "mg/m^2", ""), ("thioguanine", 40.0, "mg", "1/d")]


def test_doses_in_millions_of_units():
    found = medications("A 30-year-old woman was treated with benzylpenicillin 18 million units a day.")
    assert found == [("penicillin g", 18e6, "units", "1/d")]


def test_a_name_both_a_drug_and_an_analyte_is_given_or_measured_by_its_context():
    doc = analyse(article_of("Oral thiamine and insulin therapy were started; serum iron was 30 μg/dL."))
    assert [e._.normalized for e in doc.ents if e.label_ == "DRUG"] == ["thiamine", "insulin"]
    assert [(r.test._.normalized, r.value) for r in doc._.lab_results] == [("iron", 30.0)]
    doc = analyse(article_of("Her insulin level was high and her plasma calcitonin was normal."))
    assert not [e for e in doc.ents if e.label_ == "DRUG"]


def results_in_words(text: str) -> list[tuple[str, str, str]]:
    doc = analyse(article_of(text))
    return [(r.test._.normalized, r.result, r.flag) for r in doc._.lab_results if r.value is None]


def test_results_written_in_words_name_their_test():
    found = results_in_words(
        "Urine cultures were negative. The potassium was within the normal range and a repeat "
        "chest CT was normal. Bloods showed raised ferritin and a positive ANA."
    )
    assert sorted(found) == [
        ("antinuclear antibody", "positive", ""),
        ("ferritin", "raised", "high"),
        ("potassium", "normal", ""),
        ("urine cultures", "negative", ""),
    ]


def test_a_result_word_belongs_to_its_own_clause_and_numbers_come_first():
    assert results_in_words("ANA and RF were checked, but only the latter was positive.") == []
    found = results_in_words(
        "Cryoglobulins were absent; a negative ANA and cryoglobulin screen, except for positive RF."
    )
    assert ("antinuclear antibody", "negative", "") in found and ("antinuclear antibody", "positive", "") not in found
    assert results("CRP was elevated at 88 mg/L.") == [("c-reactive protein", 88.0, "mg/L")]
    assert results_in_words("CRP was elevated at 88 mg/L. Tests were normal. Her mood was low.") == []


def test_tests_listed_before_a_result_in_words_share_it():
    found = results_in_words("CRP, ESR and ferritin were elevated; a negative ANA and RF were positive.")
    assert sorted(found) == [
        ("antinuclear antibody", "negative", ""),
        ("c-reactive protein", "elevated", "high"),
        ("erythrocyte sedimentation rate", "elevated", "high"),
        ("ferritin", "elevated", "high"),
        ("rheumatoid factor", "positive", ""),
    ]


def test_a_name_both_lexicons_know_is_a_test_when_measured_and_whitespace_is_no_word():
    doc = analyse(
        article_of("Iron was 25 μg/dL. The albumin was 36\u00a0g/L. Procalcitonin and ferritin were elevated.")
    )
    assert not [e for e in doc.ents if e.label_ == "DRUG"]
    found = {(r.test._.normalized, r.value, r.result) for r in doc._.lab_results}
    assert {("iron", 25.0, ""), ("albumin", 36.0, ""), ("ferritin", None, "elevated")} <= found
    doc = analyse(article_of("Insulin was increased to 20 units; lidocaine 10 mg/mL was infused."))
    assert [e._.normalized for e in doc.ents if e.label_ == "DRUG"] == ["insulin", "lidocaine"]
    assert not results("The gel was stained with ethidium bromide (0.5 μg/mL).")  # a reagent's strength


def test_no_result_in_words_from_exams_diets_negations_or_general_nouns():
    text = (
        "Left ventricular function was normal. The straight leg raise test was positive. She was "
        "placed on a low sodium diet. He had no elevated CRP. Neither ESR nor ferritin was elevated. "
        "All tests were negative."
    )
    assert results_in_words(text) == []
    assert results_in_words("A QuantiFERON assay was positive; creatinine was elevated because of dehydration.") == [
        ("quantiferon assay", "positive", ""),
        ("creatinine", "elevated", "high"),
    ]


def test_a_condition_names_its_analyte_only_in_a_unit_the_analyte_has():
    assert results("He developed microcytic anemia (65 fL) and hyponatremia (121 mmol/L).") == [
        ("sodium", 121.0, "mmol/L")
    ]
    assert results("She had 3,500/mm3 eosinophils.") == [("eosinophil count", 3500.0, "/mm^3")]
