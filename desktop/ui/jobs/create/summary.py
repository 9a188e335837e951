"""The Review page's summary of the job, in plain words (no Qt)."""

from __future__ import annotations

from desktop.core.types import Hyperparameters
from desktop.ui.jobs.create.data_page import DataChoice, ValidationMode

_METHOD_NAMES = {"supervised": "supervised learning", "dpo": "DPO (preference pairs)"}


def describe_hyperparameters(h: Hyperparameters, *, method: str) -> str:
    """E.g. "chosen by the service" or "3 epochs, batch size auto, learning rate × 0.5"."""
    values = [h.n_epochs, h.batch_size, h.learning_rate_multiplier]
    if method == "dpo":
        values.append(h.beta if h.beta is not None else "auto")
    if all(value == "auto" for value in values):
        return "chosen by the service (auto)"
    parts = [
        f"{h.n_epochs} epochs" if h.n_epochs != "auto" else "epochs auto",
        f"batch size {h.batch_size}",
        f"learning rate × {h.learning_rate_multiplier}",
    ]
    if method == "dpo":
        parts.append(f"beta {h.beta if h.beta is not None else 'auto'}")
    return ", ".join(parts)


def describe_plan(
    data: DataChoice,
    *,
    model_id: str,
    method: str,
    hyperparameters: Hyperparameters,
    suffix: str | None,
    connection: str,
    model_note: str = "",
) -> str:
    """Several lines: connection, model, method, datasets, settings and the model's name."""
    if data.training_local is not None:
        stats = data.training_local.report.stats
        training = f"{data.training_local.path.name} ({stats.examples:,} examples)"
    else:
        training = f"{data.training_remote} (already on the connection)"
    mode = data.validation_mode
    if mode is ValidationMode.SPLIT:
        validation = f"{data.split_percent} % split off the training file (fixed seed)"
    elif mode is ValidationMode.LOCAL and data.validation_local is not None:
        validation = data.validation_local.path.name
    elif mode is ValidationMode.REMOTE:
        validation = f"{data.validation_remote} (already on the connection)"
    else:
        validation = "none"
    lines = [
        f"Connection: {connection}",
        f"Base model: {model_id}" + (f" — ⚠ {model_note}" if model_note else ""),
        f"Method: {_METHOD_NAMES.get(method, method)}",
        f"Training data: {training}",
        f"Validation data: {validation}",
        f"Training settings: {describe_hyperparameters(hyperparameters, method=method)}",
        f"Name suffix: {suffix or 'none'}",
    ]
    return "\n".join(lines)
