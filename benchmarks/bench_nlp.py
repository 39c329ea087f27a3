"""Words per second and peak memory of the NLP stage on the 45 full-text case reports in
../shared/data/case-reports-ada (web text, page furniture included).

Run: `.venv/bin/python benchmarks/bench_nlp.py` (one process, one core: BLAS threads are pinned
to 1 before numpy loads). Targets: ≥ 8,000 words/s, peak memory < 1 GB. The same run also times
the pipeline without the case-report recogniser (`casextract_case_ner`), to show what it costs.
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


def measure() -> dict:
    """Load the pipeline, then run it over the reports: words, entities, seconds, peak MB."""
    from pipeline.nlp import load_pipeline

    texts = [json.loads(line)["text"] for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    nlp = load_pipeline()
    load_seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    seconds, entities = _timed(nlp, texts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the same run without the case-report recogniser: what it costs
    with nlp.select_pipes(disable=["casextract_case_ner"]):
        without, _ = _timed(nlp, texts)
    return {
        "documents": len(texts),
        "words": words,
        "entities": entities,
        "load": load_seconds,
        "seconds": seconds,
        "without_case_ner": without,
        "peak_mb": peak_mb,
    }


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
    print(f"NLP time           {found['seconds']:.2f} s")
    print(f"words per second   {found['words'] / found['seconds']:,.0f}   (target ≥ 8,000 on one core)")
    print(
        f"  without the case-report recogniser {found['words'] / found['without_case_ner']:,.0f} words/s"
        f" (it costs {found['seconds'] / found['without_case_ner'] - 1:.0%})"
    )
    print(f"peak memory        {found['peak_mb']:,.0f} MB   (target < 1,024 MB)")


if __name__ == "__main__":
    main()
