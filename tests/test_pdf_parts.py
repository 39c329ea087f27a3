"""The PDF stage's parts on their own: settings, the character source, row clustering."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

import bad_inputs
import pytest
from conftest import ROOT

import pipeline.pdf as pdf_package
from pipeline.pdf import Char, PdfSettings, TableGrid, open_plumber, read_pdf
from pipeline.pdf.layout import cluster_rows
from pipeline.pdf.words import Row, Word

# --- settings ------------------------------------------------------------------------------------


def test_settings_defaults_are_the_documented_values():
    settings = PdfSettings()
    assert settings.script_size_ratio == 0.85 and settings.gutter_search == (0.3, 0.7)
    assert dict(settings.table_settings) == {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    assert settings.max_pages == 0


def test_unknown_setting_is_refused_by_name():
    with pytest.raises(ValueError, match="'scrip_size_ratio'"):
        PdfSettings.from_mapping({"scrip_size_ratio": 0.8})


def test_read_pdf_refuses_an_unknown_setting_before_reading(tmp_path):
    # the file does not exist: the settings are checked first
    with pytest.raises(ValueError, match="'gutter_width'"):
        read_pdf(tmp_path / "missing.pdf", {"gutter_width": 10})


@pytest.mark.parametrize(
    "overrides, name",
    [
        ({"script_size_ratio": 0}, "script_size_ratio"),
        ({"gutter_search": (0.7, 0.3)}, "gutter_search"),
        ({"min_table_rows": 1.5}, "min_table_rows"),
        ({"max_pages": -1}, "max_pages"),
        ({"margin_band": "wide"}, "margin_band"),
        ({"table_settings": {"vertical_strategy": "lines", "no_such_option": 1}}, "table_settings"),
    ],
)
def test_out_of_range_settings_are_refused_by_name(overrides, name):
    with pytest.raises(ValueError, match=name):
        PdfSettings.from_mapping(overrides)


def test_settings_are_frozen_and_read_pdf_takes_either_form(journal_pdf):
    settings = PdfSettings(gutter_search=[0.3, 0.7])  # a JSON list becomes the tuple
    assert settings.gutter_search == (0.3, 0.7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.space_ratio = 0.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.table_settings["vertical_strategy"] = "text"  # type: ignore[index]
    path = journal_pdf[0]
    assert read_pdf(path, settings).text == read_pdf(path, {"gutter_search": [0.3, 0.7]}).text == read_pdf(path).text


# --- the character source ------------------------------------------------------------------------


def test_pdfplumber_source_gives_chars_with_the_documented_fields(journal_pdf):
    # gathered first: open_plumber reports any failure inside its block as a damaged PDF
    with open_plumber(journal_pdf[0]) as document:
        page_count = document.page_count
        pages = [(page.number, page.width, page.height, list(page.chars())) for page in document.pages()]
        grids = [grid for page in document.pages() for grid in page.table_grids(PdfSettings().table_settings)]
    assert page_count == 2 and [p[0] for p in pages] == [1, 2]
    assert Char.__required_keys__ == {"text", "x0", "x1", "top", "bottom", "size", "fontname", "upright"}
    for _number, width, height, chars in pages:
        assert chars
        for char in chars:
            assert Char.__required_keys__ <= char.keys()
            assert isinstance(char["text"], str) and isinstance(char["fontname"], str)
            assert isinstance(char["upright"], bool) and char["size"] > 0
            assert 0 <= char["x0"] <= char["x1"] <= width and 0 <= char["top"] <= char["bottom"] <= height
    assert len(grids) == 1  # the lab table's ruling lines
    assert len(grids[0].bbox) == 4 and len(grids[0].rows) == 5 and all(len(row) == 4 for row in grids[0].rows)


def _chars(text: str, x: float, top: float, size: float = 10.0, **font: object) -> list[dict]:
    """A line of evenly spaced characters, as a source would give them."""
    style = {"fontname": "Serif", "upright": True, **font}
    step = 0.5 * size
    return [
        {"text": ch, "x0": x + i * step, "x1": x + (i + 1) * step, "top": top, "bottom": top + size, "size": size}
        | style
        for i, ch in enumerate(text)
    ]


@dataclasses.dataclass
class FakePage:
    number: int
    chars_on_page: list[dict]
    width: float = 600.0
    height: float = 800.0

    def chars(self) -> list[dict]:
        return self.chars_on_page

    def table_grids(self, table_settings) -> list[TableGrid]:
        return []


@dataclasses.dataclass
class FakeSource:
    pages_list: list[FakePage]

    @property
    def page_count(self) -> int:
        return len(self.pages_list)

    def pages(self):
        return iter(self.pages_list)


def test_layout_runs_on_any_character_source(tmp_path):
    """A source that is not pdfplumber: bold known from the weight only, rotated text dropped."""
    chars = (
        _chars("CASE REPORT", 72, 100, weight=700)
        + _chars("A woman was given prednisone 40 mg daily.", 72, 120)
        + _chars("She recovered within a week.", 72, 133)
        + _chars("Downloaded from example.org", 20, 300, upright=False)
    )
    source = FakeSource([FakePage(1, chars)])
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\n")  # only the header is checked before the source opens it
    layout = read_pdf(path, open_source=lambda _: contextlib.nullcontext(source))
    assert [(b.kind, b.text.text) for b in layout.blocks] == [
        ("heading", "CASE REPORT"),
        ("text", "A woman was given prednisone 40 mg daily. She recovered within a week."),
    ]
    box = layout.blocks[1].text.box_at(2)  # the `w` of `woman`
    assert (box.page, box.x0, box.top) == (1, 82.0, 120.0)


# --- rows and scripts ------------------------------------------------------------------------------


def _word(text: str, x0: float, top: float, size: float) -> Word:
    chars = _chars(text, x0, top, size)
    return Word(x0, chars[-1]["x1"], top, top + size, size, False, chars, 1)


def test_script_size_ratio_decides_which_small_words_cluster_rows_attaches_as_scripts():
    """A small `9` touching `10` and overlapping the line above: a superscript of `10` when it is
    smaller than script_size_ratio of it, otherwise a word of the line it overlaps most."""
    above = _word("above", 50, 100, 10)  # top 100–110
    ten = _word("10", 100, 112, 10)  # top 112–122
    nine = _word("9", 110.5, 105, 8)  # 8/10 of the size, touching `10`, 5 pt into the line above
    words = [above, ten, nine]
    assert [r.text for r in cluster_rows(words, PdfSettings())] == ["above", "10 9"]
    assert [r.text for r in cluster_rows(words, PdfSettings(script_size_ratio=0.75))] == ["above 9", "10"]


def test_script_size_ratio_decides_a_rows_main_words():
    ten, nine = _word("10", 100, 112, 10), _word("9", 110.5, 109, 8)
    assert Row([ten, nine], PdfSettings().script_size_ratio).main_words == [ten]
    assert Row([ten, nine], 0.75).main_words == [ten, nine]
    assert Row([ten, nine], 0.75).top == 109  # the line's extent now counts the small word


def test_every_setting_is_read_by_the_pdf_stage():
    """No setting is declared and then ignored: each one is read outside settings.py."""
    package = Path(pdf_package.__file__).parent
    code = "".join(p.read_text("utf-8") for p in package.glob("*.py") if p.name != "settings.py")
    unread = [f.name for f in dataclasses.fields(PdfSettings) if f"settings.{f.name}" not in code]
    assert unread == []


def test_the_title_is_the_articles_not_the_journals_masthead(tmp_path, corpus_spec):
    import copy

    from tools.journal_pdf import render_pdf

    spec = copy.deepcopy(corpus_spec)
    spec["masthead"] = "Annals of Uncommon Clinical Presentations"  # set bigger than the title
    render_pdf(spec, tmp_path / "masthead.pdf")
    from pipeline.sections import build_article

    assert build_article(read_pdf(tmp_path / "masthead.pdf"), "masthead").title == spec["title"]


@pytest.mark.parametrize(
    ("text", "masthead"),
    [
        ("Annals of Uncommon Clinical Presentations", True),
        ("BMC Nephrology", True),
        ("Pediatric Case Reports", True),
        ("The Lancet", True),
        ("Tocilizumab for refractory dermatomyositis: A case report", False),
        ("Recurrent hypoglycaemia after gastric bypass: two case reports and a review", False),
    ],
)
def test_mastheads_are_told_from_titles(text, masthead):
    from pipeline.bounds import is_masthead

    assert is_masthead(text) is masthead


def _pdfplumber_words(chars: list, settings: PdfSettings) -> list[list]:
    """Words as pdfplumber's own WordExtractor splits them (the reference for words_from_chars)."""
    import itertools
    from operator import itemgetter

    from pdfplumber.utils.text import WordExtractor

    extractor = WordExtractor(
        x_tolerance=1.0,
        x_tolerance_ratio=settings.x_tolerance_ratio,
        y_tolerance=settings.y_tolerance,
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["size", "fontname"],
    )
    words = []
    for _, run in itertools.groupby([c for c in chars if c["upright"]], itemgetter("upright", "size", "fontname")):
        for line, direction in extractor.iter_chars_to_lines(run):
            words += [
                w for w in extractor.iter_chars_to_words(line, direction) if "".join(c["text"] for c in w).strip()
            ]
    return words


def test_words_are_split_as_pdfplumber_splits_them(tmp_path, long_pdf):
    from pipeline.pdf.words import words_from_chars

    settings = PdfSettings()
    pdfs = (
        sorted((ROOT / "corpus").glob("*.pdf"))
        + [long_pdf[0]]
        + [
            bad_inputs.simple_pdf(
                tmp_path / "plain.pdf", ["A 30-year-old woman received 40 mg daily.", "WBC 3.2 × 10^9/L."]
            ),
        ]
    )
    pages = 0
    for path in pdfs:
        with open_plumber(path) as document:
            for page in document.pages():
                chars = list(page.chars())
                ours = [w.chars for w in words_from_chars(chars, page.number, settings)]
                assert ours == _pdfplumber_words(chars, settings), (path.name, page.number)
                pages += 1
    assert pages >= 8


def _figure_and_turned_text_pdf(path):
    """A page with its media box off the origin, text inside a form XObject (pdfminer's LTFigure),
    a turned line, and one rule: what pdfplumber's objects hold beyond plain text."""
    import pypdfium2
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(500, 600), invariant=1)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(60, 540, "Creatinine 2.4 mg/dL; CRP 112 mg/L.")
    pdf.beginForm("box")
    pdf.setFont("Times-Bold", 12)
    pdf.drawString(60, 400, "Figure 1. Chest CT.")
    pdf.endForm()
    pdf.doForm("box")
    pdf.saveState()
    pdf.translate(30, 100)
    pdf.rotate(90)
    pdf.drawString(0, 0, "Downloaded from a stamp")
    pdf.restoreState()
    pdf.line(60, 520, 440, 520)
    pdf.showPage()
    pdf.save()
    document = pypdfium2.PdfDocument(str(path))
    document[0].set_mediabox(15, 25, 500, 600)
    document.save(str(path) + ".moved")
    document.close()
    return path.with_name(path.name + ".moved")


def test_pdfplumber_source_chars_are_pdfplumbers_own(journal_pdf, tmp_path):
    """The characters are made from pdfminer's objects as pdfplumber makes `page.chars`, value for value."""
    import pdfplumber

    keys = sorted(Char.__required_keys__)
    moved = _figure_and_turned_text_pdf(tmp_path / "figure.pdf")
    for path in (journal_pdf[0], moved):
        with open_plumber(path) as document:
            ours = [list(page.chars()) for page in document.pages()]
        with pdfplumber.open(path) as pdf:
            theirs = [[{k: c[k] for k in keys} for c in page.chars] for page in pdf.pages]
        assert ours == theirs and all(ours)
    assert {c["upright"] for c in ours[0]} == {True, False} and "Figure 1. Chest CT." in "".join(
        c["text"] for c in ours[0]
    )
    assert min(c["x0"] for c in ours[0]) > 15  # the media box's offset is in, as pdfplumber puts it


def test_a_page_without_two_edges_each_way_is_not_given_to_the_table_finder(journal_pdf, tmp_path):
    import pdfplumber

    from pipeline.pdf.chars import may_hold_a_table

    lines = PdfSettings().table_settings
    moved = _figure_and_turned_text_pdf(tmp_path / "figure.pdf")
    with pdfplumber.open(moved) as pdf:
        layout = pdf.pages[0].layout
        assert not may_hold_a_table(layout, lines) and not pdf.pages[0].find_tables(dict(lines))  # one rule
        assert may_hold_a_table(layout, {"vertical_strategy": "text", "horizontal_strategy": "lines"})
        assert may_hold_a_table(layout, {**lines, "explicit_vertical_lines": [100, 200]})
    with pdfplumber.open(journal_pdf[0]) as pdf:  # the lab table's page, and a page of text
        found = [(may_hold_a_table(page.layout, lines), len(page.find_tables(dict(lines)))) for page in pdf.pages]
    assert (True, 1) in found
    assert all(possible for possible, tables in found if tables)
