"""Value types and Doc/Span extensions shared by the casextract components: the entity labels, a
drug's regimen, a lab result, the lab-test lexicon."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import IS_SPACE, LOWER, SPACY
from spacy.tokens import Doc, Span

from ..lexicons import table_rows
from .name_forms import dashes_as_hyphens
from .quantities import Dose

DRUG, DISEASE, LAB = "DRUG", "DISEASE", "LAB_TEST"
DOSE_AHEAD = re.compile(r"^\d+(?:\.\d+)?\s*(?:mg|g|μg|mcg|mL|ml|IU|U|units)\b", re.I)
DRUG_SUFFIXES = re.compile(
    r"(mab|nib|vir|cillin|mycin|micin|cycline|olol|pril|sartan|azole|statin|tinib|parin|"
    r"floxacin|prazole|dipine|semide|thiazide|oxacin|platin|rubicin|taxel|lukast|gliptin|"
    r"glutide|cept|kinra|zumab|ximab|umab)$",
    re.I,
)
COMPARATORS = {
    ">": ">",
    "<": "<",
    "≥": ">=",
    "≤": "<=",
    ">=": ">=",
    "<=": "<=",
    "more than": ">",
    "greater than": ">",
    "above": ">",
    "over": ">",
    "less than": "<",
    "below": "<",
    "under": "<",
    "up to": "<=",
    "at least": ">=",
}


def _ext(cls, name: str, default=None) -> None:
    if not cls.has_extension(name):
        cls.set_extension(name, default=default)


def doc_text(doc: Doc) -> str:
    """`doc.text`, built once per Doc (spaCy joins every token each time it is asked)."""
    text = doc.user_data.get("casextract_text")
    if text is None:  # not `setdefault(key, doc.text)`, which joins the tokens at every call
        text = doc.user_data["casextract_text"] = doc.text
    return text


def abbreviation_long_forms(doc: Doc) -> dict[str, str]:
    """Each abbreviation the text defines (scispaCy's detector: `plasma pseudocholinesterase (PCE)`)
    → its long form."""
    if not Doc.has_extension("abbreviations"):
        return {}
    return {abbr.text: abbr._.long_form.text for abbr in doc._.abbreviations}


def token_after(doc: Doc, char: int) -> int:
    """The index of the first token that starts at or after character `char` (token offsets read
    once per Doc, with `Doc.to_array`)."""
    starts = doc.user_data.get("casextract_token_starts")
    if starts is None or len(starts) != len(doc):
        starts = doc.user_data["casextract_token_starts"] = doc.to_array("IDX").tolist()
    return bisect.bisect_left(starts, char)


@dataclass
class Regimen:
    """One way a drug was given: a drug mention can carry several (`80 mg BID …, then 60 mg QD`)."""

    dose: Dose | None = None
    route: str | None = None
    frequency: str | None = None
    frequency_text: str | None = None
    duration: str | None = None


for _name in ("normalized", "regimens", "lab", "certainty", "age_years", "sex"):
    _ext(Span, _name)
for _name in ("dose", "route", "frequency", "frequency_text", "duration"):
    # the first regimen's details, for readers who want one value per drug mention
    if not Span.has_extension(_name):
        Span.set_extension(
            _name, getter=lambda span, name=_name: getattr(span._.regimens[0], name) if span._.regimens else None
        )
_ext(Span, "negex", False)
_ext(Span, "background", False)
_ext(Doc, "article", None)  # the `Article` the Doc was made from, when there is one
_ext(Doc, "lab_results", None)
_ext(Doc, "demographics", None)
_ext(Doc, "pronouns", None)  # (character offset, sex) of each pronoun that tells a sex


@dataclass(frozen=True)
class LabTestEntry:
    name: str
    si_unit: str


@lru_cache(maxsize=4)
def lab_lexicon(name: str = "labs.tsv") -> tuple[dict[str, LabTestEntry], dict[str, LabTestEntry]]:
    """(case-insensitive variants, case-sensitive abbreviations) → test."""
    folded: dict[str, LabTestEntry] = {}
    exact: dict[str, LabTestEntry] = {}
    for row in table_rows(name):
        entry = LabTestEntry(row["test"], (row.get("si_unit") or "").strip())
        for variant in row["variants"].split("|"):
            if variant.startswith("="):
                exact[variant[1:]] = entry
            else:
                folded[variant.lower()] = entry
    return folded, exact


@dataclass
class LabResult:
    """One measured (or qualitative) result of a LAB_TEST entity."""

    test: Span
    value: float | None = None
    comparator: str = ""
    unit: str = ""
    value_si: float | None = None
    unit_si: str = ""
    reference_range: str = ""
    flag: str = ""
    result: str = ""  # qualitative: positive, negative, +, +++
    start: int = 0  # character offsets of the whole result (test … unit)
    end: int = 0
    column: str = ""  # table column header (a date, a day, a patient) when read from a table
    row_label: str = ""
    # the test's name where its span is another entity's too, which owns the span's extensions:
    # `hypokalemia (2.4 mmol/L)` is a potassium result and stays a condition
    name: str = ""
    # said in a statement of general knowledge (casextract_statements), not of a patient
    general: bool = False
    loinc: str = ""  # the test's LOINC code (casextract_coder), where the project's table keys it


def lab_entry(test: Span, lexicon: tuple[dict[str, LabTestEntry], dict[str, LabTestEntry]]) -> LabTestEntry | None:
    """The lexicon entry of a test span: its text as written, folded, or its normalised name."""
    folded, exact = lexicon
    return (
        exact.get(test.text)
        or folded.get(test.text.lower())
        or next((e for e in folded.values() if e.name == test._.normalized), None)
    )


def token_view(doc: Doc) -> tuple[list[str], list[str], list[bool]]:
    """Per token: lower-case text, the space after it, and whether a name cannot run on into it
    (it is whitespace: a line break is a token of its own). Built once per Doc, from
    `Doc.to_array`, for both lexicon matchers: reading token attributes one Token at a time was
    the cost of a lexicon match."""
    view = doc.user_data.get("casextract_token_view")
    if view is None or len(view[0]) != len(doc):
        strings = doc.vocab.strings
        lower, spacy, is_space = doc.to_array([LOWER, SPACY, IS_SPACE]).T.tolist() if len(doc) else ([], [], [])
        lowers = [dashes_as_hyphens(strings[h]) for h in lower]
        spaces = [" " if s else "" for s in spacy]
        stops = [False] + [bool(s) for s in is_space[1:]]
        view = doc.user_data["casextract_token_view"] = (lowers, spaces, stops)
    return view
