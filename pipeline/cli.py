"""Command line: `casextract run INPUT... --out OUT_DIR [--workers N] [--resume]`.

Exit codes, as batch tools use them: 0 the batch ran (documents that failed are error rows, counted
in the summary); 1 with `--strict` when any document became an error row, or when OUT could not
be written (a full disk: what was recorded is kept for `--resume`); 2 a usage error, found before
any work and told in one line (another run writing into OUT, `--resume` under other options), or
gold that `eval` refuses (each problem on a line first). The `gold` commands (check, draft) are in
gold_cli.py.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from . import __version__
from .cli_shared import TidyHelpGroup, console, run_folder, usage_error, writable_folder
from .gold_cli import gold_app
from .run_config import DEFAULT_LIMITS

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n\n")[0], cls=TidyHelpGroup)
app.add_typer(gold_app, name="gold")


@app.callback()
def overview() -> None:
    """casextract: clinical case report PDFs → per-patient tables with provenance."""


@app.command()
def run(
    inputs: list[Path] = typer.Argument(
        ..., metavar="INPUT", help="PDF files, folders (searched for *.pdf), .txt/.md files"
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", metavar="DIR", help="Output folder for the tables, text/ and run.json"
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-w", metavar="N", min=1, help="Processes (default: all cores)"
    ),
    resume: bool = typer.Option(False, "--resume", help="Skip documents an earlier run into OUT finished"),
    redo_other_config: bool = typer.Option(
        False, "--redo-other-config", help="With --resume: make again the documents made under other options"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary"),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any document became an error row"),
    max_pages: int = typer.Option(
        DEFAULT_LIMITS.max_pages, metavar="N", min=0, help="Longer PDFs become error rows (0: no limit)"
    ),
    max_seconds: float = typer.Option(
        DEFAULT_LIMITS.max_seconds,
        metavar="SECONDS",
        min=0,
        help="Per document; its worker is stopped and replaced (0: none)",
    ),
    max_memory_mb: int = typer.Option(
        DEFAULT_LIMITS.max_memory_mb, metavar="MB", min=0, help="Address space per worker process (0: no limit)"
    ),
    pdf_engine: str = typer.Option(
        DEFAULT_LIMITS.pdf_engine,
        metavar="pdfplumber|pdfium",
        help="Reads PDF characters: pdfplumber (the reference) or pdfium (faster)",
    ),
    engine: str = typer.Option("local", metavar="local|ray", help="local (worker processes on this machine) or ray"),
    address: str | None = typer.Option(
        None, metavar="ADDRESS", help="Ray cluster: auto or ray://HOST:PORT (default: start a local Ray)"
    ),
    ray_actors: int | None = typer.Option(
        None, metavar="N", min=1, help="Ray actor pool size (default: cluster CPUs / --cpus-per-actor)"
    ),
    cpus_per_actor: float = typer.Option(1.0, metavar="CPUS", min=0.1, help="CPUs each Ray actor reserves"),
) -> None:
    """Extract every input into the contract's tables under OUT."""
    from .collector import building_to_keep
    from .head_start import HeadStart
    from .inputs import discover
    from .run_config import PDF_ENGINES, Limits

    missing = [path for path in inputs if not path.exists()]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise usage_error(f"no such file or folder: {missing[0]}{more}")
    if engine not in ("local", "ray"):
        raise usage_error(f"--engine is local or ray, not {engine!r}")
    if pdf_engine not in PDF_ENGINES:
        raise usage_error(f"--pdf-engine is {' or '.join(PDF_ENGINES)}, not {pdf_engine!r}")
    if redo_other_config and not resume:
        raise usage_error("--redo-other-config goes with --resume")
    found = discover(inputs)
    if not found:
        raise usage_error("nothing to do: no input files found (in folders, PDFs are found by their .pdf ending)")
    writable_folder(out)
    limits = Limits(max_pages, max_seconds, max_memory_mb, pdf_engine)
    # documents read on the other core while this process imports spaCy and loads the pipeline
    head_start = HeadStart(found, limits, workers or os.cpu_count() or 1) if engine == "local" else None
    with building_to_keep():  # the modules of spaCy and of the pipeline: kept for the whole run
        from .batch import ConfigMismatch, OutInUse, WriteFailed
        from .batch import run as run_batch

    progress = Progress(
        TextColumn("[bold]extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} docs/s"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        # no refresh thread: batch workers are forked, and a fork taken while another thread holds
        # stderr's lock would leave the worker's stderr locked for good
        auto_refresh=False,
    )
    with progress, head_start or nullcontext():
        task = progress.add_task("extracting", total=None, rate="–")

        def on_start(total: int) -> None:
            progress.update(task, total=total, refresh=True)

        def on_progress(done: int, total: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            progress.update(task, completed=done, rate=f"{done / elapsed:.2f}" if elapsed else "–", refresh=True)

        try:
            summary = run_batch(
                inputs,
                out,
                workers=workers,
                resume=resume,
                on_progress=on_progress,
                on_start=on_start,
                limits=limits,
                engine=engine,
                ray_options={
                    "address": address,
                    "actors": ray_actors,
                    "cpus_per_actor": cpus_per_actor,
                    "num_cpus": workers,
                },
                redo_other_config=redo_other_config,
                head_start=head_start,
            )
        except (OutInUse, ConfigMismatch) as exc:
            progress.stop()
            raise usage_error(str(exc)) from None
        except WriteFailed as exc:
            progress.stop()
            console.print(f"casextract: {exc.strerror}", soft_wrap=True, highlight=False, markup=False)
            raise typer.Exit(1) from None
    if summary.stale_lock and not quiet:
        console.print(f"note: took over the lock of a run that ended without releasing it ({summary.stale_lock})")
    if not quiet:
        table = RichTable(title=f"casextract {__version__} → {out}")
        counts = {"documents": summary.total, "ok": summary.ok, "with warning": summary.warnings}
        counts |= {"error": summary.errors, "resumed": summary.resumed, "seconds": f"{summary.seconds:.1f}"}
        for column in counts:
            table.add_column(column, justify="right")
        table.add_row(*map(str, counts.values()))
        if summary.redone:
            table.caption = f"{summary.redone} document(s) made under other options were made again"
        console.print(table)
    global _DONE_WITH_NOTHING_PENDING
    _DONE_WITH_NOTHING_PENDING = engine == "local"  # Ray shuts its cluster down at exit
    if strict and summary.errors:
        console.print(f"casextract: {summary.errors} document(s) became error rows (--strict)", highlight=False)
        raise typer.Exit(1)


@app.command()
def report(out: Path = typer.Argument(..., help="The --out folder of a casextract run")) -> None:
    """(Re)write OUT/report.html: every extracted fact highlighted in its document's text."""
    from .report import write_report

    console.print(f"review page → {write_report(run_folder(out))}")


@app.command("eval")
def evaluate_command(
    out: Path = typer.Argument(..., help="The --out folder of a casextract run"),
    gold: Path = typer.Argument(..., help="Folder of gold JSON files (or one gold file)"),
    scores: Path | None = typer.Option(None, metavar="FILE", help="Scores JSON (default: OUT/eval/scores.json)"),
    errors: Path | None = typer.Option(
        None, metavar="FILE", help="Misses and false hits, TSV (default: OUT/eval/errors.tsv)"
    ),
) -> None:
    """Precision, recall and F1 per field against gold files; misses and false hits to a file.

    Malformed gold is refused (as `casextract gold check` finds it): nothing scored, nothing written."""
    from .evaluate import GoldError, evaluate, score_tables, write_reports

    run_folder(out)
    if not gold.exists():
        raise usage_error(f"no such gold file or folder: {gold}")
    try:
        result = evaluate(out, gold)
    except GoldError as exc:
        for problem in exc.problems:
            console.print(str(problem), highlight=False, markup=False, soft_wrap=True)
        raise usage_error(
            f"{len(exc.problems)} problem(s) in the gold at {gold}: nothing scored, nothing written"
        ) from None
    if not result.per_document:
        raise usage_error(f"no gold file in {gold} matches a document of {out}: nothing scored, nothing written")
    scores = scores or out / "eval" / "scores.json"
    errors = errors or out / "eval" / "errors.tsv"
    write_reports(result, scores, errors)
    if scores == out / "eval" / "scores.json" and errors == out / "eval" / "errors.tsv":
        from .report import write_report

        write_report(out)  # the review page shows what eval found
    out_console = Console() if sys.stdout.isatty() else Console(width=150)
    for table in score_tables(result):
        out_console.print(table)
    withheld = len(result.errors) - len(result.listed_errors)
    console.print(
        f"scores → {scores}\nerrors → {errors} ({len(result.listed_errors)} rows"
        + (f"; {withheld} of the held-out test split withheld)" if withheld else ")")
    )


@app.command()
def train(
    data: Path = typer.Option(
        Path("../shared/data"), metavar="DIR", help="Folder with bc5cdr/ and ncbi-disease/ (IOB TSV)"
    ),
    out: Path = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Where to write the trained pipeline (default: models/ner)"
    ),
    config: Path = typer.Option(None, metavar="FILE", help="spaCy training config (default: models/ner/recipe.cfg)"),
    limit: int | None = typer.Option(
        None, metavar="N", help="Use only the first N sentences of each file (smoke runs)"
    ),
    max_epochs: int | None = typer.Option(None, metavar="N", help="Override [training] max_epochs"),
    max_steps: int | None = typer.Option(None, metavar="N", help="Override [training] max_steps"),
    ncbi: bool = typer.Option(
        False,
        "--ncbi/--no-ncbi",
        help="Add NCBI-disease to the training data (scored lower on BC5CDR; see models/ner/evaluation.json)",
    ),
) -> None:
    """Train the biomedical NER (CHEMICAL, DISEASE) and score it on BC5CDR test."""
    import json

    from .training.biomedical_ner import DEFAULT_CONFIG, DEFAULT_MODEL, evaluate_iob
    from .training.biomedical_ner import train as train_ner

    if not (data / "bc5cdr").is_dir():
        raise usage_error(f"no training data: {data}/bc5cdr is missing (the corpora live in ../shared/data)")

    out = out or DEFAULT_MODEL
    counts = train_ner(
        data, out, config or DEFAULT_CONFIG, limit=limit, max_epochs=max_epochs, max_steps=max_steps, use_ncbi=ncbi
    )
    scores = evaluate_iob(out, data / "bc5cdr" / "test.tsv", limit=limit)
    report = {
        "training_sentences": counts,
        "bc5cdr_test": scores,
        "reference": {"scispacy en_ner_bc5cdr_md (published)": 84.28},
    }
    (out / "evaluation.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    console.print(
        f"BC5CDR test: P {scores['precision']:.4f}  R {scores['recall']:.4f}  F1 {scores['f1']:.4f}"
        f"  (scispaCy en_ner_bc5cdr_md: 0.8428) → {out}"
    )


@app.command("train-case-ner")
def train_case_ner_command(
    data: Path = typer.Option(Path("../shared/data"), metavar="DIR", help="Folder with maccrobat/ and phee/"),
    out: Path = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Where to write the trained pipeline (default: models/case_ner)"
    ),
    config: Path = typer.Option(
        None, metavar="FILE", help="spaCy training config (default: models/case_ner/recipe.cfg)"
    ),
    phee: bool = typer.Option(
        False,
        "--phee/--no-phee",
        help="Add PHEE's case-report sentences (scored lower on the real reports' dev split; see evaluation.json)",
    ),
    baseline: bool = typer.Option(
        False, "--baseline/--no-baseline", help="Also train and score the plain spaCy NER baseline (3,000 steps)"
    ),
    limit: int | None = typer.Option(None, metavar="N", help="Use only the first N training reports (smoke runs)"),
    max_steps: int | None = typer.Option(None, metavar="N", help="Override [training] max_steps"),
    pretrain_epochs: int = typer.Option(
        0,
        metavar="N",
        help="First pretrain the tok2vec for N epochs on unannotated text (scored lower; see evaluation.json)",
    ),
) -> None:
    """Train the case-report recogniser on MACCROBAT (+ PHEE) and score it per label on MACCROBAT's dev split."""
    import tempfile

    from .training.case_ner import MODEL_DIR, RECIPE, pretrain, train, train_baseline, write_evaluation

    if not (data / "maccrobat").is_dir():
        raise usage_error(f"no training data: {data}/maccrobat is missing (the corpora live in ../shared/data)")
    if (limit or max_steps) and out is None:
        raise usage_error("a run with --limit or --max-steps needs --out: it must not replace the shipped model")
    out, config = out or MODEL_DIR, config or RECIPE
    with tempfile.TemporaryDirectory() as tmp:
        weights = pretrain(data, Path(tmp) / "tok2vec.bin", config, pretrain_epochs) if pretrain_epochs else None
        result = train(data, out, config, use_phee=phee, limit=limit, max_steps=max_steps, init_tok2vec=weights)
    if baseline:
        result["baseline"] = train_baseline(data, max_steps=max_steps or 3000, limit=limit)
    smoke = (f" --limit {limit}" if limit else "") + (f" --max-steps {max_steps}" if max_steps else "")
    result["recipe"] = (
        f"casextract train-case-ner {'--phee' if phee else '--no-phee'} --pretrain-epochs {pretrain_epochs}{smoke}"
        f" ({config.name}, seed 13)"
    )
    write_evaluation(out / "evaluation.json", result)
    for label, row in result["maccrobat_dev"].items():
        console.print(f"{label:24s} exact F1 {row['exact_f1']:.3f}  overlap F1 {row['overlap_f1']:.3f}")
    console.print(f"→ {out}")


@app.command("train-conditions")
def train_conditions_command(
    data: Path = typer.Option(
        Path("../shared/data/case-reports-ada/case_reports.jsonl"),
        metavar="FILE",
        help="Annotated case reports (JSON lines with text and entities)",
    ),
    splits: Path = typer.Option(
        Path("gold/real/SPLITS.json"), metavar="FILE", help="Trains on the documents of its 'dev' split only"
    ),
    out: Path = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Where to write the classifier (default: models/conditions)"
    ),
    limit: int | None = typer.Option(None, metavar="N", help="Use only the first N training documents (smoke runs)"),
    epochs: int = typer.Option(12, metavar="N", help="Passes over the training candidates"),
) -> None:
    """Train the condition filter: a diagnosis of the patient, or a symptom, sign or non-disease."""
    import json

    from .nlp.condition_filter import DEFAULT_MODEL
    from .training.conditions import read_reports, train

    for path in (data, splits):
        if not path.is_file():
            raise usage_error(f"no such file: {path} (the annotated reports live in ../shared/data)")
    dev = set(json.loads(splits.read_text("utf-8"))["dev"])
    reports = read_reports(data, dev)[:limit] if limit else read_reports(data, dev)
    counts = train(reports, out or DEFAULT_MODEL, splits.parent, epochs=epochs)
    console.print(f"condition filter: {counts} → {out or DEFAULT_MODEL}")


@app.command("train-statements")
def train_statements_command(
    data: Path = typer.Option(
        Path("../shared/data"), metavar="DIR", help="Folder with maccrobat/, phee/ and case-reports-ada/"
    ),
    out: Path = typer.Option(
        None, "--out", "-o", metavar="DIR", help="Where to write the classifier (default: models/statements)"
    ),
    limit: int | None = typer.Option(None, metavar="N", help="Use only N reports and a few sentences (smoke runs)"),
) -> None:
    """Train the statement classifier: a sentence about the patient, or general knowledge."""
    from .training.statements import MODEL_DIR, THRESHOLD, train

    missing = [name for name in ("maccrobat", "phee", "case-reports-ada") if not (data / name).is_dir()]
    if missing:
        raise usage_error(
            f"no training data: {', '.join(missing)} missing in {data} (the corpora live in ../shared/data)"
        )
    if limit and out is None:
        raise usage_error("a run with --limit needs --out: it must not replace the shipped model")
    result = train(data, out or MODEL_DIR, limit=limit)
    held = result["held_out"][str(THRESHOLD)]["real_reports_and_maccrobat_dev"]
    console.print(
        f"held out, threshold {THRESHOLD}: general P {held['general_precision']:.3f} R {held['general_recall']:.3f},"
        f" patients' sentences kept {held['patient_kept']:.3f} → {out or MODEL_DIR}"
    )


# set by a finished local run: nothing is left for the interpreter's teardown to do but free the
# loaded pipeline's millions of objects, half a second a user waits for after the tables are written
_DONE_WITH_NOTHING_PENDING = False


def main() -> None:
    """The `casextract` command: typer's app; after a local `run`, the process ends at once."""
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if not _DONE_WITH_NOTHING_PENDING:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


if __name__ == "__main__":
    main()
