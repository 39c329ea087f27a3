"""`report.html`: one self-contained page where a person checks a run.

The run's summary (documents, error rows and their reasons, documents read with a warning, and F1
per field once `casextract eval` has scored OUT) comes first. Then one section per document: per
patient, the cases, medications, labs and diagnoses as tables; what eval found missing or wrong,
with its sentence; and the text (`text/DOC_ID.txt`) with every fact highlighted where it was found.
Clicking a row scrolls to its highlight and marks it. No server and nothing fetched: inline CSS and a
few lines of inline script.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from .evaluate.gold import HELD_OUT_SPLIT
from .nlp.quantities import format_number
from .schema import DOCUMENTS, FACT_TABLES, TABLES
from .tables import atomic_write_text, read_tables

# the facts highlighted in the text, and what hovering one shows: the tables that declare a summary
SUMMARY_FIELDS = {name: spec.summary for name, spec in TABLES.items() if spec.summary}
COLOURS = {"medications": "#cfe3ff", "labs": "#d4f5d4", "diagnoses": "#ffe0c2"}
OTHER_COLOUR = "#e4e4e4"  # a highlighted table added without a colour of its own

# the columns of each per-patient table on the page (doc_id, case_id and provenance are implied)
SHOWN = {
    "cases": ("age_years", "sex", "evidence"),
    "medications": (
        "drug",
        "mention",
        "dose_text",
        "route",
        "frequency",
        "duration",
        "timepoint",
        "negated",
        "drugbank_id",
    ),
    "labs": (
        "test",
        "mention",
        "comparator",
        "value",
        "result",
        "unit",
        "reference_range",
        "flag",
        "timepoint",
        "loinc",
    ),
    "diagnoses": ("diagnosis", "mention", "negated", "certainty", "icd10cm", "icd10cm_title"),
}

STYLE = """
body{font:14px/1.5 system-ui,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.4em} h2{font-size:1.15em;margin:1.2em 0 .3em} h3{font-size:1em;margin:.8em 0 .2em}
summary{cursor:pointer;font-weight:600;margin:.4em 0} .counts{color:#555;font-weight:400} .error{color:#b00020}
.warning{color:#8a5300}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:1em;font:13px/1.6 Georgia,serif;
max-height:36em;overflow:auto}
mark{border-radius:3px;padding:0 1px} mark.active{outline:3px solid #d00;background:#ffeb3b!important}
.legend span{padding:2px 6px;margin-right:.6em;border-radius:3px}
table{border-collapse:collapse;margin:.3em 0 .8em} td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;
vertical-align:top} th{background:#f0f0f0} tr[data-mark]{cursor:pointer} tr[data-mark]:hover{background:#fff7d6}
.patient{border-left:4px solid #9ab;padding-left:1em;margin:1em 0} .muted{color:#777}
"""

SCRIPT = """
document.addEventListener('click', function (event) {
  var row = event.target.closest('tr[data-mark]');
  if (!row) return;
  var mark = document.getElementById(row.dataset.mark);
  if (!mark) return;
  var section = mark.closest('details');
  if (section) section.open = true;
  document.querySelectorAll('mark.active').forEach(function (m) { m.classList.remove('active'); });
  mark.classList.add('active');
  mark.scrollIntoView({block: 'center'});
});
"""


def _value(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return format_number(value)  # as the CSV writes it: plain decimals, never `1.5e+06`
    return str(value)


def _escape(value) -> str:
    return html.escape(_value(value))


def _colour(table: str) -> str:
    return COLOURS.get(table, OTHER_COLOUR)


def _tooltip(table: str, row: dict) -> str:
    parts = [f"{field}={_value(row.get(field))}" for field in SUMMARY_FIELDS[table] if _value(row.get(field))]
    return f"{table}: " + ", ".join(parts)


def highlight(text: str, marks: list[tuple[int, int, str, str, str]]) -> tuple[str, dict[str, str]]:
    """HTML of `text` with (start, end, table, tooltip, id) marks, and where each id went: a mark
    overlapping one already placed is not drawn, and its id leads to the mark that covers it."""
    out, position, placed, shown = [], 0, {}, []
    for start, end, table, tip, mark_id in sorted(marks, key=lambda m: (m[0], -m[1])):
        if end <= start or end > len(text):
            continue
        if start < position:
            covering = next((i for s, e, i in reversed(shown) if s <= start < e), None)
            if covering:
                placed[mark_id] = covering
            continue
        out.append(html.escape(text[position:start]))
        out.append(
            f'<mark id="{mark_id}" style="background:{_colour(table)}" title="{html.escape(tip, quote=True)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        placed[mark_id] = mark_id
        shown.append((start, end, mark_id))
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out), placed


def _read_eval(out_dir: Path) -> tuple[dict | None, pd.DataFrame | None]:
    """`casextract eval`'s scores and error list for OUT, when it has run."""
    scores_path, errors_path = out_dir / "eval" / "scores.json", out_dir / "eval" / "errors.tsv"
    scores = json.loads(scores_path.read_text("utf-8")) if scores_path.is_file() else None
    errors = pd.read_csv(errors_path, sep="\t", dtype=str, keep_default_na=False) if errors_path.is_file() else None
    return scores, errors


def _html_table(headers: list[str], rows: list[list[str]], row_marks: list[str] | None = None, css: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for i, cells in enumerate(rows):
        mark = f' data-mark="{row_marks[i]}"' if row_marks and row_marks[i] else ""
        body.append(f"<tr{mark}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table class='{css}'><tr>{head}</tr>{''.join(body)}</table>"


def _scores_table(field_scores: dict) -> str:
    def fmt(value) -> str:
        return "–" if value is None else f"{value:.3f}"

    rows = [
        [html.escape(field), fmt(s.get("precision")), fmt(s.get("recall")), fmt(s.get("f1")), str(s["tp"] + s["fn"])]
        for field, s in field_scores.items()
    ]
    return _html_table(["field", "precision", "recall", "F1", "gold facts"], rows, css="scores")


def diagnoses_by_code(diagnoses: pd.DataFrame) -> str:
    """The patients' own conditions of the whole run grouped by ICD-10-CM code: how many reports
    and patients have each, under which names (a pooled view of the run)."""
    if "icd10cm" not in diagnoses.columns:  # a run made before codes
        return ""
    own = diagnoses[~diagnoses["negated"].astype(bool) & (diagnoses["subject"].fillna("") == "")]
    own = own[own["icd10cm"].fillna("") != ""]
    if own.empty:
        return ""
    own = own.assign(patient=own["doc_id"] + "/" + own["case_id"].astype(str))
    grouped = own.groupby(["icd10cm", "icd10cm_title"]).agg(
        reports=("doc_id", "nunique"), patients=("patient", "nunique"), names=("diagnosis", lambda n: sorted(set(n)))
    )
    grouped = grouped.sort_values(["reports", "patients"], ascending=False).reset_index()
    rows = [
        [_escape(r.icd10cm), _escape(r.icd10cm_title), str(r.reports), str(r.patients), _escape("; ".join(r.names))]
        for r in grouped.itertuples()
    ]
    headers = ["ICD-10-CM", "title", "reports", "patients", "names in the text"]
    return (
        "<details><summary>Diagnoses by ICD-10-CM code</summary>"
        + _html_table(headers, rows, css="codes")
        + "</details>"
    )


def run_summary(documents: pd.DataFrame, scores: dict | None) -> str:
    failed = documents[documents["status"] != "ok"]
    # a run written before the column existed has none
    warnings = documents["warning"].fillna("") if "warning" in documents else pd.Series("", index=documents.index)
    warned = documents[(documents["status"] == "ok") & (warnings != "")]
    with_warning = f" ({len(warned)} with a warning)" if len(warned) else ""
    parts = [
        f"<h1>casextract review: {len(documents)} document{'s' if len(documents) != 1 else ''}</h1>",
        f"<p>{len(documents) - len(failed)} read{with_warning}, "
        f"{len(failed)} error row{'s' if len(failed) != 1 else ''}.</p>",
    ]
    if len(failed):
        rows = [[_escape(d["doc_id"]), _escape(d["source_path"]), _escape(d["error"])] for _, d in failed.iterrows()]
        parts.append("<h2>Error rows</h2>" + _html_table(["document", "source", "reason"], rows, css="errors"))
    if len(warned):
        rows = [[_escape(d["doc_id"]), _escape(d["source_path"]), _escape(d["warning"])] for _, d in warned.iterrows()]
        parts.append(
            "<h2>Read with a warning</h2>" + _html_table(["document", "source", "warning"], rows, css="warned")
        )
    if scores:
        scored = len(scores.get("per_document", {}))
        parts.append(
            f"<h2>Accuracy (casextract eval, {scored} document{'s' if scored != 1 else ''} scored)</h2>"
            + _scores_table(scores["micro"])
        )
    parts.append("<p class='legend'>")
    parts += [f"<span style='background:{_colour(name)}'>{name}</span>" for name in SUMMARY_FIELDS]
    parts.append("</p>")
    return "".join(parts)


def patient_tables(doc_key: int, rows: dict[str, list[dict]], marks: dict[str, str]) -> str:
    """Per patient, a table for each of cases, medications, labs and diagnoses; a row's
    `data-mark` names its highlight in the text."""
    case_ids = sorted({str(r["case_id"]) for table in rows.values() for r in table}, key=_case_order)
    parts = []
    for case_id in case_ids:
        case = next((r for r in rows.get("cases", []) if str(r["case_id"]) == case_id), {})
        age = _value(case.get("age_years"))
        about = ", ".join(x for x in (f"{age} years" if age else "", _value(case.get("sex"))) if x)
        parts.append(f"<section class='patient'><h3>Case {html.escape(case_id)}{f' — {about}' if about else ''}</h3>")
        for table in FACT_TABLES:
            own = [(i, r) for i, r in enumerate(rows.get(table, [])) if str(r["case_id"]) == case_id]
            if not own:
                continue
            columns = SHOWN.get(table) or tuple(c for c in TABLES[table].columns if c not in ("doc_id", "case_id"))
            cells = [[_escape(r.get(c)) for c in columns] for _, r in own]
            targets = [marks.get(_mark_id(doc_key, table, i), "") for i, _ in own]
            parts.append(f"<h4>{table} ({len(own)})</h4>" + _html_table(list(columns), cells, targets, css=table))
        parts.append("</section>")
    return "".join(parts)


def _case_order(case_id: str) -> tuple[int, str]:
    return (int(case_id), "") if case_id.isdigit() else (10**6, case_id)


def _mark_id(doc_key: int, table: str, index: int) -> str:
    """A highlight's id: by the document's place in the run (doc_ids may differ only in characters
    an id cannot hold), its table and its row."""
    return f"m-{doc_key}-{table}-{index}"


def eval_findings(doc_id: str, scores: dict | None, errors: pd.DataFrame | None) -> str:
    """What eval found for the document: its F1 per field, and every miss and false hit with the
    sentence that holds it (withheld for the held-out test split)."""
    if not scores or doc_id not in scores.get("per_document", {}):
        return ""
    parts = ["<h3>Evaluation</h3>", _scores_table(scores["per_document"][doc_id])]
    test_split = doc_id in scores.get("split_documents", {}).get(HELD_OUT_SPLIT, [])
    own = errors[errors["doc_id"] == doc_id] if errors is not None else pd.DataFrame()
    if test_split and own.empty:
        parts.append("<p class='muted'>Misses and false hits withheld: the document is in the held-out test split.</p>")
    elif own.empty:
        parts.append("<p>No misses and no false hits.</p>")
    else:
        rows = [
            [html.escape(e[c]) for c in ("field", "kind", "case_id", "fact", "sentence")] for _, e in own.iterrows()
        ]
        parts.append(
            f"<h4>Misses and false hits ({len(own)})</h4>"
            + _html_table(["field", "kind", "case", "fact", "sentence"], rows, css="findings")
        )
    return "".join(parts)


def document_section(
    out_dir: Path, doc_key: int, doc: dict, tables: dict[str, dict[str, list[dict]]], scores, errors, open_: bool
) -> str:
    """`tables`: each fact table's rows by document (`rows_by_document`)."""
    doc_id = doc["doc_id"]
    if doc["status"] != "ok":
        return (
            f"<details><summary>{html.escape(doc_id)} <span class='error'>error: "
            f"{_escape(doc['error'])}</span></summary></details>"
        )
    rows = {name: by_document.get(doc_id, []) for name, by_document in tables.items()}
    counts = ", ".join(
        f"{len(rows.get(n, []))} {n if len(rows.get(n, [])) != 1 else TABLES[n].singular}" for n in FACT_TABLES
    )
    text_path = out_dir / "text" / f"{doc_id}.txt"
    text = text_path.read_text("utf-8") if text_path.exists() else ""
    marks = []
    for table in SUMMARY_FIELDS:
        for i, row in enumerate(rows.get(table, [])):
            start, end = row.get("start_char"), row.get("end_char")
            if _value(start) and _value(end):
                marks.append((int(start), int(end), table, _tooltip(table, row), _mark_id(doc_key, table, i)))
    text_html, placed = highlight(text, marks)
    warning = f"<p class='warning'>{_escape(doc['warning'])}</p>" if _value(doc.get("warning")) else ""
    return (
        f"<details id='doc-{html.escape(doc_id, quote=True)}'{' open' if open_ else ''}>"
        f"<summary>{html.escape(doc_id)} <span class='counts'>— {counts}</span></summary>"
        f"<p><em>{_escape(doc.get('title'))}</em></p>{warning}"
        f"{patient_tables(doc_key, rows, placed)}{eval_findings(doc_id, scores, errors)}"
        f"<h3>Text</h3><div class='text'>{text_html}</div></details>"
    )


def build_report(out_dir: str | Path) -> str:
    out_dir = Path(out_dir)
    tables = read_tables(out_dir)
    documents = tables[DOCUMENTS]
    scores, errors = _read_eval(out_dir)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>casextract review — {html.escape(out_dir.name)}"
        f"</title><style>{STYLE}</style></head><body>",
        run_summary(documents, scores),
        diagnoses_by_code(tables["diagnoses"]),
    ]
    only_one = len(documents) == 1
    by_document = {name: rows_by_document(df) for name, df in tables.items() if name != DOCUMENTS}
    parts += [
        document_section(out_dir, key, doc, by_document, scores, errors, only_one)
        for key, doc in enumerate(documents.to_dict("records"))
    ]
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "".join(parts)


def rows_by_document(table: pd.DataFrame) -> dict[str, list[dict]]:
    """A table's rows as records, by `doc_id`, in table order: grouped in one pass (selecting each
    document's rows from the whole table made the page quadratic in the batch's size)."""
    grouped: dict[str, list[dict]] = {}
    for row in table.to_dict("records"):
        grouped.setdefault(row["doc_id"], []).append(row)
    return grouped


def write_report(out_dir: str | Path) -> Path:
    target = Path(out_dir) / "report.html"
    atomic_write_text(target, build_report(out_dir))
    return target
