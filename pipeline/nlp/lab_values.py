"""Lab values as case reports print them: a number and its unit read from the characters (not the
tokens, which split `×10 9 /l`, `/mm 3` or `3mm/h` unpredictably), and results found by their unit
when the test is not in the lexicon (`serum lipase was normal at 33 ug/l`).

A number followed by a unit of concentration, count, activity, pressure or rate is a lab result
whatever its test; the test is the phrase before it, up to the words that link a name to its
value (`was raised at`, `level of`). Results of vital signs and measurements are not labs: the
heads that name them are listed in `resources/lab_context.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from ..lexicons import resource_json
from .quantities import clean_unit, dose_units, is_unit, looks_like_unit, parse_number
from .values import doc_text

NUMBER_START = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?)")
# what may follow a number as its unit, up to 24 characters
UNIT_AFTER = re.compile(
    r"\s*("
    # ×10 9 /l, ×10(9)/litre
    r"[x×]\s*10\s*(?:\^|\(|\s)\s*\d{1,2}\)?\s*/\s*(?:[a-zA-Zμµ]{1,3}|litre|liter)(?:\s?[23]\b)?"
    # per cubic millimetre, cells per microlitre: a count written in words
    r"|(?:cells\s+)?per\s+(?:cubic\s+millimet(?:er|re)s?|microlit(?:er|re)s?|mm\s?\^?3|mm³|[μµu]L)\b"
    r"|/\s?(?:[μµu]L|mm\s?\^?3|mm³|L|l)\b(?:\s?[23]\b)?"  # /μL, /mm 3
    r"|mm\s?Hg\b"
    r"|%"
    r"|[a-zA-Zμµ]{1,6}(?:/[a-zA-Zμµ0-9^]{1,6}(?:\s?[23]\b)?){0,2}"  # mg/dL, u/L, cells/mm 3
    r")"
)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int  # characters of the number and its unit
    end: int


def read_quantity(doc: Doc, i: int) -> Quantity | None:
    """The number that token `i` starts with, and the unit printed right after it (if any)."""
    token = doc[i]
    match = NUMBER_START.match(token.text)
    if not match:
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    number_end = token.idx + match.end()
    text = doc_text(doc)
    grouped = _space_grouped(text, token.idx, number_end)
    if grouped is not None:  # `36 790 per microliter`, `625 000/μL`
        value, number_end = grouped
    after = UNIT_AFTER.match(text, number_end, min(len(text), number_end + 24))
    unit, end = "", number_end
    if after:
        # a power of ten printed flat (`×10 9 /l`, `10(9)/l`) is made a power before spaces go
        written = re.sub(r"^\s*[x×]?\s*10\s*(?:\^|\(|\s)\s*(\d{1,2})\)?\s*/", r"10^\1/", after.group(1))
        candidate = clean_unit(written)
        if candidate and (is_unit(candidate) or (looks_like_unit(candidate) and "/" in candidate)):
            unit, end = candidate, after.end()
    return Quantity(value, unit, token.idx, end)


SPACE_GROUPS = re.compile(r"(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d.,])")


def _space_grouped(text: str, start: int, end: int) -> tuple[float, int] | None:
    """A number whose thousands are set apart by spaces, as SI style writes them (`36 790`): its
    value and end, when a lab unit follows the groups; None otherwise (`3 100 mg` stays 3)."""
    first = text[start:end]
    groups = SPACE_GROUPS.match(text, end)
    if not (first.isdigit() and len(first) <= 3 and groups):
        return None
    after = UNIT_AFTER.match(text, groups.end(), min(len(text), groups.end() + 24))
    unit = clean_unit(after.group(1)) if after else ""
    if not unit or not is_unit(unit) or unit in dose_units():
        return None
    return float(first + re.sub(r"\D", "", groups.group(0))), groups.end()


class LabContext:
    """The words around lab results (`resources/lab_context.json`, or the file a config names):
    which units name a result, which words link a test's name to its value, which heads name
    vital signs rather than tests. Word lists are sets: they are looked up per token."""

    def __init__(self, name: str = "lab_context.json"):
        raw = resource_json(name)
        self.words = {
            key: value if key.startswith("_") or isinstance(value, dict) else frozenset(value)
            for key, value in raw.items()
        }
        self.condition_tests: dict[str, str] = raw.get("conditions_naming_tests", {})
        self.qualitative: dict[str, list[str]] = raw.get("qualitative_results", {})
        self.normal_phrases = [phrase.split() for phrase in raw.get("normal_phrases", [])]
        # the words a result in words opens with: the cheap test before `result_in_words`
        self.result_words = frozenset(self.qualitative) | {phrase[0] for phrase in self.normal_phrases}
        # a name read back from a result in words may contain `tests`, `cultures`: no stop there
        self.qualitative_stops = self.words["stop_words"] - self.words.get("qualitative_test_nouns", frozenset())

    def is_lab_unit(self, unit: str) -> bool:
        """A unit results are reported in (`mg/dL`, `U/L`, `10^9/L`, `mmHg`), not one doses are
        given in (`mg`, `mL`, `IU`); `%` only for tests the lexicon knows."""
        words = self.words
        return (
            bool(unit)
            and unit not in words["known_test_units"]
            and unit not in dose_units()
            and is_unit(unit)
            and unit not in words["not_lab_units"]
        )

    def test_phrase(self, doc: Doc, i: int, floor: int, in_words: bool = False) -> Span | None:
        """The words naming the test of the number at token `i` (of the result in words, with
        `in_words`): back over linking words (`was`, `raised`, `at`, `of`, `:`), then the name
        itself up to a clause boundary, at most 5 words."""
        words = self.words
        stops = self.qualitative_stops if in_words else words["stop_words"]

        def linking(token) -> bool:  # `A` of `chromogranin A` is a name's letter, not an article
            return token.lower_ in words["linking_words"] and not (len(token.text) == 1 and token.text.isupper())

        j = i - 1
        while j >= floor and (linking(doc[j]) or doc[j].is_punct and doc[j].text in ":=(,—"):
            if doc[j].text == "," and j - 1 >= floor and not linking(doc[j - 1]):
                break  # `…, 14 mg/dL` after a list item: the comma ends the name
            j -= 1
        end = j + 1
        while j >= floor and end - j <= 5:
            code = _code_start(doc, j, floor)
            if code is not None:  # `CA15-3`, `CA 19-9`: a hyphenated code is part of the name
                j = code - 1
                continue
            if doc[j].is_punct or doc[j].lower_ in stops or linking(doc[j]) or NUMBER_START.match(doc[j].text):
                break
            j -= 1
        start = j + 1
        if end > start and self.condition_test(doc[end - 1].lower_):
            return doc[end - 1 : end]  # `hypokalemia (2.4 mmol/L)`: the condition names the test
        while end > start and self.names_condition(doc[end - 1].lower_):
            end -= 1  # `vitamin B12 deficiency (191 ng/L)`: the test is the vitamin
        if start >= end:
            return None
        phrase = doc[start:end]
        lowered = [t.lower_ for t in phrase]
        if any(w in words["not_lab_heads"] for w in lowered) or not any(_names_something(t) for t in phrase):
            return None
        return phrase

    def test_name(self, phrase: Span, lexicon: dict, long_forms: dict[str, str] | None = None) -> str:
        """The lexicon's name for the phrase or its last words (`serum lipase` → `lipase` if known),
        else the phrase as written, lower case, without the specimen word `serum`/`plasma`/`blood`;
        an abbreviation the text defines is named by its long form (`PCE` → `pseudocholinesterase`)."""
        analyte = self.condition_test(phrase.text.lower())
        if analyte:
            return lexicon[analyte].name if analyte in lexicon else analyte
        long_form = (long_forms or {}).get(phrase.text)
        # (word, the space after it): a code keeps its hyphen unspaced (`ca 72-4`)
        words = (
            [(w, " ") for w in long_form.lower().split()] if long_form else [(t.lower_, t.whitespace_) for t in phrase]
        )
        for k in range(len(words)):
            entry = lexicon.get(" ".join(w for w, _ in words[k:]))
            if entry is not None:
                return entry.name
        while len(words) > 1 and words[0][0] in self.words["specimen_words"]:
            words = words[1:]
        return "".join(w + space for w, space in words).strip()

    def measured(self, doc: Doc, i: int) -> bool:
        """Whether token `i`, right after a name, says a level of what it names is measured
        (`digoxin level was`, not `digoxin toxicity with a level of`)."""
        return i < len(doc) and doc[i].lower_ in self.words["measurement_words"]

    def result_in_words(self, doc: Doc, i: int) -> tuple[str, str, int] | None:
        """The result, flag and end token of a result written in words at token `i`
        (`negative`, `elevated` → flag high, `within normal limits` → normal), or None; None
        too when a negation stands right before it (`no elevated CRP`)."""
        if i > 0 and doc[i - 1].lower_ in self.words["negation_words"]:
            return None
        for phrase in self.normal_phrases:
            if [t.lower_ for t in doc[i : i + len(phrase)]] == phrase:
                return "normal", "", i + len(phrase)
        found = self.qualitative.get(doc[i].lower_)
        return (found[0], found[1], i + 1) if found else None

    def names_test_in_words(self, phrase: Span) -> bool:
        """Whether a phrase read back from a result in words names a test: it ends with a word
        that names one (`blood cultures`), and is more than a general word (`tests`)."""
        if phrase[-1].lower_ not in self.words["qualitative_test_nouns"]:
            return False
        return len(phrase) > 1 or not self.names_no_test(phrase[-1].lower_)

    def describes_next(self, doc: Doc, i: int) -> bool:
        """Whether a result word ending before token `i` qualifies the word there (`elevated CRP`),
        rather than ending a clause (`, `, `and`, `on day 3`, `one week later`)."""
        if i >= len(doc):
            return False
        token = doc[i]
        return not (token.is_punct or token.is_space or token.like_num or token.lower_ in self.words["stop_words"])

    def names_no_test(self, name: str) -> bool:
        return name in self.words["generic_test_words"]

    def condition_test(self, word: str) -> str | None:
        """The analyte whose abnormal level a condition is (`hypokalaemia` → potassium), or None."""
        american = word.replace("aemia", "emia").replace("leuco", "leuko")
        return self.condition_tests.get(american)

    def names_condition(self, word: str) -> bool:
        return len(word) > 5 and word.endswith(tuple(self.words["condition_suffixes"]))


@lru_cache(maxsize=4)
def lab_context(name: str = "lab_context.json") -> LabContext:
    """The words of one lab-context file, read once for every component that reads them."""
    return LabContext(name)


def _names_something(token) -> bool:
    """A word with letters that is not a unit (`CA15` is, `U/L` is not)."""
    return any(c.isalpha() for c in token.text) and not is_unit(clean_unit(token.text))


def _code_start(doc: Doc, j: int, floor: int) -> int | None:
    """The first token of a hyphenated code that ends at token `j` with a number, written without
    spaces: one that opens with letters (`CA15-3`), or a number pair after an upper-case name
    (`19-9` of `CA 19-9`); None for a date or a range (`2019-03-12`, `days 2-3`)."""
    if not NUMBER_START.fullmatch(doc[j].text):
        return None
    k = j
    while k - 1 >= floor and not doc[k - 1].whitespace_ and doc[k - 1].text not in "(,:=;[":
        k -= 1
    if k == j or not any(t.text == "-" for t in doc[k:j]):
        return None
    if doc[k].text[0].isalpha():
        return k
    named = k - 1 >= floor and doc[k - 1].text.isalnum() and doc[k - 1].text.isupper()
    return k if named else None


REFERENCE_WORDS = {
    "normal",
    "reference",
    "range",
    "ref",
    "nr",
    "rr",
    "upper",
    "lower",
    "limit",
    "cut-off",
    "cutoff",
    "normal:",
    "reference:",
    "n",
    "<",
    ">",
    "≤",
    "≥",
}


def in_reference_range(doc: Doc, i: int) -> bool:
    """Whether the number at token `i` is part of a reference range (`(normal range, 1-71 u/L)`,
    `normal value < 1`) rather than a result."""
    if (
        i >= 2
        and (doc[i - 1].text in ("-", "–", "~") or doc[i - 1].lower_ == "to")
        and NUMBER_START.match(doc[i - 2].text)
    ):
        return True
    j = i - 1
    # a closed bracket ends the reference range before it: `AFP 2.48 (normal range: 0–7), CEA 0.39`
    while j >= max(0, i - 8) and doc[j].text not in ("(", "[", ";", ")", "]"):
        if doc[j].lower_ in REFERENCE_WORDS and not _result_called_normal(doc, j):
            return True
        j -= 1
    return j >= 0 and doc[j].text in ("(", "[") and any(t.lower_ in REFERENCE_WORDS for t in doc[j + 1 : i])


def _result_called_normal(doc: Doc, j: int) -> bool:
    """`lipase was normal at 33 U/L`: the word describes the result, it opens no range."""
    return doc[j].lower_ == "normal" and j + 1 < len(doc) and doc[j + 1].lower_ in ("at", "with")
