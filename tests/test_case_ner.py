"""The case-report recogniser: its training data (MACCROBAT brat, PHEE), its fixed dev split, the
`train-case-ner` command on a tiny slice, and the shipped model scored on a pinned slice."""

from __future__ import annotations

import json

import spacy
from conftest import SHARED_DATA, analyse_text, needs_shared_data

from pipeline.training.case_ner import MODEL_DIR, score_entities, score_model, tokenizer_nlp
from pipeline.training.corpora import (
    CASE_LABELS,
    PHEE_LABELS,
    PHEE_UNANNOTATED,
    Annotation,
    Report,
    brat_entities,
    maccrobat_docs,
    read_maccrobat,
    split_maccrobat,
    to_doc,
)


def test_brat_entity_lines_with_discontinuous_spans_keep_their_first_fragment():
    lines = [
        "T1\tSign_symptom 10 17\tfatigue",
        "E1\tSign_symptom:T1 ",
        "T2\tLab_value 30 33;35 40\t5.2 mg/dL",
        "R1\tMODIFY Arg1:T2 Arg2:E1\t",
        "A1\tPOLARITY E1 NEG",
    ]
    assert brat_entities(lines) == [Annotation("Sign_symptom", 10, 17), Annotation("Lab_value", 30, 33)]


def test_nested_spans_keep_the_longest_and_partial_tokens_widen():
    text = "Severe left leg pain after 5mg of morphine."
    report = Report(
        "x",
        text,
        (
            Annotation("Biological_structure", 7, 15),  # inside the symptom: a label not learned
            Annotation("Sign_symptom", 0, 20),
            Annotation("Sign_symptom", 16, 20),  # nested in the longer symptom
            Annotation("Medication", 34, 42),
            Annotation("Dosage", 27, 28),  # `5` of `5mg`: ends inside a token when `5mg` is one
        ),
    )
    doc = to_doc(tokenizer_nlp(), report, {label: label for label in CASE_LABELS})
    entities = [(e.text, e.label_) for e in doc.ents]
    assert ("Severe left leg pain", "Sign_symptom") in entities and ("morphine", "Medication") in entities
    assert any(label == "Dosage" and text.startswith("5") for text, label in entities)
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)  # MACCROBAT annotates every label: no missing


def test_phee_teaches_only_what_it_annotates():
    text = (
        "Hyponatraemia in a woman treated for epilepsy with oxcarbazepine 300 mg daily."  # invented, in PHEE's manner
    )
    report = Report(
        "p",
        text,
        (
            Annotation("Effect", 0, 13),
            Annotation("Treat-Disorder", 37, 45),
            Annotation("Drug", 51, 64),
            Annotation("Dosage", 65, 71),
            Annotation("Freq", 72, 77),
        ),
    )
    doc = to_doc(tokenizer_nlp(), report, PHEE_LABELS, PHEE_UNANNOTATED, missing_outside=True)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("epilepsy", "Disease_disorder"),
        ("oxcarbazepine", "Medication"),
        ("300 mg", "Dosage"),
        ("daily", "Frequency"),
    ]
    # the adverse effect and every unannotated word are missing (no loss), never `O`
    assert doc[0].ent_iob_ == "" and doc[2].ent_iob_ == ""


def test_scores_count_exact_and_overlapping_spans_per_label():
    nlp = spacy.blank("en")
    gold = nlp.make_doc("acute kidney injury and fever")
    gold.set_ents([spacy.tokens.Span(gold, 0, 3, "Disease_disorder"), spacy.tokens.Span(gold, 4, 5, "Sign_symptom")])
    found = nlp.make_doc("acute kidney injury and fever")
    found.set_ents(
        [spacy.tokens.Span(found, 1, 3, "Disease_disorder"), spacy.tokens.Span(found, 4, 5, "Disease_disorder")]
    )
    scores = score_entities([(gold, found)])
    assert scores["Disease_disorder"]["exact_f1"] == 0.0
    assert scores["Disease_disorder"]["overlap_r"] == 1.0 and scores["Disease_disorder"]["overlap_p"] == 0.5
    assert scores["Sign_symptom"]["overlap_r"] == 0.0


@needs_shared_data
def test_the_dev_split_is_the_one_written_down_before_tuning():
    train, dev = split_maccrobat(read_maccrobat(SHARED_DATA / "maccrobat"))
    written = json.loads((MODEL_DIR / "SPLIT.json").read_text("utf-8"))
    assert sorted(r.doc_id for r in dev) == written["dev"] and len(dev) == 20
    assert sorted(r.doc_id for r in train) == written["train"]
    assert len(set(written["dev"]) | set(written["train"])) == 100


@needs_shared_data
def test_the_train_command_runs_on_a_tiny_slice(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = tmp_path / "case_ner"
    args = ["train-case-ner", "--data", str(SHARED_DATA), "--out", str(out), "--limit", "4", "--max-steps", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    evaluation = json.loads((out / "evaluation.json").read_text("utf-8"))
    assert evaluation["training_examples"]["maccrobat_train"] > 0
    assert set(spacy.load(out).get_pipe("ner").labels) <= set(CASE_LABELS)
    assert (out / "recipe.cfg").exists() and (out / "SPLIT.json").exists()
    assert "--limit 4" in evaluation["recipe"]
    # a smoke run never replaces the shipped model
    refused = CliRunner().invoke(app, ["train-case-ner", "--data", str(SHARED_DATA), "--limit", "4"])
    assert refused.exit_code == 2 and "--out" in refused.output


@needs_shared_data
def test_the_shipped_recogniser_scores_above_its_floors_on_a_pinned_slice():
    """Five dev reports, pinned: the shipped model's figures may not fall (a retrained model that
    scores lower must say so here)."""
    _, dev = split_maccrobat(read_maccrobat(SHARED_DATA / "maccrobat"))
    nlp = spacy.load(MODEL_DIR)
    gold = maccrobat_docs(tokenizer_nlp(), sorted(dev, key=lambda r: r.doc_id)[:5])
    scores = score_model(nlp, gold)
    assert {label: scores[label]["overlap_f1"] >= floor for label, floor in FLOORS.items()} == dict.fromkeys(
        FLOORS, True
    ), {label: scores[label]["overlap_f1"] for label in FLOORS}


# token-overlap F1 of the shipped model on the first five dev reports by id, less about one entity
FLOORS = {
    "Sign_symptom": 0.60,
    "Disease_disorder": 0.27,
    "Lab_value": 0.63,
    "Medication": 0.36,
    "Diagnostic_procedure": 0.59,
}


def test_the_recogniser_reads_around_conditions_no_vocabulary_names_only():
    doc = analyse_text("He has had hypertension for years. There was no history of birth asphyxia.")
    assert [e.text for e in doc.ents] == ["hypertension", "birth asphyxia"]
    # the Disease Ontology names hypertension, so the recogniser would decide nothing there
    assert [span.text for span in doc.spans["case_read"]] == ["birth asphyxia"]
    assert doc.ents[1]._.fact_type == "other"  # read, and neither it nor a vocabulary names it
