"""Settings of the PDF stage: one frozen `PdfSettings`, checked when it is made.

A misspelt key (`scrip_size_ratio`) or an out-of-range value is refused at once, with its name,
instead of being ignored or failing on the first page as if the PDF were damaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any


def _default_table_settings() -> Mapping[str, Any]:
    return MappingProxyType({"vertical_strategy": "lines", "horizontal_strategy": "lines"})


@dataclass(frozen=True)
class PdfSettings:
    # words: split where the gap exceeds this share of the font size (pdfplumber's fixed 3 pt
    # glues words in tightly set 8–9 pt text)
    x_tolerance_ratio: float = 0.15
    y_tolerance: float = 2.0
    # page furniture
    margin_band: float = 0.08  # share of the page height, top and bottom, where furniture may stand
    furniture_tolerance: float = 4.0  # points a repeated line may move between pages
    furniture_size_ratio: float = 0.85  # margin lines this much smaller than body text are furniture
    # columns
    gutter_search: tuple[float, float] = (0.3, 0.7)  # where on the page (share of width) a gutter may be
    gutter_min_gap: float = 6.0  # points of white space that separate two columns
    min_column_rows: int = 3
    # super/subscripts: smaller than this share of the line's font and off its middle
    script_size_ratio: float = 0.85
    script_shift_ratio: float = 0.12
    # paragraphs
    space_ratio: float = 0.12  # a gap wider than this share of the font size is a space
    indent_ratio: float = 0.6  # an indent of this many ems starts a paragraph
    # pdfplumber's table finder; tables need ruling lines (most journals draw at least rows)
    table_settings: Mapping[str, Any] = field(default_factory=_default_table_settings, hash=False)
    min_table_rows: int = 2
    min_table_columns: int = 2
    # longer documents are refused (an error row, not hours of parsing); 0: no limit
    max_pages: int = 0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PdfSettings:
        """Defaults overridden by `values`; a key that is no setting raises ValueError naming it."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown PDF setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
            )
        return cls(**values)

    @classmethod
    def coerce(cls, settings: PdfSettings | Mapping[str, Any] | None) -> PdfSettings:
        """What `read_pdf` accepts: `PdfSettings`, a mapping of overrides, or None for the defaults."""
        if settings is None:
            return cls()
        if isinstance(settings, cls):
            return settings
        if isinstance(settings, Mapping):
            return cls.from_mapping(settings)
        raise TypeError(f"PDF settings must be PdfSettings or a mapping, not {type(settings).__name__}")

    def __post_init__(self) -> None:
        # frozen: normalise through object.__setattr__ (a JSON list → tuple; a private read-only copy)
        object.__setattr__(self, "gutter_search", tuple(self.gutter_search))
        object.__setattr__(self, "table_settings", MappingProxyType(dict(self.table_settings)))
        self._check()

    def _check(self) -> None:
        for name in ("x_tolerance_ratio", "script_size_ratio", "space_ratio", "indent_ratio"):
            _require(name, getattr(self, name), lambda v: v > 0, "a number > 0")
        for name in ("y_tolerance", "furniture_tolerance", "gutter_min_gap", "script_shift_ratio"):
            _require(name, getattr(self, name), lambda v: v >= 0, "a number >= 0")
        _require("margin_band", self.margin_band, lambda v: 0 <= v <= 0.5, "a share of the page height, 0..0.5")
        _require("furniture_size_ratio", self.furniture_size_ratio, lambda v: v >= 0, "a number >= 0")
        for name in ("min_column_rows", "max_pages"):
            _require(name, getattr(self, name), lambda v: isinstance(v, int) and v >= 0, "a whole number >= 0")
        for name in ("min_table_rows", "min_table_columns"):
            _require(name, getattr(self, name), lambda v: isinstance(v, int) and v >= 1, "a whole number >= 1")
        lo_hi = self.gutter_search
        if len(lo_hi) != 2 or not all(_is_number(v) for v in lo_hi) or not 0 <= lo_hi[0] < lo_hi[1] <= 1:
            raise ValueError(f"PDF setting 'gutter_search' must be (lo, hi) with 0 <= lo < hi <= 1, not {lo_hi!r}")
        self._check_table_settings()

    def _check_table_settings(self) -> None:
        # pdfplumber would otherwise refuse them on the first page, reported as a damaged PDF
        from pdfplumber.table import TableSettings

        try:
            TableSettings.resolve(dict(self.table_settings))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"PDF setting 'table_settings' is not valid for pdfplumber: {exc}") from exc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _require(name: str, value: Any, test: Any, meaning: str) -> None:
    if not _is_number(value) or not test(value):
        raise ValueError(f"PDF setting {name!r} must be {meaning}, not {value!r}")
