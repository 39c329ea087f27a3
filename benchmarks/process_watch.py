"""Watch a command's process tree through /proc while it runs: each process's peak memory, its memory
limit, when it appeared and vanished. Linux only (the batch's limits are Linux's too).

Used by `fuzz.py` (the fuzz campaign and `--bombs`) and the tests that run real batches under real
limits. Peaks come from the kernel's own high-water mark (`VmHWM` in /proc/PID/status), so a spike
between two samples is still seen as long as the process is alive at a later sample; a process that
lives less than one interval may be missed (batch workers load the spaCy model for seconds first).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass
class Seen:
    """One process of the tree, as the samples saw it."""

    pid: int
    cmdline: str
    first_seen: float
    last_seen: float
    peak_kb: int = 0  # VmHWM: the most resident memory it ever had
    address_limit: str = ""  # "Max address space" soft limit from /proc/PID/limits ("unlimited" or bytes)
    gone: bool = False
    is_worker: bool = False  # a batch worker: spawned by multiprocessing, or forked by the batch itself


# the batch's own helpers, forked from it but no workers: they name themselves (pipeline/head_start.py)
HELPER_NAMES = ("casextract-read", "casextract-out")


def is_worker(cmdline: str, parent: int, root: int, name: str = "") -> bool:
    """A multiprocessing child (pebble's workers are), spawned or forked from the batch process
    (a fork keeps its parent's command line), not multiprocessing's resource tracker nor the
    batch's reader or table writer (by their process names)."""
    if "resource_tracker" in cmdline or name in HELPER_NAMES:
        return False
    return "multiprocessing.spawn" in cmdline or "--multiprocessing-fork" in cmdline or parent == root


@dataclass
class Watched:
    """What a watched command did."""

    returncode: int | None  # None: stopped by the watchdog
    seconds: float
    started: float
    ended: float
    processes: dict[int, Seen] = field(default_factory=dict)
    peak_total_kb: int = 0  # the largest sum, in one sample, of the live processes' peaks (an upper bound)
    peak_total_rss_kb: int = 0  # the largest sum, in one sample, of the live processes' current RSS
    stderr: str = ""
    leftover_workers: list[int] = field(default_factory=list)  # workers alive after the command ended

    @property
    def workers(self) -> list[Seen]:
        return [p for p in self.processes.values() if p.is_worker]

    @property
    def hung(self) -> bool:
        return self.returncode is None


def _status_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS", "PPid"):
            values[key] = int(rest.split()[0])
        elif key == "State" and rest.split()[0] == "Z":
            values["zombie"] = 1
    return values


def _address_limit(pid: int) -> str:
    for line in (PROC / str(pid) / "limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return line.split()[3]
    return ""


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the fields start after the last ')'
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(root: int) -> list[int]:
    children = _children_map()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


class Sampler:
    """Samples `root`'s tree every `interval` seconds on a thread until `stop()`."""

    def __init__(self, root: int, interval: float = 0.1):
        self.root = root
        self.interval = interval
        self.processes: dict[int, Seen] = {}
        self.peak_total_kb = 0
        self.peak_total_rss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()  # one last look: whatever ended in between is marked gone

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        now = time.time()
        live = set()
        total = total_rss = 0
        for pid in descendants(self.root):
            try:
                status = _status_kb(pid)
                if status.get("zombie"):
                    continue
                seen = self.processes.get(pid)
                if seen is None or seen.gone:  # a new process (or a reused pid)
                    cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                    parent = int((PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()[1])
                    worker = is_worker(cmdline, parent, self.root)
                    seen = self.processes[pid] = Seen(pid, cmdline, now, now, is_worker=worker)
                if seen.is_worker and _name(pid) in HELPER_NAMES:  # named just after it was forked
                    seen.is_worker = False
                if seen.is_worker or not seen.address_limit:  # a worker sets its limit once started
                    seen.address_limit = _address_limit(pid)
            except (OSError, ValueError, IndexError):
                continue  # it ended while being read
            seen.last_seen = now
            seen.peak_kb = max(seen.peak_kb, status.get("VmHWM", 0))
            live.add(pid)
            total += status.get("VmHWM", 0)
            total_rss += status.get("VmRSS", 0)
        for pid, seen in self.processes.items():
            if pid not in live:
                seen.gone = True
        self.peak_total_kb = max(self.peak_total_kb, total)
        self.peak_total_rss_kb = max(self.peak_total_rss_kb, total_rss)


def run_watched(command: list[str], timeout: float, interval: float = 0.1, **popen) -> Watched:
    """Run `command`, sampling its process tree; stop the whole tree past `timeout` seconds (the
    watchdog: a batch that never ends is itself a failure, reported as `returncode=None`)."""
    started = time.time()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, **popen
    )
    sampler = Sampler(process.pid, interval).start()
    returncode: int | None
    try:
        _, stderr = process.communicate(timeout=timeout)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        _, stderr = process.communicate()
        returncode = None
    ended = time.time()
    sampler.stop()
    leftovers = _leftover_workers(sampler)
    return Watched(
        returncode=returncode,
        seconds=ended - started,
        started=started,
        ended=ended,
        processes=sampler.processes,
        peak_total_kb=sampler.peak_total_kb,
        peak_total_rss_kb=sampler.peak_total_rss_kb,
        stderr=stderr.decode("utf-8", "replace")[-4000:],
        leftover_workers=leftovers,
    )


def _leftover_workers(sampler: Sampler, grace: float = 5.0) -> list[int]:
    """Workers of the finished command still running after `grace` seconds: escaped its pool."""
    deadline = time.time() + grace
    alive = [p.pid for p in sampler.processes.values() if p.is_worker and not p.gone]
    while alive and time.time() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if _is_running(pid)]
    return alive


def _name(pid: int) -> str:
    return (PROC / str(pid) / "comm").read_text().strip()


def _is_running(pid: int) -> bool:
    try:
        return "zombie" not in _status_kb(pid)
    except (OSError, ValueError):
        return False
