"""Generation settings (temperature, top-p, max output tokens, stop sequences, seed) and named
presets of them, with the ranges the Chat Completions API accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.errors import FinetuneError

__all__ = [
    "MAX_STOP_SEQUENCES",
    "MAX_TEMPERATURE",
    "GenerationSettings",
    "Preset",
    "PresetError",
    "settings_phrases",
    "settings_problems",
    "validate_preset",
    "validate_settings",
]

MAX_TEMPERATURE = 2.0
MAX_STOP_SEQUENCES = 4  # the API refuses more than four stop sequences


class PresetError(FinetuneError):
    """Generation settings outside the ranges the API accepts."""

    default_user_message = "Some generation settings are out of range. Correct them and try again."


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """How a reply is generated; None (or no stop sequences) leaves the service's default.

    Attributes:
        temperature: 0 to 2.
        top_p: 0 to 1.
        max_tokens: at least 1.
        stop: up to four non-empty stop sequences.
        seed: any integer, for repeatable sampling where the service supports it.
    """

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of generation settings the user saved. Names are unique, case-insensitive."""

    name: str
    settings: GenerationSettings
    system_prompt: str = ""


def settings_phrases(settings: GenerationSettings, *, count_stops: bool = True) -> list[str]:
    """The settings that are set, one short phrase each, in a fixed order.

    Args:
        settings: the generation settings.
        count_stops: end with "N stop sequence(s)" when there are stop sequences (callers
            that list them their own way pass False).

    Returns:
        e.g. ``["temperature 0.2", "top-p 0.9", "max tokens 200", "seed 7"]``; empty when
        every setting is the service's default.
    """
    phrases = [
        f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
        for name, value in (
            ("temperature", settings.temperature),
            ("top-p", settings.top_p),
            ("max tokens", settings.max_tokens),
            ("seed", settings.seed),
        )
        if value is not None
    ]
    if count_stops and settings.stop:
        phrases.append(f"{len(settings.stop)} stop sequence(s)")
    return phrases


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def settings_problems(settings: GenerationSettings) -> list[str]:
    """Every reason the settings would be refused, in plain words (empty when valid).

    Args:
        settings: the settings to check.

    Returns:
        One sentence per problem.
    """
    problems: list[str] = []
    temperature, top_p = settings.temperature, settings.top_p
    if temperature is not None and not (
        _is_number(temperature) and 0.0 <= temperature <= MAX_TEMPERATURE
    ):
        problems.append(f"Temperature must be between 0 and 2, not {temperature}.")
    if top_p is not None and not (_is_number(top_p) and 0.0 <= top_p <= 1.0):
        problems.append(f"Top-p must be between 0 and 1, not {top_p}.")
    max_tokens = settings.max_tokens
    if max_tokens is not None and (
        not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1
    ):
        problems.append(
            f"Max output tokens must be a whole number of at least 1, not {max_tokens}."
        )
    if len(settings.stop) > MAX_STOP_SEQUENCES:
        problems.append(
            f"At most {MAX_STOP_SEQUENCES} stop sequences are allowed, not {len(settings.stop)}."
        )
    if any(not isinstance(s, str) or not s for s in settings.stop):
        problems.append("Stop sequences must not be empty.")
    seed = settings.seed
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        problems.append(f"The seed must be a whole number, not {seed!r}.")
    return problems


def validate_settings(settings: GenerationSettings) -> GenerationSettings:
    """Return ``settings`` unchanged when the API would accept them.

    Args:
        settings: the settings to check.

    Returns:
        The same settings.

    Raises:
        PresetError: a value is out of range; ``user_message`` lists every problem.
    """
    problems = settings_problems(settings)
    if problems:
        raise PresetError("; ".join(problems), user_message=" ".join(problems))
    return settings


def validate_preset(preset: Preset) -> Preset:
    """Return ``preset`` (its name stripped) when its name and settings are valid.

    Args:
        preset: the preset to check.

    Returns:
        The preset, its name without surrounding spaces.

    Raises:
        PresetError: the name is empty or a setting is out of range.
    """
    name = preset.name.strip()
    if not name:
        raise PresetError("empty preset name", user_message="Give the preset a name.")
    validate_settings(preset.settings)
    return Preset(name=name, settings=preset.settings, system_prompt=preset.system_prompt)
