"""Whole runs: every gold file of a folder scored against a run's tables, summed per field, per
document and per split."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..schema import TABLES
from ..structures import article_part
from ..tables import read_tables
from .codes import CodeScore
from .document import DocumentScorer
from .gold import HELD_OUT_SPLIT, refused
from .gold_check import check_gold
from .scores import ErrorRow, Score, add_scores, empty_scores, scores_as_dict


def load_output(out_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of the run in `out_dir` (the schema's); a missing one means it is not a run."""
    tables = read_tables(out_dir)
    for name in TABLES:
        if name not in tables:
            raise FileNotFoundError(
                f"{out_dir / f'{name}.parquet'} not found: is {out_dir} the --out of a casextract run?"
            )
    return tables


@dataclass
class Evaluation:
    micro: dict[str, Score] = field(default_factory=empty_scores)
    per_document: dict[str, dict[str, Score]] = field(default_factory=dict)
    per_split: dict[str, dict[str, Score]] = field(default_factory=dict)
    split_of: dict[str, str] = field(default_factory=dict)
    errors: list[ErrorRow] = field(default_factory=list)
    codes: CodeScore = field(default_factory=CodeScore)
    codes_per_split: dict[str, CodeScore] = field(default_factory=dict)

    @property
    def listed_errors(self) -> list[ErrorRow]:
        """The errors a person may read: all but those of a held-out `test` split, whose documents
        are judged by their scores alone (reading their misses would tune the rules to them)."""
        return [e for e in self.errors if self.split_of.get(e.doc_id) != HELD_OUT_SPLIT]

    def add(self, scorer: DocumentScorer) -> None:
        """One document's scores and errors, into the totals and its split's."""
        doc_id = scorer.doc_id
        self.per_document[doc_id] = scorer.scores
        self.errors.extend(scorer.errors)
        add_scores(self.micro, scorer.scores)
        self.codes.add(scorer.codes)
        if doc_id in self.split_of:  # the gold check saw to it that every document is in a split
            add_scores(self.per_split[self.split_of[doc_id]], scorer.scores)
            self.codes_per_split.setdefault(self.split_of[doc_id], CodeScore()).add(scorer.codes)

    def as_dict(self) -> dict:
        return {
            "micro": scores_as_dict(self.micro),
            "per_split": {name: scores_as_dict(scores) for name, scores in self.per_split.items()},
            "split_documents": {
                name: sorted(d for d, s in self.split_of.items() if s == name and d in self.per_document)
                for name in self.per_split
            },
            "per_document": {d: scores_as_dict(scores) for d, scores in self.per_document.items()},
            "codes": self.codes.as_dict(),
            "codes_per_split": {name: codes.as_dict() for name, codes in self.codes_per_split.items()},
        }


def evaluate(out_dir: str | Path, gold: str | Path) -> Evaluation:
    """A run's tables scored against a gold file or folder; raises GoldError, listing every
    problem, when the gold does not check clean (nothing is scored from malformed gold)."""
    out_dir = Path(out_dir)
    checked = check_gold(gold)
    if checked.problems:
        raise refused(checked.problems)
    tables = load_output(out_dir)
    processed = set(tables["documents"]["doc_id"])
    result = Evaluation(split_of=checked.split_of)
    for name in dict.fromkeys(result.split_of.values()):
        result.per_split[name] = empty_scores()
    for document in checked.gold.values():
        if document["doc_id"] not in processed:
            continue  # a gold file for a document this run did not process
        scorer = DocumentScorer(document, tables, document_text(out_dir, document["doc_id"]))
        scorer.run()
        result.add(scorer)
    return result


def document_text(out_dir: Path, doc_id: str) -> str:
    """The text a run read from a document ('' where it kept none), to quote the sentences of misses."""
    path = out_dir / "text" / f"{doc_id}.txt"
    text = path.read_text("utf-8") if path.exists() else ""
    return article_part(text)  # what was not the article is no fact's sentence
