"""A poisoning, an overdose or a drug's toxicity, coded by its substance and intent as ICD-10-CM's
Table of Drugs and Chemicals codes it (T36–T65): `an overdose of acetaminophen` T39.1X1, `an
intentional amitriptyline overdose` T43.012, `lithium toxicity` (the drug taken as prescribed: its
adverse effect) T43.595, `organophosphate poisoning` T60.0X1. The substance is a drug the
recogniser found (its generic name), a class or a chemical, named just before the condition's head
or joined after it (`poisoning with methanol`); the intent is read from the sentence, accidental
where it says none (Official Guidelines I.C.19.e.5.b). The substances and words are data
(`poisonings.json`). A poisoning whose substance the Table has no row for keeps its own code.

Why by hand: no library holds the Table of Drugs and Chemicals.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

from .concepts import Codes

JOINS = frozenset({"of", "with", "by", "from"})  # `an overdose of`, `poisoning with`, `intoxication by`
BEFORE = 3  # words at most of a substance named before the head (`tricyclic antidepressant overdose`)
AFTER = 4  # lead-in words at most between the join and the substance


@dataclass(frozen=True)
class Substance:
    name: str
    poisoning: str  # the accidental poisoning's (or a chemical's toxic effect's) code
    adverse_effect: str  # "" for a chemical


@dataclass(frozen=True)
class Poisonings:
    heads: dict[str, str]  # word → "poisoning" or "toxicity"
    intent: dict[str, str]  # word → the code's last character
    overdose_words: frozenset[str]
    lead_ins: frozenset[str]
    substances: dict[str, Substance]

    @classmethod
    def of(cls, rules: dict) -> Poisonings:
        substances = {name: Substance(name, *row[:2]) for name, row in rules["substances"].items()}
        return cls(
            rules["heads"],
            rules["intent"],
            frozenset(rules["overdose_words"]),
            frozenset(rules["lead_ins"]),
            substances,
        )

    def coded(self, span: Span, drugs: dict[int, str], titles: dict[str, str]) -> Codes | None:
        """The code of a condition named by a poisoning head whose substance the text names, else None."""
        head = next((t for t in reversed(span) if t.lower_ in self.heads), None)
        substance = self.named_with(head, span, drugs) if head is not None else None
        if substance is None:
            return None
        sentence = {t.lower_ for t in span.sent}
        said = next((self.intent[word] for word in self.intent if word in sentence), "")
        kind = self.heads[head.lower_]
        if kind == "toxicity" and substance.adverse_effect and not said and not sentence & self.overdose_words:
            code, how = substance.adverse_effect, "adverse effect"
        else:
            code, how = substance.poisoning[:-1] + (said or substance.poisoning[-1]), "poisoning"
        if code not in titles:
            return None
        evidence = f"{head.lower_} by {substance.name} (Table of Drugs and Chemicals: {how})"
        return Codes(icd10cm=code, icd10cm_title=titles[code], evidence=evidence)

    def named_with(self, head, span: Span, drugs: dict[int, str]) -> Substance | None:
        """The substance named in the few words before the head (the condition's own or just
        before it), else joined after it by `of`, `with`, `by` or `from`."""
        doc, sentence = span.doc, span.sent
        first = max(sentence.start, min(span.start, head.i) - BEFORE)
        before = list(doc[first : head.i])
        while before and not (before[0].is_alpha or "-" in before[0].text):
            before = before[1:]
        for start in range(len(before)):  # the longest run ending at the head first
            if found := self.known(before[start:], drugs):
                return found
        i = head.i + 1
        if i >= sentence.end or doc[i].lower_ not in JOINS:
            return None
        i += 1
        while i < min(sentence.end, head.i + 2 + AFTER) and i not in drugs and self.leads_in(doc[i]):
            i += 1
        for end in range(min(sentence.end, i + BEFORE), i, -1):
            if found := self.known(doc[i:end], drugs):
                return found
        return None

    def leads_in(self, token) -> bool:
        return token.lower_ in self.lead_ins or token.like_num

    def known(self, tokens, drugs: dict[int, str]) -> Substance | None:
        """The substance the words name: a drug the recogniser found by its generic name, else the words."""
        tokens = list(tokens)
        if not tokens or any(t.is_punct and t.text != "-" for t in tokens):
            return None
        if (drug := drugs.get(tokens[0].i)) in self.substances:
            return self.substances[drug]
        words = " ".join(t.lower_ for t in tokens).replace(" - ", "-")
        return self.substances.get(words) or (self.substances.get(words[:-1]) if words.endswith("s") else None)
