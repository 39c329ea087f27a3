"""Start-up: what is built at load is read back from the disk cache, keyed by the files it was
built from; workers are forked from a process that loaded the pipeline once."""

from __future__ import annotations

import gzip
import os
import pickle

import pytest

from pipeline import disk_cache
from pipeline.disk_cache import disk_cached
from pipeline.lexicons import drug_lexicon

BUILDS: list[tuple] = []


@disk_cached
def count_lines(name: str, extra: int) -> int:
    BUILDS.append((name, extra))
    return len(open(name, encoding="utf-8").read().splitlines()) + extra


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_ENV, str(folder))
    BUILDS.clear()
    return folder


def test_an_entry_is_built_once_then_read_and_rebuilt_when_its_file_changes(cache, tmp_path):
    source = tmp_path / "names.txt"
    source.write_text("a\nb\n", encoding="utf-8")
    assert count_lines(str(source), 0) == 2 and count_lines(str(source), 0) == 2
    assert BUILDS == [(str(source), 0)]  # the second call read the cache
    assert count_lines(str(source), 1) == 3  # another argument: another entry
    source.write_text("a\nb\nc\n", encoding="utf-8")
    assert count_lines(str(source), 0) == 3  # the file changed: built again, not the stale 2
    assert len(BUILDS) == 3 and len(list(cache.glob("count_lines-*.pickle"))) == 3


def test_a_damaged_or_unwritable_cache_is_no_error(cache, tmp_path, monkeypatch):
    source = tmp_path / "names.txt"
    source.write_text("a\n", encoding="utf-8")
    count_lines(str(source), 0)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert count_lines(str(source), 0) == 1 and len(BUILDS) == 2
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv(disk_cache.CACHE_ENV, str(blocked / "cache"))
    assert count_lines(str(source), 0) == 1 and len(BUILDS) == 3
    monkeypatch.setenv(disk_cache.CACHE_ENV, "off")
    assert count_lines(str(source), 0) == 1 and len(BUILDS) == 4


def test_the_drug_lexicon_from_the_cache_is_the_one_built_from_the_files(cache, tmp_path):
    names = tmp_path / "drugs.tsv.gz"
    names.write_bytes(gzip.compress(b"variant\tgeneric\nsolu-medrol\tmethylprednisolone\ntylenol\tacetaminophen\n"))
    overrides = tmp_path / "overrides.tsv"
    overrides.write_text("variant\tgeneric\nMPSL\tmethylprednisolone\n", encoding="utf-8")
    built = drug_lexicon.__wrapped__(str(names), str(overrides), None)  # lru_cache's, then the cache's
    assert built == {"solu-medrol": "methylprednisolone", "tylenol": "acetaminophen", "mpsl": "methylprednisolone"}
    (entry,) = cache.glob("drug_lexicon-*.pickle")
    assert pickle.loads(entry.read_bytes()) == built
    assert drug_lexicon.__wrapped__(str(names), str(overrides), None) == built


def test_batch_workers_are_forked_with_the_pipeline_already_loaded():
    from pipeline.nlp import load_pipeline
    from pipeline.worker import GuardedPool, Limits, worker_context

    if worker_context().get_start_method() != "fork":
        pytest.skip("workers are spawned on this platform")
    loaded = id(load_pipeline())
    with GuardedPool(1, Limits(max_seconds=60, max_memory_mb=0)) as pool:
        in_worker, worker_pid = pool.pool.schedule(_pipeline_identity).result()
    # the worker's pipeline is the object this process loaded, inherited, not one loaded again
    assert in_worker == loaded and worker_pid != os.getpid()


def _pipeline_identity() -> tuple[int, int]:
    from pipeline.nlp import _pipeline_for

    assert _pipeline_for.cache_info().currsize == 1
    from pipeline.nlp import load_pipeline

    return id(load_pipeline()), os.getpid()


def test_an_entry_is_keyed_by_the_files_its_defaults_name(cache, tmp_path):
    source = tmp_path / "default.txt"
    source.write_text("a\n", encoding="utf-8")

    @disk_cached
    def lines(name: str = str(source)) -> int:
        BUILDS.append(name)
        return len(open(name, encoding="utf-8").read().splitlines())

    assert lines() == 1 and lines() == 1 and len(BUILDS) == 1
    source.write_text("a\nb\n", encoding="utf-8")
    assert lines() == 2 and len(BUILDS) == 2  # the default's file changed: not the stale entry


def test_an_entry_is_keyed_by_every_file_of_a_files_argument_and_by_no_other_tuple(cache, tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("a\n", encoding="utf-8")
    second.write_text("b\n", encoding="utf-8")

    @disk_cached
    def joined(*files: str) -> str:
        BUILDS.append(files)
        return "".join(open(name, encoding="utf-8").read() for name in files)

    assert joined(str(first), str(second)) == joined(str(first), str(second)) == "a\nb\n"
    second.write_text("c\n", encoding="utf-8")
    assert joined(str(first), str(second)) == "a\nc\n" and len(BUILDS) == 2  # its second file changed

    @disk_cached
    def units(pair: tuple) -> str:  # a tuple argument of words, not files: cached all the same
        BUILDS.append(pair)
        return "/".join(pair)

    assert units(("mg", "dL")) == units(("mg", "dL")) == "mg/dL" and len(BUILDS) == 3


def test_only_writes_into_out_are_write_failures(tmp_path):
    import errno

    from pipeline.batch import _failed_writing_into

    out = tmp_path / "out"
    inside, elsewhere = str(out / "text" / "a.txt"), str(tmp_path / "models" / "ner" / "model")
    assert _failed_writing_into(out, OSError(errno.ENOSPC, "full", inside))
    assert _failed_writing_into(out, OSError(errno.EACCES, "denied", inside))
    assert not _failed_writing_into(out, OSError(errno.EACCES, "denied", elsewhere))  # a model it cannot read
    assert _failed_writing_into(out, OSError(errno.ENOSPC, "full"))  # pyarrow names no file
    assert not _failed_writing_into(out, OSError(errno.EACCES, "denied"))
    assert not _failed_writing_into(out, OSError(errno.ENOENT, "missing", inside))


def test_an_entry_is_keyed_by_the_packages_code(cache, tmp_path, monkeypatch):
    # an entry can hold objects of classes defined beside its builder (the coder's index holds a
    # NeoplasmSites): any change to the package's code is a new entry, not a stale object
    source = tmp_path / "names.txt"
    source.write_text("a\n", encoding="utf-8")
    assert count_lines(str(source), 0) == 1 and count_lines(str(source), 0) == 1 and len(BUILDS) == 1
    monkeypatch.setattr(disk_cache, "package_code_digest", lambda: b"other code")
    assert count_lines(str(source), 0) == 1 and len(BUILDS) == 2


def test_a_builders_old_entries_are_pruned(cache, tmp_path):
    sources = [tmp_path / f"names{i}.txt" for i in range(disk_cache.KEEP + 2)]
    for source in reversed(sources):  # the first source's entry is made last, the newest
        source.write_text("a\n", encoding="utf-8")
        count_lines(str(source), 0)
        for entry in cache.glob("count_lines-*.pickle"):  # older by a second for each entry made after
            os.utime(entry, (entry.stat().st_mtime - 1, entry.stat().st_mtime - 1))
    assert len(list(cache.glob("count_lines-*.pickle"))) == disk_cache.KEEP
    count_lines(str(sources[0]), 0)  # the one made last is kept: read, not built again
    assert len(BUILDS) == len(sources)
    count_lines(str(sources[-1]), 0)  # the one made first was pruned: built again
    assert len(BUILDS) == len(sources) + 1
