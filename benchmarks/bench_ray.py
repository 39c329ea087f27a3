"""Documents/s of the local engine and the Ray engine (a local Ray) on the same inputs, one run.

Run: `.venv/bin/python benchmarks/bench_ray.py [--docs 24]` (needs the `ray` extra). The per-core
rate printed here is the basis of the cluster estimate in the README.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.batch import run  # noqa: E402
from tools.journal_pdf import load_spec, render_pdf  # noqa: E402


def main() -> None:
    import ray

    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=24)
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    specs = [load_spec(p) for p in sorted((ROOT / "corpus" / "specs").glob("*.json"))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        for i in range(args.docs):
            render_pdf(specs[i % len(specs)], folder / f"doc-{i:03d}.pdf")
        timings = {}
        started = time.perf_counter()
        run([folder], Path(tmp) / "local", workers=cpus)
        timings["local"] = time.perf_counter() - started
        started = time.perf_counter()
        run([folder], Path(tmp) / "ray", engine="ray", ray_options={"num_cpus": cpus})
        timings["ray (incl. starting Ray)"] = time.perf_counter() - started
        ray.shutdown()
    print(f"{args.docs} generated PDFs, {cpus} CPUs")
    for name, seconds in timings.items():
        print(
            f"{name:<26} {seconds:6.1f} s   {args.docs / seconds:5.2f} docs/s   "
            f"{args.docs / seconds / cpus:5.2f} docs/s per core"
        )


if __name__ == "__main__":
    main()
