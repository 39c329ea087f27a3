"""casextract: clinical case report PDFs → per-patient tables, with measured accuracy."""

__version__ = "0.1.0"


def extract(path):
    """One case report (PDF, .txt or .md) → `Tables` of pandas DataFrames (see pipeline.batch.extract)."""
    from .batch import extract as _extract

    return _extract(path)
