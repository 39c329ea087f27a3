"""`casextract train` on a tiny slice of the shared corpora, and loading scispaCy models by name."""

from __future__ import annotations

import json
import subprocess
import sys

import spacy
from conftest import ROOT, shared_path

from pipeline.training.biomedical_ner import sentence_doc
from pipeline.training.corpora import read_iob


def test_iob_reader_and_missing_labels(tmp_path):
    path = tmp_path / "tiny.tsv"
    path.write_text(
        "Aspirin\tB-Chemical\ncaused\tO\nacute\tB-Disease\nhepatitis\tI-Disease\n\nWarfarin\tO\nbleeding\tB-Disease\n",
        encoding="utf-8",
    )
    first, second = read_iob(path)
    assert first.words == ("Aspirin", "caused", "acute", "hepatitis")
    assert first.tags == ("B-CHEMICAL", "O", "B-DISEASE", "I-DISEASE")
    doc = sentence_doc(spacy.blank("en").vocab, second, missing=[0])
    # an NCBI sentence: the unannotated drug is "missing", not "outside"
    assert [t.ent_iob_ for t in doc] == ["", "B"] and [e.text for e in doc.ents] == ["bleeding"]


def test_train_command_on_a_tiny_slice(tmp_path):
    data = shared_path("data")
    out = tmp_path / "ner"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "train",
            "--data",
            str(data),
            "--out",
            str(out),
            "--limit",
            "60",
            "--max-steps",
            "4",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"CHEMICAL", "DISEASE"}
    report = json.loads((out / "evaluation.json").read_text("utf-8"))
    assert 0.0 <= report["bc5cdr_test"]["f1"] <= 1.0 and report["training_sentences"]["bc5cdr_train"] == 60


def test_shipped_model_is_small():
    model = ROOT / "models" / "ner"
    size = sum(p.stat().st_size for p in model.rglob("*") if p.is_file())
    assert size < 100 * 1024 * 1024


def test_shipped_model_scores_on_bc5cdr_test():
    """The shipped NER, loaded and run on the whole BC5CDR test file (4,797 sentences, entity level):
    at least its recorded F1, and the figure in evaluation.json is the one it really gets."""
    from pipeline.training.biomedical_ner import evaluate_iob

    scores = evaluate_iob(ROOT / "models" / "ner", shared_path("data", "bc5cdr", "test.tsv"))
    assert scores["f1"] >= 0.79 and scores["chemical_f1"] >= 0.815 and scores["disease_f1"] >= 0.755, scores
    recorded = json.loads((ROOT / "models" / "ner" / "evaluation.json").read_text("utf-8"))["bc5cdr_test"]
    assert abs(recorded["f1"] - scores["f1"]) < 1e-3


def test_official_scispacy_model_loads_by_name(tmp_path, monkeypatch):
    """A stand-in package named like scispaCy's en_ner_bc5cdr_md (tok2vec + ner, CHEMICAL and
    DISEASE), installed on sys.path with its metadata, is sourced by name."""
    import importlib

    name = "en_ner_bc5cdr_md"
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    ner = nlp.add_pipe("ner")
    for label in ("CHEMICAL", "DISEASE"):
        ner.add_label(label)
    nlp.initialize()
    package = tmp_path / name
    package.mkdir()
    nlp.to_disk(package / "model")
    (package / "__init__.py").write_text(
        "from pathlib import Path\nfrom spacy.util import load_model_from_path\n\n"
        "def load(**overrides):\n    return load_model_from_path(Path(__file__).parent / 'model', **overrides)\n",
        encoding="utf-8",
    )
    info = tmp_path / f"{name}-0.5.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.5.4\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()

    from pipeline.nlp import analyse, load_pipeline, pipeline_description
    from pipeline.sections import build_article
    from pipeline.structures import Block, Layout, TextMap

    pipeline = load_pipeline(name)
    assert pipeline_description(name)["ner_model"] == name
    assert set(pipeline.get_pipe("ner").labels) == {"CHEMICAL", "DISEASE"}
    layout = Layout("x.txt", None, (Block("text", TextMap("She received tacrolimus 1 mg twice daily."), None),))
    doc = analyse(build_article(layout, "x"), name)
    (drug,) = [e for e in doc.ents if e.label_ == "DRUG"]
    assert drug._.normalized == "tacrolimus" and drug._.frequency == "2/d"


def test_condition_filter_trains_on_dev_documents_and_filters(tmp_path):
    """`casextract train-conditions` on two dev documents; the trained filter scores every disease
    mention, and a threshold above every score leaves the link stage no diagnosis."""
    data = shared_path("data", "case-reports-ada", "case_reports.jsonl")
    out = tmp_path / "conditions"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "train-conditions",
            "--data",
            str(data),
            "--out",
            str(out),
            "--limit",
            "2",
            "--epochs",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    training = json.loads((out / "training.json").read_text("utf-8"))
    dev = set(json.loads((ROOT / "gold" / "real" / "SPLITS.json").read_text("utf-8"))["dev"])
    assert set(training["documents"]) <= dev and training["counts"]["candidates"] > 0

    from pipeline.link import link
    from pipeline.nlp import analyse, load_pipeline
    from pipeline.nlp.condition_filter import ConditionFilter
    from pipeline.sections import build_article
    from pipeline.structures import Block, Layout, TextMap

    text = "A 50-year-old man with sarcoidosis and hypertension presented with cough."
    article = build_article(Layout("x.txt", None, (Block("text", TextMap(text), None),)), "x")
    doc = analyse(article)
    assert {r.diagnosis for r in link(doc, article).diagnoses} >= {"sarcoidosis", "hypertension"}
    ConditionFilter(out, threshold=1.01)(doc)
    load_pipeline().get_pipe("casextract_fact_types")(doc)  # what follows the filter in the pipeline
    scores = [e._.condition_score for e in doc.ents if e.label_ == "DISEASE"]
    assert scores and all(0.0 <= s <= 1.0 for s in scores)
    assert link(doc, article).diagnoses == [] and link(doc, article, condition_filter=False).diagnoses
