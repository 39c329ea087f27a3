"""The `casextract_statements` component: is the sentence a disease or drug stands in about this
patient, or a statement of what is known in general?

A report's discussion often runs on under the case presentation without a heading of its own
(`Psoas abscess is usually seen in patients with …`); the section stage then cannot set it apart,
and its diseases and drugs would become the patient's. A bag-of-n-grams text classifier
(`models/statements`, trained by `casextract train-statements`, `pipeline/training/statements.py`)
reads each sentence that holds a DISEASE or DRUG entity, or a lab result written in words, and
writes, on each entity, `span._.general_score` (how likely the sentence is general) and
`span._.general_statement` (score ≥ threshold); `casextract_fact_types` gives such a mention the
subject `literature`, as it does one in a Discussion section; such a lab result is marked
`general` and makes no row. Without a model nothing is written."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .data_files import SavedClassifier
from .demographics import parse_age
from .values import DISEASE, DRUG, LabResult

GENERAL = "GENERAL"
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "statements"

for _name, _default in (("general_score", None), ("general_statement", False)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)


@Language.factory(
    "casextract_statements",
    default_config={"model": "", "threshold": 0.2},
    assigns=["span._.general_score", "span._.general_statement"],
    requires=["doc.ents", "doc.sents"],
)
def make_statements(nlp: Language, name: str, model: str, threshold: float) -> StatementClassifier:
    return StatementClassifier(Path(model) if model else DEFAULT_MODEL, threshold)


class StatementClassifier(SavedClassifier):
    def __call__(self, doc: Doc) -> Doc:
        if self.classifier is None:
            return doc
        article = doc._.article if Doc.has_extension("article") else None
        titles = [(p.start, p.end) for p in article.paragraphs if p.kind == "title"] if article else []
        by_sentence: dict[int, list[Span | LabResult]] = {}
        for ent in doc.ents:
            # a title names the report's own diagnosis, however general its wording
            if _reads(ent) and not any(lo <= ent.start_char < hi for lo, hi in titles):
                by_sentence.setdefault(ent.sent.start, []).append(ent)
        for result in doc._.lab_results or []:
            if result.value is None and result.result and not result.column:  # `elevated ferritin is a marker of …`
                by_sentence.setdefault(result.test.sent.start, []).append(result)
        if not by_sentence:
            return doc
        sentences = [doc[start].sent for start in by_sentence]
        # the classifier's tokenizer is the pipeline's, and it learned on sentences with their
        # white space folded: the sentence's own tokens, spaces left out, are what it would read
        # (the Doc's own vocabulary holds these words already: the classifier's would grow forever)
        pieces = (Doc(doc.vocab, words=[t.text for t in _with_its_start(s) if not t.is_space]) for s in sentences)
        textcat = self.classifier.get_pipe("textcat")
        for sentence, scored in zip(sentences, textcat.pipe(pieces, batch_size=64)):
            # a sentence giving someone's age introduces a patient (`a 62-year-old woman with no
            # history of endometriosis presented …`), however general the rest of it reads
            score = 0.0 if parse_age(sentence.text) is not None else scored.cats[GENERAL]
            for mention in by_sentence[sentence.start]:
                if isinstance(mention, LabResult):
                    mention.general = score >= self.threshold
                else:
                    mention._.general_score = score
                    mention._.general_statement = score >= self.threshold
        return doc


def _reads(ent: Span) -> bool:
    """A disease, or a drug without a dose: a drug given with its dose is the patient's however
    the sentence reads (`Clonidine 0.1 mg po 3/day, lorazepam 1 mg.` looks like a guideline)."""
    return ent.label_ == DISEASE or (ent.label_ == DRUG and not ent._.regimens)


def _with_its_start(sentence: Span) -> Span:
    """A sentence cut by a paragraph break (`… lavage fluid suggested` / `pneumocystis and …
    infection.`) is read whole: a piece opening in lower case continues the sentence before."""
    first = next((t for t in sentence if not (t.is_space or t.is_punct)), None)
    if first is None or not (first.is_alpha and first.is_lower) or sentence.start == 0:
        return sentence  # `3 days later …` opens a sentence of its own
    return sentence.doc[sentence.doc[sentence.start - 1].sent.start : sentence.end]
