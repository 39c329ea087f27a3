"""The test-PDF generator's matter around an article (tools/front_matter.py, tools/issue_pdf.py,
`before` / `after` in tools/journal_pdf.py): contents pages, covers, neighbouring articles and a
publisher's page land where they should, and never change the article's expected text."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from tools.front_matter import KINDS, invented_pages, with_surroundings
from tools.issue_pdf import inline, issue_spec, latex_text
from tools.journal_pdf import load_spec, render_pdf

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "corpus" / "specs"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_30e9b2de46709c67.txt"
# pages each kind adds for seed 0 around synth-001 (contents: 30-45 entries fill 2-3 pages)
PAGES = {"cover": (1, 1), "article_end": (1, 1), "article_start": (1, 1), "publisher": (1, 1)}
PAGES |= {k: (2, 3) for k in KINDS if k.startswith("contents-")}


def flat(text: str) -> str:
    return " ".join(text.split())


class Pdf:
    """A rendered PDF's pages, each parsed once and only when asked for: pdfminer's parse is what
    makes these tests slow."""

    def __init__(self, path: Path):
        self.file = pdfplumber.open(path)
        self.count = len(self.file.pages)

    def __enter__(self) -> Pdf:
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def text(self, index: int, halves: bool = False, body: bool = False) -> str:
        """`halves`: the left half, then the right (two-column contents); `body`: without the
        running header and footer."""
        page = self.file.pages[index]
        top, bottom = (50, page.height - 50) if body else (0, page.height)
        cuts = [0, page.width / 2, page.width] if halves else [0, page.width]
        parts = [page.crop((left, top, right, bottom)) for left, right in zip(cuts, cuts[1:])]
        return flat(" ".join(part.extract_text(x_tolerance=1) for part in parts))

    def footer_number(self, index: int) -> str:
        page = self.file.pages[index]
        return flat(page.crop((page.width - 120, page.height - 45, page.width, page.height - 25)).extract_text())

    def first_page_of(self, spec: dict) -> int:
        """Where the article starts: its title with its authors as printed under it (a contents
        page lists the title too, with the authors in Vancouver style)."""
        head = " ".join(spec["title"].split()[:6])
        for index in range(self.count):
            text = self.text(index)
            if head in text and flat(spec["authors"]) in text:
                return index
        raise AssertionError(f"{spec['title']!r} is on no page")


def page_count(spec: dict, path: Path) -> int:
    render_pdf(spec, path)
    with Pdf(path) as pdf:
        return pdf.count


@pytest.fixture(scope="module")
def spec(corpus_spec) -> dict:
    """corpus/specs/synth-001.json (conftest's `corpus_spec`)."""
    return corpus_spec


@pytest.fixture(scope="module")
def plain(journal_pdf) -> tuple[str, int]:
    """The plain article's expected text and page count (conftest's `journal_pdf` renders it)."""
    path, expected = journal_pdf
    with Pdf(path) as pdf:
        return expected, pdf.count


def test_corpus_pdfs_are_unchanged_by_the_new_options(tmp_path):
    for spec_path in sorted(SPECS.glob("*.json")):
        render_pdf(load_spec(spec_path), tmp_path / "x.pdf")
        assert (tmp_path / "x.pdf").read_bytes() == (ROOT / "corpus" / f"{spec_path.stem}.pdf").read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_adds_its_pages_and_leaves_the_article_text_alone(kind, spec, plain, tmp_path):
    surrounded = with_surroundings(spec, [kind], [kind], seed=0)
    path = tmp_path / f"{kind}.pdf"
    assert render_pdf(surrounded, path) == plain[0]
    with Pdf(path) as pdf:
        added = pdf.first_page_of(spec)
        count = pdf.count
        numbers = [pdf.footer_number(i) for i in (0, added, count - 1)]
    if kind == "article":
        low = high = page_count(surrounded["before"][0]["spec"], tmp_path / "other.pdf")
    else:
        low, high = PAGES[kind]
    assert low <= added <= high
    assert count == plain[1] + 2 * added  # the same pages again after the article
    assert numbers == ["1", str(added + 1), str(count)]  # page numbers count on across the file


def test_another_articles_first_and_last_pages(spec, tmp_path):
    pages = invented_pages(["article_end", "article_start"], seed=5)
    for page in pages:
        other = page["spec"]
        assert other["running_header"] != spec["running_header"]
        render_pdf(other, tmp_path / "whole.pdf")
        render_pdf({**spec, "before": [page]}, tmp_path / "one.pdf")
        with Pdf(tmp_path / "whole.pdf") as whole, Pdf(tmp_path / "one.pdf") as one:
            assert whole.count >= 2  # else a first page and a last page would be the same page
            assert one.count == 1 + page_count(spec, tmp_path / "alone.pdf")
            shown = one.text(0, body=True)
            assert shown == whole.text(0 if page["pages"] == "first" else whole.count - 1, body=True)
            assert other["running_header"][0] in one.text(0)
        head = " ".join(other["title"].split()[:6])
        if page["pages"] == "first":
            assert head in shown and "Abstract" in shown and "REFERENCES" not in shown
        else:
            assert head not in shown and "REFERENCES" in shown
            assert " ".join(other["references"][-1].split()[1:5]) in shown


@pytest.mark.parametrize("style", ["numbered", "leaders", "two-column"])
def test_contents_pages_list_page_numbers_and_titles(style, spec, tmp_path):
    surrounded = with_surroundings(spec, [f"contents-{style}"], [], seed=2)
    render_pdf(surrounded, tmp_path / "c.pdf")
    with Pdf(tmp_path / "c.pdf") as pdf:
        start = pdf.first_page_of(spec)
        first = pdf.text(0)
        contents = " ".join(pdf.text(i, halves=style == "two-column") for i in range(start))
    page = surrounded["before"][0]
    entries = [e for group in page["groups"] for e in group["entries"]]
    assert 30 <= len(entries) <= 45
    assert page["journal"] in first and "contents" in first.lower()
    for entry in entries:
        assert str(entry["page"]) in contents
        assert " ".join(entry["title"].split()[:4]) in contents, entry["title"]
    assert " ".join(spec["title"].split()[:4]) in contents  # the issue lists the article itself


def test_invented_pages_are_deterministic_and_differ_between_seeds():
    first, again, other = (invented_pages(list(KINDS), seed=s) for s in (7, 7, 8))
    assert json.dumps(first) == json.dumps(again)
    assert json.dumps(first) != json.dumps(other)
    contents = first[0]
    assert [g["heading"] for g in contents["groups"]] == [
        "EDITORIAL",
        "REVIEW",
        "ORIGINAL ARTICLE",
        "CASE REPORT",
        "LETTER TO THE EDITOR",
    ]
    numbers = [e["page"] for g in contents["groups"] for e in g["entries"]]
    assert numbers == sorted(set(numbers))
    assert all(", " in e["authors"] or len(e["authors"].split()) == 2 for g in contents["groups"] for e in g["entries"])
    for page in first:
        if page["kind"] == "article":
            facts, text = page["facts"], json.dumps(page["spec"], ensure_ascii=False)
            assert f"{facts['age']}-year-old" in text and facts["drugs"][0] in text
            assert all(f"{value} {unit}".strip() in text for _, value, unit in facts["labs"])


def test_front_and_after_abstract_belong_to_the_article(spec, tmp_path):
    extended = copy.deepcopy(spec)
    extended["front"] = ["**Laura Moreno**, Department of Medicine, Test Hospital", "**Received:** May 1, 2026"]
    extended["after_abstract"] = ["**Key Words:** Dermatomyositis; Tocilizumab", "**Citation:** Moreno L. Test."]
    blocks = render_pdf(extended, tmp_path / "f.pdf").split("\n\n")
    start = blocks.index("Laura Moreno, Department of Medicine, Test Hospital")
    assert blocks[start - 1] == spec["authors"] and blocks[start + 2] == "Abstract"
    after = blocks.index("Key Words: Dermatomyositis; Tocilizumab")
    assert blocks[after - 1] == blocks[start + 2 + len(spec["abstract"])] and blocks[after + 2] == "INTRODUCTION"
    with Pdf(tmp_path / "f.pdf") as pdf:
        first_page = pdf.text(0)
    assert "Received: May 1, 2026" in first_page and "Citation: Moreno L. Test." in first_page


def test_matter_kinds_are_checked(spec, tmp_path):
    with pytest.raises(ValueError):
        invented_pages(["contents-sideways"])
    with pytest.raises(ValueError):
        render_pdf({**spec, "after": [{"kind": "poster"}]}, tmp_path / "bad.pdf")


def test_front_matter_cli(tmp_path):
    out = tmp_path / "cli.pdf"
    command = [sys.executable, str(ROOT / "tools" / "front_matter.py"), str(SPECS / "synth-002.json"), str(out)]
    subprocess.run([*command, "--before", "cover,article_end", "--after", "publisher"], check=True, cwd=tmp_path)
    with Pdf(out) as pdf:
        assert pdf.count >= 4


MARKDOWN = """
# Journal of *Invented* Medicine

*J Invent Med* 2031 May 2; 4(9): 100-180

## Contents

Monthly Volume 4 Number 9

## CASE REPORT

- 100** Colchicine toxicity in a cyclist: A case report
*Quillon AB, Marsh T*
- 112 Another invented case
*Ferro P*

**ABOUT COVER**

The cover is *blank* this month.

# Colchicine toxicity in a cyclist: A case report

Ann Quillon, Tom Marsh

**Received:** May 1, 2031

## Abstract

### BACKGROUND

Colchicine <sub>x</sub> is toxic.

**Key Words:** Colchicine; [Toxicity](https://example.org)

## CASE PRESENTATION

### Laboratory examinations

White cells were $3.1 \\times 10^9/L$ and CK-MB was 45 U/L<sup>[1]</sup>; the rest of the

**Figure 1 Invented.** A grey box.

sentence came after the figure.

## REFERENCES

- 1 Marsh T. A reference. *J Invent Med* 2030; **3**: 1-2

Published by **Invented Press**
<https://invented.example>
"""


def test_issue_markdown_becomes_a_spec_with_its_matter(tmp_path):
    spec = issue_spec(MARKDOWN, "tiny")
    assert spec["title"] == "Colchicine toxicity in a cyclist: A case report"
    assert spec["authors"] == "Ann Quillon, Tom Marsh" and spec["front"] == ["**Received:** May 1, 2031"]
    assert spec["abstract"] == ["**BACKGROUND** Colchicine _{x} is toxic."]
    assert spec["after_abstract"] == ["**Key Words:** Colchicine; Toxicity"]
    assert [(s["heading"], s["level"]) for s in spec["sections"]] == [
        ("CASE PRESENTATION", 1),
        ("Laboratory examinations", 2),
    ]
    assert spec["sections"][1]["content"] == [
        "White cells were 3.1 × 10^{9}/L and CK-MB was 45 U/L^{[1]}; the rest of the sentence came after the figure.",
        {"figure": "**Figure 1 Invented.** A grey box."},
    ]
    contents, cover = spec["before"]
    assert contents["style"] == "numbered" and contents["subtitle"] == "Monthly Volume 4 Number 9"
    assert contents["groups"][0]["entries"][0] == {
        "page": 100,
        "title": "Colchicine toxicity in a cyclist: A case report",
        "authors": "Quillon AB, Marsh T",
    }
    assert cover["blocks"] == [{"heading": "ABOUT COVER", "text": ["The cover is blank this month."]}]
    assert spec["after"] == [
        {"kind": "publisher", "lines": ["Published by **Invented Press**", "https://invented.example"]}
    ]
    assert spec["running_header"] == [
        "J Invent Med 2031 May 2; 4(9): 100-111",
        "Quillon AB et al. Colchicine toxicity in a cyclist",
    ]
    render_pdf(spec, tmp_path / "tiny.pdf")
    with Pdf(tmp_path / "tiny.pdf") as pdf:
        assert "Contents" in pdf.text(0)


@pytest.mark.parametrize(
    ("markdown", "markup"),
    [
        ("Ab<sup>+</sup> and CO<sub>2</sub>", "Ab^{+} and CO_{2}"),
        (
            "**Case 1:** *Aspergillus* [link](https://x.org) <https://y.org>",
            "**Case 1:** Aspergillus link https://y.org",
        ),
        ("ferritin (1455.60  $\\mu g/L$ ) and TNF- $\\alpha$  levels", "ferritin (1455.60 μg/L) and TNF-α levels"),
        ("count,  $1.6 \\times 10^{10}/L$ ; next", "count, 1.6 × 10^{10}/L; next"),
        ("a \\*literal\\* star &amp; more", "a *literal* star & more"),
    ],
)
def test_inline_markdown_becomes_spec_markup(markdown, markup):
    assert inline(markdown) == markup


def test_latex_prints_as_text():
    assert latex_text(r"\geq 5 \text{mg} \pm 1") == "≥ 5 mg ± 1"
    assert latex_text(r"\beta_2") == "β_{2}"


def test_the_seed_issue_renders_with_its_contents_first(tmp_path):
    if not SEED.exists():
        pytest.skip("../shared/seeds is not available")
    spec = issue_spec(SEED.read_text(encoding="utf-8"), "seed-issue")
    assert spec["title"].startswith("Treatment of refractory")
    assert len(spec["before"]) >= 2 and spec["before"][0]["kind"] == "contents"
    assert spec["abstract"][0].startswith("**BACKGROUND**") and spec["references"]
    text = json.dumps({k: v for k, v in spec.items() if k != "before"}, ensure_ascii=False)
    assert "<sup>" not in text and "$" not in text and "](" not in text and "^{" in text
    expected = render_pdf(spec, tmp_path / "issue.pdf")
    assert expected.startswith(spec["title"])
    with Pdf(tmp_path / "issue.pdf") as pdf:
        listed = [e for g in spec["before"][0]["groups"] for e in g["entries"] if e["title"] == spec["title"]]
        assert "Contents" in pdf.text(0) and str(listed[0]["page"]) in pdf.text(0) + pdf.text(1)
        start = pdf.first_page_of(spec)
        assert start >= 2 and "Abstract" in pdf.text(start) and spec["doi"] in pdf.text(start)
