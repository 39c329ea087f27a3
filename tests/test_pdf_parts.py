"""The PDF stage's parts on their own: settings, the character source, row clustering."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.pdf import PdfSettings, read_pdf

# --- settings ------------------------------------------------------------------------------------


def test_settings_defaults_are_the_documented_values():
    settings = PdfSettings()
    assert settings.script_size_ratio == 0.85 and settings.gutter_search == (0.3, 0.7)
    assert dict(settings.table_settings) == {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    assert settings.max_pages == 0


def test_unknown_setting_is_refused_by_name():
    with pytest.raises(ValueError, match="'scrip_size_ratio'"):
        PdfSettings.from_mapping({"scrip_size_ratio": 0.8})


def test_read_pdf_refuses_an_unknown_setting_before_reading(tmp_path):
    # the file does not exist: the settings are checked first
    with pytest.raises(ValueError, match="'gutter_width'"):
        read_pdf(tmp_path / "missing.pdf", {"gutter_width": 10})


@pytest.mark.parametrize(
    "overrides, name",
    [
        ({"script_size_ratio": 0}, "script_size_ratio"),
        ({"gutter_search": (0.7, 0.3)}, "gutter_search"),
        ({"min_table_rows": 1.5}, "min_table_rows"),
        ({"max_pages": -1}, "max_pages"),
        ({"margin_band": "wide"}, "margin_band"),
        ({"table_settings": {"vertical_strategy": "lines", "no_such_option": 1}}, "table_settings"),
    ],
)
def test_out_of_range_settings_are_refused_by_name(overrides, name):
    with pytest.raises(ValueError, match=name):
        PdfSettings.from_mapping(overrides)


def test_settings_are_frozen_and_read_pdf_takes_either_form(journal_pdf):
    settings = PdfSettings(gutter_search=[0.3, 0.7])  # a JSON list becomes the tuple
    assert settings.gutter_search == (0.3, 0.7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.space_ratio = 0.2  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.table_settings["vertical_strategy"] = "text"  # type: ignore[index]
    path = journal_pdf[0]
    assert read_pdf(path, settings).text == read_pdf(path, {"gutter_search": [0.3, 0.7]}).text == read_pdf(path).text
