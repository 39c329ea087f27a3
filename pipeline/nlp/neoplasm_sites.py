"""Tumours and organ conditions named the way reports write them, read the way ICD-10-CM codes them.

- A tumour named by organ and cell type (`gastric adenocarcinoma`, `adenocarcinoma of the
  stomach`, `ovarian cystic teratoma`) that no vocabulary names: ICD-10-CM codes a neoplasm by
  site and behaviour, so the coder looks up the code set's own name for that site and behaviour
  (`malignant neoplasm of stomach`, C16.9; `benign neoplasm of ovary`, D27.9). The behaviour of a
  morphology is ICD-O's (`neoplasm_morphology.json`); a metastasis is never coded to the organ it
  names; two organs in one name say no single site.
- A condition named with an organ's adjective the vocabularies know by the organ's noun
  (`renal failure` is `kidney failure`, N19), or the other way (`liver fibrosis` is `hepatic
  fibrosis`, K74.00); a condition ICD-10-CM names only with its organ, with the organ its phrase
  names (`fibrosis of the liver`).
- A tumour named without its site is the patient's tumour of the one site their other mentions
  name; a metastasis is coded by the organ it is in (`metastases to the liver`, C78.7).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import replace

from .code_context import is_neoplasm, singular
from .concepts import Codes, own_ids

UNKNOWN_SITE = re.compile(
    r"unspecified site(?! of)|site unspecified|\(primary\) neoplasm, unspecified|uncertain behavior, unspecified$"
    r"|of bone and articular cartilage, unspecified$",  # a bone tumour of a bone not named (C41.9)
    re.IGNORECASE,
)


class NeoplasmSites:
    def __init__(self, morphology: dict, organs: dict[str, str], sites: dict[str, str]):
        self.behaviour = {
            tuple(singular(w) for w in phrase.split()): behaviour
            for behaviour in ("malignant", "benign", "in_situ", "uncertain", "unspecified")
            for phrase in morphology[behaviour]
        }
        # the longest first: `cystic teratoma` is benign, where a bare `teratoma` is not listed
        self.phrases = sorted(self.behaviour.items(), key=lambda item: -len(item[0]))
        self.not_by_site = frozenset(morphology["not_by_site"])
        self.behaviour_words = morphology["behaviour_words"]  # `malignant`, `benign` before a bare tumour's organ
        self.by_morphology = [tuple(bounds.split("-")) for bounds in morphology["by_morphology"]]
        self.after_an_organ = [tuple(bounds.split("-")) for bounds in morphology["by_morphology_after_an_organ"]]
        self.code_names = morphology["code_names"]
        self.ambiguous = frozenset(morphology["ambiguous_adjectives"])
        self.other_parts = frozenset(morphology["other_parts"])
        self.any_morphology = frozenset(tuple(singular(w) for w in p.split()) for p in morphology["any_morphology"])
        self.site_from_the_patient = {
            code: [tuple(bounds.split("-")) for bounds in categories]
            for code, categories in morphology["site_from_the_patient"].items()
        }
        # a bare tumour of an organ, of either side (D49.0–D49.7: `unspecified_behaviour`'s codes)
        self.bare_tumour_codes = tuple(code[:6] for code in morphology["unspecified_behaviour"])
        metastasis = morphology["metastasis"]
        self.metastasis_names = frozenset(metastasis["names"])
        self.metastasis_leads = frozenset(metastasis["leads"])
        self.metastasis_code_name = metastasis["code_name"]
        self.implied = {
            tuple(singular(w) for w in p.split()): organ for p, organ in morphology["implied_organs"].items()
        }
        regions = morphology["skin_regions"]
        self.of_skin_regions = frozenset(tuple(singular(w) for w in p.split()) for p in regions["morphologies"])
        self.skin_regions = frozenset(regions["words"])
        # a site phrase → the organ as ICD-10-CM titles name it (`gastric` → `stomach`, `jejunum`
        # → `small intestine`)
        self.organ_of = dict(sites) | {organ: organ for organ in organs} | {a: o for o, a in organs.items()}
        # besides its organ, all the words before a bare tumour may say (`a 3 cm left renal tumor`),
        # back to the word its noun phrase starts after (`with`, `a`)
        self.bare_tumour_words = frozenset(morphology["bare_tumour"]["words"])
        self.phrase_starts = frozenset(morphology["bare_tumour"]["phrase_starts"])
        # and the organs only a metastasis is said to be in (`lymph nodes`)
        self.metastasis_organ_of = self.organ_of | metastasis["sites"]
        self.adjective_of = dict(organs)
        self.noun_of = {adjective: organ for organ, adjective in organs.items() if adjective != organ}

    def tumour_names(self, name: str, phrase: str) -> list[str]:
        """The code set's names for the site and behaviour of a tumour `name` (folded), with the
        organ its `phrase` names (its words, those just before it, `of the ORGAN` after it), or
        none: a morphology of one organ is of that organ wherever it is (a basal cell carcinoma
        on the nose is of the skin); two organs say no single site, nor an `unknown primary`."""
        written = phrase.replace("-", " ").split()
        if self.not_by_site & set(written):
            return self.metastasis_site(name, written)
        head = _tumour_words(name)
        found = self.morphology_of(name)
        if not found:
            return []
        morphology, behaviour = " ".join(found), self.behaviour[found]
        if behaviour == "unspecified":
            before = _before_morphology([singular(w) for w in written], found)
            # `malignant liver tumor`: a behaviour said before its organ is the tumour's
            said = {self.behaviour_words[w] for w in before if w in self.behaviour_words}
            behaviour = said.pop() if len(said) == 1 else behaviour
            if not self.bare([w for w in before if w not in self.behaviour_words]):
                return []  # a tumour of a type (`carcinoid tumor`, `stromal tumor`) is no bare tumour
        organ = self.implied_organ(head) or self.only_organ(written) or self.skin_region(found, written)
        if not organ:
            return []
        return [template.format(organ=organ, morphology=morphology) for template in self.code_names[behaviour]]

    def skin_region(self, morphology: tuple[str, ...], written: list[str]) -> str:
        """`skin` where a morphology of the skin among others is said of a region of the body's
        surface (`squamous cell carcinoma of the scalp`), else ""."""
        pairs = {" ".join(pair) for pair in zip(written, written[1:])}
        named = self.skin_regions & ({singular(w) for w in written} | pairs)
        return "skin" if morphology in self.of_skin_regions and named else ""

    def bare(self, words: list[str]) -> bool:
        """Whether the words of its noun phrase before a tumour (`words`: those before it, read
        back to where the phrase starts) name its organ and nothing else of it but its side, size
        or number (`with a large pancreatic`, `left kidney`; never `carcinoid`, `benign`, `smooth
        muscle`)."""
        i = len(words)
        while i > 0:
            if " ".join(words[i - 2 : i]) in self.organ_of:  # `small bowel`, `adrenal gland`
                i -= 2
                continue
            word = words[i - 1]
            if word in self.phrase_starts:
                return True
            if not (word in self.organ_of or word in self.bare_tumour_words or is_number(word)):
                return False
            i -= 1
        return True

    def metastasis_site(self, name: str, written: list[str]) -> list[str]:
        """The code set's name for a metastasis (`name`) of the one organ the phrase after it
        names (`metastases to the liver` → `liver metastasis`), never the primary after `from`,
        or the adjective just before it names (`osseous metastases` → `bone metastasis`); a tumour
        said `metastatic` only by a phrase that puts it in the organ (`of the lung` may be its primary)."""
        words = name.replace("-", " ").split()
        named = " ".join(words) in self.metastasis_names
        if not (named or self.said_metastatic(words, written)):
            return []
        leads = self.metastasis_leads if named else self.metastasis_leads - {"of"}
        ends = [i + len(words) for i in range(len(written)) if written[i : i + len(words)] == words]
        after = [singular(w) for w in written[ends[0] :]] if ends else []
        after = after[: after.index("from")] if "from" in after else after
        if after and after[0] in leads:
            organ = self.only_organ(after, self.metastasis_organ_of)
        else:  # the organ's adjective just before it (`osseous metastases`)
            before = written[ends[0] - len(words) - 1 : ends[0] - len(words)] if ends and ends[0] > len(words) else []
            organ = self.only_organ(before, self.metastasis_organ_of) if before else ""
        return [self.metastasis_code_name.format(organ=organ)] if organ else []

    def said_metastatic(self, words: list[str], written: list[str]) -> bool:
        """`metastatic` just before a tumour that names no organ, nor implies one (`metastatic
        carcinoma in the liver`: the Alphabetic Index's Metastatic, to specified site, see Neoplasm,
        secondary; never `metastatic breast cancer`, whose organ is its primary's)."""
        said = any(
            written[i - 1] == "metastatic" and written[i : i + len(words)] == words for i in range(1, len(written))
        )
        found = self.morphology_of(" ".join(words))
        malignant = bool(found) and self.behaviour[found] == "malignant"
        implied = self.implied_organ(_tumour_words(" ".join(words)))
        return said and malignant and not implied and not self.only_organ(words)

    def implied_organ(self, head: list[str]) -> str:
        """The organ a tumour's morphology is of when the text names none (`basal cell carcinoma`: skin), or ""."""
        return next((organ for kind, organ in self.implied.items() if _ends_with(head, kind)), "")

    def only_organ(self, words: list[str], organ_of: dict[str, str] | None = None) -> str:
        """The organ `words` name, when they name one and no other: not an organ's adjective that
        names another part (`hepatic flexure`, `cervical lymph node`, `renal function`)."""
        organ_of = organ_of or self.organ_of
        organs, i = set(), 0
        while i < len(words):
            word, pair = words[i], " ".join(words[i : i + 2])
            if pair in organ_of:  # `gall bladder`: one organ, not a bladder too
                organs.add(organ_of[pair])
                i += 1
            elif word in organ_of and word not in self.ambiguous:
                if not (i + 1 < len(words) and words[i + 1] in self.other_parts):
                    organs.add(organ_of[word])
            i += 1
        return organs.pop() if len(organs) == 1 else ""

    def tumour_head(self, words: list[str], joining: Container[str], condition: Callable) -> Codes | None:
        """The codes of the tumour before a name's first joining word (`melanoma` of `melanoma of
        the back`, C43.9), or None where there is none, it is `in situ`, its code leaves the site
        unknown, or what follows names an organ (`melanoma of the choroid` is no skin's), unless
        its category is coded by cell type wherever it is (`Burkitt lymphoma of the ileum`)."""
        joined = next((i for i, word in enumerate(words) if word in joining), 0)
        head = condition(" ".join(words[:joined])) if joined and words[joined : joined + 2] != ["in", "situ"] else None
        if not (head and is_neoplasm(head.icd10cm)):
            return None
        if self.coded_by_morphology(head.icd10cm):
            return head
        return None if self.only_organ(words[joined:]) or self.site_unknown(head.icd10cm_title) else head

    def coded_by_morphology(self, code: str) -> bool:
        """Whether ICD-10-CM codes a neoplasm of `code`'s category by its cell type wherever it is."""
        return any(first <= code[:3] <= last for first, last in self.by_morphology)

    def kept_after_an_organ(self, code: str) -> bool:
        """Whether a neoplasm coded `code` keeps it after an organ's adjective (`esophageal MALT lymphoma`):
        a lymphoma's or a leukaemia's, not a plasmacytoma's (an organ's is extramedullary, C90.2-)."""
        return any(first <= code[:3] <= last for first, last in self.after_an_organ)

    def site_unknown(self, title: str) -> bool:
        """Whether a code says its tumour's site is not known (`Malignant (primary) neoplasm,
        unspecified`, C80.1): a site the text names says more."""
        return bool(UNKNOWN_SITE.search(title))

    def morphology_of(self, name: str) -> tuple[str, ...]:
        """The cell type a tumour's name ends with (`… squamous cell carcinoma`), or ()."""
        head = _tumour_words(name)
        return next((kind for kind, _ in self.phrases if _ends_with(head, kind)), ())

    def from_the_patient(self, code: str) -> list[tuple[str, ...]]:
        """The categories of the patient's tumours a tumour coded `code` may be (`site_from_the_patient`);
        a bare tumour of an organ, those of one named without its site (D49.9), its organ's only
        (`Coder.tumour_sites`)."""
        if code.startswith(self.bare_tumour_codes):
            return self.site_from_the_patient["D49.9"]
        return self.site_from_the_patient.get(code, [])

    def patients_site(self, code: str, name: str, tumours: list[tuple[str, str]]) -> tuple[str, list[str]]:
        """The code of a tumour named without its site (`code`: `the carcinoma`, C80.1) when the
        patient's other `tumours` (name, code) of a named site are of one category and of its cell
        type or of any (`lung adenocarcinoma`): their most frequent code, and their names; else
        ("", [])."""
        categories = self.from_the_patient(code)
        own = self.morphology_of(name)
        found = [
            (other_name, other_code)
            for other_name, other_code in tumours
            if other_code != code
            and any(low <= other_code[:3] <= high for low, high in categories)
            and self.same_cell_type(own, self.morphology_of(other_name))
        ]
        if len({c[:3] for _, c in found}) != 1:
            return "", []
        return Counter(c for _, c in found).most_common(1)[0][0], [n for n, _ in found]

    def categories_of(self, organ: str, condition: Callable) -> set[str]:
        """The categories of the malignant and benign tumours of `organ` (`condition`: a name's codes)."""
        names = (f"malignant neoplasm of {organ}", f"{organ} cancer", f"benign neoplasm of {organ}")
        return {codes.icd10cm[:3] for name in names if (codes := condition(name)) and codes.icd10cm}

    def same_cell_type(self, one: tuple[str, ...], other: tuple[str, ...]) -> bool:
        return one == other or one in self.any_morphology or other in self.any_morphology

    def with_organ(self, name: str, phrase: str) -> list[str]:
        """A condition ICD-10-CM names only with its organ (`necrosis`, `fibrosis`, `infarct`),
        named with the one organ its phrase names (`fibrosis of the liver` → `liver fibrosis`)."""
        words = name.split()
        others = [w for w in phrase.replace("-", " ").split() if w not in words]
        organ = self.only_organ([singular(w) for w in others])
        adjective = self.adjective_of.get(organ, organ)
        return list(dict.fromkeys([f"{organ} {name}", f"{adjective} {name}", f"{name} of {organ}"])) if organ else []

    def by_organ_word(self, name: str) -> list[str]:
        """`name` with each organ adjective written as its organ's noun (`renal failure` → `kidney
        failure`), and each organ's noun as its adjective (`liver fibrosis` → `hepatic fibrosis`)."""
        words = name.split()
        forms = [[self.noun_of.get(w, w) for w in words], [self.adjective_of.get(w, w) for w in words]]
        return [" ".join(form) for form in forms if form != words]


def _tumour_words(name: str) -> list[str]:
    """A tumour's name without its site phrase (`adenocarcinoma of the stomach`: the tumour before
    `of`, its site after), singular."""
    words = [singular(w) for w in name.replace("-", " ").split()]
    return words[: words.index("of")] if "of" in words[1:] else words


def _before_morphology(words: list[str], morphology: tuple[str, ...]) -> list[str]:
    """The words before the last place `morphology` is written in `words`, or all of them."""
    ends = [i for i in range(len(morphology), len(words) + 1) if tuple(words[i - len(morphology) : i]) == morphology]
    return words[: ends[-1] - len(morphology)] if ends else words


def is_number(word: str) -> bool:
    return word.replace(".", "", 1).isdigit()


def _ends_with(words: list[str], morphology: tuple[str, ...]) -> bool:
    return tuple(words[-len(morphology) :]) == morphology


BEHAVIOUR_TITLE = re.compile(r"(?:Benign neoplasm|Neoplasm of (?:uncertain|unspecified) behavior) of (.+)")


def malignant_form(name: str, own: Codes | None, condition: Callable, titles: dict[str, str]) -> Codes | None:
    """`malignant X` that no vocabulary names: X's code where it is malignant already
    (`malignant mesothelioma`, C45.9), else X's site with malignant behaviour, as the Neoplasm
    Table pairs them (`malignant meningioma`: Benign neoplasm of meninges → Malignant neoplasm
    of meninges, C70.9); never X's benign code. The name's own Disease Ontology and MeSH ids stay."""
    words = name.lower().split()
    if len(words) < 2 or words[0] != "malignant":
        return None
    tumour = condition(" ".join(words[1:]))
    code = tumour.icd10cm if tumour else ""
    site = BEHAVIOUR_TITLE.fullmatch(titles.get(code, ""))
    malignant = condition(f"malignant neoplasm of {site[1]}") if site else tumour
    if malignant and malignant.icd10cm.startswith("C"):
        return replace(malignant, evidence=f"{name} → {malignant.evidence}", **own_ids(own))
    return None
