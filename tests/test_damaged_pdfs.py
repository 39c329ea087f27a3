"""Damaged PDFs (a truncated download, a broken cross-reference table, bytes lost or changed): every
one is a documents row; one pdfium reads text from is an `ok` row whose `warning` says it was
read after repair and names the pages lost, with the text of the pages read; the rest are error
rows that say why. Both engines give the same rows and text."""

from __future__ import annotations

import json
from pathlib import Path

import bad_inputs
import pandas as pd
import pytest

from pipeline.batch import Limits, run
from pipeline.pdf import ENGINES, read_pdf
from pipeline.pdf.repair import REPAIRED, page_list, repair_warning

PAGES = 4


def page_text(number: int) -> list[str]:
    """About 1,000 characters a page, each page with words of its own (`kestrel3`)."""
    return [
        f"Page {number}, line {line}: kestrel{number} the patient received methylprednisolone 40 mg daily."
        for line in range(12)
    ]


def pdfium_alone(path: Path) -> list[str] | None:
    """Each page's text as pypdfium2 reads it on its own ('' for a page it fails on); None when it
    cannot open the file."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return None
    texts = []
    for index in range(len(document)):
        try:
            texts.append(document[index].get_textpage().get_text_range())
        except pypdfium2.PdfiumError:
            texts.append("")
    document.close()
    return texts


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("damaged")
    source = bad_inputs.report_pages(folder / "intact.pdf", [page_text(n) for n in range(1, PAGES + 1)])
    return {
        "intact": source,
        # a download that stopped: early (no page's content left), after page 3, just before the end
        "cut-30": bad_inputs.cut_at(folder / "cut-30.pdf", source, 0.3),
        "cut-80": bad_inputs.cut_at(folder / "cut-80.pdf", source, 0.8),
        "cut-97": bad_inputs.cut_at(folder / "cut-97.pdf", source, 0.97),
        "xref": bad_inputs.broken_xref(folder / "xref.pdf", source),
        "deleted-10": bad_inputs.bytes_deleted(folder / "deleted-10.pdf", source, 0.1, 300),
        "deleted-50": bad_inputs.bytes_deleted(folder / "deleted-50.pdf", source, 0.5, 300),
        "deleted-70": bad_inputs.bytes_deleted(folder / "deleted-70.pdf", source, 0.7, 300),
        # streams: 0 is the first font's, then one content stream per page
        "flipped-page-2": bad_inputs.stream_bytes_flipped(folder / "flipped-page-2.pdf", source, 1, 5, seed=1),
    }


@pytest.fixture(scope="module")
def outs(damaged, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    for engine in ENGINES:  # in this process, one document after another: the model loads once
        run(list(damaged.values()), out / engine, workers=1, limits=Limits(0, 0, 0, engine))
    return {engine: out / engine for engine in ENGINES}


def documents(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("doc_id")


@pytest.mark.parametrize("engine", list(ENGINES))
def test_each_damaged_pdf_pdfium_reads_is_an_ok_row_with_a_warning_and_its_text(damaged, outs, engine):
    docs = documents(outs[engine])
    assert sorted(docs.index) == sorted(damaged)  # exactly one row each
    assert (docs.loc["intact", "status"], docs.loc["intact", "warning"]) == ("ok", "")
    for name, path in damaged.items():
        row = docs.loc[name]
        alone = pdfium_alone(path)
        if name == "intact":
            continue
        if alone is not None and len("".join(alone).strip()) > 500:
            assert row.status == "ok" and row.warning.startswith(REPAIRED), (name, row.error)
            text = (outs[engine] / "text" / f"{name}.txt").read_text("utf-8")
            for number, page in enumerate(alone, start=1):
                if f"kestrel{number}" in page:
                    assert f"kestrel{number}" in text, (name, number)
        elif row.status == "ok":  # read by the repair beyond what pdfium does alone (a trailer added)
            assert row.warning.startswith(REPAIRED), name
        else:
            assert row.error.startswith("damaged PDF (") and row.warning == "", name
        if row.status == "error":
            assert row.warning == ""


@pytest.mark.parametrize("engine", list(ENGINES))
def test_the_warning_names_the_pages_lost(outs, engine):
    docs = documents(outs[engine])
    expected = {
        "xref": f"{REPAIRED} (broken cross-reference table)",
        # the last page's content stream was cut off; a trailer naming the catalog is added back
        "cut-80": f"{REPAIRED} (Unexpected EOF): page 4 unreadable",
        "cut-97": f"{REPAIRED} (No /Root object! - Is this really a PDF?)",
        # pdfium passes over the stream it cannot decode; pdfminer, asked about the empty page, fails
        "flipped-page-2": f"{REPAIRED} (Non-Ascii85 digit found:): page 2 unreadable",
        "deleted-10": f"{REPAIRED} (broken cross-reference table): page 2 unreadable",
        "deleted-70": f"{REPAIRED} (broken cross-reference table): pages 3-4 with no text",
    }
    assert {name: docs.loc[name, "warning"] for name in expected} == expected
    lost_first = docs.loc["deleted-50", "warning"].removeprefix(f"{REPAIRED} (broken cross-reference table): ")
    assert lost_first.startswith(("page 1 ", "pages 1-", "pages 1, ")), lost_first  # its content stream hit
    assert (docs.loc["cut-30", "status"], docs.loc["cut-30", "error"]) == ("error", "damaged PDF (Unexpected EOF)")
    assert docs.loc["cut-80", "pages"] == str(PAGES)
    text = (outs[engine] / "text" / "cut-80.txt").read_text("utf-8")
    assert all(f"kestrel{n}" in text for n in (1, 2, 3)) and "kestrel4" not in text


def test_truncated_files_pdfium_alone_cannot_open_are_read_after_a_trailer_is_added(damaged):
    assert pdfium_alone(damaged["cut-80"]) is None and pdfium_alone(damaged["cut-97"]) is None
    assert "kestrel4" in read_pdf(damaged["cut-97"]).text


def test_both_engines_give_the_same_rows_and_text(outs):
    reference, fast = outs["pdfplumber"], outs["pdfium"]
    pd.testing.assert_frame_equal(documents(reference), documents(fast))
    for path in sorted((reference / "text").glob("*.txt")):
        assert (fast / "text" / path.name).read_text("utf-8") == path.read_text("utf-8"), path.name


def test_run_json_and_the_review_page_show_the_warnings(outs):
    out = outs["pdfplumber"]
    report = json.loads((out / "run.json").read_text("utf-8"))
    per_document = {d["doc_id"]: d for d in report["per_document"]}
    warned = {name for name, d in per_document.items() if d["warning"]}
    assert per_document["intact"]["warning"] == "" and "cut-80" in warned
    assert report["documents"]["warning"] == len(warned) and not warned & {"intact", "cut-30"}
    page = (out / "report.html").read_text("utf-8")
    assert "Read with a warning" in page and "page 4 unreadable" in page


def test_an_undamaged_pdf_is_read_by_the_engine_asked_for_without_a_warning(damaged):
    for engine, open_source in ENGINES.items():
        layout = read_pdf(damaged["intact"], open_source=open_source)
        assert layout.warning == "" and "kestrel4" in layout.text, engine


def test_warning_wording():
    assert page_list([9, 2, 7, 8]) == "pages 2, 7-9" and page_list([4]) == "page 4"
    assert repair_warning("Unexpected EOF", [7, 8, 9], [2]) == (
        "damaged PDF, read after repair (Unexpected EOF): pages 7-9 unreadable; page 2 with no text"
    )
    assert repair_warning("broken cross-reference table", [], []) == (
        "damaged PDF, read after repair (broken cross-reference table)"
    )
