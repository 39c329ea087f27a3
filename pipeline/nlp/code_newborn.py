"""A newborn's conditions, coded in ICD-10-CM's chapter 16 (Certain conditions originating in the
perinatal period, P00–P96) where the code set has a newborn's form of them.

ICD-10-CM codes a newborn's hypoglycemia, seizures or sepsis in chapter 16 (`neonatal
hypoglycemia` P70.4, `convulsions of newborn` P90, `sepsis of newborn` P36.9), never with the
adult's code (E16.2, R56.9, A41.9); a condition that may be due to the birth process or acquired
after it is chapter 16's by default (Official Guidelines I.C.16.a.4). The newborn period is birth
through the 28th day (I.C.16). A patient is a newborn when the case sections describe them as one
(`a newborn boy`, `a neonate`, an age of 28 days or less) and give them no older age; a report
whose patient is the mother (`a 30-year-old woman delivered …`) keeps the codes by name, and so
does a relative's condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..cases import CaseSpan, case_at
from ..lexicons import resource_json

NEWBORN_YEARS = 28 / 365.25
# how the index writes a newborn's form of a condition: `neonatal hypoglycemia`, `hypokalemia of
# newborn` (the code titles), `newborn jaundice`
FORMS = ("neonatal {}", "{} of newborn", "newborn {}")
# a patient described as a newborn: `a newborn boy`, `a term neonate`, `the neonate`; never `the
# newborn hearing screen`
NEWBORN_PATIENT = re.compile(
    r"\b(?:a|an|the|our)\s+(?:[a-z-]+\s+){0,2}?(?:neonate|newborn(?=\s+(?:boy|girl|infant|baby|male|female|"
    r"son|daughter|was|is|who|with|presented|developed|had)\b|[,.]))",
    re.IGNORECASE,
)
# the relatives whose age a newborn's report gives (`his mother, 32 years old`): not one who may be a
# patient (`relatives.json`'s may_be_patients) nor a child (`a 5-day-old child`); a sibling's age left
# in keeps the codes by name (the safe side)
_FAMILY = resource_json("relatives.json")
CHILDREN = frozenset({"child", "children", "sons", "daughters", "sibling", "siblings"})
RELATIVES = frozenset(_FAMILY["relatives"]) - frozenset(_FAMILY["may_be_patients"]) - CHILDREN


def newborn_patients(text: str, demographics: Iterable, cases: list[CaseSpan], several: bool) -> set[int | None]:
    """The patients (by case; None in a report of one patient) the report describes as newborns
    (`a newborn boy`, `a neonate`, an age of 28 days or less) and never gives an older age: a
    girl `at 3 days of age` who presented `at 8 years` is no newborn. An age said in a sentence of a
    relative's (`his mother, 32 years old`) is not the patient's."""
    described = [(m.start(), True) for m in NEWBORN_PATIENT.finditer(text)]
    described += [(d.start, d.age_years <= NEWBORN_YEARS) for d in demographics or () if _patients_age(d)]
    said: dict[int | None, list[bool]] = {}
    for start, newborn in described:
        case = case_at(cases, start)
        if case is not None or not cases:  # never the Introduction's or the Discussion's newborns
            said.setdefault(case if several else None, []).append(newborn)
    return {case for case, newborn in said.items() if all(newborn)}


def _patients_age(found) -> bool:
    """Whether a demographic gives an age said of no relative in its sentence."""
    return found.age_years is not None and not RELATIVES & set(re.findall(r"[a-z]+", found.sentence.lower()))


def newborn_form(names: Iterable[str], condition: Callable):
    """The codes of the newborn's form of the condition (any of its `names`), or None."""
    for name in dict.fromkeys(names):
        for form in FORMS:
            codes = condition(form.format(name))
            if codes and codes.icd10cm.startswith("P"):
                return codes
    return None
