"""A condition's code when the text says what caused it, right after its name or just before it.

- Another disease (`polyneuropathy due to dry beriberi`, `myocarditis secondary to the lupus`):
  ICD-10-CM's manifestation code (`… in diseases classified elsewhere`: polyneuropathy → G63),
  else the condition's secondary form (`secondary thrombocytopenia`, D69.59).
- A drug (`azathioprine-induced pancreatitis`, `thalidomide neuropathy`, `hepatitis due to
  isoniazid`, `… associated with use of D-penicillamine`): the code of that drug's own form of
  the condition where the code set names one (`heparin-induced thrombocytopenia`, D75.82), else
  of the drug-induced form (`drug-induced acute pancreatitis`, K85.30); pharmacovigilance pools
  adverse reactions by it.
- A procedure (`pneumothorax after the thoracotomy`, `post-thoracotomy`, `following surgery`):
  the condition's postprocedural code where the code set names one (J95.811).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Span

from .code_context import SECONDARY, ArticleContext, after_parenthesis

CAUSED_BY = frozenset({"due to", "secondary to", "caused by", "because of", "attributed to", "resulting from"})
LEAD_INS = frozenset({"the", "a", "an", "his", "her", "their", "underlying", "known"})
DRUG_CAUSES = CAUSED_BY | {"induced by", "associated with", "related to"}
# `… associated with use of D-penicillamine`, `due to high-dose methotrexate therapy`
DRUG_LEAD_INS = LEAD_INS | {"use", "of", "treatment", "therapy", "with", "administration", "intake", "exposure", "to"}
HEDGES = frozenset({"was", "were", "is", "are", "likely", "probably", "possibly", "most", "thought", "to", "be"})
DRUG_PREFIX = re.compile(r"^(.+?)-(?:induced|associated|related|caused|mediated)$")


@dataclass(frozen=True)
class Procedures:
    """The words right after a condition that say a procedure caused it (`code_context.json`)."""

    after: frozenset[str]  # `after`, `following`, `post`
    between: frozenset[str]  # `occurred`, `developed`: before `after`
    words: frozenset[str]  # `surgery`, `biopsy`
    endings: tuple[str, ...]  # `-otomy`, `-ectomy`

    @classmethod
    def of(cls, rules: dict[str, list[str]]) -> Procedures:
        return cls(*(frozenset(rules[key]) for key in ("after", "between", "words")), tuple(rules["endings"]))

    def named(self, word: str) -> bool:
        return word in self.words or word.endswith(self.endings)

    def caused(self, span: Span, sentence: Span) -> bool:
        """Whether a procedure named right after the condition caused it: `after the
        thoracotomy`, `following surgery`, `post-thoracotomy`, `postmini-thoracotomy`."""
        doc, end = span.doc, sentence.end
        i = after_parenthesis(span, end)
        while i < min(end, span.end + 3) and doc[i].lower_ in self.between:  # `… occurred after`
            i += 1
        if i >= end:
            return False
        first = doc[i].lower_
        if first.startswith("post") and first not in self.after:  # `post-thoracotomy` as one word
            return any(self.named(part) for part in first.split("-")) or self._named_in(doc[i + 1 : min(end, i + 3)])
        return first in self.after and self._named_in(doc[i + 1 : min(end, i + 5)])

    def _named_in(self, tokens) -> bool:
        """Whether the next few words name a procedure, before any punctuation but a hyphen."""
        for token in tokens:
            if token.is_punct and token.text != "-" or token.ent_type_ == "DRUG":  # a drug's, not a procedure's
                return False
            if self.named(token.lower_):
                return True
        return False


@dataclass(frozen=True)
class Caused:
    code: str
    by: str  # `another disease`, or the drug's name


class Causes:
    def __init__(
        self,
        context: ArticleContext,
        condition: Callable,
        is_drug: Callable[[str], bool],
        procedures: Procedures,
        titles: dict[str, str] | None = None,
    ):
        self.context, self.condition, self.procedures = context, condition, procedures
        # a class of drugs names a drug cause too (`opioid-induced constipation`: drug-induced, K59.03)
        self.is_drug = lambda name: is_drug(name) or name in context.drug_classes
        self.titles = titles or {}

    def code_of(self, span: Span, code: str, name: str, conditions: set[int], drugs: dict[int, str]) -> Caused | None:
        """The code of a condition (coded `code` by its name) that the text says another of the
        `conditions` (by first token) or one of the `drugs` (name by first token) caused."""
        sentence = span.sent  # once: each `span.sent` walks the sentence's tokens
        if (cause := caused_by_condition(span, conditions, sentence)) is not None:
            caused = self.caused_code(code, name, cause)
            return Caused(caused, "another disease") if caused else None
        if drug := caused_by_drug(span, drugs, self.is_drug, sentence):
            induced = self.drug_induced(code, name, drug)
            return Caused(induced, drug) if induced else None
        if self.procedures.caused(span, sentence):
            postprocedural = self.condition(f"postprocedural {name}")
            code = postprocedural.icd10cm if postprocedural and postprocedural.icd10cm != code else ""
            return Caused(code, "a procedure") if code else None
        return None

    def caused_code(self, code: str, name: str, cause: Span | None = None) -> str:
        """The code of a condition another disease (`cause`) causes: the code of its category
        whose title names that cause (`Iron deficiency anemia secondary to blood loss`, D50.0),
        else ICD-10-CM's manifestation code (`… in diseases classified elsewhere`: polyneuropathy
        → G63), else its secondary form (`secondary thrombocytopenia`, D69.59), else none."""
        prefix = [t.lower_ for t in cause if not t.ent_type_] if cause else []  # its words before the condition
        if cause is not None and not code.startswith(SECONDARY):  # a metastasis `from` is its primary
            own = {t.lower_ for t in cause} - set(prefix)
            named = self.context.in_phrase(code, ["secondary", "due", *(t.lower_ for t in cause)])
            title = self.titles.get(named.code, "").lower() if named else ""
            # the cause's own words in the title, and an acuity said of it the title's too (`acute
            # blood loss` is no D50.0, `… secondary to blood loss (chronic)`)
            if named and named.kind == "said" and named.words & own and all(w in title for w in prefix):
                return named.code
        if self.context.not_carried.intersection(prefix):  # `secondary to chronic alcohol abuse`: its own code
            return ""
        if manifestation := self.context.in_disease(code):
            return manifestation.code
        secondary = self.condition(f"secondary {name}")
        return secondary.icd10cm if secondary and secondary.icd10cm != code else ""

    def drug_induced(self, code: str, name: str, drug: str) -> str:
        """The code of a condition a drug caused: that drug's own (`heparin-induced
        thrombocytopenia`, D75.82), else any drug's (`drug-induced thrombocytopenia`, D69.59),
        else that of its name's head with fewer of the words before it (`interstitial
        pneumonitis` → `drug-induced pneumonitis`, J70.4)."""
        words = name.split()
        for tail in (" ".join(words[first:]) for first in range(len(words))):
            # `drug hypersensitivity`, `drug reaction`: ICD-10-CM's names of some drug-induced forms
            for induced in (f"{drug}-induced {tail}", f"drug-induced {tail}", f"drug {tail}"):
                codes = self.condition(induced)
                if codes and codes.icd10cm == code:  # coded as that form already: no less specific one
                    return ""
                if codes and codes.icd10cm:
                    return codes.icd10cm
        return ""


def past_hedges(span: Span, start: int, end: int) -> int:
    """Where the words after a condition (from `start`, before `end`) go on past the hedges
    within its next four tokens (`… was probably induced by`, `… was attributed to`)."""
    i = start
    while i < min(end, span.end + 4) and span.doc[i].lower_ in HEDGES:
        i += 1
    return i


def caused_by_condition(span: Span, condition_starts: set[int], sentence: Span) -> Span | None:
    """The condition the text says caused this one, right after its name (`polyneuropathy due
    to dry beriberi`, `myocarditis secondary to the lupus`, `the cardiomyopathy was attributed to
    carnitine deficiency`), or None."""
    doc, end = span.doc, sentence.end
    i = past_hedges(span, after_parenthesis(span, end), end)  # `… was attributed to`
    words = [t.lower_ for t in doc[i : min(end, i + 2)]]
    if " ".join(words) not in CAUSED_BY and words[:1] != ["from"]:
        return None
    i += 1 if words[:1] == ["from"] else 2
    while i < end and doc[i].lower_ in LEAD_INS:
        i += 1
    # a word or two of its own before it (`secondary to chronic blood loss`)
    start = next((j for j in range(i, min(i + 3, end)) if j in condition_starts), None)
    if start is None or not all(t.is_alpha for t in doc[i:start]):
        return None
    last = start + 1
    while last < end and doc[last].ent_iob_ == "I":
        last += 1
    return doc[i:last]


def caused_by_drug(span: Span, drugs: dict[int, str], is_drug: Callable[[str], bool], sentence: Span) -> str:
    """The drug the text says caused the condition (`drugs`: the DRUG entities' names by first
    token), or "": `azathioprine-induced pancreatitis`, `thalidomide neuropathy` (a drug named
    just before the condition), `hepatitis due to isoniazid`, `… associated with use of
    D-penicillamine`."""
    doc, start, end = span.doc, sentence.start, sentence.end
    if span.start > start and (prefix := DRUG_PREFIX.match(doc[span.start - 1].lower_)):
        # `rapamycin/sirolimus-induced`: one drug by two names, or two drugs
        return next((name for name in prefix.group(1).split("/") if is_drug(name)), "")
    if span.start > start and doc[span.start - 1].ent_type_ == "DRUG":
        first = span.start - 1
        while first > start and doc[first].ent_iob_ == "I":
            first -= 1
        return drugs.get(first, "")
    i = past_hedges(span, after_parenthesis(span, end), end)  # `… was probably induced by`
    if " ".join(t.lower_ for t in doc[i : min(end, i + 2)]) not in DRUG_CAUSES:
        return ""
    i, last = i + 2, min(end, i + 6)
    while i < last and i not in drugs and doc[i].lower_ in DRUG_LEAD_INS:
        i += 1
    # a drug the recogniser left out, or a class of drugs (`induced by chemotherapy`)
    return drugs.get(i, "") or (doc[i].lower_ if i < end and is_drug(doc[i].lower_) else "")
