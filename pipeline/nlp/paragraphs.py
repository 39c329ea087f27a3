"""The `casextract_paragraphs` component: sentence starts at the article's line breaks."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .values import doc_text, token_after


@Language.factory("casextract_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_boundaries(nlp: Language, name: str):
    # a factory rather than `Language.component`, so that the `spacy_factories` entry point can
    # name it: spaCy calls what the entry point loads as the factory itself
    return paragraph_boundaries


def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break in the article text (between paragraphs, headings, table rows) always ends
    a sentence; the sentencizer decides the rest. The breaks are found in the text and mapped
    to tokens, rather than every token asked for its text."""
    for newline in re.finditer(r"\n+", doc_text(doc)):
        # the first token to start at or after the break's end: past the whitespace token that
        # holds the break (and any spaces it runs on with)
        i = token_after(doc, newline.end())
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
    return doc
