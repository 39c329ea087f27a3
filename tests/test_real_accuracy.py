"""Accuracy floors on documents the rules were not written from: the frozen test split of the real
case reports (gold/real/SPLITS.json), as web text and as two-column PDFs, and the user's reference
article. The floors (tests/accuracy_floors.json) are the measured F1 less one fact per field."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, shared_path

from pipeline.batch import run
from pipeline.evaluate import FIELDS, evaluate

FLOORS = json.loads((ROOT / "tests" / "accuracy_floors.json").read_text("utf-8"))
REAL_GOLD = ROOT / "gold" / "real"


def below(scores: dict, floors: dict) -> dict:
    return {
        f: (None if scores[f].f1 is None else round(scores[f].f1, 4), floor)
        for f, floor in floors.items()
        if (scores[f].f1 or 0.0) < floor
    }


@pytest.fixture(scope="module")
def real_test_runs(tmp_path_factory):
    from tools.real_corpus import build

    source = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    test_ids = set(json.loads((REAL_GOLD / "SPLITS.json").read_text("utf-8"))["test"])
    root = tmp_path_factory.mktemp("real")
    folders = build(root / "inputs", source, doc_ids=test_ids, layouts=tuple(FLOORS["real-test"]))
    results = {}
    for path, folder in folders.items():
        run(sorted(folder.iterdir()), root / path, workers=2)
        results[path] = evaluate(root / path, REAL_GOLD)
    return test_ids, results


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(FLOORS["real-test"]))
def test_real_test_split_floors(real_test_runs, path):
    test_ids, results = real_test_runs
    result = results[path]
    assert set(result.per_document) == test_ids  # every test document has gold and was scored
    assert set(FLOORS["real-test"][path]) == set(FIELDS)
    low = below(result.per_split["test"], FLOORS["real-test"][path])
    assert not low, f"{path}: F1 below the floor in tests/accuracy_floors.json (measured, floor): {low}"


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(FLOORS["real-test-codes"]))
def test_real_test_split_code_floors(real_test_runs, path):
    """Codes on the test split's matched facts: ICD-10-CM category, full code and coverage, and
    DrugBank ids, at or above the measured figures less one fact."""
    _, results = real_test_runs
    figures = results[path].codes_per_split["test"].figures
    floors = FLOORS["real-test-codes"][path]
    low = {k: (round(figures[k] or 0.0, 4), floor) for k, floor in floors.items() if (figures[k] or 0.0) < floor}
    assert not low, f"{path}: codes below the floor in tests/accuracy_floors.json (measured, floor): {low}"


def test_reference_article_floor(tmp_path):
    seed = shared_path("seeds", "000_30e9b2de46709c67.txt")
    renamed = tmp_path / "wjcc-2023-11-5351.md"  # the user's doc_id for the seed article
    renamed.write_bytes(seed.read_bytes())
    run([renamed], tmp_path / "out", workers=1)
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "wjcc-2023-11-5351.json").write_bytes((ROOT / "gold" / "wjcc-2023-11-5351.json").read_bytes())
    result = evaluate(tmp_path / "out", gold)
    assert list(result.per_document) == ["wjcc-2023-11-5351"]
    low = below(result.micro, FLOORS["reference"])
    assert not low, f"reference article: F1 below the floor (measured, floor): {low}"
