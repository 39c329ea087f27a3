"""Hostile and broken inputs: each gets a row, the batch completes, nothing written is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import bad_inputs
import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.batch import Limits, run
from pipeline.nlp.demographics import parse_age
from pipeline.nlp.quantities import clean_unit, normalize_frequency, parse_dose, parse_number, to_canonical
from pipeline.pdf import read_pdf
from pipeline.structures import InputError


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    good = bad_inputs.simple_pdf(folder / "good.pdf", ["A 30-year-old woman received methylprednisolone 40 mg daily."])
    bad_inputs.simple_pdf(
        folder / "rapport médical n°1.pdf", ["A 45-year-old man received tacrolimus 1 mg twice daily."]
    )
    bad_inputs.zero_bytes(folder / "empty.pdf")
    bad_inputs.text_named_pdf(folder / "notes.pdf")
    bad_inputs.truncated(folder / "cut.pdf", ROOT / "corpus" / "synth-001.pdf")
    bad_inputs.broken_xref(folder / "xref.pdf", good)
    bad_inputs.encrypted(folder / "locked.pdf", user_password="secret")
    bad_inputs.encrypted(folder / "owner-only.pdf", user_password="")
    bad_inputs.image_only(folder / "scan.pdf")
    bad_inputs.many_pages(folder / "long.pdf", 500)
    bad_inputs.crowded_page(folder / "crowded.pdf")
    bad_inputs.nested_objects(folder / "nested.pdf")
    bad_inputs.malformed_font(folder / "font.pdf")
    os.symlink(folder, folder / "loop", target_is_directory=True)
    latin1 = bad_inputs.latin1_text(tmp_path_factory.mktemp("text") / "legacy.txt")
    out = tmp_path_factory.mktemp("out")
    (out / "my-notes.txt").write_text("the user's own file", encoding="utf-8")
    started = time.time()
    run([folder, latin1], out, workers=2, limits=Limits(max_pages=100, max_seconds=6, max_memory_mb=4096))
    return out, time.time() - started


def documents(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("doc_id")


def test_each_bad_input_gets_a_clear_row(hostile_run):
    out, _ = hostile_run
    docs = documents(out)
    expected = {
        "empty": "empty file (0 bytes)",
        "notes": "not a PDF",
        "locked": "encrypted PDF (needs a password)",
        "scan": "no text layer (scanned?)",
        "long": "too many pages (500; limit --max-pages 100)",
        "crowded": "took longer than 6 s (limit --max-seconds); stopped",
    }
    for doc_id, reason in expected.items():
        assert (docs.loc[doc_id, "status"], docs.loc[doc_id, "error"]) == ("error", reason), doc_id
    assert docs.loc["cut", "error"].startswith("damaged PDF")
    for doc_id in ("good", "rapport médical n°1", "xref", "owner-only", "font", "legacy"):
        assert docs.loc[doc_id, "status"] == "ok", (doc_id, docs.loc[doc_id, "error"])
    assert docs.loc["nested", "status"] == "ok" or docs.loc["nested", "error"].startswith("damaged PDF")
    assert len(docs) == 14  # one row per input; the link loop added nothing


def test_documents_after_a_stuck_one_are_still_read(hostile_run):
    out, seconds = hostile_run
    meds = pd.read_parquet(out / "medications.parquet")
    assert {"methylprednisolone", "tacrolimus"} <= set(meds.drug)
    assert "café-au-lait" in (out / "text" / "legacy.txt").read_text("utf-8")
    assert seconds < 120  # the crowded page was stopped at its limit, not waited for


def test_nothing_already_in_out_is_lost(hostile_run):
    out, _ = hostile_run
    assert (out / "my-notes.txt").read_text("utf-8") == "the user's own file"


def test_memory_limit_too_low_fails_documents_not_the_batch(tmp_path):
    good = bad_inputs.simple_pdf(tmp_path / "good.pdf", ["A 30-year-old woman."])
    summary = run([good], tmp_path / "out", workers=1, limits=Limits(max_memory_mb=200))
    docs = documents(tmp_path / "out")
    assert summary.errors == 1 and docs.loc["good", "status"] == "error"
    assert "memory" in docs.loc["good", "error"]


def test_paths_stay_inside_out_and_csv_cells_cannot_run_formulas(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bad_inputs.simple_pdf(folder / "=HYPERLINK(1).pdf", ["A 30-year-old woman received aspirin 100 mg daily."])
    bad_inputs.simple_pdf(folder / "..pdf", ["A 40-year-old man."])
    out = tmp_path / "out"
    run([folder], out, workers=1, limits=Limits(max_seconds=0, max_memory_mb=0))
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert all(not name.startswith("..") for name in written)
    assert "text/=HYPERLINK(1).txt" in written and "text/document.txt" in written  # `..pdf` → `document`
    csv = (out / "documents.csv").read_bytes().decode("utf-8")
    assert "\r\n'=HYPERLINK(1)," in csv
    assert "=HYPERLINK(1)" in set(pd.read_parquet(out / "documents.parquet").doc_id)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parsers_never_raise_and_return_what_they_promise(text):
    number = parse_number(text)
    assert number is None or (isinstance(number, float) and number == number)  # a float, never NaN
    frequency = normalize_frequency(text)
    assert frequency is None or isinstance(frequency, str)
    dose = parse_dose(text)
    assert dose is None or (dose.value is not None and dose.value >= 0 and dose.unit and dose.text)
    age = parse_age(text)
    assert age is None or 0 <= age < 130
    for value, unit in (to_canonical(1.0, text, "g/L"), to_canonical(1.0, "g/L", clean_unit(text))):
        assert (value, unit) == (None, "") or (isinstance(value, float) and unit)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9.,−\- ]{0,12}(mg|g|μg|mg/kg|x|10\^[0-9]{1,3}/L)?", fullmatch=True))
def test_number_and_unit_parsers_on_number_like_strings(text):
    value = parse_number(text)
    assert value is None or isinstance(value, float)
    dose = parse_dose(text)
    assert dose is None or isinstance(dose.value, float)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "seed.pdf"
    return bad_inputs.simple_pdf(path, ["A 30-year-old woman received 40 mg daily.", "WBC 3.2 × 10^9/L."]).read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_pdf_bytes_give_a_layout_or_a_clean_error(tmp_path, seed_pdf, data):
    raw = bytearray(seed_pdf)
    for _ in range(data.draw(st.integers(1, 12))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "fuzzed.pdf"
    path.write_bytes(bytes(raw))
    try:
        read_pdf(path)
    except InputError as exc:
        assert str(exc)


def test_fifty_good_and_every_bad_input_killed_twice_then_resumed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(7)
    for i in range(50):
        bad_inputs.simple_pdf(
            folder / f"good-{i:02d}.pdf", [f"A {20 + i}-year-old woman received tacrolimus {1 + i % 3} mg twice daily."]
        )
    bad_inputs.zero_bytes(folder / "empty.pdf")
    bad_inputs.text_named_pdf(folder / "notes.pdf")
    bad_inputs.truncated(folder / "cut.pdf", folder / "good-00.pdf")
    bad_inputs.encrypted(folder / "locked.pdf", user_password="secret")
    bad_inputs.image_only(folder / "scan.pdf")
    bad_inputs.nested_objects(folder / "nested.pdf")
    bad_inputs.malformed_font(folder / "font.pdf")
    clean = tmp_path / "clean"
    run([folder], clean, workers=2)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--out", str(out), "--workers", "2", "-q"]
    state = out / ".casextract" / "documents"
    for attempt in range(2):
        process = subprocess.Popen(
            command + (["--resume"] if attempt else []),
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        target = len(list(state.glob("*.json"))) + rng.randint(3, 12) if state.exists() else rng.randint(3, 12)
        deadline = time.time() + 300
        while (
            time.time() < deadline
            and process.poll() is None
            and (not state.exists() or len(list(state.glob("*.json"))) < target)
        ):
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    result = subprocess.run(command + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    docs = pd.read_parquet(out / "documents.parquet")
    assert len(docs) == 57 and docs.doc_id.is_unique
    assert json.loads((out / "run.json").read_text("utf-8"))["documents"]["resumed"] > 0
    for name in ("documents", "cases", "medications", "labs", "diagnoses"):
        a, b = pd.read_parquet(clean / f"{name}.parquet"), pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(
            a.sort_values(list(a.columns)).reset_index(drop=True), b.sort_values(list(b.columns)).reset_index(drop=True)
        )
