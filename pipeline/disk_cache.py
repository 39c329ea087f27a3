"""What the pipeline builds from its resource files at load (lexicons, the code index), kept in
binary form in the user's cache folder, so the next process reads it in a fraction of the time.

An entry is keyed by what it was built from: the builder's name, the package's code (an entry can
hold objects of classes defined beside the builder), its arguments (defaults included) and the
bytes of every resource file they name, and casextract's version. A changed file, changed code,
a new version or a different argument is a new entry; a cache
that cannot be read or written is no error, the value is built as before. The folder is
`$CASEXTRACT_CACHE`, else `$XDG_CACHE_HOME/casextract`, else `~/.cache/casextract`;
`CASEXTRACT_CACHE=off` builds every time. Of each builder's entries, the four used last are kept.

Why by hand: the standard library's pickle is the binary form; what no library does is key an
entry by the resource files' contents.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import __version__

T = TypeVar("T")
CACHE_ENV = "CASEXTRACT_CACHE"
KEEP = 4  # entries per builder: one run reads one or two of each (the default files, an override)


def cache_folder() -> Path | None:
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "casextract"


def disk_cached(build: Callable[..., T]) -> Callable[..., T]:
    """`build(*args)` read from the cache when an entry of these arguments and the resource files
    they name (every string argument, and every string of a `*files` argument, is a resource name
    or path) exists, built and stored when not."""

    @functools.wraps(build)
    def cached(*args) -> T:
        folder = cache_folder()
        if folder is None:
            return build(*args)
        try:
            key = _key(build, args)
        except (OSError, TypeError):  # a named file cannot be read, wrong arguments: the builder says so
            return build(*args)
        path = folder / f"{build.__name__}-{key}.pickle"
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
            _touch(path)
            return value
        except Exception:  # not there, damaged, or naming what no longer exists: build it
            pass
        value = build(*args)
        _store(path, value)
        _prune(folder, build.__name__)
        return value

    return cached


@functools.cache
def package_code_digest() -> bytes:
    """The digest of every module of the package, once per process (a few milliseconds)."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.digest()


def _key(build: Callable, args: tuple) -> str:
    from .lexicons import resource_bytes  # lexicons' builders are cached here: no import cycle

    signature = inspect.signature(build)
    bound = signature.bind(*args)
    bound.apply_defaults()  # `drug_lexicon()` names its files through its defaults
    values = tuple(bound.arguments.values())
    digest = hashlib.sha256(f"{__version__}\0{build.__qualname__}\0{values!r}".encode())
    digest.update(package_code_digest())
    files = []
    for name, value in bound.arguments.items():
        if signature.parameters[name].kind is inspect.Parameter.VAR_POSITIONAL:  # `*files`
            files += [item for item in value if isinstance(item, str)]
        elif isinstance(value, str):
            files.append(value)
    for file in files:
        digest.update(hashlib.sha256(resource_bytes(file)).digest())
    return digest.hexdigest()[:24]


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # the entry was used: the last to be pruned
    except OSError:
        pass


def _prune(folder: Path, name: str) -> None:
    """Keep a builder's KEEP entries used last: every change of code, resources or version makes
    new entries (12 MB for the code index), and the old ones would pile up for good."""
    try:
        entries = sorted(folder.glob(f"{name}-*.pickle"), key=lambda e: e.stat().st_mtime, reverse=True)
        for stale in entries[KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


def _store(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only home, a full disk: the cache is only a cache
