"""The output tables, declared once: every table's row class, its columns in order and their dtypes.

A row class is a frozen dataclass: its fields, in order, are the table's columns, and each field's
type gives the column's pandas dtype (`PANDAS_DTYPES`). `TABLES` lists the tables in the order a
batch writes them. The link stage builds these rows; the writers, the Ray engine, `batch.extract`
and the review page take their columns, dtypes and summaries from here.

`../shared/CONTRACT.md` promises the tables and columns to users: a column may be added, never
renamed or dropped (tests/test_schema.py holds the two together). This module imports nothing from
the pipeline's stages, so any stage may import it.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from functools import cached_property

# pandas' nullable dtypes: a value the article does not state stays null in Parquet and empty in
# the CSV, instead of becoming NaN in an int column or the string "None"
PANDAS_DTYPES: dict[type, str] = {str: "string", int: "Int64", float: "Float64", bool: "boolean"}


@dataclass(frozen=True)
class DocumentRow:
    """One row per input: whether it was read, and why not."""

    doc_id: str
    source_path: str
    status: str  # ok | error
    error: str = ""
    pages: int | None = None  # None for text input
    n_cases: int | None = None
    title: str = ""
    sha256: str = ""
    # the pages read as the case report's own (`3-9`) when the PDF also holds other matter (an
    # issue's contents, another article's pages); empty when all of it is the article
    article_pages: str = ""
    # what a person should know about an `ok` document (`damaged PDF, read after repair: pages 7-9
    # unreadable`); empty otherwise
    warning: str = ""


@dataclass(frozen=True)
class CaseRow:
    """One row per patient."""

    doc_id: str
    case_id: str
    age_years: float | None
    sex: str
    evidence: str  # the sentence(s) age and sex came from
    start_char: int | None = None  # offsets of the evidence in text/DOC_ID.txt (its first to last sentence)
    end_char: int | None = None


@dataclass(frozen=True)
class MedicationRow:
    """One row per regimen of a drug mention given to a patient."""

    doc_id: str
    case_id: str
    drug: str
    mention: str
    dose_value: float | None
    dose_unit: str
    dose_text: str
    route: str
    frequency: str
    frequency_text: str
    duration: str
    timepoint: str
    negated: bool
    page: int | None
    start_char: int
    end_char: int
    sentence: str
    # the drug's own DrugBank and MeSH ids (never a class id many drugs share); empty when unknown
    drugbank_id: str = ""
    mesh_id: str = ""


@dataclass(frozen=True)
class LabRow:
    """One row per reported lab result."""

    doc_id: str
    case_id: str
    test: str
    mention: str
    value: float | None
    comparator: str
    result: str  # qualitative (`positive (+++)`), beside or instead of a value
    unit: str
    value_si: float | None
    unit_si: str
    reference_range: str
    flag: str
    timepoint: str
    page: int | None
    start_char: int
    end_char: int
    sentence: str
    loinc: str = ""  # the test's LOINC code where a table the project ships keys it


@dataclass(frozen=True)
class DiagnosisRow:
    """One row per condition a patient is said to have (or not have)."""

    doc_id: str
    case_id: str
    diagnosis: str
    mention: str
    negated: bool
    certainty: str
    page: int | None
    start_char: int
    end_char: int
    sentence: str
    # whose condition it is when not the patient's own (`sister`, `donor`): family history
    subject: str = ""
    # the most specific ICD-10-CM code the text supports (dotted) and its title; Disease Ontology and
    # MeSH ids; the vocabulary's name the codes were chosen from (casextract_coder). Empty: unknown
    icd10cm: str = ""
    icd10cm_title: str = ""
    doid: str = ""
    mesh_id: str = ""
    code_evidence: str = ""
    # the code's ICD-10-CM block (`K80-K87`) and its title, to pool a run's conditions by
    icd10cm_block: str = ""
    icd10cm_block_title: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table: its file name, its row class, what one row is called, and the columns the review
    page shows when a fact is hovered (in the order shown; none for tables it does not highlight)."""

    name: str
    row: type
    singular: str
    summary: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.summary) - set(self.columns)
        if unknown:
            raise ValueError(f"{self.name}: summary names columns the table lacks: {sorted(unknown)}")

    @cached_property
    def columns(self) -> list[str]:
        return [field.name for field in fields(self.row)]

    @cached_property
    def dtypes(self) -> dict[str, str]:
        return {name: _pandas_dtype(kind) for name, kind in typing.get_type_hints(self.row).items()}


def _pandas_dtype(annotation: object) -> str:
    """`int | None` → "Int64": the one type besides None picks the dtype."""
    kinds = [kind for kind in typing.get_args(annotation) or (annotation,) if kind is not type(None)]
    if len(kinds) != 1 or kinds[0] not in PANDAS_DTYPES:
        raise TypeError(f"a column must be one of {list(PANDAS_DTYPES)} (or that or None), not {annotation}")
    return PANDAS_DTYPES[kinds[0]]


DOCUMENTS = "documents"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(DOCUMENTS, DocumentRow, "document"),
        TableSpec("cases", CaseRow, "case"),
        TableSpec(
            "medications",
            MedicationRow,
            "medication",
            summary=("case_id", "drug", "dose_text", "route", "frequency", "duration", "timepoint", "negated"),
        ),
        TableSpec(
            "labs",
            LabRow,
            "lab",
            summary=(
                "case_id",
                "test",
                "comparator",
                "value",
                "unit",
                "value_si",
                "unit_si",
                "flag",
                "timepoint",
                "result",
            ),
        ),
        TableSpec(
            "diagnoses",
            DiagnosisRow,
            "diagnosis",
            summary=("case_id", "diagnosis", "negated", "certainty", "subject", "icd10cm", "icd10cm_title"),
        ),
    )
}

# the tables of what the link stage finds per patient (all but `documents`, which the batch fills)
FACT_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != DOCUMENTS)

COLUMNS: dict[str, list[str]] = {name: spec.columns for name, spec in TABLES.items()}
