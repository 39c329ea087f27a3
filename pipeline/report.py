"""`report.html`: one self-contained page to review a run by eye.

Each document's text (`text/DOC_ID.txt`) is shown with every extracted fact highlighted where it
was found, coloured by table; hovering a highlight shows its row. No server, no scripts from
anywhere: the page is plain HTML with a little inline CSS.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from .schema import DOCUMENTS, FACT_TABLES, TABLES

# the facts highlighted in the text, and what hovering one shows: the tables that declare a summary
SUMMARY_FIELDS = {name: spec.summary for name, spec in TABLES.items() if spec.summary}
COLOURS = {"medications": "#cfe3ff", "labs": "#d4f5d4", "diagnoses": "#ffe0c2"}
OTHER_COLOUR = "#e4e4e4"  # a highlighted table added without a colour of its own

STYLE = """
body{font:14px/1.5 system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.4em} summary{cursor:pointer;font-weight:600;margin:.4em 0}
.counts{color:#555;font-weight:400} .error{color:#b00020}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:1em;font:13px/1.6 Georgia,serif}
mark{border-radius:3px;padding:0 1px} .legend span{padding:2px 6px;margin-right:.6em;border-radius:3px}
table.cases{border-collapse:collapse;margin:.5em 0} table.cases td,table.cases th{border:1px solid #ccc;padding:2px 8px}
"""


def _value(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _colour(table: str) -> str:
    return COLOURS.get(table, OTHER_COLOUR)


def _tooltip(table: str, row: dict) -> str:
    parts = [f"{field}={_value(row.get(field))}" for field in SUMMARY_FIELDS[table] if _value(row.get(field))]
    return f"{table}: " + ", ".join(parts)


def highlight(text: str, marks: list[tuple[int, int, str, str]]) -> str:
    """HTML of `text` with non-overlapping (start, end, table, tooltip) marks; overlaps keep the first."""
    out, position = [], 0
    for start, end, table, tip in sorted(marks, key=lambda m: (m[0], -m[1])):
        if start < position or end <= start or end > len(text):
            continue
        out.append(html.escape(text[position:start]))
        out.append(
            f'<mark style="background:{_colour(table)}" title="{html.escape(tip, quote=True)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def build_report(out_dir: str | Path) -> str:
    out_dir = Path(out_dir)
    tables = {
        name: pd.read_parquet(out_dir / f"{name}.parquet") for name in TABLES if (out_dir / f"{name}.parquet").exists()
    }
    documents = tables[DOCUMENTS]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>casextract review — {html.escape(out_dir.name)}"
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>casextract review: {len(documents)} documents</h1><p class='legend'>",
    ]
    parts += [f"<span style='background:{_colour(name)}'>{name}</span>" for name in SUMMARY_FIELDS]
    parts.append("</p>")
    for doc in documents.to_dict("records"):
        doc_id = doc["doc_id"]
        if doc["status"] != "ok":
            parts.append(
                f"<details><summary>{html.escape(doc_id)} <span class='error'>error: "
                f"{html.escape(_value(doc['error']))}</span></summary></details>"
            )
            continue
        rows = {name: df[df["doc_id"] == doc_id].to_dict("records") for name, df in tables.items() if name != DOCUMENTS}
        counts = ", ".join(
            f"{len(rows.get(n, []))} {n if len(rows.get(n, [])) != 1 else TABLES[n].singular}" for n in FACT_TABLES
        )
        text_path = out_dir / "text" / f"{doc_id}.txt"
        text = text_path.read_text("utf-8") if text_path.exists() else ""
        marks = []
        for table in SUMMARY_FIELDS:
            for row in rows.get(table, []):
                start, end = row.get("start_char"), row.get("end_char")
                if _value(start) and _value(end):
                    marks.append((int(start), int(end), table, _tooltip(table, row)))
        cases = "".join(
            f"<tr><td>{html.escape(_value(c['case_id']))}</td><td>{html.escape(_value(c['age_years']))}</td>"
            f"<td>{html.escape(_value(c['sex']))}</td><td>{html.escape(_value(c['evidence']))}</td></tr>"
            for c in rows.get("cases", [])
        )
        title = html.escape(_value(doc.get("title")))
        parts.append(
            f"<details><summary>{html.escape(doc_id)} <span class='counts'>— {counts}</span></summary>"
            f"<p><em>{title}</em></p>"
            f"<table class='cases'><tr><th>case</th><th>age</th><th>sex</th><th>evidence</th></tr>{cases}</table>"
            f"<div class='text'>{highlight(text, marks)}</div></details>"
        )
    parts.append("</body></html>")
    return "".join(parts)


def write_report(out_dir: str | Path) -> Path:
    from .tables import atomic_write_text

    target = Path(out_dir) / "report.html"
    atomic_write_text(target, build_report(out_dir))
    return target
