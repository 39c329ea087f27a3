"""The Ray engine: the same per-document pipeline on a Ray cluster (`--engine ray`).

Ray Data reads the input files as binary (so inputs on shared storage reach every node), an
actor pool runs `pipeline.worker.process` (each actor keeps a `GuardedPool` of one worker
process that loads the spaCy model once and enforces the time and memory limits), and the
driver records each finished document exactly as the local engine does, so `--resume`, error
rows and the merged tables are the same. After the run each table is also written by Ray as a
partitioned Parquet dataset under `OUT/parquet/NAME/`.

Ray is an optional extra (`pip install casextract[ray]`); with no address a local Ray is started
on this machine.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .schema import TABLES
from .worker import DocumentResult, GuardedPool, InputFile, Limits, error_result, prepare_worker, process


class DocumentActor:
    """One Ray actor: writes each document's bytes to a private temp file (keeping its suffix, which
    decides PDF vs text) and runs the pipeline on it."""

    def __init__(self, limits: Limits, given: dict[str, tuple[str, str]]):
        self.limits = limits
        self.given = given  # path as Ray read it → (doc_id, path as the user gave it)
        guarded = limits.max_seconds or limits.max_memory_mb
        self.pool = GuardedPool(1, limits, start_method="spawn") if guarded else None
        if self.pool is None:
            prepare_worker()  # documents run in this actor's own process
        self.folder = tempfile.mkdtemp(prefix="casextract-ray-")

    def __call__(self, batch: dict) -> dict:
        records, texts = [], []
        for path, data in zip(batch["path"], batch["bytes"]):
            doc_id, given = self.given[_key(path)]
            local = Path(self.folder) / f"input{Path(given).suffix}"
            local.write_bytes(bytes(data))
            item = InputFile(doc_id, local, given)
            result = self.pool.run_one(item) if self.pool is not None else process(item, self.limits)
            local.unlink(missing_ok=True)
            records.append(json.dumps(result.to_json(), ensure_ascii=False))
            texts.append(result.text if result.text is not None else "")
        return {"record": records, "text": texts}


def _key(path: str) -> str:
    return os.path.abspath(path)


class RayExecutor:
    """The Ray engine as `batch.run` takes it: called with the documents to do and the limits."""

    name = "ray"

    def __init__(self, options: dict):
        self.options = options

    def __call__(self, todo: list[InputFile], limits: Limits) -> Iterable[DocumentResult]:
        return execute_on_ray(todo, limits, self.options)


def execute_on_ray(todo: list[InputFile], limits: Limits, options: dict) -> Iterable[DocumentResult]:
    """Yield one result per document; documents Ray could not finish become error rows."""
    import ray
    import ray.data

    address = options.get("address")
    actors = options.get("actors")
    cpus_per_actor = float(options.get("cpus_per_actor") or 1)
    if not ray.is_initialized():
        init = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            ray.init(address=address, **init)
        else:
            ray.init(num_cpus=options.get("num_cpus") or os.cpu_count() or 1, **init)
    readable = [item for item in todo if item.path.is_file()]
    for item in todo:
        if not item.path.is_file():  # never reaches Ray: the same row the local engine writes
            yield process(item, limits)
    if not readable:
        return
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.max_errored_blocks = -1  # a block that keeps failing loses its document, not the batch
    cluster_cpus = int(ray.cluster_resources().get("CPU", 1))
    pool_size = min(len(readable), actors or max(1, int(cluster_cpus // cpus_per_actor)))
    given = {_key(str(item.path)): (item.doc_id, item.given) for item in readable}
    dataset = ray.data.read_binary_files(
        [str(item.path) for item in readable],
        include_paths=True,
        override_num_blocks=len(readable),
        num_cpus=0,  # reading is I/O: it must not wait for CPUs that the actor pool holds
    )
    results = dataset.map_batches(
        DocumentActor,
        fn_constructor_args=(limits, given),
        batch_size=1,
        concurrency=pool_size,
        num_cpus=cpus_per_actor,
        batch_format="numpy",
    )
    seen = set()
    for row in results.iter_rows():
        result = DocumentResult.from_json(json.loads(row["record"]))
        if result.info.status == "ok":
            result.text = row["text"]
        seen.add(result.info.doc_id)
        yield result
    for item in readable:
        if item.doc_id not in seen:
            yield error_result(item, "Ray could not process this file (its worker died repeatedly)")


def write_partitioned(out_dir: Path) -> None:
    """Each table again as a Parquet dataset of part files under OUT/parquet/NAME/ (for engines
    that read partitioned data: Spark, DuckDB, Ray Data itself)."""
    import pandas as pd
    import ray.data

    for name in TABLES:
        target = out_dir / "parquet" / name
        frame = pd.read_parquet(out_dir / f"{name}.parquet")
        if target.exists():
            for part in target.glob("*.parquet"):
                part.unlink()
        ray.data.from_pandas(frame).write_parquet(str(target))
