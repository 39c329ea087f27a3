"""Character-level repairs shared by the PDF and plain-text readers.

The tables live in `resources/characters.json`. Why not `unicodedata.normalize("NFKC")`: it
folds superscripts into plain digits, so `10⁹/L` would become `109/L` and a lab value would be
off by a factor of a hundred million.
"""

from __future__ import annotations

import re
from functools import cache

from .lexicons import resource_json

SCRIPT_SIGNS = re.compile(r"^[+\-−±]+$")


def character_tables() -> dict[str, dict[str, str]]:
    return resource_json("characters.json")


def clean_char(char: str) -> str:
    """One printed character as plain text (ligatures expanded, odd spaces made plain)."""
    return character_tables()["replace"].get(char, char)


@cache
def _replace_table() -> dict[int, str]:
    return str.maketrans({k: v for k, v in character_tables()["replace"].items() if len(k) == 1})


def clean_chars(texts: list[str]) -> str:
    """`clean_char` of each printed character, joined: one `str.translate` when each is a single
    character (as nearly always), which is what a PDF's every word goes through."""
    joined = "".join(texts)
    if len(joined) == len(texts) and all(texts):  # every text one character
        return joined.translate(_replace_table())
    return "".join(clean_char(t) for t in texts)


def superscript(text: str) -> str:
    """How a raised piece of text is written: `^9` for `10⁹`, but `+` for `Ab⁺`.

    Signs and bracketed citations (`[1,2]`) are written plainly; everything else gets the
    caret so that later stages never read a power of ten as part of the number.
    """
    text = text.strip()
    if not text or SCRIPT_SIGNS.match(text) or text[0] in "[(":
        return text
    return "^" + text


def normalize_text(text: str) -> str:
    """Repair a whole string: replacements, then Unicode super/subscript runs."""
    tables = character_tables()
    replace, sup, sub = tables["replace"], tables["superscript"], tables["subscript"]
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in sup:
            j = i
            while j < len(text) and text[j] in sup:
                j += 1
            out.append(superscript("".join(sup[c] for c in text[i:j])))
            i = j
            continue
        out.append(sub.get(char) or replace.get(char, char))
        i += 1
    return "".join(out)
