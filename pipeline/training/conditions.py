"""`casextract train-conditions`: trains the condition filter (`pipeline/nlp/condition_filter.py`),
a spaCy text classifier that tells a patient's condition from a symptom, a sign or a word that only
looks like a disease.

Each disease candidate the pipeline reports in a training document (in a patient's text, past the
symptom list) is labelled from two in-domain sources: the annotations of
`../shared/data/case-reports-ada` (`condition`, or a `factor` that is a disease such as
hypertension, against `finding` = symptoms and signs) and the curated gold of the same document
(`gold/real/DOC_ID.json`). A candidate either source calls a condition is CONDITION; the rest
(symptoms, signs, site navigation, methods, places) are OTHER. Only the documents of the `dev`
split of `gold/real/SPLITS.json` train it; the `test` split judges it. Three-fold
cross-validation over the dev documents chose the features and the threshold (0.25).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import spacy

from ..evaluate.annotated import raw_offsets
from ..nlp.condition_filter import CONDITION, OTHER, classifier_text
from .runs import train_text_classifier

POSITIVE_LABELS = {"condition", "factor"}


@dataclass(frozen=True)
class Candidate:
    doc_id: str
    text: str  # what the classifier reads (condition_filter.classifier_text)
    label: str


def candidates(report: dict, gold_names: set[str] = frozenset()) -> list[Candidate]:
    """The disease candidates the pipeline reports in one annotated report, labelled."""
    from ..evaluate import fold
    from ..link import link
    from ..nlp import analyse
    from ..sections import build_article
    from ..structures import Block, Layout, TextMap

    raw = report["text"]
    article = build_article(
        Layout(f"{report['doc_id']}.txt", None, (Block("text", TextMap(raw), None),)), report["doc_id"]
    )
    doc = analyse(article)
    mapping = raw_offsets(raw, article.text)
    spans = [(e["start"], e["end"], e["label"]) for e in report["entities"]]
    found = []
    for row in link(doc, article, condition_filter=False).diagnoses:
        span = doc.char_span(row.start_char, row.end_char, alignment_mode="expand")
        starts = [mapping[i] for i in range(row.start_char, row.end_char) if mapping[i] >= 0]
        if span is None or not starts:
            continue
        lo, hi = min(starts), max(starts) + 1
        annotated = {label for start, end, label in spans if start < hi and lo < end} & POSITIVE_LABELS
        curated = fold(row.diagnosis) in gold_names or fold(row.mention) in gold_names
        found.append(Candidate(report["doc_id"], classifier_text(span), CONDITION if annotated or curated else OTHER))
    return found


def gold_names(path: Path) -> set[str]:
    """Every accepted spelling of every diagnosis in a gold file (folded as the scorer folds)."""
    from ..evaluate import load_gold, spellings

    if not path.exists():
        return set()
    names: set[str] = set()
    for case in load_gold(path)["cases"].values():
        for item in case.get("diagnoses", []):
            names |= set(spellings(item["diagnosis"] if isinstance(item, dict) else item))
    return names


def read_reports(path: Path, doc_ids: set[str] | None) -> list[dict]:
    reports = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in reports if doc_ids is None or r["doc_id"] in doc_ids]


def train(reports: list[dict], out: Path, gold_dir: Path, epochs: int = 12, seed: int = 7) -> dict:
    """Train the classifier on the candidates of `reports`; write it to `out` → counts."""
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    data = [c for report in reports for c in candidates(report, gold_names(gold_dir / f"{report['doc_id']}.json"))]
    nlp = train_text_classifier(
        spacy.blank("en"), [(c.text, c.label) for c in data], (CONDITION, OTHER), epochs, batch_size=16
    )
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    counts = {
        "documents": len(reports),
        "candidates": len(data),
        "condition": sum(c.label == CONDITION for c in data),
        "other": sum(c.label == OTHER for c in data),
    }
    (out / "training.json").write_text(
        json.dumps(
            {"counts": counts, "documents": sorted(r["doc_id"] for r in reports), "epochs": epochs, "seed": seed},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return counts
