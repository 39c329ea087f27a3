"""The fuzz campaign in small (benchmarks/fuzz.py runs thousands), many decompression bombs at once,
and the inputs the campaign found: real batches in real worker processes under real limits."""

from __future__ import annotations

import os
import sys

import bad_inputs
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from fuzz import Settings, campaign  # noqa: E402
from fuzz_bombs import memory_bound_mb, run_bombs  # noqa: E402

from pipeline.batch import InputFile, process  # noqa: E402


def test_a_short_fuzz_campaign_keeps_every_invariant(tmp_path):
    settings = Settings(workers=2, max_seconds=10, max_memory_mb=1024)
    tally = campaign(24, seed=11, settings=settings, out=tmp_path, chunk=24, verbose=False)
    assert tally.inputs == 24
    assert tally.crashes == tally.hangs == 0
    assert tally.not_one_row == 0  # every input exactly one documents row
    assert tally.escapes == 0  # no worker ran past --max-seconds, every stopped one was replaced
    assert tally.workers_over_memory == tally.workers_without_limit == 0
    assert tally.workers_seen >= 2 and 0 < tally.peak_worker_mb <= 1024  # the watcher saw the workers
    assert tally.ok > 0 and sum(tally.errors.values()) > 0  # mutations both broke inputs and left some readable
    assert "internal error" not in tally.errors
    assert not (tmp_path / "crashers").exists()


def test_twice_as_many_bombs_as_cores_with_good_documents_on_all_cores(tmp_path):
    settings = Settings(workers=os.cpu_count() or 1, max_seconds=120, max_memory_mb=1024)
    watched, rows = run_bombs(tmp_path / "in", tmp_path / "out", settings)
    assert watched.returncode == 0, watched.stderr
    bombs = [r for r in rows if r["doc_id"].startswith("bomb")]
    good = [r for r in rows if r["doc_id"].startswith("good")]
    assert len(bombs) == 2 * settings.workers and len(good) == 3
    assert {(r["status"], r["error"]) for r in bombs} == {("error", "out of memory (limit --max-memory-mb 1024)")}
    assert {r["status"] for r in good} == {"ok"}
    assert len(watched.workers) >= settings.workers
    assert all(w.peak_kb <= settings.max_memory_mb * 1024 for w in watched.workers)
    assert watched.peak_total_kb / 1024 < memory_bound_mb(settings)


def test_a_bomb_inflates_to_what_it_says():
    import zlib

    packed = bad_inputs.deflated_zeros(64 << 20, unit=1 << 20)
    assert len(packed) < 100_000
    inflated = zlib.decompress(packed)  # the checksum holds too: zlib verifies it
    assert len(inflated) == 64 << 20 and inflated.count(0) == len(inflated)


def test_a_text_longer_than_the_language_pipeline_reads_is_an_explained_error(tmp_path):
    path = bad_inputs.huge_text(tmp_path / "huge.txt")
    result = process(InputFile("huge", path, str(path)))
    assert result.info.status == "error"
    assert result.info.error.startswith("text too long (5,2") and result.info.error.endswith("at most 5,000,000)")


def pdf_libraries_loaded() -> bool:
    modules = ("pdfminer.pdfdocument", "cryptography.hazmat.primitives.ciphers", "pypdfium2_raw")
    return all(name in sys.modules for name in modules)


def test_workers_load_the_pdf_libraries_before_any_document():
    """The campaign's other finds: a worker imported pdfminer (at pdfium's fallback) or pypdfium2 (at
    its first PDF after texts) late in its life, and mapping `cryptography` or libpdfium then failed
    under --max-memory-mb (an internal ImportError or OSError on every later document of that
    worker). Workers now import both when they start."""
    from pipeline.worker import GuardedPool, Limits

    with GuardedPool(1, Limits(max_memory_mb=1024, pdf_engine="pdfium")) as pool:
        assert not pool.broken
        assert pool.pool.schedule(pdf_libraries_loaded).result(timeout=60)
