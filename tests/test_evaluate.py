"""The scorer on tiny hand-made outputs whose precision, recall and F1 are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate import GoldError, evaluate, same_quantity
from pipeline.tables import frame, write_table


def write_output(out: Path, rows: dict[str, list[dict]]) -> None:
    for name in ("documents", "cases", "medications", "labs", "diagnoses"):
        write_table(frame(name, rows.get(name, [])), out, name)
    (out / "text").mkdir(parents=True, exist_ok=True)
    (out / "text" / "d1.txt").write_text(
        "She received methylprednisolone 80 mg daily. Ferritin was 300 ng/mL.", encoding="utf-8"
    )


def med(drug, value=None, unit="", frequency="", case="1", negated=False):
    return {
        "doc_id": "d1",
        "case_id": case,
        "drug": drug,
        "dose_value": value,
        "dose_unit": unit,
        "frequency": frequency,
        "negated": negated,
        "sentence": f"{drug} given",
    }


def lab(test, value, unit, case="1"):
    return {"doc_id": "d1", "case_id": case, "test": test, "value": value, "unit": unit, "sentence": f"{test} {value}"}


@pytest.fixture()
def scored(tmp_path):
    out, gold = tmp_path / "out", tmp_path / "gold"
    gold.mkdir()
    write_output(
        out,
        {
            "documents": [{"doc_id": "d1", "status": "ok"}],
            "cases": [
                {"doc_id": "d1", "case_id": "1", "age_years": 30.0, "sex": "female"},
                {"doc_id": "d1", "case_id": "2", "age_years": 41.0, "sex": "male"},
            ],  # an extra case
            "medications": [
                med("methylprednisolone", 80.0, "mg", "1/d"),
                med("methylprednisolone", 80.0, "mg", "1/d"),  # duplicate
                med("tacrolimus", 1.0, "mg", "2/d"),
                med("aspirin", negated=True),  # said not to be given: ignored
                med("heparin"),  # a false hit
            ],
            "labs": [
                lab("white blood cell count", 3.2, "×10⁹/L"),
                lab("ferritin", 300.0, "ng/mL"),
                lab("ferritin", 300.0, "ng/mL"),
                lab("hemoglobin", 99.0, "g/L"),
            ],
            "diagnoses": [
                {"doc_id": "d1", "case_id": "1", "diagnosis": "dermatomyositis", "negated": False},
                {"doc_id": "d1", "case_id": "1", "diagnosis": "tuberculosis", "negated": False},
            ],
        },
    )
    (gold / "d1.json").write_text(
        json.dumps(
            {
                "doc_id": "d1",
                "cases": {
                    "1": {
                        "age_years": 30,
                        "sex": "female",
                        "medications": [
                            {
                                "drug": ["methylprednisolone", "mpsl"],
                                "dose_value": 80,
                                "dose_unit": "mg",
                                "frequency": "1/d",
                            },
                            {"drug": "tacrolimus", "dose_value": 1, "dose_unit": "mg", "frequency": "1/d"},
                            {"drug": "cyclophosphamide", "dose_value": 0.8, "dose_unit": "g"},
                        ],
                        "labs": [
                            {"test": ["white blood cell count", "wbc"], "value": 3.2, "unit": "10^9/L"},
                            {"test": "ferritin", "value": 300, "unit": "μg/L"},
                            {"test": "hemoglobin", "value": 118, "unit": "g/L"},
                        ],
                        "diagnoses": ["dermatomyositis", {"diagnosis": "tuberculosis", "negated": True}],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    return evaluate(out, gold)


def counts(result, field):
    score = result.micro[field]
    return score.tp, score.fp, score.fn


def test_known_counts_per_field(scored):
    assert counts(scored, "case") == (1, 1, 0)
    assert counts(scored, "age") == (1, 1, 0) and counts(scored, "sex") == (1, 1, 0)
    assert counts(scored, "drug") == (2, 1, 1)  # heparin extra, cyclophosphamide missed
    assert counts(scored, "drug+dose") == (2, 0, 1)  # duplicates count once
    assert counts(scored, "frequency") == (1, 1, 1)  # tacrolimus 2/d vs gold 1/d
    assert counts(scored, "lab") == (2, 1, 1)  # units compared after conversion; hemoglobin wrong
    assert counts(scored, "diagnosis") == (1, 1, 1)  # negation must match


def test_precision_recall_f1(scored):
    drug = scored.micro["drug"]
    assert drug.precision == pytest.approx(2 / 3) and drug.recall == pytest.approx(2 / 3)
    assert drug.f1 == pytest.approx(2 / 3)
    assert scored.micro["drug+dose"].precision == 1.0 and scored.micro["drug+dose"].recall == pytest.approx(2 / 3)


def test_errors_name_the_fact_and_sentence(scored):
    misses = {(e.field, e.fact) for e in scored.errors if e.kind == "miss"}
    hits = {(e.field, e.fact, e.sentence) for e in scored.errors if e.kind == "false hit"}
    assert ("drug", "cyclophosphamide") in misses and ("lab", "hemoglobin 118 g/L") in misses
    assert ("drug", "heparin", "heparin given") in hits


def test_malformed_gold_is_refused_with_every_problem(scored, tmp_path):
    """Nothing is scored from a folder with a malformed file: not even its good files (a scorer
    that skipped the bad file would report totals with its facts silently missing)."""
    gold = tmp_path / "gold"
    (gold / "broken.json").write_text('{"doc_id": "broken",\n "cases": {not json', encoding="utf-8")
    with pytest.raises(GoldError) as refused:
        evaluate(tmp_path / "out", gold)
    assert [str(p) for p in refused.value.problems] == [
        f"{gold / 'broken.json'}:2:12: not valid JSON: Expecting property name enclosed in double quotes"
    ]


@pytest.mark.parametrize(
    "gold, found, same",
    [
        ((3.2, "10^9/L"), (3.2, "×10⁹/L"), True),
        ((300, "μg/L"), (300, "ng/mL"), True),
        ((2.1, "10^11/L"), (210, "10^9/L"), True),
        ((1, "g"), (1000, "mg"), True),
        ((1, "g"), (1, "mg"), False),
        ((5, "mg"), (5, "blorps"), False),
    ],
)
def test_quantities_compared_after_unit_conversion(gold, found, same):
    assert same_quantity(gold[0], gold[1], found[0], found[1]) is same


@pytest.fixture()
def timed(tmp_path):
    """Facts with timepoints and negated diagnoses, and a gold folder with a dev/test split."""
    out, gold = tmp_path / "out", tmp_path / "gold"
    gold.mkdir()
    write_output(
        out,
        {
            "documents": [{"doc_id": "d1", "status": "ok"}, {"doc_id": "d2", "status": "ok"}],
            "cases": [{"doc_id": d, "case_id": "1", "age_years": 30.0, "sex": "female"} for d in ("d1", "d2")],
            "medications": [
                {**med("methylprednisolone", 80.0, "mg"), "timepoint": "hospital"},
                {**med("prednisone", 30.0, "mg"), "timepoint": "hospital"},  # gold says discharge
                {**med("tacrolimus"), "timepoint": ""},  # no timepoint: not scored
                {**med("heparin"), "timepoint": "hospital"},  # not in the gold: not judged
            ],
            "labs": [
                {**lab("ferritin", 1553.0, "U/L"), "timepoint": "admission"},
                {**lab("ferritin", 203.0, "U/L"), "timepoint": "admission"},  # gold says follow-up
                {**lab("ferritin", 1553.0, "U/L", case="1"), "doc_id": "d2", "timepoint": "admission"},
            ],
            "diagnoses": [
                {"doc_id": "d1", "case_id": "1", "diagnosis": "tuberculosis", "negated": True},
                {"doc_id": "d1", "case_id": "1", "diagnosis": "diabetes mellitus", "negated": True},
                {"doc_id": "d1", "case_id": "1", "diagnosis": "hypertension", "negated": False},
            ],
        },
    )
    (gold / "d1.json").write_text(
        json.dumps(
            {
                "doc_id": "d1",
                "cases": {
                    "1": {
                        "medications": [
                            {
                                "drug": "methylprednisolone",
                                "dose_value": 80,
                                "dose_unit": "mg",
                                "timepoint": "hospital",
                            },
                            {"drug": "prednisone", "dose_value": 30, "dose_unit": "mg", "timepoint": "discharge"},
                            {"drug": "tacrolimus", "timepoint": "discharge"},
                        ],
                        "labs": [
                            {"test": "ferritin", "value": 1553, "unit": "U/L", "timepoint": "admission"},
                            {"test": "ferritin", "value": 203, "unit": "U/L", "timepoint": "follow-up"},
                        ],
                        "diagnoses": [
                            {"diagnosis": "tuberculosis", "negated": True},
                            {"diagnosis": "hypertension", "negated": True},
                        ],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    (gold / "d2.json").write_text(
        json.dumps(
            {
                "doc_id": "d2",
                "cases": {
                    "1": {"labs": [{"test": "ferritin", "value": 1553, "unit": "U/L", "timepoint": "admission"}]}
                },
            }
        ),
        encoding="utf-8",
    )
    (gold / "SPLITS.json").write_text(json.dumps({"rule": "by hand", "dev": ["d1"], "test": ["d2"]}), encoding="utf-8")
    return evaluate(out, gold)


def test_timepoint_scores_labs_and_drugs_with_when_they_hold(timed):
    # right: methylprednisolone@hospital, ferritin 1553@admission (d1, d2); wrong: prednisone, ferritin 203;
    # missed: tacrolimus@discharge (found without a timepoint)
    assert counts(timed, "timepoint") == (3, 2, 3)
    misses = {e.fact for e in timed.errors if e.field == "timepoint" and e.kind == "miss"}
    assert misses == {"drug prednisone @discharge", "drug tacrolimus @discharge", "lab ferritin 203 U/L @follow up"}


def test_negated_diagnoses_scored_on_their_own(timed):
    # tuberculosis found negated; hypertension found but not negated; diabetes negated without gold
    assert counts(timed, "negated") == (1, 1, 1)
    assert counts(timed, "diagnosis") == (1, 2, 1)


def test_scores_per_split_and_test_errors_withheld(timed):
    assert timed.per_split["test"]["lab"].tp == 1 and timed.per_split["test"]["lab"].fp == 0
    assert timed.per_split["dev"]["lab"].tp == 2
    assert timed.errors and all(e.doc_id == "d1" for e in timed.listed_errors)
    assert timed.as_dict()["split_documents"] == {"dev": ["d1"], "test": ["d2"]}


def test_a_document_in_two_splits_is_an_error(tmp_path):
    from pipeline.evaluate import load_splits

    (tmp_path / "SPLITS.json").write_text(json.dumps({"dev": ["d1"], "test": ["d1"]}), encoding="utf-8")
    with pytest.raises(GoldError, match="both"):
        load_splits(tmp_path)


def test_a_miss_is_quoted_from_the_sentence_that_holds_it(tmp_path):
    out, gold = tmp_path / "out", tmp_path / "gold"
    gold.mkdir()
    text = (
        "Tacrolimus for two siblings with lupus nephritis: a case series and review of the literature "
        "that discusses tacrolimus at length, in a run-on abstract line without any full stop at all "
        + "and more words "
        * 40
        + "\nCase 1\nA 30-year-old woman received tacrolimus 2 mg twice daily.\n"
        "Case 2\nHer 28-year-old brother was started on tacrolimus. "
        "The dose of tacrolimus was 1 mg twice daily. Prednisone was tapered.\n"
    )
    write_output(
        out,
        {
            "documents": [{"doc_id": "d1", "status": "ok"}],
            "cases": [
                {"doc_id": "d1", "case_id": "1", "age_years": 30.0, "sex": "female", "start_char": text.index("A 30")},
                {"doc_id": "d1", "case_id": "2", "age_years": 28.0, "sex": "male", "start_char": text.index("Her 28")},
            ],
        },
    )
    (out / "text" / "d1.txt").write_text(text, encoding="utf-8")
    gold_case = {"medications": [{"drug": "tacrolimus", "dose_value": 1, "dose_unit": "mg"}, {"drug": "ciclosporin"}]}
    (gold / "d1.json").write_text(json.dumps({"doc_id": "d1", "cases": {"1": {}, "2": gold_case}}), "utf-8")
    quoted = {(e.field, e.fact): e.sentence for e in evaluate(out, gold).errors if e.kind == "miss"}
    # case 2's own sentence with the dose: not the title, not case 1's, not the one without the number
    assert quoted[("drug+dose", "tacrolimus 1 mg")] == "The dose of tacrolimus was 1 mg twice daily."
    assert quoted[("drug", "tacrolimus")].startswith("Her 28-year-old brother")
    assert quoted[("drug", "ciclosporin")] == "(no sentence of the text names it)"
