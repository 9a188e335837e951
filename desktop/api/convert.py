"""Convert SDK response models into ``desktop.core.types`` values (and requests the other way).

Reads attributes defensively (``getattr`` with defaults): compatible servers and the SDK's
non-validating construction can leave fields missing or give unknown values (a job status the
SDK's ``Literal`` does not list passes through as a plain string).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from desktop.core.types import (
    ChatChunk,
    ChatMessage,
    Checkpoint,
    FineTuningJob,
    Hyperparameters,
    JobCreateRequest,
    JobError,
    JobEvent,
    ModelInfo,
    RemoteFile,
    Usage,
)

if TYPE_CHECKING:
    from openai.types import FileObject, Model
    from openai.types.chat import ChatCompletionChunk
    from openai.types.fine_tuning import FineTuningJob as SdkJob
    from openai.types.fine_tuning import FineTuningJobEvent
    from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint


def _field(obj: Any, name: str, default: Any = None) -> Any:
    """A declared attribute, else a field the server sent that the SDK does not declare."""
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None) or {}
        value = extra.get(name) if isinstance(extra, Mapping) else None
    return default if value is None else value


def parse_shutdown_date(value: object) -> dt.date | None:
    """``"2027-01-14"``, an ISO date-time, or a Unix timestamp → a date; anything else → None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def model_info(model: Model) -> ModelInfo:
    return ModelInfo(
        id=str(model.id),
        created=int(_field(model, "created", 0)),
        owned_by=str(_field(model, "owned_by", "")),
        shutdown_date=parse_shutdown_date(_field(model, "shutdown_date")),
    )


def remote_file(file: FileObject) -> RemoteFile:
    status = _field(file, "status")
    return RemoteFile(
        id=str(file.id),
        filename=str(_field(file, "filename", "")),
        purpose=str(_field(file, "purpose", "")),
        bytes=int(_field(file, "bytes", 0)),
        created_at=int(_field(file, "created_at", 0)),
        status=str(status) if status is not None else None,
    )


def _auto_int(value: object) -> int | Literal["auto"]:
    return value if isinstance(value, int) and not isinstance(value, bool) else "auto"


def _auto_float(value: object) -> float | Literal["auto"]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return "auto"


def _hyperparameters(job: SdkJob, method_type: str) -> Hyperparameters:
    method = _field(job, "method")
    source: Any = None
    if method is not None:
        source = _field(_field(method, method_type), "hyperparameters")
    if source is None:
        source = _field(job, "hyperparameters")
    if source is None:
        return Hyperparameters()
    beta = _field(source, "beta")
    return Hyperparameters(
        n_epochs=_auto_int(_field(source, "n_epochs")),
        batch_size=_auto_int(_field(source, "batch_size")),
        learning_rate_multiplier=_auto_float(_field(source, "learning_rate_multiplier")),
        beta=None if beta is None and method_type != "dpo" else _auto_float(beta),
    )


def _suffix(job: SdkJob) -> str | None:
    explicit = _field(job, "suffix")
    if isinstance(explicit, str):
        return explicit or None
    name = _field(job, "fine_tuned_model")
    if isinstance(name, str) and name.startswith("ft:"):
        parts = name.split(":")
        if len(parts) == 5 and parts[3]:
            return parts[3]
    return None


def fine_tuning_job(job: SdkJob) -> FineTuningJob:
    method_type = str(_field(_field(job, "method"), "type", "supervised"))
    error = _field(job, "error")
    job_error = None
    if error is not None and (_field(error, "code") or _field(error, "message")):
        job_error = JobError(
            code=str(_field(error, "code", "")),
            message=str(_field(error, "message", "")),
            param=_field(error, "param"),
        )
    metadata = _field(job, "metadata", {})
    return FineTuningJob(
        id=str(job.id),
        model=str(_field(job, "model", "")),
        status=str(_field(job, "status", "")),
        created_at=int(_field(job, "created_at", 0)),
        training_file=str(_field(job, "training_file", "")),
        validation_file=_field(job, "validation_file"),
        finished_at=_field(job, "finished_at"),
        fine_tuned_model=_field(job, "fine_tuned_model"),
        method=method_type,
        hyperparameters=_hyperparameters(job, method_type),
        trained_tokens=_field(job, "trained_tokens"),
        error=job_error,
        result_files=tuple(str(f) for f in _field(job, "result_files", ())),
        seed=_field(job, "seed"),
        estimated_finish=_field(job, "estimated_finish"),
        suffix=_suffix(job),
        metadata={str(k): str(v) for k, v in dict(metadata).items()},
    )


def job_event(event: FineTuningJobEvent) -> JobEvent:
    data = _field(event, "data", {})
    return JobEvent(
        id=str(event.id),
        created_at=int(_field(event, "created_at", 0)),
        level=str(_field(event, "level", "info")),
        message=str(_field(event, "message", "")),
        type=str(_field(event, "type", "message")),
        data=dict(data) if isinstance(data, Mapping) else {},
    )


def checkpoint(item: FineTuningJobCheckpoint) -> Checkpoint:
    metrics = _field(item, "metrics")
    values: dict[str, float] = {}
    if metrics is not None:
        raw = metrics.model_dump() if hasattr(metrics, "model_dump") else dict(metrics)
        values = {
            str(k): float(v)
            for k, v in raw.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    return Checkpoint(
        id=str(item.id),
        created_at=int(_field(item, "created_at", 0)),
        fine_tuned_model_checkpoint=str(_field(item, "fine_tuned_model_checkpoint", "")),
        step_number=int(_field(item, "step_number", 0)),
        fine_tuning_job_id=str(_field(item, "fine_tuning_job_id", "")),
        metrics=values,
    )


def method_param(request: JobCreateRequest) -> dict[str, Any]:
    """The ``method`` body of a job: ``{"type": t, t: {"hyperparameters": {...}}}``.

    Only values the user set are sent; ``"auto"`` ones are left for the service to choose.
    """
    hp = request.hyperparameters
    chosen: dict[str, object] = {}
    if hp.n_epochs != "auto":
        chosen["n_epochs"] = hp.n_epochs
    if hp.batch_size != "auto":
        chosen["batch_size"] = hp.batch_size
    if hp.learning_rate_multiplier != "auto":
        chosen["learning_rate_multiplier"] = hp.learning_rate_multiplier
    if request.method == "dpo" and hp.beta not in (None, "auto"):
        chosen["beta"] = hp.beta
    method: dict[str, Any] = {"type": request.method}
    if chosen:
        method[request.method] = {"hyperparameters": chosen}
    return method


def chat_chunks(chunk: ChatCompletionChunk) -> list[ChatChunk]:
    """The app's chunks for one SDK chunk (none for a role-only opening chunk)."""
    found: list[ChatChunk] = []
    for choice in _field(chunk, "choices", ()) or ():
        delta = _field(choice, "delta")
        text = _field(delta, "content", "") if delta is not None else ""
        finish = _field(choice, "finish_reason")
        if text or finish:
            found.append(ChatChunk(text=str(text), finish_reason=finish))
        break  # we ask for one choice (n=1)
    usage = _field(chunk, "usage")
    if usage is not None:
        found.append(
            ChatChunk(
                usage=Usage(
                    prompt_tokens=int(_field(usage, "prompt_tokens", 0)),
                    completion_tokens=int(_field(usage, "completion_tokens", 0)),
                )
            )
        )
    return found


def chat_messages(messages: tuple[ChatMessage, ...]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


__all__ = [
    "chat_chunks",
    "chat_messages",
    "checkpoint",
    "fine_tuning_job",
    "job_event",
    "method_param",
    "model_info",
    "parse_shutdown_date",
    "remote_file",
]
