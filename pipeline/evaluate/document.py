"""One document scored: its gold cases against the run's rows for that document, field by field,
with every miss and false hit described."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from ..nlp.quantities import clean_unit
from .gold import fold, spellings
from .matching import match_one_to_one, same_quantity
from .scores import FIELDS, ErrorRow, Score


def _rows(df: pd.DataFrame, doc_id: str) -> list[dict]:
    return df[df["doc_id"] == doc_id].to_dict("records")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)


class DocumentScorer:
    def __init__(self, gold: dict, tables: dict[str, pd.DataFrame], text: str):
        self.gold = gold
        self.doc_id = gold["doc_id"]
        self.tables = tables
        self.text = text
        self.scores = {f: Score() for f in FIELDS}
        self.errors: list[ErrorRow] = []

    def run(self) -> None:
        gold_cases = {str(k): v for k, v in self.gold["cases"].items()}
        found_cases = {_text(r["case_id"]): r for r in _rows(self.tables["cases"], self.doc_id)}
        self.score_cases(gold_cases, found_cases)
        for case_id in sorted(
            set(gold_cases)
            | {
                _text(r["case_id"])
                for name in ("medications", "labs", "diagnoses")
                for r in _rows(self.tables[name], self.doc_id)
            }
        ):
            gold = gold_cases.get(case_id, {})
            self.score_medications(case_id, gold.get("medications", []))
            self.score_labs(case_id, gold.get("labs", []))
            self.score_diagnoses(case_id, gold.get("diagnoses", []))

    def record(
        self,
        field_name: str,
        matched: int,
        missed: Iterable[tuple[str, str]],
        false_hits: Iterable[tuple[str, str]],
        case_id: str,
    ) -> None:
        score = self.scores[field_name]
        score.tp += matched
        for fact, sentence in missed:
            score.fn += 1
            self.errors.append(ErrorRow(self.doc_id, field_name, "miss", case_id, fact, sentence))
        for fact, sentence in false_hits:
            score.fp += 1
            self.errors.append(ErrorRow(self.doc_id, field_name, "false hit", case_id, fact, sentence))

    def match(
        self,
        field_name: str,
        case_id: str,
        gold: list,
        found: list,
        accepts: Callable[[Any, Any], bool],
        miss: Callable[[Any], tuple[str, str]],
        hit: Callable[[Any], tuple[str, str]],
    ) -> None:
        """Match gold facts one to one with found ones; record the pairs, misses and false hits,
        each described as (fact, sentence) by `miss` and `hit`."""
        pairs, missed, extra = match_one_to_one(gold, found, accepts)
        self.record(field_name, len(pairs), [miss(g) for g in missed], [hit(f) for f in extra], case_id)

    def sentence_naming(self, names: tuple[str, ...]) -> str:
        for name in names:
            match = re.search(re.escape(name).replace(r"\ ", r"[\s\-]+"), self.text, re.I)
            if match:
                start = max(self.text.rfind(". ", 0, match.start()) + 2, self.text.rfind("\n", 0, match.start()) + 1, 0)
                end = self.text.find(". ", match.end())
                return " ".join(self.text[start : end + 1 if end >= 0 else len(self.text)].split())[:400]
        return ""

    def score_cases(self, gold: dict[str, dict], found: dict[str, dict]) -> None:
        n_gold, n_found = len(gold), len(found)
        self.record(
            "case",
            min(n_gold, n_found),
            [(f"case {c}", "") for c in sorted(set(gold) - set(found))][: max(0, n_gold - n_found)],
            [(f"case {c}", _text(found[c].get("evidence"))) for c in sorted(set(found) - set(gold))][
                : max(0, n_found - n_gold)
            ],
            "",
        )
        for case_id in sorted(set(gold) | set(found)):
            g, f = gold.get(case_id, {}), found.get(case_id, {})
            evidence = _text(f.get("evidence"))
            gold_age = g.get("age_years")
            found_age = f.get("age_years")
            found_age = None if found_age is None or pd.isna(found_age) else float(found_age)
            if gold_age is not None or found_age is not None:
                ok = (
                    gold_age is not None
                    and found_age is not None
                    and math.isclose(float(gold_age), found_age, abs_tol=0.01)
                )
                self.record(
                    "age",
                    int(ok),
                    [] if ok or gold_age is None else [(f"age {gold_age}", evidence)],
                    [] if ok or found_age is None else [(f"age {found_age:g}", evidence)],
                    case_id,
                )
            gold_sex, found_sex = g.get("sex") or "", _text(f.get("sex"))
            if gold_sex or found_sex:
                ok = gold_sex == found_sex
                self.record(
                    "sex",
                    int(ok),
                    [] if ok or not gold_sex else [(f"sex {gold_sex}", evidence)],
                    [] if ok or not found_sex else [(f"sex {found_sex}", evidence)],
                    case_id,
                )

    def score_medications(self, case_id: str, gold: list[dict]) -> None:
        rows = [
            r
            for r in _rows(self.tables["medications"], self.doc_id)
            if _text(r["case_id"]) == case_id and not bool(r.get("negated"))
        ]
        sentences = {}
        for r in rows:
            sentences.setdefault(fold(r["drug"]), _text(r["sentence"]))
        drugs = sorted({fold(r["drug"]) for r in rows})
        gold_drugs = [spellings(m["drug"]) for m in gold]
        gold_unique = list({names: None for names in gold_drugs})
        self.match(
            "drug",
            case_id,
            gold_unique,
            drugs,
            lambda g, f: f in g,
            miss=lambda g: (g[0], self.sentence_naming(g)),
            hit=lambda f: (f, sentences.get(f, "")),
        )

        # the same drug at the same dose twice in the gold (before and after admission) is one fact
        with_dose = list(
            {
                (spellings(m["drug"]), str(m["dose_value"]), clean_unit(str(m.get("dose_unit", "")))): m
                for m in gold
                if m.get("dose_value") is not None
            }.values()
        )
        first_sentence: dict[tuple, str] = {}  # each found dose quoted from its first mention
        for r in rows:
            if r.get("dose_value") is not None and not pd.isna(r["dose_value"]):
                key = (fold(r["drug"]), float(r["dose_value"]), _text(r["dose_unit"]))
                first_sentence.setdefault(key, _text(r["sentence"]))
        found_doses = [(*key, first_sentence[key]) for key in sorted(first_sentence)]
        self.match(
            "drug+dose",
            case_id,
            with_dose,
            found_doses,
            lambda g, f: (
                f[0] in spellings(g["drug"]) and same_quantity(g["dose_value"], g.get("dose_unit"), f[1], f[2])
            ),
            miss=lambda g: (
                f"{spellings(g['drug'])[0]} {g['dose_value']} {g.get('dose_unit', '')}",
                self.sentence_naming(spellings(g["drug"])),
            ),
            hit=lambda f: (f"{f[0]} {f[1]:g} {f[2]}", f[3]),
        )

        with_frequency = list(
            {(spellings(m["drug"]), _frequency_options(m["frequency"])): m for m in gold if m.get("frequency")}.values()
        )
        found_frequency = list(
            {
                (fold(r["drug"]), _text(r["frequency"])): _text(r["sentence"])
                for r in rows
                if _text(r.get("frequency"))
            }.items()
        )
        self.match(
            "frequency",
            case_id,
            with_frequency,
            found_frequency,
            lambda g, f: f[0][0] in spellings(g["drug"]) and f[0][1] in _frequency_options(g["frequency"]),
            miss=lambda g: (f"{spellings(g['drug'])[0]} {g['frequency']}", self.sentence_naming(spellings(g["drug"]))),
            hit=lambda f: (f"{f[0][0]} {f[0][1]}", f[1]),
        )

        with_time = list({(spellings(m["drug"]), fold(m["timepoint"])): m for m in gold if m.get("timepoint")})
        # a timepoint is judged where the gold states one for that drug; elsewhere it cannot be
        found_time = list(
            {
                (fold(r["drug"]), fold(r["timepoint"])): _text(r["sentence"])
                for r in rows
                if _text(r.get("timepoint")) and any(fold(r["drug"]) in g[0] for g in with_time)
            }.items()
        )
        self.match(
            "timepoint",
            case_id,
            with_time,
            found_time,
            lambda g, f: f[0][0] in g[0] and f[0][1] == g[1],
            miss=lambda g: (f"drug {g[0][0]} @{g[1]}", self.sentence_naming(g[0])),
            hit=lambda f: (f"drug {f[0][0]} @{f[0][1]}", f[1]),
        )

    def score_labs(self, case_id: str, gold: list[dict]) -> None:
        rows = [
            r
            for r in _rows(self.tables["labs"], self.doc_id)
            if _text(r["case_id"]) == case_id and r.get("value") is not None and not pd.isna(r["value"])
        ]
        found = list(
            {(fold(r["test"]), float(r["value"]), _text(r["unit"])): _text(r["sentence"]) for r in rows}.items()
        )
        numeric = list(
            {
                (spellings(g["test"]), str(g["value"]), clean_unit(str(g.get("unit", "")))): g
                for g in gold
                if g.get("value") is not None
            }.values()
        )
        self.match(
            "lab",
            case_id,
            numeric,
            found,
            lambda g, f: f[0][0] in spellings(g["test"]) and same_quantity(g["value"], g.get("unit"), f[0][1], f[0][2]),
            miss=lambda g: (
                f"{spellings(g['test'])[0]} {g['value']} {g.get('unit', '')}",
                self.sentence_naming(spellings(g["test"])),
            ),
            hit=lambda f: (f"{f[0][0]} {f[0][1]:g} {f[0][2]}", f[1]),
        )

        timed = list(
            {
                (spellings(g["test"]), str(g["value"]), clean_unit(str(g.get("unit", ""))), fold(g["timepoint"])): g
                for g in gold
                if g.get("value") is not None and g.get("timepoint")
            }.values()
        )
        found_timed = list(
            {
                (fold(r["test"]), float(r["value"]), _text(r["unit"]), fold(r["timepoint"])): _text(r["sentence"])
                for r in rows
                if _text(r.get("timepoint"))
                and any(
                    fold(r["test"]) in spellings(g["test"])
                    and same_quantity(g["value"], g.get("unit"), r["value"], r["unit"])
                    for g in timed
                )
            }.items()
        )
        self.match(
            "timepoint",
            case_id,
            timed,
            found_timed,
            lambda g, f: (
                f[0][0] in spellings(g["test"])
                and f[0][3] == fold(g["timepoint"])
                and same_quantity(g["value"], g.get("unit"), f[0][1], f[0][2])
            ),
            miss=lambda g: (
                f"lab {spellings(g['test'])[0]} {g['value']} {g.get('unit', '')} @{fold(g['timepoint'])}",
                self.sentence_naming(spellings(g["test"])),
            ),
            hit=lambda f: (f"lab {f[0][0]} {f[0][1]:g} {f[0][2]} @{f[0][3]}", f[1]),
        )

    def score_diagnoses(self, case_id: str, gold: list[Any]) -> None:
        rows = [r for r in _rows(self.tables["diagnoses"], self.doc_id) if _text(r["case_id"]) == case_id]
        found = list({(fold(r["diagnosis"]), bool(r.get("negated"))): _text(r["sentence"]) for r in rows}.items())
        expected = []
        for item in gold:
            if isinstance(item, dict):
                expected.append((spellings(item["diagnosis"]), bool(item.get("negated", False))))
            else:
                expected.append((spellings(item), False))
        self.match(
            "diagnosis",
            case_id,
            expected,
            found,
            lambda g, f: f[0][0] in g[0] and f[0][1] == g[1],
            miss=lambda g: (("no " if g[1] else "") + g[0][0], self.sentence_naming(g[0])),
            hit=lambda f: (("no " if f[0][1] else "") + f[0][0], f[1]),
        )

        # negation on its own: of the conditions said to be absent, which came out negated
        absent = [g for g in expected if g[1]]
        found_absent = [f for f in found if f[0][1]]
        self.match(
            "negated",
            case_id,
            absent,
            found_absent,
            lambda g, f: f[0][0] in g[0],
            miss=lambda g: ("no " + g[0][0], self.sentence_naming(g[0])),
            hit=lambda f: ("no " + f[0][0], f[1]),
        )


def _frequency_options(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)
