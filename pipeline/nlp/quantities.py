"""Numbers, units, frequencies and durations as case reports write them.

Every parser takes any string and returns a value or None; none raises (property-tested).
Units are converted with pint; powers of ten (`10^9/L`) are taken apart first because pint
rejects a scaling factor inside a unit expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..disk_cache import disk_cached
from ..lexicons import resource_json

NUMBER = re.compile(r"^[−\-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
POWER_OF_TEN = re.compile(r"^(?:[x×]\s*)?10\^(\d{1,2})\s*/\s*(\S+)$")
WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "a": 1,
    "an": 1,
    "single": 1,
}


def parse_number(text: str) -> float | None:
    """`0.8`, `1,200`, `−5` → float; anything else → None (never an exception)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > 32 or not NUMBER.match(text) or not any(c.isdigit() for c in text):
        return None
    try:
        return float(text.replace(",", "").replace("−", "-"))
    except ValueError:
        return None


def format_number(value: float | None) -> str:
    """Plain decimal, no exponent, no trailing zeros: 0.8, 2140, 0.00012."""
    if value is None:
        return ""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- units -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def unit_registry():
    import pint

    try:  # pint's parsed definitions, cached in the user's cache folder: 0.02 s instead of 0.13 s
        registry = pint.UnitRegistry(on_redefinition="ignore", cache_folder=":auto:")
    except OSError:  # no cache folder can be written: parse the definitions every time
        registry = pint.UnitRegistry(on_redefinition="ignore")
    registry.define("international_unit = [international_unit] = IU")
    return registry


SUPERSCRIPT_DIGITS = str.maketrans(
    {"⁰": "^0", "¹": "^1", "²": "^2", "³": "^3", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7", "⁸": "^8", "⁹": "^9"}
)
# spellings of one unit that differ only by convention: the litre's capital, `u` for micro, `u/L`
_UNIT_SPELLINGS = (
    # a count written in words (`per cubic millimeter`, `cells per microlitre`), spaces already gone
    (re.compile(r"^(?:cells)?per(?=cubic|microlit|mm\^?3$|mm³$|μL$|uL$)"), "/"),
    (re.compile(r"cubicmillimet(?:er|re)s?$"), "mm^3"),
    (re.compile(r"microlit(?:er|re)s?$"), "μL"),
    (re.compile(r"(?:litres?|liters?)$"), "L"),
    (re.compile(r"(?<=/)(d|m|μ|n|p)?l$"), lambda m: (m.group(1) or "") + "L"),
    (re.compile(r"^l$"), "L"),
    (re.compile(r"(?<![A-Za-z])u(?=(?:g|mol|L|IU)\b)"), "μ"),
    (re.compile(r"(?<![A-Za-z])mcg(?=/)"), "μg"),
    (re.compile(r"^(k|m)?u(?=/)"), lambda m: (m.group(1) or "") + "U"),
    (re.compile(r"^(m|μ)?iu(?=/)", re.I), lambda m: (m.group(1) or "") + "IU"),
    (re.compile(r"mm(?:\^)?3$"), "mm^3"),
    (re.compile(r"/m(?:\^)?2$"), "/m^2"),
    (re.compile(r"^mmhg$", re.I), "mmHg"),
    (re.compile(r"^fl$", re.I), "fL"),
    (re.compile(r"^10\((\d{1,2})\)"), r"10^\1"),
)


def clean_unit(text: str) -> str:
    """As written but tidied: `×10⁹/L`, `x 10^9/L` → `10^9/L`; `µ` → `μ`; spaces dropped; the
    spellings of one unit made one (`mg/dl` → `mg/dL`, `ug/l` → `μg/L`, `u/L` → `U/L`, `/mm 3` →
    `/mm^3`, `10(9)/litre` → `10^9/L`)."""
    text = text.strip().replace("µ", "μ").translate(SUPERSCRIPT_DIGITS)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^[x×]", "", text)
    for pattern, replacement in _UNIT_SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


def _pint_unit(registry, expression: str):
    if expression.startswith("1/"):
        return 1 / registry.parse_units(expression[2:])
    return registry.parse_units(expression)


@disk_cached
def unit_conversions(units: str, pint: tuple[str, str]) -> tuple[frozenset[str], dict[tuple[str, str], float]]:
    """The unit expressions of `units`' aliases that pint (`pint`: its name and version) reads,
    and the factor pint converts a value by from each into each other of the same dimension:
    worked out with pint once and read from the disk cache, so that a run imports no pint (a
    tenth of a second at every start). A value is converted as pint converts it (`value *
    factor`, with pint's own factor), to the last bit."""
    registry = unit_registry()
    by_dimension: dict[object, dict[str, object]] = {}
    for expression in set(resource_json(units)["aliases"].values()):
        try:
            unit = _pint_unit(registry, expression)
            by_dimension.setdefault(registry.get_dimensionality(unit), {})[expression] = unit
        except Exception:  # pint raises many types on odd input; an unreadable unit has no SI value
            continue
    factors = {}
    for same in by_dimension.values():
        for source, source_unit in same.items():
            for goal, goal_unit in same.items():
                if registry.Quantity(0.0, source_unit).to(goal_unit).magnitude != 0:
                    continue  # an offset scale (°C → K) converts by no factor: no SI value
                factors[source, goal] = registry.Quantity(1.0, source_unit).to(goal_unit).magnitude
    return frozenset(e for same in by_dimension.values() for e in same), factors


@lru_cache(maxsize=1)
def conversions() -> tuple[frozenset[str], dict[tuple[str, str], float]]:
    """`unit_conversions` of the shipped units, once per process."""
    from importlib.metadata import version

    return unit_conversions("units.json", ("pint", version("pint")))


def unit_quantity(unit: str) -> tuple[float, str] | None:
    """(scale, the unit's expression) for a cleaned unit text, or None when pint cannot read it."""
    if not isinstance(unit, str) or not unit or len(unit) > 40:
        return None
    scale = 1.0
    power = POWER_OF_TEN.match(unit)
    if power:
        scale, unit = 10.0 ** int(power.group(1)), "/" + power.group(2)
    expression = resource_json("units.json")["aliases"].get(unit)
    if expression is None or expression not in conversions()[0]:
        return None
    return scale, expression


UNIT_SHAPE = re.compile(r"^(10\^\d{1,2}/)?[A-Za-zμ%]{1,6}(/[A-Za-zμ0-9^.]{1,8}){1,2}$")


def is_unit(text: str) -> bool:
    """A unit pint can read (`μg/L`, `10^9/L`, `mmHg`)."""
    return unit_quantity(clean_unit(text)) is not None


def looks_like_unit(text: str) -> bool:
    """A unit, or something written like one (`blorps/L`): kept as text, with no SI value."""
    unit = clean_unit(text)
    return is_unit(unit) or bool(UNIT_SHAPE.match(unit))


def to_canonical(value: float | None, unit: str, target: str) -> tuple[float | None, str]:
    """`value unit` expressed in `target` (e.g. 2.1 `10^11/L` → 210 `10^9/L`), or (None, "")."""
    if value is None or not target:
        return None, ""
    source, goal = unit_quantity(clean_unit(unit)), unit_quantity(target)
    if source is None or goal is None:
        return None, ""
    factor = conversions()[1].get((source[1], goal[1]))
    if factor is None:
        return None, ""
    converted = float(value * source[0] * factor) / goal[0]
    return round(converted, 6), target


def dose_units() -> frozenset[str]:
    return frozenset(resource_json("units.json")["dose_units"])


# --- frequencies and durations -----------------------------------------------------------------


def time_unit(text: str) -> str | None:
    return resource_json("frequencies.json")["time_units"].get(text.lower().rstrip("."))


def normalize_frequency(text: str) -> str | None:
    """`BID` → `2/d`, `every 4 wk` → `1/4wk`, `q12h` → `2/d`, `once a month` → `1/mo`."""
    if not isinstance(text, str):
        return None
    key = re.sub(r"\s+", " ", text.strip().lower())
    phrases = resource_json("frequencies.json")["phrases"]
    if key in phrases:
        return phrases[key]
    match = re.fullmatch(r"(?:every|q|each)\s*(\d+|one|two|three|four|six|eight|twelve)\s*-?\s*([a-z]+)\.?", key)
    if match:
        count = parse_number(match.group(1)) or WORD_NUMBERS.get(match.group(1))
        unit = time_unit(match.group(2))
        if count and unit:
            count = int(count)
            if unit == "h" and 24 % count == 0:
                return f"{24 // count}/d"
            return f"1/{unit}" if count == 1 else f"1/{count}{unit}"
    match = re.fullmatch(
        r"(once|twice|thrice|one|two|three|four|five|six|\d+)\s*(?:times?|x)?\s*(?:a|per|/|each|every)\s*([a-z]+)", key
    )
    if match:
        counts = resource_json("frequencies.json")["counts"]
        count = counts.get(match.group(1)) or parse_number(match.group(1))
        unit = time_unit(match.group(2))
        if count and unit:
            return f"{int(count)}/{unit}"
    return None


@dataclass(frozen=True)
class Dose:
    value: float | None
    unit: str
    text: str
    upper: float | None = None  # a range keeps its upper bound here
    frequency: str | None = None  # a dose per day/week/month (`40 mg/day`) says how often too


# a dose written per time (`mg/day`, `mg/kg/d`, `mg/m2/wk`, `mg/kg/12h`): the amount and its rate
PER_TIME = re.compile(r"^(?P<unit>.+?)/(?:(?P<hours>\d+)\s*h|(?P<period>day|d|24h|week|wk|w|month|mo))$", re.I)
PERIODS = {
    "day": "1/d",
    "d": "1/d",
    "24h": "1/d",
    "week": "1/wk",
    "wk": "1/wk",
    "w": "1/wk",
    "month": "1/mo",
    "mo": "1/mo",
}


def split_per_time(unit: str) -> tuple[str, str | None]:
    """`mg/day` → (`mg`, `1/d`); `mg/kg/12h` → (`mg/kg`, `2/d`); a unit with no rate is unchanged."""
    match = PER_TIME.match(unit)
    if not match or match.group("unit") not in dose_units():
        return unit, None
    if match.group("hours"):
        hours = int(match.group("hours"))
        return match.group("unit"), (f"{24 // hours}/d" if hours and 24 % hours == 0 else None)
    return match.group("unit"), PERIODS[match.group("period").lower()]


def parse_dose(text: str) -> Dose | None:
    """`0.8 g`, `2-3 mg/kg`, `480 mg`, `40mg/day` → Dose; the unit must be a dosing unit."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    match = re.fullmatch(r"\s*([\d.,]+)\s*(?:(?:-|–|to)\s*([\d.,]+))?\s*(million\s+)?(\S+)\s*", text, re.I)
    if not match:
        return None
    unit, frequency = split_per_time(clean_unit(match.group(4)))
    if unit not in dose_units():
        return None
    value = parse_number(match.group(1))
    if value is None:
        return None
    upper = parse_number(match.group(2)) if match.group(2) else None
    if match.group(3):  # `24 million units` of penicillin G, `3 million IU` of interferon
        value, upper = round(value * 1e6, 3), round(upper * 1e6, 3) if upper is not None else None
    return Dose(value, unit, text.strip(), upper, frequency)


# the volumes a concentration or a count is given per (`μg/dL`, `pg/mL`, `mmol/L`, `10^9/L`)
CONCENTRATION_VOLUMES = {"L", "dL", "mL", "μL", "l", "dl", "ml", "mm^3"}


def is_concentration(unit: str) -> bool:
    """A unit of an amount per volume of a sample: what is measured, not what is given."""
    return "/" in unit and unit.rsplit("/", 1)[1] in CONCENTRATION_VOLUMES and is_unit(unit)
