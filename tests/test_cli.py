"""The command line as a new user meets it: usage errors exit 2 with one line before any work,
`--strict` turns error rows into exit 1, and the Python API raises on what it cannot read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bad_inputs
import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PDF = ROOT / "corpus" / "synth-001.pdf"


@pytest.fixture(scope="module")
def command():
    return app


def invoke(command, *args: str):
    return CliRunner().invoke(command, [str(a) for a in args])


def assert_usage_error(result, words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and words in message, message
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, command) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    bad = bad_inputs.zero_bytes(out.parent / "empty.pdf")
    result = invoke(command, "run", CORPUS_PDF, bad, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    return out


def test_a_missing_input_is_a_usage_error_and_leaves_the_last_run_alone(command, finished_run):
    before = (finished_run / "run.json").read_bytes()
    result = invoke(command, "run", finished_run.parent / "nothing-here.pdf", "--out", finished_run)
    assert_usage_error(result, "no such file or folder")
    assert (finished_run / "run.json").read_bytes() == before


def test_out_must_be_a_writable_folder(command, tmp_path):
    a_file = tmp_path / "tables.csv"
    a_file.write_text("x")
    assert_usage_error(invoke(command, "run", CORPUS_PDF, "--out", a_file), "is a file, not a folder")
    assert_usage_error(invoke(command, "run", CORPUS_PDF, "--out", a_file / "out"), "not a folder casextract can write")


def test_nothing_to_do_is_a_usage_error(command, tmp_path):
    (tmp_path / "empty").mkdir()
    assert_usage_error(invoke(command, "run", tmp_path / "empty", "--out", tmp_path / "out"), "nothing to do")
    assert not (tmp_path / "out").exists()


def test_error_rows_fail_the_run_only_when_strict(command, finished_run, tmp_path):
    counts = json.loads((finished_run / "run.json").read_text("utf-8"))["documents"]
    assert (counts["ok"], counts["error"]) == (1, 1)  # exit 0 above, with an error row
    bad = bad_inputs.zero_bytes(tmp_path / "empty.pdf")
    assert invoke(command, "run", bad, "--out", tmp_path / "lenient", "-q").exit_code == 0
    strict = invoke(command, "run", bad, "--out", tmp_path / "strict", "-q", "--strict")
    assert strict.exit_code == 1 and "error rows" in strict.stderr
    assert (tmp_path / "strict" / "documents.csv").is_file()  # the tables are written all the same


def test_eval_refuses_what_it_cannot_score_and_keeps_earlier_scores(command, finished_run, tmp_path):
    assert_usage_error(invoke(command, "eval", tmp_path, ROOT / "gold"), "is not the --out folder of a casextract run")
    assert_usage_error(invoke(command, "eval", finished_run, tmp_path / "no-gold"), "no such gold file or folder")
    scores = finished_run / "eval" / "scores.json"
    scores.parent.mkdir(exist_ok=True)
    scores.write_text('{"earlier": true}')
    (tmp_path / "empty-gold").mkdir()
    assert_usage_error(invoke(command, "eval", finished_run, tmp_path / "empty-gold"), "nothing scored")
    assert scores.read_text() == '{"earlier": true}'
    scored = invoke(command, "eval", finished_run, ROOT / "gold")
    assert scored.exit_code == 0, scored.output
    assert list(json.loads(scores.read_text("utf-8"))["per_document"]) == ["synth-001"]


def test_report_needs_a_run_folder(command, finished_run, tmp_path):
    assert_usage_error(invoke(command, "report", tmp_path / "nowhere"), "is not a folder")
    assert_usage_error(invoke(command, "report", tmp_path), "is not the --out folder")
    assert invoke(command, "report", finished_run).exit_code == 0
    assert (finished_run / "report.html").is_file()


def test_help_shows_what_a_user_types(command):
    text = invoke(command, "run", "--help").output
    assert "INPUT..." in text and "<bool>" not in text and "<list" not in text and "{" not in text
    assert "<bool>" not in invoke(command, "--help").output


def test_a_usage_error_from_the_shell_is_one_line_without_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "typo.pdf"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"casextract: no such file or folder: {tmp_path / 'typo.pdf'}"


def test_the_python_api_raises_on_what_it_cannot_read(tmp_path):
    with pytest.raises(FileNotFoundError):
        pipeline.extract(tmp_path / "nope.pdf")
    with pytest.raises(IsADirectoryError):
        pipeline.extract(tmp_path)
    with pytest.raises(pipeline.ExtractionError) as failure:
        pipeline.extract(bad_inputs.encrypted(tmp_path / "locked.pdf", "secret"))
    assert "password" in failure.value.reason or "encrypted" in failure.value.reason
    assert len(pipeline.extract(CORPUS_PDF).medications) > 0
