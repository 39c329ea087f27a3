"""A condition of the patient's past that ICD-10-CM codes as a personal history (Z85–Z87), as its
Alphabetic Index lists them under `History, personal (of)`: a cancer (`a history of breast cancer`
Z85.3, by the primary's site), a pulmonary embolism (Z86.711) or a venous thrombosis (Z86.718), a
transient ischemic attack or a stroke (Z86.73), tuberculosis (Z86.11), kidney stones, a peptic
ulcer, pneumonia, a urinary tract infection. Only a condition said as the patient's history
(`history of`, `previous`), never a relative's, nor one the words after the cue make the present
one (`… presented with a new stroke`), nor a duration (`a 3-month history of`), nor where its
clause says it goes on (it is current, recurs, has spread, is in remission: Official Guidelines
I.C.2.d; a cancer still treated is coded as the cancer). A chronic condition said as history
(`a history of hypertension`) has no such code and keeps its own. The codes and words are data
(`code_context.json`, `personal_history`).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from spacy.tokens import Span

CUES = frozenset({"history", "previous", "previously", "prior", "past"})
NEGATIONS = frozenset({"no", "not", "without", "free"})  # `no evidence of recurrence`
NEGATED_WITHIN = 3  # tokens at most between a negation and the word it negates
CLAUSE_ENDS = frozenset({",", ";"})
LIST_WORDS = frozenset({",", "and", "or"})


@dataclass(frozen=True)
class PersonalHistory:
    codes: tuple[tuple[str, str], ...]  # (a code's prefix, its history code or ""), the longest prefix first
    still_present: frozenset[str]  # words that say the condition goes on
    of_tumours: frozenset[str]  # … a cancer only (`recurrent`)
    current_before: frozenset[str]  # words after the cue that make the condition the present one
    durations: frozenset[str]  # the word before `history` that makes it a duration
    not_old: frozenset[str]  # words that say it is recent or a relative's (`not_old`)
    sequelae: dict[str, dict[str, str]]  # a stroke's category → a deficit's code prefix → the sequela's code

    @classmethod
    def of(cls, rules: dict, not_old: frozenset[str]) -> PersonalHistory:
        codes = tuple(sorted(rules["codes"].items(), key=lambda pair: -len(pair[0])))
        words = (rules[key] for key in ("still_present", "still_present_of_tumours", "current_before", "durations"))
        return cls(codes, *map(frozenset, words), not_old, rules["sequelae"])

    def present_between(self, one: Span, other: Span) -> bool:
        """Whether words between two mentions make the later one present (`… presented with`)."""
        start, end = sorted((one, other), key=lambda span: span.start)
        return any(t.lower_ in self.current_before for t in one.doc[start.end : end.start])

    def sequela_of(self, stroke: str, deficit: str) -> str:
        """The code of `deficit` following the stroke coded `stroke` (I69), or ""."""
        return next((c for prefix, c in self.sequelae.get(stroke[:3], {}).items() if deficit.startswith(prefix)), "")

    def code_of(self, code: str) -> str:
        return next((history for prefix, history in self.codes if code.startswith(prefix)), "")

    def said_as_past(self, span: Span) -> bool:
        """Whether `span` is said as the patient's history, in a sentence that makes it neither
        recent nor a relative's (`10 days before`, `his mother`)."""
        return (
            span._.assertion == "history"
            and not span._.subject
            and not any(t.lower_ in self.not_old for t in span.sent)
        )

    def is_past(self, span: Span, code: str, conditions: Container[int]) -> bool:
        """Whether `span` (coded `code`) is said as the patient's own past condition, over now;
        `conditions`: the first tokens of the sentence's conditions."""
        if not self.said_as_past(span):
            return False
        doc, sentence = span.doc, span.sent
        for i in range(span.start - 1, sentence.start - 1, -1):  # back to its cue
            word = doc[i].lower_
            if word in self.current_before:
                return False
            if word in CUES:
                before = [t.lower_ for t in doc[max(sentence.start, i - 2) : i] if t.text != "-"]
                if word == "history" and before and before[-1].rpartition("-")[2] in self.durations:
                    return False  # `a 3-month history of`: how long it has lasted
                break
        going_on = self.still_present | (self.of_tumours if code.startswith("C") else frozenset())
        return not any(doc[i].lower_ in going_on and not self._negated(doc, i) for i in self._clause(span, conditions))

    @staticmethod
    def _clause(span: Span, conditions: Container[int]) -> range:
        """Its clause: from the comma before it to the next condition of a list (`, hypertension`,
        `and a stroke`; not one joined to it: `with liver metastases`) or the sentence's end."""
        doc, sentence = span.doc, span.sent
        start = next((i + 1 for i in range(span.start - 1, sentence.start - 1, -1) if doc[i].text in CLAUSE_ENDS), 0)
        listed = [i for i in range(span.end, sentence.end) if i in conditions and _listed(doc, i, sentence.start)]
        end = next((i for i in range(span.end, sentence.end) if doc[i].text == ";"), sentence.end)
        return range(max(start, sentence.start), min([end, *listed]))

    @staticmethod
    def _negated(doc, i: int) -> bool:
        return any(t.lower_ in NEGATIONS for t in doc[max(0, i - NEGATED_WITHIN) : i])


def _listed(doc, i: int, start: int) -> bool:
    """Whether the condition at token `i` follows a list's comma or conjunction (past an article)."""
    j = i - 1
    while j > start and doc[j].lower_ in ("a", "an", "the"):
        j -= 1
    return j >= start and doc[j].lower_ in LIST_WORDS


def personal_history(history: PersonalHistory | None, mentions: list, titles: dict[str, str]) -> None:
    """Each past condition of the patient's that ICD-10-CM codes as a history takes that code; a
    past stroke named with a deficit, and the deficit, the code of that deficit following it."""
    conditions = {m.span.start for m in mentions}
    for mention in mentions if history else ():
        code = history.code_of(mention.code) if mention.code else ""
        stroke = mention.code[:3] in history.sequelae
        if not (code in titles or stroke) or not history.is_past(mention.span, mention.code, conditions):
            continue
        deficits = [
            (other, sequela)
            for other in mentions
            if other.span.sent == mention.span.sent and other is not mention and not other.span._.subject
            if (sequela := history.sequela_of(mention.code, other.code)) in titles
            and not history.present_between(mention.span, other.span)
        ]
        for deficit, sequela in deficits:
            deficit.evidence += f" (a deficit following the patient's {mention.name}: {sequela})"
            deficit.code = sequela
        if deficits:
            code = deficits[0][1]
        elif code not in titles:  # a past hemorrhage with no deficit named: its own code
            continue
        mention.evidence += (
            f" (a past condition: {mention.code} is {code}, a {'sequela' if deficits else 'personal history'})"
        )
        mention.code = code
