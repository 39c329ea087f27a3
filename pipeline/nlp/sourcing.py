"""Components sourced from a trained pipeline (`source = …` in `pipeline.cfg`), loaded without the
tokenizer that pipeline was saved with.

spaCy sources a component by loading the whole pipeline it comes from, tokenizer included: the
language's default tokenizer is built (every special case of English added one by one), then the
saved one read over it, once per sourced model. The casextract pipeline never uses those
tokenizers (its components read the Docs the clinical tokenizer makes), and building them was a
third of `load_pipeline()`. So `build_pipeline` leaves the sourced components out of
`spacy.util.load_model_from_config` and adds them itself, as spaCy's own loop would
(`nlp.add_pipe(name, source=…)` in the config's order, listeners replaced where the config says,
the vocabulary's vectors restored afterwards), from a source pipeline loaded with
`casextract.no_rules_tokenizer.v1` and without its tokenizer file. The result is the same
pipeline: the same components, weights and config (`nlp.to_disk` and `spacy.load` see no
difference). A source is a folder or an installed package's name, as for spaCy.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.vocab import Vocab
from thinc.api import Config

NO_RULES_TOKENIZER = "casextract.no_rules_tokenizer.v1"


@spacy.registry.tokenizers(NO_RULES_TOKENIZER)
def create_no_rules_tokenizer():
    """A tokenizer without rules (it splits on spaces only), for a pipeline whose components are
    given Docs another tokenizer made: building it adds no special case."""

    def make(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return make


def load_components(source: str, vocab: Vocab | None = None, exclude: Iterable[str] = ()) -> Language:
    """The pipeline saved at `source` (a folder or an installed package's name) with its
    components and vocabulary, but a rule-less tokenizer in place of its own."""
    return spacy.util.load_model(
        source,
        vocab=vocab if vocab is not None else True,
        exclude=["tokenizer", *exclude],
        config={"nlp": {"tokenizer": {"@tokenizers": NO_RULES_TOKENIZER}}},
    )


def sourced_names(config: Config) -> list[str]:
    """The pipeline's components that the config sources from another pipeline, in its order."""
    components = config.get("components", {})
    return [name for name in config["nlp"]["pipeline"] if "source" in components.get(name, {})]


def add_sourced(nlp: Language, config: Config, names: list[str]) -> None:
    """Add the `names` (left out of `nlp` when it was built from the interpolated `config`) at
    their places in the config's pipeline, disabled if the config disables them."""
    order = list(config["nlp"]["pipeline"])
    kept_vocab = nlp.vocab.to_bytes(exclude=["lookups", "strings"])  # a source's vectors would clobber it
    sources: dict[str, Language] = {}
    for name in names:
        settings = config["components"][name]
        model = settings["source"]
        if model not in sources:
            sources[model] = load_components(model, vocab=nlp.vocab, exclude=["lookups"])
        source = sources[model]
        source_name = settings.get("component", name)
        listeners_replaced = False
        for listener_owner, component in source.pipeline if "replace_listeners" in settings else ():
            if source_name in getattr(component, "listening_components", []):
                source.replace_listeners(listener_owner, source_name, settings["replace_listeners"])
                listeners_replaced = True
        placed = sum(1 for other in order[: order.index(name)] if other in nlp.component_names)
        where = {"before": placed} if placed < len(nlp.component_names) else {"last": True}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\[W113\]")
            nlp.add_pipe(source_name, name=name, source=source, **where)
        # what `spacy train` checks a sourced component's vectors by, as spaCy's own sourcing records it
        vectors = hash(source.vocab.vectors.to_bytes(exclude=["strings"]))
        nlp.meta.setdefault("_sourced_vectors_hashes", {})[name] = vectors
        if listeners_replaced:
            del sources[model]  # its tok2vec now serves no other component
    nlp.vocab.from_bytes(kept_vocab)
    for name in config["nlp"].get("disabled", []):
        if name in names:
            nlp.disable_pipe(name)
