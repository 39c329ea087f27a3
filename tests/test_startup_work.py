"""What a run's start-up leaves out, or reads back whole from the disk cache, and the results
that stay the same."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import disk_cache
from pipeline.worker import worker_context

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, cache: Path | str) -> str:
    """`code` in a fresh interpreter (nothing this test process imported), its printed output."""
    env = {**os.environ, disk_cache.CACHE_ENV: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return done.stdout


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_ENV, str(folder))
    return folder


needs_fork = pytest.mark.skipif(
    worker_context().get_start_method() != "fork", reason="workers are spawned on this platform"
)

PDF_LIBRARIES_IN_WORKERS = """
import sys
import pipeline.batch, pipeline.cli
from pipeline.worker import GuardedPool, Limits

def pdf_libraries():
    readers = ("pdfplumber", "pypdfium2", "pipeline.pdf", "pipeline.sections")
    return sorted(name for name in readers if name in sys.modules)

assert pdf_libraries() == [], pdf_libraries()  # the batch process has not imported them
limits = Limits(max_seconds=60, max_memory_mb=0)
for reads in (False, True):
    with GuardedPool(1, limits, reads_documents=reads) as pool:
        print(reads, pool.pool.schedule(pdf_libraries).result())
"""


@needs_fork
def test_workers_given_only_documents_already_read_map_no_pdf_library(tmp_path):
    printed = run_python(PDF_LIBRARIES_IN_WORKERS, tmp_path / "cache").splitlines()
    assert printed == ["False []", "True ['pdfplumber', 'pipeline.pdf', 'pipeline.sections', 'pypdfium2']"]


def test_the_command_line_knows_every_pdf_engine_without_importing_them():
    from pipeline.pdf import ENGINES
    from pipeline.run_config import PDF_ENGINES

    assert PDF_ENGINES == tuple(ENGINES)


def test_a_document_whose_reading_took_its_whole_time_is_read_again():
    from pipeline.worker import Limits, _usable

    class Read:  # what `_usable` looks at of a ReadDocument
        seconds = 5.0

    assert _usable(Read(), Limits(max_seconds=10)) and _usable(Read(), Limits(max_seconds=0))
    assert not _usable(Read(), Limits(max_seconds=5)) and not _usable(None, Limits())


COLLECTIONS_DURING_LOAD = """
import gc
import pipeline.batch
from pipeline.worker import load_to_fork_from

passes = []
gc.callbacks.append(lambda phase, info: phase == "start" and passes.append(info["generation"]))
before = gc.get_threshold()
load_to_fork_from()
print(len(passes), gc.isenabled() and gc.get_threshold() == before, gc.get_freeze_count() > 100_000)
frozen, garbage = gc.get_freeze_count(), [[] for _ in range(1000)]
load_to_fork_from()  # loaded: nothing built, nothing more frozen
print(gc.get_freeze_count() == frozen)
"""


def test_the_batch_process_builds_the_pipeline_with_the_collector_paused_then_frozen(tmp_path):
    # no pass of the collector during the build, the collector on again after it, and the
    # pipeline's objects out of its sight (as the workers forked from it keep them)
    assert run_python(COLLECTIONS_DURING_LOAD, tmp_path / "cache").split() == ["0", "True", "True", "True"]


def test_spacys_registries_find_every_installed_entry_point_of_theirs():
    from importlib.metadata import entry_points

    import catalogue
    import spacy

    import pipeline.nlp  # noqa: F401  groups the entry points for catalogue

    assert isinstance(catalogue.AVAILABLE_ENTRY_POINTS, dict)
    registries = [getattr(spacy.registry, name) for name in dir(spacy.registry)]
    with_entry_points = [r for r in registries if isinstance(r, catalogue.Registry) and r.entry_points]
    assert len(with_entry_points) > 10
    for registry in with_entry_points:
        installed = {e.name for e in entry_points(group=registry.entry_point_namespace)}
        assert {e.name for e in registry._get_entry_points()} == installed
    assert "casextract_coder" in {e.name for e in spacy.registry._entry_point_factories._get_entry_points()}


def test_unit_conversions_are_pints_own_to_the_last_bit(cache):
    from pipeline.lexicons import resource_json
    from pipeline.nlp.quantities import _pint_unit, to_canonical, unit_quantity, unit_registry

    registry = unit_registry()
    aliases = sorted(resource_json("units.json")["aliases"])
    converted = 0
    for unit in aliases + ["10^9/L", "10^12/L"]:
        for target in aliases:
            for value in (0.5, 3.7, 118.0, 12345.678, 0.3333):
                source, goal = unit_quantity(unit), unit_quantity(target)
                try:  # what to_canonical computed with pint before the conversions were cached
                    quantity = registry.Quantity(value * source[0], _pint_unit(registry, source[1]))
                    magnitude = quantity.to(_pint_unit(registry, goal[1])).magnitude
                    expected = (round(float(magnitude) / goal[0], 6), target)
                except Exception:
                    expected = (None, "")
                assert to_canonical(value, unit, target) == expected, (value, unit, target)
                converted += expected[0] is not None
    assert converted > 1000


UNITS_IN_A_FRESH_PROCESS = """
import sys
from pipeline.nlp.quantities import to_canonical
print(to_canonical(2.1, "10^11/L", "10^9/L"), to_canonical(5.0, "mg/dL", "g/L"), "pint" in sys.modules)
"""


def test_a_run_converts_units_from_the_cache_without_importing_pint(tmp_path):
    first = run_python(UNITS_IN_A_FRESH_PROCESS, tmp_path / "cache")  # works them out with pint
    again = run_python(UNITS_IN_A_FRESH_PROCESS, tmp_path / "cache")
    assert first.split()[-1] == "True" and again.split()[-1] == "False"
    assert first.split()[:-1] == again.split()[:-1] == ["(210.0,", "'10^9/L')", "(0.05,", "'g/L')"]


def test_lexicon_matchers_read_from_the_cache_are_the_ones_built(cache, tmp_path):
    from pipeline.lexicons import drug_lexicon
    from pipeline.nlp.lexicon_matcher import LexiconMatcher, drug_matcher

    names = tmp_path / "drugs.tsv.gz"
    names.write_bytes(gzip.compress(b"variant\tgeneric\nSolu-Medrol\tmethylprednisolone\ntylenol\tacetaminophen\n"))
    overrides = tmp_path / "overrides.tsv"
    overrides.write_text("variant\tgeneric\nMPSL\tmethylprednisolone\n", encoding="utf-8")
    files = (str(names), str(overrides), None)
    built = LexiconMatcher(drug_lexicon.__wrapped__(*files))
    stored = drug_matcher.__wrapped__(*files)  # built, and stored in the cache
    assert len(list(cache.glob("drug_matcher-*.pickle"))) == 1
    read = drug_matcher.__wrapped__(*files)
    for matcher in (stored, read):
        assert (matcher.names, matcher.heads, matcher.in_order) == (built.names, built.heads, built.in_order)
    assert read.names == {"solu-medrol", "tylenol", "mpsl"}


def test_the_condition_index_reads_back_from_its_packed_form_with_the_same_codes():
    import pickle

    from pipeline.nlp.code_tables import NameTable

    codes = {
        "acute kidney injury": ("N17.9", "DOID:3021", "D058186", ""),
        "aki": ("N17.9", "", "", "acute kidney injury"),
    }
    codes["zoster"] = ("B02.9", "", "", "")
    table = pickle.loads(pickle.dumps(NameTable(codes)))
    assert dict(table) == codes and table["aki"] == ("N17.9", "", "", "acute kidney injury")
    assert "aki" in table and "ak" not in table and "akii" not in table and 3 not in table
    assert table.get("acute kidney") is None and list(table) == sorted(codes)


def test_a_run_of_documents_already_read_writes_the_same_records(tmp_path):
    """The head start reads the input; the worker, which maps no PDF library, runs what it read."""
    from pipeline.batch import Limits, run
    from pipeline.head_start import HeadStart
    from pipeline.inputs import discover

    text = tmp_path / "case.txt"
    text.write_text("A 54-year-old man presented with fever. He was given ceftriaxone 2 g daily.\n", encoding="utf-8")
    limits = Limits(max_seconds=120.0, max_memory_mb=0)
    ahead = run([text], tmp_path / "a", workers=1, limits=limits, head_start=HeadStart(discover([text]), limits, 1))
    alone = run([text], tmp_path / "b", workers=1, limits=limits)
    assert ahead.ok == alone.ok == 1
    records = [json.loads((tmp_path / out / ".casextract/documents/case.json").read_text("utf-8")) for out in "ab"]
    assert records[0]["rows"] == records[1]["rows"] and records[0]["rows"]["medications"]


SPACY_IN_A_FRESH_PROCESS = """
import sys
import pipeline.nlp
print("spacy.cli" in sys.modules, "spacy.cli.init_config" in sys.modules, "jinja2" in sys.modules)
print("spacy.cli.info" in sys.modules, "weasel" in sys.modules, "requests" in sys.modules)
import spacy
print(spacy.info.__module__)  # spaCy's own `info`, imported when first asked for
from spacy.cli.train import train  # noqa: F401  training imports spaCy's commands as usual
import spacy.cli
print(callable(spacy.cli.download), spacy.info is spacy.cli.info)
"""


def test_spacy_is_imported_without_its_command_line_until_a_command_is_wanted(tmp_path):
    expected = ["False", "False", "False", "False", "False", "False", "spacy.cli.info", "True", "True"]
    assert run_python(SPACY_IN_A_FRESH_PROCESS, tmp_path / "cache").split() == expected
