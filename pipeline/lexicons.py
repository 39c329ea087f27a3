"""Lexicons that are data, loaded from `pipeline/resources/` (a curator extends the files, not the code)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from functools import cache, lru_cache
from importlib import resources

RESOURCES = resources.files("pipeline.resources")


def _text(name: str) -> str:
    raw = RESOURCES.joinpath(name).read_bytes()
    return (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")


@cache
def resource_json(name: str) -> dict:
    """A JSON resource (read once per process)."""
    return json.loads(_text(name))


@cache
def word_list(name: str) -> frozenset[str]:
    """A one-entry-per-line resource, lower case; blank lines and `#` comments skipped."""
    return frozenset(
        line.strip().lower() for line in _text(name).splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def table_rows(name: str) -> tuple[dict[str, str], ...]:
    """A tab-separated resource with a header row (`.tsv` or `.tsv.gz`); `#` comment lines skipped."""
    lines = [line for line in _text(name).splitlines() if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"))


@lru_cache(maxsize=1)
def drug_lexicon() -> dict[str, str]:
    """Lower-case name as written (generic, brand, abbreviation) → generic name.

    Built from the drug-named-entity-recognition package (`tools/build_drug_lexicon.py`), then
    `drug_overrides.tsv`: corrections, clinical abbreviations (MPSL, IVIG) and removals
    (generic `-`), applied last so a curator always wins.
    """
    lexicon = {row["variant"]: row["generic"] for row in table_rows("drugs.tsv.gz")}
    for row in table_rows("drug_overrides.tsv"):
        if row["generic"] == "-":
            lexicon.pop(row["variant"].lower(), None)
        else:
            lexicon[row["variant"].lower()] = row["generic"]
    return lexicon
