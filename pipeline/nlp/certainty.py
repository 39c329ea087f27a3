"""The `casextract_certainty` component: the cue certainty of each entity (suspected / differential /
history / confirmed), and background sections. `casextract_fact_types` joins it with negation and
whose the fact is into the span's assertion."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..lexicons import resource_json
from .data_files import DataFiles
from .values import (
    DISEASE,
    DRUG,
)

# --- certainty and demographics ------------------------------------------------------------------


@Language.factory(
    "casextract_certainty",
    default_config={"window": 6, "rules": "certainty.json"},
    assigns=["span._.certainty", "span._.background"],
    requires=["doc.ents", "doc.sents"],
)
def make_certainty(nlp: Language, name: str, window: int, rules: str) -> Certainty:
    return Certainty(nlp, window, rules)


class Certainty(DataFiles):
    """`suspected` / `differential` / `history` / `confirmed` for each DISEASE and DRUG, from cue phrases before
    the entity in its sentence (rules are data: `resources/certainty.json`), and whether the
    entity sits in a background section (Introduction, Discussion)."""

    def __init__(self, nlp: Language, window: int = 6, rules: str = "certainty.json"):
        self.window = window
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.files = {"rules": rules}

    def load(self, files: dict[str, str]) -> None:
        rules = resource_json(files["rules"])
        self.list_words = frozenset(rules["list_words"])
        for label in ("suspected", "differential", "history", "suspected_following"):
            if label in self.matcher:
                self.matcher.remove(label)
            self.matcher.add(label, list(self.tokenizer.pipe(rules[label])))

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        cues = [(doc.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        article = doc._.article if Doc.has_extension("article") else None
        previous = {}  # the last entity of each label, for a list a cue opens
        for ent in doc.ents:
            if ent.label_ not in (DISEASE, DRUG):
                continue
            certainty = "confirmed"
            sentence = ent.sent  # found by a scan of the Doc: once per entity, not per cue
            for label, start, end in cues:
                if label == "suspected_following":
                    if ent.end <= start < sentence.end and start - ent.end <= 2:
                        certainty = "suspected"
                elif sentence.start <= start and end <= ent.start and ent.start - end <= self.window:
                    certainty = label
            listed = previous.get(ent.label_)
            if certainty == "confirmed" and listed is not None and self.in_list(listed, ent):
                certainty = listed._.certainty
            ent._.certainty = certainty
            previous[ent.label_] = ent
            if article is not None:
                section = article.section_at(ent.start_char)
                ent._.background = bool(section and section.role == "background")
        return doc

    def in_list(self, listed: Span, ent: Span) -> bool:
        """Whether `ent` follows `listed` in one list of its sentence (`a history of diabetes,
        hypertension and a myocardial infarction`): a cue before a list holds for all of it."""
        between = ent.doc[listed.end : ent.start]
        return listed.sent.start == ent.sent.start and all(t.lower_ in self.list_words for t in between)
