"""What scoring yields: the fields, counts with precision/recall/F1 per field, and each miss or
false hit as a row."""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = ("case", "age", "sex", "drug", "drug+dose", "frequency", "lab", "diagnosis", "negated", "timepoint")


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


def empty_scores() -> dict[str, Score]:
    return {f: Score() for f in FIELDS}


def scores_as_dict(scores: dict[str, Score]) -> dict[str, dict]:
    return {f: s.as_dict() for f, s in scores.items()}


def add_scores(total: dict[str, Score], scores: dict[str, Score]) -> None:
    for name, score in scores.items():
        total[name].add(score)


@dataclass
class ErrorRow:
    doc_id: str
    field: str
    kind: str  # "miss" (in gold, not found) or "false hit" (found, not in gold)
    case_id: str
    fact: str
    sentence: str = ""
