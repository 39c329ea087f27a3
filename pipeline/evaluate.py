"""Evaluation: a run's tables (OUT) against hand-curated gold files → precision, recall, F1.

Fields (CONTRACT.md): case (patient count), age, sex, drug, drug+dose, frequency, lab
(test+value+unit), diagnosis (name and negation), plus `negated` (the diagnoses a patient is said
not to have, scored on their own) and `timepoint` (a lab result or a drug together with when it
holds: judged only where the gold states when, so it measures the timepoint, not the fact again).
A gold folder may hold `SPLITS.json` (`{"dev": [...], "test": [...]}`); the scores are then also
given per split. Facts are compared as sets per patient (a drug mentioned five times is one drug),
matched one to one; names match when the output's normalised name equals one of the gold's
accepted spellings after folding case, spaces and hyphens (never by substring); doses and lab
values match when the output's quantity, converted with pint into the gold's unit, equals the gold
value (`10^9/L` = `×10⁹/L`, `μg/L` = `ng/mL`). Every miss and false hit is listed with the
sentence it came from (or, for a miss, the first sentence of the text that names it)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .nlp.quantities import clean_unit, parse_number, to_canonical

FIELDS = ("case", "age", "sex", "drug", "drug+dose", "frequency", "lab", "diagnosis", "negated", "timepoint")
SPLITS_FILE = "SPLITS.json"
HELD_OUT_SPLIT = "test"


class GoldError(ValueError):
    """A gold file that cannot be read; the message says which file and what is wrong."""


# --- reading -----------------------------------------------------------------------------------


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


def load_gold(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path.name}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str) or not isinstance(data.get("cases"), dict):
        raise GoldError(f"{path.name}: needs a string 'doc_id' and an object 'cases'")
    for case_id, case in data["cases"].items():
        if not isinstance(case, dict):
            raise GoldError(f"{path.name}: case {case_id} is not an object")
        for key in ("medications", "labs", "diagnoses"):
            if not isinstance(case.get(key, []), list):
                raise GoldError(f"{path.name}: case {case_id} '{key}' must be a list")
        for fact in case.get("medications", []) + case.get("labs", []):
            if isinstance(fact, dict) and not isinstance(fact.get("timepoint", ""), str):
                raise GoldError(f"{path.name}: case {case_id}: a timepoint must be a string")
        for med in case.get("medications", []):
            if not isinstance(med, dict) or "drug" not in med:
                raise GoldError(f"{path.name}: case {case_id}: each medication needs a 'drug'")
            spellings(med["drug"])
        for lab in case.get("labs", []):
            if not isinstance(lab, dict) or "test" not in lab:
                raise GoldError(f"{path.name}: case {case_id}: each lab needs a 'test'")
            spellings(lab["test"])
        for diagnosis in case.get("diagnoses", []):
            spellings(diagnosis["diagnosis"] if isinstance(diagnosis, dict) else diagnosis)
    return data


def load_output(out_dir: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in ("documents", "cases", "medications", "labs", "diagnoses"):
        parquet = out_dir / f"{name}.parquet"
        if not parquet.exists():
            raise FileNotFoundError(f"{parquet} not found: is {out_dir} the --out of a casextract run?")
        tables[name] = pd.read_parquet(parquet)
    return tables


# --- matching ----------------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class ErrorRow:
    doc_id: str
    field: str
    kind: str  # "miss" (in gold, not found) or "false hit" (found, not in gold)
    case_id: str
    fact: str
    sentence: str = ""


@dataclass
class Evaluation:
    micro: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    per_document: dict[str, dict[str, Score]] = field(default_factory=dict)
    per_split: dict[str, dict[str, Score]] = field(default_factory=dict)
    split_of: dict[str, str] = field(default_factory=dict)
    errors: list[ErrorRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def listed_errors(self) -> list[ErrorRow]:
        """The errors a person may read: all but those of a held-out `test` split, whose documents
        are judged by their scores alone (reading their misses would tune the rules to them)."""
        return [e for e in self.errors if self.split_of.get(e.doc_id) != HELD_OUT_SPLIT]

    def as_dict(self) -> dict:
        return {
            "micro": {f: s.as_dict() for f, s in self.micro.items()},
            "per_split": {name: {f: s.as_dict() for f, s in scores.items()} for name, scores in self.per_split.items()},
            "split_documents": {
                name: sorted(d for d, s in self.split_of.items() if s == name and d in self.per_document)
                for name in self.per_split
            },
            "per_document": {d: {f: s.as_dict() for f, s in scores.items()} for d, scores in self.per_document.items()},
            "problems": self.problems,
        }


def match_one_to_one(gold: list[Any], found: list[Any], accepts: Callable[[Any, Any], bool]) -> tuple[list, list, list]:
    """Greedy one-to-one matching → (matched pairs, unmatched gold, unmatched found)."""
    free = list(range(len(found)))
    pairs, missed = [], []
    for g in gold:
        hit = next((i for i in free if accepts(g, found[i])), None)
        if hit is None:
            missed.append(g)
        else:
            free.remove(hit)
            pairs.append((g, found[hit]))
    return pairs, missed, [found[i] for i in free]


def same_quantity(gold_value: Any, gold_unit: Any, value: Any, unit: Any) -> bool:
    """Equal after converting the found quantity into the gold's unit (units compared with pint)."""
    gold_number = gold_value if isinstance(gold_value, (int, float)) else parse_number(str(gold_value))
    if gold_number is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    gold_unit = clean_unit(str(gold_unit or ""))
    unit = clean_unit(str(unit or ""))
    if gold_unit == unit:
        converted = float(value)
    else:
        converted, _ = to_canonical(float(value), unit, gold_unit)
        if converted is None:
            return False
    return math.isclose(converted, float(gold_number), rel_tol=1e-4, abs_tol=1e-9)


# --- scoring one document ----------------------------------------------------------------------


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


# --- whole runs --------------------------------------------------------------------------------


def load_splits(gold_dir: Path) -> dict[str, str]:
    """`SPLITS.json` of a gold folder → {doc_id: split name}; {} when the folder has none."""
    path = gold_dir / SPLITS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{path.name}: not readable JSON ({exc})") from exc
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


def evaluate(out_dir: str | Path, gold_dir: str | Path) -> Evaluation:
    out_dir, gold_dir = Path(out_dir), Path(gold_dir)
    tables = load_output(out_dir)
    result = Evaluation(split_of=load_splits(gold_dir))
    for name in dict.fromkeys(result.split_of.values()):
        result.per_split[name] = {f: Score() for f in FIELDS}
    for path in sorted(p for p in gold_dir.glob("*.json") if p.name != SPLITS_FILE):
        try:
            gold = load_gold(path)
        except GoldError as exc:
            result.problems.append(str(exc))
            continue
        doc_id = gold["doc_id"]
        if doc_id not in set(tables["documents"]["doc_id"]):
            continue  # a gold file for a document this run did not process
        text_path = out_dir / "text" / f"{doc_id}.txt"
        text = text_path.read_text("utf-8") if text_path.exists() else ""
        scorer = DocumentScorer(gold, tables, text)
        scorer.run()
        result.per_document[doc_id] = scorer.scores
        result.errors.extend(scorer.errors)
        for name, score in scorer.scores.items():
            result.micro[name].add(score)
        if result.split_of:
            if doc_id not in result.split_of:
                result.problems.append(f"{path.name}: {doc_id} is in no split of {SPLITS_FILE}")
            else:
                for name, score in scorer.scores.items():
                    result.per_split[result.split_of[doc_id]][name].add(score)
    return result


def write_reports(result: Evaluation, scores_path: Path, errors_path: Path) -> None:
    from .tables import atomic_write_text

    atomic_write_text(scores_path, json.dumps(result.as_dict(), indent=2) + "\n")
    frame = pd.DataFrame(
        [e.__dict__ for e in result.listed_errors], columns=["doc_id", "field", "kind", "case_id", "fact", "sentence"]
    )
    atomic_write_text(errors_path, frame.to_csv(sep="\t", index=False))
