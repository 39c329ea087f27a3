"""The clinical tokenizer: scispaCy's rule tokenizer, adjusted for how case reports write numbers.

scispaCy's `combined_rule_tokenizer` handles biomedical names (`anti-MDA5`, `IL-6`) well, but it
splits `10^9/L` at the caret and leaves the full stop on `U/L.` and `10^11/L.` — which glues the
sentence end into the unit and, worse, lets the sentencizer run sentences together. The
adjustments are data (`resources/tokenizer.json`).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from importlib.metadata import version

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

from ..disk_cache import disk_cached
from ..lexicons import resource_json


@spacy.registry.tokenizers("casextract.clinical_tokenizer.v1")
def create_clinical_tokenizer(rules: str = "tokenizer.json"):
    """`rules`: the adjustments to scispaCy's tokenizer (a shipped resource name or a path)."""

    def make(nlp: Language) -> Tokenizer:
        return clinical_tokenizer(nlp, rules)

    return make


def clinical_tokenizer(nlp: Language, rules_file: str = "tokenizer.json") -> Tokenizer:
    prefix, infix, suffix, special = _parts(type(nlp), rules_file)
    # one Tokenizer made with its final rules: each later change of an affix rule or a special
    # case reloads every special case, and building it step by step cost a second per pipeline
    return Tokenizer(
        nlp.vocab,
        rules=special,
        prefix_search=prefix.search,
        suffix_search=suffix.search,
        infix_finditer=infix.finditer,
        token_match=_language_token_match(nlp),
    )


@lru_cache(maxsize=4)
def _parts(language: type[Language], rules_file: str) -> tuple[re.Pattern, re.Pattern, re.Pattern, dict]:
    """scispaCy's tokenizer rules for `language` with the adjustments of `rules_file`, as compiled
    patterns and special cases: worked out once per process, from the disk cache."""
    libraries = (language.lang, spacy.__version__, version("scispacy"))
    prefix, infix, suffix, special = tokenizer_rules(rules_file, libraries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # see tokenizer_rules
        return re.compile(prefix), re.compile(infix), re.compile(suffix), special


@disk_cached
def tokenizer_rules(rules_file: str, libraries: tuple[str, str, str]) -> tuple[str, str, str, dict]:
    """The prefix, infix and suffix patterns and the special cases for the language `libraries[0]`:
    worked out from a tokenizer scispaCy builds, which builds the language's own first (a third
    of a second at every start); cached on disk by the spaCy and scispaCy versions, which the
    base rules come from."""
    rules = resource_json(rules_file)
    with warnings.catch_warnings():
        # scispaCy's character classes trip a FutureWarning in `re`; the patterns are fine
        warnings.simplefilter("ignore", FutureWarning)
        base = combined_rule_tokenizer(spacy.util.get_lang_class(libraries[0])())
        prefixes = _split_alternatives(base.prefix_search.__self__.pattern)
        prefix = "|".join(["^" + re.escape(p) for p in rules["extra_prefixes"]] + prefixes)
        # the infix regex is one alternation: rebuild it from its parts, minus the caret
        infixes = _split_alternatives(base.infix_finditer.__self__.pattern, drop_caret=True)
        infix = compile_infix_regex(infixes + rules["extra_infixes"]).pattern
        suffixes = _split_alternatives(base.suffix_search.__self__.pattern)
        suffix = "|".join(suffixes + [s + "$" for s in rules["extra_suffixes"]])
    special = dict(base.rules) | {case: [{ORTH: case}] for case in rules["special_cases"]}
    for case in rules["drop_special_cases"]:
        special.pop(case, None)
    return prefix, infix, suffix, special


def _language_token_match(nlp: Language):
    """The language's own token_match, which scispaCy's tokenizer keeps."""
    return nlp.Defaults.token_match


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
