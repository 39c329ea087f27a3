"""Whole runs: every gold file of a folder scored against a run's tables, summed per field, per
document and per split."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .document import DocumentScorer
from .gold import HELD_OUT_SPLIT, SPLITS_FILE, GoldError, load_gold, load_splits
from .scores import FIELDS, ErrorRow, Score


def load_output(out_dir: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in ("documents", "cases", "medications", "labs", "diagnoses"):
        parquet = out_dir / f"{name}.parquet"
        if not parquet.exists():
            raise FileNotFoundError(f"{parquet} not found: is {out_dir} the --out of a casextract run?")
        tables[name] = pd.read_parquet(parquet)
    return tables


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
