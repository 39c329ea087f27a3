"""Lexicons that are data, loaded from `pipeline/resources/` (a curator extends the files, not the code).

Every loader takes a resource name: a bare file name (`certainty.json`) is the file shipped in
`pipeline/resources/`; anything else (`~/lexicons/certainty.json`, a saved pipeline's copy) is a
path. That is how a component's config names its data, as medspaCy's ConText takes its rules.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from .disk_cache import disk_cached

RESOURCES = resources.files("pipeline.resources")


def is_shipped(name: str) -> bool:
    return "/" not in name and "\\" not in name and RESOURCES.joinpath(name).is_file()


def resource_bytes(name: str) -> bytes:
    """The raw bytes of a shipped resource or of a file at a path."""
    return RESOURCES.joinpath(name).read_bytes() if is_shipped(name) else Path(name).expanduser().read_bytes()


def resource_text(name: str) -> str:
    """A text resource, decompressed when its name ends in `.gz`."""
    raw = resource_bytes(name)
    return (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")


@cache
def resource_json(name: str) -> dict:
    """A JSON resource (read once per process)."""
    return json.loads(resource_text(name))


@cache
def word_list(name: str) -> frozenset[str]:
    """A one-entry-per-line resource, lower case; blank lines and `#` comments skipped."""
    return frozenset(
        line.strip().lower() for line in resource_text(name).splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def table_rows(name: str) -> tuple[dict[str, str], ...]:
    """A tab-separated resource with a header row (`.tsv` or `.tsv.gz`); `#` comment lines skipped."""
    lines = [line for line in resource_text(name).splitlines() if line.strip() and not line.startswith("#")]
    return tuple(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"))


@lru_cache(maxsize=4)
@disk_cached
def drug_lexicon(
    names: str = "drugs.tsv.gz", overrides: str = "drug_overrides.tsv", routes: str | None = "routes.json"
) -> dict[str, str]:
    """Lower-case name as written (generic, brand, abbreviation) → generic name.

    Built from the drug-named-entity-recognition package (`tools/build_drug_lexicon.py`); a
    generic that ends with a route's word (`clonidine patch`, `penciclovir cream`: `routes.json`)
    is the drug without it when that is a generic too, since the form is not the drug; then
    `drug_overrides.tsv`: corrections, clinical abbreviations (MPSL, IVIG) and removals
    (generic `-`), applied last so a curator always wins.
    """
    lexicon = {row["variant"]: row["generic"] for row in table_rows(names)}
    if routes:
        forms = {w for route, ways in resource_json(routes).items() if not route.startswith("_") for w in ways}
        generics = set(lexicon.values())
        for variant, generic in lexicon.items():
            drug, _, form = generic.rpartition(" ")
            if form in forms and drug in generics:
                lexicon[variant] = drug
    for row in table_rows(overrides):
        if row["generic"] == "-":
            lexicon.pop(row["variant"].lower(), None)
        else:
            lexicon[row["variant"].lower()] = row["generic"]
    return lexicon


@dataclass(frozen=True)
class ConditionVocabulary:
    """The condition names a disease vocabulary (Disease Ontology, MeSH) or the curated list holds."""

    names: frozenset[str]
    curated: frozenset[str]

    def knows(self, name: str) -> bool:
        """Whether it names `name` or its singular (`pulmonary infarcts`, `abscesses`)."""
        forms = {name, name[:-1] if name.endswith("s") else name, name[:-2] if name.endswith("es") else name}
        return any(form in self.names or form in self.curated for form in forms)


@lru_cache(maxsize=4)
@disk_cached
def condition_vocabulary(
    names: str = "disease_vocabulary.tsv.gz", curated: str = "disease_additions.txt"
) -> ConditionVocabulary:
    """The names of a vocabulary table, with a curated word list if one is named."""
    return ConditionVocabulary(
        frozenset(row["name"] for row in table_rows(names)), word_list(curated) if curated else frozenset()
    )


# words before a hyphen that make one word with what follows (`pre-eclampsia`): written with a
# space they are two names
HYPHEN_PREFIXES = frozenset(
    "pre post non anti co sub semi pseudo de re pro para peri intra inter extra ultra multi poly mono bi tri "
    "hyper hypo self neo auto over under mid trans infra supra".split()
)


def spaced_form(name: str) -> str:
    """A name as reports also write it, a hyphen between two words a space (`pure red-cell aplasia`
    → `pure red cell aplasia`); never after a prefix or a letter (`pre-eclampsia`, `x-linked`) nor
    beside a number (`covid-19`)."""
    return re.sub(r"\b([a-z]{2,})-(?=[a-z]{2,}\b)", lambda m: m[1] + ("-" if m[1] in HYPHEN_PREFIXES else " "), name)


@lru_cache(maxsize=4)
@disk_cached
def disease_gazetteer(
    names: str = "diseases.tsv.gz",
    additions: str = "disease_additions.txt",
    ontology: str = "disease_vocabulary.tsv.gz",
) -> frozenset[str]:
    """Disease names annotated in the training corpora (tools/build_disease_gazetteer.py),
    `disease_additions.txt`, and the Human Disease Ontology's labels (the rows of the disease
    vocabulary with a DOID; its MeSH names, signs and symptoms among them, are not looked for:
    on the real reports' dev split they lowered precision from 0.41 to 0.29); they back up the NER, which misses
    rare and long names."""
    ontology_names = frozenset(row["name"] for row in table_rows(ontology) if row["doid"])
    # the ontology's labels also as reports write them with a space; the corpora's names are left as
    # written: theirs are often adjectives (`cocaine-addicted`, `myelin-deficient`)
    spaced = {spaced_form(name) for name in ontology_names if "-" in name}
    return frozenset(row["name"] for row in table_rows(names)) | word_list(additions) | ontology_names | spaced
