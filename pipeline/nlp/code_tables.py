"""The tables the coder (`coding.py`) looks codes up in, read from its resource files once and
then from the disk cache: the condition index, code titles, drug and lab codes, spelling folds,
sides, and the article context's rules (`code_context.py`, `neoplasm_sites.py`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from ..disk_cache import disk_cached
from ..lexicons import resource_json, resource_text, table_rows, word_list
from .code_context import ArticleContext
from .name_forms import fold_name, spelling_folds
from .neoplasm_sites import NeoplasmSites


@disk_cached
def code_index(
    conditions: str,
    titles: str,
    drugs: str,
    labs: str,
    spelling: str,
    too_general: str,
    nonspecific: str,
    sides: str,
    laterality: str,
    refinements: str,
    context: str,
    organs: str,
    morphology: str,
    abbreviations: str,
    main_term_stops: str,
) -> dict:
    """What the coder looks codes up in, from its files (in `FILES`' order): 220,000 names, built
    once and then read from the disk cache."""
    by_name, shared = {}, {}
    for name, icd10cm, doid, mesh_id, coded_as in _columns(
        conditions, "name", "icd10cm", "doid", "mesh_id", "coded_as"
    ):
        if icd10cm or doid or mesh_id:
            codes = (sys.intern(icd10cm), sys.intern(doid), sys.intern(mesh_id), coded_as)
            # names with the same codes share one tuple (150,000 names, 58,000 tuples): a quarter
            # less to read back from the disk cache at every start
            by_name[name] = shared.setdefault(codes, codes)
    folds = spelling_folds(spelling)
    side_table = resource_json(laterality)
    return {
        "conditions": by_name,
        # what a name the index knows may start with: the words before a condition worth a lookup
        "first_words": frozenset(name.split(" ", 1)[0] for name in by_name),
        "titles": dict(_columns(titles, "code", "title")),
        "drugs": {generic: (db, mesh) for generic, db, mesh in _columns(drugs, "generic", "drugbank_id", "mesh_id")},
        "labs": {r["test"]: r["loinc"] for r in table_rows(labs)},
        "folds": folds,
        "too_general": word_list(too_general),
        # as the names are folded: `community-acquired` is two words there
        "nonspecific": [tuple(fold_name(m, folds).split()) for m in word_list(nonspecific)],
        "sides": {
            code: dict(zip(("right", "left", "bilateral"), others))
            for code, *others in _columns(sides, "code", "right", "left", "bilateral")
        },
        "side_words": {word: side for side, words in side_table["sides"].items() for word in words},
        "words_before": side_table["words_before"],
        "context": ArticleContext(
            _columns(refinements, "code", "refined", "kind", "words"),
            (rules := resource_json(context))["sites"],
            (adjectives := resource_json(organs)["adjectives"]),
            rules["with_adjectives"],
            rules["anatomy"],
            rules["with_categories"],
            rules["size_words"],
            rules["multiple_valves"],
            rules["integral_signs"],
            rules["not_carried"],
        ),
        "abbreviations": resource_json(abbreviations)["abbreviations"],
        "main_term_stops": frozenset(word_list(main_term_stops))
        | {word for pair in adjectives.items() for name in pair for word in name.split()}
        | {word for site in rules["sites"] for word in site.split()}
        | frozenset(rules["anatomy"])
        | {word.lower() for word in word_list("microbes.txt")},  # an organism says which infection
        # words that join two names or hang a phrase on one: a name with one has no single main term
        "joining": frozenset({"of", "in", "on", "with", "without", "and", "or", "to", "from", "by", "due", "after"}),
        "other_cause": frozenset(rules["other_cause"]),
        "not_old": frozenset(rules["not_old"]),
        "acuity": frozenset(rules["acuity_words"]),
        "neoplasms": NeoplasmSites(resource_json(morphology), adjectives, rules["sites"]),
    }


def _columns(name: str, *wanted: str) -> Iterator[list[str]]:
    """The named columns of a tab-separated resource, row by row, as lists: the index holds
    220,000 names, and a dict per row (`table_rows`) would cost some 150 MB more per worker."""
    rows = (line.split("\t") for line in resource_text(name).splitlines() if line and not line.startswith("#"))
    header = next(rows)
    where = [header.index(column) for column in wanted]
    return ([row[i] for i in where] for row in rows)
