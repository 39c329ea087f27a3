"""The statement classifier (`models/statements`, `casextract_statements`): a sentence about the
patient or general knowledge. The sentences and reports here are written for these tests; the
shipped model never saw them."""

from __future__ import annotations

import json

import spacy
from conftest import SHARED_DATA, analyse_text, facts_of, needs_shared_data

from pipeline.training.statements import (
    GENERAL,
    MODEL_DIR,
    THRESHOLD,
    classifier_nlp,
    maccrobat_statements,
    phee_statements,
    score,
)

GENERAL_SENTENCES = [
    "Sarcoidosis is a multisystem granulomatous disorder that most often affects young adults.",
    "Renal involvement is rare and may present as hypercalcaemia or interstitial nephritis [12].",
    "Several authors have recommended corticosteroids as first-line therapy for such patients.",
    "The incidence of this complication has been estimated at 2 to 5 per 100,000 per year.",
    "Most cases respond to treatment, although relapses are common after tapering.",
]
PATIENT_SENTENCES = [
    "On the third day she developed a fever of 39.2 °C and a productive cough.",
    "A chest radiograph showed a right lower lobe consolidation, and he was admitted.",
    "He was given intravenous ceftriaxone and azithromycin and improved within 48 hours.",
    "Her serum calcium was 3.1 mmol/L on admission and fell to 2.4 mmol/L after hydration.",
    "At follow-up six months later, the patient remained free of symptoms.",
]


def test_the_classifier_tells_general_knowledge_from_the_patients_story():
    nlp = spacy.load(MODEL_DIR)
    general = [nlp(s).cats[GENERAL] for s in GENERAL_SENTENCES]
    patient = [nlp(s).cats[GENERAL] for s in PATIENT_SENTENCES]
    # it finds about half the general sentences held out (evaluation.json), and spares the patient's
    assert sum(g >= THRESHOLD for g in general) >= 3, general
    assert all(p < THRESHOLD for p in patient), patient


def test_a_discussion_without_a_heading_gives_the_patient_none_of_its_diseases():
    facts = facts_of(
        "Case presentation\n\n"
        "A 52-year-old man presented with fever and cough. A chest radiograph showed pneumonia, and he was "
        "given amoxicillin 1 g three times daily. He recovered within a week.\n\n"
        "Sarcoidosis is a multisystem granulomatous disorder that most often affects young adults. "
        "Tuberculosis and lymphoma must be excluded before the diagnosis is made."
    )
    diagnoses = {d.diagnosis for d in facts.diagnoses}
    assert "pneumonia" in diagnoses
    assert not diagnoses & {"sarcoidosis", "tuberculosis", "lymphoma"}, diagnoses
    assert [(m.drug, m.dose_value) for m in facts.medications] == [("amoxicillin", 1)]


def test_a_drug_given_with_its_dose_stays_the_patients_however_terse_the_sentence():
    doc = analyse_text("Clonidine 0.1 mg po three times a day, lorazepam 1 mg at night.")
    drugs = [e for e in doc.ents if e.label_ == "DRUG"]
    assert drugs and all(not e._.general_statement and e._.subject == "" for e in drugs)


@needs_shared_data
def test_the_shipped_classifier_keeps_held_out_patients_sentences():
    """MACCROBAT's and PHEE's dev splits, never trained on: the shipped model may not start taking
    patients' sentences for general ones (figures in models/statements/evaluation.json, less a margin)."""
    nlp = spacy.load(MODEL_DIR)
    maccrobat = maccrobat_statements(classifier_nlp(), SHARED_DATA, "dev")
    phee = phee_statements(SHARED_DATA, "dev")
    assert score(nlp, maccrobat, THRESHOLD)["patient_kept"] >= 0.955  # 0.970 when shipped
    assert score(nlp, phee, THRESHOLD)["patient_kept"] >= 0.96  # 0.975 when shipped


@needs_shared_data
def test_the_train_command_runs_on_a_tiny_slice(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = tmp_path / "statements"
    result = CliRunner().invoke(
        app, ["train-statements", "--data", str(SHARED_DATA), "--out", str(out), "--limit", "2"]
    )
    assert result.exit_code == 0, result.output
    evaluation = json.loads((out / "evaluation.json").read_text("utf-8"))
    assert evaluation["training_counts"]["PATIENT"] > 0 and evaluation["training_counts"]["GENERAL"] > 0
    assert set(spacy.load(out).get_pipe("textcat").labels) == {"PATIENT", GENERAL}
    refused = CliRunner().invoke(app, ["train-statements", "--data", str(SHARED_DATA), "--limit", "2"])
    assert refused.exit_code == 2 and "--out" in refused.output


def test_a_sentence_cut_by_a_paragraph_break_is_read_whole_and_one_opening_with_a_number_is_not():
    doc = analyse_text(
        "In most reported cases, tuberculosis and lymphoma must be excluded before the diagnosis is made. "
        "3 days later he developed pneumonia and was given ceftriaxone."
    )
    pneumonia = next(e for e in doc.ents if e.text == "pneumonia")
    assert not pneumonia._.general_statement and pneumonia._.subject == ""
    cut = analyse_text("Over the following weeks the patient developed\n\nsevere pneumonia with sepsis.")
    alone = analyse_text("severe pneumonia with sepsis.")
    score = next(e for e in cut.ents if e.text == "pneumonia")._.general_score
    assert score != next(e for e in alone.ents if e.text == "pneumonia")._.general_score


def test_a_sentence_giving_an_age_introduces_a_patient():
    doc = analyse_text("Sarcoidosis typically affects young adults, but our patient was a 71-year-old man.")
    assert [(e.text, e._.general_statement) for e in doc.ents if e.label_ == "DISEASE"] == [("Sarcoidosis", False)]
    doc = analyse_text("Sarcoidosis typically affects young adults and women more often than men.")
    assert [(e.text, e._.general_statement) for e in doc.ents if e.label_ == "DISEASE"] == [("Sarcoidosis", True)]


def test_a_lab_result_in_words_stated_as_general_knowledge_makes_no_row():
    facts = facts_of(
        "Case presentation\n\nA 50-year-old man had fever. Blood cultures were negative and his ferritin "
        "was raised.\n\nElevated ferritin is a marker of macrophage activation, and D-dimer is usually "
        "positive in this setting."
    )
    assert [(lab.test, lab.result) for lab in facts.labs] == [("blood cultures", "negative"), ("ferritin", "raised")]
