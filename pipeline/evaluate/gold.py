"""Gold files: reading and checking the hand-curated JSON (one per document) and the folder's
`SPLITS.json`, and the folding by which names are compared."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SPLITS_FILE = "SPLITS.json"
HELD_OUT_SPLIT = "test"


class GoldError(ValueError):
    """A gold file that cannot be read; the message says which file and what is wrong."""


def fold(name: str) -> str:
    name = str(name).lower().replace("‐", "-").replace("–", "-")
    name = re.sub(r"[\s\-_/]+", " ", name)
    return name.strip(" .,;:")


def spellings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (fold(value),)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(fold(v) for v in value)
    raise GoldError(f"a name must be a string or a list of strings, not {value!r}")


# the fact lists of a gold case whose items are objects that must name something: list, item, key
NAMED_FACTS = (("medications", "medication", "drug"), ("labs", "lab", "test"))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path.name}: not readable JSON ({exc})") from exc


def load_gold(path: Path) -> dict:
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str) or not isinstance(data.get("cases"), dict):
        raise GoldError(f"{path.name}: needs a string 'doc_id' and an object 'cases'")
    for case_id, case in data["cases"].items():
        check_case(f"{path.name}: case {case_id}", case)
    return data


def check_case(where: str, case: Any) -> None:
    """Raise GoldError, the message starting with `where`, unless the gold case can be scored."""
    if not isinstance(case, dict):
        raise GoldError(f"{where} is not an object")
    for key in ("medications", "labs", "diagnoses"):
        if not isinstance(case.get(key, []), list):
            raise GoldError(f"{where} '{key}' must be a list")
    for fact in case.get("medications", []) + case.get("labs", []):
        if isinstance(fact, dict) and not isinstance(fact.get("timepoint", ""), str):
            raise GoldError(f"{where}: a timepoint must be a string")
    for key, item, name in NAMED_FACTS:
        for fact in case.get(key, []):
            if not isinstance(fact, dict) or name not in fact:
                raise GoldError(f"{where}: each {item} needs a '{name}'")
            spellings(fact[name])
    for diagnosis in case.get("diagnoses", []):
        spellings(diagnosis["diagnosis"] if isinstance(diagnosis, dict) else diagnosis)


def load_splits(gold_dir: Path) -> dict[str, str]:
    """`SPLITS.json` of a gold folder → {doc_id: split name}; {} when the folder has none."""
    path = gold_dir / SPLITS_FILE
    if not path.exists():
        return {}
    data = read_json(path)
    split_of: dict[str, str] = {}
    for name, doc_ids in data.items():
        if name == "rule":
            continue
        if not isinstance(doc_ids, list) or not all(isinstance(d, str) for d in doc_ids):
            raise GoldError(f"{path.name}: split '{name}' must be a list of doc_ids")
        for doc_id in doc_ids:
            if doc_id in split_of:
                raise GoldError(f"{path.name}: {doc_id} is in both '{split_of[doc_id]}' and '{name}'")
            split_of[doc_id] = name
    return split_of
