"""An evaluation to files: the scores as JSON, the listed misses and false hits as TSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .evaluation import Evaluation


def write_reports(result: Evaluation, scores_path: Path, errors_path: Path) -> None:
    from ..tables import atomic_write_text

    atomic_write_text(scores_path, json.dumps(result.as_dict(), indent=2) + "\n")
    frame = pd.DataFrame(
        [e.__dict__ for e in result.listed_errors], columns=["doc_id", "field", "kind", "case_id", "fact", "sentence"]
    )
    atomic_write_text(errors_path, frame.to_csv(sep="\t", index=False))
