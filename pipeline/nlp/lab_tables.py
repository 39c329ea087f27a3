"""Lab tables (a row per test, a column per date or patient) read cell by cell, for
`casextract_labs`; running text skips the characters a table holds."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from .quantities import clean_unit, is_unit, parse_number, to_canonical
from .values import COMPARATORS, LAB, LabResult, LabTestEntry, lab_entry


def table_character_ranges(doc: Doc) -> list[tuple[int, int]]:
    """The characters of the article's tables, which the running-text readers leave to this one."""
    article = doc._.article if Doc.has_extension("article") else None
    if article is None:
        return []
    return [(t.start, t.end) for t in article.tables]


def read_lab_tables(doc: Doc, lexicon: tuple[dict[str, LabTestEntry], dict[str, LabTestEntry]]) -> list[LabResult]:
    """Tables with a test per row: each numeric cell is a result; the column header (a date,
    `Admission`, `Case 2`) is kept; a `Unit` column or a unit in the test cell gives the unit."""
    article = doc._.article if Doc.has_extension("article") else None
    if article is None:
        return []
    results = []
    for table in article.tables:
        cells: dict[tuple[int, int], tuple[int, int]] = {(c.row, c.column): (c.start, c.end) for c in table.cells}
        if not cells:
            continue
        n_cols = 1 + max(c for _, c in cells)

        def cell_text(row: int, col: int | None, cells: dict = cells) -> str:
            return article.text[slice(*cells[(row, col)])] if (row, col) in cells else ""

        header = [cell_text(0, c) for c in range(n_cols)]
        unit_col = next((c for c, h in enumerate(header) if h.strip().lower() in ("unit", "units")), None)
        range_col = next((c for c, h in enumerate(header) if re.search(r"reference|normal|range", h, re.I)), None)
        for row in range(1, table.n_rows):
            if (row, 0) not in cells:
                continue
            label_start, label_end = cells[(row, 0)]
            tests = [e for e in doc.ents if e.label_ == LAB and label_start <= e.start_char < label_end]
            if not tests:
                continue
            test = tests[0]
            unit = clean_unit(cell_text(row, unit_col))
            if not unit:
                inline = re.search(r"\(([^)]+)\)\s*$", article.text[label_start:label_end])
                unit = clean_unit(inline.group(1)) if inline and is_unit(inline.group(1)) else ""
            reference = cell_text(row, range_col)
            entry = lab_entry(test, lexicon)
            for col in range(1, n_cols):
                if col in (unit_col, range_col) or (row, col) not in cells:
                    continue
                start, end = cells[(row, col)]
                raw = article.text[start:end].strip()
                match = re.fullmatch(r"(<|>|≤|≥)?\s*([\d.,]+)\s*(↑|↓|H|L)?", raw)
                if not match:
                    continue
                value = parse_number(match.group(2))
                if value is None:
                    continue
                value_si, unit_si = to_canonical(value, unit, entry.si_unit if entry else "") if unit else (None, "")
                flag = {"↑": "high", "H": "high", "↓": "low", "L": "low"}.get(match.group(3) or "", "")
                results.append(
                    LabResult(
                        test,
                        value,
                        COMPARATORS.get(match.group(1) or "", ""),
                        unit,
                        value_si,
                        unit_si,
                        reference.strip(),
                        flag,
                        start=start,
                        end=end,
                        column=header[col].strip(),
                        row_label=article.text[label_start:label_end],
                    )
                )
    return results
