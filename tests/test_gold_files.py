"""The gold files themselves: every one readable by the scorer, the real-report split frozen and whole;
the blind-coded MACCROBAT set of `benchmarks/bench_codes_maccrobat.py` clean and split."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, shared_path

from pipeline.evaluate import SPLITS_FILE, load_gold, load_splits
from pipeline.evaluate.gold_check import check_gold

GOLD = ROOT / "gold"
REAL = GOLD / "real"
TIMEPOINTS = {"before", "admission", "hospital", "discharge", "follow-up"}


def gold_files():
    return sorted(GOLD.glob("*.json")) + sorted(p for p in REAL.glob("*.json") if p.name != SPLITS_FILE)


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_gold_file_is_valid(path):
    gold = load_gold(path)
    assert gold["doc_id"] == path.stem
    assert list(gold["cases"]) == [str(i) for i in range(1, len(gold["cases"]) + 1)]
    for case in gold["cases"].values():
        assert case.get("sex") in (None, "female", "male")
        for fact in case.get("medications", []) + case.get("labs", []):
            if path.parent == REAL and "timepoint" in fact:
                assert fact["timepoint"] in TIMEPOINTS, fact
        for lab in case.get("labs", []):
            assert isinstance(lab["value"], (int, float)) and "unit" in lab, lab
        for med in case.get("medications", []):
            assert ("dose_value" in med) == ("dose_unit" in med), med


def test_real_split_is_frozen_and_whole():
    splits = json.loads((REAL / SPLITS_FILE).read_text("utf-8"))
    split_of = load_splits(REAL)  # raises on a document in two splits
    files = {p.stem for p in REAL.glob("*.json") if p.name != SPLITS_FILE}
    assert len(files) >= 40
    assert len(splits["test"]) >= 15 and set(split_of) == files
    assert splits["rule"].startswith("Order the 45 doc_ids")


def test_real_split_follows_its_rule():
    import hashlib

    source = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    ids = [json.loads(line)["doc_id"] for line in source.read_text("utf-8").splitlines() if line.strip()]
    by_hash = sorted(ids, key=lambda d: hashlib.sha1(d.encode("utf-8")).hexdigest())
    splits = json.loads((REAL / SPLITS_FILE).read_text("utf-8"))
    assert sorted(splits["test"]) == sorted(by_hash[:18]) and sorted(splits["dev"]) == sorted(by_hash[18:])


def test_reference_gold_does_not_accept_a_part_of_co_trimoxazole():
    gold = load_gold(GOLD / "wjcc-2023-11-5351.json")
    names = [m["drug"] for case in gold["cases"].values() for m in case["medications"]]
    assert ["trimethoprim-sulfamethoxazole", "co-trimoxazole"] in names
    assert not any(n == "sulfamethoxazole" or (isinstance(n, list) and "sulfamethoxazole" in n) for n in names)


def test_blind_coded_maccrobat_gold_checks_clean_and_is_split_whole():
    folder = ROOT / "benchmarks" / "data" / "maccrobat_codes"
    assert check_gold(folder).problems == []
    split_of = load_splits(folder)
    files = {p.stem for p in folder.glob("*.json") if p.name != SPLITS_FILE}
    assert len(files) == 100 and set(split_of) == files
    assert sorted(split_of.values()).count("test") == 28
    diagnoses = [d for f in files for c in load_gold(folder / f"{f}.json")["cases"].values() for d in c["diagnoses"]]
    assert all(d.get("icd10cm") for d in diagnoses)  # every one coded, as the benchmark scores codes
