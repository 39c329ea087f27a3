"""Patients, timepoints and the contract's tables on generated PDFs with known content."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SPECS

from pipeline.batch import run
from pipeline.evaluate import evaluate
from pipeline.schema import TABLES
from tools.journal_pdf import load_spec, render_pdf


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """The bundled specs rendered afresh and run once, for all tests in this module."""
    folder = tmp_path_factory.mktemp("corpus")
    for spec_path in sorted(SPECS.glob("*.json")):
        render_pdf(load_spec(spec_path), folder / f"{spec_path.stem}.pdf")
    out = tmp_path_factory.mktemp("out")
    run([folder], out, workers=1)
    return out


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


def test_tables_follow_the_contract_and_csv_equals_parquet(corpus_run):
    for name, spec in TABLES.items():
        parquet = table(corpus_run, name)
        csv = pd.read_csv(corpus_run / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(parquet.columns) == spec.columns == list(csv.columns)
        assert {column: str(dtype) for column, dtype in parquet.dtypes.items()} == spec.dtypes
        assert len(parquet) == len(csv)
    meds = pd.read_csv(corpus_run / "medications.csv", dtype=str, keep_default_na=False)
    assert set(meds["negated"]) <= {"true", "false"}
    assert not meds["dose_value"].str.contains("e", regex=False).any()  # plain decimals


def test_three_patients_from_headings_relatives_and_a_patient_column_table(corpus_run):
    cases = table(corpus_run, "cases")
    three = cases[cases.doc_id == "synth-003"].sort_values("case_id")
    assert list(three.case_id) == ["1", "2", "3"]
    assert list(three.age_years) == [24, 19, 15] and list(three.sex) == ["female", "male", "female"]
    labs = table(corpus_run, "labs")
    crp_table = labs[
        (labs.doc_id == "synth-003") & (labs.test == "c-reactive protein") & labs.sentence.str.startswith("CRP (mg/L)")
    ]
    assert sorted(zip(crp_table.case_id, crp_table.value)) == [("1", 142), ("2", 98), ("3", 76)]
    assert set(crp_table.unit) == {"mg/L"}


def test_abstract_restating_the_cases_adds_no_cases_or_facts(corpus_run):
    cases = table(corpus_run, "cases")
    assert len(cases[cases.doc_id == "synth-002"]) == 2
    text = (corpus_run / "text" / "synth-002.txt").read_text("utf-8")
    case_presentation = text.index("CASE PRESENTATION")
    discussion = text.index("DISCUSSION")
    title_end = text.index("\n\n")
    for name in ("medications", "labs", "diagnoses"):
        rows = table(corpus_run, name)
        rows = rows[rows.doc_id == "synth-002"]
        if name == "diagnoses":  # the title names the central diagnosis, which every patient has
            in_title = rows[rows.start_char < title_end]
            assert set(in_title.case_id) == {"1", "2"} and not in_title.negated.any()
            rows = rows[rows.start_char >= title_end]
        assert len(rows) and rows.start_char.min() > case_presentation, name
        assert (rows.start_char < discussion).all() or name == "labs"


def test_doses_and_timepoints_per_patient(corpus_run):
    meds = table(corpus_run, "medications")
    two = meds[meds.doc_id == "synth-002"]
    allopurinol = two[(two.drug == "allopurinol") & two.dose_value.notna()].iloc[0]
    assert (
        allopurinol.case_id,
        allopurinol.dose_value,
        allopurinol.dose_unit,
        allopurinol.frequency,
        allopurinol.timepoint,
    ) == ("2", 300, "mg", "1/d", "before")
    methylpred = two[two.drug == "methylprednisolone"].iloc[0]
    assert (methylpred.case_id, methylpred.dose_value, methylpred.route, methylpred.duration) == (
        "2",
        40,
        "intravenous",
        "for 5 d",
    )
    one = meds[meds.doc_id == "synth-001"]
    discharge = one[(one.drug == "prednisone") & (one.timepoint == "discharge")]
    assert list(discharge.dose_value) == [20]
    stopped = meds[(meds.doc_id == "synth-003") & (meds.drug == "ibuprofen") & meds.negated]
    assert list(stopped.case_id) == ["2"]


def test_lab_table_with_two_dates(corpus_run):
    labs = table(corpus_run, "labs")
    wbc = labs[(labs.doc_id == "synth-001") & (labs.test == "white blood cell count")]
    assert {(t, v) for t, v in zip(wbc.timepoint, wbc.value)} >= {("admission", 3.2), ("Week 8", 6.1)}
    kl6 = labs[(labs.doc_id == "synth-001") & (labs.test == "krebs von den lungen-6")]
    assert sorted(kl6.value) == [760, 1850] and set(kl6.unit) == {"U/mL"}


def test_negated_and_confirmed_diagnoses(corpus_run):
    diagnoses = table(corpus_run, "diagnoses")
    two = diagnoses[diagnoses.doc_id == "synth-002"]
    sjs = two[two.diagnosis.str.contains("stevens")]
    assert len(sjs) and sjs.negated.all() and set(sjs.case_id) == {"2"}
    dress = two[two.diagnosis.str.contains("drug reaction with eosinophilia")]
    assert set(dress.case_id) == {"1", "2"} and not dress.negated.any()


def test_every_row_points_into_the_text(corpus_run):
    for name in ("medications", "diagnoses"):
        rows = table(corpus_run, name)
        for row in rows.itertuples():
            text = (corpus_run / "text" / f"{row.doc_id}.txt").read_text("utf-8")
            assert text[row.start_char : row.end_char] == row.mention
            assert row.mention in row.sentence and row.page >= 1
    cases = table(corpus_run, "cases")
    assert cases.start_char.notna().all()
    for row in cases.itertuples():
        text = " ".join((corpus_run / "text" / f"{row.doc_id}.txt").read_text("utf-8").split())
        evidence = (corpus_run / "text" / f"{row.doc_id}.txt").read_text("utf-8")[row.start_char : row.end_char]
        # the evidence's sentences, from the first one's start to the last one's end
        first, last = row.evidence.split(" … ")[0], row.evidence.split(" … ")[-1]
        assert " ".join(evidence.split()).startswith(first) and " ".join(evidence.split()).endswith(last)
        assert first in text


def test_accuracy_floors_on_the_bundled_corpus(corpus_run):
    floors = json.loads((ROOT / "tests" / "accuracy_floors.json").read_text("utf-8"))["corpus"]
    result = evaluate(corpus_run, ROOT / "gold")
    assert set(result.per_document) == {p.stem for p in SPECS.glob("*.json")}
    low = {f: result.micro[f].f1 for f, floor in floors.items() if (result.micro[f].f1 or 0) < floor}
    assert not low, f"F1 below the floor in tests/accuracy_floors.json: {low}"


def test_report_page_highlights_facts(corpus_run):
    page = (corpus_run / "report.html").read_text("utf-8")
    assert page.count("<details id=") == 3 and "medications: case_id=2, drug=allopurinol" in page
    assert "<script src" not in page  # the page's few lines of script are inline


def test_killed_batch_resumes_to_the_same_tables(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        spec = load_spec(SPECS / f"synth-00{1 + i % 3}.json")
        render_pdf(spec, folder / f"doc-{i}.pdf")
    clean = tmp_path / "clean"
    run([folder], clean, workers=1)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--out", str(out), "--workers", "1", "-q"]
    process = subprocess.Popen(
        command, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    state = out / ".casextract" / "documents"
    deadline = time.time() + 300
    while time.time() < deadline and len(list(state.glob("*.json"))) < 2 and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(state.glob("*.json")))
    assert 2 <= finished < 6 and not (out / "documents.csv").exists()
    result = subprocess.run(command + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "run.json").read_text("utf-8"))["documents"]["resumed"] == finished
    for name in TABLES:
        a, b = table(clean, name), table(out, name)
        assert len(a) == len(b) > 0
        pd.testing.assert_frame_equal(
            a.sort_values(list(a.columns)).reset_index(drop=True), b.sort_values(list(b.columns)).reset_index(drop=True)
        )
