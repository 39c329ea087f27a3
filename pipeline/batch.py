"""Batch stage: input files → OUT (tables, `text/`, `run.json`), document by document.

Each finished document is recorded on its own, atomically, under `OUT/.casextract/documents/`
before anything else happens; the tables are merged from those records at the end. A run
killed at any moment therefore loses no finished document, never leaves half a table, and
`--resume` picks up where it stopped. A document that fails becomes an error row.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .atomic import atomic_write_text
from .head_start import HeadStart
from .inputs import discover, safe_doc_id  # noqa: F401  (re-exported: the batch API's names)
from .nlp import pipeline_description
from .out_lock import OutInUse, out_lock  # noqa: F401  (OutInUse: raised through run)
from .run_config import RunConfig, config_digest, differences
from .schema import DOCUMENTS, TABLES
from .table_writer import TableWriter
from .worker import (  # noqa: F401  (re-exported: the batch API's names)
    DEFAULT_LIMITS,
    DocumentResult,
    InputFile,
    Limits,
    LocalExecutor,
    file_sha256,
    process,
    read_layout,
)

if TYPE_CHECKING:
    from .tables import Tables

STATE_DIR = ".casextract/documents"
CONFIGS_DIR = ".casextract/configs"
# a write into OUT failed for want of room or rights, not for a bug
ROOM_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
WRITE_ERRNOS = ROOM_ERRNOS | {errno.EACCES, errno.EPERM, errno.EIO}


# --- the batch ---------------------------------------------------------------------------------


class ConfigMismatch(ValueError):
    """`--resume` into an OUT whose documents were made under another configuration."""


class WriteFailed(OSError):
    """Writing into OUT failed (a full disk, a quota, a read-only folder, a file size limit)."""


@dataclass
class RunSummary:
    out_dir: Path
    total: int
    ok: int
    errors: int
    resumed: int
    seconds: float
    tables: dict[str, int]
    redone: int = 0  # documents made under another configuration, made again (`redo_other_config`)
    stale_lock: str = ""  # who held OUT's lock and was killed before releasing it
    warnings: int = 0  # `ok` documents with a warning (a damaged PDF read after repair)


Executor = Callable[[list[InputFile], Limits], Iterable[DocumentResult]]


def run(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    workers: int | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    engine: str = "local",
    ray_options: dict | None = None,
    executor: Executor | None = None,
    redo_other_config: bool = False,
    head_start: HeadStart | None = None,
) -> RunSummary:
    """Every input into OUT. `executor` runs the documents (`worker.LocalExecutor`, or
    `ray_engine.RayExecutor`); by default the one `engine` names. `head_start`: a reader of
    these inputs under these limits, started before the pipeline loaded (the local engine takes
    what it read; it is stopped either way).

    Raises OutInUse when another run writes into OUT; ConfigMismatch, before any work, when
    `resume` finds documents made under another configuration (unless `redo_other_config`: then
    those are made again); WriteFailed when OUT cannot be written, every document recorded
    before that kept for `--resume`."""
    started = time.time()
    out = Path(out_dir)
    _file_size_limit_is_an_error()
    if head_start is not None and head_start.limits != limits:
        head_start.stop()  # it read under other limits: nothing of it is used
        head_start = None
    with _writing(out), out_lock(out) as stale_lock:
        summary = _run_locked(
            discover(inputs),
            out,
            workers,
            resume,
            on_progress,
            on_start,
            limits,
            engine,
            ray_options,
            executor,
            redo_other_config,
            head_start,
        )
    summary.stale_lock = stale_lock
    summary.seconds = time.time() - started
    return summary


def _run_locked(
    items,
    out,
    workers,
    resume,
    on_progress,
    on_start,
    limits,
    engine,
    ray_options,
    executor,
    redo_other_config,
    head_start,
) -> RunSummary:
    started = time.time()
    state = out / STATE_DIR
    config = (head_start and head_start.config()) or RunConfig(limits).describe()
    digest = config_digest(config)
    if not resume:
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(out / "text", ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    (out / "text").mkdir(parents=True, exist_ok=True)

    recorded = {item.doc_id: _recorded_config(state, item) for item in items} if resume else {}
    other = [doc_id for doc_id, made_under in recorded.items() if made_under not in (None, digest)]
    if other and not redo_other_config:
        raise ConfigMismatch(_mismatch_message(out, other, recorded, config))
    _record_config(out, digest, config)
    done = {doc_id for doc_id, made_under in recorded.items() if made_under == digest}
    todo = [item for item in items if item.doc_id not in done]
    if on_start:
        on_start(len(todo))
    workers = max(1, workers or os.cpu_count() or 1)
    # the local engine's batch leaves pandas to the writer, which imports it while the documents run
    with TableWriter(start=executor is None and engine == "local") as writer, ExitStack() as at_end:
        if executor is None and engine == "ray":
            from .ray_engine import RayExecutor

            executor = RayExecutor(ray_options or {})
        if executor is not None and head_start is not None:
            head_start.stop()  # another engine: the documents are read where they run
        executor = executor or LocalExecutor(workers, head_start)
        at_end.callback(getattr(executor, "wait", lambda: None))  # its workers gone when the run returns
        engine = getattr(executor, "name", engine)
        # the tables are begun when the last document is recorded, while the workers shut down
        write = partial(writer.start, write_tables, out, items)
        _run_documents(executor(todo, limits), out, state, digest, on_progress, len(todo), write)
        if writer.pending is None:  # no document to run
            write()
        results = [_load(state, item) for item in items]
        counts = writer.result()
        summary = RunSummary(
            out_dir=out,
            total=len(items),
            ok=sum(r.info.status == "ok" for r in results),
            errors=sum(r.info.status != "ok" for r in results),
            resumed=len(done),
            seconds=time.time() - started,
            tables=counts,
            redone=len(other),
            warnings=sum(r.info.status == "ok" and bool(r.info.warning) for r in results),
        )
        writer.start(write_report, out)  # the page reads the tables, not run.json: both written at once
        _write_run_json(out, summary, results, workers, started, engine, config)
        if engine == "ray":
            from .ray_engine import write_partitioned

            write_partitioned(out)
        writer.result()
    return summary


def _run_documents(results_in_order, out: Path, state: Path, digest: str, on_progress, total: int, at_last) -> None:
    finished = 0
    try:
        for result in results_in_order:
            _record(out, state, result, digest)
            finished += 1
            if on_progress:
                on_progress(finished, total)
            if finished == total:
                at_last()
    finally:
        # on a failed write, stop the workers now rather than let them finish the batch
        getattr(results_in_order, "close", lambda: None)()


def extract(path: str | Path) -> Tables:
    """One document → its tables as pandas DataFrames (for notebooks): `extract("case.pdf").labs`."""
    from .tables import Tables, frame

    path = Path(path)
    result = process(InputFile(path.stem, path, str(path)))
    rows = {**result.rows, DOCUMENTS: [asdict(result.info)]}
    return Tables(**{name: frame(name, rows.get(name, [])) for name in TABLES})


def _record_path(state: Path, doc_id: str) -> Path:
    return state / f"{doc_id}.json"


def _recorded_config(state: Path, item: InputFile) -> str | None:
    """The digest of the configuration `item`'s record was made under ("" for a record made before
    records carried one), or None when there is no valid record of this file: another file, or
    the same path with other bytes, is made again."""
    path = _record_path(state, item.doc_id)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text("utf-8"))
        same_file = record["document"]["source_path"] == item.given and (
            not item.path.is_file() or record["document"]["sha256"] in ("", file_sha256(item.path))
        )
        return record.get("config", "") if same_file else None
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def _record(out: Path, state: Path, result: DocumentResult, config: str) -> None:
    # the text first, then the record that says the document is done
    if result.text is not None:
        atomic_write_text(_inside(out / "text", f"{result.info.doc_id}.txt"), result.text)
    record = {**result.to_json(), "config": config}
    atomic_write_text(_inside(state, f"{result.info.doc_id}.json"), json.dumps(record, ensure_ascii=False))


def _config_path(out: Path, digest: str) -> Path:
    return out / CONFIGS_DIR / f"{digest}.json"


def _record_config(out: Path, digest: str, config: dict) -> None:
    path = _config_path(out, digest)
    if not path.is_file():
        atomic_write_text(path, json.dumps(config, indent=2, sort_keys=True))


def _mismatch_message(out: Path, other: list[str], recorded: dict[str, str | None], config: dict) -> str:
    """What differs, in one message: the first other configuration's settings, line by line."""
    first = next(recorded[doc_id] for doc_id in other)
    where = f"{len(other)} of the documents recorded in {out} ({', '.join(other[:3])}{' …' if len(other) > 3 else ''})"
    try:
        then = json.loads(_config_path(out, first).read_text("utf-8")) if first else None
    except (OSError, ValueError):
        then = None
    changes = "; ".join(differences(then, config)) if then else "made before runs recorded their configuration"
    return (
        f"--resume would mix two configurations: {where} were made under another one ({changes})."
        " Resume with the options of that run, or add --redo-other-config to make those documents again"
    )


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """A failed write into OUT, whatever wrote it, as one WriteFailed that says what to do."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, WriteFailed) or not _failed_writing_into(out, exc):
            raise
        target = exc.filename or out
        raise WriteFailed(
            exc.errno,
            f"could not write {target} ({os.strerror(exc.errno)}); every document recorded before is kept:"
            f" make room, then run again with --resume",
        ) from exc


def _failed_writing_into(out: Path, exc: OSError) -> bool:
    """A write into OUT that failed for want of room or rights, not a file read elsewhere (a model
    that cannot be read is no full disk). Without a file name (pyarrow's errors), only the errors
    that writing alone gives."""
    if exc.errno not in WRITE_ERRNOS:
        return False
    if not exc.filename:
        return exc.errno in ROOM_ERRNOS
    return Path(os.fsdecode(exc.filename)).resolve().is_relative_to(out.resolve())


def _file_size_limit_is_an_error() -> None:
    """Past a file size limit (`ulimit -f`) the kernel kills the writer with SIGXFSZ; ignored, the
    write fails with EFBIG instead and the run stops with an explanation."""
    try:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    except (ValueError, AttributeError, OSError):  # not the main thread, or no such signal here
        pass


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise ValueError(f"refusing to write {name!r} outside {folder}")
    return target


def _load(state: Path, item: InputFile) -> DocumentResult:
    return DocumentResult.from_json(json.loads(_record_path(state, item.doc_id).read_text("utf-8")))


def write_tables(out: Path, items: list[InputFile]) -> dict[str, int]:
    """The tables of the documents recorded under OUT; rows per table."""
    from .tables import frame, write_table

    results = [_load(out / STATE_DIR, item) for item in items]
    counts = {}
    for name in TABLES:
        if name == DOCUMENTS:
            rows = [asdict(r.info) for r in results]
        else:
            rows = [row for r in results for row in r.rows.get(name, [])]
        write_table(frame(name, rows), out, name)
        counts[name] = len(rows)
    return counts


def write_report(out: Path) -> Path:
    """The review page (`report.py`, imported here: it imports pandas)."""
    from .report import write_report as write_page

    return write_page(out)


def _write_run_json(
    out: Path,
    summary: RunSummary,
    results: list[DocumentResult],
    workers: int,
    started: float,
    engine: str,
    config: dict,
) -> None:
    packages = {}
    for name in ("spacy", "scispacy", "pdfplumber", "pdfminer.six", "pandas", "pyarrow"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    report = {
        "casextract": __version__,
        "python": platform.python_version(),
        "packages": packages,
        "model": pipeline_description(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(summary.seconds, 3),
        "engine": engine,
        "workers": workers,
        "config": config,
        "config_digest": config_digest(config),
        "documents": {
            "total": summary.total,
            "ok": summary.ok,
            "error": summary.errors,
            "resumed": summary.resumed,
            "redone": summary.redone,
            "warning": summary.warnings,
        },
        "tables": summary.tables,
        "per_document": [
            {
                "doc_id": r.info.doc_id,
                "status": r.info.status,
                "error": r.info.error,
                "warning": r.info.warning,
                "pages": r.info.pages,
                "seconds": round(r.seconds, 3),
            }
            for r in results
        ],
    }
    atomic_write_text(out / "run.json", json.dumps(report, indent=2, ensure_ascii=False))
