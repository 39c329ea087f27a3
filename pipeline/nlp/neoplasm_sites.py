"""Tumours and organ conditions named the way reports write them, read the way ICD-10-CM codes them.

- A tumour named by organ and cell type (`gastric adenocarcinoma`, `adenocarcinoma of the
  stomach`, `ovarian cystic teratoma`) that no vocabulary names: ICD-10-CM codes a neoplasm by
  site and behaviour, so the coder looks up the code set's own name for that site and behaviour
  (`malignant neoplasm of stomach`, C16.9; `benign neoplasm of ovary`, D27.9). The behaviour of a
  morphology is ICD-O's (`neoplasm_morphology.json`); a metastasis is never coded to the organ it
  names; two organs in one name say no single site.
- A condition named with an organ's adjective the vocabularies know by the organ's noun
  (`renal failure` is `kidney failure`, N19).
"""

from __future__ import annotations

from .code_context import singular


class NeoplasmSites:
    def __init__(self, morphology: dict, organs: dict[str, str], sites: dict[str, str]):
        self.behaviour = {
            tuple(singular(w) for w in phrase.split()): behaviour
            for behaviour in ("malignant", "benign", "in_situ")
            for phrase in morphology[behaviour]
        }
        # the longest first: `cystic teratoma` is benign, where a bare `teratoma` is not listed
        self.phrases = sorted(self.behaviour.items(), key=lambda item: -len(item[0]))
        self.not_by_site = frozenset(morphology["not_by_site"])
        self.code_names = morphology["code_names"]
        self.implied = {
            tuple(singular(w) for w in p.split()): organ for p, organ in morphology["implied_organs"].items()
        }
        # a site phrase → the organ as ICD-10-CM titles name it (`gastric` → `stomach`, `jejunum`
        # → `small intestine`)
        self.organ_of = dict(sites) | {organ: organ for organ in organs} | {a: o for o, a in organs.items()}
        self.noun_of = {adjective: organ for organ, adjective in organs.items() if adjective != organ}

    def tumour_names(self, name: str, sentence: list[str] = ()) -> list[str]:
        """The code set's names for the site and behaviour of a tumour `name` (folded, with any
        `of the ORGAN` that follows it in the text), or none. Its organ is the one the name
        says, else the only one its `sentence` names; a morphology of one organ is of that organ
        wherever it is (a basal cell carcinoma on the nose is of the skin)."""
        written = name.replace("-", " ").split()
        if self.not_by_site & set(written):
            return []
        words = [singular(w) for w in written]
        # `adenocarcinoma of the stomach`: the tumour before `of`, its site after
        head = words[: words.index("of")] if "of" in words[1:] else words
        found = next(((phrase, b) for phrase, b in self.phrases if tuple(head[-len(phrase) :]) == phrase), None)
        if found is None:
            return []
        morphology, behaviour = " ".join(found[0]), found[1]
        implied = next((o for phrase, o in self.implied.items() if tuple(head[-len(phrase) :]) == phrase), "")
        organ = implied or self.only_organ(written) or self.only_organ(sentence)
        if not organ:
            return []
        return [template.format(organ=organ, morphology=morphology) for template in self.code_names[behaviour]]

    def only_organ(self, words: list[str]) -> str:
        """The organ `words` name, when they name one and no other."""
        organs = {self.organ_of[p] for p in _phrases(words) if p in self.organ_of}
        return organs.pop() if len(organs) == 1 else ""

    def organ_in(self, words: list[str]) -> str:
        """The last organ phrase among `words` (`small bowel`, `ovarian` of `ovarian mature`), or ""."""
        found = [p for p in _phrases(words) if p in self.organ_of]
        return max(found, key=lambda p: (" ".join(words).rfind(p), len(p)), default="")

    def by_organ_noun(self, name: str) -> str | None:
        """`name` with each organ adjective written as its organ's noun (`renal failure` → `kidney
        failure`), or None when it has none."""
        words = name.split()
        nouns = [self.noun_of.get(w, w) for w in words]
        return " ".join(nouns) if nouns != words else None


def _phrases(words: list[str]) -> set[str]:
    return {*words, *(" ".join(pair) for pair in zip(words, words[1:]))}
