"""Running spaCy's trainer on a recipe and installing the result as a model folder of `models/`.

A model folder holds the trained pipeline and its own notes (`recipe.cfg`, `SOURCES.md`, scores):
retraining replaces the pipeline and keeps the notes.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language

RECIPE_NAME = "recipe.cfg"


def train_spacy(config: str | Path, work: Path, overrides: dict[str, object]) -> Path:
    """spaCy's trainer on `config` with `overrides`, in `work`; returns the folder of its output
    (`model-best`, `model-last`). The recipe is copied into `work` first: it may live in the model
    folder that `install_model` replaces."""
    from spacy.cli.train import train as spacy_train

    shutil.copyfile(config, work / RECIPE_NAME)
    spacy_train(work / RECIPE_NAME, work / "out", overrides=overrides, use_gpu=-1)
    return work / "out"


def install_model(trained: Path, output: Path, kept: tuple[str, ...]) -> None:
    """`output` becomes `trained`'s best checkpoint, with the folder's notes (`kept`) as they were;
    a folder without a recipe gets the one trained with."""
    notes = {name: (output / name).read_bytes() for name in kept if (output / name).exists()}
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(trained / "model-best", output)
    for name, content in notes.items():
        (output / name).write_bytes(content)
    if not (output / RECIPE_NAME).exists():
        shutil.copyfile(trained.parent / RECIPE_NAME, output / RECIPE_NAME)


# a bag of uni- and bigrams with one exclusive label per text: the project's text classifiers
BOW_TEXTCAT = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 262144,
}


def train_text_classifier(
    nlp: Language, labelled: Sequence[tuple[str, str]], labels: Sequence[str], epochs: int, batch_size: int
) -> Language:
    """Adds a `textcat` (BOW_TEXTCAT) with `labels` to `nlp` and trains it on (text, label) pairs,
    shuffled with `random` each epoch: the caller seeds it."""
    from spacy.training import Example
    from spacy.util import minibatch

    textcat = nlp.add_pipe("textcat", config={"model": BOW_TEXTCAT})
    for label in labels:
        textcat.add_label(label)
    examples = [
        Example.from_dict(nlp.make_doc(text), {"cats": {name: float(label == name) for name in labels}})
        for text, label in labelled
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(epochs):
        random.shuffle(examples)
        for batch in minibatch(examples, size=batch_size):
            nlp.update(batch, sgd=optimizer)
    return nlp
