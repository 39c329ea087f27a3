"""Annotated case reports as spaCy training data: MACCROBAT (brat standoff, whole reports) and
PHEE (case-report sentences, brat lines in JSON), both with their labels mapped to one scheme.

Entities are placed on the tokens of the project's own tokenizer (the one the pipeline reads
with), so a model learns the token boundaries it will meet. A brat span that ends inside a token
(`5 mg` written `5mg`) is widened to whole tokens. MACCROBAT nests spans (a `Biological_structure`
inside a `Sign_symptom`); a NER sets one label per token, so of overlapping spans of the labels
kept the longest wins.

Where a corpus does not annotate a label at all (PHEE has no lab values, no symptoms apart from
adverse effects), its tokens outside the spans it does annotate are marked *missing*, not `O`:
the model is taught nothing about them from that corpus (spaCy's partial-annotation convention).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..evaluate.annotated import Annotation

# The labels the case-report recogniser learns: what the tables are made of, and the procedures
# and therapies it must learn to tell apart from them
CASE_LABELS = (
    "Disease_disorder",
    "Sign_symptom",
    "Medication",
    "Dosage",
    "Frequency",
    "Lab_value",
    "Diagnostic_procedure",
    "Therapeutic_procedure",
    "Administration",
    "Duration",
)
# PHEE's labels in MACCROBAT's scheme: what the drug treats and the patient's other conditions are
# diagnoses; an adverse effect may be a sign or a disorder, so it teaches nothing
PHEE_LABELS = {
    "Drug": "Medication",
    "Treat-Disorder": "Disease_disorder",
    "Sub-Disorder": "Disease_disorder",
    "Dosage": "Dosage",
    "Freq": "Frequency",
    "Route": "Administration",
    "Duration": "Duration",
}
PHEE_UNANNOTATED = frozenset({"Effect"})
# BC5CDR's and NCBI-disease's IOB labels → the project's
IOB_LABELS = {"Chemical": "CHEMICAL", "Disease": "DISEASE"}
DEV_REPORTS = 20  # the first ids in sha1 order of the id: fixed before any tuning
ENTITY = re.compile(r"^T\d+\t(?P<label>\S+) (?P<offsets>[\d ;]+)\t")


@dataclass(frozen=True)
class Report:
    doc_id: str
    text: str
    annotations: tuple[Annotation, ...]


def brat_entities(lines: Iterable[str]) -> list[Annotation]:
    """The `T` lines of a brat file. Of a discontinuous span (`12 20;25 30`: `total and free
    carnitine`) the first fragment is kept: taken whole it would cover, and hide, the annotations
    between its fragments."""
    found = []
    for line in lines:
        match = ENTITY.match(line)
        if not match:
            continue
        first = match.group("offsets").strip().split(";")[0].split()
        found.append(Annotation(match.group("label"), int(first[0]), int(first[1])))
    return found


def read_maccrobat(folder: Path) -> list[Report]:
    reports = []
    for text_path in sorted(folder.glob("*.txt")):
        ann = text_path.with_suffix(".ann")
        if not ann.exists():
            continue
        lines = ann.read_text("utf-8").splitlines()
        reports.append(Report(text_path.stem, text_path.read_text("utf-8"), tuple(brat_entities(lines))))
    return reports


def read_phee(path: Path) -> list[Report]:
    reports = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            reports.append(Report(record["doc_id"], record["text"], tuple(brat_entities(record["ann"]))))
    return reports


def split_ids(reports: list[Report]) -> dict[str, list[str]]:
    """The split as `models/case_ner/SPLIT.json` records it."""
    train, dev = split_maccrobat(reports)
    return {"dev": sorted(r.doc_id for r in dev), "train": sorted(r.doc_id for r in train)}


def split_maccrobat(reports: list[Report]) -> tuple[list[Report], list[Report]]:
    """(train, dev): dev is the `DEV_REPORTS` ids first in sha1 order of the id."""
    ranked = sorted(reports, key=lambda r: hashlib.sha1(r.doc_id.encode()).hexdigest())
    dev = {r.doc_id for r in ranked[:DEV_REPORTS]}
    return [r for r in reports if r.doc_id not in dev], [r for r in reports if r.doc_id in dev]


def to_doc(
    nlp: Language,
    report: Report,
    labels: dict[str, str],
    unannotated: frozenset[str] = frozenset(),
    missing_outside: bool = False,
) -> Doc:
    """The report's text as a Doc with its entities of `labels` (source label → label learned).
    Tokens under a span of an `unannotated` label, or (`missing_outside`) under no span, are missing."""
    doc = nlp.make_doc(report.text)
    spans, unknown = [], []
    for annotation in report.annotations:
        span = doc.char_span(annotation.start, annotation.end, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        if annotation.label in labels:
            spans.append(Span(doc, span.start, span.end, label=labels[annotation.label]))
        elif annotation.label in unannotated:
            unknown.append(span)
    kept = filter_spans(spans)
    taken = {i for span in kept for i in range(span.start, span.end)}
    missing = [doc[i : i + 1] for span in unknown for i in range(span.start, span.end) if i not in taken]
    if missing_outside:
        missing = [doc[i : i + 1] for i in range(len(doc)) if i not in taken and not doc[i].is_space]
    doc.set_ents(kept, missing=missing, default="outside")
    return doc


def paragraphs(doc: Doc) -> Iterator[Doc]:
    """A report's lines as Docs of their own (training examples of a size a batch holds)."""
    start = 0
    for token in doc:
        if "\n" in token.text or token.i == len(doc) - 1:
            end = token.i + 1
            if any(not t.is_space for t in doc[start:end]):
                yield doc[start:end].as_doc()
            start = end


def maccrobat_docs(nlp: Language, reports: list[Report]) -> list[Doc]:
    labels = {label: label for label in CASE_LABELS}
    return [piece for report in reports for piece in paragraphs(to_doc(nlp, report, labels))]


def phee_docs(nlp: Language, reports: list[Report]) -> list[Doc]:
    return [to_doc(nlp, r, PHEE_LABELS, PHEE_UNANNOTATED, missing_outside=True) for r in reports]


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    tags: tuple[str, ...]  # IOB: B-Chemical, I-Disease, O


def read_iob(path: str | Path, limit: int | None = None) -> list[Sentence]:
    """Token-per-line TSV (`token<TAB>tag`), blank line between sentences (BC5CDR, NCBI-disease);
    tags relabelled to the project's (`B-Chemical` → `B-CHEMICAL`)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sentences.append(Sentence(tuple(words), tuple(tags)))
                    words, tags = [], []
                    if limit and len(sentences) >= limit:
                        return sentences
                continue
            token, _, tag = line.partition("\t")
            words.append(token)
            tags.append(_relabel(tag.strip() or "O"))
    if words:
        sentences.append(Sentence(tuple(words), tuple(tags)))
    return sentences[:limit] if limit else sentences


def _relabel(tag: str) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    return f"{prefix}-{IOB_LABELS.get(label, label.upper())}"


def raw_texts(data: Path) -> Iterator[str]:
    """Unannotated biomedical text for pretraining the tok2vec: BC5CDR and NCBI-disease (train and
    devel), PHEE (train and dev) and MACCROBAT's train split. Never a text any score is read on
    (MACCROBAT's dev split, the corpora's test files, the real reports of gold/)."""
    for corpus in ("bc5cdr", "ncbi-disease"):
        for name in ("train.tsv", "devel.tsv"):
            if (data / corpus / name).exists():
                yield from (" ".join(sentence.words) for sentence in read_iob(data / corpus / name))
    for name in ("train.jsonl", "dev.jsonl"):
        if (data / "phee" / name).exists():
            yield from (r.text for r in read_phee(data / "phee" / name))
    train, _ = split_maccrobat(read_maccrobat(data / "maccrobat"))
    yield from (line for report in train for line in report.text.splitlines() if line.strip())
