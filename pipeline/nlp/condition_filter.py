"""The `casextract_conditions` component: how likely each disease mention names a condition of
the patient, rather than a symptom, a sign or a word that only looks like a disease.

A spaCy text classifier (bag of n-grams, `models/conditions`, trained by `casextract train-
conditions` on the dev split of the real reports; see `pipeline/training/conditions.py`) reads the
mention's words marked (`MENTION_hypertension`) and features of how the report uses it. The
component writes `span._.condition_score` and `span._.is_condition` (score ≥ threshold) on every
DISEASE entity; without a model it writes nothing and every mention stays a candidate.

It is off by default (threshold 0.0: nothing is scored and every mention is kept). Measured
2026-11-29 on the real reports, trained on the 27 dev documents: at threshold 0.25 diagnosis F1
rose on dev (0.244 → 0.457, the documents it learned from) but fell on the 18 unseen test
documents (0.219 → 0.176; trained on the corpus annotations alone, 0.083). 551 candidates are too
few for it to learn which words name conditions; set `threshold` in `pipeline.cfg` to filter once
it is trained on more."""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .data_files import SavedClassifier
from .values import DISEASE, doc_text

CONDITION, OTHER = "CONDITION", "OTHER"
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "conditions"

for _name in ("condition_score", "is_condition"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


SUFFIXES = (
    "itis",
    "osis",
    "oma",
    "emia",
    "aemia",
    "pathy",
    "plasia",
    "trophy",
    "syndrome",
    "disease",
    "disorder",
    "infection",
    "failure",
    "cancer",
    "carcinoma",
    "deficiency",
    "injury",
    "fracture",
    "insufficiency",
    "tumor",
    "tumour",
    "abscess",
    "palsy",
    "stenosis",
    "ulcer",
    "dystrophy",
    "sclerosis",
    "dysplasia",
    "ing",
    "ness",
    "al",
    "ic",
    "ous",
)
NEGATION_CUES = re.compile(r"\b(?:no|not|without|denied|denies|negative|excluded|ruled out)\b", re.I)


def classifier_text(span: Span) -> str:
    """What the classifier reads for one mention: its words, marked, and features of how the
    report uses it (how often, whether the title or abstract names it, its ending, its section,
    a negation or a diagnosis in its sentence)."""
    doc, mention = span.doc, span.text.lower()
    words = re.findall(r"\w+", mention)
    features = ["MENTION_" + w for w in words]
    lower = doc.user_data.get("casextract_lower_text")
    if lower is None:
        lower = doc.user_data["casextract_lower_text"] = doc_text(doc).lower()
    features.append(f"F_COUNT_{min(lower.count(mention), 5)}")
    features.append(f"F_WORDS_{min(len(words), 4)}")
    last = words[-1] if words else ""
    features += [f"F_SUF_{s}" for s in SUFFIXES if last.endswith(s)] or ["F_SUF_none"]
    article = doc._.article if Doc.has_extension("article") else None
    if article is not None:
        patients = [s.start for s in article.sections if s.role == "case"]
        front = lower[: patients[0]] if patients else lower[: len(lower) // 4]
        features.append("F_FRONT" if mention in front else "F_NOT_FRONT")
        section = article.section_at(span.start_char)
        features.append("F_SEC_" + (section.name.replace(" ", "_") if section and section.name else "none"))
    sentence = span.sent.text
    if NEGATION_CUES.search(sentence):
        features.append("F_NEGCTX")
    if re.search(r"diagnos", sentence, re.I):
        features.append("F_DIAGCTX")
    if span.has_extension("negex") and span._.negex:
        features.append("F_NEGATED")
    return " ".join(features)


@Language.factory(
    "casextract_conditions",
    default_config={"model": "", "threshold": 0.0},
    assigns=["span._.condition_score", "span._.is_condition"],
    requires=["doc.ents", "doc.sents"],
)
def make_condition_filter(nlp: Language, name: str, model: str, threshold: float) -> ConditionFilter:
    return ConditionFilter(Path(model) if model else DEFAULT_MODEL, threshold)


class ConditionFilter(SavedClassifier):
    tokenizes = True

    def uses_classifier(self) -> bool:
        return self.threshold > 0.0

    def point_at(self, path: Path) -> None:
        """On, the classifier is read now (a missing model shows when the pipeline is built); off
        (threshold 0), only when asked for (saving the pipeline): the filter never uses it, and
        loading a spaCy pipeline added a quarter of a second to every batch worker's start."""
        super().point_at(path)
        if self.threshold > 0.0:
            _ = self.classifier

    def __call__(self, doc: Doc) -> Doc:
        if self.threshold <= 0.0 or self.classifier is None:
            return doc  # off: no mention would be dropped, so none is scored
        diseases = [e for e in doc.ents if e.label_ == DISEASE]
        texts = [classifier_text(e) for e in diseases]
        for span, scored in zip(diseases, self.classifier.pipe(texts, batch_size=64)):
            span._.condition_score = scored.cats[CONDITION]
            span._.is_condition = scored.cats[CONDITION] >= self.threshold
        return doc
