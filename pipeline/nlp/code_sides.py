"""The side of a condition, for the codes ICD-10-CM gives each side of (`icd10cm_sides.tsv.gz`):
said of the condition (`left ovarian cyst`, an ovarian cyst `on the left`: `laterality.json`), or
said in its sentence of the organ those codes name (`the right eye had a nuclear sclerotic
cataract`: H25.11, `…, right eye`). A side said with its dominance is in the name's own code, if
anywhere; two sides said, or none, leave the code as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMINANCE = frozenset({"dominant", "nondominant", "non-dominant"})
ORGAN_SIDES = ("right", "left")  # the titles of a bilateral code name no organ after the side
NOT_AN_ORGAN = frozenset({"side", "unspecified"})  # `…, left side`: any side of the body


@dataclass(frozen=True)
class Sides:
    codes: dict[str, dict[str, str]]  # a code → its code for each side (`right`, `left`, `bilateral`)
    words: dict[str, str]  # a word → the side it says
    titles: dict[str, str]

    def coded(self, code: str, phrase: list[str], sentence: list[str]) -> tuple[str, str]:
        """(the side, its code) of a condition coded `code` whose phrase (`attached_words`) and
        sentence (lower-case words) are given; ("", "") where neither says one side."""
        if code not in self.codes or DOMINANCE & set(phrase):
            return "", ""
        sides = {side for word in phrase if (side := self.words.get(word))} or self.of_the_organ(code, sentence)
        side = sides.pop() if len(sides) == 1 else ""
        return (side, self.codes[code][side]) if self.codes[code].get(side) else ("", "")

    def of_the_organ(self, code: str, sentence: list[str]) -> set[str]:
        """The sides the sentence says of the organ its side codes' titles name (`right eye`)."""
        said = set()
        for side in ORGAN_SIDES:
            title = self.titles.get(self.codes[code].get(side, ""), "").lower()
            organ = title.rpartition(f", {side} ")[2].split()
            if organ and organ[0] not in NOT_AN_ORGAN and _contains(sentence, [side, *organ]):
                said.add(side)
        return said


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))
