"""One writer per output folder: a run holds `OUT/.casextract/lock` while it works.

The lock is the kernel's (`flock`), not the file's existence, so a run that was killed, even with
SIGKILL, holds nothing: the next run finds the file, sees nobody holds it, and takes it over. The
file says who holds it (process id, host, start time), so a refused run can name the other one.
A forked worker closes its copy of the lock at once: an flock belongs to every process holding
the file open, and a worker outliving its killed batch must not keep the folder locked.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".casextract/lock"
_held: set[int] = set()  # this process's lock files, open


def _close_inherited() -> None:
    for fd in _held:
        os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_inherited)


class OutInUse(RuntimeError):
    """Another process is writing into the same output folder."""


@contextmanager
def out_lock(out: Path) -> Iterator[str]:
    """Hold OUT's lock for the block; yields who held it before and never released it ("" when
    nobody did: a stale lock of a killed run is taken over). Raises OutInUse naming the holder."""
    path = out / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutInUse(
                f"{out} is in use by another casextract run ({_holder(fd) or 'a process that has not said who it is'});"
                " wait for it to finish, or give another --out"
            ) from None
        stale = _holder(fd)
        _write_holder(fd)
        _held.add(fd)
        try:
            yield stale
        finally:
            os.ftruncate(fd, 0)  # an empty lock file: the last run ended cleanly
    finally:
        _held.discard(fd)
        os.close(fd)  # releases the lock


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode(), 0)


def _holder(fd: int) -> str:
    """`pid 4242 on host, since 2026-12-06T15:00:00Z`, from the lock file; "" when it is empty."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"null")
        return f"pid {holder['pid']} on {holder['host']}, since {holder['started']}"
    except (OSError, ValueError, TypeError, KeyError):
        return ""
