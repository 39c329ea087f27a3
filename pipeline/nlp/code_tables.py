"""The tables the coder (`coding.py`) looks codes up in, read from its resource files once and
then from the disk cache: the condition index, code titles, drug and lab codes, spelling folds,
sides, and the article context's rules (`code_context.py`, `neoplasm_sites.py`)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping

from ..disk_cache import disk_cached
from ..lexicons import resource_json, resource_text, table_rows, word_list
from .code_causes import Procedures
from .code_context import ArticleContext
from .code_cultures import Cultures
from .code_history import PersonalHistory
from .code_poisoning import Poisonings
from .name_forms import fold_name, spelling_folds
from .neoplasm_sites import NeoplasmSites

# the coder's files (`casextract_coder`'s config), a bare name being one shipped in `pipeline/resources/`
FILES = {
    "conditions": "condition_codes.tsv.gz",
    "titles": "icd10cm_titles.tsv.gz",
    "drugs": "drug_codes.tsv.gz",
    "labs": "lab_codes.tsv",
    "spelling": "spelling.json",
    "too_general": "too_general_to_code.txt",
    "nonspecific": "nonspecific_modifiers.txt",
    "sides": "icd10cm_sides.tsv.gz",
    "laterality": "laterality.json",
    "refinements": "icd10cm_refinements.tsv.gz",
    "context": "code_context.json",
    "organs": "organ_adjectives.json",
    "morphology": "neoplasm_morphology.json",
    "abbreviations": "condition_abbreviations.json",
    "main_term_stops": "main_term_stops.txt",
    "microbes": "microbes.txt",
    "blocks": "icd10cm_blocks.tsv.gz",
    "poisonings": "poisonings.json",
}


BLOCK_COLUMNS = ("category", "block", "block_title")


@disk_cached
def code_index(*files: str) -> dict:
    """What the coder looks codes up in, from its files (in `FILES`' order): 220,000 names, built
    once and then read from the disk cache."""
    file = dict(zip(FILES, files))
    by_name = {}
    for name, icd10cm, doid, mesh_id, coded_as in _columns(
        file["conditions"], "name", "icd10cm", "doid", "mesh_id", "coded_as"
    ):
        if icd10cm or doid or mesh_id:
            by_name[name] = (icd10cm, doid, mesh_id, coded_as)
    folds = spelling_folds(file["spelling"])
    side_table = resource_json(file["laterality"])
    rules, adjectives = resource_json(file["context"]), resource_json(file["organs"])["adjectives"]
    morphology = resource_json(file["morphology"])
    # the organs named by noun, adjective or site; a site's name for an adjective (`parasagittal`:
    # `cerebral`, the meninges over the brain a meningioma is of) is no organ of its own
    organs = {*adjectives, *(site for site in rules["sites"].values() if site not in adjectives.values())}
    titles = dict(_columns(file["titles"], "code", "title"))
    for name, codes in unspecified_behaviour_names(by_name, organs, morphology, titles).items():
        by_name.setdefault(name, codes)
    return {
        "conditions": NameTable(by_name),
        # what a name the index knows may start with: the words before a condition worth a lookup
        "first_words": frozenset(name.split(" ", 1)[0] for name in by_name),
        # the words a name the index knows goes on with: the words after a condition worth a lookup
        "later_words": SpelledWords(frozenset(word for name in by_name for word in name.split()[1:]), folds),
        "titles": titles,
        "blocks": {category: (block, title) for category, block, title in _columns(file["blocks"], *BLOCK_COLUMNS)},
        "drugs": {
            generic: (db, mesh) for generic, db, mesh in _columns(file["drugs"], "generic", "drugbank_id", "mesh_id")
        },
        "labs": {r["test"]: r["loinc"] for r in table_rows(file["labs"])},
        "folds": folds,
        "too_general": word_list(file["too_general"]),
        # as the names are folded: `community-acquired` is two words there
        # by first word, in the list's order: each name tries only the modifiers its word may start
        "nonspecific": _by_first_word(tuple(fold_name(m, folds).split()) for m in word_list(file["nonspecific"])),
        "sides": {
            code: dict(zip(("right", "left", "bilateral"), others))
            for code, *others in _columns(file["sides"], "code", "right", "left", "bilateral")
        },
        "side_words": {word: side for side, words in side_table["sides"].items() for word in words},
        "words_before": side_table["words_before"],
        "context": ArticleContext(
            _columns(file["refinements"], "code", "refined", "kind", "words", "also"),
            rules["sites"],
            adjectives,
            rules["with_adjectives"],
            rules["anatomy"],
            rules["with_categories"],
            rules["size_words"],
            rules["multiple_valves"],
            rules["integral_signs"],
            rules["not_carried"],
            rules["finding_links"],
            rules["diabetes_types"],
            rules["complication_adjectives"],
            rules["with_codes"],
            rules["presumed_combinations"],
            rules["stage_words"],
            rules["word_forms"],
            rules["lymph_node_sites"],
            rules["not_now"],
            rules["state_heads"],
            rules["drug_classes"],
        ),
        "abbreviations": resource_json(file["abbreviations"])["abbreviations"],
        "coded_by_genus": frozenset(fold_name(genus, folds) for genus in rules["coded_by_genus"]),
        "main_term_stop_endings": tuple(w[1:] for w in word_list(file["main_term_stops"]) if w.startswith("-")),
        "main_term_stops": frozenset(w for w in word_list(file["main_term_stops"]) if not w.startswith("-"))
        | {word for pair in adjectives.items() for name in pair for word in name.split()}
        | {word for site in rules["sites"] for word in site.split()}
        | frozenset(rules["anatomy"])
        | {word.lower() for word in word_list(file["microbes"])},  # an organism says which infection
        # words that join two names or hang a phrase on one: a name with one has no single main term
        "joining": frozenset({"of", "in", "on", "with", "without", "and", "or", "to", "from", "by", "due", "after"}),
        "other_cause": frozenset(rules["other_cause"]),
        "acuity": frozenset(rules["acuity_words"]),
        "part_words": frozenset(rules["part_words"]),
        "procedures": Procedures.of(rules["procedures"]),
        "neoplasms": NeoplasmSites(morphology, adjectives, rules["sites"]),
        "poisonings": Poisonings.of(resource_json(file["poisonings"])),
        "history": PersonalHistory.of(rules["personal_history"], frozenset(rules["not_old"])),
        "cultures": Cultures.of(rules["cultures"]),
    }


class SpelledWords:
    """Words as the index writes them, found however the text spells them (`anaemia`: anemia)."""

    def __init__(self, words: frozenset[str], folds: list):
        self.words, self.folds = words, folds

    def __contains__(self, word: object) -> bool:
        return word in self.words or isinstance(word, str) and fold_name(word, self.folds) in self.words


class NameTable(Mapping):
    """The condition index: each name's codes `(icd10cm, doid, mesh_id, coded_as)`, read at every
    start. Kept as two lists in the names' order and pickled as two strings (a line each), it is
    read back from the disk cache in a fifth of the time a dict of 150,000 tuples took (0.03 s
    against 0.15 s, at the start of every run), and holds a third of its objects; a lookup is
    a binary search."""

    def __init__(self, by_name: dict[str, tuple[str, str, str, str]]):
        self._names = sorted(by_name)
        self._codes = ["\t".join(by_name[name]) for name in self._names]

    def _place(self, name: object) -> int:
        where = bisect_left(self._names, name) if isinstance(name, str) else len(self._names)
        return where if where < len(self._names) and self._names[where] == name else -1

    def __getitem__(self, name: str) -> tuple[str, str, str, str]:
        where = self._place(name)
        if where < 0:
            raise KeyError(name)
        return tuple(self._codes[where].split("\t"))

    def __contains__(self, name: object) -> bool:
        return self._place(name) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __reduce__(self):
        return _unpacked_names, ("\n".join(self._names), "\n".join(self._codes))


def _unpacked_names(names: str, codes: str) -> NameTable:
    table = NameTable.__new__(NameTable)
    table._names, table._codes = names.split("\n"), codes.split("\n")
    return table


def unspecified_behaviour_names(
    by_name: dict, organs: set[str], morphology: dict, titles: dict[str, str]
) -> dict[str, tuple]:
    """`neoplasm of unspecified behavior of ORGAN` for each organ whose malignant code's block the
    Neoplasm Table gives a code of unspecified behaviour by body system (`unspecified_behaviour`:
    the pancreas, C25 → D49.0, Neoplasm of unspecified behavior of digestive system), where no
    code title names the organ itself (the bladder's D49.4 does)."""
    blocks = [
        (low, high, code)
        for code, ranges in morphology["unspecified_behaviour"].items()
        for low, high in (bounds.split("-") for bounds in ranges)
    ]
    named = {}
    for organ in sorted(organs):
        malignant = next(
            (by_name[n][0] for n in (f"malignant neoplasm of {organ}", f"{organ} cancer") if by_name.get(n, ("",))[0]),
            "",
        )
        code = next((code for low, high, code in blocks if malignant and low <= malignant[:3] <= high), "")
        if code:
            named[f"neoplasm of unspecified behavior of {organ}"] = (code, "", "", titles[code].lower())
    return named


def _columns(name: str, *wanted: str) -> Iterator[list[str]]:
    """The named columns of a tab-separated resource, row by row, as lists: the index holds
    220,000 names, and a dict per row (`table_rows`) would cost some 150 MB more per worker."""
    rows = (line.split("\t") for line in resource_text(name).splitlines() if line and not line.startswith("#"))
    header = next(rows)
    where = [header.index(column) for column in wanted]
    return ([row[i] for i in where] for row in rows)


def _by_first_word(phrases: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    """The phrases by their first word, each word's in the order given."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    return by_first
