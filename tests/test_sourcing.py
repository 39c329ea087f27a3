"""The trained components are sourced without their pipelines' tokenizers (`pipeline/nlp/sourcing.py`):
the pipeline is the one spaCy's own `source` loading builds, and building it adds the special cases
of one tokenizer, its own, not of every sourced model's too."""

from __future__ import annotations

import cProfile
import pstats

import spacy
from spacy.lang.en import English

from pipeline.nlp import CASE_MODEL, CONFIG, DEFAULT_NER_MODEL, build_pipeline, load_pipeline, tokenizer
from pipeline.nlp.sourcing import load_components, sourced_names

TEXT = (
    "A 54-year-old woman with systemic lupus erythematosus and acute kidney injury was given "
    "methylprednisolone 500 mg daily and cyclophosphamide. Creatinine was 3.1 mg/dL."
)


def _as_spacy_sources_it():
    """The pipeline of `pipeline.cfg` loaded by spaCy's own `source` mechanism."""
    settings = {"paths.ner_model": str(DEFAULT_NER_MODEL), "paths.case_model": str(CASE_MODEL)}
    config = spacy.util.load_config(CONFIG, overrides=settings, interpolate=False)
    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


def test_the_pipeline_is_the_one_spacy_sources():
    ours, spacys = build_pipeline(), _as_spacy_sources_it()
    assert ours.component_names == spacys.component_names
    assert ours.disabled == spacys.disabled == ["tok2vec", "ner", "case_ner"]
    assert ours.config.to_str() == spacys.config.to_str()  # what `nlp.to_disk` saves and `spacy.load` reads
    sourced = sourced_names(spacy.util.load_config(CONFIG, interpolate=False))
    assert sourced == ["tok2vec", "ner", "case_ner"]
    for name in sourced:
        assert ours.get_pipe(name).to_bytes(exclude=["vocab"]) == spacys.get_pipe(name).to_bytes(exclude=["vocab"])
    assert ours.meta["_sourced_vectors_hashes"] == spacys.meta["_sourced_vectors_hashes"]
    ours_doc, spacys_doc = ours(TEXT), spacys(TEXT)
    assert [(e.text, e.label_) for e in ours_doc.ents] == [(e.text, e.label_) for e in spacys_doc.ents]
    assert {e.label_ for e in ours_doc.ents} >= {"DRUG", "DISEASE"}  # the comparison read something


def test_a_source_is_loaded_with_a_tokenizer_without_rules():
    source = load_components(str(DEFAULT_NER_MODEL))
    assert source.pipe_names == ["tok2vec", "ner"]
    assert source.tokenizer.rules == {} and source.tokenizer.prefix_search is None
    assert spacy.load(DEFAULT_NER_MODEL).tokenizer.rules  # what spaCy's sourcing built and threw away
    # the statements classifier reads the pipeline's tokens, so it carries no tokenizer rules either
    classifier = load_pipeline().get_pipe("casextract_statements").classifier
    assert classifier is not None and classifier.tokenizer.rules == {}


def test_building_the_pipeline_adds_the_special_cases_of_its_own_tokenizer_only():
    tokenizer._parts(English, "tokenizer.json")  # the rules, worked out once per process, out of the count
    profile = cProfile.Profile()
    nlp = profile.runcall(build_pipeline)
    added = sum(
        calls
        for (path, _, function), (_, calls, *_) in pstats.Stats(profile).stats.items()
        if function == "add_special_case" and path.endswith("tokenizer.pyx")
    )
    assert len(nlp.tokenizer.rules) > 1000
    assert added == len(nlp.tokenizer.rules)  # spaCy's sourcing added ~4 times as many
