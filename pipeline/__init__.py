"""casextract: clinical case report PDFs → per-patient tables, with measured accuracy."""

from pathlib import Path

from .structures import ExtractionError

__version__ = "0.1.0"
__all__ = ["ExtractionError", "extract"]


def extract(path: str | Path):
    """One case report (PDF, .txt or .md) → `Tables` of pandas DataFrames: `extract("case.pdf").labs`.

    Raises `FileNotFoundError` for a path that does not exist and `ExtractionError` (with the
    documents row's `reason`: encrypted, image-only, damaged …) for a file it cannot read; a batch
    (`pipeline.batch.run`) records such documents as error rows instead.
    """
    from .batch import extract as extract_tables

    if Path(path).is_dir():
        raise IsADirectoryError(21, "a folder, not a document (a batch takes folders)", str(path))
    if not Path(path).is_file():
        raise FileNotFoundError(2, "no such file", str(path))
    tables = extract_tables(path)
    row = tables.documents.iloc[0]
    if row["status"] != "ok":
        raise ExtractionError(str(path), str(row["error"]))
    return tables
