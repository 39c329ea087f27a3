"""The `casextract_demographics` component: each patient's age and sex as case reports write them.

Ages are found by regular expressions over the text rather than token patterns, because the
ways an age is hyphenated or spaced (`75–year–old`, `33 - year old`, `36- year- old`,
`52 year-old`, `4 and a half years old`, `thirty-one days old`) split into tokens unpredictably.
A sex word alone (`A woman presented with …`) is kept too, without an age, so that a report that
never states the age still has its patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..lexicons import resource_json
from .data_files import DataFiles
from .quantities import parse_number
from .values import doc_text, token_view

_UNITS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365.25, "d": 1 / 365.25, "h": 1 / 8766}
_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
WORD_NUMBERS = {word: i for i, word in enumerate(_SMALL)} | _TENS
_WORD_NUMBER = (
    rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_SMALL[1:10])}))?|{'|'.join(sorted(_SMALL, key=len, reverse=True))}"
)
_NUMBER = rf"(?P<num>\d+(?:\.\d+)?|{_WORD_NUMBER})(?P<half>\s+and\s+a\s+half|\s*½)?"
_UNIT = r"(?P<unit>years?|yrs?|yr|y|months?|mos?|mo|weeks?|wks?|days?|hours?|hrs?|h)"
_DASH = r"\s*[-–—‐]?\s*"


def age_patterns(rules: dict) -> tuple[re.Pattern[str], ...]:
    """The age expressions of `demographics.json`, each a template over the parts `{number}`,
    `{unit}` and `{dash}` (a number in digits or words, an age unit, an optional dash)."""
    parts = {"number": _NUMBER, "unit": _UNIT, "dash": _DASH}
    return tuple(re.compile(template.format(**parts), re.I) for template in rules["age_patterns"])


AGE_PATTERNS = age_patterns(resource_json("demographics.json"))
SEX_ONLY = re.compile(r"\b[Aa]n?\s+(?:[a-z][a-z-]*\s+){0,3}?(?P<word>woman|man|girl|boy|lady|gentleman|female|male)\b")


@dataclass(frozen=True)
class Demographic:
    start: int
    end: int
    age_years: float | None
    sex: str
    sentence: str


def number_value(text: str) -> float | None:
    text = text.lower().replace("-", " ")
    if text in WORD_NUMBERS:
        return float(WORD_NUMBERS[text])
    parts = text.split()
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in WORD_NUMBERS:
        return float(_TENS[parts[0]] + WORD_NUMBERS[parts[1]])
    return parse_number(text)


def age_from_match(match: re.Match[str]) -> float | None:
    value = number_value(match.group("num"))
    if value is None:
        return None
    if match.group("half"):
        value += 0.5
    unit = (match.group("unit") or "y").lower()
    factor = _UNITS["m"] if unit.startswith("mo") else _UNITS.get(unit[0], 1.0)
    years = value * factor
    return round(years, 4) if years < 130 else None


def parse_age(text: str) -> float | None:
    """`30-year-old` → 30, `18-month-old` → 1.5, `aged 45 years` → 45, `4 and a half years old` → 4.5."""
    if not isinstance(text, str):
        return None
    for pattern in AGE_PATTERNS:
        match = pattern.search(text)
        if match:
            return age_from_match(match)
    return None


@Language.factory(
    "casextract_demographics",
    default_config={"rules": "demographics.json"},
    assigns=["doc._.demographics", "doc._.pronouns"],
    requires=["doc.sents"],
)
def make_demographics(nlp: Language, name: str, rules: str) -> Demographics:
    return Demographics(rules)


class Demographics(DataFiles):
    """Age and sex of a patient: `a 30-year-old woman`, `a 2-mo-old boy`, `aged 45 years`, `a woman`."""

    def __init__(self, rules: str = "demographics.json") -> None:
        self.files = {"rules": rules}

    def load(self, files: dict[str, str]) -> None:
        rules = resource_json(files["rules"])
        self.age_patterns = age_patterns(rules)
        self.female = set(rules["female"])
        self.male = set(rules["male"])
        # a rule file written before pronouns were a resource has none: sex then comes from words only
        self.pronouns = {word: sex for sex, words in rules.get("pronouns", {}).items() for word in words}

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        found: list[Demographic] = []
        taken: list[tuple[int, int]] = []
        for pattern in self.age_patterns:
            for match in pattern.finditer(doc_text(doc)):
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                age = age_from_match(match)
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if age is None or span is None:
                    continue
                taken.append((match.start(), match.end()))
                found.append(Demographic(span.start_char, span.end_char, age, self.sex_near(span), span.sent.text))
        for match in SEX_ONLY.finditer(doc_text(doc)):
            span = doc.char_span(match.start("word"), match.end("word"), alignment_mode="expand")
            if span is not None and not any(s <= match.start() < e for s, e in taken):
                word = match.group("word").lower()
                sex = "female" if word in self.female else "male" if word in self.male else ""
                if sex:
                    found.append(Demographic(span.start_char, span.end_char, None, sex, span.sent.text))
        doc._.demographics = sorted(found, key=lambda d: d.start)
        # the lower-case words the lexicon matchers read already: no Token made for every word
        lowers = token_view(doc)[0]
        doc._.pronouns = [(doc[i].idx, self.pronouns[word]) for i, word in enumerate(lowers) if word in self.pronouns]
        return doc

    def sex_near(self, age: Span) -> str:
        sentence = age.sent
        for token in age.doc[age.end : min(sentence.end, age.end + 5)]:
            word = token.lower_
            if word in self.female:
                return "female"
            if word in self.male:
                return "male"
        return ""
