"""Both PDF engines side by side, in one run, on the same PDFs: what plain text extraction costs
(pdfplumber's `page.extract_text()`, pypdfium2's raw page text) against casextract end to end with
the default engine (pdfplumber) and the fast one (pdfium), documents only and as whole `casextract
run` processes; one PDF from process start to tables written (median of five runs); 1 and 2 worker
batches; peak memory; NLP words/s. The whole-process batches and plain `extract_text()` run in three
rounds, every measurement once per round: ratios are taken within a round and the median round's
given, so that a minute of the shared machine's other work moves one round, not the figure.

Run: `.venv/bin/python benchmarks/bench_engines.py` (`make bench`). Inputs: the 45 real case reports
rendered as two-column journal PDFs (tools/real_corpus.py, needs ../shared), else the bundled
corpus. Each measurement runs in a fresh process pinned to one BLAS thread, so peaks are per worker
and one measurement's caches do not help the next.

Goals (issue 27): one 4-page PDF from process start to tables written ≤ 1.5 s with pdfium, ≤ 2.0 s
with the default engine; a batch, whole process, one worker: pdfium ≤ 0.5 × `extract_text()`, the
default ≤ 1.2 ×; two workers ≥ 1.8 × one; peak < 1 GB per process; NLP ≥ 8,000 words/s.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPORTS = ROOT.parent / "shared" / "data" / "case-reports-ada" / "case_reports.jsonl"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_extract_text(pdfs: list[Path]) -> dict:
    import pdfplumber

    started, pages = time.perf_counter(), 0
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return {"seconds": time.perf_counter() - started, "pages": pages, "peak_mb": peak_mb()}


def measure_pdfium_text(pdfs: list[Path]) -> dict:
    import pypdfium2

    started, pages = time.perf_counter(), 0
    for path in pdfs:
        document = pypdfium2.PdfDocument(str(path))
        for page in document:
            page.get_textpage().get_text_range()
            pages += 1
        document.close()
    return {"seconds": time.perf_counter() - started, "pages": pages, "peak_mb": peak_mb()}


def measure_end_to_end(pdfs: list[Path], engine: str) -> dict:
    """One core, in process, as one batch worker: every PDF through `worker.process` (read,
    sections, NLP, link, rows); the worker is prepared first and that time reported apart."""
    from pipeline.worker import InputFile, Limits, prepare_worker, process

    started = time.perf_counter()
    prepare_worker()  # as every batch worker starts
    load = time.perf_counter() - started
    limits = Limits(pdf_engine=engine)
    started, pages = time.perf_counter(), 0
    for path in pdfs:
        result = process(InputFile(path.stem, path, str(path)), limits)
        pages += result.info.pages or 0
    return {"seconds": time.perf_counter() - started, "pages": pages, "load": load, "peak_mb": peak_mb()}


def measure_nlp(_: list[Path]) -> dict:
    from bench_nlp import measure  # benchmarks/bench_nlp.py: the NLP stage over the reports' web text

    return measure()


def measure_command(pdfs: list[Path], engine: str, workers: int, first: int = 0) -> dict:
    """`casextract run` as a user runs it, whole process: from the process's start to its exit
    (tables, text, run.json and the review page written); `first`: only that many PDFs. The peak
    is the largest of the batch process and its workers."""
    chosen = pdfs[:first] if first else pdfs
    with tempfile.TemporaryDirectory() as out:
        command = [str(Path(sys.executable).with_name("casextract")), "run", *map(str, chosen), "--out", out, "-q"]
        command += ["--pdf-engine", engine, "--workers", str(workers)]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        pages = json.loads((Path(out) / "run.json").read_text("utf-8"))
    pages = sum(document["pages"] or 0 for document in pages["per_document"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "pages": pages, "documents": len(chosen)}


MEASURES = {
    "extract_text": measure_extract_text,
    "pdfium_text": measure_pdfium_text,
    "end_to_end": measure_end_to_end,
    "nlp": measure_nlp,
    "command": measure_command,
}


def in_fresh_process(name: str, folder: Path, *args: str) -> dict:
    command = [sys.executable, __file__, "--measure", name, "--inputs", str(folder), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def inputs(work: Path) -> tuple[Path, str]:
    if REPORTS.exists():
        from tools.real_corpus import build

        folder = build(work / "real", REPORTS, layouts=("pdf-2col",))["pdf-2col"]
        return folder, "the 45 real case reports as two-column PDFs"
    return ROOT / "corpus", "the bundled corpus (../shared absent)"


def report(folder: Path, described: str) -> None:
    raw = in_fresh_process("pdfium_text", folder)
    ends = {engine: in_fresh_process("end_to_end", folder, engine) for engine in ENGINES}
    one_pdf = one_report(folder)
    # a second or two each, so one burst of the shared machine's other work would be the figure:
    # the median of SINGLE_RUNS, the engines taking turns
    runs = [
        in_fresh_process("command", one_pdf.parent, engine, "1", one_pdf.name)
        for _ in range(SINGLE_RUNS)
        for engine in ENGINES
    ]
    singles = {
        engine: _median_run([r for r, e in zip(runs, ENGINES * SINGLE_RUNS) if e == engine]) for engine in ENGINES
    }
    # the batches and plain `extract_text()` in ROUNDS rounds, each round all of them one after
    # another: a ratio is taken within a round (its two runs a minute apart, not ten), and the
    # figure is the median round's
    rounds = []
    for _ in range(ROUNDS):
        measured = {"text": in_fresh_process("extract_text", folder)}
        for engine in ENGINES:
            for workers in (1, 2):
                measured[(engine, workers)] = in_fresh_process("command", folder, engine, str(workers))
        rounds.append(measured)
    text = _median_by(rounds, lambda r: r["text"]["seconds"])["text"]
    pages = text["pages"]
    print(f"inputs: {described}: {len(list(folder.glob('*.pdf')))} PDFs, {pages} pages; one core unless said\n")
    print(f"{'':48s} {'s/page':>8s} {'pages/s':>8s} {'× extract_text':>15s} {'peak MB':>8s}")

    def row(label: str, seconds: float, peak: float, ratio: float | None = None) -> None:
        ratio = seconds / text["seconds"] if ratio is None else ratio
        print(f"{label:48s} {seconds / pages:8.4f} {pages / seconds:8.1f} {ratio:15.2f} {peak:8.0f}")

    row("pdfplumber page.extract_text()", text["seconds"], text["peak_mb"])
    row("pypdfium2 raw page text", raw["seconds"], raw["peak_mb"])
    for engine, result in ends.items():
        row(f"documents only, --pdf-engine {engine}", result["seconds"], result["peak_mb"])
    for engine in ENGINES:
        middle = _median_by(rounds, lambda r, e=engine: _whole_ratio(r, e))
        whole = middle[(engine, 1)]
        row(
            f"casextract run, whole process, --pdf-engine {engine}",
            whole["seconds"],
            whole["peak_mb"],
            _whole_ratio(middle, engine),
        )
    print(f"\n(pipeline load, once per batch: {ends['pdfium']['load']:.1f} s; in the whole-process rows)")
    within = "; ".join(", ".join(f"{_whole_ratio(r, engine):.2f}" for engine in ENGINES) for r in rounds)
    print(f"(whole process and extract_text: the median of {ROUNDS} rounds; {'/'.join(ENGINES)} by round: {within})")
    print(
        f"\none PDF ({one_pdf.stem}, {singles['pdfium']['pages']} pages), process start to tables written"
        f" (median of {SINGLE_RUNS} runs):"
    )
    for engine, result in singles.items():
        spread = f"{min(result['all']):.2f}-{max(result['all']):.2f} s"
        print(f"  --pdf-engine {engine:12s} {result['seconds']:6.2f} s   ({spread})   peak {result['peak_mb']:5.0f} MB")
    print(
        f"\n{'batch, whole process (casextract run)':48s} {'1 worker':>12s} {'2 workers':>12s} {'speed-up':>9s}"
        f" {'peak/process':>12s}"
    )
    for engine in ENGINES:
        speedups = [r[(engine, 1)]["seconds"] / r[(engine, 2)]["seconds"] for r in rounds]
        one = _median([r[(engine, 1)]["seconds"] for r in rounds])
        two = _median([r[(engine, 2)]["seconds"] for r in rounds])
        peak = max(r[(engine, w)]["peak_mb"] for r in rounds for w in (1, 2))
        print(
            f"{'--pdf-engine ' + engine:48s} {pages / one:8.2f} p/s {pages / two:8.2f} p/s"
            f" {_median(speedups):8.2f}x {peak:9.0f} MB   (rounds: {', '.join(f'{x:.2f}x' for x in speedups)})"
        )
    if REPORTS.exists():
        nlp = in_fresh_process("nlp", folder)
        print(
            f"\nNLP stage as `casextract run` runs it: {nlp['stage_words'] / nlp['stage_seconds']:,.0f} words/s on one"
            f" core ({nlp['stage_words']:,} words of article text); the whole web text, every part read:"
            f" {nlp['words'] / nlp['seconds']:,.0f} words/s ({nlp['words']:,} words)"
        )
    print(
        "\ngoals (issue 27): one PDF ≤ 1.5 s (pdfium), ≤ 2.0 s (pdfplumber); whole process, one worker:"
        " pdfium ≤ 0.5 × extract_text, pdfplumber ≤ 1.2 ×; 2 workers ≥ 1.8 ×; < 1,024 MB; NLP ≥ 8,000 words/s"
    )


ENGINES = ("pdfplumber", "pdfium")
SINGLE_RUNS = 5
ROUNDS = 3


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _median_by(results: list[dict], key) -> dict:
    """The result (a run, a round) whose `key` is the median of the results'."""
    return sorted(results, key=key)[len(results) // 2]


def _whole_ratio(measured: dict, engine: str) -> float:
    """A round's one-worker `casextract run` with `engine` ÷ its `extract_text()`."""
    return measured[(engine, 1)]["seconds"] / measured["text"]["seconds"]


def _median_run(results: list[dict]) -> dict:
    """The run of median time, with every run's time under `all`."""
    return {**_median_by(results, lambda r: r["seconds"]), "all": [r["seconds"] for r in results]}


def one_report(folder: Path) -> Path:
    """A four-page report when there is one (a user's first PDF), else the first."""
    import pypdfium2

    pdfs = sorted(folder.glob("*.pdf"))
    for path in pdfs:
        document = pypdfium2.PdfDocument(str(path))
        pages = len(document)
        document.close()
        if pages == 4:
            return path
    return pdfs[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", choices=sorted(MEASURES))
    parser.add_argument("--inputs", type=Path)
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    if options.measure:
        pdfs = sorted(options.inputs.glob("*.pdf"))
        if options.measure == "command" and len(options.args) == 3:  # one named PDF
            pdfs, options.args = [options.inputs / options.args[2]], options.args[:2]
        extra = [int(a) if a.isdigit() else a for a in options.args]
        print(json.dumps(MEASURES[options.measure](pdfs, *extra)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder, described = inputs(Path(tmp))
        report(folder, described)


if __name__ == "__main__":
    main()
