"""tools/real_corpus.py renders the real reports as journal PDFs that the PDF stage reads back."""

from __future__ import annotations

import json
import re

import pytest
from conftest import shared_path

from pipeline.pdf import read_pdf


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from tools.real_corpus import build

    source = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    reports = {json.loads(line)["doc_id"]: json.loads(line) for line in source.read_text("utf-8").splitlines()}
    folders = build(tmp_path_factory.mktemp("real"), source, doc_ids={"ada-00"})
    return reports["ada-00"], folders


def words(text: str) -> list[str]:
    """Lower-case words: the web page's glued menus ("PubMedSNPSparcle…") are not article words."""
    return re.findall(r"\b[a-z]{4,30}\b", text)


def test_text_input_is_the_corpus_text_unchanged(rendered):
    report, folders = rendered
    assert (folders["text"] / "ada-00.txt").read_text("utf-8") == report["text"]


@pytest.mark.parametrize("layout", ["pdf-2col", "pdf-1col"])
def test_pdfs_read_back_with_superscripts_hyphens_and_furniture_handled(rendered, layout):
    report, folders = rendered
    layout_pages = read_pdf(folders[layout] / "ada-00.pdf")
    text = layout_pages.text
    assert layout_pages.pages >= 3
    # the web page's flattened "10.14×10 9 /l" was set as a superscript and comes back as a power
    assert "10.14×10^9/l" in text and "394×10^9/l" in text
    # running heads and page numbers are gone; the words of the article are all there, unbroken
    assert "real-text corpus" not in text and "Rendered by casextract" not in text
    missing = set(words(report["text"])) - set(words(text))
    assert not missing, sorted(missing)[:20]
