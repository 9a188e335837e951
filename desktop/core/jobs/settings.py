"""Checks of the job settings a user types, against the documented ranges.

Each problem names its field and says in plain words what to change. Problems with
``severity == "warning"`` are allowed (the job can start); errors must be fixed first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeGuard

from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.types import Hyperparameters, JobCreateRequest

__all__ = [
    "BATCH_SIZE_RANGE",
    "BETA_RANGE",
    "EPOCHS_RANGE",
    "LR_MULTIPLIER_MAX_SENSIBLE",
    "METADATA_KEY_MAX",
    "METADATA_MAX_PAIRS",
    "METADATA_VALUE_MAX",
    "SEED_MAX",
    "SUFFIX_MAX",
    "FieldProblem",
    "check_create_request",
    "check_hyperparameters",
    "check_metadata",
    "check_seed",
    "check_suffix",
    "has_errors",
]

EPOCHS_RANGE = (1, 50)
BATCH_SIZE_RANGE = (1, 256)
LR_MULTIPLIER_MAX_SENSIBLE = 10.0
BETA_RANGE = (0.0, 2.0)  # greater than the first, at most the second
SUFFIX_MAX = 64
SEED_MAX = 2**31 - 1
METADATA_MAX_PAIRS = 16  # including the app's own client token
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512

_SUFFIX_ALLOWED = re.compile(r"[A-Za-z0-9_-]")
_METHODS = ("supervised", "dpo")

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A problem with one setting. ``field`` is the request's field name (e.g. ``"n_epochs"``)."""

    field: str
    message: str
    severity: Severity = "error"


def has_errors(problems: list[FieldProblem]) -> bool:
    """Whether any problem blocks the job (warnings do not).

    Args:
        problems: from the ``check_*`` functions.

    Returns:
        True when at least one problem is an error.
    """
    return any(problem.severity == "error" for problem in problems)


def check_suffix(text: str) -> str | None:
    """Check the name suffix of the model to be trained.

    Args:
        text: the suffix as typed; ``""`` means no suffix.

    Returns:
        A plain message saying what to change, or None when the suffix is fine.
    """
    if not text:
        return None
    if len(text) > SUFFIX_MAX:
        return f"The suffix is {len(text)} characters long; shorten it to {SUFFIX_MAX} or fewer."
    bad = sorted({char for char in text if not _SUFFIX_ALLOWED.fullmatch(char)})
    if bad:
        shown = ", ".join("a space" if char == " " else f"“{char}”" for char in bad)
        return f"The suffix may contain only letters (A–Z), digits, “-” and “_”. Remove {shown}."
    return None


def _whole_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_range(field: str, value: object, low: int, high: int, what: str) -> list[FieldProblem]:
    if value == "auto":
        return []
    if not _whole_number(value):
        return [FieldProblem(field, f"{what} must be a whole number from {low} to {high}.")]
    if not low <= value <= high:
        return [FieldProblem(field, f"{what} must be from {low} to {high}; {value} is outside.")]
    return []


def _real(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def check_hyperparameters(h: Hyperparameters, *, method: str) -> list[FieldProblem]:
    """Check training settings against the documented ranges.

    Args:
        h: the settings (``"auto"`` values are always fine).
        method: ``"supervised"`` or ``"dpo"``; beta belongs to DPO only.

    Returns:
        The problems found (empty when all is fine); a learning-rate multiplier above
        :data:`LR_MULTIPLIER_MAX_SENSIBLE` is only a warning.
    """
    problems = _check_range("n_epochs", h.n_epochs, *EPOCHS_RANGE, "The number of epochs")
    problems += _check_range("batch_size", h.batch_size, *BATCH_SIZE_RANGE, "The batch size")
    if h.learning_rate_multiplier != "auto":
        lr = _real(h.learning_rate_multiplier)
        if lr is None or lr <= 0:
            problems.append(
                FieldProblem(
                    "learning_rate_multiplier",
                    "The learning-rate multiplier must be a number above 0, for example 1 or 0.5.",
                )
            )
        elif lr > LR_MULTIPLIER_MAX_SENSIBLE:
            problems.append(
                FieldProblem(
                    "learning_rate_multiplier",
                    f"A learning-rate multiplier above {LR_MULTIPLIER_MAX_SENSIBLE:g} usually "
                    "spoils training. Values between 0.5 and 2 are common; consider “auto”.",
                    severity="warning",
                )
            )
    if h.beta is not None and h.beta != "auto":
        beta = _real(h.beta)
        low, high = BETA_RANGE
        if method != "dpo":
            problems.append(
                FieldProblem(
                    "beta", "Beta applies only to DPO training. Set it to “auto” or choose DPO."
                )
            )
        elif beta is None or not low < beta <= high:
            problems.append(
                FieldProblem(
                    "beta", f"Beta must be a number above {low:g} and at most {high:g}, e.g. 0.1."
                )
            )
    return problems


def check_seed(seed: int | None) -> str | None:
    """Check the random seed.

    Args:
        seed: the seed, or None to let the service choose.

    Returns:
        A plain message, or None when fine.
    """
    if seed is None:
        return None
    if not _whole_number(seed) or not 0 <= seed <= SEED_MAX:
        return f"The seed must be a whole number from 0 to {SEED_MAX:,}."
    return None


def check_metadata(metadata: Mapping[str, str]) -> list[FieldProblem]:
    """Check the user's labels (metadata) of a job.

    One of the :data:`METADATA_MAX_PAIRS` pairs is kept for the app's own client token, so the
    user may add one fewer (the token itself is not counted when present).

    Args:
        metadata: key/value labels.

    Returns:
        The problems found.
    """
    problems: list[FieldProblem] = []
    user = {k: v for k, v in metadata.items() if k != CLIENT_TOKEN_KEY}
    allowed = METADATA_MAX_PAIRS - 1
    if len(user) > allowed:
        problems.append(
            FieldProblem("metadata", f"Use at most {allowed} labels; remove {len(user) - allowed}.")
        )
    for key, value in user.items():
        if not key.strip():
            problems.append(FieldProblem("metadata", "Every label needs a name."))
        elif len(key) > METADATA_KEY_MAX:
            problems.append(
                FieldProblem(
                    "metadata",
                    f"The label name “{key[:20]}…” is too long; use {METADATA_KEY_MAX} "
                    "characters or fewer.",
                )
            )
        if len(value) > METADATA_VALUE_MAX:
            problems.append(
                FieldProblem(
                    "metadata",
                    f"The value of label “{key[:20]}” is too long; use {METADATA_VALUE_MAX} "
                    "characters or fewer.",
                )
            )
    return problems


def check_create_request(request: JobCreateRequest) -> list[FieldProblem]:
    """Check everything about a job before it is sent.

    Args:
        request: the job to create.

    Returns:
        The problems found, in field order (empty when the job can start).
    """
    problems: list[FieldProblem] = []
    if not request.model.strip():
        problems.append(FieldProblem("model", "Choose the base model to train."))
    if not request.training_file.strip():
        problems.append(FieldProblem("training_file", "Choose the training dataset."))
    if request.validation_file and request.validation_file == request.training_file:
        problems.append(
            FieldProblem(
                "validation_file",
                "The validation dataset is the same as the training dataset, so it cannot "
                "show over-fitting. Choose another file or split some examples off.",
                severity="warning",
            )
        )
    if request.method not in _METHODS:
        problems.append(FieldProblem("method", "Choose supervised or DPO training."))
    problems += check_hyperparameters(request.hyperparameters, method=request.method)
    suffix = check_suffix(request.suffix or "")
    if suffix is not None:
        problems.append(FieldProblem("suffix", suffix))
    seed = check_seed(request.seed)
    if seed is not None:
        problems.append(FieldProblem("seed", seed))
    problems += check_metadata(request.metadata)
    return problems
