"""The `casextract_negex` component: negspaCy's NegEx, same cues and same decisions, without its
cost on long documents.

negspaCy splits the document at sentence starts and termination cues and, for each piece, asks
`doc[start:end].ents`, which rebuilds every entity of the document; it also scans every cue for
every piece. On a case report (a few thousand pieces, hundreds of entities) that made it one of the
costliest components. Here the entities are read once and each piece finds its own by bisection,
as do its cues; what is negated is exactly what `negspacy.negation.Negex` negates (tested).
"""

from __future__ import annotations

from bisect import bisect_left

from negspacy.negation import Negex, default_ts
from spacy.language import Language
from spacy.tokens import Doc, Span


@Language.factory(
    "casextract_negex",
    default_config={
        "neg_termset": default_ts,
        "ent_types": None,
        "extension_name": "negex",
        "chunk_prefix": None,
        "span_keys": None,
    },
    # the extension's name is configurable; the pipeline's config keeps negspaCy's default
    assigns=["span._.negex"],
    requires=["doc.ents", "doc.sents"],
)
def make_negex(
    nlp: Language,
    name: str,
    neg_termset: dict[str, list[str]],
    ent_types: list[str] | None,
    extension_name: str,
    chunk_prefix: list[str] | None,
    span_keys: list[str] | None,
) -> BisectingNegex:
    return BisectingNegex(nlp, name, neg_termset, ent_types, extension_name, chunk_prefix, span_keys)


class BisectingNegex(Negex):
    def negex(self, doc: Doc) -> Doc:
        if self.span_keys:
            return super().negex(doc)
        preceding, following, terminating = self.process_negations(doc)
        preceding = _CuesByStart(preceding)
        following = _CuesByStart(following)
        entities = list(doc.ents)
        starts = [e.start for e in entities]
        for start, end in self.termination_boundaries(doc, terminating):
            sub_preceding = preceding.starting_in(start, end)
            sub_following = following.starting_in(start, end)
            for entity in _entities_within(entities, starts, start, end):
                self._apply_negation(entity, sub_preceding, sub_following)
        return doc


def _entities_within(entities: list[Span], starts: list[int], start: int, end: int) -> list[Span]:
    """`doc[start:end].ents`: from the first entity starting at `start` or later, those that end
    by `end`, up to the first that does not (entities do not overlap, so none after it would)."""
    found = []
    for index in range(bisect_left(starts, start), len(entities)):
        if entities[index].end > end:
            break
        found.append(entities[index])
    return found


class _CuesByStart:
    """Cue matches `(id, start, end)` to be asked for those starting in a range; `_apply_negation`
    only asks whether any qualifies, so their order does not matter."""

    def __init__(self, cues: list[tuple[int, int, int]]) -> None:
        self.cues = sorted(cues, key=lambda cue: cue[1])
        self.starts = [cue[1] for cue in self.cues]

    def starting_in(self, start: int, end: int) -> list[tuple[int, int, int]]:
        return self.cues[bisect_left(self.starts, start) : bisect_left(self.starts, end)]
