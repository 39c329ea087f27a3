"""Words per second and peak memory of the NLP stage on the 45 full-text case reports in
../shared/data/case-reports-ada (web text, page furniture included), read two ways in one run:

- the NLP stage as `casextract run` runs it (`pipeline.nlp.analyse`): each report through the
  plain-text reader and the sections stage first, so the recogniser skips the Introduction and
  Discussion (`learned_ner.py`); words are those of the article text the stage is given;
- the whole text given straight to `nlp.pipe` (no sections known, every part read), as a caller of
  the spaCy pipeline alone runs it; words are the reports' own.

Run: `.venv/bin/python benchmarks/bench_nlp.py` (one process, one core: BLAS threads are pinned
to 1 before numpy loads). Targets: ≥ 8,000 words/s, peak memory < 1 GB. The same run also times
the whole-text reading without each costly component (the case-report recogniser, the statement
classifier, the coder), to show what each costs.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "data" / "case-reports-ada" / "case_reports.jsonl"
ROUNDS = 2
TIMED_OFF = {  # component → what it is: each is timed off as well, in the same run
    "casextract_case_ner": "the case-report recogniser",
    "casextract_statements": "the statement classifier",
    "casextract_coder": "the coder (ICD-10-CM, DrugBank, LOINC)",
}


def measure() -> dict:
    """Load the pipeline, then run it over the reports: words, entities, seconds, peak MB."""
    from pipeline.collector import building_to_keep
    from pipeline.nlp import load_pipeline

    texts = [json.loads(line)["text"] for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    articles = [_article(text, f"report-{number}") for number, text in enumerate(texts)]
    started = time.perf_counter()
    with building_to_keep():  # as a batch loads it for its workers: the pipeline out of the collector's sight
        nlp = load_pipeline()
    load_seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    _timed(nlp, texts[:5])  # lexicons and models read on first use: not what a document costs
    # the whole pipeline and the pipeline without each of those components, in turn, ROUNDS times:
    # each figure is its fastest round, so a slow spell of the shared machine hits none alone
    seconds, without, entities = float("inf"), dict.fromkeys(TIMED_OFF, float("inf")), 0
    stage_seconds = float("inf")
    for _ in range(ROUNDS):
        stage_seconds = min(stage_seconds, _timed_stage(articles))
        taken, entities = _timed(nlp, texts)
        seconds = min(seconds, taken)
        for name in TIMED_OFF:
            with nlp.select_pipes(disable=[name]):
                without[name] = min(without[name], _timed(nlp, texts)[0])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "documents": len(texts),
        "words": words,
        "entities": entities,
        "load": load_seconds,
        "seconds": seconds,
        "without": without,
        "stage_words": sum(len(a.text.split()) for a in articles),
        "stage_seconds": stage_seconds,
        "peak_mb": peak_mb,
    }


def _article(text: str, doc_id: str):
    """The report as the plain-text reader and the sections stage give it to the NLP stage."""
    from pipeline.sections import build_article
    from pipeline.structures import Layout
    from pipeline.textfile import markdown_blocks

    return build_article(Layout(source_path=f"{doc_id}.txt", pages=None, blocks=tuple(markdown_blocks(text))), doc_id)


def _timed_stage(articles: list) -> float:
    from pipeline.nlp import analyse

    started = time.perf_counter()
    for article in articles:
        analyse(article)
    return time.perf_counter() - started


def _timed(nlp, texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(texts, batch_size=4):
        entities += len(doc.ents)
    return time.perf_counter() - started, entities


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} not found: this benchmark needs ../shared")
    found = measure()
    print(f"documents          {found['documents']}")
    print(f"words              {found['words']}")
    print(f"entities           {found['entities']}")
    print(f"pipeline load      {found['load']:.2f} s")
    print(
        f"NLP stage, as `casextract run` runs it: {found['stage_words'] / found['stage_seconds']:,.0f} words/s"
        f"   (target ≥ 8,000 on one core; {found['stage_words']:,} words of article text,"
        f" {found['stage_seconds']:.2f} s)"
    )
    print(f"whole text, every part read: {found['words'] / found['seconds']:,.0f} words/s   ({found['seconds']:.2f} s)")
    for name, what in TIMED_OFF.items():
        seconds = found["without"][name]
        print(
            f"  without {what} {found['words'] / seconds:,.0f} words/s (it costs {found['seconds'] / seconds - 1:.0%})"
        )
    print(f"peak memory        {found['peak_mb']:,.0f} MB   (target < 1,024 MB)")


if __name__ == "__main__":
    main()
