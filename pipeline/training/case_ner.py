"""The case-report recogniser: a spaCy `tok2vec` + `ner` trained on MACCROBAT's annotated case
reports (and, measured, PHEE's case-report sentences), scored per label on MACCROBAT's fixed dev
split with exact-span and token-overlap matching, beside a plain spaCy NER baseline.

    casextract train-case-ner [--data ../shared/data] [--out models/case_ner] [--phee] [--baseline]

The recipe is `models/case_ner/recipe.cfg`; the folder also holds the model's evaluation
(`evaluation.json`) and its data sources and licences (`SOURCES.md`), which training keeps.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from .corpora import (
    DEV_REPORTS,
    Report,
    maccrobat_docs,
    phee_docs,
    read_maccrobat,
    read_phee,
    split_ids,
    split_maccrobat,
)
from .runs import install_model, train_spacy

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "models" / "case_ner"
RECIPE = MODEL_DIR / "recipe.cfg"
SPLIT_NOTE = (
    f"MACCROBAT's dev split, fixed before any tuning: the {DEV_REPORTS} report ids first in sha1 order of the id"
    " (pipeline/training/corpora.py split_maccrobat). The recogniser's scores are read on these; it trains on"
    " the other reports."
)
KEPT_FILES = ("recipe.cfg", "evaluation.json", "SOURCES.md")  # the folder's notes, kept when retrained


def tokenizer_nlp() -> Language:
    """A blank English pipeline with the project's clinical tokenizer (the tokens the pipeline reads)."""
    from ..nlp.tokenizer import clinical_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    return nlp


def prepare(
    data: Path, work: Path, use_phee: bool = False, limit: int | None = None, reports: list[Report] | None = None
) -> dict[str, int]:
    """Write `train/*.spacy` and `dev.spacy` under `work` (from `reports`, MACCROBAT's, when they
    are read already); returns the number of examples of each."""
    nlp = tokenizer_nlp()
    train, dev = split_maccrobat(reports if reports is not None else read_maccrobat(data / "maccrobat"))
    if limit:
        train, dev = train[:limit], dev[: max(1, limit // 4)]
    parts = {"maccrobat_train": maccrobat_docs(nlp, train), "maccrobat_dev": maccrobat_docs(nlp, dev)}
    phee = data / "phee" / "train.jsonl"
    if use_phee and phee.exists():
        sentences = read_phee(phee)
        parts["phee_train"] = phee_docs(nlp, sentences[: limit * 10] if limit else sentences)
    (work / "train").mkdir(parents=True, exist_ok=True)
    for name, docs in parts.items():
        target = work / "dev.spacy" if name == "maccrobat_dev" else work / "train" / f"{name}.spacy"
        DocBin(docs=docs, store_user_data=False).to_disk(target)
    return {name: len(docs) for name, docs in parts.items()}


def train(
    data: str | Path,
    output: str | Path = MODEL_DIR,
    config: str | Path = RECIPE,
    use_phee: bool = False,
    limit: int | None = None,
    max_steps: int | None = None,
    init_tok2vec: str | Path | None = None,
) -> dict:
    """Train, keep the best checkpoint by the dev split's entity F1, and score it per label."""
    data, output = Path(data), Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reports = read_maccrobat(data / "maccrobat")
        counts = prepare(data, work, use_phee, limit, reports)
        overrides = {"paths.train": str(work / "train"), "paths.dev": str(work / "dev.spacy")}
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
            overrides["training.eval_frequency"] = min(200, max(1, max_steps))
        if init_tok2vec is not None:
            overrides["paths.init_tok2vec"] = str(init_tok2vec)
        install_model(train_spacy(config, work, overrides), output, KEPT_FILES)
        # the split the model was scored on, as the model's own record (all 100 reports' ids)
        split = {"_comment": SPLIT_NOTE, **split_ids(reports)}
        (output / "SPLIT.json").write_text(json.dumps(split, indent=1) + "\n", "utf-8")
        scores = score_model(spacy.load(output), DocBin().from_disk(work / "dev.spacy"))
    return {"training_examples": counts, "maccrobat_dev": scores}


def pretrain(data: str | Path, weights: str | Path, config: str | Path = RECIPE, epochs: int | None = None) -> Path:
    """`spacy pretrain` of the recipe's tok2vec on `raw_texts` (characters objective); the last
    epoch's weights are written to `weights`, for `paths.init_tok2vec`."""
    from spacy.cli.pretrain import pretrain as spacy_pretrain

    from .corpora import raw_texts

    weights = Path(weights)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with (work / "raw.jsonl").open("w", encoding="utf-8") as handle:
            for text in raw_texts(Path(data)):
                handle.write(json.dumps({"text": text}) + "\n")
        overrides = {"paths.raw_text": str(work / "raw.jsonl")}
        if epochs is not None:
            overrides["pretraining.max_epochs"] = epochs
        (work / "out").mkdir()
        recipe = spacy.util.load_config(config, overrides=overrides, interpolate=True)
        spacy_pretrain(recipe, work / "out", use_gpu=-1, silent=True)
        last = max((work / "out").glob("model*.bin"), key=lambda p: p.stat().st_mtime)
        weights.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(last, weights)
    return weights


def score_model(nlp: Language, gold: DocBin | Iterable[Doc]) -> dict[str, dict[str, float]]:
    """Per-label precision / recall / F1 of `nlp` against gold Docs, exact span and token overlap."""
    references = list(gold.get_docs(nlp.vocab)) if isinstance(gold, DocBin) else list(gold)
    predicted = nlp.pipe(
        Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in references
    )
    return score_entities(list(zip(references, predicted)))


def score_entities(pairs: list[tuple[Doc, Doc]]) -> dict[str, dict[str, float]]:
    counts: Counter[tuple[str, str]] = Counter()
    for reference, prediction in pairs:
        gold = [(e.start, e.end, e.label_) for e in reference.ents]
        found = [(e.start, e.end, e.label_) for e in prediction.ents]
        for start, end, label in found:
            counts[label, "predicted"] += 1
            counts[label, "exact_tp_p"] += (start, end, label) in gold
            counts[label, "overlap_tp_p"] += any(g[2] == label and g[0] < end and start < g[1] for g in gold)
        for start, end, label in gold:
            counts[label, "gold"] += 1
            counts[label, "exact_tp_r"] += (start, end, label) in found
            counts[label, "overlap_tp_r"] += any(f[2] == label and f[0] < end and start < f[1] for f in found)
    scores = {}
    for label in sorted({label for label, _ in counts}):
        row = {"gold": counts[label, "gold"], "predicted": counts[label, "predicted"]}
        for match in ("exact", "overlap"):
            p = counts[label, f"{match}_tp_p"] / counts[label, "predicted"] if counts[label, "predicted"] else 0.0
            r = counts[label, f"{match}_tp_r"] / counts[label, "gold"] if counts[label, "gold"] else 0.0
            row |= {f"{match}_p": round(p, 3), f"{match}_r": round(r, 3), f"{match}_f1": round(_f1(p, r), 3)}
        scores[label] = row
    return scores


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def baseline_config(max_steps: int = 3000) -> str:
    """`spacy init config --pipeline ner --optimize efficiency`, stopped at `max_steps`."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    config["training"]["max_steps"] = max_steps
    config["training"]["max_epochs"] = 0
    return config.to_str()


def train_baseline(data: str | Path, max_steps: int = 3000, limit: int | None = None) -> dict:
    """The plain spaCy NER the recogniser is measured against: `baseline_config`, trained on
    MACCROBAT's train split alone, scored as the recogniser is."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = prepare(Path(data), work, use_phee=False, limit=limit)
        (work / "baseline.cfg").write_text(baseline_config(max_steps), "utf-8")
        overrides = {"paths.train": str(work / "train"), "paths.dev": str(work / "dev.spacy")}
        overrides["training.eval_frequency"] = min(200, max(1, max_steps))
        trained = train_spacy(work / "baseline.cfg", work, overrides)
        # the last step's model, as the baseline's recipe states it (no checkpoint chosen on dev)
        scores = score_model(spacy.load(trained / "model-last"), DocBin().from_disk(work / "dev.spacy"))
    return {
        "training_examples": counts,
        "maccrobat_dev": scores,
        "recipe": f"spacy init config --pipeline ner --optimize efficiency, {max_steps} steps, MACCROBAT train split",
    }


def write_evaluation(path: Path, result: dict) -> None:
    """`result` over the evaluation already there: a retrained model's scores replace the old
    ones; the baseline and the recorded comparisons stay until they are measured again."""
    previous = json.loads(path.read_text("utf-8")) if path.exists() else {}
    path.write_text(json.dumps(previous | result, indent=2) + "\n", "utf-8")
