"""Evaluation: a run's tables (OUT) against hand-curated gold files → precision, recall, F1.

Fields (CONTRACT.md): case (patient count), age, sex, drug, drug+dose, frequency, lab
(test+value+unit), diagnosis (name and negation), plus `negated` (the diagnoses a patient is said
not to have, scored on their own) and `timepoint` (a lab result or a drug together with when it
holds: judged only where the gold states when, so it measures the timepoint, not the fact again).
A gold folder may hold `SPLITS.json` (`{"dev": [...], "test": [...]}`); the scores are then also
given per split. Facts are compared as sets per patient (a drug mentioned five times is one drug),
matched one to one; names match when the output's normalised name equals one of the gold's
accepted spellings after folding case, spaces and hyphens (never by substring); doses and lab
values match when the output's quantity, converted with pint into the gold's unit, equals the gold
value (`10^9/L` = `×10⁹/L`, `μg/L` = `ng/mL`). Every miss and false hit is listed with the
sentence it came from (or, for a miss, the first sentence of the text that names it).

Gold is checked before anything is scored (gold_check.py): a folder with any malformed file is
refused whole, every problem listed, so a typo never silently drops a document's facts. draft.py
writes a gold file from a run for a curator to correct."""

from .document import DocumentScorer
from .evaluation import Evaluation, evaluate, load_output
from .gold import HELD_OUT_SPLIT, SPLITS_FILE, GoldError, Problem, fold, spellings
from .gold_check import GoldCheck, check_gold, load_gold, load_splits
from .matching import match_one_to_one, same_quantity
from .reports import CODE_FIGURES, score_tables, write_reports
from .scores import FIELDS, ErrorRow, Score

__all__ = [
    "FIELDS",
    "HELD_OUT_SPLIT",
    "SPLITS_FILE",
    "DocumentScorer",
    "CODE_FIGURES",
    "ErrorRow",
    "Evaluation",
    "GoldCheck",
    "GoldError",
    "Problem",
    "Score",
    "check_gold",
    "evaluate",
    "fold",
    "load_gold",
    "load_output",
    "load_splits",
    "match_one_to_one",
    "same_quantity",
    "score_tables",
    "spellings",
    "write_reports",
]
