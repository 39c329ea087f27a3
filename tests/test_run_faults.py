"""Runs under ordinary faults: a resume under other options, a second writer into the same OUT, a
run killed holding the lock, a file size limit and a full disk. Real processes, real limits."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.batch import STATE_DIR, ConfigMismatch, Limits, OutInUse, run
from pipeline.run_config import RunConfig, differences
from pipeline.schema import TABLES

CASE = """A case of community-acquired pneumonia

Case presentation
A {age}-year-old woman presented with fever and cough for three days. Her white blood cell count
was 14.2 ×10^9/L and C-reactive protein 88 mg/L. She was given amoxicillin 500 mg three times daily
for seven days and recovered.
"""
# in-process and one document at a time: the fastest batch, enough for what is tested here
IN_PROCESS = {"max_seconds": 0, "max_memory_mb": 0}


def write_cases(folder: Path, ages=(31, 45, 62)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for age in ages:
        path = folder / f"case-{age}.txt"
        path.write_text(CASE.format(age=age), encoding="utf-8")
        paths.append(path)
    return paths


def long_case(path: Path, kilobytes: int) -> Path:
    """A report whose text file alone is over `kilobytes` KB: a short case and the gene sequence
    it reports (long tokens: cheap for the NLP, large on disk)."""
    sequence = "\n".join("ACGTTGCAGGCT" * 80 for _ in range(kilobytes * 1024 // 960 + 1))
    path.write_text(CASE.format(age=50) + "\nSupplementary sequence\n" + sequence + "\n", encoding="utf-8")
    return path


def tables_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLES}


def records(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in (out / STATE_DIR).glob("*.json")}


def casextract(*args: str, limit_file_kb: int | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline.cli", *args]
    if limit_file_kb is not None:  # the shell's `ulimit -f`, in KB (1024-byte blocks in bash)
        command = ["bash", "-c", f'ulimit -f {limit_file_kb} && exec "$@"', "casextract", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


# --- one configuration per set of tables ------------------------------------------------------


def test_a_resume_under_another_pdf_engine_stops_and_says_what_differs(tmp_path):
    inputs = write_cases(tmp_path / "in")
    out = tmp_path / "out"
    run(inputs, out, workers=1, limits=Limits(**IN_PROCESS))
    before = tables_bytes(out)
    with pytest.raises(ConfigMismatch) as refused:
        run(inputs, out, workers=1, resume=True, limits=Limits(**IN_PROCESS, pdf_engine="pdfium"))
    message = str(refused.value)
    assert 'pdf_engine: "pdfplumber" then, "pdfium" now' in message
    assert "3 of the documents" in message and "--redo-other-config" in message
    assert tables_bytes(out) == before  # nothing mixed, nothing rewritten

    summary = run(
        inputs, out, workers=1, resume=True, limits=Limits(**IN_PROCESS, pdf_engine="pdfium"), redo_other_config=True
    )
    assert (summary.redone, summary.resumed, summary.ok) == (3, 0, 3)
    current = RunConfig(Limits(**IN_PROCESS, pdf_engine="pdfium")).digest()
    assert {record["config"] for record in records(out).values()} == {current}
    recorded = json.loads((out / "run.json").read_text("utf-8"))
    assert recorded["config"]["pdf_engine"] == "pdfium" and recorded["config_digest"] == current


def test_a_resume_with_the_same_options_takes_the_finished_documents(tmp_path):
    inputs = write_cases(tmp_path / "in")
    out = tmp_path / "out"
    run(inputs[:2], out, workers=1, limits=Limits(**IN_PROCESS))
    summary = run(inputs, out, workers=1, resume=True, limits=Limits(**IN_PROCESS))
    assert (summary.resumed, summary.redone, summary.ok) == (2, 0, 3)


def test_records_from_before_configurations_were_recorded_are_not_taken_silently(tmp_path):
    inputs = write_cases(tmp_path / "in", ages=(33,))
    out = tmp_path / "out"
    run(inputs, out, workers=1, limits=Limits(**IN_PROCESS))
    for path in (out / STATE_DIR).glob("*.json"):
        record = json.loads(path.read_text("utf-8"))
        del record["config"]
        path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ConfigMismatch, match="made before runs recorded their configuration"):
        run(inputs, out, workers=1, resume=True, limits=Limits(**IN_PROCESS))


def test_the_configuration_names_what_shapes_the_tables():
    described = RunConfig(Limits(max_pages=7)).describe()
    assert described["max_pages"] == 7 and described["pdf_settings"]["max_pages"] == 7
    assert {"ner", "case_ner"} <= described["models"].keys()
    assert all(len(model["digest"]) == 16 for model in described["models"].values())
    assert described["packages"]["pdfplumber"] and len(described["code"]) == 16
    other = RunConfig(Limits(max_pages=8, max_seconds=5)).describe()
    assert differences(described, other) == [
        "max_pages: 7 then, 8 now",
        "max_seconds: 300.0 then, 5 now",
        "pdf_settings.max_pages: 7 then, 8 now",
    ]
    assert RunConfig(Limits(max_pages=7)).digest() == RunConfig(Limits(max_pages=7)).digest()
    assert RunConfig(Limits(max_pages=7)).digest() != RunConfig(Limits(max_pages=8)).digest()


def test_the_command_line_refuses_a_mixed_resume_with_exit_2(tmp_path):
    inputs = write_cases(tmp_path / "in", ages=(40,))
    out = tmp_path / "out"
    run(inputs, out, workers=1, limits=Limits(**IN_PROCESS))
    before = tables_bytes(out)
    result = casextract("run", *map(str, inputs), "--out", str(out), "--resume", "--pdf-engine", "pdfium", "-q")
    assert result.returncode == 2
    assert "would mix two configurations" in result.stderr and "Traceback" not in result.stderr
    assert tables_bytes(out) == before


# --- one writer per OUT --------------------------------------------------------------------------

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from pipeline.out_lock import out_lock
with out_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_is_refused_naming_the_first_and_a_killed_ones_lock_is_taken_over(tmp_path):
    inputs = write_cases(tmp_path / "in", ages=(52,))
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(OutInUse, match=f"pid {holder.pid} on "):
            run(inputs, out, workers=1, limits=Limits(**IN_PROCESS))
        second = casextract("run", *map(str, inputs), "--out", str(out), "-q")
        assert second.returncode == 2 and f"in use by another casextract run (pid {holder.pid}" in second.stderr
        assert not (out / "documents.csv").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # killed without releasing it: the lock file still names it, but nobody holds the lock
    assert f'"pid": {holder.pid}' in (out / ".casextract" / "lock").read_text()
    summary = run(inputs, out, workers=1, limits=Limits(**IN_PROCESS))
    assert summary.ok == 1 and summary.stale_lock.startswith(f"pid {holder.pid} on ")
    assert (out / ".casextract" / "lock").read_text() == ""  # released at the end of the run


# --- write failures ------------------------------------------------------------------------------


def test_past_a_file_size_limit_the_run_stops_explaining_and_resume_finishes_it(tmp_path):
    small = write_cases(tmp_path / "in", ages=(29, 71))
    big = long_case(tmp_path / "in" / "long.txt", kilobytes=80)
    inputs = [str(small[0]), str(big), str(small[1])]  # one worker, in this order
    out, clean = tmp_path / "out", tmp_path / "clean"
    options = ["--workers", "1", "--max-seconds", "0", "--max-memory-mb", "0", "-q"]

    stopped = casextract("run", *inputs, "--out", str(out), *options, limit_file_kb=48)
    assert stopped.returncode == 1, stopped.stderr
    message = stopped.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "(File too large)" in message and "--resume" in message
    assert set(records(out)) == {"case-29"}  # recorded before the failure, and intact
    assert not any(out.joinpath("text").glob(".*.tmp"))  # no half-written file left behind

    resumed = casextract("run", *inputs, "--out", str(out), "--resume", *options)
    assert resumed.returncode == 0, resumed.stderr
    run(inputs, clean, workers=1, limits=Limits(**IN_PROCESS))
    assert tables_bytes(out) == tables_bytes(clean)
    assert json.loads((out / "run.json").read_text("utf-8"))["documents"]["resumed"] == 1


@pytest.fixture()
def small_filesystem(tmp_path):
    """A 64 KB tmpfs, when this machine lets the tests mount one (root, or a user namespace)."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root); the file size limit test covers write errors")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_on_a_full_disk_the_run_stops_and_after_space_is_freed_resume_finishes(tmp_path, small_filesystem):
    small = write_cases(tmp_path / "in", ages=(35, 66))
    big = long_case(tmp_path / "in" / "long.txt", kilobytes=100)
    inputs = [str(small[0]), str(big), str(small[1])]
    out, clean = small_filesystem / "out", tmp_path / "clean"
    options = ["--workers", "1", "--max-seconds", "0", "--max-memory-mb", "0", "-q"]

    stopped = casextract("run", *inputs, "--out", str(out), *options)
    assert stopped.returncode == 1, stopped.stderr
    assert "(No space left on device)" in stopped.stderr and len(stopped.stderr.strip().splitlines()) == 1
    assert set(records(out)) == {"case-35"}

    subprocess.run(["mount", "-o", "remount,size=8m", str(small_filesystem)], check=True)
    resumed = casextract("run", *inputs, "--out", str(out), "--resume", *options)
    assert resumed.returncode == 0, resumed.stderr
    run(inputs, clean, workers=1, limits=Limits(**IN_PROCESS))
    assert tables_bytes(out) == tables_bytes(clean)
