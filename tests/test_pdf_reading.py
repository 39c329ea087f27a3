"""The PDF stage on journal-style PDFs generated with known content."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from pipeline.pdf import keep_line_end_hyphen, read_pdf
from tools.journal_pdf import render_pdf


def body(text: str) -> str:
    """Everything before the references (their line grouping is not under test here)."""
    return text.split("\n\nREFERENCES")[0]


def test_two_column_article_reads_exactly_as_written(journal_pdf):
    path, expected = journal_pdf
    layout = read_pdf(path)
    assert layout.pages == 2
    assert body(layout.text) == body(expected)


def test_paragraphs_continue_across_columns_and_pages(long_pdf):
    path, expected = long_pdf
    layout = read_pdf(path)
    assert layout.pages >= 3
    pages_per_block = [{r.box.page for r in b.text.runs} for b in layout.blocks if b.kind == "text"]
    assert any(len(pages) == 2 for pages in pages_per_block)  # a paragraph does turn the page
    assert body(layout.text) == body(expected)


def test_single_column_layout(tmp_path, corpus_spec):
    spec = dict(corpus_spec, columns=1)
    expected = render_pdf(spec, tmp_path / "one.pdf")
    assert body(read_pdf(tmp_path / "one.pdf").text) == body(expected)


def test_running_headers_footers_page_numbers_and_doi_are_removed(journal_pdf, corpus_spec):
    layout = read_pdf(journal_pdf[0])
    text = layout.text
    assert corpus_spec["running_header"][0] not in text
    assert "Moreno L et al." not in text
    assert "Synthetic Journal of Case Reports" not in text
    assert "10.5555/synth.2026.001" not in text
    assert not re.search(r"(^|\n)\d\n", text)  # no lone page numbers
    removed = " ".join(layout.furniture)
    assert "Moreno" in removed and "DOI:" in removed


def test_superscripts_and_subscripts_keep_their_meaning(journal_pdf):
    text = read_pdf(journal_pdf[0]).text
    assert "3.2 × 10^9/L" in text
    assert "1.4 × 10^11/L" in text
    assert "109/L" not in text and "1011/L" not in text
    assert "anti-MDA5 Ab+ dermatomyositis" in text
    assert "(SpO2)" in text
    assert "2140 μg/L" in text  # the micro sign is normalised to Greek mu


def test_hyphenation_repaired_but_real_hyphens_kept(journal_pdf):
    text = read_pdf(journal_pdf[0]).text
    assert "Serum immunoglobulin G was 15.8 g/L" in text
    assert "immuno-" not in text
    assert "The dose of anti-MDA5 antibody monitoring" in text


@pytest.mark.parametrize(
    "left, right, vocabulary, keep",
    [
        ("immuno", "globulin", {}, False),
        ("anti", "MDA5", {}, True),
        ("follow", "up", {"follow-up": 3}, True),
        ("anti", "body", {"antibody": 2}, False),
        ("anti", "inflammatory", {}, True),
        ("high", "dose", {"dose": 4}, True),
        ("high", "lights", {}, False),
        ("follow", "up", {"up": 2}, True),
        ("2", "3 mo", {}, True),
    ],
)
def test_line_end_hyphen_decisions(left, right, vocabulary, keep):
    assert keep_line_end_hyphen(left, right, Counter(vocabulary)) is keep


def test_lab_table_is_kept_as_rows_and_cells(journal_pdf):
    layout = read_pdf(journal_pdf[0])
    tables = [b for b in layout.blocks if b.kind == "table"]
    assert len(tables) == 1
    rows = [[cell.text for cell in row] for row in tables[0].rows]
    assert rows == [
        ["Test", "Admission", "Week 8", "Unit"],
        ["WBC", "3.2", "6.1", "× 10^9/L"],
        ["Ferritin", "2140", "380", "μg/L"],
        ["LDH", "512", "231", "U/L"],
        ["KL-6", "1850", "760", "U/mL"],
    ]
    # the cells are not also flattened into the running text
    paragraphs = [b.text.text for b in layout.blocks if b.kind == "text"]
    assert not any("1850" in p for p in paragraphs)


def test_captions_are_blocks_of_their_own(journal_pdf):
    layout = read_pdf(journal_pdf[0])
    captions = [b.text.text for b in layout.blocks if b.kind == "caption"]
    assert captions == [
        "Table 1 Laboratory results on admission and at follow-up",
        "Figure 1 Chest computed tomography on admission showing bilateral ground-glass opacities.",
    ]
    assert not any("Figure 1" in b.text.text for b in layout.blocks if b.kind == "text")


def test_title_and_run_in_labels(journal_pdf, corpus_spec):
    from pipeline.sections import build_article

    layout = read_pdf(journal_pdf[0])
    assert build_article(layout, "synth").title == corpus_spec["title"]
    background = next(b for b in layout.blocks if b.text.text.startswith("BACKGROUND"))
    assert background.text.text[: background.lead_bold] == "BACKGROUND"


def test_every_character_maps_back_to_its_page_and_box(journal_pdf):
    import pdfplumber

    path, _ = journal_pdf
    layout = read_pdf(path)
    with pdfplumber.open(path) as pdf:
        sizes = [(float(p.width), float(p.height)) for p in pdf.pages]
    for block in layout.blocks:
        mapped = block.text
        for offset, _char in enumerate(mapped.text):
            box = mapped.box_at(offset)
            assert box is not None, (block.text.text, offset)
            width, height = sizes[box.page - 1]
            assert 0 <= box.x0 <= box.x1 <= width and 0 <= box.top <= box.bottom <= height
    # a word on the second page points to the second page, at the place it is printed
    conclusion = next(b for b in layout.blocks if b.text.text.startswith("Tocilizumab can be considered"))
    assert conclusion.page == 2 and conclusion.text.page_at(0) == 2
    import pdfplumber as plumber

    with plumber.open(path) as pdf:
        words = [w for w in pdf.pages[1].extract_words() if w["text"] == "Tocilizumab"]
    box = conclusion.text.box_at(0)
    assert any(abs(w["x0"] - box.x0) < 0.5 and abs(w["top"] - box.top) < 0.5 for w in words)


def test_ligatures_and_odd_spaces_in_an_embedded_font(tmp_path):
    """A TrueType font (embedded, with a ToUnicode map) that prints ﬁ/ﬂ ligature glyphs and no-break spaces."""
    import os

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Vera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")))
    path = tmp_path / "ligatures.pdf"
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.setFont("Vera", 10)
    pdf.drawString(72, 720, "Pulmonary \ufb01brosis with in\ufb02ammation; prednisone 10\u00a0mg daily.")
    pdf.save()
    assert read_pdf(path).text == "Pulmonary fibrosis with inflammation; prednisone 10 mg daily."


@pytest.mark.parametrize("spec_name", ["synth-001", "synth-002", "synth-003"])
def test_every_bundled_layout_reads_exactly(tmp_path, spec_name):
    """Two columns, two patients, and a one-page one-column series whose banner cannot repeat."""
    from conftest import SPECS

    from tools.journal_pdf import load_spec

    expected = render_pdf(load_spec(SPECS / f"{spec_name}.json"), tmp_path / "doc.pdf")
    assert body(read_pdf(tmp_path / "doc.pdf").text) == body(expected)
