"""The clinical tokenizer: scispaCy's rule tokenizer, adjusted for how case reports write numbers.

scispaCy's `combined_rule_tokenizer` handles biomedical names (`anti-MDA5`, `IL-6`) well, but it
splits `10^9/L` at the caret and leaves the full stop on `U/L.` and `10^11/L.` — which glues the
sentence end into the unit and, worse, lets the sentencizer run sentences together. The
adjustments are data (`resources/tokenizer.json`).
"""

from __future__ import annotations

import re
import warnings

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

from ..lexicons import resource_json


@spacy.registry.tokenizers("casextract.clinical_tokenizer.v1")
def create_clinical_tokenizer(rules: str = "tokenizer.json"):
    """`rules`: the adjustments to scispaCy's tokenizer (a shipped resource name or a path)."""

    def make(nlp: Language) -> Tokenizer:
        if not hasattr(nlp, "tokenizer"):
            # scispaCy starts from the language's default tokenizer, which does not exist yet
            # while spaCy is still constructing `nlp` from a config
            nlp.tokenizer = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        return clinical_tokenizer(nlp, rules)

    return make


def clinical_tokenizer(nlp: Language, rules_file: str = "tokenizer.json") -> Tokenizer:
    rules = resource_json(rules_file)
    with warnings.catch_warnings():
        # scispaCy's character classes trip a FutureWarning in `re`; the patterns are fine
        warnings.simplefilter("ignore", FutureWarning)
        return _build(nlp, rules)


def _build(nlp: Language, rules: dict) -> Tokenizer:
    tokenizer = combined_rule_tokenizer(nlp)
    prefixes = _split_alternatives(tokenizer.prefix_search.__self__.pattern)
    tokenizer.prefix_search = re.compile(
        "|".join(["^" + re.escape(p) for p in rules["extra_prefixes"]] + prefixes)
    ).search
    # the infix regex is one alternation: rebuild it from its parts, minus the caret
    infixes = _split_alternatives(tokenizer.infix_finditer.__self__.pattern, drop_caret=True)
    tokenizer.infix_finditer = compile_infix_regex(infixes + rules["extra_infixes"]).finditer
    suffixes = _split_alternatives(tokenizer.suffix_search.__self__.pattern)
    tokenizer.suffix_search = re.compile("|".join(suffixes + [s + "$" for s in rules["extra_suffixes"]])).search
    for case in rules["special_cases"]:
        tokenizer.add_special_case(case, [{ORTH: case}])
    special = dict(tokenizer.rules)
    for case in rules["drop_special_cases"]:
        special.pop(case, None)
    tokenizer.rules = special
    return tokenizer


def _split_alternatives(pattern: str, drop_caret: bool = False) -> list[str]:
    """Top-level `|` alternatives of a regex (not those inside groups or classes)."""
    parts, depth, in_class, escaped, current = [], 0, False, False, []
    for char in pattern:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if char == "\\":
            current.append(char)
            escaped = True
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    if drop_caret:
        parts = [p.replace(r"[+\-\*^]", r"[+\-\*]") for p in parts]
    return [p for p in parts if p]
