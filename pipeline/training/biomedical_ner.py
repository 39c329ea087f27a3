"""`casextract train`: the project's own biomedical NER, trained from the shared corpora.

scispaCy's pretrained models are not on PyPI, so casextract trains and ships a small spaCy
pipeline (`models/ner/`, tok2vec + ner, labels CHEMICAL and DISEASE) from BC5CDR (Chemical,
Disease), optionally with NCBI-disease (Disease) added (`--ncbi`; it scored lower on BC5CDR, so
the shipped model is BC5CDR only, and NCBI-disease feeds the disease gazetteer instead). The
training recipe is `models/ner/recipe.cfg`; this module only turns the IOB files into spaCy's binary
format and calls spaCy's trainer, so the run is reproducible (`[training] seed` is fixed in the
config).

NCBI-disease annotates diseases only: a chemical in an NCBI sentence is unannotated, not "not
a chemical". Tokens there that the drug lexicon knows are therefore marked *missing* (no loss
either way) rather than `O`, so the extra disease examples do not teach the model to miss drugs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example, iob_to_biluo
from spacy.vocab import Vocab

from .corpora import Sentence, read_iob
from .runs import install_model, train_spacy

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "models" / "ner" / "recipe.cfg"
DEFAULT_MODEL = ROOT / "models" / "ner"
KEPT_FILES = ("recipe.cfg", "SOURCES.md")  # the model folder's own notes, kept when it is retrained


def sentence_doc(vocab: Vocab, sentence: Sentence, missing: Iterable[int] = ()) -> Doc:
    biluo = iob_to_biluo(list(sentence.tags))
    for i in missing:
        if biluo[i] == "O":
            biluo[i] = "-"
    doc = Doc(vocab, words=list(sentence.words))
    return Example.from_dict(doc, {"entities": biluo}).reference


def chemical_like_tokens(sentence: Sentence, lexicon: set[str]) -> list[int]:
    return [i for i, word in enumerate(sentence.words) if word.lower() in lexicon]


def write_docbin(sentences: Iterable[Sentence], path: Path, vocab: Vocab, lexicon: set[str] | None = None) -> int:
    """One Doc per sentence; NCBI sentences (lexicon given) get drug-like tokens marked missing."""
    docbin = DocBin(store_user_data=False)
    count = 0
    for sentence in sentences:
        missing = chemical_like_tokens(sentence, lexicon) if lexicon is not None else ()
        docbin.add(sentence_doc(vocab, sentence, missing))
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(path)
    return count


def prepare(data_dir: Path, work: Path, limit: int | None = None, use_ncbi: bool = False) -> dict[str, int]:
    from ..lexicons import drug_lexicon

    vocab = Vocab()
    bc5 = data_dir / "bc5cdr"
    ncbi = data_dir / "ncbi-disease"
    train = read_iob(bc5 / "train.tsv", limit)
    counts = {"bc5cdr_train": len(train)}
    if use_ncbi and (ncbi / "train.tsv").exists():
        ncbi_train = read_iob(ncbi / "train.tsv", limit)
        counts["ncbi_train"] = len(ncbi_train)
        write_docbin(ncbi_train, work / "ncbi.spacy", vocab, lexicon=set(drug_lexicon()))
    write_docbin(train, work / "train" / "bc5cdr.spacy", vocab)
    if (work / "ncbi.spacy").exists():
        shutil.move(str(work / "ncbi.spacy"), work / "train" / "ncbi.spacy")
    dev = read_iob(bc5 / "devel.tsv", limit)
    counts["bc5cdr_devel"] = write_docbin(dev, work / "dev.spacy", vocab)
    return counts


def train(
    data_dir: str | Path,
    output: str | Path = DEFAULT_MODEL,
    config: str | Path = DEFAULT_CONFIG,
    limit: int | None = None,
    max_epochs: int | None = None,
    max_steps: int | None = None,
    use_ncbi: bool = False,
) -> dict:
    """Train the NER and write the best pipeline (by BC5CDR devel F1) to `output`."""
    data_dir, output = Path(data_dir), Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = prepare(data_dir, work, limit, use_ncbi)
        overrides = {"paths.train": str(work / "train"), "paths.dev": str(work / "dev.spacy")}
        if max_epochs is not None:
            overrides["training.max_epochs"] = max_epochs
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        install_model(train_spacy(config, work, overrides), output, KEPT_FILES)
    return counts


def evaluate_iob(model: str | Path, path: str | Path, limit: int | None = None) -> dict[str, float]:
    """Entity-level precision/recall/F1 of `model` on an IOB file, on the file's own tokens."""
    nlp = spacy.load(model)
    examples = []
    for sentence in read_iob(path, limit):
        reference = sentence_doc(nlp.vocab, sentence)
        examples.append(Example(Doc(nlp.vocab, words=list(sentence.words)), reference))
    scores = nlp.evaluate(examples)
    result = {"precision": scores["ents_p"], "recall": scores["ents_r"], "f1": scores["ents_f"]}
    for label, values in (scores.get("ents_per_type") or {}).items():
        result[f"{label.lower()}_f1"] = values["f"]
    return result
