"""One document scored: its gold cases against the run's rows for that document, field by field
(fields.py says what each field compares), with every miss and false hit described."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .fields import CASE_FIELDS, FACT_FIELDS, SCORED_ROW, CaseField, FactField, cell_text
from .matching import match_one_to_one
from .scores import ErrorRow, empty_scores

FACT_TABLES = tuple(SCORED_ROW)


def rows_of(df: pd.DataFrame, doc_id: str) -> list[dict]:
    return df[df["doc_id"] == doc_id].to_dict("records")


class DocumentScorer:
    def __init__(self, gold: dict, tables: dict[str, pd.DataFrame], text: str):
        self.gold = gold
        self.doc_id = gold["doc_id"]
        self.rows = {name: rows_of(tables[name], self.doc_id) for name in ("cases", *FACT_TABLES)}
        self.text = text
        self.scores = empty_scores()
        self.errors: list[ErrorRow] = []

    def run(self) -> None:
        gold_cases = {str(k): v for k, v in self.gold["cases"].items()}
        found_cases = {cell_text(r["case_id"]): r for r in self.rows["cases"]}
        self.score_cases(gold_cases, found_cases)
        with_facts = {cell_text(r["case_id"]) for name in FACT_TABLES for r in self.rows[name]}
        for case_id in sorted(set(gold_cases) | with_facts):
            gold = gold_cases.get(case_id, {})
            rows = {
                name: [r for r in self.rows[name] if cell_text(r["case_id"]) == case_id and SCORED_ROW[name](r)]
                for name in FACT_TABLES
            }
            for fact_field in FACT_FIELDS:
                self.score_facts(fact_field, case_id, gold.get(fact_field.table, []), rows[fact_field.table])

    def record(
        self,
        field_name: str,
        matched: int,
        missed: Iterable[tuple[str, str]],
        false_hits: Iterable[tuple[str, str]],
        case_id: str,
    ) -> None:
        """Count a field's matches, misses and false hits; each miss and false hit, given as
        (fact, sentence), is listed too."""
        score = self.scores[field_name]
        score.tp += matched
        for fact, sentence in missed:
            score.fn += 1
            self.errors.append(ErrorRow(self.doc_id, field_name, "miss", case_id, fact, sentence))
        for fact, sentence in false_hits:
            score.fp += 1
            self.errors.append(ErrorRow(self.doc_id, field_name, "false hit", case_id, fact, sentence))

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
            [(f"case {c}", cell_text(found[c].get("evidence"))) for c in sorted(set(found) - set(gold))][
                : max(0, n_found - n_gold)
            ],
            "",
        )
        for case_id in sorted(set(gold) | set(found)):
            g, f = gold.get(case_id, {}), found.get(case_id, {})
            for case_field in CASE_FIELDS:
                self.score_value(case_field, case_id, g, f, cell_text(f.get("evidence")))

    def score_value(
        self, case_field: CaseField, case_id: str, gold_case: dict, found_case: dict, evidence: str
    ) -> None:
        """A value of one case (age, sex): judged where the gold or the run gives one."""
        gold, found = case_field.gold(gold_case), case_field.found(found_case)
        if gold is None and found is None:
            return
        ok = gold is not None and found is not None and case_field.same(gold, found)
        self.record(
            case_field.name,
            int(ok),
            [] if ok or gold is None else [(case_field.describe_gold(gold), evidence)],
            [] if ok or found is None else [(case_field.describe_found(found), evidence)],
            case_id,
        )

    def score_facts(self, fact_field: FactField, case_id: str, gold: list[Any], rows: list[dict]) -> None:
        """Match one case's gold facts of a field one to one with the distinct facts found."""
        gold_facts = fact_field.gold_facts(gold)
        found = fact_field.found_facts(rows, gold_facts)
        pairs, missed, extra = match_one_to_one(gold_facts, found, lambda g, f: fact_field.accepts(g, f[0]))
        self.record(
            fact_field.name,
            len(pairs),
            [self.describe_miss(fact_field, g) for g in missed],
            [(fact_field.describe_found(fact), sentence) for fact, sentence in extra],
            case_id,
        )

    def describe_miss(self, fact_field: FactField, gold: Any) -> tuple[str, str]:
        """A missed fact, quoted from the first sentence of the text that names it."""
        fact, names = fact_field.describe_gold(gold)
        return fact, self.sentence_naming(names)
