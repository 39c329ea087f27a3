"""The side of a condition, for the codes ICD-10-CM gives each side of (`icd10cm_sides.tsv.gz`):
said of the condition (`left ovarian cyst`, an ovarian cyst `on the left`: `laterality.json`), or
said in its sentence, where it names no other condition, of the organ those codes name (`the
right eye had a nuclear sclerotic cataract`: H25.11, `…, right eye`). A side said with its
dominance is in the name's own code, if anywhere; two sides said, or none, leave the code as it is.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from spacy.tokens import Span

DOMINANCE = frozenset({"dominant", "nondominant", "non-dominant"})
ORGAN_SIDES = ("right", "left")  # the titles of a bilateral code name no organ after the side
NOT_AN_ORGAN = frozenset({"side", "unspecified"})  # `…, left side`: any side of the body
BEFORE = 4  # tokens at most between a side and the condition it is said of
LEADS = frozenset({"of", "in", "on", "the", "both"})  # the words of a site phrase besides its side and organ


@dataclass(frozen=True)
class Sides:
    codes: dict[str, dict[str, str]]  # a code → its code for each side (`right`, `left`, `bilateral`)
    words: dict[str, str]  # a word → the side it says
    titles: dict[str, str]

    def coded(self, code: str, phrase: list[str], span: Span, others: Container[int]) -> tuple[str, str]:
        """(the side, its code) of a condition `span` coded `code` whose phrase (`attached_words`)
        is given; ("", "") where neither its phrase nor its sentence says one side. The sentence
        is read only where it names no other condition (`others`: their tokens), whose organ a
        side may be said of (`hearing loss, and otoscopy of the right ear showed a perforation`)."""
        if code not in self.codes or DOMINANCE & set(phrase):
            return "", ""
        sides = {side for word in phrase if (side := self.words.get(word))} or self.just_before(span, others)
        if not sides:
            sentence = span.sent
            if not any(i in others for i in range(sentence.start, sentence.end) if not span.start <= i < span.end):
                sides = self.of_the_organ(code, [t.lower_ for t in sentence])
        side = sides.pop() if len(sides) == 1 else ""
        return (side, self.codes[code][side]) if self.codes[code].get(side) else ("", "")

    def just_before(self, span: Span, others: Container[int]) -> set[str]:
        """The side said a few words before a condition, past the words of its name (`a left
        peroneal nerve palsy`), never past another condition, punctuation, a function word or a verb
        (`the right ear preceded` hearing loss, `a right mastectomy, an` ovarian cyst)."""
        doc = span.doc
        for i in range(span.start - 1, max(span.sent.start, span.start - BEFORE) - 1, -1):
            token = doc[i]
            if i in others:
                break
            if side := self.words.get(token.lower_):
                return {side}
            # a word of a name: no function word, no verb in the past (`right ear preceded`)
            if token.is_stop or not token.is_alpha and token.text != "-" or token.lower_.endswith("ed"):
                break
        return set()

    def of_the_organ(self, code: str, sentence: list[str]) -> set[str]:
        """The sides the sentence says of the organ its side codes' titles name (`right eye`)."""
        return {
            side for side in ORGAN_SIDES if (organ := self.organ(code, side)) and _contains(sentence, [side, *organ])
        }

    def only_a_side(self, code: str, words: list[str]) -> bool:
        """Whether a site phrase (`of the right eye`) says no more than a side of the organ the
        code's side codes name (`Serous retinal detachment, right eye`), so the code holds and the
        side is read after."""
        organs = {word for side in ORGAN_SIDES for word in self.organ(code, side)}
        said = [w for w in words if w not in LEADS and w not in self.words]
        return len(said) < len(words) and bool(organs) and set(said) <= organs

    def organ(self, code: str, side: str) -> list[str]:
        """The words of the organ the title of `code`'s code for `side` names after the side (`…, right eye`)."""
        title = self.titles.get(self.codes.get(code, {}).get(side, ""), "").lower()
        organ = title.rpartition(f", {side} ")[2].split()
        return organ if organ and organ[0] not in NOT_AN_ORGAN else []


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))
