"""Fuzz campaign: thousands of mutated PDFs and texts through the real batch, under real limits.

Run: `nice -n 10 .venv/bin/python benchmarks/fuzz.py [--inputs 5000] [--seed 1] [--workers N]
[--out DIR]`; `--only N` writes input N alone (to reproduce a crasher); `--bombs` runs the
decompression-bomb batch instead (2 × cores bombs and a few good documents on all cores).

Inputs are mutations of seeds (the corpus PDFs, PDFs rendered here, texts): see `fuzz_inputs.py`.
They run in chunks (a folder of `--chunk` inputs each) through `casextract run` as a subprocess
with `--max-seconds`, `--max-memory-mb` and all workers, the PDF engine alternating between
pdfplumber and pdfium from chunk to chunk. A watcher samples the batch's process tree in /proc
(`process_watch.py`) ten times a second. Counted, per chunk and overall (the goal of each is 0):

- inputs without exactly one `documents` row (none, or several);
- crashes: the batch itself exiting non-zero (or a chunk that outlives its watchdog: a hang);
- workers past `--max-seconds` not replaced. A worker that is never stopped shows in three ways,
  each counted: a row whose own `seconds` (measured in the worker) exceeds the limit by more than
  5 s (it ran on and was not stopped); fewer workers vanishing while documents remained than rows
  saying a worker was stopped or died (a stopped row whose worker lived on); a worker that vanished
  while documents remained without a new worker appearing within 30 s (not replaced). Workers still
  alive 5 s after the batch exited (escaped the pool) are counted too;
- workers whose peak resident memory (the kernel's VmHWM) exceeded `--max-memory-mb`, and workers
  that ran 3 s or more without the RLIMIT_AS limit set (read from /proc/PID/limits).

Inputs worth a look are kept under OUT/crashers/KIND/ (a row count other than one, an internal
error, a worker that died, a row that overran), each with its mutations in its name and in
OUT/crashers/index.jsonl; OUT/summary.json holds the figures.

Why not atheris: it installs (3.x, into a venv by hand) but cannot drive this sensibly. Its
coverage feedback comes from the process that calls `atheris.Fuzz()`, while every document is parsed
in a spawned worker it cannot see, so its guidance would be blind; `Fuzz()` owns the process and
calls the target one input at a time, so each input would pay a worker pool's start (seconds of
spaCy loading) or need a pool of our own built around it; its `Mutate()` works only inside that
loop; and it knows nothing of PDF objects. So the mutator here is our own, deterministic from
`--seed`, structure-aware for PDFs, and the invariants are checked on whole batches.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_inputs
from process_watch import Watched, run_watched

OVERRUN_SLACK = 5.0  # seconds past --max-seconds a row may report before it counts as not stopped
REPLACE_WITHIN = 30.0  # seconds in which a stopped worker must have a successor


@dataclass
class Settings:
    workers: int
    max_seconds: float = 20.0
    max_memory_mb: int = 1024
    engines: tuple[str, ...] = ("pdfplumber", "pdfium")


@dataclass
class Tally:
    inputs: int = 0
    ok: int = 0
    errors: Counter = field(default_factory=Counter)  # reason (up to its detail) → rows
    not_one_row: int = 0
    crashes: int = 0
    hangs: int = 0
    overran: int = 0
    not_stopped: int = 0
    not_replaced: int = 0
    leftover_workers: int = 0
    workers_over_memory: int = 0
    workers_without_limit: int = 0
    workers_seen: int = 0
    peak_worker_mb: float = 0.0
    peak_total_mb: float = 0.0
    seconds: float = 0.0

    @property
    def escapes(self) -> int:
        return self.overran + self.not_stopped + self.not_replaced + self.leftover_workers + self.hangs

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if name == "errors":
                self.errors.update(value)
            elif name.startswith("peak"):
                setattr(self, name, max(getattr(self, name), value))
            else:
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return {**asdict(self), "errors": dict(self.errors.most_common()), "escapes": self.escapes}


def reason_kind(error: str) -> str:
    """An error row's reason without its detail: `damaged PDF (…)` → `damaged PDF`."""
    head = error.split(" (")[0].strip()
    return "took longer than the limit" if head.startswith("took longer") else head


def batch_command(paths: list[Path], out: Path, settings: Settings, engine: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline.cli",
        "run",
        *map(str, paths),
        "--out",
        str(out),
        "--workers",
        str(settings.workers),
        "--max-seconds",
        f"{settings.max_seconds:g}",
        "--max-memory-mb",
        str(settings.max_memory_mb),
        "--pdf-engine",
        engine,
        "-q",
    ]


def watchdog_seconds(count: int, settings: Settings) -> float:
    """Longest a chunk may take if every limit holds: the pool's start, then every document at its
    time limit plus a worker restart, spread over the workers, then the tables."""
    return 180 + math.ceil(count / settings.workers) * (settings.max_seconds + 15) + 120


def run_batch(paths: list[Path], out: Path, settings: Settings, engine: str) -> tuple[Watched, list[dict], dict]:
    """The real batch on `paths`: what the watcher saw, the documents rows, and run.json."""
    import pandas as pd

    shutil.rmtree(out, ignore_errors=True)
    watched = run_watched(
        batch_command(paths, out, settings, engine), timeout=watchdog_seconds(len(paths), settings), cwd=ROOT
    )
    rows, report = [], {}
    if (out / "documents.parquet").is_file():
        rows = pd.read_parquet(out / "documents.parquet").to_dict("records")
    if (out / "run.json").is_file():
        report = json.loads((out / "run.json").read_text("utf-8"))
    return watched, rows, report


def check(paths: list[Path], out: Path, settings: Settings, engine: str) -> tuple[Tally, dict[Path, str]]:
    """Run one chunk and count every invariant; the inputs to keep, with why."""
    watched, rows, report = run_batch(paths, out, settings, engine)
    tally = Tally(inputs=len(paths), seconds=watched.seconds)
    keep: dict[Path, str] = {}
    tally.hangs = int(watched.hung)
    tally.crashes = int(watched.returncode not in (0, None))
    if tally.crashes or tally.hangs:
        print(f"  batch {'hung' if watched.hung else 'exited ' + str(watched.returncode)}: {watched.stderr[-800:]}")

    by_path = Counter(row["source_path"] for row in rows)
    for path in paths:
        if by_path[str(path)] != 1:
            tally.not_one_row += 1
            keep[path] = f"rows: {by_path[str(path)]}"
    for row in rows:
        if row["status"] == "ok":
            tally.ok += 1
            continue
        kind = reason_kind(row["error"])
        tally.errors[kind] += 1
        if kind in ("internal error", "worker process died"):
            keep.setdefault(Path(row["source_path"]), row["error"])

    seconds_of = {d["doc_id"]: d["seconds"] for d in report.get("per_document", [])}
    path_of = {row["doc_id"]: Path(row["source_path"]) for row in rows}
    for doc_id, seconds in seconds_of.items():
        if seconds > settings.max_seconds + OVERRUN_SLACK:
            tally.overran += 1
            keep.setdefault(path_of.get(doc_id, Path(doc_id)), f"overran: {seconds:.1f} s")

    stopped_rows = sum(
        n for kind, n in tally.errors.items() if kind in ("took longer than the limit", "worker process died")
    )
    tally.not_stopped, tally.not_replaced = _stopped_and_replaced(watched, out, stopped_rows)
    tally.leftover_workers = len(watched.leftover_workers)
    workers = watched.workers
    tally.workers_seen = len(workers)
    limit_bytes = str(settings.max_memory_mb * 1024 * 1024)
    tally.workers_over_memory = sum(w.peak_kb > settings.max_memory_mb * 1024 for w in workers)
    tally.workers_without_limit = sum(
        w.address_limit != limit_bytes for w in workers if w.last_seen - w.first_seen >= 3
    )
    tally.peak_worker_mb = max((w.peak_kb for w in workers), default=0) / 1024
    tally.peak_total_mb = watched.peak_total_kb / 1024
    return tally, keep


def _stopped_and_replaced(watched: Watched, out: Path, stopped_rows: int) -> tuple[int, int]:
    """(rows whose worker was said stopped but did not vanish, vanished workers never replaced),
    counting only what happened while documents remained (before the last one was recorded)."""
    records = list((out / ".casextract" / "documents").glob("*.json"))
    if not records:
        return 0, 0
    last_record = max(p.stat().st_mtime for p in records)
    workers = sorted(watched.workers, key=lambda w: w.first_seen)
    vanished = sorted((w for w in workers if w.gone and w.last_seen < last_record - 0.2), key=lambda w: w.last_seen)
    not_stopped = max(0, stopped_rows - len(vanished))
    if not workers:
        return not_stopped, 0
    # the pool starts its workers together; any later one is a successor
    successors = sorted(w.first_seen for w in workers if w.first_seen > workers[0].first_seen + 2)
    not_replaced = 0
    for worker in vanished:
        if worker.last_seen > last_record - 2:  # the pool was closing: no successor needed
            continue
        match = next((t for t in successors if worker.last_seen - 1 <= t <= worker.last_seen + REPLACE_WITHIN), None)
        if match is None:
            not_replaced += 1
        else:
            successors.remove(match)
    return not_stopped, not_replaced


def write_chunk(folder: Path, seed: int, indices: range, seeds) -> dict[Path, tuple[int, list[str]]]:
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for index in indices:
        suffix, data, applied = fuzz_inputs.make_input(seed, index, *seeds)
        path = folder / f"{index:05d}{suffix}"
        path.write_bytes(data)
        made[path] = (index, applied)
    return made


def campaign(
    count: int, seed: int, settings: Settings, out: Path, chunk: int = 250, start: int = 0, verbose: bool = True
) -> Tally:
    """The whole campaign: inputs `start` … `start + count - 1` in chunks; the overall tally (also in
    OUT/summary.json)."""
    out.mkdir(parents=True, exist_ok=True)
    seeds = fuzz_inputs.make_seeds(out / "seeds")
    crashers = out / "crashers"
    total = Tally()
    started = time.time()
    for number, first in enumerate(range(start, start + count, chunk)):
        engine = settings.engines[number % len(settings.engines)]
        made = write_chunk(out / "inputs", seed, range(first, min(start + count, first + chunk)), seeds)
        tally, keep = check(list(made), out / "batch", settings, engine)
        if tally.crashes or tally.hangs:  # the whole chunk is the crasher: keep every input
            keep = {path: "batch crashed" if tally.crashes else "batch hung" for path in made} | keep
        for path, why in keep.items():
            index, applied = made.get(path, (-1, []))
            kind = why.split(":")[0].split(" (")[0].replace(" ", "-")
            (crashers / kind).mkdir(parents=True, exist_ok=True)
            if path.is_file():
                shutil.copy(path, crashers / kind / f"{path.stem}-{'-'.join(applied)}{path.suffix}")
            with (crashers / "index.jsonl").open("a", encoding="utf-8") as handle:
                record = {"seed": seed, "index": index, "mutations": applied, "engine": engine, "why": why}
                handle.write(json.dumps(record) + "\n")
        total.add(tally)
        shutil.rmtree(out / "inputs", ignore_errors=True)
        if verbose:
            print(
                f"chunk {number:3d} {engine:10s} {tally.inputs:4d} inputs {tally.seconds:6.1f} s  ok {tally.ok:4d}"
                f"  not-one-row {tally.not_one_row}  escapes {tally.escapes}  over-memory {tally.workers_over_memory}"
                f"  crashes {tally.crashes}  peak worker {tally.peak_worker_mb:,.0f} MB  kept {len(keep)}",
                flush=True,
            )
            print(f"          errors {dict(tally.errors.most_common())}", flush=True)
    wall = time.time() - started
    summary = {
        **total.as_dict(),
        "wall_seconds": round(wall, 1),
        "inputs_per_second": round(total.inputs / wall, 3) if wall else 0,
        "seed": seed,
        "settings": asdict(settings),
        "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return total


def print_summary(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    print(
        f"\ninputs {summary['inputs']} in {summary['wall_seconds']:.0f} s: {summary['inputs_per_second']:.2f} inputs/s"
    )
    print(f"ok rows {summary['ok']}; error rows by reason: {summary['errors']}")
    for name in ("not_one_row", "crashes", "hangs", "escapes", "overran", "not_stopped", "not_replaced"):
        print(f"  {name:24s} {summary[name]}")
    for name in ("leftover_workers", "workers_over_memory", "workers_without_limit", "workers_seen"):
        print(f"  {name:24s} {summary[name]}")
    print(f"  peak worker {summary['peak_worker_mb']:,.0f} MB; peak batch total {summary['peak_total_mb']:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=Path("out/fuzz"))
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--max-seconds", type=float, default=20.0)
    parser.add_argument("--max-memory-mb", type=int, default=1024)
    parser.add_argument("--start", type=int, default=0, help="the first input's number")
    parser.add_argument("--engines", default="pdfplumber,pdfium", help="PDF engines, chunk by chunk in turn")
    parser.add_argument("--only", type=int, help="write input N of this --seed to --out and stop")
    parser.add_argument("--bombs", action="store_true", help="the decompression-bomb batch instead")
    args = parser.parse_args()
    settings = Settings(args.workers, args.max_seconds, args.max_memory_mb, tuple(args.engines.split(",")))
    if args.only is not None:
        made = write_chunk(
            args.out, args.seed, range(args.only, args.only + 1), fuzz_inputs.make_seeds(args.out / "seeds")
        )
        for path, (_, applied) in made.items():
            print(path, applied)
        return
    if args.bombs:
        from fuzz_bombs import bomb_figures

        bomb_figures(args.out, settings)
        return
    campaign(args.inputs, args.seed, settings, args.out, args.chunk, args.start)
    print_summary(args.out)


if __name__ == "__main__":
    main()
