"""A run's tables against a span-annotated corpus (MACCROBAT's brat labels), field by field.

The gold files of `gold/real` list facts per patient; an annotated corpus marks every mention
instead. Here a mention is found when a table row's source span overlaps it (`Medication` → a
medications row, `Disease_disorder` → a diagnoses row, `Lab_value` → a labs row that gives that
value: the number written in it, or its qualitative word, not merely a row whose span from test to
value crosses it), and a `Dosage` when a medications row of the same sentence carries a dose with
the same number. Recall is over the annotations; the precision proxy is the share of rows that
find an annotation of their field."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# field → (table, the corpus labels a row of it may overlap)
FIELDS = {
    "drug": ("medications", ("Medication",)),
    "dose": ("medications", ("Dosage",)),
    "lab value": ("labs", ("Lab_value",)),
    "diagnosis": ("diagnoses", ("Disease_disorder",)),
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Annotation:
    """A labelled span of a corpus text (a brat `T` line: `Lab_value` 120..129)."""

    label: str
    start: int
    end: int


@dataclass
class FieldCounts:
    found: int = 0
    annotated: int = 0
    rows_on_annotation: int = 0
    rows: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.annotated if self.annotated else 0.0

    @property
    def precision_proxy(self) -> float:
        return self.rows_on_annotation / self.rows if self.rows else 0.0

    def as_dict(self) -> dict[str, float | int]:
        p, r = self.precision_proxy, self.recall
        return {
            "recall": round(r, 3),
            "precision_proxy": round(p, 3),
            "f1_proxy": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "annotated": self.annotated,
            "found": self.found,
            "rows": self.rows,
        }


def raw_offsets(raw: str, text: str) -> list[int]:
    """For each character of `text` (the article text a run wrote), its offset in `raw`, or -1.
    Reading plain text changes only white space, so the other characters align in order; anything
    else falls back to difflib."""
    mapping = [-1] * len(text)
    j = 0
    for i, char in enumerate(text):
        if char.isspace():
            continue
        while j < len(raw) and raw[j].isspace():
            j += 1
        if j >= len(raw) or raw[j] != char:
            return _offsets_by_difflib(raw, text)
        mapping[i] = j
        j += 1
    return mapping


def _offsets_by_difflib(raw: str, text: str) -> list[int]:
    mapping = [-1] * len(text)
    for a, b, size in difflib.SequenceMatcher(None, raw, text, autojunk=False).get_matching_blocks():
        for k in range(size):
            mapping[b + k] = a + k
    return mapping


def _raw_span(mapping: list[int], start: int, end: int) -> tuple[int, int] | None:
    inside = [mapping[i] for i in range(max(0, start), min(end, len(mapping))) if mapping[i] >= 0]
    return (min(inside), max(inside) + 1) if inside else None


def _overlaps(span: tuple[int, int], mention: Annotation) -> bool:
    return span[0] < mention.end and mention.start < span[1]


def _sentence_of(raw: str, start: int) -> tuple[int, int]:
    """The line-free sentence around `start` (MACCROBAT's texts are one paragraph per line)."""
    left = max(raw.rfind(". ", 0, start), raw.rfind("\n", 0, start))
    right_candidates = [i for i in (raw.find(". ", start), raw.find("\n", start)) if i >= 0]
    return left + 1, (min(right_candidates) if right_candidates else len(raw))


def score_annotated(out: Path, documents: dict[str, tuple[str, list[Annotation]]]) -> dict[str, FieldCounts]:
    """`documents`: doc_id → (raw text, annotations); `out`: the run over those texts."""
    tables = {name: _read_table(out, name) for name, _ in FIELDS.values()}
    counts = {name: FieldCounts() for name in FIELDS}
    for doc_id, (raw, mentions) in documents.items():
        text_path = out / "text" / f"{doc_id}.txt"
        mapping = raw_offsets(raw, text_path.read_text("utf-8")) if text_path.exists() else []
        for name, (table, labels) in FIELDS.items():
            rows = tables[table]
            rows = rows[rows["doc_id"] == doc_id] if len(rows) else rows
            gold = [m for m in mentions if m.label in labels]
            counts[name].annotated += len(gold)
            if name == "dose":
                _score_doses(doc_id, raw, mapping, rows, gold, counts[name])
                continue
            placed = [
                (s, r) for r in rows.itertuples() if (s := _raw_span(mapping, int(r.start_char), int(r.end_char)))
            ]
            counts[name].rows += len(placed)
            counts[name].rows_on_annotation += sum(any(_finds(name, r, s, m, raw) for m in gold) for s, r in placed)
            for mention in gold:
                if any(_finds(name, r, s, mention, raw) for s, r in placed):
                    counts[name].found += 1
                else:
                    counts[name].missed.append(f"{doc_id}\t{raw[mention.start : mention.end]}")
    return counts


def _finds(field: str, row, span: tuple[int, int], mention: Annotation, raw: str) -> bool:
    return _overlaps(span, mention) and (field != "lab value" or _gives_value(row, raw[mention.start : mention.end]))


def _gives_value(row, mention: str) -> bool:
    """A labs row finds a `Lab_value` when it gives that value: the number written in it, or its
    qualitative word (a row's span runs from the test's name to its value, and may cross other
    annotated words on the way: `elevated`, `normal`)."""
    value = getattr(row, "value", None)
    if isinstance(value, float) and value == value:  # not NaN
        written = [float(n.replace(",", "")) for n in NUMBER.findall(mention.replace(",", ""))]
        return any(abs(n - value) <= 1e-9 * max(1.0, abs(value)) for n in written)
    result = getattr(row, "result", "")
    return isinstance(result, str) and bool(result) and result.split()[0].lower() in mention.lower()


def _score_doses(
    doc_id: str, raw: str, mapping: list[int], rows: pd.DataFrame, gold: list[Annotation], counts: FieldCounts
) -> None:
    dosed = []
    for row in rows.itertuples():
        if not isinstance(row.dose_text, str) or not row.dose_text.strip():
            continue
        span = _raw_span(mapping, int(row.start_char), int(row.end_char))
        if span:
            dosed.append((_sentence_of(raw, span[0]), set(NUMBER.findall(row.dose_text))))
    counts.rows += len(dosed)
    on_annotation = set()
    for mention in gold:
        numbers = set(NUMBER.findall(raw[mention.start : mention.end]))
        sentence = _sentence_of(raw, mention.start)
        hits = [i for i, (s, n) in enumerate(dosed) if s == sentence and numbers and numbers & n]
        on_annotation.update(hits)
        if hits:
            counts.found += 1
        else:
            counts.missed.append(f"{doc_id}\t{raw[mention.start : mention.end]}")
    counts.rows_on_annotation += len(on_annotation)


def _read_table(out: Path, name: str) -> pd.DataFrame:
    path = out / f"{name}.csv"
    return (
        pd.read_csv(path, dtype={"doc_id": str})
        if path.exists() and path.stat().st_size
        else pd.DataFrame(columns=["doc_id"])
    )
