"""NLP stage: `Article` → spaCy `Doc` with drugs, doses, labs, diagnoses, age and sex.

The pipeline is assembled from `pipeline.cfg`: the trained NER (`tok2vec` + `ner`, sourced from
`models/ner` or, by name, from an installed scispaCy model such as `en_ner_bc5cdr_md`),
scispaCy's abbreviation detector, negspaCy, and casextract's registered components
(`components.py`), each with its resource files as config settings. It is a plain spaCy
pipeline: `load_pipeline().to_disk(DIR)`, then `spacy.load(DIR)` wherever the package is installed.
The Doc covers the whole article text, so every offset is an article offset; the `Article` rides
along on `doc._.article` for components that need sections and tables (they work without it).
"""

from __future__ import annotations

import json
import os
import warnings
from functools import lru_cache
from pathlib import Path

from . import spacy_import  # noqa: F401  first: spaCy imported without its command line

# isort: split
import negspacy.negation  # noqa: F401  registers the "negex" factory
import scispacy.abbreviation  # noqa: F401  registers the "abbreviation_detector" factory
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops

from ..structures import Article, InputError
from . import components, config_functions, paragraphs, tokenizer  # noqa: F401  register what pipeline.cfg names
from .sourcing import add_sourced, sourced_names

CONFIG = Path(__file__).with_name("pipeline.cfg")
DEFAULT_NER_MODEL = Path(__file__).resolve().parents[2] / "models" / "ner"
CASE_MODEL = Path(__file__).resolve().parents[2] / "models" / "case_ner"
NER_MODEL_ENV = "CASEXTRACT_NER_MODEL"

# scispaCy's abbreviation detector warns on every document without a defined abbreviation
warnings.filterwarnings("ignore", message=r"\[W036\]")


def _entry_points_by_group() -> None:
    """Hand catalogue (spaCy's and srsly's registries) the installed entry points grouped once: it
    finds a registry's own by scanning every entry point installed, at each lookup, and loading the
    pipeline makes some 270 (srsly's msgpack looks its codecs up at every call), a twentieth of a
    second. The same entry points, read by catalogue's own code for a dict of groups."""
    import catalogue

    found = catalogue.AVAILABLE_ENTRY_POINTS  # read once, at catalogue's import
    if hasattr(found, "select") and hasattr(found, "groups"):
        catalogue.AVAILABLE_ENTRY_POINTS = {group: found.select(group=group) for group in found.groups}


_entry_points_by_group()


def ner_model_name(ner_model: str | None = None) -> str:
    """The NER to source: argument, then $CASEXTRACT_NER_MODEL, then the shipped models/ner."""
    return ner_model or os.environ.get(NER_MODEL_ENV) or str(DEFAULT_NER_MODEL)


def load_pipeline(ner_model: str | None = None) -> Language:
    """Assemble the pipeline once per process (per batch worker) and NER model: `load_pipeline()`
    and `load_pipeline(None)` are the same pipeline, not two."""
    return _pipeline_for(ner_model_name(ner_model))


def pipeline_loaded(ner_model: str | None = None) -> bool:
    """Whether this process has assembled `load_pipeline(ner_model)` already."""
    return ner_model_name(ner_model) in _ASSEMBLED


_ASSEMBLED: set[str] = set()


@lru_cache(maxsize=4)
def _pipeline_for(source: str) -> Language:
    nlp = build_pipeline(source)
    _ASSEMBLED.add(source)
    return nlp


def build_pipeline(ner_model: str | None = None, overrides: dict[str, object] | None = None) -> Language:
    """The pipeline of `pipeline.cfg`, with config `overrides` (`{"components.casextract_certainty.rules":
    "my_cues.json"}`): a new one at every call."""
    source = ner_model_name(ner_model)
    if source == str(DEFAULT_NER_MODEL) and not DEFAULT_NER_MODEL.exists():
        raise FileNotFoundError(f"no NER model at {DEFAULT_NER_MODEL}: run `casextract train` first")
    settings = {"paths.ner_model": source, "paths.case_model": str(CASE_MODEL), **(overrides or {})}
    config = spacy.util.load_config(CONFIG, overrides=settings, interpolate=False)
    # thinc multiplies matrices with blis unless told otherwise; numpy's BLAS (OpenBLAS in its
    # wheels) ran the tok2vec's products 1.6× faster on the benchmark machine, with the same
    # entities on all 45 real reports. The models take the ops current when they are built (the
    # parser's per-token step keeps thinc's own blis; a pipeline saved and loaded with plain
    # `spacy.load` multiplies with blis again, which found the same entities there too).
    sourced = sourced_names(config)  # added without their pipelines' tokenizers (`sourcing.py`)
    with use_ops("numpy", use_blis=False):
        nlp = spacy.util.load_model_from_config(config, exclude=sourced, auto_fill=True, validate=True)
        add_sourced(nlp, config.interpolate(), sourced)
    nlp.meta["casextract_ner_model"] = source
    for _, component in nlp.pipeline:
        if hasattr(component, "ready"):
            component.ready()  # build lexicons now, before a worker's first document is timed
    return nlp


def analyse(article: Article, ner_model: str | None = None) -> Doc:
    nlp = load_pipeline(ner_model)
    if len(article.text) > nlp.max_length:  # spaCy refuses it (E088): the reader gets the reason
        raise InputError(f"text too long ({len(article.text):,} characters; at most {nlp.max_length:,})")
    doc = nlp.make_doc(article.text)
    doc._.article = article
    doc.user_data["casextract_text"] = article.text  # what `values.doc_text` would join from the tokens
    return nlp(doc)


def pipeline_description(ner_model: str | None = None) -> dict[str, object]:
    """What run.json records about the pipeline. For a NER in a folder it is read from the config
    and the model's meta.json, so a batch driver does not load the pipeline (seconds and ~500 MB)
    that only its workers use; an installed package is asked by loading it."""
    source = ner_model_name(ner_model)
    meta = Path(source) / "meta.json"
    if not meta.is_file():
        return loaded_description(ner_model)
    pipes = list(spacy.util.load_config(CONFIG, interpolate=False)["nlp"]["pipeline"])
    labels = json.loads(meta.read_text("utf-8"))["labels"]["ner"]
    case_labels = json.loads((CASE_MODEL / "meta.json").read_text("utf-8"))["labels"]["ner"]
    return {
        "pipes": pipes,
        "ner_model": source,
        "ner_labels": list(labels),
        "case_model": str(CASE_MODEL),
        "case_labels": list(case_labels),
        "spacy": spacy.__version__,
    }


def loaded_description(ner_model: str | None = None) -> dict[str, object]:
    nlp = load_pipeline(ner_model)
    return {
        "pipes": list(nlp.component_names),  # tok2vec and ner too, run by casextract_ner
        "ner_model": nlp.meta["casextract_ner_model"],
        "ner_labels": list(nlp.get_pipe("ner").labels),
        "case_model": str(CASE_MODEL),
        "case_labels": list(nlp.get_pipe("case_ner").labels),
        "spacy": spacy.__version__,
    }
