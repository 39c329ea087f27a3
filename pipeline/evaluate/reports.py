"""An evaluation to files (the scores as JSON, the listed misses and false hits as TSV) and to
tables a console prints."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from rich.table import Table

from .codes import CodeScore
from .evaluation import Evaluation
from .scores import FIELDS, Score


def write_reports(result: Evaluation, scores_path: Path, errors_path: Path) -> None:
    from ..tables import atomic_write_text

    atomic_write_text(scores_path, json.dumps(result.as_dict(), indent=2) + "\n")
    frame = pd.DataFrame(
        [e.__dict__ for e in result.listed_errors], columns=["doc_id", "field", "kind", "case_id", "fact", "sentence"]
    )
    atomic_write_text(errors_path, frame.to_csv(sep="\t", index=False))


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def field_table(title: str, scores: dict[str, Score]) -> Table:
    table = Table(title=title)
    for column in ("field", "precision", "recall", "F1", "tp", "fp", "fn", "gold facts"):
        table.add_column(column, justify="right" if column != "field" else "left")
    for name in FIELDS:
        score = scores[name]
        counts = (score.tp, score.fp, score.fn, score.tp + score.fn)
        table.add_row(name, _figure(score.precision), _figure(score.recall), _figure(score.f1), *map(str, counts))
    return table


CODE_FIGURES = {
    "icd10cm_category_accuracy": "ICD-10-CM category",
    "icd10cm_accuracy": "ICD-10-CM full code",
    "icd10cm_coverage": "ICD-10-CM coverage",
    "drugbank_coverage": "DrugBank id",
}


def codes_table(columns: dict[str, CodeScore]) -> Table:
    """Codes on the matched facts: ICD-10-CM for diagnoses (category, full code, coverage) and
    DrugBank for drugs, a column each (all documents, each split)."""
    table = Table(title="codes on matched facts")
    table.add_column("")
    for name in columns:
        table.add_column(name, justify="right")
    for key, label in CODE_FIGURES.items():
        table.add_row(label, *(_figure(codes.figures[key]) for codes in columns.values()))
    table.add_row("matched diagnoses with a gold code", *(str(codes.diagnoses) for codes in columns.values()))
    table.add_row("matched drugs", *(str(codes.drugs) for codes in columns.values()))
    return table


def score_tables(result: Evaluation) -> list[Table]:
    """What `casextract eval` prints: the fields over all documents and per split, F1 per
    document, and the codes."""
    tables = [field_table(f"casextract eval — {len(result.per_document)} documents (micro-averaged)", result.micro)]
    for split, scores in result.per_split.items():
        n_docs = sum(1 for d in result.per_document if result.split_of.get(d) == split)
        if n_docs:
            tables.append(field_table(f"split {split} — {n_docs} documents", scores))
    per_document = Table(title="F1 per document")
    per_document.add_column("document")
    for name in FIELDS:
        per_document.add_column(name, justify="right")
    for doc_id, scores in result.per_document.items():
        per_document.add_row(doc_id, *(_figure(scores[name].f1) for name in FIELDS))
    tables.append(per_document)
    tables.append(codes_table({"all": result.codes} | result.codes_per_split))
    return tables
