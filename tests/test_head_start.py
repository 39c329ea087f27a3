"""The batch's head start (`pipeline/head_start.py`): documents read by a process forked before
spaCy is imported are the documents a worker would read, taken instead of read again, with their
reading counted against the time limit; what the reader could not read is read by the worker."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import bad_inputs
from conftest import ROOT

from pipeline.batch import Limits, run
from pipeline.inputs import discover, file_sha256, read_document
from pipeline.schema import TABLES
from pipeline.worker import GuardedPool, process

WOMAN = ["A 30-year-old woman received methylprednisolone 40 mg daily for ten days."]
MAN = ["A 45-year-old man was given tacrolimus 1 mg twice daily after the transplant."]

# in a fresh process (no thread but the main one, as `casextract run` has when it forks the reader)
READ_AHEAD = """
import dataclasses, json, sys, time
from pathlib import Path
from pipeline.head_start import HeadStart
from pipeline.inputs import discover, file_sha256, read_document
from pipeline.run_config import Limits, RunConfig

items, limits = discover(sys.argv[1:]), Limits(pdf_engine="pdfium")


def same(item, read):  # as this process reads it, all but the time it took
    again = read_document(item, limits, file_sha256(item.path))
    return dataclasses.replace(again, seconds=read.seconds) == read


head = HeadStart(items, limits, workers=1)
reader = head.pid
deadline = time.time() + 120
while time.time() < deadline and Path(f"/proc/{reader}/stat").read_text().split()[2] != "Z":
    time.sleep(0.05)  # until the reader has read everything and exited
name = Path(f"/proc/{reader}/comm").read_text().strip()  # what watches the batch tells it from a worker by
taken = head.take()
found = {
    "reader": reader,
    "name": name,
    "reaped": not Path(f"/proc/{reader}").exists(),
    "taken": sorted(item.doc_id for item in taken),
    "same": all(same(item, read) for item, read in taken.items()),
    "config": head.config() == RunConfig(limits).describe(),
}
head.close()
print(json.dumps(found))
"""


def test_the_reader_reads_what_a_worker_would_and_leaves_nothing_behind(tmp_path):
    woman = bad_inputs.simple_pdf(tmp_path / "woman.pdf", WOMAN)
    man = bad_inputs.simple_pdf(tmp_path / "man.pdf", MAN)
    notes = bad_inputs.text_named_pdf(tmp_path / "notes.pdf")
    text = tmp_path / "case.txt"
    text.write_text("Case report\n\n" + MAN[0] + "\n", encoding="utf-8")
    command = [
        sys.executable,
        "-c",
        READ_AHEAD,
        str(woman),
        str(man),
        str(notes),
        str(text),
        str(tmp_path / "gone.pdf"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["reader"] > 0 and found["reaped"] and found["name"] == "casextract-read"
    # what it cannot read (not a PDF, a missing file) is left to the worker, which says why
    assert found["taken"] == ["case", "man", "woman"]
    assert found["same"] and found["config"]


AHEAD_OF_A_FULL_PIPE = """
import json, sys, time
from pathlib import Path
from pipeline.head_start import HeadStart
from pipeline.inputs import discover
from pipeline.run_config import Limits

items = discover(sys.argv[1:])
head = HeadStart(items, Limits(), workers=1)
deadline = time.time() + 60
while time.time() < deadline and not Path(f"/proc/{head.pid}/wchan").read_text().endswith("pipe_write"):
    time.sleep(0.05)  # until the reader waits for room in the pipe
taken = head.take()
texts = [len(read.article.text) for read in taken.values()]
print(json.dumps({"taken": sorted(item.doc_id for item in taken), "texts": texts}))
"""


def test_the_reader_reads_no_further_ahead_than_its_pipe_holds(tmp_path):
    paths = []
    for number in range(12):  # 12 reports of ~100 KB of text: a megabyte of pipe holds a few of their articles
        path = tmp_path / f"long-{number:02d}.txt"
        path.write_text("Case report\n\n" + " ".join(MAN * 1200) + "\n", encoding="utf-8")
        paths.append(str(path))
    command = [sys.executable, "-c", AHEAD_OF_A_FULL_PIPE, *paths]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    # the first few, whole; what it was writing when it was stopped is dropped, not taken half
    assert 1 <= len(found["taken"]) < 12 and found["taken"] == [f"long-{n:02d}" for n in range(len(found["taken"]))]
    assert len(set(found["texts"])) == 1 and found["texts"][0] > 90_000


def test_the_command_line_gives_the_tables_of_a_run_without_a_reader(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bad_inputs.simple_pdf(folder / "woman.pdf", WOMAN)
    bad_inputs.simple_pdf(folder / "man.pdf", MAN)
    bad_inputs.zero_bytes(folder / "empty.pdf")
    bad_inputs.flate_bomb(folder / "bomb.pdf", gigabytes=4)  # kills the reader (pdfium aborts), then the worker
    text = bad_inputs.latin1_text(tmp_path / "legacy.txt")
    options = ["--workers", "1", "--max-memory-mb", "2048", "--pdf-engine", "pdfium", "-q"]
    out, clean = tmp_path / "out", tmp_path / "clean"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(folder), str(text), "--out", str(out), *options]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    run([folder, text], clean, workers=1, limits=Limits(max_memory_mb=2048, pdf_engine="pdfium"))
    for name in TABLES:
        assert (out / f"{name}.csv").read_bytes() == (clean / f"{name}.csv").read_bytes(), name
    status = {
        line.split(",")[0]: line.split(",")[2] for line in (out / "documents.csv").read_text("utf-8").splitlines()
    }
    assert status == {"doc_id": "status", "woman": "ok", "man": "ok", "legacy": "ok", "empty": "error", "bomb": "error"}


def test_a_worker_takes_the_article_it_is_given_and_its_reading_counts_against_the_limit(tmp_path):
    woman, man = discover(
        [bad_inputs.simple_pdf(tmp_path / "woman.pdf", WOMAN), bad_inputs.simple_pdf(tmp_path / "man.pdf", MAN)]
    )
    limits = Limits(max_seconds=20, max_memory_mb=0)
    read_man = read_document(man, limits, file_sha256(man.path))
    own = process(woman, limits)
    # given the man's article, the woman's worker reads nothing: the man's facts, her row
    given = process(woman, limits, dataclasses.replace(read_man, seconds=5.0))
    assert given.rows == process(man, limits).rows != own.rows
    assert given.info.doc_id == "woman" and given.seconds >= 5.0
    long = tmp_path / "long.txt"  # seconds of NLP: far more than the half second its reading leaves
    long.write_text("Case report\n\n" + " ".join(MAN * 3000) + "\n", encoding="utf-8")
    (long_item,) = discover([long])
    read_long = read_document(long_item, limits, file_sha256(long))
    with GuardedPool(1, limits) as pool:
        within = pool.run_one(woman, dataclasses.replace(read_man, seconds=1.0))
        past = pool.run_one(woman, dataclasses.replace(read_man, seconds=25.0))
        spent = pool.run_one(long_item, dataclasses.replace(read_long, seconds=19.5))
    assert within.rows == given.rows
    assert past.rows == own.rows  # the reading alone took longer than the limit: read again, in the worker
    assert spent.info.status == "error" and "took longer than 20 s" in spent.info.error
