"""The row schema against the output contract (`../shared/CONTRACT.md`) and against what is written."""

from __future__ import annotations

import re
from dataclasses import fields

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import shared_path

from pipeline.schema import FACT_TABLES, TABLES
from pipeline.structures import Facts
from pipeline.tables import frame, write_table


def contract_tables(text: str) -> dict[str, list[str]]:
    """`### NAME — …` headings and the first cells of their column tables (`| doc_id, case_id | … |`)."""
    tables: dict[str, list[str]] = {}
    columns: list[str] | None = None
    for line in text.splitlines():
        heading = re.match(r"#{2,3} (\S+)", line)
        if heading:
            columns = tables.setdefault(heading.group(1), []) if line.startswith("### ") else None
            continue
        cell = re.match(r"\|([^|]*)\|", line)
        if columns is None or not cell or cell.group(1).strip() == "column" or set(cell.group(1)) <= set("-: "):
            continue
        columns.extend(name.strip() for name in cell.group(1).split(","))
    return tables


@pytest.fixture(scope="module")
def contract() -> dict[str, list[str]]:
    tables = contract_tables(shared_path("CONTRACT.md").read_text("utf-8"))
    assert tables and all(tables.values()), "CONTRACT.md no longer has `### table` sections with column tables"
    return tables


def test_contract_reader_reads_headings_and_shared_cells():
    text = (
        "## Tables\n### labs — one row\n| column | meaning |\n|---|---|\n| doc_id, case_id | |\n| test | x |\n## Side"
    )
    assert contract_tables(text) == {"labs": ["doc_id", "case_id", "test"]}


def test_schema_has_every_contract_table_in_its_order(contract):
    assert [name for name in TABLES if name in contract] == list(contract)


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_keeps_every_contract_column(contract, name):
    missing = [column for column in contract[name] if column not in TABLES[name].columns]
    assert not missing, f"{name}: CONTRACT.md columns the schema lacks: {missing}"


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_keeps_the_contract_column_order(contract, name):
    # columns may be added anywhere; those the contract names keep its order
    in_schema = [column for column in TABLES[name].columns if column in contract[name]]
    assert in_schema == [column for column in contract[name] if column in in_schema]


def test_link_fills_exactly_the_fact_tables():
    assert [field.name for field in fields(Facts)] == list(FACT_TABLES)


def sample_row(name: str) -> dict:
    values = {"string": "=x", "Int64": 3, "Float64": 0.00012, "boolean": True}
    return {column: values[dtype] for column, dtype in TABLES[name].dtypes.items()}


@pytest.mark.parametrize("n_rows", [0, 2])
def test_written_tables_have_the_schema_columns_and_dtypes(tmp_path, n_rows):
    for name, spec in TABLES.items():
        rows = [sample_row(name)] * n_rows
        assert rows == [vars(spec.row(**row)) for row in rows]  # the sample is a valid row
        write_table(frame(name, rows), tmp_path, name)
        parquet = pd.read_parquet(tmp_path / f"{name}.parquet")
        arrow_names = pq.read_schema(tmp_path / f"{name}.parquet").names
        csv = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(parquet.columns) == arrow_names == spec.columns == list(csv.columns)
        assert {c: str(t) for c, t in parquet.dtypes.items()} == spec.dtypes
        assert len(parquet) == len(csv) == n_rows
