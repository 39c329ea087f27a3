"""Timepoints: when a fact holds (before admission, on admission, in hospital, at discharge, at
follow-up), from the section it is written in and the cue phrases of its sentence
(`resources/timepoints.json`)."""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

from .lexicons import resource_json
from .structures import Section


def timepoint(section: Section | None, sentence: Span | None, fact_start: int, kind: str = "") -> str:
    """The section's default, overridden by the last cue before the fact in its sentence (or the
    first cue after it when none precedes); with neither, the default for the kind of fact."""
    rules = resource_json("timepoints.json")
    default = rules["sections"].get(section.name, "") if section else ""
    default = default or rules["fact_defaults"].get(kind, "")
    if sentence is None:
        return default
    text = sentence.text.lower()
    offset = fact_start - sentence.start_char
    before: tuple[int, str] | None = None
    after: tuple[int, str] | None = None
    for moment, cue in _timepoint_cues():
        for match in cue.finditer(text):
            if match.start() <= offset and (before is None or match.start() > before[0]):
                before = (match.start(), moment)
            elif match.start() > offset and (after is None or match.start() < after[0]):
                after = (match.start(), moment)
    if before:
        return before[1]
    if after:
        return after[1]
    return default


@lru_cache(maxsize=1)
def _timepoint_cues() -> list[tuple[str, re.Pattern[str]]]:
    """Each cue of `timepoints.json` as a whole-word pattern, with its moment, in the file's order."""
    cues = resource_json("timepoints.json")["cues"]
    return [(moment, re.compile(r"\b" + re.escape(cue) + r"\b")) for moment, listed in cues.items() for cue in listed]


def column_timepoint(header: str) -> str:
    lowered = header.strip().lower()
    for moment in ("admission", "discharge", "follow-up"):
        if moment in lowered or (moment == "follow-up" and "follow up" in lowered):
            return moment
    return header.strip()
