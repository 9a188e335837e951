"""Plain-words formatting shared by the Jobs tab's views (times, money, token counts).

Pure functions; no Qt. Times are shown in the computer's local time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desktop.core.types import FineTuningJob, Hyperparameters

TONE_COLORS = {
    "neutral": "#5f6368",
    "active": "#1a73e8",
    "good": "#1e7e34",
    "bad": "#b3261e",
    "warn": "#8a5a00",
}
"""Text colour of each status tone (``core.jobs.status.StatusTone``)."""

LEVEL_COLORS = {"error": "#b3261e", "warn": "#8a5a00", "warning": "#8a5a00"}
"""Text colour of event levels; other levels keep the default colour."""


def format_timestamp(seconds: int | float | None) -> str:
    """``2026-11-27 14:05`` in local time, or ``""`` when unknown."""
    if not seconds:
        return ""
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def format_clock(seconds: int | float) -> str:
    """``14:05:09`` in local time (event log)."""
    return dt.datetime.fromtimestamp(seconds).strftime("%H:%M:%S")


def format_cost(cost: Decimal | None) -> str:
    """``$1.08``; ``<$0.01`` for tiny amounts; ``""`` when unknown."""
    if cost is None:
        return ""
    if cost == 0:
        return "$0.00"
    if cost < Decimal("0.01"):
        return "<$0.01"
    return f"${cost:,.2f}"


SIMULATED_COST_NOTE = "simulated, nothing charged"
"""Said next to every cost on a Demo connection: its jobs run on this computer."""


def format_job_cost(cost: Decimal, *, simulated: bool) -> str:
    """``$0.11``, or ``$0.11 (simulated, nothing charged)`` on a Demo connection."""
    text = format_cost(cost)
    return f"{text} ({SIMULATED_COST_NOTE})" if simulated else text


def format_tokens(tokens: int | None) -> str:
    """``120,400`` or ``""`` when unknown."""
    return "" if tokens is None else f"{tokens:,}"


def format_metric(value: float | None) -> str:
    """A loss or accuracy with four decimals, ``""`` when missing."""
    return "" if value is None else f"{value:.4f}"


def describe_hyperparameters(hyperparameters: Hyperparameters, *, method: str) -> list[str]:
    """One line per setting, e.g. ``"Epochs: 3"``; ``auto`` says the service chooses."""

    def show(value: object) -> str:
        return "chosen by the service" if value == "auto" else str(value)

    lines = [
        f"Epochs: {show(hyperparameters.n_epochs)}",
        f"Batch size: {show(hyperparameters.batch_size)}",
        f"Learning-rate multiplier: {show(hyperparameters.learning_rate_multiplier)}",
    ]
    if method == "dpo" and hyperparameters.beta is not None:
        lines.append(f"DPO beta: {show(hyperparameters.beta)}")
    return lines


def method_label(method: str) -> str:
    """``Supervised`` / ``DPO (preference pairs)`` / the raw name for others."""
    return {"supervised": "Supervised", "dpo": "DPO (preference pairs)"}.get(method, method)


def job_title(job: FineTuningJob) -> str:
    """A short name for a job: its model with the suffix, e.g. ``gpt-4o-mini… (support-bot)``."""
    if job.fine_tuned_model:
        return job.fine_tuned_model
    suffix = job_suffix(job)
    return f"{job.model} ({suffix})" if suffix else job.model


def job_suffix(job: FineTuningJob) -> str | None:
    """The job's suffix; when the connection does not report it (OpenAI's job object has no
    such field), the one in its fine-tuned model id ``ft:<base>:<org>:<suffix>:<id>``."""
    if job.suffix:
        return job.suffix
    model = job.fine_tuned_model or ""
    parts = model.split(":")
    if model.startswith("ft:") and len(parts) >= 5 and parts[3]:
        return parts[3]
    return None
