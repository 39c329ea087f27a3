"""Batch stage: input files → OUT (tables, `text/`, `run.json`), document by document.

Each finished document is recorded on its own, atomically, under `OUT/.casextract/documents/`
before anything else happens; the tables are merged from those records at the end. A run
killed at any moment therefore loses no finished document, never leaves half a table, and
`--resume` picks up where it stopped. A document that fails becomes an error row.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import time
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .nlp import analyse, load_pipeline, pipeline_description
from .link import link
from .pdf import read_pdf
from .sections import build_article
from .structures import DocumentInfo, InputError, Layout
from .report import write_report
from .tables import COLUMNS, Tables, atomic_write_text, facts_rows, frame, write_table
from .textfile import read_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
STATE_DIR = ".casextract/documents"


@dataclass(frozen=True)
class Limits:
    """What one document may cost before it becomes an error row (0 = no limit).

    `max_seconds` and `max_memory_mb` are enforced by running documents in worker processes: a
    document over time has its worker stopped and replaced; memory is capped per worker with
    RLIMIT_AS, so a runaway allocation fails that document, not the machine.
    """

    max_pages: int = 1000
    max_seconds: float = 300.0
    max_memory_mb: int = 4096


@dataclass(frozen=True)
class InputFile:
    doc_id: str
    path: Path
    given: str  # the path as the user gave it (or as found under a folder they gave)


@dataclass
class DocumentResult:
    info: DocumentInfo
    text: str | None = None
    rows: dict[str, list[dict]] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"document": asdict(self.info), "rows": self.rows, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict) -> "DocumentResult":
        return cls(DocumentInfo(**data["document"]), None, data.get("rows", {}), data.get("seconds", 0.0))


# --- finding inputs ----------------------------------------------------------------------------


def discover(inputs: Iterable[str | Path]) -> list[InputFile]:
    """Files as given, and `*.pdf` under folders (symlinked folders are not followed, so a
    link loop cannot trap the walk). A stem seen twice gets `__2`, `__3` … so no output is
    overwritten."""
    found: list[tuple[Path, str]] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(".pdf"):
                        found.append((Path(root) / name, str(Path(root) / name)))
        else:
            found.append((path, str(raw)))
    seen_paths: set[Path] = set()
    stems: dict[str, int] = {}
    result = []
    for path, given in found:
        key = path.resolve() if path.exists() else path.absolute()
        if key in seen_paths:
            continue
        seen_paths.add(key)
        stem = safe_doc_id(path.stem if path.suffix else path.name)
        stems[stem] = stems.get(stem, 0) + 1
        doc_id = stem if stems[stem] == 1 else f"{stem}__{stems[stem]}"
        result.append(InputFile(doc_id, path, given))
    return result


def safe_doc_id(stem: str) -> str:
    """The file stem, made safe to use as a file name inside OUT: no path separators, no NUL,
    no leading dots (so `..` can never point outside OUT), at most 200 characters."""
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", stem).lstrip(".") or "document"
    return cleaned[:200]


# --- one document ------------------------------------------------------------------------------


def read_layout(path: Path, limits: Limits = Limits()) -> Layout:
    if path.suffix.lower() in TEXT_SUFFIXES:
        return read_text(path)
    return read_pdf(path, {"max_pages": limits.max_pages})


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def process(item: InputFile, limits: Limits = Limits()) -> DocumentResult:
    """Run every stage on one input; never raises for a bad document."""
    started = time.perf_counter()
    base = DocumentInfo(item.doc_id, item.given, "error")
    try:
        if not item.path.is_file():
            raise InputError("not found" if not item.path.exists() else "not a regular file")
        sha = file_sha256(item.path)
        base = DocumentInfo(item.doc_id, item.given, "error", sha256=sha)
        layout = read_layout(item.path, limits)
        article = build_article(layout, item.doc_id)
        doc = analyse(article)
        facts = link(doc, article)
        info = DocumentInfo(
            doc_id=item.doc_id, source_path=item.given, status="ok", pages=layout.pages,
            n_cases=len(facts.cases), title=article.title, sha256=sha,
        )
        return DocumentResult(info, article.text, facts_rows(item.doc_id, facts), time.perf_counter() - started)
    except InputError as exc:
        reason = str(exc)
    except PermissionError:
        reason = "cannot read file (permission denied)"
    except MemoryError:
        reason = "out of memory"
    except RecursionError:
        reason = "damaged PDF (objects nested too deeply)"
    except Exception as exc:  # a bug or an input we did not foresee: report it, keep the batch going
        reason = f"internal error ({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})"
    info = DocumentInfo(**{**asdict(base), "error": reason})
    return DocumentResult(info, None, {}, time.perf_counter() - started)


# --- the batch ---------------------------------------------------------------------------------


@dataclass
class RunSummary:
    out_dir: Path
    total: int
    ok: int
    errors: int
    resumed: int
    seconds: float
    tables: dict[str, int]


def run(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    workers: int | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    limits: Limits = Limits(),
    engine: str = "local",
    ray_options: dict | None = None,
) -> RunSummary:
    started = time.time()
    out = Path(out_dir)
    state = out / STATE_DIR
    items = discover(inputs)
    if not resume:
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(out / "text", ignore_errors=True)
    state.mkdir(parents=True, exist_ok=True)
    (out / "text").mkdir(parents=True, exist_ok=True)

    done = {item.doc_id for item in items if resume and _is_done(state, item)}
    todo = [item for item in items if item.doc_id not in done]
    if on_start:
        on_start(len(todo))
    workers = max(1, workers or os.cpu_count() or 1)
    finished = 0
    if engine == "ray":
        from .ray_engine import execute_on_ray

        results = execute_on_ray(todo, limits, ray_options or {})
    else:
        results = _execute(todo, workers, limits)
    for result in results:
        _record(out, state, result)
        finished += 1
        if on_progress:
            on_progress(finished, len(todo))

    results = [_load(state, item) for item in items]
    counts = _write_tables(out, results)
    summary = RunSummary(
        out_dir=out, total=len(items), ok=sum(r.info.status == "ok" for r in results),
        errors=sum(r.info.status != "ok" for r in results), resumed=len(done),
        seconds=time.time() - started, tables=counts,
    )
    _write_run_json(out, summary, results, workers, started, engine)
    if engine == "ray":
        from .ray_engine import write_partitioned

        write_partitioned(out)
    write_report(out)
    return summary


def extract(path: str | Path) -> Tables:
    """One document → its tables as pandas DataFrames (for notebooks): `extract("case.pdf").labs`."""
    path = Path(path)
    result = process(InputFile(path.stem, path, str(path)))
    frames = {"documents": frame("documents", [asdict(result.info)])}
    for name in ("cases", "medications", "labs", "diagnoses"):
        frames[name] = frame(name, result.rows.get(name, []))
    return Tables(**frames)


def _execute(todo: list[InputFile], workers: int, limits: Limits) -> Iterable[DocumentResult]:
    if not todo:
        return
    if not limits.max_seconds and not limits.max_memory_mb and workers == 1:
        for item in todo:  # no limits to enforce: stay in this process (easiest to debug)
            yield process(item, limits)
        return
    with GuardedPool(min(workers, len(todo)), limits) as pool:
        yield from pool.map(todo)


class GuardedPool:
    """Worker processes that each load the spaCy pipeline once and run documents under the limits.

    pebble stops a worker that overruns its document's time and starts a fresh one, and reports a
    worker that died instead of hanging the pool; every such failure becomes that document's
    error row. The local engine uses one pool; the Ray engine gives each actor a pool of one.
    """

    def __init__(self, workers: int, limits: Limits):
        from pebble import ProcessPool

        self.limits = limits
        # spawn: workers start clean (no threads or open files copied from the parent)
        self.pool = ProcessPool(max_workers=workers, initializer=_start_worker, initargs=(limits.max_memory_mb,),
                                context=multiprocessing.get_context("spawn"))
        # let every worker finish loading the model before any document's clock starts: pebble
        # times a task from when it is handed to a worker, even one still in its initializer
        self.broken = ""
        try:
            for future in [self.pool.schedule(_warm_up) for _ in range(workers)]:
                future.result()
        except Exception:  # workers that cannot even load the model: every document says so
            self.broken = "worker processes could not start (is --max-memory-mb too low for the model?)"

    def __enter__(self) -> "GuardedPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def map(self, items: list[InputFile]) -> Iterable[DocumentResult]:
        if self.broken:
            yield from (_error(item, self.broken) for item in items)
            return
        futures = {self.schedule(item): item for item in items}
        for future in as_completed(futures):
            yield self.result(futures[future], future)

    def schedule(self, item: InputFile):
        return self.pool.schedule(process, args=(item, self.limits), timeout=self.limits.max_seconds or None)

    def run_one(self, item: InputFile) -> DocumentResult:
        if self.broken:
            return _error(item, self.broken)
        try:
            future = self.schedule(item)
        except RuntimeError as exc:  # pebble refuses work once its pool is broken
            return _error(item, f"worker pool failed ({exc})")
        return self.result(item, future)

    def result(self, item: InputFile, future) -> DocumentResult:
        from pebble import ProcessExpired

        limits = self.limits
        try:
            return future.result()
        except FutureTimeout:
            return _error(item, f"took longer than {limits.max_seconds:g} s (limit --max-seconds); stopped")
        except ProcessExpired as exc:
            return _error(item, f"worker process died (exit code {exc.exitcode}) while reading this file"
                                " (out of memory, or a crash in a PDF library)")
        except MemoryError:
            return _error(item, f"out of memory (limit --max-memory-mb {limits.max_memory_mb})")
        except BrokenProcessPool:
            return _error(item, "worker processes could not start (is --max-memory-mb too low for the model?)")
        except Exception as exc:  # pickling or pool trouble: that document fails, the batch goes on
            return _error(item, f"internal error ({type(exc).__name__}: {str(exc)[:160]})")


def _warm_up() -> None:
    time.sleep(0.2)  # long enough that the pool hands the next warm-up to another worker


def _start_worker(max_memory_mb: int) -> None:
    if max_memory_mb:
        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    load_pipeline()


def _error(item: InputFile, reason: str) -> DocumentResult:
    sha = ""
    try:
        sha = file_sha256(item.path)
    except OSError:
        pass
    return DocumentResult(DocumentInfo(item.doc_id, item.given, "error", error=reason, sha256=sha))


def _record_path(state: Path, doc_id: str) -> Path:
    return state / f"{doc_id}.json"


def _is_done(state: Path, item: InputFile) -> bool:
    path = _record_path(state, item.doc_id)
    if not path.is_file():
        return False
    try:
        record = json.loads(path.read_text("utf-8"))
        return record["document"]["source_path"] == item.given and (
            not item.path.is_file() or record["document"]["sha256"] in ("", file_sha256(item.path)))
    except (OSError, ValueError, KeyError):
        return False


def _record(out: Path, state: Path, result: DocumentResult) -> None:
    # the text first, then the record that says the document is done
    if result.text is not None:
        atomic_write_text(_inside(out / "text", f"{result.info.doc_id}.txt"), result.text)
    atomic_write_text(_inside(state, f"{result.info.doc_id}.json"), json.dumps(result.to_json(), ensure_ascii=False))


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise ValueError(f"refusing to write {name!r} outside {folder}")
    return target


def _load(state: Path, item: InputFile) -> DocumentResult:
    return DocumentResult.from_json(json.loads(_record_path(state, item.doc_id).read_text("utf-8")))


def _write_tables(out: Path, results: list[DocumentResult]) -> dict[str, int]:
    counts = {}
    for name in COLUMNS:
        if name == "documents":
            rows = [asdict(r.info) for r in results]
        else:
            rows = [row for r in results for row in r.rows.get(name, [])]
        write_table(frame(name, rows), out, name)
        counts[name] = len(rows)
    return counts


def _write_run_json(out: Path, summary: RunSummary, results: list[DocumentResult], workers: int,
                    started: float, engine: str = "local") -> None:
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
        "documents": {"total": summary.total, "ok": summary.ok, "error": summary.errors,
                      "resumed": summary.resumed},
        "tables": summary.tables,
        "per_document": [
            {"doc_id": r.info.doc_id, "status": r.info.status, "error": r.info.error, "pages": r.info.pages,
             "seconds": round(r.seconds, 3)}
            for r in results
        ],
    }
    atomic_write_text(out / "run.json", json.dumps(report, indent=2, ensure_ascii=False))
