"""Generation settings are checked against the ranges the API accepts."""

from __future__ import annotations

import pytest

from desktop.core.playground.presets import (
    GenerationSettings,
    Preset,
    PresetError,
    settings_phrases,
    settings_problems,
    validate_preset,
    validate_settings,
)


def test_accepts_settings_when_every_value_is_at_its_limit() -> None:
    settings = GenerationSettings(
        temperature=2.0, top_p=0.0, max_tokens=1, stop=("a", "b", "c", "d"), seed=-5
    )
    assert validate_settings(settings) is settings


def test_accepts_settings_when_all_are_left_to_the_service() -> None:
    assert settings_problems(GenerationSettings()) == []


@pytest.mark.parametrize(
    "settings",
    [
        GenerationSettings(temperature=2.01),
        GenerationSettings(temperature=-0.1),
        GenerationSettings(top_p=1.5),
        GenerationSettings(max_tokens=0),
        GenerationSettings(stop=("1", "2", "3", "4", "5")),
        GenerationSettings(stop=("",)),
        GenerationSettings(seed=1.5),  # type: ignore[arg-type]
    ],
)
def test_refuses_settings_when_a_value_is_out_of_range(settings: GenerationSettings) -> None:
    with pytest.raises(PresetError):
        validate_settings(settings)


def test_lists_every_problem_when_several_values_are_wrong() -> None:
    problems = settings_problems(GenerationSettings(temperature=3, top_p=2, max_tokens=0))
    assert len(problems) == 3


def test_strips_the_name_when_a_preset_is_valid() -> None:
    preset = validate_preset(Preset(" Precise ", GenerationSettings(temperature=0)))
    assert preset.name == "Precise"


def test_refuses_a_preset_when_its_name_is_blank() -> None:
    with pytest.raises(PresetError, match="empty"):
        validate_preset(Preset("  ", GenerationSettings()))


def test_settings_phrases_name_only_what_is_set_in_a_fixed_order() -> None:
    settings = GenerationSettings(temperature=0.2, max_tokens=200, stop=("END", "##"), seed=7)

    assert settings_phrases(settings) == [
        "temperature 0.2",
        "max tokens 200",
        "seed 7",
        "2 stop sequence(s)",
    ]
    assert settings_phrases(settings, count_stops=False)[-1] == "seed 7"
    assert settings_phrases(GenerationSettings(top_p=1.0)) == ["top-p 1"]
    assert settings_phrases(GenerationSettings()) == []
