"""How the coder and its index write a condition's name: one spelling (American, no accents, lower
case), the singulars of its last word and its plural, so that the index, built through the same
functions (tools/build_code_index.py), and the text meet."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from ..lexicons import HYPHEN_PREFIXES, resource_json

PLURALS = (("ies", "y"), ("ses", "sis"), ("sses", "ss"), ("xes", "x"), ("li", "lus"), ("ci", "cus"), ("i", "us"))


FOLDED = 20_000  # names a SpellingFolds remembers folded at most (~5 MB; 100,000 took 23 MB)


class SpellingFolds(list):
    """The folds, in order, as (pattern, replacement); `any` finds where one of them applies, so
    that the many names none applies to cost one search, not one per fold."""

    def __init__(self, folds: list[tuple[re.Pattern, str]]):
        super().__init__(folds)
        self.any = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in folds)) if folds else None
        self.folded: dict[str, str] = {}  # names folded already: the coder folds the same ones doc after doc


def spelling_folds(name: str = "spelling.json") -> SpellingFolds:
    return SpellingFolds([(re.compile(pattern), american) for pattern, american in resource_json(name)["fold"].items()])


def dashes_as_hyphens(text: str) -> str:
    """An en dash as the hyphen it stands for in an eponym's name (`Guillain–Barré`,
    `Ehlers–Danlos`): the lexicon matchers read the text, and the coder folds names, this way."""
    return text.replace("–", "-") if "–" in text else text


PREFIX_WORD = re.compile(r"\b(" + "|".join(sorted(HYPHEN_PREFIXES)) + r")[ -](?=[a-z])", re.IGNORECASE)


def as_one_word(name: str) -> str:
    """A name's hyphenated words, and a prefix written apart, as one word (`schizo-affective` →
    `schizoaffective`, `pre eclampsia` → `preeclampsia`, `non Hodgkin` → `nonHodgkin`)."""
    return PREFIX_WORD.sub(r"\1", name).replace("-", "")


def inverted(name: str, leave_out: Container[str]) -> str:
    """`H of the M` as `M H`, the order the index writes many names in (`abscess of the liver` →
    `liver abscess`, `stenosis of the renal artery` → `renal artery stenosis`), without the
    article and the words `leave_out` (a side: the coder reads it from the phrase); else the name."""
    words = name.lower().split()
    if words.count("of") != 1 or words[0] == "of":
        return name
    at = words.index("of")
    place = [w for w in words[at + 1 :] if w not in ("the", "a", "an") and w not in leave_out]
    return " ".join([*place, *words[:at]]) if 0 < len(place) <= 4 else name


def fold_name(name: str, folds: list[tuple[re.Pattern, str]]) -> str:
    """A name as the code index writes it: lower case, one space between words, no accents
    (`henoch-schönlein`), an en dash a hyphen, the spelling folds applied (the index is built
    through this too)."""
    memo = getattr(folds, "folded", None)
    if memo is not None and (folded := memo.get(name)) is not None:
        return folded
    folded = dashes_as_hyphens(unicodedata.normalize("NFKD", " ".join(name.lower().split())))
    if not folded.isascii():
        folded = "".join(char for char in folded if not unicodedata.combining(char))
    if getattr(folds, "any", None) is None or folds.any.search(folded):
        for pattern, american in folds:
            folded = pattern.sub(american, folded)
    if memo is not None:
        if len(memo) > FOLDED:
            memo.clear()
        memo[name] = folded
    return folded


def singulars(name: str) -> list[str]:
    """The ways the last word may read in the singular (`ulcers` → `ulcer`, `myopathies` →
    `myopathy`, `metastases` → `metastasis`, `abscesses` → `abscess`, `emboli` → `embolus`); a
    word that only looks plural (`diabetes`, `psoriasis`) is found as written before these."""
    forms = [name[: -len(plural)] + singular for plural, singular in PLURALS if name.endswith(plural)]
    if name.endswith("s") and not name.endswith(("ss", "is", "us")):
        forms.append(name[:-1])
    return forms


def plurals(name: str) -> list[str]:
    """The last word in the plural, where it reads as a singular noun (`gallstone` → `gallstones`,
    `neurological deficit` → `neurological deficits`, `myopathy` → `myopathies`): some names are
    in the vocabularies only in the plural. Not of a word of three letters or fewer (`aid`, `pre`),
    of one with other than letters, or of one ending as plurals and Latin or Greek names do (`-s`,
    `-x`, `-a`, `-i`, `-um`, `-on`, but `-ion`: `convulsion` → `convulsions`)."""
    last = name.rsplit(" ", 1)[-1]
    latin = last.endswith(("s", "x", "z", "sh", "ch", "a", "i", "um", "on")) and not last.endswith("ion")
    if len(last) <= 3 or not last.isalpha() or latin:
        return []
    if last.endswith("y") and last[-2] not in "aeiou":
        return [name[:-1] + "ies"]
    return [name + "s"]
