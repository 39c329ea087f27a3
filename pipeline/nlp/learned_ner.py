"""The `casextract_ner` component: the trained `tok2vec` + `ner` run on the parts of an article
that facts can come from, not on its Introduction, Discussion or references.

About a quarter of a case report is background (`Section.role` "background" or "back"), and the
trained NER is most of the pipeline's cost. `link` reads no patient's medication or diagnosis there
(such entities are marked `span._.background`, and no patient's span covers them); what it can read
there — a lab table placed in a Discussion — is found by the lab lexicon, not the NER. This
component runs the pipeline's own `tok2vec` and `ner` (kept in the pipeline, disabled, so the
pipeline saves and loads as any spaCy pipeline) on the other parts, each with `context` tokens
either side, and writes what they find onto the whole Doc. Two parts of a background section are
still read:

- an abbreviation's long form (`rapidly progressive interstitial lung disease (RP-ILD)` in the
  Introduction): its short form in the case sections is labelled as the long form is
  (`casextract_entities`), so the long form must be labelled too; this component therefore runs
  after scispaCy's abbreviation detector. An entity that overlaps a part read is kept whole, so a
  NER entity reaching past the long form's start (`Autoimmune pulmonary alveolar proteinosis`
  around `pulmonary alveolar proteinosis (PAP)`) is kept too;
- a gap between two read parts no wider than twice the context, read whole.

The context makes the result the one the NER gives on the whole Doc: the shipped tok2vec sees 4
tokens either side of a token (window 1, depth 4; a NER model with a wider view needs a wider
`context`), and the NER's greedy decisions agree again at the first token outside an entity. Each
part is read as its own Doc without the sentence starts of the article, as the NER read the whole
Doc before it ran after the sentencizer (spaCy's NER sets no entity across a sentence start). On
the 45 real reports and the bundled corpus the entities overlapping the parts read are the
whole-Doc run's, and the tables are identical (tested). A Doc without its `Article` (text given
straight to `nlp`) is read whole. The parts' token vectors are not kept (`doc.tensor` stays empty).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from spacy.attrs import IDX, LENGTH, NORM, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..lexicons import ConditionVocabulary, condition_vocabulary
from .values import doc_text, token_after


@Language.factory(
    "casextract_ner",
    default_config={
        "tok2vec": "tok2vec",
        "ner": "ner",
        "skip_roles": ["background", "back"],
        "context": 16,
        "spans_key": "ner",
    },
    # the recogniser's spans, raw (its own labels), for casextract_entities to map to the project's types
    assigns=["doc.spans"],
    # it reads `doc._.abbreviations`, which scispaCy's detector sets without declaring it (so spaCy's
    # pipeline analysis would count it missing), and nothing else an earlier component writes
    requires=[],
)
def make_learned_ner(
    nlp: Language, name: str, tok2vec: str, ner: str, skip_roles: list[str], context: int, spans_key: str
) -> FocusedNer:
    return FocusedNer(nlp, tok2vec, ner, skip_roles, context, spans_key)


@Language.factory(
    "casextract_ner_around",
    default_config={
        "tok2vec": "",
        "ner": "case_ner",
        "skip_roles": ["background", "back"],
        "context": 12,
        "spans_key": "case",
        "around_labels": ["DISEASE"],
        "known_names": "",
        "known_additions": "",
    },
    assigns=["doc.spans"],
    requires=["doc.ents"],
)
def make_learned_ner_around(
    nlp: Language,
    name: str,
    tok2vec: str,
    ner: str,
    skip_roles: list[str],
    context: int,
    spans_key: str,
    around_labels: list[str],
    known_names: str,
    known_additions: str,
) -> FocusedNer:
    """The same, reading only around the entities of `around_labels` (the conditions the case-report
    recogniser types): what `casextract_fact_types` asks of it, at a fraction of the cost. With
    `known_names` (and `known_additions`), the condition vocabulary `casextract_fact_types` reads:
    not around an entity that vocabulary names, whose type the recogniser does not decide."""
    known = condition_vocabulary(known_names, known_additions) if known_names else None
    return FocusedNer(nlp, tok2vec, ner, skip_roles, context, spans_key, around_labels, known)


class Part(NamedTuple):
    """Tokens `start`..`end` are read; the entities kept are those overlapping `first`..`last`
    (the part without the context around it)."""

    start: int
    end: int
    first: int
    last: int


class FocusedNer:
    def __init__(
        self,
        nlp: Language,
        tok2vec: str,
        ner: str,
        skip_roles: list[str],
        context: int,
        spans_key: str = "ner",
        around_labels: list[str] | None = None,
        known: ConditionVocabulary | None = None,
    ) -> None:
        self.nlp = nlp
        self.known = known
        self.around_labels = frozenset(around_labels or ())
        self.spans_key = spans_key
        self.tok2vec_name, self.ner_name = tok2vec, ner
        self.skip_roles = frozenset(skip_roles)
        self.context = context

    def __call__(self, doc: Doc) -> Doc:
        ner = self.nlp.get_pipe(self.ner_name)
        parts = self.parts_to_read(doc)
        pieces = _pieces(doc, parts)
        if self.tok2vec_name:  # a NER with its own tok2vec (`replace_listeners`) names none
            pieces = self.nlp.get_pipe(self.tok2vec_name).pipe(pieces)
        pieces = list(ner.pipe(pieces))
        entities = []
        for part, piece in zip(parts, pieces):
            for e in piece.ents:  # the context's own entities belong to the parts not read
                start, end = part.start + e.start, part.start + e.end
                if start < part.last and end > part.first:
                    entities.append(Span(doc, start, end, label=e.label))
        doc.spans[self.spans_key] = entities
        # what was read (without the context), so a reader can tell "found nothing" from "did not read"
        doc.spans[f"{self.spans_key}_read"] = [Span(doc, p.first, p.last, label="read") for p in parts]
        return doc

    def parts_to_read(self, doc: Doc) -> list[Part]:
        """The token ranges to run the NER on, in order and apart from each other."""
        article = doc._.get("article") if Doc.has_extension("article") else None
        skipped = [
            (token_after(doc, s.start), token_after(doc, s.end))
            for s in (article.sections if article is not None else [])
            if s.role in self.skip_roles and s.end > s.start
        ]
        wanted, position = [], 0
        for start, end in sorted(skipped):
            if start > position:
                wanted.append((position, start))
            position = max(position, end)
        if position < len(doc):
            wanted.append((position, len(doc)))
        if self.around_labels:
            return self._parts(self._entities_within(doc, wanted), len(doc))
        if skipped and Doc.has_extension("abbreviations"):
            wanted += [
                (a._.long_form.start, a._.long_form.end) for a in doc._.abbreviations if a._.long_form is not None
            ]
        return self._parts(wanted, len(doc))

    def _entities_within(self, doc: Doc, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The token ranges of the entities of `around_labels` that fall in `ranges`."""
        return [
            (e.start, e.end)
            for e in doc.ents
            if e.label_ in self.around_labels
            and any(lo <= e.start < hi for lo, hi in ranges)
            and not (self.known is not None and self.known.knows(e._.normalized or e.text.lower()))
        ]

    def _parts(self, wanted: list[tuple[int, int]], length: int) -> list[Part]:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(wanted):
            if merged and start - self.context <= merged[-1][1] + self.context:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return [
            Part(max(0, start - self.context), min(length, end + self.context), start, end) for start, end in merged
        ]


def _pieces(doc: Doc, parts: list[Part]) -> Iterator[Doc]:
    """Each part as a Doc of its own: the same words and norms, no sentence starts. (`Span.as_doc`
    reads every attribute of the whole Doc for each part, and each token's text through a Python
    object.)"""
    text = doc_text(doc)
    rows = doc.to_array([IDX, LENGTH, SPACY, NORM])
    for start, end, _, _ in parts:
        part = rows[start:end]
        words = [text[i : i + n] for i, n in part[:, :2].tolist()]
        piece = Doc(doc.vocab, words=words, spaces=part[:, 2].astype(bool).tolist())
        piece.from_array([NORM], part[:, 3:])
        yield piece
