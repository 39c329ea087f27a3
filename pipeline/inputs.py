"""A batch's inputs, and reading one: file → `Layout` → `Article`, the stages before the NLP.

Nothing here imports spaCy or pandas: a process that only reads documents (`head_start.py`) starts
in a fraction of a second, and the command line finds its inputs before any model loads. The
readers themselves (`pdf`, `sections`, `textfile`: numpy, pdfplumber, pypdfium2 and our modules,
~0.1 s) are imported by the process that reads: the batch process forks the head start before
importing them, and a run whose documents the head start read never does (its workers neither).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .run_config import DEFAULT_LIMITS, Limits
from .structures import Article, InputError, Layout

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}


@dataclass(frozen=True)
class InputFile:
    doc_id: str
    path: Path
    given: str  # the path as the user gave it (or as found under a folder they gave)


@dataclass(frozen=True)
class ReadDocument:
    """One input read as far as the NLP: what the worker takes from here on."""

    sha256: str
    pages: int | None
    warning: str
    article: Article
    seconds: float  # what reading took


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_layout(path: Path, limits: Limits = DEFAULT_LIMITS) -> Layout:
    if path.suffix.lower() in TEXT_SUFFIXES:
        from .textfile import read_text

        return read_text(path)
    from .pdf import ENGINES, read_pdf

    return read_pdf(path, {"max_pages": limits.max_pages}, open_source=ENGINES[limits.pdf_engine])


def largest_first(items: list[InputFile]) -> list[InputFile]:
    """The biggest files first (size standing in for work): a big document started last would
    keep one worker busy while the others idle. The tables do not depend on the order."""

    def size(item: InputFile) -> int:
        try:
            return item.path.stat().st_size
        except OSError:
            return 0

    return sorted(items, key=size, reverse=True)


def check_file(path: Path) -> None:
    if not path.is_file():
        raise InputError("not found" if not path.exists() else "not a regular file")


def prepare_reading() -> None:
    """Import what reading a document needs (and map the PDF libraries' shared objects) now."""
    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401

    from . import pdf, sections, textfile  # noqa: F401


def read_document(item: InputFile, limits: Limits, sha256: str) -> ReadDocument:
    """`item` (whose bytes have the digest `sha256`) read into its article; raises for a file that
    cannot be read, as the stages do."""
    from .sections import build_article

    started = time.perf_counter()
    layout = read_layout(item.path, limits)
    article = build_article(layout, item.doc_id)
    return ReadDocument(sha256, layout.pages, layout.warning, article, time.perf_counter() - started)
