"""Jobs, events and job requests as plain JSON-ready dicts, and back.

Used by the local record to keep these values in JSON columns. Reading is strict about
structure (a damaged record raises :class:`RecordFormatError`, which the store skips) and
lenient about optional fields (missing ones take their defaults), so records written by an
older version still load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from desktop.core.types import (
    FineTuneMethod,
    FineTuningJob,
    Hyperparameters,
    JobCreateRequest,
    JobError,
    JobEvent,
)

__all__ = [
    "RecordFormatError",
    "event_from_dict",
    "event_to_dict",
    "hyperparameters_from_dict",
    "hyperparameters_to_dict",
    "job_from_dict",
    "job_to_dict",
    "request_from_dict",
    "request_to_dict",
]


class RecordFormatError(ValueError):
    """A stored record does not have the expected shape (damaged or hand-edited)."""


def _str(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise RecordFormatError(f"field {key!r} must be text, not {type(value).__name__}")
    return value


def _opt_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def _int(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordFormatError(f"field {key!r} must be a whole number, not {value!r}")
    return value


def _opt_int(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _auto_int(value: object) -> int | Literal["auto"]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return "auto"


def _auto_float(value: object) -> float | Literal["auto"]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return "auto"


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RecordFormatError(f"expected an object, not {type(value).__name__}")
    return cast(Mapping[str, Any], value)


def hyperparameters_to_dict(h: Hyperparameters) -> dict[str, Any]:
    """Hyperparameters as a dict (``"auto"`` kept as the string)."""
    return {
        "n_epochs": h.n_epochs,
        "batch_size": h.batch_size,
        "learning_rate_multiplier": h.learning_rate_multiplier,
        "beta": h.beta,
    }


def hyperparameters_from_dict(raw: object) -> Hyperparameters:
    """Hyperparameters from :func:`hyperparameters_to_dict`; unreadable values become "auto"."""
    if not isinstance(raw, Mapping):
        return Hyperparameters()
    beta = raw.get("beta")
    return Hyperparameters(
        n_epochs=_auto_int(raw.get("n_epochs")),
        batch_size=_auto_int(raw.get("batch_size")),
        learning_rate_multiplier=_auto_float(raw.get("learning_rate_multiplier")),
        beta=None if beta is None else _auto_float(beta),
    )


def job_to_dict(job: FineTuningJob) -> dict[str, Any]:
    """A job as a JSON-ready dict."""
    return {
        "id": job.id,
        "model": job.model,
        "status": job.status,
        "created_at": job.created_at,
        "training_file": job.training_file,
        "validation_file": job.validation_file,
        "finished_at": job.finished_at,
        "fine_tuned_model": job.fine_tuned_model,
        "method": job.method,
        "hyperparameters": hyperparameters_to_dict(job.hyperparameters),
        "trained_tokens": job.trained_tokens,
        "error": None
        if job.error is None
        else {"code": job.error.code, "message": job.error.message, "param": job.error.param},
        "result_files": list(job.result_files),
        "seed": job.seed,
        "estimated_finish": job.estimated_finish,
        "suffix": job.suffix,
        "metadata": dict(job.metadata),
    }


def job_from_dict(raw: object) -> FineTuningJob:
    """A job from :func:`job_to_dict`.

    Raises:
        RecordFormatError: a required field is missing or has the wrong type.
    """
    data = _mapping(raw)
    error = data.get("error")
    job_error = None
    if isinstance(error, Mapping):
        job_error = JobError(
            code=str(error.get("code") or ""),
            message=str(error.get("message") or ""),
            param=_opt_str(error, "param"),
        )
    files = data.get("result_files")
    return FineTuningJob(
        id=_str(data, "id"),
        model=_str(data, "model"),
        status=_str(data, "status"),
        created_at=_int(data, "created_at"),
        training_file=_str(data, "training_file"),
        validation_file=_opt_str(data, "validation_file"),
        finished_at=_opt_int(data, "finished_at"),
        fine_tuned_model=_opt_str(data, "fine_tuned_model"),
        method=_opt_str(data, "method") or "supervised",
        hyperparameters=hyperparameters_from_dict(data.get("hyperparameters")),
        trained_tokens=_opt_int(data, "trained_tokens"),
        error=job_error,
        result_files=tuple(str(f) for f in files) if isinstance(files, list) else (),
        seed=_opt_int(data, "seed"),
        estimated_finish=_opt_int(data, "estimated_finish"),
        suffix=_opt_str(data, "suffix"),
        metadata=_str_map(data.get("metadata")),
    )


def event_to_dict(event: JobEvent) -> dict[str, Any]:
    """An event as a JSON-ready dict."""
    return {
        "id": event.id,
        "created_at": event.created_at,
        "level": event.level,
        "message": event.message,
        "type": event.type,
        "data": dict(event.data),
    }


def event_from_dict(raw: object) -> JobEvent:
    """An event from :func:`event_to_dict`.

    Raises:
        RecordFormatError: a required field is missing or has the wrong type.
    """
    data = _mapping(raw)
    extra = data.get("data")
    return JobEvent(
        id=_str(data, "id"),
        created_at=_int(data, "created_at"),
        level=_opt_str(data, "level") or "info",
        message=_opt_str(data, "message") or "",
        type=_opt_str(data, "type") or "message",
        data=dict(extra) if isinstance(extra, Mapping) else {},
    )


def request_to_dict(request: JobCreateRequest) -> dict[str, Any]:
    """A job creation request as a JSON-ready dict."""
    return {
        "model": request.model,
        "training_file": request.training_file,
        "validation_file": request.validation_file,
        "method": request.method,
        "hyperparameters": hyperparameters_to_dict(request.hyperparameters),
        "suffix": request.suffix,
        "seed": request.seed,
        "metadata": dict(request.metadata),
    }


def request_from_dict(raw: object) -> JobCreateRequest:
    """A job creation request from :func:`request_to_dict`.

    Raises:
        RecordFormatError: a required field is missing, has the wrong type, or the method
            is unknown.
    """
    data = _mapping(raw)
    method = _opt_str(data, "method") or "supervised"
    if method not in ("supervised", "dpo"):
        raise RecordFormatError(f"unknown method {method!r}")
    return JobCreateRequest(
        model=_str(data, "model"),
        training_file=_str(data, "training_file"),
        validation_file=_opt_str(data, "validation_file"),
        method=cast(FineTuneMethod, method),
        hyperparameters=hyperparameters_from_dict(data.get("hyperparameters")),
        suffix=_opt_str(data, "suffix"),
        seed=_opt_int(data, "seed"),
        metadata=_str_map(data.get("metadata")),
    )
