"""The review page as a person uses it: per-patient tables, eval's misses, the run's error rows,
and, in a real browser (Playwright driving Debian's chromium), a click on a medication row that
scrolls its highlighted mention into view and marks it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import bad_inputs
import pytest

from pipeline.batch import run
from pipeline.evaluate import evaluate, write_reports
from pipeline.report import write_report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def scored_run(out: Path, inputs: list[Path]) -> str:
    run(inputs, out, workers=1)
    write_reports(evaluate(out, ROOT / "gold"), out / "eval" / "scores.json", out / "eval" / "errors.tsv")
    return write_report(out).read_text("utf-8")


@pytest.fixture(scope="module")
def one_document(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "one"
    scored_run(out, [CORPUS / "synth-001.pdf"])
    return out


@pytest.fixture(scope="module")
def batch_page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("review") / "batch"
    broken = bad_inputs.zero_bytes(out.parent / "broken.pdf")
    return scored_run(out, [*sorted(CORPUS.glob("*.pdf")), broken])


def test_the_page_has_every_table_per_patient_and_every_miss(batch_page):
    assert "<h1>casextract review: 4 documents</h1>" in batch_page
    # synth-003 reports three patients: a section and tables for each
    synth_003 = batch_page[batch_page.index("id='doc-synth-003'") :].split("</details>")[0]
    assert [int(n) for n in re.findall(r"<h3>Case (\d+)", synth_003)] == [1, 2, 3]
    for table in ("cases", "medications", "labs", "diagnoses"):
        assert f"<table class='{table}'>" in synth_003
    assert "<th>timepoint</th>" in synth_003 and "<th>certainty</th>" in synth_003 and "<th>negated</th>" in synth_003
    # the run summary: error rows with their reasons, F1 per field
    errors = batch_page[batch_page.index("<h2>Error rows</h2>") :].split("</table>")[0]
    assert "broken" in errors and "empty file" in errors.lower()
    assert "<h2>Accuracy (casextract eval, 3 documents scored)</h2>" in batch_page
    # every miss and false hit eval listed appears with its sentence
    listed = (batch_page.count("<table class='findings'>"), batch_page.count("No misses and no false hits"))
    assert sum(listed) == 3
    # several documents: all sections start closed
    assert " open>" not in batch_page and "open>" not in batch_page.split("<details")[1]


def test_the_page_needs_no_network(batch_page):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", batch_page)
    assert "<link" not in batch_page and "@import" not in batch_page


def test_a_single_document_is_open(one_document):
    page = (one_document / "report.html").read_text("utf-8")
    assert "id='doc-synth-001' open>" in page


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (apt install chromium)")
    return path


def test_clicking_a_medication_row_shows_its_mention(one_document, tmp_path):
    if os.environ.get("CI"):  # CI installs the test extra: a missing playwright is a failure there
        import playwright.sync_api as sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((one_document / "report.html").as_uri())
            rows = page.locator("table.medications tr[data-mark]")
            assert rows.count() >= 5
            row = rows.nth(rows.count() - 1)  # the last: far down the text, so it must scroll
            mark = page.locator(f"#{row.get_attribute('data-mark')}")
            sync_api.expect(mark).not_to_be_in_viewport()
            drug = row.locator("td").nth(1).inner_text()  # the mention column
            row.click()
            sync_api.expect(mark).to_have_class("active")
            sync_api.expect(mark).to_be_in_viewport()
            assert mark.inner_text() == drug
            page.screenshot(path=str(tmp_path / "review-page.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "review-page.png").stat().st_size > 10_000


def test_numbers_on_the_page_are_written_as_in_the_csv():
    from pipeline.report import _value

    assert (_value(1500000.0), _value(0.00008), _value(3.2)) == ("1500000", "0.00008", "3.2")


def test_highlights_of_two_documents_never_share_an_id(batch_page):
    ids = re.findall(r'<mark id="([^"]+)"', batch_page)
    assert len(ids) == len(set(ids)) > 50
    assert {i.split("-")[1] for i in ids} == {"0", "1", "2"}  # one key per document, by its place in the run


def test_the_page_shows_each_diagnosis_code_and_groups_the_run_by_code(batch_page):
    synth_002 = batch_page[batch_page.index("id='doc-synth-002'") :].split("</details>")[0]
    assert "<th>icd10cm</th>" in synth_002 and "<td>M10.9</td><td>Gout, unspecified</td>" in synth_002
    grouped = batch_page[batch_page.index("Diagnoses by ICD-10-CM code") :].split("</table>")[0]
    gout = re.search(
        r"<tr><td>M10.9</td><td>Gout, unspecified</td><td>(\d+)</td><td>(\d+)</td><td>([^<]*)</td>", grouped
    )
    assert gout and gout.groups() == ("1", "1", "gout")


def test_each_document_shows_its_own_rows_in_table_order():
    import pandas as pd

    from pipeline.report import rows_by_document

    table = pd.DataFrame(
        {"doc_id": ["b", "a", "b", "a"], "drug": ["x", "y", "z", "w"], "dose_value": [1.5, None, 2.0, 3.0]}
    ).astype({"dose_value": "Float64"})
    grouped = rows_by_document(table)
    assert [r["drug"] for r in grouped["b"]] == ["x", "z"] and [r["drug"] for r in grouped["a"]] == ["y", "w"]
    # the records a document's own selection gives, value for value
    assert grouped["a"] == table[table["doc_id"] == "a"].to_dict("records")
    assert rows_by_document(table.iloc[0:0]) == {}
