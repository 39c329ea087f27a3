"""When a found fact is the gold's: one-to-one matching of fact lists, and quantities compared in
the gold's unit."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..nlp.quantities import clean_unit, parse_number, to_canonical


def match_one_to_one(gold: list[Any], found: list[Any], accepts: Callable[[Any, Any], bool]) -> tuple[list, list, list]:
    """Greedy one-to-one matching → (matched pairs, unmatched gold, unmatched found)."""
    free = list(range(len(found)))
    pairs, missed = [], []
    for g in gold:
        hit = next((i for i in free if accepts(g, found[i])), None)
        if hit is None:
            missed.append(g)
        else:
            free.remove(hit)
            pairs.append((g, found[hit]))
    return pairs, missed, [found[i] for i in free]


def same_quantity(gold_value: Any, gold_unit: Any, value: Any, unit: Any) -> bool:
    """Equal after converting the found quantity into the gold's unit (units compared with pint)."""
    gold_number = gold_value if isinstance(gold_value, (int, float)) else parse_number(str(gold_value))
    if gold_number is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    gold_unit = clean_unit(str(gold_unit or ""))
    unit = clean_unit(str(unit or ""))
    if gold_unit == unit:
        converted = float(value)
    else:
        converted, _ = to_canonical(float(value), unit, gold_unit)
        if converted is None:
            return False
    return math.isclose(converted, float(gold_number), rel_tol=1e-4, abs_tol=1e-9)
