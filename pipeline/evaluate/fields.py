"""What each field compares, one table entry a field: the gold's value or facts, the run's, when
the two are the same, and how a miss or a false hit reads in errors.tsv.

Facts are compared as sets per patient: a field's found facts are its rows reduced to one
(fact, sentence) pair per distinct fact, so a drug mentioned five times is one drug."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..nlp.quantities import clean_unit
from .gold import fold, spellings
from .matching import same_quantity

Found = tuple[Any, str]  # a distinct found fact and the sentence quoted for it


def cell_text(value: Any) -> str:
    """A table cell as text; a missing cell (None, NaN, NA) is ''."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)


# --- one value per case: age and sex -----------------------------------------------------------


@dataclass(frozen=True)
class CaseField:
    """A value a case has at most once. `gold` and `found` give None where there is no value."""

    name: str
    gold: Callable[[dict], Any]
    found: Callable[[dict], Any]
    same: Callable[[Any, Any], bool]
    describe_gold: Callable[[Any], str]
    describe_found: Callable[[Any], str]


def found_age(row: dict) -> float | None:
    age = row.get("age_years")
    return None if age is None or pd.isna(age) else float(age)


CASE_FIELDS = (
    CaseField(
        "age",
        gold=lambda case: case.get("age_years"),
        found=found_age,
        same=lambda gold, found: math.isclose(float(gold), found, abs_tol=0.01),
        describe_gold=lambda age: f"age {age}",
        describe_found=lambda age: f"age {age:g}",
    ),
    CaseField(
        "sex",
        gold=lambda case: case.get("sex") or None,
        found=lambda row: cell_text(row.get("sex")) or None,
        same=operator.eq,
        describe_gold=lambda sex: f"sex {sex}",
        describe_found=lambda sex: f"sex {sex}",
    ),
)


# --- facts a case has several of: drugs, doses, labs, diagnoses ---------------------------------


@dataclass(frozen=True)
class FactField:
    """A field scored on one fact table: its facts are matched one to one, gold with found."""

    name: str
    table: str  # the run's table, and the list of a gold case, that hold the facts
    gold_facts: Callable[[list], list]  # the gold case's list → the facts to find
    # the case's scored rows and this field's gold facts → the distinct facts found
    found_facts: Callable[[list[dict], list], list[Found]]
    accepts: Callable[[Any, Any], bool]  # (gold fact, found fact) → the same fact
    describe_gold: Callable[[Any], tuple[str, tuple[str, ...]]]  # → (the fact, the names its sentence has)
    describe_found: Callable[[Any], str]


def distinct(items: Iterable[Any], key: Callable[[Any], Hashable]) -> list:
    """One item per key (the last, in the place of the first): the same drug at the same dose twice in
    the gold (before and after admission) is one fact."""
    return list({key(item): item for item in items}.values())


def first_mentions(rows: list[dict], key: Callable[[dict], Hashable]) -> list[Found]:
    """The distinct facts in sorted order, each quoted from its first mention (sorted, so errors.tsv
    does not depend on the order facts were gathered in)."""
    sentences: dict[Hashable, str] = {}
    for row in rows:
        sentences.setdefault(key(row), cell_text(row["sentence"]))
    return [(fact, sentences[fact]) for fact in sorted(sentences)]


def last_mentions(rows: list[dict], key: Callable[[dict], Hashable]) -> list[Found]:
    """The distinct facts in the order of their first mention, each quoted from its last."""
    return list({key(row): cell_text(row["sentence"]) for row in rows}.items())


@dataclass(frozen=True)
class Quantity:
    """Where a fact table keeps a name, a value and a unit (the gold's keys are the table's)."""

    name: str
    value: str
    unit: str

    def names(self, gold: dict) -> tuple[str, ...]:
        return spellings(gold[self.name])

    def in_gold(self, gold: dict) -> bool:
        return gold.get(self.value) is not None

    def in_row(self, row: dict) -> bool:
        return row.get(self.value) is not None and not pd.isna(row[self.value])

    def gold_key(self, gold: dict) -> tuple:
        return (self.names(gold), str(gold[self.value]), clean_unit(str(gold.get(self.unit, ""))))

    def found_key(self, row: dict) -> tuple[str, float, str]:
        return (fold(row[self.name]), float(row[self.value]), cell_text(row[self.unit]))

    def matches(self, gold: dict, name: str, value: Any, unit: Any) -> bool:
        return name in self.names(gold) and same_quantity(gold[self.value], gold.get(self.unit), value, unit)

    def describe_gold(self, gold: dict) -> str:
        return f"{self.names(gold)[0]} {gold[self.value]} {gold.get(self.unit, '')}"


def describe_found_quantity(fact: tuple) -> str:
    name, value, unit = fact[:3]
    return f"{name} {value:g} {unit}"


DOSE = Quantity("drug", "dose_value", "dose_unit")
LAB = Quantity("test", "value", "unit")


def quantity_field(name: str, table: str, quantity: Quantity, mentions: Callable) -> FactField:
    return FactField(
        name,
        table,
        gold_facts=lambda gold: distinct((g for g in gold if quantity.in_gold(g)), quantity.gold_key),
        found_facts=lambda rows, _: mentions([r for r in rows if quantity.in_row(r)], quantity.found_key),
        accepts=lambda gold, fact: quantity.matches(gold, *fact),
        describe_gold=lambda gold: (quantity.describe_gold(gold), quantity.names(gold)),
        describe_found=describe_found_quantity,
    )


def frequency_options(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


def drug_name(row: dict) -> str:
    return fold(row["drug"])


def gold_frequencies(gold: list[dict]) -> list[dict]:
    with_frequency = (m for m in gold if m.get("frequency"))
    return distinct(with_frequency, lambda m: (spellings(m["drug"]), frequency_options(m["frequency"])))


def found_frequencies(rows: list[dict]) -> list[Found]:
    with_frequency = [r for r in rows if cell_text(r.get("frequency"))]
    return last_mentions(with_frequency, lambda r: (drug_name(r), cell_text(r["frequency"])))


# A timepoint is judged only where the gold states one for that drug or lab result: elsewhere the
# field would score the fact again, not when it holds.


def drugs_timed(gold: list[dict]) -> list[tuple[tuple[str, ...], str]]:
    return list(dict.fromkeys((spellings(m["drug"]), fold(m["timepoint"])) for m in gold if m.get("timepoint")))


def found_drugs_timed(rows: list[dict], timed: list) -> list[Found]:
    judged = [r for r in rows if cell_text(r.get("timepoint")) and any(drug_name(r) in names for names, _ in timed)]
    return last_mentions(judged, lambda r: (drug_name(r), fold(r["timepoint"])))


def labs_timed(gold: list[dict]) -> list[dict]:
    timed = (g for g in gold if LAB.in_gold(g) and g.get("timepoint"))
    return distinct(timed, lambda g: (*LAB.gold_key(g), fold(g["timepoint"])))


def found_labs_timed(rows: list[dict], timed: list[dict]) -> list[Found]:
    judged = [
        r
        for r in rows
        if cell_text(r.get("timepoint")) and any(LAB.matches(g, fold(r["test"]), r["value"], r["unit"]) for g in timed)
    ]
    return last_mentions(judged, lambda r: (*LAB.found_key(r), fold(r["timepoint"])))


def describe_timed_lab(gold: dict) -> tuple[str, tuple[str, ...]]:
    return f"lab {LAB.describe_gold(gold)} @{fold(gold['timepoint'])}", LAB.names(gold)


def gold_diagnosis(item: Any) -> tuple[tuple[str, ...], bool, str]:
    """A gold diagnosis → (its spellings, said to be absent, its ICD-10-CM code or ""); a bare name
    is a present diagnosis."""
    if isinstance(item, dict):
        return spellings(item["diagnosis"]), bool(item.get("negated", False)), str(item.get("icd10cm", ""))
    return spellings(item), False, ""


def diagnosis_key(row: dict) -> tuple[str, bool]:
    """A diagnosis row as the fact it states: its folded name, said to be absent or not."""
    return fold(row["diagnosis"]), bool(row.get("negated"))


def found_diagnoses(rows: list[dict]) -> list[Found]:
    return last_mentions(rows, diagnosis_key)


def describe_condition(name: str, negated: bool) -> str:
    return ("no " if negated else "") + name


DIAGNOSIS = FactField(
    "diagnosis",
    "diagnoses",
    gold_facts=lambda gold: [gold_diagnosis(item) for item in gold],
    found_facts=lambda rows, _: found_diagnoses(rows),
    accepts=lambda gold, fact: fact[0] in gold[0] and fact[1] == gold[1],
    describe_gold=lambda gold: (describe_condition(gold[0][0], gold[1]), gold[0]),
    describe_found=lambda fact: describe_condition(*fact),
)

# Scored in this order, so a document's errors are listed case by case and, within a case, in this
# order. Drugs and doses are quoted from their first mention, the other facts from their last, as
# errors.tsv has always quoted them.
FACT_FIELDS = (
    FactField(
        "drug",
        "medications",
        gold_facts=lambda gold: list(dict.fromkeys(spellings(m["drug"]) for m in gold)),
        found_facts=lambda rows, _: first_mentions(rows, drug_name),
        accepts=lambda names, name: name in names,
        describe_gold=lambda names: (names[0], names),
        describe_found=str,
    ),
    quantity_field("drug+dose", "medications", DOSE, first_mentions),
    FactField(
        "frequency",
        "medications",
        gold_facts=gold_frequencies,
        found_facts=lambda rows, _: found_frequencies(rows),
        accepts=lambda gold, fact: (
            fact[0] in spellings(gold["drug"]) and fact[1] in frequency_options(gold["frequency"])
        ),
        describe_gold=lambda gold: (f"{spellings(gold['drug'])[0]} {gold['frequency']}", spellings(gold["drug"])),
        describe_found=lambda fact: f"{fact[0]} {fact[1]}",
    ),
    FactField(
        "timepoint",
        "medications",
        gold_facts=drugs_timed,
        found_facts=found_drugs_timed,
        accepts=lambda gold, fact: fact[0] in gold[0] and fact[1] == gold[1],
        describe_gold=lambda gold: (f"drug {gold[0][0]} @{gold[1]}", gold[0]),
        describe_found=lambda fact: f"drug {fact[0]} @{fact[1]}",
    ),
    quantity_field("lab", "labs", LAB, last_mentions),
    FactField(
        "timepoint",
        "labs",
        gold_facts=labs_timed,
        found_facts=found_labs_timed,
        accepts=lambda gold, fact: fact[3] == fold(gold["timepoint"]) and LAB.matches(gold, *fact[:3]),
        describe_gold=describe_timed_lab,
        describe_found=lambda fact: f"lab {describe_found_quantity(fact)} @{fact[3]}",
    ),
    DIAGNOSIS,
    # negation on its own: of the conditions said to be absent, which came out negated
    FactField(
        "negated",
        "diagnoses",
        gold_facts=lambda gold: [g for g in DIAGNOSIS.gold_facts(gold) if g[1]],
        found_facts=lambda rows, _: [f for f in found_diagnoses(rows) if f[0][1]],
        accepts=DIAGNOSIS.accepts,
        describe_gold=DIAGNOSIS.describe_gold,
        describe_found=DIAGNOSIS.describe_found,
    ),
)

# The rows of a fact table that are scored: a drug said not to have been given is no medication,
# and a lab without a value has nothing to compare.
SCORED_ROW = {
    "medications": lambda row: not bool(row.get("negated")),
    "labs": LAB.in_row,
    "diagnoses": lambda row: True,
}
