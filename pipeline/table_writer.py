"""The tables and the review page, written by a process forked when a batch starts: it imports
pandas and pyarrow (a third of a second and more of one core) while the documents are processed,
instead of the batch importing them after the last one, on the path to the finished run.

The writer only moves work off that path; it decides nothing. It runs the batch's own functions,
one call at a time, on the records the batch keeps under OUT: what a call returns comes back, what
it raises is raised in the batch (a full disk is the same `WriteFailed`). Where no writer could be
started (not Linux, other threads running, a custom engine) or it died, the batch makes the call
itself, as before there was a writer.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from .head_start import die_with_parent, kill_and_reap, name_process

# what writing the tables and the page imports, imported before it is needed
PREPARES = ("pyarrow.parquet", "pipeline.tables", "pipeline.report")
WRITER_NAME = "casextract-out"  # its process name (/proc/PID/comm)


class TableWriter:
    def __init__(self, start: bool = True):
        self.pid = 0
        self.connection = None
        self.pending: tuple[Callable[..., Any], tuple] | None = None
        if not start or not sys.platform.startswith("linux") or threading.active_count() > 1:
            return
        ours, theirs = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:  # the writer: never returns into the caller's code
            ours.close()
            code = 0
            try:
                _serve(theirs)
            except BaseException:  # interrupted: the batch writes, or stops too
                code = 1
            os._exit(code)
        theirs.close()
        self.pid, self.connection = pid, ours

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` (a module-level function: it is sent by name), in the writer when
        there is one."""
        self.start(function, *args)
        return self.result()

    def start(self, function: Callable[..., Any], *args: Any) -> None:
        """Begin `call(function, *args)`; `result()` gives what it returns. The batch does other work
        meanwhile (its workers' pool shuts down, a tenth of a second)."""
        self.pending = (function, args)
        if self.connection is not None:
            try:
                self.connection.send((function, args))
            except OSError:  # the writer died: `result` makes the call here
                self.close()

    def result(self) -> Any:
        function, args = self.pending
        self.pending = None
        if self.connection is not None:
            try:
                failed, value = self.connection.recv()
            except (EOFError, OSError):  # the writer died (killed, out of memory): write here
                self.close()
            else:
                if failed:
                    raise value
                return value
        return function(*args)

    def close(self) -> None:
        """Stop the writer: between calls it holds nothing half-written."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        self.pid = kill_and_reap(self.pid)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve(connection) -> None:
    die_with_parent()
    name_process(WRITER_NAME)
    os.nice(5)  # at the start, the documents being read matter more than these imports
    import importlib

    for name in PREPARES:
        importlib.import_module(name)
    while True:
        try:
            function, args = connection.recv()
        except EOFError:  # the batch is done with the writer
            return
        try:
            connection.send((False, function(*args)))
        except Exception as exc:  # noqa: BLE001  the batch raises it, as if it had made the call
            try:
                connection.send((True, exc))
            except Exception:  # noqa: BLE001  an exception that cannot be sent: its description can
                connection.send((True, RuntimeError(f"{type(exc).__name__}: {exc}")))
