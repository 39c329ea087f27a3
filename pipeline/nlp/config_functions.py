"""Registered functions that `pipeline.cfg` refers to for settings that are not a component's:
the negation cue lists and the longest document a pipeline accepts."""

from __future__ import annotations

from collections.abc import Callable

import spacy
from negspacy.termsets import termset
from spacy.language import Language

from ..lexicons import resource_json


@spacy.registry.misc("casextract.negation_termset.v1")
def negation_termset(base: str = "en_clinical", extra: str = "negation.json") -> dict[str, list[str]]:
    """negspaCy's termset `base` with the cues of `extra` (`was avoided`, `was withdrawn` …) added
    after its own, each once."""
    terms = {key: list(values) for key, values in termset(base).get_patterns().items()}
    for key, values in resource_json(extra).items():
        if key in terms:
            terms[key].extend(v for v in values if v not in terms[key])
    return terms


@spacy.registry.callbacks("casextract.long_documents.v1")
def long_documents(max_length: int = 5_000_000) -> Callable[[Language], Language]:
    """Long articles with their tables run past spaCy's default limit of 1,000,000 characters.
    That limit guards memory; a batch guards it per document already (pages, time and memory
    limits of `worker.Limits`), so the pipeline itself accepts more."""

    def allow(nlp: Language) -> Language:
        nlp.max_length = max_length
        return nlp

    return allow
