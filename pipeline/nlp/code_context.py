"""A condition's code made more specific by what the article says around it.

The coder first codes a condition by its name. ICD-10-CM often has a more specific code of the
same category that the name alone does not reach: the site (`gastrointestinal stromal tumor of the
duodenum` → C49.A3, small intestine), the type (`soft cleft palate` → Q35.3), a complication
joined by "with" (type 2 diabetes in a patient with polyneuropathy → E11.42, the link ICD-10-CM
presumes, Official Guidelines I.A.15). `icd10cm_refinements.tsv.gz` lists, for each code, the
codes of its category whose titles say more and what they say (tools/code_refinements.py builds it
from the titles alone); this module decides, from the text, which of them the article supports:

- in its sentence: a code whose added words all stand in the condition's sentence, outside the
  other conditions named there (`acute` of `acute kidney injury` says nothing of a pneumonia
  beside it), sites read through their synonyms (`code_context.json`) and organ adjectives;
- across the article: what one mention of the patient's condition says holds for the other
  mentions of the same name (`Crohn's disease` of the ileum, then `the Crohn's disease` alone),
  when no mention says another;
- with another condition: a "with" code whose complication is another condition the patient has
  in the same article (not negated, not a relative's).
Of several codes the words support equally, none is taken: the name's own code stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Span

# words that join, never name (a title's `of`, `with`; a sentence's `the`)
STOP = frozenset({"of", "the", "and", "or", "in", "on", "at", "to", "with", "due", "a", "an", "by", "for", "as"})
BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
WORD = re.compile(r"[a-z0-9']+")


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us", "'s")):
        return word[:-1]
    return word


def title_words(text: str) -> frozenset[str]:
    """The words a title or a name says, as refinements compare them: lower case, brackets and
    optional (parenthesised) words left out, in the singular, joining words left out."""
    words = WORD.findall(BRACKETS.sub(" ", text.lower()))
    return frozenset(singular(w) for w in words if w not in STOP)


@dataclass(frozen=True)
class Refinement:
    code: str
    kind: str  # "said": what its title adds is said in the sentence; "with": a complication named as another condition
    said: str  # the words the code's title adds, in its order (`small intestine`)

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(singular(w) for w in self.said.split())


@dataclass
class Mention:
    """One condition as coded so far: its code from the name alone, its code now, and why."""

    span: Span
    name_code: str
    code: str
    evidence: str
    words: frozenset[str]  # its name's words, for "with" codes


class ArticleContext:
    def __init__(
        self, rows: Iterable[list[str]], sites: dict[str, str], adjectives: dict[str, str], linking: Iterable[str]
    ):
        self.refinements: dict[str, list[Refinement]] = {}
        for code, refined, kind, words in rows:
            self.refinements.setdefault(code, []).append(Refinement(refined, kind, words))
        organ_of = {adjective: organ for organ, adjective in adjectives.items() if adjective != organ}
        self.sites = {phrase: title_words(site) for phrase, site in sites.items()}
        for adjective, organ in organ_of.items():
            self.sites[adjective] = title_words(organ) | self.sites.get(organ, frozenset())
        self.linking = frozenset(linking)

    def in_sentence(self, code: str, span: Span, sentences: Sentences) -> Refinement | None:
        """The code of `code`'s category whose added words the sentence says."""
        candidates = [r for r in self.refinements.get(code, ()) if r.kind == "said"]
        if not candidates:
            return None
        words = sentences.words(span, self.sentence_words)
        return _only_best([r for r in candidates if r.words <= words])

    def sentence_words(self, tokens: list[str]) -> frozenset[str]:
        words = {singular(w) for token in tokens for w in WORD.findall(token) if w not in STOP}
        for phrase in {*tokens, *(" ".join(pair) for pair in zip(tokens, tokens[1:]))}:
            words |= self.sites.get(phrase, frozenset())
        return frozenset(words)

    def with_complication(self, code: str, conditions: list[Mention]) -> tuple[Refinement, Mention] | None:
        """The "with" code whose complication is one of the article's other `conditions`."""
        found = []
        for refinement in self.refinements.get(code, ()):
            if refinement.kind != "with":
                continue
            complication = refinement.words - self.linking
            found += [(refinement, m) for m in conditions if m.code != code and m.words == complication]
        best = _only_best([r for r, _ in found])
        return next(((r, m) for r, m in found if r == best), None) if best else None


class Sentences:
    """A Doc's sentences as the coder reads them, each once: the lower-case tokens outside the
    conditions named in it (`acute` of `acute kidney injury` says nothing of a pneumonia beside it)."""

    def __init__(self, in_conditions: set[int]):
        self.in_conditions = in_conditions
        self._tokens: dict[int, list[str]] = {}
        self._words: dict[int, frozenset[str]] = {}

    def tokens(self, span: Span) -> list[str]:
        sentence = span.sent
        if sentence.start not in self._tokens:
            self._tokens[sentence.start] = [t.lower_ for t in sentence if t.i not in self.in_conditions]
        return self._tokens[sentence.start]

    def words(self, span: Span, read: Callable[[list[str]], frozenset[str]]) -> frozenset[str]:
        start = span.sent.start
        if start not in self._words:
            self._words[start] = read(self.tokens(span))
        return self._words[start]


def _only_best(refinements: list[Refinement]) -> Refinement | None:
    """The refinement that says the most, unless another says as much (then none)."""
    if not refinements:
        return None
    most = max(len(r.words) for r in refinements)
    best = {r.code for r in refinements if len(r.words) == most}
    return next(r for r in refinements if r.code in best) if len(best) == 1 else None


def across_article(context: ArticleContext, mentions: list[Mention]) -> None:
    """Codes the other mentions make more specific: a site said once, a complication named."""
    patient = [m for m in mentions if _the_patients(m.span)]
    said: dict[tuple[str, frozenset[str]], set[str]] = {}
    for mention in patient:
        if mention.code != mention.name_code:
            said.setdefault((mention.name_code, mention.words), set()).add(mention.code)
    # a code names the condition, whether the mention asserts, negates or weighs it (`no
    # pneumonia` is J18.9 too); only a relative's or the literature's condition is another one
    for mention in (m for m in mentions if not m.span._.subject):
        refined = said.get((mention.name_code, mention.words), set())
        if mention.code == mention.name_code and len(refined) == 1:
            mention.code = next(iter(refined))
            mention.evidence += " (said in another sentence)"
    for code in {m.code for m in patient}:
        found = context.with_complication(code, patient)
        if found:
            refinement, complication = found
            for mention in (m for m in mentions if m.code == code and not m.span._.subject):
                mention.code = refinement.code
                mention.evidence += f" with {complication.span._.normalized or complication.span.text}"


def _the_patients(span: Span) -> bool:
    return span._.assertion not in ("negated", "differential") and not span._.subject
