"""NLP stage: `Article` → spaCy `Doc`.

The Doc covers the whole article text, so entity offsets are article offsets; the article
itself travels on `doc._.article` for the components that need sections and tables.
The trained NER, abbreviation resolution and the dose/lab/diagnosis components are added to
this pipeline by the NLP issue; this module is the one place that assembles it.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .structures import Article

if not Doc.has_extension("article"):
    Doc.set_extension("article", default=None)


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """Loaded once per process (per batch worker)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000
    return nlp


def analyse(article: Article) -> Doc:
    doc = load_pipeline()(article.text)
    doc._.article = article
    return doc


def pipeline_description() -> dict[str, object]:
    nlp = load_pipeline()
    return {"lang": nlp.lang, "pipes": list(nlp.pipe_names), "name": nlp.meta.get("name", "")}
