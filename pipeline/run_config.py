"""The run's configuration: everything that shapes a table, in one frozen object.

`casextract run` takes its option defaults from `RunConfig()`. A run records what its configuration
describes (the PDF engine, the limits, the PDF settings, the NLP models and their digests, the
versions of casextract and of the libraries that read the documents) in `run.json` and under
`OUT/.casextract/configs/`, and every document's record carries the configuration's digest. So
`--resume` can tell documents made under another configuration and refuse to mix them into one set
of tables.

This module imports nothing heavy: the command line reads its defaults before any model loads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import __version__

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
PACKAGE_DIR = Path(__file__).resolve().parent
# the libraries whose versions can change what is read from a document
READING_PACKAGES = ("spacy", "scispacy", "negspacy", "pdfplumber", "pdfminer.six", "pypdfium2")


# `pipeline.pdf.ENGINES`' names, for the command line to check before anything reads a PDF
PDF_ENGINES = ("pdfplumber", "pdfium")


@dataclass(frozen=True)
class Limits:
    """What one document may cost before it becomes an error row (0 = no limit), and which engine
    reads its PDF characters (`pipeline.pdf.ENGINES`: pdfplumber, the reference, or pdfium).

    `max_seconds` and `max_memory_mb` are enforced by running documents in worker processes: a
    document over time has its worker stopped and replaced; memory is capped per worker with
    RLIMIT_AS, so a runaway allocation fails that document, not the machine.
    """

    max_pages: int = 1000
    max_seconds: float = 300.0
    max_memory_mb: int = 4096
    pdf_engine: str = "pdfplumber"


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RunConfig:
    """What shapes the tables of a run. How many workers or which engine runs the documents does
    not: the tables are the same (tests hold them to that)."""

    limits: Limits = field(default_factory=Limits)

    def describe(self) -> dict:
        """The configuration as `run.json` records it: plain JSON values, models by digest."""
        from .pdf.settings import PdfSettings  # the settings the worker reads PDFs with

        settings = PdfSettings.coerce({"max_pages": self.limits.max_pages})
        pdf_settings = {f.name: getattr(settings, f.name) for f in fields(settings)}  # asdict: no mappingproxy
        described = {
            "casextract": __version__,
            **asdict(self.limits),
            "pdf_settings": {**pdf_settings, "table_settings": dict(pdf_settings["table_settings"])},
            "models": models_in_use(),
            # the code, pipeline.cfg and the resources: a rule changed between a run and its resume
            # (the version says nothing while a checkout is worked on) is another configuration
            "code": folder_digest(PACKAGE_DIR),
            "packages": {name: package_version(name) for name in READING_PACKAGES},
        }
        return json.loads(json.dumps(described, sort_keys=True))  # tuples as lists, as read back

    def digest(self) -> str:
        return config_digest(self.describe())


def config_digest(described: dict) -> str:
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


def differences(recorded: dict, current: dict) -> list[str]:
    """What changed between two described configurations, a line per setting:
    `pdf_engine: pdfium then, pdfplumber now`."""
    before, after = _flat(recorded), _flat(current)
    return [
        f"{key}: {_shown(before.get(key))} then, {_shown(after.get(key))} now"
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def models_in_use() -> dict[str, dict[str, str]]:
    """The NLP models the workers will load: each by where it comes from and a digest of its files
    (an installed package, as `en_ner_bc5cdr_md`, by its version)."""
    import os

    ner = os.environ.get("CASEXTRACT_NER_MODEL") or str(MODELS_DIR / "ner")
    models = {"ner": ner}
    models.update({p.name: str(p) for p in sorted(MODELS_DIR.glob("*")) if (p / "meta.json").is_file()})
    return {name: {"source": source, "digest": _model_digest(source)} for name, source in models.items()}


def _model_digest(source: str) -> str:
    if Path(source).is_dir():
        return folder_digest(Path(source))
    return f"package {package_version(source)}"


@lru_cache(maxsize=16)
def folder_digest(folder: Path) -> str:
    """A digest of every file's path and bytes under `folder` (the models: some 40 MB, 80 ms)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):
        return "not installed"


def _flat(described: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in described.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _shown(value: object) -> str:
    return "unset" if value is None else json.dumps(value)
