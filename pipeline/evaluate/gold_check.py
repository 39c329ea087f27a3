"""Gold files checked and read: `check_gold` lists every problem of a gold file or folder at once
(JSON syntax with line and column, keys repeated or unknown, values of the wrong type, case ids, a
dose without its unit, duplicate entries, codes not written as ICD-10-CM writes them, a split that
does not cover the files). Nothing is read from a file with a problem (`load_gold` raises), so a
typo never silently drops or mixes facts."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gold import (
    CASE,
    FACT_LISTS,
    GOLD_FILE,
    NAME_KEY,
    NOTE,
    SPLITS_FILE,
    NotJson,
    Problem,
    Shape,
    a_name,
    fold,
    is_text,
    read_object,
    refused,
    shown,
    spellings,
)

# --- one gold file --------------------------------------------------------------------------------


def in_list(where: str, index: int) -> str:
    return f"{where}[{index}]"


@dataclass
class FileCheck:
    """The problems of one gold file, found by walking it once."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    data: Any = None
    entries: int = 0

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(str(self.path), message, where))

    def run(self) -> FileCheck:
        self.data = read_json(self.path, self.problems)
        if self.problems:
            return self
        if not isinstance(self.data, dict):
            self.problem("", f"a gold file is one JSON object with 'doc_id' and 'cases', not {shown(self.data)}")
            return self
        self.check_object("", self.data, GOLD_FILE)
        doc_id = self.data.get("doc_id")
        if is_text(doc_id) and doc_id != self.path.stem:
            self.problem(
                "doc_id", f"{json.dumps(doc_id)} is not the file's name: the gold of {doc_id} is {doc_id}.json"
            )
        if isinstance(self.data.get("cases"), dict):
            self.check_cases(self.data["cases"])
        return self

    def check_object(self, where: str, value: Any, shape: Shape) -> bool:
        """The keys of an object and the value of each; False when it is not an object at all."""
        if not isinstance(value, dict):
            self.problem(where, f"a {shape.what} must be an object, not {shown(value)}")
            return False
        at = f"{where}." if where else ""
        for key in getattr(value, "repeated", ()):
            self.problem(f"{at}{key}", f"'{key}' is written twice in one {shape.what}: JSON keeps only the last")
        for key, item in value.items():
            if key.startswith(NOTE):
                continue
            check = shape.keys.get(key)
            if check is None:
                self.problem(f"{at}{key}", unknown_key(key, shape))
            elif wrong := check(item):
                self.problem(f"{at}{key}", wrong)
        for key in shape.required:
            if key not in value:
                self.problem(where, f"a {shape.what} needs '{key}'")
        return True

    def check_cases(self, cases: dict) -> None:
        for key in getattr(cases, "repeated", ()):
            self.problem(f"cases.{key}", f"case {key} is written twice: JSON keeps only the last")
        numbers = []
        for case_id, case in cases.items():
            where = f"cases.{case_id}"
            if re.fullmatch(r"[1-9]\d*", case_id):
                numbers.append(int(case_id))
            else:
                self.problem(
                    where,
                    f"{json.dumps(case_id)} is not a case id: patients are numbered 1, 2, … as the tables number them",
                )
            if self.check_object(where, case, CASE):
                for list_key, shape in FACT_LISTS.items():
                    if isinstance(case.get(list_key), list):
                        self.check_entries(f"{where}.{list_key}", list_key, case[list_key], shape)
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            found = ", ".join(map(str, numbers))
            self.problem("cases", f"patients are numbered 1, 2, … in the article's order, not {found}")

    def check_entries(self, where: str, list_key: str, entries: list, shape: Shape) -> None:
        seen: dict[Any, int] = {}
        for index, entry in enumerate(entries):
            self.entries += 1
            at, before = in_list(where, index), len(self.problems)
            if list_key == "diagnoses" and not isinstance(entry, dict):
                if wrong := a_name(entry):  # a bare name is a diagnosis said to be present
                    self.problem(at, f"a diagnosis (a name, or an object) {wrong}")
            elif self.check_object(at, entry, shape) and list_key == "medications":
                self.check_dose(at, entry)
            if len(self.problems) > before:
                continue  # an entry with a problem is compared with none: its fix may change it
            keys = entry_keys(list_key, entry)
            again = next((key for key in keys if key in seen), None)
            if again is not None:
                self.problem(at, duplicate(list_key, entry, again, in_list(list_key, seen[again])))
            for key in keys:
                seen.setdefault(key, index)

    def check_dose(self, where: str, medication: dict) -> None:
        drug = json.dumps(medication.get("drug"), ensure_ascii=False)
        if "dose_value" in medication and "dose_unit" not in medication:
            self.problem(
                where,
                f"{drug} has a dose_value ({medication['dose_value']}) but no dose_unit: a dose without a unit"
                " is no dose (leave both out)",
            )
        if "dose_unit" in medication and "dose_value" not in medication:
            self.problem(where, f"{drug} has a dose_unit but no dose_value")


def as_entry(entry: Any) -> dict:
    return entry if isinstance(entry, dict) else {"diagnosis": entry}


def entry_keys(list_key: str, entry: Any) -> list:
    """What makes two entries of a list the same fact. A drug or lab result: every key compared
    after folding names (the same drug at two doses is two entries). A diagnosis: each spelling with
    its negation, since synonyms of one condition belong in one entry's list."""
    entry = as_entry(entry)
    if list_key == "diagnoses":
        return [(name, entry.get("negated") is True) for name in spellings(entry["diagnosis"])]
    folded = []
    for key, value in sorted(entry.items()):
        if key.startswith(NOTE):
            continue
        if isinstance(value, list):
            value = frozenset(fold(v) for v in value)
        elif isinstance(value, str):
            value = fold(value)
        folded.append((key, value))
    return [tuple(folded)]


def duplicate(list_key: str, entry: Any, key: Any, first: str) -> str:
    if list_key == "diagnoses":
        name, said = json.dumps(key[0], ensure_ascii=False), "said absent" if key[1] else "present"
        return f"{name} ({said}) is also in {first}: synonyms of one condition are one entry's list"
    return f"the same fact as {first} ({describe(list_key, entry)}): one entry a fact"


def describe(list_key: str, entry: Any) -> str:
    """An entry as a curator finds it in the file: its first name and its quantity."""
    entry = as_entry(entry)
    name = entry.get(NAME_KEY[list_key])
    name = name[0] if isinstance(name, list) and name else name
    words = [json.dumps(name, ensure_ascii=False)] + [
        str(entry[k]) for k in ("dose_value", "dose_unit", "value", "unit") if entry.get(k) not in (None, "")
    ]
    return " ".join(words)


def unknown_key(key: str, shape: Shape) -> str:
    typed = key.lower()
    close = [k for k in shape.keys if k.startswith(typed) or typed.startswith(k)]
    close = close or difflib.get_close_matches(typed, list(shape.keys), n=1, cutoff=0.75)
    hint = f"did you mean {' or '.join(repr(k) for k in close)}? " if close else ""
    return (
        f"unknown key '{key}': {hint}a {shape.what} has {', '.join(shape.keys)}"
        f" (a key starting with '{NOTE}' is a note the scorer ignores)"
    )


def read_json(path: Path, problems: list[Problem]) -> Any:
    """The JSON of a file; None, with the problem added (line and column where JSON says), when it
    cannot be read."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=read_object, parse_constant=NotJson)
    except OSError as exc:
        problems.append(Problem(str(path), f"cannot be read ({exc.strerror or exc})"))
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before.rpartition("\n")[2]) + 1
        problems.append(Problem(str(path), "not UTF-8 text", line=line, column=column))
    except json.JSONDecodeError as exc:
        problems.append(Problem(str(path), f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno))
    return None


# --- a folder: its files and its split -----------------------------------------------------------


@dataclass
class GoldCheck:
    """A gold file or folder checked: its files, the gold of each that has no problem, the split."""

    files: list[Path] = field(default_factory=list)
    gold: dict[Path, dict] = field(default_factory=dict)
    split_of: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cases: int = 0
    entries: int = 0


def gold_files(path: Path) -> list[Path]:
    """A gold file, or a folder's gold files (its `*.json` but `SPLITS.json`)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.json") if p.name != SPLITS_FILE)


def check_gold(path: str | Path) -> GoldCheck:
    """Every problem of a gold file or folder (its files and `SPLITS.json`), none skipped."""
    path = Path(path)
    if path.name == SPLITS_FILE:
        path = path.parent  # a split is checked against the files of its folder
    result = GoldCheck(files=gold_files(path))
    for file in result.files:
        checked = FileCheck(file).run()
        result.problems += checked.problems
        if not checked.problems:
            result.gold[file] = checked.data
            result.cases += len(checked.data["cases"])
            result.entries += checked.entries
    if path.is_dir() and (path / SPLITS_FILE).exists():
        result.split_of = check_splits(path / SPLITS_FILE, result.files, result.problems)
    return result


def check_splits(path: Path, files: list[Path], problems: list[Problem]) -> dict[str, str]:
    """`SPLITS.json` → {doc_id: split}; each doc_id in one split, each with a gold file, and each
    gold file in a split (else its facts would count in the totals of no split)."""
    data = read_json(path, problems)
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(str(path), f'must be an object of splits ("dev": [doc_id, …]), not {shown(data)}'))
        return {}
    split_of: dict[str, str] = {}
    for name, doc_ids in data.items():
        if name == "rule" or name.startswith(NOTE):
            continue
        if not isinstance(doc_ids, list) or not all(isinstance(d, str) for d in doc_ids):
            problems.append(Problem(str(path), "must be a list of doc_ids (strings)", name))
            continue
        for index, doc_id in enumerate(doc_ids):
            where = in_list(name, index)
            if doc_id in split_of:
                again = (
                    f"is in both '{split_of[doc_id]}' and '{name}'" if split_of[doc_id] != name else "is listed twice"
                )
                problems.append(Problem(str(path), f"{doc_id} {again}", where))
                continue
            split_of[doc_id] = name
            if not (path.parent / f"{doc_id}.json").is_file():
                problems.append(Problem(str(path), f"{doc_id} has no gold file ({doc_id}.json)", where))
    for file in files:
        if file.stem not in split_of:
            problems.append(Problem(str(file), f"{file.stem} is in no split of {SPLITS_FILE}"))
    return split_of


def load_gold(path: Path) -> dict:
    """A gold file's JSON; raises GoldError, listing every problem, unless it checks clean."""
    checked = FileCheck(Path(path)).run()
    if checked.problems:
        raise refused(checked.problems)
    return checked.data


def load_splits(gold_dir: Path) -> dict[str, str]:
    """`SPLITS.json` of a gold folder → {doc_id: split name}; {} when the folder has none."""
    path = Path(gold_dir) / SPLITS_FILE
    if not path.exists():
        return {}
    problems: list[Problem] = []
    split_of = check_splits(path, gold_files(Path(gold_dir)), problems)
    if problems:
        raise refused(problems)
    return split_of
