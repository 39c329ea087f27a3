"""Components built from resource files that their config names (lexicons, rules, token patterns),
and components that run a trained model of their own (a text classifier in `models/`).

`nlp.to_disk(DIR)` copies each file, or the model, into the component's folder and `spacy.load(DIR)`
rebuilds the component from those copies, so a saved pipeline carries its own data and keeps
working where the files it was built from (a curator's edited lexicon, another checkout) are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import ensure_path

from ..lexicons import resource_bytes
from .sourcing import load_components


def saved_name(argument: str, resource: str) -> str:
    """The copy's file name: the config argument plus the resource's suffixes (`.tsv.gz` included,
    which tells the loaders to decompress)."""
    return argument + "".join(Path(resource).suffixes)


class DataFiles:
    """Mixin for a component whose state is built from `self.files` (config argument → resource
    name or path) by `self.load(files)`, on first use: `spacy.load(DIR)` constructs a component
    from the config's file names before `from_disk` points it at the copies in DIR, and the
    files the config names need not exist where the pipeline is loaded."""

    files: dict[str, str]
    _loaded: bool = False

    def load(self, files: dict[str, str]) -> None:
        raise NotImplementedError

    def ready(self) -> None:
        """Build the component from its files, once (the first document calls it)."""
        if not self._loaded:
            self.load(self.files)
            self._loaded = True

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for argument, resource in self.files.items():
            (folder / saved_name(argument, resource)).write_bytes(resource_bytes(resource))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> DataFiles:
        folder = ensure_path(path)
        self.files = {arg: str(folder / saved_name(arg, resource)) for arg, resource in self.files.items()}
        self._loaded = False
        return self


class SavedClassifier:
    """Mixin for a component that runs a spaCy pipeline saved in a folder (`self.path`), read on
    first use: a pipeline loaded from disk points the component at the default folder, then at
    its own copy, and reads only the copy. Saved with the component as `classifier/`; a folder
    without a model gives `classifier` None."""

    path: Path
    tokenizes = False  # whether the component gives the classifier text, for its own tokenizer
    _classifier: Language | None = None
    _classifier_read: bool = False

    def __init__(self, path: Path, threshold: float):
        self.threshold = threshold  # the score at which the component acts on what it scores
        self.point_at(path)

    def point_at(self, path: Path) -> None:
        self.path, self._classifier, self._classifier_read = path, None, False

    def uses_classifier(self) -> bool:
        return True

    def ready(self) -> None:
        """Read the classifier with the pipeline, not in the first document (when it is used)."""
        if self.uses_classifier():
            _ = self.classifier

    @property
    def classifier(self) -> Language | None:
        if not self._classifier_read:
            found = (self.path / "config.cfg").exists()
            # a classifier given the pipeline's own tokens needs no tokenizer of its own
            load = spacy.load if self.tokenizes else load_components
            self._classifier = load(str(self.path)) if found else None
            self._classifier_read = True
        return self._classifier

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.classifier is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self.classifier.to_disk(Path(path) / "classifier")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SavedClassifier:
        self.point_at(Path(path) / "classifier")
        return self
