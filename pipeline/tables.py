"""Tables stage: `Facts` → the contract's tables (pandas DataFrames), and their writers.

Column names and order follow `CONTRACT.md`; columns may be added at the end, never renamed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .nlp.quantities import format_number
from .structures import DocumentInfo, Facts

PROVENANCE = ["page", "start_char", "end_char", "sentence"]

COLUMNS: dict[str, list[str]] = {
    "documents": ["doc_id", "source_path", "status", "error", "pages", "n_cases", "title", "sha256"],
    "cases": ["doc_id", "case_id", "age_years", "sex", "evidence"],
    "medications": [
        "doc_id",
        "case_id",
        "drug",
        "mention",
        "dose_value",
        "dose_unit",
        "dose_text",
        "route",
        "frequency",
        "frequency_text",
        "duration",
        "timepoint",
        "negated",
        *PROVENANCE,
    ],
    "labs": [
        "doc_id",
        "case_id",
        "test",
        "mention",
        "value",
        "comparator",
        "unit",
        "value_si",
        "unit_si",
        "reference_range",
        "flag",
        "timepoint",
        *PROVENANCE,
        "result",
    ],  # added: a qualitative result (`positive (+++)`) when there is no number
    "diagnoses": ["doc_id", "case_id", "diagnosis", "mention", "negated", "certainty", *PROVENANCE],
}

# pandas dtypes that keep "not stated" as null instead of NaN-turned-float or the string "None"
DTYPES: dict[str, str] = {
    "pages": "Int64",
    "n_cases": "Int64",
    "case_id": "string",
    "page": "Int64",
    "start_char": "Int64",
    "end_char": "Int64",
    "age_years": "Float64",
    "dose_value": "Float64",
    "value": "Float64",
    "value_si": "Float64",
    "negated": "boolean",
}


@dataclass(frozen=True)
class Tables:
    """The contract's tables for one or more documents."""

    documents: pd.DataFrame
    cases: pd.DataFrame
    medications: pd.DataFrame
    labs: pd.DataFrame
    diagnoses: pd.DataFrame


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    columns = COLUMNS[name]
    df = pd.DataFrame(rows, columns=columns)
    return df.astype({c: DTYPES.get(c, "string") for c in columns})


def document_row(info: DocumentInfo) -> dict:
    return asdict(info)


def facts_rows(doc_id: str, facts: Facts) -> dict[str, list[dict]]:
    return {
        "cases": [{"doc_id": doc_id, **row} for row in facts.cases],
        "medications": [{"doc_id": doc_id, **row} for row in facts.medications],
        "labs": [{"doc_id": doc_id, **row} for row in facts.labs],
        "diagnoses": [{"doc_id": doc_id, **row} for row in facts.diagnoses],
    }


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> None:
    """CSV (RFC 4180: CRLF, minimal quoting) and Parquet with the same rows, each written to a
    temporary file and renamed, so a reader never sees half a table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(
        out_dir / f"{name}.csv", lambda p: csv_view(df).to_csv(p, index=False, lineterminator="\r\n", encoding="utf-8")
    )
    atomic_write(out_dir / f"{name}.parquet", lambda p: df.to_parquet(p, index=False, engine="pyarrow"))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_view(df: pd.DataFrame) -> pd.DataFrame:
    """What the CSV shows: numbers as plain decimals (`0.8`, `0.00012`, never `8e-05`), booleans
    as `true`/`false`, and text that a spreadsheet would run as a formula (`=HYPERLINK(…)`,
    `+++`, `-5 mg`) prefixed with `'` (OWASP's CSV-injection advice). Parquet keeps the values."""
    view = df.copy()
    for column in df.columns:
        dtype = str(df[column].dtype)
        if dtype == "Float64":
            view[column] = df[column].map(lambda v: "" if pd.isna(v) else format_number(float(v)), na_action=None)
        elif dtype == "boolean":
            view[column] = df[column].map(lambda v: "" if pd.isna(v) else ("true" if v else "false"), na_action=None)
        elif dtype == "string":
            view[column] = df[column].map(
                lambda v: v if pd.isna(v) or not str(v).startswith(FORMULA_START) else "'" + str(v), na_action=None
            )
    return view


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda p: Path(p).write_text(text, encoding="utf-8"))
