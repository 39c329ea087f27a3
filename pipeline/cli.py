"""Command line: `casextract run INPUT... --out OUT_DIR [--workers N] [--resume]`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """casextract: clinical case report PDFs → per-patient tables with provenance."""


@app.command()
def run(
    inputs: List[Path] = typer.Argument(..., help="PDF files, folders (searched for *.pdf), .txt/.md files"),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for the tables, text/ and run.json"),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Processes (default: all cores)"),
    resume: bool = typer.Option(False, "--resume", help="Skip documents an earlier run into OUT finished"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary"),
) -> None:
    """Extract every input into the contract's tables under OUT."""
    from .batch import discover, run as run_batch

    if not discover(inputs):
        console.print("[red]no input files found[/red] (PDFs in folders are found by the .pdf ending)")
        raise typer.Exit(2)
    progress = Progress(
        TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} docs/s"), TextColumn("ETA"), TimeRemainingColumn(),
        console=console, disable=quiet,
    )
    with progress:
        task = progress.add_task("extracting", total=None, rate="–")

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_progress(done: int, total: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            progress.update(task, completed=done, rate=f"{done / elapsed:.2f}" if elapsed else "–")

        summary = run_batch(inputs, out, workers=workers, resume=resume, on_progress=on_progress,
                            on_start=on_start)
    if not quiet:
        table = RichTable(title=f"casextract {__version__} → {out}")
        for column in ("documents", "ok", "error", "resumed", "seconds"):
            table.add_column(column, justify="right")
        table.add_row(str(summary.total), str(summary.ok), str(summary.errors), str(summary.resumed),
                      f"{summary.seconds:.1f}")
        console.print(table)


if __name__ == "__main__":
    app()
