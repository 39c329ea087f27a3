"""Batch stage: input files → OUT (tables, `text/`, `run.json`), document by document.

Each finished document is recorded on its own, atomically, under `OUT/.casextract/documents/`
before anything else happens; the tables are merged from those records at the end. A run
killed at any moment therefore loses no finished document, never leaves half a table, and
`--resume` picks up where it stopped. A document that fails becomes an error row.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from . import __version__
from .nlp import pipeline_description
from .report import write_report
from .schema import DOCUMENTS, TABLES
from .tables import Tables, atomic_write_text, frame, write_table
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

STATE_DIR = ".casextract/documents"


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
) -> RunSummary:
    """Every input into OUT. `executor` runs the documents (`worker.LocalExecutor`, or
    `ray_engine.RayExecutor`); by default the one `engine` names."""
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
    if executor is None and engine == "ray":
        from .ray_engine import RayExecutor

        executor = RayExecutor(ray_options or {})
    executor = executor or LocalExecutor(workers)
    engine = getattr(executor, "name", engine)
    for result in executor(todo, limits):
        _record(out, state, result)
        finished += 1
        if on_progress:
            on_progress(finished, len(todo))

    results = [_load(state, item) for item in items]
    counts = _write_tables(out, results)
    summary = RunSummary(
        out_dir=out,
        total=len(items),
        ok=sum(r.info.status == "ok" for r in results),
        errors=sum(r.info.status != "ok" for r in results),
        resumed=len(done),
        seconds=time.time() - started,
        tables=counts,
        warnings=sum(r.info.status == "ok" and bool(r.info.warning) for r in results),
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
    rows = {**result.rows, DOCUMENTS: [asdict(result.info)]}
    return Tables(**{name: frame(name, rows.get(name, [])) for name in TABLES})


def _record_path(state: Path, doc_id: str) -> Path:
    return state / f"{doc_id}.json"


def _is_done(state: Path, item: InputFile) -> bool:
    path = _record_path(state, item.doc_id)
    if not path.is_file():
        return False
    try:
        record = json.loads(path.read_text("utf-8"))
        return record["document"]["source_path"] == item.given and (
            not item.path.is_file() or record["document"]["sha256"] in ("", file_sha256(item.path))
        )
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
    for name in TABLES:
        if name == DOCUMENTS:
            rows = [asdict(r.info) for r in results]
        else:
            rows = [row for r in results for row in r.rows.get(name, [])]
        write_table(frame(name, rows), out, name)
        counts[name] = len(rows)
    return counts


def _write_run_json(
    out: Path, summary: RunSummary, results: list[DocumentResult], workers: int, started: float, engine: str = "local"
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
        "documents": {
            "total": summary.total,
            "ok": summary.ok,
            "error": summary.errors,
            "resumed": summary.resumed,
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
