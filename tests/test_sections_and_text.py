"""Sections on a generated PDF; Markdown/plain-text input written the way the PDF stage writes print."""

from __future__ import annotations

import pytest
from conftest import shared_path

from pipeline.pdf import read_pdf
from pipeline.sections import build_article, classify_heading
from pipeline.textfile import inline, read_text


def test_care_sections_recognised_and_references_left_out(journal_pdf):
    article = build_article(read_pdf(journal_pdf[0]), "synth-001")
    names = [s.name for s in article.sections]
    assert names == [
        "abstract",
        "introduction",
        "case presentation",
        "chief complaints",
        "history of present illness",
        "physical examination",
        "laboratory examinations",
        "imaging examinations",
        "final diagnosis",
        "treatment",
        "outcome and follow-up",
        "discussion",
        "conclusion",
        "references",
    ]
    roles = {s.name: s.role for s in article.sections}
    assert roles["discussion"] == "background" and roles["treatment"] == "case" and roles["abstract"] == "front"
    assert "Arthritis Rheum" not in article.text and "REFERENCES" not in article.text
    labs = next(s for s in article.sections if s.name == "laboratory examinations")
    assert article.text[labs.start : labs.end].startswith("Laboratory examinations\n\nLaboratory tests on admission")
    assert "3.2 × 10^9/L" in article.text[labs.start : labs.end]


def test_article_offsets_keep_their_pages_and_tables_their_cells(journal_pdf):
    article = build_article(read_pdf(journal_pdf[0]), "synth-001")
    start = article.text.index("Tocilizumab can be considered")
    assert article.text_map.page_at(start) == 2
    assert article.text_map.page_at(article.text.index("Gottron papules")) == 1
    (table,) = article.tables
    assert table.caption == "Table 1 Laboratory results on admission and at follow-up"
    cells = {(c.row, c.column): article.text[c.start : c.end] for c in table.cells}
    assert cells[(1, 0)] == "WBC" and cells[(1, 3)] == "× 10^9/L" and cells[(4, 2)] == "760"
    assert table.n_rows == 5


@pytest.mark.parametrize(
    "heading, name",
    [
        ("CASE PRESENTATION", "case presentation"),
        ("2. Case report", "case presentation"),
        ("Outcome and Follow-up", "outcome and follow-up"),
        ("Laboratory findings:", "laboratory examinations"),
        ("Case 2", "case presentation"),
        ("REFERENCES", "references"),
        ("Conflict of interest", "declarations"),
    ],
)
def test_heading_variants(heading, name):
    assert classify_heading(heading).name == name


def test_not_a_heading():
    assert classify_heading("The patient was discharged") is None


@pytest.mark.parametrize(
    "markdown, printed",
    [
        ("anti-MDA5 Ab<sup>+</sup> DM", "anti-MDA5 Ab+ DM"),
        ("white blood cell count ( $6.7 \\times 10^9/L$ )", "white blood cell count ( 6.7 × 10^9/L )"),
        ("platelets $2.1 \\times 10^{11}/L$", "platelets 2.1 × 10^11/L"),
        ("ferritin (1455.60  $\\mu g/L$ )", "ferritin (1455.60 μg/L )"),
        ("*Aspergillus fumigatus* and **bold**", "Aspergillus fumigatus and bold"),
        ("CD4<sup>+</sup> T cells, 10<sup>9</sup>", "CD4+ T cells, 10^9"),
        ("PaO<sub>2</sub> [link](http://x.org) <https://doi.org/1>", "PaO2 link https://doi.org/1"),
        ("ﬁbrosis at 10⁹/L", "fibrosis at 10^9/L"),
    ],
)
def test_inline_markup_written_as_printed(markdown, printed):
    assert inline(markdown) == printed


def test_markdown_file_structure(tmp_path):
    path = tmp_path / "report.md"
    path.write_text(
        "# Journal banner\n\nContents of the issue: aspirin trial\n\n"
        "# A case of X: A case report\n\n## Abstract\n\n### BACKGROUND\n\nShort.\n\n"
        "## CASE PRESENTATION\n\n### Laboratory examinations\n\n"
        "**Case 1:** Ferritin 2000 μg/L.\n\n| Test | Value |\n|---|---|\n| WBC | 3.2 |\n\n"
        "## DISCUSSION\n\nOthers used rituximab.\n\n## REFERENCES\n\n1 Someone. A paper.\n",
        encoding="utf-8",
    )
    layout = read_text(path)
    assert layout.pages is None
    article = build_article(layout, "report")
    assert article.text.startswith("A case of X: A case report")  # the banner is cut
    assert "aspirin" not in article.text and "A paper" not in article.text
    assert [(s.name, s.role) for s in article.sections] == [
        ("abstract", "front"),
        ("abstract", "front"),
        ("case presentation", "case"),
        ("laboratory examinations", "case"),
        ("discussion", "background"),
        ("references", "back"),
    ]
    labelled = next(p for p in article.paragraphs if p.label_end)
    assert article.text[labelled.start : labelled.label_end] == "Case 1:"
    (table,) = article.tables
    assert [article.text[c.start : c.end] for c in table.cells] == ["Test", "Value", "WBC", "3.2"]


def test_windows_1252_text_is_decoded(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Ferritin 300 \u00b5g/L \u2013 caf\u00e9".encode("cp1252"))
    assert read_text(path).blocks[0].text.text == "Ferritin 300 μg/L – café"


def test_seed_article_sections(tmp_path):
    seed = shared_path("seeds", "000_30e9b2de46709c67.txt")
    article = build_article(read_text(seed), "wjcc-2023-11-5351")
    assert article.title.startswith("Treatment of refractory anti-melanoma differentiation-associated gene 5")
    names = [s.name for s in article.sections if s.role == "case"]
    assert names[:6] == [
        "case presentation",
        "chief complaints",
        "history of present illness",
        "physical examination",
        "laboratory examinations",
        "imaging examinations",
    ]
    assert "Zimberelimab" not in article.text  # the table of contents precedes the title
    assert "white blood cell count ( 6.7 × 10^9/L )" in article.text
    assert "ferritin (1455.60 μg/L )" in article.text
    assert "Wang QH, Chen LH. Treatment" in article.text  # the citation line is front matter, kept
    assert "REFERENCES" not in article.text


def test_figure_legends_in_text_input_are_captions_and_keep_the_current_patient():
    from pipeline.cases import case_at, segment_cases

    seed = shared_path("seeds", "000_30e9b2de46709c67.txt")
    article = build_article(read_text(seed), "wjcc-2023-11-5351")
    captions = [article.text[p.start : p.end] for p in article.paragraphs if p.kind == "caption"]
    assert any(c.startswith("Figure 2 Computed tomography findings of Case 1.") for c in captions)
    # case 2's treatment runs on after two legends, the second naming Case 1
    spans = segment_cases(article)
    assert case_at(spans, article.text.index("tocilizumab 480 mg once a month")) == 2
