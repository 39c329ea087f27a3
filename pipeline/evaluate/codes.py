"""Codes scored on the facts the run got right: for each gold diagnosis with an `icd10cm` that a
diagnosis row matched by name, is the row's ICD-10-CM code the gold's, at the 3-character
category and in full; for each matched drug, does its row carry a DrugBank id. A matched fact
whose row has no code counts against accuracy and coverage alike."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class CodeScore:
    diagnoses: int = 0  # matched diagnoses whose gold names a code
    coded: int = 0  # … of which the row has any ICD-10-CM code
    same_category: int = 0
    same_code: int = 0
    drugs: int = 0  # matched drugs
    drugs_with_drugbank: int = 0

    def add(self, other: CodeScore) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def diagnosis(self, gold_code: str, found_code: str) -> None:
        self.diagnoses += 1
        self.coded += bool(found_code)
        self.same_category += bool(found_code) and category(found_code) == category(gold_code)
        self.same_code += bool(found_code) and found_code == gold_code

    def drug(self, drugbank_id: str) -> None:
        self.drugs += 1
        self.drugs_with_drugbank += bool(drugbank_id)

    @property
    def figures(self) -> dict[str, float | None]:
        def share(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        return {
            "icd10cm_coverage": share(self.coded, self.diagnoses),
            "icd10cm_category_accuracy": share(self.same_category, self.diagnoses),
            "icd10cm_accuracy": share(self.same_code, self.diagnoses),
            "drugbank_coverage": share(self.drugs_with_drugbank, self.drugs),
        }

    def as_dict(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)} | self.figures


def category(code: str) -> str:
    """The 3-character category of a dotted code (`K52.832` → `K52`)."""
    return code.split(".")[0]
