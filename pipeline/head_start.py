"""A batch's head start: while `casextract run` imports spaCy and loads the pipeline (a second or
two of one core), a process forked before any of that describes the run's configuration and reads
the first documents (PDF or text → article: no spaCy) on the other core. When the workers are
ready they take the articles it finished and read the rest themselves.

The reader changes no outcome. A document it has not finished when the workers are ready, or could
not read (a damaged or hostile file, past the memory limit), is read by its worker as without a
reader, under the worker's limits, into the same row; a document it did read has its reading
counted in its time limit. It is stopped (SIGKILL: it holds nothing but what it read) as soon as
the workers start, so it never competes with them. What it read comes back as files in a private
temporary folder, each written whole then renamed: through a pipe, the reader would block at its
first large article until the batch came to read it.

Forked only where forking is safe and cheap: on Linux, from a process that runs no other thread.
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .inputs import InputFile, ReadDocument, check_file, file_sha256, largest_first, read_document
from .run_config import Limits, RunConfig

CONFIG_FILE = "config.json"


class HeadStart:
    """The reader process of `items` under `limits`, in the order `workers` workers take them."""

    def __init__(self, items: list[InputFile], limits: Limits, workers: int):
        self.limits = limits
        self.items = largest_first(items) if workers > 1 else list(items)
        self.folder = Path(tempfile.mkdtemp(prefix="casextract-head-start-"))
        self.pid = 0
        if not sys.platform.startswith("linux") or threading.active_count() > 1:
            return
        pid = os.fork()
        if pid == 0:  # the reader: never returns into the caller's code
            code = 0
            try:
                _read_ahead(self.folder, self.items, limits)
            except BaseException:  # interrupted, or out of memory outside a document
                code = 1
            os._exit(code)
        self.pid = pid

    def config(self) -> dict | None:
        """The configuration `RunConfig(limits).describe()` gives, when the reader has described it."""
        try:
            return json.loads((self.folder / CONFIG_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def take(self) -> dict[InputFile, ReadDocument]:
        """Stop the reader; what it finished, by input."""
        self.stop()
        finished = {}
        for path in self.folder.glob("*.pickle"):
            try:
                finished[self.items[int(path.stem)]] = pickle.loads(path.read_bytes())
            except Exception:  # noqa: BLE001  whatever went wrong, the worker reads the document
                continue
        return finished

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> HeadStart:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_ahead(folder: Path, items: list[InputFile], limits: Limits) -> None:
    die_with_parent()
    if limits.max_memory_mb:  # a bomb fails here as in a worker; the worker then meets it again
        limit = limits.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _write_whole(folder / CONFIG_FILE, json.dumps(RunConfig(limits).describe()).encode("utf-8"))
    for index, item in enumerate(items):
        try:
            check_file(item.path)
            read = read_document(item, limits, file_sha256(item.path))
        except Exception:  # noqa: BLE001  left to the worker, which says why in the document's row
            continue
        _write_whole(folder / f"{index}.pickle", pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))


def _write_whole(target: Path, data: bytes) -> None:
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, target)


def die_with_parent() -> None:
    """On Linux, a process whose batch process is killed (even with SIGKILL) is killed too, rather
    than left running a document nobody will record (prctl PR_SET_PDEATHSIG; no library wraps it)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
