"""The `casextract_paragraphs` component: sentence starts at the article's line breaks."""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc

from .values import doc_text


@Language.factory("casextract_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_boundaries(nlp: Language, name: str):
    # a factory rather than `Language.component`, so that the `spacy_factories` entry point can
    # name it: spaCy calls what the entry point loads as the factory itself
    return paragraph_boundaries


def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break in the article text (between paragraphs, headings, table rows) always ends
    a sentence; the sentencizer decides the rest. The breaks are found in the text and mapped
    to tokens, rather than every token asked for its text."""
    starts = doc.to_array("IDX").tolist()
    for newline in re.finditer(r"\n+", doc_text(doc)):
        # the token after the break: the first to start at or after its end, unless the break is
        # a token itself (then the token after that one)
        i = bisect.bisect_left(starts, newline.end())
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
    return doc
