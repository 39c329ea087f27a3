"""The table writer (`pipeline/table_writer.py`): `casextract run` leaves pandas and pyarrow to a
process forked when the batch starts, which writes the same tables; what it raises is raised in
the batch, and when it has died the batch writes them itself."""

from __future__ import annotations

import json
import subprocess
import sys

import bad_inputs
from conftest import ROOT

from pipeline.batch import Limits, run
from pipeline.schema import TABLES

# in fresh processes: no thread but the main one, as `casextract run` has when it forks the writer
RUN_AND_SAY_WHAT_WAS_IMPORTED = """
import json, sys
from pipeline.cli import app
app(sys.argv[1:], standalone_mode=False)
print(json.dumps({name: name in sys.modules for name in ("pandas", "pyarrow")}))
"""
CALLS = """
import json, os, signal
from pipeline.table_writer import TableWriter

writer = TableWriter()
found = {"batch": os.getpid(), "writer": writer.pid, "first": writer.call(os.getpid)}
found["name"] = open(f"/proc/{writer.pid}/comm").read().strip()  # told from a worker by it
writer.start(os.getppid)  # begun, then the batch does other work, then takes the result
found["begun"] = [writer.result(), writer.pending]
try:
    writer.call(os.stat, "/no/such/file")
except FileNotFoundError as exc:
    found["raised"] = [exc.errno, exc.filename]
os.kill(writer.pid, signal.SIGKILL)
found["after_kill"] = writer.call(os.getpid)
found["gone"] = not os.path.exists(f"/proc/{found['writer']}")
print(json.dumps(found))
"""


def test_the_batch_process_never_imports_pandas_and_the_writer_writes_the_same_tables(tmp_path):
    pdf = bad_inputs.simple_pdf(
        tmp_path / "woman.pdf", ["A 30-year-old woman received methylprednisolone 40 mg daily."]
    )
    text = bad_inputs.latin1_text(tmp_path / "legacy.txt")
    out, clean = tmp_path / "out", tmp_path / "clean"
    arguments = ["run", str(pdf), str(text), "--out", str(out), "--workers", "1", "-q"]
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_SAY_WHAT_WAS_IMPORTED, *arguments], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"pandas": False, "pyarrow": False}
    run([pdf, text], clean, workers=1, limits=Limits(max_seconds=0, max_memory_mb=0))
    for name in TABLES:
        for suffix in (".csv", ".parquet"):
            assert (out / f"{name}{suffix}").read_bytes() == (clean / f"{name}{suffix}").read_bytes(), name
    assert "legacy" in (out / "report.html").read_text("utf-8")


def test_the_writers_errors_are_the_batchs_and_a_dead_writer_is_replaced_by_the_batch():
    done = subprocess.run([sys.executable, "-c", CALLS], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["writer"] > 0 and found["first"] == found["writer"] != found["batch"]
    assert found["name"] == "casextract-out"
    assert found["begun"] == [found["batch"], None]  # the writer's parent: the batch
    assert found["raised"] == [2, "/no/such/file"]  # the exception itself: its errno and file name
    assert found["after_kill"] == found["batch"] and found["gone"]
