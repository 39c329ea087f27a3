"""`casextract run` end to end: documents table, text files, run.json, error rows, resume, workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bad_inputs
import pandas as pd
import pytest
from conftest import ROOT, shared_path

from pipeline.batch import discover, run
from pipeline.tables import COLUMNS


@pytest.fixture()
def batch_dir(tmp_path, journal_pdf) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    good = journal_pdf[0]
    (folder / "good.pdf").write_bytes(good.read_bytes())
    bad_inputs.zero_bytes(folder / "empty.pdf")
    bad_inputs.text_named_pdf(folder / "sub" / "notes.pdf")
    bad_inputs.truncated(folder / "sub" / "cut.pdf", good)
    bad_inputs.encrypted(folder / "locked.pdf", user_password="secret")
    bad_inputs.encrypted(folder / "owner-only.pdf", user_password="")
    bad_inputs.image_only(folder / "scan.pdf")
    (folder / "ignored.txt").write_text("not picked up from a folder", encoding="utf-8")
    return folder


def read_documents(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("doc_id")


def test_batch_writes_one_row_per_input_and_goes_on_after_errors(batch_dir, tmp_path):
    markdown = tmp_path / "article.md"
    markdown.write_text("# A case of gout\n\n## Abstract\n\nA 60-year-old man.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run([batch_dir, markdown], out, workers=1)
    docs = read_documents(out)
    assert list(docs.columns) == COLUMNS["documents"][1:]
    assert sorted(docs.index) == ["article", "cut", "empty", "good", "locked", "notes", "owner-only", "scan"]
    expected_status = {
        "good": ("ok", ""),
        "owner-only": ("ok", ""),
        "article": ("ok", ""),
        "empty": ("error", "empty file (0 bytes)"),
        "notes": ("error", "not a PDF"),
        "locked": ("error", "encrypted PDF (needs a password)"),
        "scan": ("error", "no text layer (scanned?)"),
    }
    for doc_id, (status, error) in expected_status.items():
        assert (docs.loc[doc_id, "status"], docs.loc[doc_id, "error"]) == (status, error), doc_id
    assert docs.loc["cut", "status"] == "error" and docs.loc["cut", "error"].startswith("damaged PDF")
    assert docs.loc["good", "pages"] == "2" and docs.loc["article", "pages"] == ""
    assert docs.loc["good", "title"].startswith("Tocilizumab for refractory anti-MDA5")
    assert docs.loc["article", "title"] == "A case of gout"
    assert len(docs.loc["good", "sha256"]) == 64
    # CSV and Parquet hold the same rows
    parquet = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert parquet["status"].to_dict() == docs["status"].to_dict()
    assert parquet.loc["good", "pages"] == 2 and pd.isna(parquet.loc["article", "pages"])
    # text only for documents that were read
    assert sorted(p.stem for p in (out / "text").glob("*.txt")) == ["article", "good", "owner-only"]
    assert "3.2 × 10^9/L" in (out / "text" / "good.txt").read_text("utf-8")
    report = json.loads((out / "run.json").read_text("utf-8"))
    assert report["documents"] == {"total": 8, "ok": 3, "error": 5, "resumed": 0, "redone": 0, "warning": 0}
    assert set(docs["warning"]) == {""}  # nothing read after repair (tests/test_damaged_pdfs.py)
    assert report["tables"]["documents"] == 8 and report["packages"]["pdfplumber"].startswith("0.11")
    assert summary.ok == 3 and summary.errors == 5


def test_resume_skips_finished_documents_and_gives_the_same_tables(batch_dir, tmp_path):
    out = tmp_path / "out"
    run([batch_dir], out, workers=1)
    first = (out / "documents.csv").read_bytes()
    # as if the run had been killed before these two documents were recorded
    for doc_id in ("good", "scan"):
        (out / ".casextract" / "documents" / f"{doc_id}.json").unlink()
    (out / "documents.csv").unlink()
    summary = run([batch_dir], out, workers=1, resume=True)
    assert summary.resumed == 5 and summary.total == 7
    assert (out / "documents.csv").read_bytes() == first


def test_two_workers_give_the_same_tables_as_one(batch_dir, tmp_path):
    run([batch_dir], tmp_path / "one", workers=1)
    run([batch_dir], tmp_path / "two", workers=2)
    one = pd.read_parquet(tmp_path / "one" / "documents.parquet")
    two = pd.read_parquet(tmp_path / "two" / "documents.parquet")
    pd.testing.assert_frame_equal(one, two)


def test_discovery_dedupes_names_and_survives_link_loops(tmp_path, journal_pdf):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "report one.pdf").write_bytes(journal_pdf[0].read_bytes())
    os.symlink(tmp_path, tmp_path / "a" / "loop", target_is_directory=True)
    found = discover([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "report one.pdf"])
    assert [f.doc_id for f in found] == ["report one", "report one__2"]


def test_command_line(tmp_path, journal_pdf):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(journal_pdf[0]), "--out", str(out), "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert read_documents(out).loc["synth-001", "status"] == "ok"
    missing = subprocess.run(
        command[:4] + [str(tmp_path / "nothing-here.pdf"), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "nothing-here" not in read_documents(out).index  # refused before any work
    (tmp_path / "empty-folder").mkdir()
    nothing = subprocess.run(
        command[:4] + [str(tmp_path / "empty-folder"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert nothing.returncode == 2 and "no input files found" in nothing.stderr


def test_bundled_corpus_and_seed_run_cleanly(tmp_path):
    inputs = [ROOT / "corpus"]
    seed = shared_path("seeds", "000_30e9b2de46709c67.txt")
    renamed = tmp_path / "wjcc-2023-11-5351.md"  # the user's doc_id for the seed article
    renamed.write_bytes(seed.read_bytes())
    summary = run(inputs + [renamed], tmp_path / "out", workers=1)
    docs = read_documents(tmp_path / "out")
    assert set(docs["status"]) == {"ok"}, docs["error"].to_dict()
    assert summary.total == len(list((ROOT / "corpus").glob("*.pdf"))) + 1
    assert docs.loc["wjcc-2023-11-5351", "title"].startswith("Treatment of refractory anti-melanoma")


def test_worker_processes_keep_the_loaded_pipeline_out_of_the_collector():
    """Workers freeze what they loaded and collect young objects less often (`prepare_worker`);
    the process that started them keeps its own collector settings."""
    import gc

    from pipeline.worker import WORKER_GC_THRESHOLD, GuardedPool, Limits

    before = gc.get_threshold()
    with GuardedPool(1, Limits(max_seconds=60, max_memory_mb=0)) as pool:
        threshold = pool.pool.schedule(gc.get_threshold).result()
        frozen = pool.pool.schedule(gc.get_freeze_count).result()
    assert threshold[0] == WORKER_GC_THRESHOLD
    assert frozen > 10_000  # the spaCy pipeline's objects
    assert gc.get_threshold() == before


def test_the_pool_hands_out_the_biggest_files_first(tmp_path):
    from pipeline.worker import InputFile, largest_first

    items = []
    for name, size in (("small", 10), ("big", 1000), ("middle", 100)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(b"x" * size)
        items.append(InputFile(name, path, str(path)))
    items.append(InputFile("gone", tmp_path / "gone.pdf", "gone.pdf"))
    assert [i.doc_id for i in largest_first(items)] == ["big", "middle", "small", "gone"]
