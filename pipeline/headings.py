"""Section headings: what a heading's words say it is (`resources/sections.json`, CARE headings
included). Shared by the sections stage, which builds sections from them, and the article-bounds
finder, which reads them as evidence of where an article begins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicons import resource_json

CASE_HEADING = re.compile(
    r"^(case|patient)(\s+(presentation|report|description|history))?\s*#?\s*(\d+|[ivx]+|one|two|three|four|five)$"
)
NUMBERING = re.compile(r"^(\d+(\.\d+)*\.?|[ivx]+\.|[a-h]\.)\s+", re.I)


@dataclass(frozen=True)
class SectionKind:
    name: str
    role: str
    level: int


@lru_cache(maxsize=1)
def heading_lexicon() -> dict[str, SectionKind]:
    lexicon: dict[str, SectionKind] = {}
    for entry in resource_json("sections.json")["sections"]:
        kind = SectionKind(entry["name"], entry["role"], entry["level"])
        for variant in entry["variants"]:
            lexicon[variant] = kind
    return lexicon


def heading_key(text: str) -> str:
    text = NUMBERING.sub("", text.strip())
    text = re.sub(r"\s+", " ", text).strip(" :.-–—").lower()
    return text.replace("‐", "-")


def classify_heading(text: str) -> SectionKind | None:
    key = heading_key(text)
    if key in heading_lexicon():
        return heading_lexicon()[key]
    if CASE_HEADING.match(key):
        return SectionKind("case presentation", "case", 2)
    return None
