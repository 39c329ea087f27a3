"""Many decompression bombs at once (`fuzz.py --bombs`): twice as many bombs as cores and a few good
documents in one batch on all cores under a memory limit. Every bomb must become an error row that
says why, every good document must be read, and the whole batch (the workers' peaks plus the
parent's, sampled from /proc) must stay under workers × limit + 1 GB."""

from __future__ import annotations

import os
import time
from pathlib import Path

import bad_inputs
from fuzz import Settings, run_batch
from process_watch import Watched

GOOD = [
    "A 30-year-old woman received methylprednisolone 40 mg daily.",
    "A 45-year-old man received tacrolimus 1 mg twice daily.",
    "A 62-year-old man was given aspirin 100 mg daily.",
]
BOMB_KINDS = ("content", "tounicode")  # streams pdfminer and pdfium both inflate (a font program: pdfium only)


def make_bomb_batch(folder: Path, bombs: int, gigabytes: float = 4) -> tuple[list[Path], list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    bomb_paths = [
        bad_inputs.flate_bomb(folder / f"bomb-{i:02d}.pdf", gigabytes, BOMB_KINDS[i % len(BOMB_KINDS)])
        for i in range(bombs)
    ]
    good_paths = [bad_inputs.simple_pdf(folder / f"good-{i}.pdf", [line]) for i, line in enumerate(GOOD)]
    return bomb_paths, good_paths


def run_bombs(folder: Path, out: Path, settings: Settings, bombs: int | None = None) -> tuple[Watched, list[dict]]:
    """The batch of `bombs` (default 2 × cores) bombs and the good documents, watched."""
    bomb_paths, good_paths = make_bomb_batch(folder, bombs or 2 * (os.cpu_count() or 1))
    watched, rows, _ = run_batch(bomb_paths + good_paths, out, settings, "pdfplumber")
    return watched, rows


def memory_bound_mb(settings: Settings) -> int:
    return settings.workers * settings.max_memory_mb + 1024


def bomb_figures(out: Path, settings: Settings) -> None:
    settings.max_seconds = 120  # a bomb must fail on memory, not on time
    started = time.time()
    watched, rows = run_bombs(out / "inputs", out / "batch", settings)
    bombs = [r for r in rows if r["doc_id"].startswith("bomb")]
    good = [r for r in rows if r["doc_id"].startswith("good")]
    print(f"{len(bombs)} bombs (4 GB each when inflated, {BOMB_KINDS}) + {len(good)} good PDFs")
    print(f"workers {settings.workers}, --max-memory-mb {settings.max_memory_mb}: wall {time.time() - started:.1f} s")
    print(f"bomb rows: { {r['error'] for r in bombs} }")
    print(f"good rows ok: {sum(r['status'] == 'ok' for r in good)}/{len(good)}")
    peaks = sorted(round(w.peak_kb / 1024) for w in watched.workers)
    print(f"worker peaks (MB): {peaks}; workers seen {len(peaks)}")
    print(
        f"peak total (sum of the live processes' peaks, an upper bound) {watched.peak_total_kb / 1024:,.0f} MB;"
        f" peak total RSS {watched.peak_total_rss_kb / 1024:,.0f} MB; bound {memory_bound_mb(settings):,} MB"
    )
