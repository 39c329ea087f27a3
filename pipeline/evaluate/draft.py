"""A gold file drafted from a run, for a curator to correct by reading the article: every fact the
run extracted for one document, as the gold format writes it, one entry a distinct fact (the rows
the scorer reads, folded as it folds them), each with its sentence under `_sentence`, a note the
scorer never reads. Scored against the run it came from, a draft is perfect on every field (but
for a dose found without a unit, which the gold format does not take: the guidelines give such a
drug no dose), so what the curator changes is what eval will count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .evaluation import load_output
from .fields import SCORED_ROW, cell_text
from .gold_check import entry_keys


class NoSuchDocument(LookupError):
    """A doc_id the run does not have (or did not read); the message says which it has."""


def number(value: Any) -> int | float:
    """A table's float as the gold writes numbers: `30`, not `30.0`."""
    value = float(value)
    return int(value) if value.is_integer() else value


def present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def medication_entry(row: dict) -> dict:
    entry: dict[str, Any] = {"drug": cell_text(row["drug"])}
    if present(row.get("dose_value")) and cell_text(row.get("dose_unit")):
        entry |= {"dose_value": number(row["dose_value"]), "dose_unit": cell_text(row["dose_unit"])}
    for key in ("frequency", "timepoint"):
        if cell_text(row.get(key)):
            entry[key] = cell_text(row[key])
    return entry


def lab_entry(row: dict) -> dict:
    entry = {"test": cell_text(row["test"]), "value": number(row["value"]), "unit": cell_text(row.get("unit"))}
    if cell_text(row.get("timepoint")):
        entry["timepoint"] = cell_text(row["timepoint"])
    return entry


def diagnosis_entry(row: dict) -> dict:
    entry: dict[str, Any] = {"diagnosis": cell_text(row["diagnosis"])}
    if bool(row.get("negated")):
        entry["negated"] = True
    if cell_text(row.get("certainty")) == "suspected":
        entry["certainty"] = "suspected"
    if cell_text(row.get("icd10cm")):
        entry["icd10cm"] = cell_text(row["icd10cm"])
    if cell_text(row.get("subject")):
        entry["_subject"] = cell_text(row["subject"])  # a relative's condition: the curator decides
    return entry


ENTRY = {"medications": medication_entry, "labs": lab_entry, "diagnoses": diagnosis_entry}


def distinct_entries(table: str, rows: list[dict]) -> list[dict]:
    """One entry a fact, in the order the run found them, quoted from the first mention; a
    diagnosis coded at one mention and not another keeps the code."""
    entries: dict[Any, dict] = {}
    for row in rows:
        if not SCORED_ROW[table](row):
            continue
        entry = ENTRY[table](row)
        key = entry_keys(table, entry)[0]
        if key in entries:
            if "icd10cm" in entry:
                entries[key].setdefault("icd10cm", entry["icd10cm"])
            continue
        entries[key] = entry | {"_sentence": " ".join(cell_text(row.get("sentence")).split())}
    return list(entries.values())


def case_order(case_id: str) -> tuple[bool, int, str]:
    """Patients by number (`2` before `10`); an id that is no number, which gold check will name, last."""
    return (not case_id.isdigit(), int(case_id) if case_id.isdigit() else 0, case_id)


def draft_gold(out_dir: str | Path, doc_id: str) -> dict:
    """The draft gold of `doc_id` from the run in `out_dir`; raises NoSuchDocument."""
    out_dir = Path(out_dir)
    tables = load_output(out_dir)
    documents = tables["documents"]
    if doc_id not in set(documents["doc_id"]):
        have = sorted(documents["doc_id"])
        shown = ", ".join(have[:10]) + (f" and {len(have) - 10} more" if len(have) > 10 else "")
        raise NoSuchDocument(f"{out_dir} has no document {doc_id!r}; it has {shown or 'none'}")
    status = documents[documents["doc_id"] == doc_id].iloc[0]
    if status["status"] != "ok":
        raise NoSuchDocument(f"{doc_id} is an error row of {out_dir}: {cell_text(status['error'])}")
    rows = {name: tables[name][tables[name]["doc_id"] == doc_id].to_dict("records") for name in ("cases", *ENTRY)}
    case_ids = [cell_text(r["case_id"]) for r in rows["cases"]]
    case_ids += [cell_text(r["case_id"]) for name in ENTRY for r in rows[name]]
    cases: dict[str, dict] = {}
    for case_id in sorted(dict.fromkeys(case_ids), key=case_order):
        found = next((r for r in rows["cases"] if cell_text(r["case_id"]) == case_id), {})
        case: dict[str, Any] = {}
        if present(found.get("age_years")):
            case["age_years"] = round(number(found["age_years"]), 4)
        if cell_text(found.get("sex")):
            case["sex"] = cell_text(found["sex"])
        if cell_text(found.get("evidence")):
            case["_sentence"] = cell_text(found["evidence"])
        for name in ENTRY:
            case[name] = distinct_entries(name, [r for r in rows[name] if cell_text(r["case_id"]) == case_id])
        cases[case_id] = case
    return {"doc_id": doc_id, "_drafted_from": str(out_dir), "cases": cases}


def gold_json(gold: dict) -> str:
    """A gold file's text as the shipped ones are laid out: one fact a line, so a curator edits,
    deletes and moves facts line by line."""

    def one_line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    top = [f"  {one_line(k)}: {one_line(v)}," for k, v in gold.items() if k != "cases"]
    lines += top + ['  "cases": {']
    for i, (case_id, case) in enumerate(gold["cases"].items()):
        lines.append(f"    {one_line(case_id)}: {{")
        values = [f"{one_line(k)}: {one_line(v)}" for k, v in case.items() if not isinstance(v, list)]
        lists = [(k, v) for k, v in case.items() if isinstance(v, list)]
        parts = [f"      {value}" for value in values]
        for key, entries in lists:
            if not entries:
                parts.append(f"      {one_line(key)}: []")
                continue
            body = ",\n".join(f"        {one_line(entry)}" for entry in entries)
            parts.append(f"      {one_line(key)}: [\n{body}\n      ]")
        lines.append(",\n".join(parts))
        lines.append("    }" + ("," if i < len(gold["cases"]) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"
