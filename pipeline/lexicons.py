"""Lexicons that are data, loaded from `pipeline/resources/` (a curator extends the files, not the code)."""

from __future__ import annotations

import csv
import gzip
import io
from functools import lru_cache
from importlib import resources

RESOURCES = resources.files("pipeline.resources")


def _rows(name: str) -> list[dict[str, str]]:
    raw = RESOURCES.joinpath(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    lines = [l for l in text.splitlines() if l.strip() and not l.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"))


@lru_cache(maxsize=1)
def drug_lexicon() -> dict[str, str]:
    """Lower-case name as written (generic, brand, abbreviation) → generic name.

    Built from the drug-named-entity-recognition package (`tools/build_drug_lexicon.py`), then
    `drug_overrides.tsv`: corrections, clinical abbreviations (MPSL, IVIG) and removals
    (generic `-`), applied last so a curator always wins.
    """
    lexicon = {row["variant"]: row["generic"] for row in _rows("drugs.tsv.gz")}
    for row in _rows("drug_overrides.tsv"):
        if row["generic"] == "-":
            lexicon.pop(row["variant"].lower(), None)
        else:
            lexicon[row["variant"].lower()] = row["generic"]
    return lexicon
