"""Only the article: what `bounds.find_article` tells apart, on wording and layouts it was not
written from (invented titles, names and abstracts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.bounds import find_article, is_author_list, is_contents_entry
from pipeline.link import link
from pipeline.nlp import analyse
from pipeline.sections import build_article
from pipeline.structures import Block, TextMap
from pipeline.textfile import read_text

ABSTRACTS = Path(__file__).parent / "data" / "abstracts"


@pytest.mark.parametrize(
    "text",
    [
        "1142 Rituximab-associated late neutropenia in a teenager with nephrotic syndrome",
        "Cefepime neurotoxicity in an older adult with renal impairment . . . . . . . . 87",
        "Cefepime neurotoxicity in an older adult with renal impairment ........ 87",
        "Isolated cranial nerve palsy after varicella zoster reactivation 312",
        "412",
        "5193 5204 5215 5224",
    ],
)
def test_contents_entries(text):
    assert is_contents_entry(text)


@pytest.mark.parametrize(
    "text",
    [
        "Received: March 14, 2025",
        "A 54-year-old man was admitted with fever for 3 days and a creatinine of 2.4 mg/dL.",
        "Her white blood cell count was 14.2 on day 3.",
        "Cefepime neurotoxicity in an older adult",
    ],
)
def test_not_contents_entries(text):
    assert not is_contents_entry(text)


@pytest.mark.parametrize(
    "text",
    [
        "Okafor BT, Lindqvist M, Haddad RS",
        "Okafor BT, van Rijn PJ, Haddad RS, MARTINEZ-ORTEGA J",
        "Amara Okafor, Johan Lindqvist and Rana Haddad",
        "Amara Okafor^1, Johan Lindqvist^1,2, Rana Haddad^2",
        "Lena Q. Fischer, Tomasz Wójcik",
    ],
)
def test_author_lists(text):
    assert is_author_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "Cefepime neurotoxicity in an older adult",
        "Acute Kidney Injury After Contrast",
        "She received vancomycin, cefepime and metronidazole",
    ],
)
def test_not_author_lists(text):
    assert not is_author_list(text)


def _paged(*items: tuple[str, str, float, int]) -> list[Block]:
    """Blocks of (kind, text, font size, page)."""
    return [Block(kind, TextMap(text), page, font_size=size) for kind, text, size, page in items]


def _blocks(*items: tuple[str, str, float]) -> list[Block]:
    """Blocks of (kind, text, font size), all on page 1."""
    return _paged(*(item + (1,) for item in items))


PROSE = (
    "A 61-year-old woman presented with fever and a productive cough for five days. She had been "
    "treated with amoxicillin by her family doctor without improvement. On admission her oxygen "
    "saturation was 91% on room air and crackles were heard over the right lower lobe."
)


def test_a_contents_page_before_the_title_is_not_the_article():
    blocks = _blocks(
        ("heading", "Contents", 16),
        ("heading", "CASE REPORT", 10),
        ("text", "201 Cefepime neurotoxicity in an older adult with renal impairment", 9),
        ("text", "Okafor BT, Lindqvist M, Haddad RS", 9),
        ("text", "209 Dapsone-induced methemoglobinemia after a skin graft", 9),
        ("text", "Moreau C, Tanaka H", 9),
        ("heading", "Community-acquired pneumonia complicated by empyema in a woman: a case report", 15),
        ("text", "Amara Okafor, Johan Lindqvist", 9),
        ("heading", "Abstract", 10),
        ("text", PROSE, 9),
        ("heading", "CASE PRESENTATION", 10),
        ("text", PROSE, 9),
    )
    bounds = find_article(blocks, body_size=9)
    assert (bounds.start, bounds.end, bounds.title) == (6, 12, 6)


def test_the_next_articles_first_page_ends_the_article_and_the_longer_case_report_is_read():
    first = _blocks(
        ("heading", "Community-acquired pneumonia complicated by empyema: a case report", 15),
        ("text", "Amara Okafor, Johan Lindqvist", 9),
        ("heading", "Abstract", 10),
        ("text", PROSE, 9),
        ("heading", "CASE PRESENTATION", 10),
        *[("text", PROSE, 9)] * 6,
        ("heading", "REFERENCES", 10),
        ("text", "1 Smith A. A paper. J Imag Med 2020; 3: 1-2", 8),
    )
    following = _blocks(
        ("heading", "Dapsone-induced methemoglobinemia after a skin graft: a case report", 15),
        ("text", "Claire Moreau, Hiro Tanaka", 9),
        ("heading", "Abstract", 10),
        ("text", PROSE, 9),
    )
    bounds = find_article(first + following, body_size=9)
    assert (bounds.start, bounds.end) == (0, len(first))


def test_a_big_sub_heading_inside_the_body_does_not_cut_the_article():
    blocks = _blocks(
        ("heading", "Community-acquired pneumonia complicated by empyema: a case report", 15),
        ("text", "Amara Okafor, Johan Lindqvist", 9),
        ("heading", "Abstract", 12),
        ("text", PROSE, 9),
        ("heading", "CASE PRESENTATION", 12),
        ("text", PROSE, 9),
        ("heading", "Pleural drainage and antibiotic choice", 12),
        ("text", PROSE, 9),
    )
    assert find_article(blocks, body_size=9) == find_article(blocks[:1], body_size=9).__class__(0, len(blocks), 0)


def test_without_a_title_the_whole_input_is_the_article():
    blocks = _blocks(("text", PROSE, 9), ("text", PROSE, 9))
    bounds = find_article(blocks, body_size=9)
    assert (bounds.start, bounds.end, bounds.title) == (0, 2, None)


def test_what_was_left_out_follows_the_article_text_under_a_mark(tmp_path):
    path = tmp_path / "issue.md"
    path.write_text(
        "# Annals of Imaginary Medicine\n\n## Contents\n\n- 201 Dapsone-induced methemoglobinemia after a skin graft\n"
        "*Moreau C, Tanaka H*\n- 209 Cefepime neurotoxicity in an older adult\n*Okafor BT, Haddad RS*\n\n"
        "# Community-acquired pneumonia complicated by empyema: a case report\n\nAmara Okafor, Johan Lindqvist\n\n"
        f"## Abstract\n\n{PROSE}\n\n## Case presentation\n\n{PROSE} She received ceftriaxone 2 g daily.\n",
        encoding="utf-8",
    )
    article = build_article(read_text(path), "issue")
    assert article.title.startswith("Community-acquired pneumonia")
    assert "Dapsone" not in article.text and "ceftriaxone" in article.text
    assert article.text_file.startswith(article.text)  # offsets into the file stay the article's
    assert "Dapsone-induced methemoglobinemia" in article.text_file[len(article.text) :]
    facts = link(analyse(article), article)
    assert {m.drug for m in facts.medications} == {"amoxicillin", "ceftriaxone"}
    assert "methemoglobinemia" not in {d.diagnosis for d in facts.diagnoses}


# (file, drug, dose value, dose unit, diagnosis): PubMed-style records written for this test,
# structured and plain, each only a title and an abstract
ABSTRACT_FACTS = [
    ("a01", "lamotrigine", 25, "mg", "stevens-johnson syndrome"),
    ("a02", "linezolid", 600, "mg", "lactic acidosis"),
    ("a03", "azathioprine", 50, "mg", "acute pancreatitis"),
    ("a04", "trimethoprim-sulfamethoxazole", None, None, "hyperkalemia"),  # a 160 mg/800 mg pair: no dose yet
    ("a05", "amiodarone", 200, "mg", "organizing pneumonia"),
    ("a06", "haloperidol", 10, "mg", "neuroleptic malignant syndrome"),
    ("a07", "glimepiride", 4, "mg", "hypoglycemia"),
    ("a08", "vancomycin", 15, "mg/kg", "acute kidney injury"),
    ("a09", "tramadol", 50, "mg", "serotonin syndrome"),
    ("a10", "methotrexate", 10, "mg", "pancytopenia"),
]


@pytest.mark.parametrize("name, drug, dose, unit, diagnosis", ABSTRACT_FACTS)
def test_an_abstract_is_the_whole_article(name, drug, dose, unit, diagnosis):
    path = ABSTRACTS / f"{name}.txt"
    article = build_article(read_text(path), name)
    assert article.title == path.read_text("utf-8").splitlines()[0].strip().removesuffix(".")
    facts = link(analyse(article), article)
    assert {c.case_id for c in facts.cases} == {"1"}
    assert drug in {m.drug for m in facts.medications}
    if dose is not None:
        assert (drug, dose, unit) in {(m.drug, m.dose_value, m.dose_unit) for m in facts.medications}
    assert diagnosis in {d.diagnosis for d in facts.diagnoses if not d.negated}


# --- PDFs with an issue's matter around the article ------------------------------------------------

SURROUNDINGS = [  # (before, after): front matter of several kinds, and other articles' pages
    (["contents-numbered"], []),
    (["contents-leaders", "cover"], ["article_start"]),
    (["contents-two-column"], ["publisher"]),
    (["article_end"], ["article_start"]),
    (["cover", "article_end"], ["publisher"]),
]


def _facts(path: Path, doc_id: str = "doc") -> tuple[dict, object]:
    """The rows of every fact table (pages aside: the surroundings move them) and the article."""
    from pipeline.pdf import read_pdf

    article = build_article(read_pdf(path), doc_id)
    rows = link(analyse(article), article).as_rows()
    return {
        name: [{k: v for k, v in row.items() if k != "page"} for row in table] for name, table in rows.items()
    }, article


def _page_count(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


@pytest.fixture(scope="module")
def article_specs() -> list[dict]:
    """The bundled corpus's articles and three real reports (when ../shared is present)."""
    from conftest import SHARED, SPECS

    from tools.journal_pdf import load_spec

    specs = [load_spec(p) for p in sorted(SPECS.glob("*.json"))]
    source = SHARED / "data" / "case-reports-ada" / "case_reports.jsonl"
    if source.exists():
        from tools.real_corpus import read_reports, spec_for

        reports = {r["doc_id"]: r for r in read_reports(source)}
        specs += [spec_for(reports[d], 2) for d in ("ada-00", "ada-07", "ada-21")]
    return specs


def test_matter_around_the_article_changes_no_table(tmp_path, article_specs):
    from tools.front_matter import with_surroundings
    from tools.journal_pdf import render_pdf

    for n, spec in enumerate(article_specs):
        plain_path = tmp_path / f"{spec['doc_id']}.pdf"
        render_pdf(spec, plain_path)
        plain, plain_article = _facts(plain_path)
        assert plain_article.article_pages == "" and not plain_article.left_out
        for k, (before, after) in enumerate(SURROUNDINGS):
            surrounded = with_surroundings(spec, before, after, seed=n * 10 + k)
            path = tmp_path / f"{spec['doc_id']}-{k}.pdf"
            render_pdf(surrounded, path)
            facts, article = _facts(path)
            where = f"{spec['doc_id']} with {before} / {after}"
            assert article.title == plain_article.title, where
            assert article.text == plain_article.text, where
            assert facts == plain, where
            # the article's own pages: after everything before it, and none of what follows
            after_pages = len(after)  # the next article's first page, a publisher's page: one each
            first = _page_count(path) - _page_count(plain_path) - after_pages + 1
            last = first + _page_count(plain_path) - 1
            assert article.article_pages == (f"{first}-{last}" if last > first else str(first)), where
            assert article.left_out and article.text_file.startswith(article.text), where


def test_every_whole_case_report_of_an_issue_is_read_and_their_patients_never_mix(tmp_path, article_specs):
    from tools.front_matter import with_surroundings
    from tools.journal_pdf import render_pdf

    for n, spec in enumerate(article_specs[:3]):
        render_pdf(spec, tmp_path / "plain.pdf")
        plain, plain_article = _facts(tmp_path / "plain.pdf")
        surrounded = with_surroundings(spec, ["contents-numbered"], ["article", "publisher"], seed=n)
        other = surrounded["after"][0]
        render_pdf(surrounded, tmp_path / "issue.pdf")
        facts, article = _facts(tmp_path / "issue.pdf")
        assert article.title.split(" | ")[0] == plain_article.title
        assert article.title.split(" | ")[1] == " ".join(other["spec"]["title"].split()).removesuffix(".")
        assert article.text.startswith(plain_article.text)
        assert len(article.article_pages.split(", ")) == 2 and [p.where for p in article.left_out] == [
            "before",
            "after",
        ]
        first = {row["case_id"] for row in plain["cases"]}
        for table, rows in facts.items():
            # the first report's rows are the plain report's; the second's patients come after
            assert [r for r in rows if r["case_id"] in first] == plain[table], table
        (second,) = [row for row in facts["cases"] if row["case_id"] not in first]
        assert int(second["case_id"]) == len(first) + 1
        assert (second["age_years"], second["sex"]) == (other["facts"]["age"], other["facts"]["sex"])
        drugs = {row["drug"] for row in facts["medications"] if row["case_id"] == second["case_id"]}
        assert {d.split()[0].lower() for d in other["facts"]["drugs"]} <= drugs


def test_text_and_pdf_paths_agree_on_what_is_article_for_every_real_report(tmp_path):
    """The web text and its two-column PDF: the same title, and nothing left out on either."""
    from conftest import shared_path

    from pipeline.pdf import open_pdfium, read_pdf
    from tools.real_corpus import build

    source = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    gold = sorted(p.stem for p in (Path(__file__).parents[1] / "gold" / "real").glob("ada-*.json"))
    folders = build(tmp_path, source, doc_ids=set(gold), layouts=("text", "pdf-2col"))
    disagree = []
    for doc_id in gold:
        text = build_article(read_text(folders["text"] / f"{doc_id}.txt"), doc_id)
        pdf = build_article(read_pdf(folders["pdf-2col"] / f"{doc_id}.pdf", open_source=open_pdfium), doc_id)
        if (text.title, text.left_out, text.article_pages) != (pdf.title, (), ""):
            disagree.append((doc_id, text.title, pdf.title, [p.where for p in pdf.left_out]))
    assert len(gold) == 45 and disagree == []


def test_the_reference_article_in_its_journal_issue(tmp_path):
    """The user's file as laid out: the issue's contents and cover pages, the case report, the
    publisher's page. Only the case report is read; eval scores it as the Markdown path."""
    import pandas as pd
    from conftest import ROOT, shared_path

    from pipeline.batch import run
    from pipeline.evaluate import evaluate
    from tools.issue_pdf import issue_spec
    from tools.journal_pdf import render_pdf

    seed = shared_path("seeds", "000_30e9b2de46709c67.txt")
    doc_id = "wjcc-2023-11-5351"
    (tmp_path / "pdf").mkdir()
    (tmp_path / "md").mkdir()
    render_pdf(issue_spec(seed.read_text("utf-8"), doc_id), tmp_path / "pdf" / f"{doc_id}.pdf")
    (tmp_path / "md" / f"{doc_id}.md").write_text(seed.read_text("utf-8"), encoding="utf-8")
    scores = {}
    for path in ("pdf", "md"):
        out = tmp_path / f"out-{path}"
        run(sorted((tmp_path / path).iterdir()), out, workers=1)
        scores[path] = evaluate(out, ROOT / "gold").micro
        documents = pd.read_csv(out / "documents.csv", keep_default_na=False)
        assert documents.loc[0, "title"].startswith("Treatment of refractory anti-melanoma differentiation")
        text = (out / "text" / f"{doc_id}.txt").read_text("utf-8")
        article_end = text.find("=" * 24 + " not part of the article")
        assert article_end > 0  # the contents and cover pages are kept, after the mark
        for table in ("medications", "labs", "diagnoses"):
            rows = pd.read_csv(out / f"{table}.csv", keep_default_na=False)
            assert (rows["end_char"] <= article_end).all(), table
        if path == "pdf":
            assert documents.loc[0, "article_pages"].startswith("5-")
    precision = {path: s["diagnosis"].precision for path, s in scores.items()}
    assert precision["pdf"] >= precision["md"] > 0.4


@pytest.mark.parametrize("text", ["Received 12 March 2021", "Published online: 10 July 2021", "Case Rep Nephrol 2021"])
def test_date_lines_are_not_contents_entries(text):
    assert not is_contents_entry(text)


def test_a_title_case_title_between_dates_still_opens_the_article():
    blocks = _paged(
        ("heading", "Addison Disease and Celiac Disease", 15, 1),
        ("text", "Amara Okafor, Johan Lindqvist", 9, 1),
        ("text", "Received 12 March 2021", 8, 1),
        ("text", "Accepted 3 June 2021", 8, 1),
        ("heading", "Abstract", 10, 1),
        ("text", PROSE, 9, 1),
    )
    assert find_article(blocks, body_size=9).title == 0


def test_a_big_sub_heading_heading_a_page_does_not_take_the_article():
    blocks = _paged(
        ("heading", "Community-acquired pneumonia complicated by empyema: a case report", 15, 1),
        ("text", "Amara Okafor, Johan Lindqvist", 9, 1),
        ("heading", "Abstract", 10, 1),
        ("text", PROSE, 9, 1),
        ("heading", "CASE PRESENTATION", 10, 1),
        ("text", PROSE, 9, 2),
        ("heading", "Electrocardiographic Findings and Management", 13, 3),
        ("text", PROSE + " " + PROSE, 9, 3),
        ("heading", "DISCUSSION", 10, 3),
        ("text", PROSE, 9, 3),
        ("heading", "REFERENCES", 10, 4),
        ("text", "1 Smith A, Jones B. A paper. J Imag Med 2020; 3: 1-2", 8, 4),
    )
    bounds = find_article(blocks, body_size=9)
    assert (bounds.start, bounds.end, bounds.title) == (0, len(blocks), 0)


def test_a_title_whose_lines_are_set_apart_is_one_title():
    from pipeline.structures import Layout

    blocks = _paged(
        ("heading", "Community-acquired pneumonia complicated by", 15, 1),
        ("heading", "empyema in a young woman: a case report", 15, 1),
        ("text", "Amara Okafor, Johan Lindqvist", 9, 1),
        ("heading", "Abstract", 10, 1),
        ("text", PROSE, 9, 1),
    )
    bounds = find_article(blocks, body_size=9)
    assert (bounds.start, bounds.title, bounds.title_blocks) == (0, 0, 2)
    article = build_article(Layout("x.pdf", 1, tuple(blocks), body_font_size=9), "x")
    assert article.title == "Community-acquired pneumonia complicated by empyema in a young woman: a case report"
    assert not article.left_out and article.article_pages == ""


def test_big_group_headings_of_a_contents_page_do_not_raise_the_bar_for_the_title():
    entries = []
    for n in range(12):
        entries += [
            ("heading", "CASE REPORT", 14, 1),
            ("text", f"{300 + n * 7} Invented title number {n} about vasculitis in adults", 9, 1),
            ("text", "Okafor BT, Lindqvist M", 9, 1),
        ]
    blocks = _paged(
        *entries,
        ("heading", "Community-acquired pneumonia complicated by empyema: a case report", 14, 2),
        ("text", "Amara Okafor, Johan Lindqvist", 9, 2),
        ("heading", "Abstract", 10, 2),
        ("text", PROSE, 9, 2),
        ("heading", "CASE PRESENTATION", 10, 2),
        ("text", PROSE, 9, 2),
    )
    bounds = find_article(blocks, body_size=9)
    assert (bounds.start, bounds.title) == (len(entries), len(entries))
