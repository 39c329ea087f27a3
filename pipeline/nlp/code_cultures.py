"""The organism a report's cultures grew, for the patient's infection whose code names its organism:
`sepsis`, then `blood cultures grew Escherichia coli` (A41.51, Sepsis due to Escherichia coli);
`pneumonia`, then `the sputum culture yielded Klebsiella pneumoniae` (J15.0). Case reports name the
infection in one sentence and the culture in another; a coder reads both.

Only a specimen that shows the organism of that infection (`cultures` in `code_context.json`: blood
for sepsis, sputum or a bronchoalveolar lavage for pneumonia) said cultured (`blood cultures`, `the
sputum culture`), a finding that says it grew (`grew`, `isolated`, `positive for`) in the same clause
with no word between them that says it did not (`negative`, `sterile`), in a sentence that makes it
neither past, feared, another person's nor general (`previous`, `if`, `his wife's`, `contamination`),
and one organism for the patient: two grown for one infection leave its code as it is. Only a
report of one patient: which patient's culture it was is not read; never a sentence of the
introduction or the discussion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from .code_context import ArticleContext, Mention, is_word

GAP = 8  # tokens at most from the specimen's word to the finding's
ORGANISM = 6  # tokens at most of the organism's name after the finding
NOT_CASE = frozenset({"background", "back"})  # the roles of sections that hold no patient's facts
LEAD_INS = frozenset({"a", "an", "the", "many", "numerous", "heavy", "pure", "scanty", "growth", "of"})


@dataclass(frozen=True)
class Cultures:
    specimens: dict[str, tuple[str, ...]]  # a specimen's word → the codes (by prefix) of the infections it shows
    findings: tuple[tuple[str, ...], ...]  # the words that say a culture grew what follows them
    negations: frozenset[str]  # words between the specimen and the finding that say it grew nothing
    samples: frozenset[str]  # the words that say a specimen was cultured (`cultures`, `aspirate`)
    not_the_patients: frozenset[str]  # words that make a sentence's culture past, feared, another's or general

    @classmethod
    def of(cls, rules: dict) -> Cultures:
        specimens = {word: tuple(codes) for word, codes in rules["specimens"].items()}
        findings = tuple(tuple(f.split()) for f in rules["findings"])
        return cls(
            specimens, findings, *(frozenset(rules[key]) for key in ("negations", "samples", "not_the_patients"))
        )

    def grown(self, context: ArticleContext, mentions: list[Mention]) -> None:
        """Each current infection of the one patient takes the code of the one organism their cultures
        of its specimens grew, where its category names that organism (a `said` refinement of its code)."""
        patients = [
            m
            for m in mentions
            if m.code and m.case is None and m.patients and not m.span._.subject and m.span._.assertion == "confirmed"
        ]
        # only where an infection whose specimen is cultured is the patient's, and the text names that specimen
        prefixes = tuple({p for codes in self.specimens.values() for p in codes})
        infected = [m for m in patients if m.code.startswith(prefixes)]
        text = infected[0].span.doc.text.lower() if infected else ""
        named = any(word in text for word in self.specimens)
        cultured = list(self.organisms(infected[0].span.doc)) if named else []
        for mention in (m for m in infected if cultured):
            found = {
                refinement
                for shown, words in cultured
                if mention.code.startswith(shown)
                and (refinement := context.in_phrase(mention.code, words)) is not None
                and refinement.kind == "said"
            }
            if len({r.code for r in found}) == 1:
                refinement = found.pop()
                mention.code = refinement.code
                mention.evidence += f"; {refinement.said} grown in culture"

    def organisms(self, doc: Doc) -> Iterator[tuple[tuple[str, ...], list[str]]]:
        """(the codes the specimen shows, the words of the organism its culture grew) for each
        culture a sentence of `doc` reports grown: `blood cultures grew Escherichia coli`."""
        article = doc._.get("article") if Doc.has_extension("article") else None
        # the patient's cultures, not the literature's (`… grew E. coli in 60% of the reported cases`)
        others = [(s.start, s.end) for s in (article.sections if article is not None else []) if s.role in NOT_CASE]
        for sentence in doc.sents:
            words = [t.lower_ for t in sentence]
            if any(start <= sentence.start_char < end for start, end in others) or self.not_the_patients & set(words):
                continue
            for i, word in enumerate(words):
                prefixes = self.specimens.get(word)
                if not prefixes:
                    continue
                cultured = word in self.samples  # `blood cultures`, `sputum grew`: the specimen's, not `blood pressure`
                for j in range(i + 1, min(len(words), i + GAP)):
                    cultured = cultured or words[j] in self.samples
                    # the clause ends, or another specimen's begins (`… and urine grew`; not `blood and sputum`)
                    other = words[j] == "and" and words[j + 1 : j + 2] != [] and words[j + 1] not in self.specimens
                    if words[j] in self.negations or words[j] in (";", ",") or other:
                        break
                    finding = next((f for f in self.findings if tuple(words[j : j + len(f)]) == f), None)
                    if finding:
                        if cultured:
                            yield prefixes, self._organism(sentence, j + len(finding))
                        break

    @staticmethod
    def _organism(sentence, start: int) -> list[str]:
        """The words of the name right after the finding, up to the first that is no word; none
        where another name follows (`Pseudomonas aeruginosa and Klebsiella pneumoniae`)."""
        tokens = list(sentence[start : start + ORGANISM + 3])
        while tokens and tokens[0].lower_ in LEAD_INS:
            tokens.pop(0)
        name = []
        for at, token in enumerate(tokens[:ORGANISM]):
            if token.lower_ in ("and", "or", "plus") or token.text == "," and _capitalized(tokens[at + 1 : at + 2]):
                return []
            if not is_word(token) or token.lower_ in ("in", "from", "on", "with", "was", "were"):
                break
            name.append(token.lower_)
        return name


def _capitalized(tokens) -> bool:
    return bool(tokens) and tokens[0].text[:1].isupper()
