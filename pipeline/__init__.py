"""casextract: clinical case report PDFs → per-patient tables, with measured accuracy."""

__version__ = "0.1.0"
