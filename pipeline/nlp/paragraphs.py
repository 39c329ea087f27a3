"""The `casextract_paragraphs` component: sentence starts at the article's line breaks."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("casextract_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_boundaries(nlp: Language, name: str):
    # a factory rather than `Language.component`, so that the `spacy_factories` entry point can
    # name it: spaCy calls what the entry point loads as the factory itself
    return paragraph_boundaries


def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break in the article text (between paragraphs, headings, table rows) always ends
    a sentence; the sentencizer decides the rest."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc
