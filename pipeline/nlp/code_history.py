"""A condition of the patient's past that ICD-10-CM codes as a personal history (Z85–Z87), as its
Alphabetic Index lists them under `History, personal (of)`: a cancer (`a history of breast cancer`
Z85.3, by the primary's site), a pulmonary embolism (Z86.711) or a venous thrombosis (Z86.718), a
transient ischemic attack or a stroke (Z86.73), tuberculosis (Z86.11), kidney stones, a peptic
ulcer, pneumonia, a urinary tract infection. Only a condition said as the patient's history
(`history of`, `previous`), never a relative's, and never where its sentence says it goes on (it is
current, recurs, has spread, is in remission: Official Guidelines I.C.2.d; a cancer still treated
is coded as the cancer). A chronic condition said as history (`a history of hypertension`) has no
such code and keeps its own. The codes and words are data (`code_context.json`,
`personal_history`).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span


@dataclass(frozen=True)
class PersonalHistory:
    codes: tuple[tuple[str, str], ...]  # (a code's prefix, its history code), the longest prefix first
    still_present: frozenset[str]  # words that say the condition goes on
    not_old: frozenset[str]  # words that say it is recent or a relative's (`not_old`)

    @classmethod
    def of(cls, rules: dict, not_old: frozenset[str]) -> PersonalHistory:
        codes = sorted(rules["codes"].items(), key=lambda pair: -len(pair[0]))
        return cls(tuple(codes), frozenset(rules["still_present"]), not_old)

    def code_of(self, code: str) -> str:
        return next((history for prefix, history in self.codes if code.startswith(prefix)), "")

    def is_past(self, span: Span) -> bool:
        """Whether `span` is said as the patient's own past condition, over now."""
        if span._.assertion != "history" or span._.subject:
            return False
        return not any(t.lower_ in self.still_present or t.lower_ in self.not_old for t in span.sent)


def personal_history(history: PersonalHistory | None, mentions: list, titles: dict[str, str]) -> None:
    """Each past condition of the patient's that ICD-10-CM codes as a history takes that code."""
    for mention in mentions if history else ():
        code = history.code_of(mention.code) if mention.code else ""
        if code in titles and history.is_past(mention.span):
            mention.evidence += f" (a past condition: {mention.code} is {code}, a personal history)"
            mention.code = code
