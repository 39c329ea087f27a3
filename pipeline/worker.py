"""One document through every stage, in a worker process under limits: the unit of work that
both engines (the local pool here, Ray in `ray_engine.py`) run. It never raises for a bad
document: every failure becomes that document's error row.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .collector import building_to_keep
from .head_start import HeadStart, die_with_parent, limit_memory
from .inputs import (  # noqa: F401  (TEXT_SUFFIXES, read_layout: re-exported, tests and tools use them)
    TEXT_SUFFIXES,
    InputFile,
    ReadDocument,
    check_file,
    file_sha256,
    largest_first,
    prepare_reading,
    read_document,
    read_layout,
)
from .link import link
from .nlp import analyse, load_pipeline, pipeline_loaded
from .run_config import DEFAULT_LIMITS, Limits
from .schema import DocumentRow
from .structures import InputError


@dataclass
class DocumentResult:
    info: DocumentRow
    text: str | None = None
    rows: dict[str, list[dict]] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"document": asdict(self.info), "rows": self.rows, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict) -> DocumentResult:
        return cls(DocumentRow(**data["document"]), None, data.get("rows", {}), data.get("seconds", 0.0))


def process(item: InputFile, limits: Limits = DEFAULT_LIMITS, read: ReadDocument | None = None) -> DocumentResult:
    """Run every stage on one input (from its article when `read` brings it, read by another
    process: `head_start.py`); never raises for a bad document."""
    started = time.perf_counter() - (read.seconds if read else 0.0)  # the reading is the document's time too
    base = DocumentRow(item.doc_id, item.given, "error")
    try:
        if read is None:
            check_file(item.path)
            sha = file_sha256(item.path)
            base = DocumentRow(item.doc_id, item.given, "error", sha256=sha)
            read = read_document(item, limits, sha)
        base = DocumentRow(item.doc_id, item.given, "error", sha256=read.sha256)
        article = read.article
        doc = analyse(article)
        facts = link(doc, article)
        info = DocumentRow(
            doc_id=item.doc_id,
            source_path=item.given,
            status="ok",
            pages=read.pages,
            n_cases=len(facts.cases),
            title=article.title,
            sha256=read.sha256,
            article_pages=article.article_pages,
            warning=read.warning,
        )
        return DocumentResult(info, article.text_file, facts.as_rows(), time.perf_counter() - started)
    except InputError as exc:
        reason = str(exc)
    except PermissionError:
        reason = "cannot read file (permission denied)"
    except MemoryError:  # a decompression bomb, or a document too big for the limit
        reason = (
            f"out of memory (limit --max-memory-mb {limits.max_memory_mb})" if limits.max_memory_mb else "out of memory"
        )
    except RecursionError:
        reason = "damaged PDF (objects nested too deeply)"
    except Exception as exc:  # a bug or an input we did not foresee: report it, keep the batch going
        reason = f"internal error ({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})"
    info = DocumentRow(**{**asdict(base), "error": reason})
    return DocumentResult(info, None, {}, time.perf_counter() - started)


# --- engines -----------------------------------------------------------------------------------


class LocalExecutor:
    """The default engine: documents in worker processes on this machine (`GuardedPool`)."""

    name = "local"

    def __init__(self, workers: int, head_start: HeadStart | None = None):
        """`head_start`: the documents it read before the pipeline was ready are not read again."""
        self.workers = workers
        self.head_start = head_start
        self._closing: threading.Thread | None = None

    def __call__(self, todo: list[InputFile], limits: Limits) -> Iterable[DocumentResult]:
        if not todo:
            return
        if not limits.max_seconds and not limits.max_memory_mb and self.workers == 1:
            _load_quietly()  # before taking what the head start read: it reads meanwhile
            read = self._read_ahead(limits)
            for item in todo:  # no limits to enforce: stay in this process (easiest to debug)
                yield process(item, limits, read.get(item))
            return
        if self.head_start is not None and worker_context().get_start_method() == "fork":
            _load_quietly()  # here, where the workers are forked from, while the head start reads
        read = self._read_ahead(limits)
        # workers whose documents were all read (a run of a few files) need no PDF library
        reads = not all(_usable(read.get(item), limits) for item in todo)
        pool = GuardedPool(min(self.workers, len(todo)), limits, reads_documents=reads)
        try:
            yield from pool.map(largest_first(todo) if self.workers > 1 else todo, read)
        except BaseException:
            pool.__exit__(*sys.exc_info())
            raise
        # every result is in: the pool shuts down (pebble's threads wake every 0.1 s to notice)
        # while the batch writes its tables; `wait` joins it
        self._closing = threading.Thread(target=pool.close, name="casextract-pool-close")
        self._closing.start()

    def wait(self) -> None:
        """Until the last pool's workers have exited."""
        if self._closing is not None:
            self._closing.join()
            self._closing = None

    def _read_ahead(self, limits: Limits) -> dict[InputFile, ReadDocument]:
        if self.head_start is None or self.head_start.limits != limits:
            return {}
        return self.head_start.take()


def _load_quietly() -> None:
    try:
        load_to_fork_from()
    except Exception:  # noqa: BLE001  a broken model: each document's row says so
        pass


def load_to_fork_from() -> None:
    """Load the pipeline in the process that runs the batch: it lasts as long as the process, and
    the workers forked from it share it (`collector.building_to_keep`). Once: a process that runs
    batch after batch (a notebook, the tests) freezes no later garbage."""
    if not pipeline_loaded():
        with building_to_keep():
            load_pipeline()


# loading the pipeline takes seconds; a worker that has not loaded it in this time never will
WARM_UP_SECONDS = 120


class GuardedPool:
    """Worker processes that run documents under the limits, each with the spaCy pipeline loaded.

    Where the platform forks safely (Linux), the pipeline is loaded once, in this process, and
    the workers are forked from it: they share its pages copy-on-write and start in milliseconds.
    Elsewhere they are spawned and each loads the pipeline. pebble stops a worker that overruns
    its document's time and starts a fresh one, and reports a worker that died instead of hanging
    the pool; every such failure becomes that document's error row. The local engine uses one
    pool; the Ray engine gives each actor a pool of one.
    """

    def __init__(self, workers: int, limits: Limits, start_method: str | None = None, reads_documents: bool = True):
        """`start_method`: multiprocessing's, where the caller knows better than `worker_context`
        (a Ray actor maps gigabytes of address space a forked worker would inherit).
        `reads_documents`: False when every document comes already read (`map`'s `read`)."""
        from pebble import ProcessPool

        self.limits = limits
        context = multiprocessing.get_context(start_method) if start_method else worker_context()
        forked = context.get_start_method() == "fork"
        self.broken = ""
        if forked:
            try:
                load_to_fork_from()  # before the workers exist, so that they inherit it
            except Exception as exc:  # a missing or broken model: every document says so
                self.broken = f"the NLP pipeline could not be loaded ({type(exc).__name__}: {str(exc)[:160]})"
            # a fork inherits this process's address space, and pebble's threads (stacks, malloc
            # arenas) add to it before it forks a replacement: with less than half the limit
            # left (a large notebook or test process), the workers load their own
            if limits.max_memory_mb and _address_space_mb() > limits.max_memory_mb // 2:
                context, forked = multiprocessing.get_context("spawn"), False
        self.pool = ProcessPool(
            max_workers=workers,
            initializer=_start_worker,
            initargs=(limits.max_memory_mb, reads_documents),
            context=context,
        )
        if not forked and not self.broken:
            self._wait_for_workers(workers)

    def _wait_for_workers(self, workers: int) -> None:
        """Let every spawned worker finish loading the model before any document's clock starts:
        pebble times a task from when it is handed to a worker, even one still in its initializer."""
        try:
            for future in [self.pool.schedule(_warm_up) for _ in range(workers)]:
                # a worker starved of memory can fail to start without exiting: give up on it
                future.result(timeout=WARM_UP_SECONDS)
        except FutureTimeout:
            self.broken = (
                f"worker processes did not load the pipeline within {WARM_UP_SECONDS} s"
                " (is --max-memory-mb too low for the model, or the machine overloaded?)"
            )
            self.pool.stop()
        except Exception:  # workers that cannot even load the model: every document says so
            self.broken = "worker processes could not start (is --max-memory-mb too low for the model?)"
            self.pool.stop()

    def __enter__(self) -> GuardedPool:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:  # the batch stopped (a failed write, an interrupt): its documents are not wanted
            self.pool.stop()
            self.pool.join()

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def map(
        self, items: list[InputFile], read: dict[InputFile, ReadDocument] | None = None
    ) -> Iterable[DocumentResult]:
        """`read`: documents already read (`head_start.py`), by input."""
        if self.broken:
            yield from (error_result(item, self.broken) for item in items)
            return
        futures = {self.schedule(item, (read or {}).get(item)): item for item in items}
        for future in as_completed(futures):
            yield self.result(futures[future], future)

    def schedule(self, item: InputFile, read: ReadDocument | None = None):
        timeout = self.limits.max_seconds or None
        if not _usable(read, self.limits):  # read again, in the document's whole time
            read = None
        elif timeout:  # the reading counts against the limit
            timeout -= read.seconds
        return self.pool.schedule(process, args=(item, self.limits, read), timeout=timeout)

    def run_one(self, item: InputFile, read: ReadDocument | None = None) -> DocumentResult:
        if self.broken:
            return error_result(item, self.broken)
        try:
            future = self.schedule(item, read)
        except RuntimeError as exc:  # pebble refuses work once its pool is broken
            return error_result(item, f"worker pool failed ({exc})")
        return self.result(item, future)

    def result(self, item: InputFile, future) -> DocumentResult:
        from pebble import ProcessExpired

        limits = self.limits
        try:
            return future.result()
        except FutureTimeout:
            return error_result(item, f"took longer than {limits.max_seconds:g} s (limit --max-seconds); stopped")
        except ProcessExpired as exc:
            return error_result(
                item,
                f"worker process died (exit code {exc.exitcode}) while reading this file"
                " (out of memory, or a crash in a PDF library)",
            )
        except MemoryError:
            return error_result(item, f"out of memory (limit --max-memory-mb {limits.max_memory_mb})")
        except BrokenProcessPool:
            return error_result(item, "worker processes could not start (is --max-memory-mb too low for the model?)")
        except Exception as exc:  # pickling or pool trouble: that document fails, the batch goes on
            return error_result(item, f"internal error ({type(exc).__name__}: {str(exc)[:160]})")


def _usable(read: ReadDocument | None, limits: Limits) -> bool:
    """Whether a document read by the head start is run from what it read: not when the reading
    alone took the document's time limit."""
    return read is not None and (not limits.max_seconds or read.seconds < limits.max_seconds)


def _warm_up() -> None:
    time.sleep(0.2)  # long enough that the pool hands the next warm-up to another worker


def worker_context() -> multiprocessing.context.BaseContext:
    """fork on Linux (workers inherit the loaded pipeline); spawn elsewhere, where forking a
    process that has started threads is not safe (macOS) or possible (Windows)."""
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _start_worker(max_memory_mb: int, reads_documents: bool = True) -> None:
    die_with_parent()
    limit_memory(max_memory_mb)
    prepare_worker(reads_documents)


# A document allocates millions of small objects (a dict per PDF character, spaCy tokens) that live
# until it is done; at Python's default of 700 allocations per young collection the collector walks
# them thousands of times per document.
WORKER_GC_THRESHOLD = 10_000


def prepare_worker(reads_documents: bool = True) -> None:
    """Ready a process that runs document after document: one BLAS thread, the pipeline loaded,
    then frozen out of the garbage collector's sight (it lives as long as the process; walking its
    objects at every full collection cost ~7 % of a document's time), and young collections made
    rarer. Workers only: `pipeline.extract` leaves the caller's threads and collector as they are.
    `reads_documents`: whether it may read a PDF (False: every document comes already read)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # workers are the parallelism, a core each: no BLAS threads of their own
    if reads_documents:
        # the readers and the shared objects the PDF libraries map (pdfminer's `cryptography`,
        # libpdfium) now, not at the first document that needs them: that could come late, into an
        # address space filled up to --max-memory-mb, and mapping the library failed (an internal
        # error on every later document). A worker given only documents already read never imports
        # them (0.1 s of a one-file run).
        prepare_reading()

    load_pipeline()
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _address_space_mb() -> int:
    """This process's virtual size, what RLIMIT_AS limits (0 where /proc does not say)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize() // 2**20
    except (OSError, ValueError, IndexError):
        return 0


def error_result(item: InputFile, reason: str) -> DocumentResult:
    """An error row for `item`, with the file's checksum when it can be read."""
    sha = ""
    try:
        sha = file_sha256(item.path)
    except OSError:
        pass
    return DocumentResult(DocumentRow(item.doc_id, item.given, "error", error=reason, sha256=sha))
