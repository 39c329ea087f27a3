"""The gold format: what a hand-curated gold file (one per document, GUIDELINES.md) may hold, each
kind of object's keys with the check of each value, and the folding by which names are compared.
gold_check.py walks files against it.

Keys starting with `_` are the curator's notes (a draft's `_sentence`): allowed in any object,
never read by the scorer."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SPLITS_FILE = "SPLITS.json"
HELD_OUT_SPLIT = "test"
NOTE = "_"  # the start of a note key
TIMEPOINTS_NOTE = "before, admission, hospital, discharge, follow-up, or a table's column header"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a gold file: where (JSON line and column, or a path such as
    `cases.2.medications[1].dose_unit`) and what, in words."""

    file: str
    message: str
    where: str = ""
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class GoldError(ValueError):
    """Gold that cannot be scored; `problems` lists each one (empty for a single wrong value)."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def refused(problems: list[Problem]) -> GoldError:
    return GoldError("; ".join(map(str, problems)), problems)


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


# --- values: each check gives what is wrong with a value, or None ---------------------------------


class JsonObject(dict):
    """A JSON object as read, with the keys it wrote more than once (JSON keeps only the last)."""

    repeated: tuple[str, ...] = ()


class NotJson:
    """`NaN` or `Infinity`: Python's json reads them, JSON has no such number."""

    def __init__(self, text: str):
        self.text = text


def read_object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    obj.repeated = tuple(key for key, n in Counter(key for key, _ in pairs).items() if n > 1)
    return obj


def shown(value: Any) -> str:
    """A value as a curator recognises it in the file."""
    if isinstance(value, NotJson):
        return f"{value.text} (not a JSON number)"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"the number {json.dumps(value)}"
    if isinstance(value, str):
        return f"the string {json.dumps(value, ensure_ascii=False)}"
    return "a list" if isinstance(value, list) else "an object"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_text(value: Any) -> bool:
    """A non-empty string."""
    return isinstance(value, str) and bool(value.strip())


def is_texts(value: Any) -> bool:
    """A non-empty string, or a non-empty list of them (a name's spellings, a drug's frequencies)."""
    return is_text(value) or (isinstance(value, list) and bool(value) and all(map(is_text, value)))


def a_name(value: Any) -> str | None:
    return None if is_texts(value) else f"must be a name or a list of names (non-empty strings), not {shown(value)}"


def a_number(value: Any) -> str | None:
    return None if is_number(value) else f"must be a number, not {shown(value)}"


def an_age(value: Any) -> str | None:
    if not is_number(value):
        return f"must be the age in years as a number, not {shown(value)}"
    return None if 0 <= value < 130 else f"{value} is not an age in years"


def a_dose(value: Any) -> str | None:
    if not is_number(value):
        return f"must be a number, not {shown(value)}"
    return None if value >= 0 else f"{value} is not a dose"


def a_text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be a string, not {shown(value)}"


def a_word(value: Any) -> str | None:
    return None if is_text(value) else f"must be a non-empty string, not {shown(value)}"


def one_of(*allowed: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"must be {' or '.join(map(json.dumps, allowed))}, not {shown(value)}"

    return check


def a_timepoint(value: Any) -> str | None:
    return None if is_text(value) else f"must be a timepoint ({TIMEPOINTS_NOTE}), not {shown(value)}"


def a_frequency(value: Any) -> str | None:
    if is_texts(value):
        return None
    return f"must be a frequency (`1/d`, `2/wk`, `once`…) or a list of them, not {shown(value)}"


def a_boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {shown(value)}"


ICD10CM = re.compile(r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?")


def a_code(value: Any) -> str | None:
    """Only the code's form: whether the code exists is for the tests, which have the code set."""
    if not isinstance(value, str):
        return f"must be an ICD-10-CM code as a string, not {shown(value)}"
    if ICD10CM.fullmatch(value):
        return None
    bare = value.strip().upper().replace(".", "")
    guess = bare[:3] + ("." + bare[3:] if len(bare) > 3 else "")
    hint = f" (did you mean {guess}?)" if ICD10CM.fullmatch(guess) else ""
    return f"{json.dumps(value)} is not an ICD-10-CM code as simple-icd-10-cm writes it, like K52.832{hint}"


def a_list(value: Any) -> str | None:
    return None if isinstance(value, list) else f"must be a list, not {shown(value)}"


def an_object(value: Any) -> str | None:
    return None if isinstance(value, dict) else f"must be an object, not {shown(value)}"


@dataclass(frozen=True)
class Shape:
    """A kind of object in a gold file: its keys with the check of each, and those it must have."""

    what: str
    keys: dict[str, Callable[[Any], str | None]]
    required: tuple[str, ...] = ()


GOLD_FILE = Shape("gold file", {"doc_id": a_word, "cases": an_object}, ("doc_id", "cases"))
CASE = Shape(
    "case",
    {"age_years": an_age, "sex": one_of("female", "male"), "medications": a_list, "labs": a_list, "diagnoses": a_list},
)
MEDICATION = Shape(
    "medication",
    {"drug": a_name, "dose_value": a_dose, "dose_unit": a_word, "frequency": a_frequency, "timepoint": a_timepoint},
    ("drug",),
)
LAB = Shape(
    "lab", {"test": a_name, "value": a_number, "unit": a_text, "timepoint": a_timepoint}, ("test", "value", "unit")
)
DIAGNOSIS = Shape(
    "diagnosis",
    {
        "diagnosis": a_name,
        "negated": a_boolean,
        "certainty": one_of("confirmed", "suspected", "history"),
        "icd10cm": a_code,
    },
    ("diagnosis",),
)
FACT_LISTS = {"medications": MEDICATION, "labs": LAB, "diagnoses": DIAGNOSIS}
NAME_KEY = {"medications": "drug", "labs": "test", "diagnoses": "diagnosis"}
