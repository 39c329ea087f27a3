"""Link stage: spaCy `Doc` + `Article` → `Facts` (each fact attached to a patient and a timepoint).

Case segmentation and fact linking arrive with the linking issue; until then no fact is
claimed, so the tables hold only what is known (`n_cases` stays empty rather than guessed).
"""

from __future__ import annotations

from spacy.tokens import Doc

from .structures import Article, Facts


def link(doc: Doc, article: Article) -> Facts:
    return Facts()
