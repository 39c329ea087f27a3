"""One document scored: its gold cases against the run's rows for that document, field by field
(fields.py says what each field compares), with every miss and false hit described."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import pandas as pd

from .codes import CodeScore
from .fields import CASE_FIELDS, FACT_FIELDS, SCORED_ROW, CaseField, FactField, cell_text, diagnosis_key, drug_name
from .matching import match_one_to_one
from .scores import ErrorRow, empty_scores

FACT_TABLES = tuple(SCORED_ROW)
NOT_IN_TEXT = "(no sentence of the text names it)"
# a sentence ends at a line break, or at . ! ? before the capital or digit that starts the next
SENTENCE_END = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9(\[])")
LONGEST_QUOTE = 400


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for boundary in SENTENCE_END.finditer(text):
        if text[start : boundary.start()].strip():
            spans.append((start, boundary.start()))
        start = boundary.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def quote(text: str, start: int, end: int, at: int) -> str:
    """The sentence, whitespace folded; a very long one (a table row, a run-on abstract) is cut
    to the stretch around the mention, marked with `…`."""
    if end - start > LONGEST_QUOTE:
        left = max(start, at - LONGEST_QUOTE // 2)
        right = min(end, left + LONGEST_QUOTE)
        text_part = ("… " if left > start else "") + text[left:right] + (" …" if right < end else "")
        return " ".join(text_part.split())
    return " ".join(text[start:end].split())


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
        self.codes = CodeScore()

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

    def sentence_naming(self, names: tuple[str, ...], fact: str = "", case_id: str = "") -> str:
        """The sentence of the text that holds a missed fact: among those naming it, one that also
        has the fact's numbers, in the case's own part of the text, first. Says so when no
        sentence names it (the gold's spelling is not the text's, or the text lost it)."""
        numbers = set(re.findall(r"\d+(?:\.\d+)?", fact))
        home = self.case_region(case_id)
        best = None
        for name in names:
            # whole words: a short name (`k`, `hb`) is not the inside of another word
            pattern = re.compile(r"(?<!\w)" + re.escape(name).replace(r"\ ", r"[\s\-]+") + r"(?!\w)", re.I)
            for start, end in self.sentences:
                match = pattern.search(self.text, start, end)
                if not match:
                    continue
                sentence = self.text[start:end]
                rank = (
                    -len(numbers & set(re.findall(r"\d+(?:\.\d+)?", sentence))),
                    not (home[0] <= start < home[1]),
                    start,
                )
                if best is None or rank < best[0]:
                    best = (rank, quote(self.text, start, end, match.start()))
            if best is not None:
                break  # the gold's first spelling the text has
        return best[1] if best else NOT_IN_TEXT

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentence_spans(self.text)

    def case_region(self, case_id: str) -> tuple[int, int]:
        """Where the run found the case's evidence, up to the next case's: the part of the text that
        is most likely about it (the whole text when the run has no offsets for it)."""
        starts = sorted(
            (int(r["start_char"]), cell_text(r["case_id"])) for r in self.rows["cases"] if pd.notna(r.get("start_char"))
        )
        for i, (start, found_id) in enumerate(starts):
            if found_id == case_id:
                return start, starts[i + 1][0] if i + 1 < len(starts) else len(self.text)
        return 0, len(self.text)

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
        if fact_field.name in ("diagnosis", "drug"):
            self.score_codes(fact_field.name, [(g, f[0]) for g, f in pairs], rows, case_id)
        self.record(
            fact_field.name,
            len(pairs),
            [self.describe_miss(fact_field, g, case_id) for g in missed],
            [(fact_field.describe_found(fact), sentence) for fact, sentence in extra],
            case_id,
        )

    def score_codes(self, field_name: str, pairs: list[tuple[Any, Any]], rows: list[dict], case_id: str) -> None:
        """The codes of the rows behind each matched diagnosis (with a gold code) or drug; a
        diagnosis coded otherwise than the gold is listed (field `icd10cm`)."""
        for gold, fact in pairs:
            if field_name == "drug":
                self.codes.drug(next((cell_text(r.get("drugbank_id")) for r in rows if drug_name(r) == fact), ""))
                continue
            if not gold[2]:
                continue
            row = next((r for r in rows if diagnosis_key(r) == fact), {})
            found = cell_text(row.get("icd10cm"))
            self.codes.diagnosis(gold[2], found)
            if found != gold[2]:
                wrong = (
                    f"{fact[0]}: {found or 'no code'} ({cell_text(row.get('code_evidence')) or '–'}), gold {gold[2]}"
                )
                self.errors.append(
                    ErrorRow(self.doc_id, "icd10cm", "wrong code", case_id, wrong, cell_text(row.get("sentence")))
                )

    def describe_miss(self, fact_field: FactField, gold: Any, case_id: str) -> tuple[str, str]:
        """A missed fact, quoted from the sentence of the text that holds it."""
        fact, names = fact_field.describe_gold(gold)
        return fact, self.sentence_naming(names, fact, case_id)
