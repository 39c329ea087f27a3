from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test-data generators live in tools/, outside the product package

from tools.journal_pdf import load_spec, render_pdf  # noqa: E402

SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
SPECS = ROOT / "corpus" / "specs"
# for tests that train or score on the annotated corpora of ../shared/data
needs_shared_data = pytest.mark.skipif(not (SHARED_DATA / "maccrobat").is_dir(), reason="../shared/data is absent")


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test when this checkout has no ../shared."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is not available")
    return path


def article_of(text: str, doc_id: str = "x"):
    """A plain-text article written in a test: the whole text one block, as a web page's is."""
    from pipeline.sections import build_article
    from pipeline.structures import Block, Layout, TextMap

    return build_article(Layout(f"{doc_id}.txt", None, (Block("text", TextMap(text), None),)), doc_id)


def analyse_text(text: str):
    """The NLP stage's Doc of a plain-text article written in a test."""
    from pipeline.nlp import analyse

    return analyse(article_of(text))


def facts_of(text: str):
    """The linked facts of a report written in a test, a block per paragraph (blank-line separated)."""
    from pipeline.link import link
    from pipeline.nlp import analyse
    from pipeline.sections import build_article
    from pipeline.structures import Block, Layout, TextMap

    blocks = tuple(Block("text", TextMap(p), None) for p in text.split("\n\n"))
    article = build_article(Layout("x.txt", None, blocks), "x")
    return link(analyse(article), article)


@pytest.fixture(scope="session")
def corpus_spec() -> dict:
    return load_spec(SPECS / "synth-001.json")


@pytest.fixture(scope="session")
def journal_pdf(tmp_path_factory, corpus_spec) -> tuple[Path, str]:
    """The two-column journal PDF of corpus/specs/synth-001.json and its expected text."""
    path = tmp_path_factory.mktemp("pdf") / "synth-001.pdf"
    return path, render_pdf(corpus_spec, path)


@pytest.fixture(scope="session")
def long_pdf(tmp_path_factory, corpus_spec) -> tuple[Path, str]:
    """A longer variant whose paragraphs run across columns and pages."""
    spec = copy.deepcopy(corpus_spec)
    spec["doc_id"] = "long"
    filler = [
        "The patient was reviewed daily by the rheumatology and respiratory teams, who agreed on the "
        "plan after each ward round and recorded the oxygen requirement, the extent of the rash and "
        "the muscle strength in every limb, so that any deterioration would be recognised early and "
        "treatment escalated without delay; the nursing staff documented fluid balance and weight."
    ] * 3
    for section in spec["sections"]:
        if section["heading"] in ("DISCUSSION", "INTRODUCTION"):
            section["content"] = section["content"] + [" ".join(filler)] * 3
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    return path, render_pdf(spec, path)


def write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
