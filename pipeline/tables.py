"""Tables stage: `Facts` → the contract's tables (pandas DataFrames), and their writers.

Which tables there are, their columns (in order) and dtypes come from `schema.TABLES`.
"""

from __future__ import annotations

from dataclasses import make_dataclass
from pathlib import Path

import pandas as pd

from .atomic import atomic_write, atomic_write_text  # noqa: F401  (atomic_write_text re-exported)
from .nlp.quantities import format_number
from .schema import COLUMNS, FACT_TABLES, TABLES  # noqa: F401  (COLUMNS re-exported: tests and tools use it)

# one DataFrame attribute per schema table (`extract(path).labs`), so a new table needs no change here
Tables = make_dataclass("Tables", [(name, pd.DataFrame) for name in TABLES], frozen=True)
Tables.__doc__ = "The contract's tables for one or more documents: one DataFrame per `schema.TABLES` entry."
Tables.__module__ = __name__  # make_dataclass (Python 3.11) would name the `types` module


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """The table `name` of these rows (a column a row lacks is null there). Built column by column in
    its dtype: a frame of objects converted after (`astype`) took three times as long, most of the
    time a one-PDF run spends on its tables."""
    spec = TABLES[name]
    dtypes = spec.dtypes
    return pd.DataFrame(
        {column: pd.array([row.get(column) for row in rows], dtype=dtypes[column]) for column in spec.columns},
        columns=spec.columns,
    )


def write_table(df: pd.DataFrame, out_dir: Path, name: str) -> None:
    """CSV (RFC 4180: CRLF, minimal quoting) and Parquet with the same rows, each written to a
    temporary file and renamed, so a reader never sees half a table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(
        out_dir / f"{name}.csv", lambda p: csv_view(df).to_csv(p, index=False, lineterminator="\r\n", encoding="utf-8")
    )
    atomic_write(out_dir / f"{name}.parquet", lambda p: df.to_parquet(p, index=False, engine="pyarrow"))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_tables(out_dir: Path) -> dict[str, pd.DataFrame]:
    """The tables a run wrote into `out_dir` (from their Parquet files), by name; a table not
    written is absent."""
    return {
        name: pd.read_parquet(out_dir / f"{name}.parquet") for name in TABLES if (out_dir / f"{name}.parquet").exists()
    }


def csv_view(df: pd.DataFrame) -> pd.DataFrame:
    """What the CSV shows: numbers as plain decimals (`0.8`, `0.00012`, never `8e-05`), booleans
    as `true`/`false`, and text that a spreadsheet would run as a formula (`=HYPERLINK(…)`,
    `+++`, `-5 mg`) prefixed with `'` (OWASP's CSV-injection advice). Parquet keeps the values."""
    # built as lists, column by column (a Series `map` per column was most of a small table's time)
    view: dict[str, object] = {}
    for column, series in df.items():
        dtype = str(series.dtype)
        if dtype == "Float64":
            view[column] = ["" if pd.isna(v) else format_number(float(v)) for v in series.tolist()]
        elif dtype == "boolean":
            view[column] = ["" if pd.isna(v) else ("true" if v else "false") for v in series.tolist()]
        elif dtype == "string":
            view[column] = [
                v if pd.isna(v) or not str(v).startswith(FORMULA_START) else "'" + str(v) for v in series.tolist()
            ]
        else:  # as it is: no list made of it
            view[column] = series.array
    return pd.DataFrame(view, columns=df.columns)
