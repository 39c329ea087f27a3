"""A batch's head start: while `casextract run` imports spaCy and loads the pipeline (a second or
two of one core), a process forked before any of that describes the run's configuration and reads
the first documents (PDF or text → article: no spaCy) on the other core. When the workers are
ready they take the articles it finished and read the rest themselves.

The reader changes no outcome. A document it has not finished when the workers are ready, or could
not read (a damaged or hostile file, past the memory limit), is read by its worker as without a
reader, under the worker's limits, into the same row; a document it did read has its reading
counted in its time limit. It is stopped (SIGKILL: it holds nothing but what it read) as soon as
the workers start, so it never competes with them. What it read comes back through a pipe widened
to 1 MB, in frames the batch takes off when it needs them: a full pipe makes the reader wait (it
reads no further ahead than that), and a run killed with SIGKILL leaves nothing behind (files in
a temporary folder would stay).

Forked only where forking is safe and cheap: on Linux, from a process that runs no other thread.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import resource
import signal
import struct
import sys
import threading

from .inputs import InputFile, ReadDocument, check_file, file_sha256, largest_first, read_document
from .run_config import Limits, RunConfig

FRAME = struct.Struct("<BI")  # what follows (CONFIG or READ) and its length in bytes
CONFIG, READ = 1, 2
INDEX = struct.Struct("<I")  # a READ frame: the input's place in `items`, then the pickled ReadDocument
READER_NAME = "casextract-read"  # its process name (/proc/PID/comm)
PIPE_BYTES = 1 << 20  # Linux's default limit for a process that is not root


class HeadStart:
    """The reader process of `items` under `limits`, in the order `workers` workers take them."""

    def __init__(self, items: list[InputFile], limits: Limits, workers: int):
        self.limits = limits
        self.items = largest_first(items) if workers > 1 else list(items)
        self.pid, self._pipe = 0, -1
        self._buffer = bytearray()
        self._config: dict | None = None
        self._read: dict[int, bytes] = {}
        if not sys.platform.startswith("linux") or threading.active_count() > 1:
            return
        reading, writing = os.pipe()
        try:
            fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (OSError, AttributeError):  # 64 KB: the reader waits at its first large article
            pass
        pid = os.fork()
        if pid == 0:  # the reader: never returns into the caller's code
            os.close(reading)
            code = 0
            try:
                _read_ahead(writing, self.items, limits)
            except BaseException:  # interrupted, or out of memory outside a document
                code = 1
            os._exit(code)
        os.close(writing)
        os.set_blocking(reading, False)
        self.pid, self._pipe = pid, reading

    def config(self) -> dict | None:
        """The configuration `RunConfig(limits).describe()` gives, when the reader has described it."""
        self._drain()
        return self._config

    def take(self) -> dict[InputFile, ReadDocument]:
        """Stop the reader; what it finished, by input."""
        self.stop()
        finished = {}
        for index, data in self._read.items():
            try:
                finished[self.items[index]] = pickle.loads(data)
            except Exception:  # noqa: BLE001  whatever went wrong, the worker reads the document
                continue
        self._read.clear()
        return finished

    def stop(self) -> None:
        """Kill the reader and take what it wrote whole (a frame it was writing is dropped)."""
        self.pid = kill_and_reap(self.pid)
        if self._pipe >= 0:
            self._drain()  # to the end: the reader, the only writer, is gone
            os.close(self._pipe)
            self._pipe = -1

    close = stop

    def __enter__(self) -> HeadStart:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _drain(self) -> None:
        if self._pipe < 0:
            return
        while True:
            try:
                chunk = os.read(self._pipe, 1 << 20)
            except BlockingIOError:  # nothing more yet
                break
            if not chunk:  # the reader has exited
                break
            self._buffer += chunk
        while len(self._buffer) >= FRAME.size:
            kind, length = FRAME.unpack_from(self._buffer)
            if len(self._buffer) < FRAME.size + length:
                break
            payload = bytes(self._buffer[FRAME.size : FRAME.size + length])
            del self._buffer[: FRAME.size + length]
            if kind == CONFIG:
                self._config = json.loads(payload)
            else:
                self._read[INDEX.unpack_from(payload)[0]] = payload[INDEX.size :]


def _read_ahead(pipe: int, items: list[InputFile], limits: Limits) -> None:
    die_with_parent()
    name_process(READER_NAME)
    limit_memory(limits.max_memory_mb)  # a bomb fails here as in a worker; the worker then meets it again
    _send(pipe, CONFIG, json.dumps(RunConfig(limits).describe()).encode("utf-8"))
    for index, item in enumerate(items):
        try:
            check_file(item.path)
            read = read_document(item, limits, file_sha256(item.path))
        except Exception:  # noqa: BLE001  left to the worker, which says why in the document's row
            continue
        _send(pipe, READ, INDEX.pack(index) + pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))


def _send(pipe: int, kind: int, payload: bytes) -> None:
    data = memoryview(FRAME.pack(kind, len(payload)) + payload)
    while data:
        data = data[os.write(pipe, data) :]


def kill_and_reap(pid: int) -> int:
    """SIGKILL a child this process forked and wait for it (none left a zombie); 0, the pid now."""
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    return 0


def name_process(name: str) -> None:
    """Name this process as `ps` and /proc/PID/comm show it (`casextract-read`), so that a reader
    or a writer is told from a worker by what watches the batch (prctl PR_SET_NAME, 15 bytes)."""
    _prctl(15, name.encode()[:15], 0, 0, 0)  # 15: PR_SET_NAME


def die_with_parent() -> None:
    """On Linux, a process whose batch process is killed (even with SIGKILL) is killed too, rather
    than left running a document nobody will record (prctl PR_SET_PDEATHSIG; no library wraps it)."""
    _prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


def limit_memory(max_memory_mb: int) -> None:
    """This process's address space at most `max_memory_mb` (RLIMIT_AS; 0: no limit)."""
    if max_memory_mb:
        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _prctl(*args) -> None:
    """Linux's prctl (no library wraps it); elsewhere, or where it fails, nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(*args)
    except (OSError, AttributeError):
        pass
