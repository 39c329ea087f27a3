"""`--pdf-engine pdfium` gives the tables and text `pdfplumber` (the reference) gives, on the bundled
corpus, the real-report PDFs (two- and one-column) and the hostile-input set."""

from __future__ import annotations

from pathlib import Path

import bad_inputs
import pandas as pd
import pytest
from conftest import ROOT, shared_path

from pipeline.batch import Limits, run
from pipeline.pdf import ENGINES
from pipeline.pdf.pdfium_chars import open_pdfium
from pipeline.schema import TABLES

CORPUS = ROOT / "corpus"


def hostile_inputs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    source = CORPUS / "synth-002.pdf"
    return [
        bad_inputs.zero_bytes(folder / "empty.pdf"),
        bad_inputs.text_named_pdf(folder / "notes.pdf"),
        bad_inputs.truncated(folder / "truncated.pdf", source),
        bad_inputs.encrypted(folder / "locked.pdf", "secret"),
        bad_inputs.encrypted(folder / "owner-only.pdf", ""),
        bad_inputs.image_only(folder / "scanned.pdf"),
        bad_inputs.broken_xref(folder / "broken-xref.pdf", source),
        bad_inputs.many_pages(folder / "long.pdf", 30),
        bad_inputs.nested_objects(folder / "nested.pdf"),
        bad_inputs.malformed_font(folder / "bad-font.pdf"),
        bad_inputs.latin1_text(folder / "latin1.pdf"),
        # pages whose crop box or /Rotate puts pdfium's page frame apart from pdfplumber's
        reframed(folder / "cropped.pdf", CORPUS / "synth-003.pdf", crop=20),
        reframed(folder / "turned.pdf", CORPUS / "synth-003.pdf", rotate=90),
    ]


def reframed(path: Path, source: Path, *, crop: float = 0.0, rotate: int = 0) -> Path:
    """`source` with every page's crop box `crop` points inside its media box, or turned by /Rotate."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(source))
    for page in document:
        if crop:
            left, bottom, right, top = page.get_mediabox()
            page.set_cropbox(left + crop, bottom + crop, right - crop, top - crop)
        if rotate:
            page.set_rotation(rotate)
    document.save(str(path))
    document.close()
    return path


def run_both(inputs: list[Path], out: Path) -> dict[str, Path]:
    outs = {}
    for engine in ENGINES:
        outs[engine] = out / engine
        run(inputs, outs[engine], workers=2, limits=Limits(max_pages=20, pdf_engine=engine))
    return outs


def assert_same_output(outs: dict[str, Path]) -> None:
    reference, fast = outs["pdfplumber"], outs["pdfium"]
    for name in TABLES:
        a, b = pd.read_parquet(reference / f"{name}.parquet"), pd.read_parquet(fast / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b, obj=name)
    texts = sorted(p.name for p in (reference / "text").glob("*.txt"))
    assert texts == sorted(p.name for p in (fast / "text").glob("*.txt"))
    for name in texts:  # the reading-order text, character for character
        assert (fast / "text" / name).read_text("utf-8") == (reference / "text" / name).read_text("utf-8"), name


def test_engines_agree_on_the_corpus_and_hostile_inputs(tmp_path):
    inputs = sorted(CORPUS.glob("*.pdf")) + hostile_inputs(tmp_path / "hostile")
    outs = run_both(inputs, tmp_path / "out")
    assert_same_output(outs)
    documents = pd.read_parquet(outs["pdfium"] / "documents.parquet").set_index("doc_id")
    assert documents.loc["synth-003", "status"] == "ok" and documents.loc["locked", "error"].startswith("encrypted")
    errors = set(documents.index[documents.status == "error"])
    assert {"empty", "notes", "locked", "scanned", "long"} <= errors  # the same error rows, and reasons


@pytest.mark.slow
def test_engines_agree_on_the_real_report_pdfs(tmp_path):
    from tools.real_corpus import build

    source = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    folders = build(tmp_path / "inputs", source, layouts=("pdf-2col", "pdf-1col"))
    for layout, folder in folders.items():
        assert len(list(folder.iterdir())) == 45
        assert_same_output(run_both(sorted(folder.iterdir()), tmp_path / layout))


def test_pdfium_reads_characters_as_pdfminer_boxes_them(tmp_path):
    from pipeline.pdf import open_plumber

    path = CORPUS / "synth-001.pdf"
    with open_plumber(path) as reference, open_pdfium(path) as fast:
        for page_a, page_b in zip(reference.pages(), fast.pages()):
            a, b = list(page_a.chars()), list(page_b.chars())
            assert [c["text"] for c in a] == [c["text"] for c in b]
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert max(abs(x[key] - y[key]) for x, y in zip(a, b)) < 0.01, key
            assert [c["upright"] for c in a] == [c["upright"] for c in b]


def test_pdfium_asks_pdfplumber_for_tables_only_where_rules_are_drawn(tmp_path):
    with open_pdfium(CORPUS / "synth-003.pdf") as document:
        ruled = [page.number for page in document.pages() if page.could_hold_a_table()]
    with open_pdfium(bad_inputs.simple_pdf(tmp_path / "plain.pdf", ["No table here."])) as document:
        plain = [page.could_hold_a_table() for page in document.pages()]
    assert ruled and len(ruled) < 4 and plain == [False]


def test_pdfium_reads_an_embedded_font_as_pdfminer_boxes_it(tmp_path):
    """An embedded TrueType font has no standard metrics: each character's right edge is pdfium's
    loose box, the rest as pdfminer builds it (every per-character pdfium call is made here)."""
    import os

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from pipeline.pdf import open_plumber

    pdfmetrics.registerFont(TTFont("Vera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")))
    path = tmp_path / "embedded.pdf"
    pdf = canvas.Canvas(str(path), invariant=1)
    for line, text in enumerate(["Serum ferritin 1,250 ng/mL (ref 30-400).", "Prednisone 40 mg daily, then tapered."]):
        pdf.setFont("Vera", 10 + 2 * line)
        pdf.drawString(72, 720 - 30 * line, text)
    pdf.save()
    with open_plumber(path) as reference, open_pdfium(path) as fast:
        ((a, b),) = [(list(x.chars()), list(y.chars())) for x, y in zip(reference.pages(), fast.pages())]
    assert "".join(c["text"] for c in b) == "".join(c["text"] for c in a) != ""
    assert {c["size"] for c in b} == {c["size"] for c in a} == {10.0, 12.0}
    # pdfium places an embedded font's glyphs by its own advances, pdfminer by the PDF's /Widths:
    # a fraction of a point apart along a line, which word and line finding tolerate
    for key in ("x0", "x1", "top", "bottom"):
        assert max(abs(x[key] - y[key]) for x, y in zip(a, b)) < 0.5, key
