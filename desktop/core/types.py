"""Domain values exchanged between the API layer, storage and the UI.

Every type here is immutable. The API layer converts SDK objects into these, so nothing above
``desktop.api`` ever sees an SDK class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Literal, TypeVar

T = TypeVar("T")


class JobStatus(StrEnum):
    """Statuses the app knows. The service may send others; keep them as plain strings."""

    VALIDATING_FILES = "validating_files"
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})

FineTuneMethod = Literal["supervised", "dpo"]
ChatRole = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model as listed by a connection.

    ``shutdown_date`` is the day the model stops serving (None when unknown or not announced).
    """

    id: str
    created: int = 0
    owned_by: str = ""
    shutdown_date: dt.date | None = None

    @property
    def is_fine_tuned(self) -> bool:
        return self.id.startswith("ft:")

    @property
    def base_model(self) -> str | None:
        """For ``ft:<base>:<org>:<suffix>:<id>`` the base model id, else None."""
        if not self.is_fine_tuned:
            return None
        parts = self.id.split(":")
        return parts[1] if len(parts) > 1 else None

    def is_retired(self, today: dt.date) -> bool:
        return self.shutdown_date is not None and self.shutdown_date <= today

    def days_left(self, today: dt.date) -> int | None:
        if self.shutdown_date is None:
            return None
        return (self.shutdown_date - today).days


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A file stored on a connection (training data, results...)."""

    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Hyperparameters:
    """Training settings; ``"auto"`` lets the service choose."""

    n_epochs: int | Literal["auto"] = "auto"
    batch_size: int | Literal["auto"] = "auto"
    learning_rate_multiplier: float | Literal["auto"] = "auto"
    beta: float | Literal["auto"] | None = None  # DPO only


@dataclass(frozen=True, slots=True)
class JobError:
    code: str
    message: str
    param: str | None = None


@dataclass(frozen=True, slots=True)
class FineTuningJob:
    id: str
    model: str
    status: str
    created_at: int
    training_file: str
    validation_file: str | None = None
    finished_at: int | None = None
    fine_tuned_model: str | None = None
    method: str = "supervised"
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    trained_tokens: int | None = None
    error: JobError | None = None
    result_files: tuple[str, ...] = ()
    seed: int | None = None
    estimated_finish: int | None = None
    suffix: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


@dataclass(frozen=True, slots=True)
class JobCreateRequest:
    model: str
    training_file: str
    validation_file: str | None = None
    method: FineTuneMethod = "supervised"
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    suffix: str | None = None
    seed: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobEvent:
    id: str
    created_at: int
    level: str
    message: str
    type: str = "message"
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: str
    created_at: int
    fine_tuned_model_checkpoint: str
    step_number: int
    fine_tuning_job_id: str
    metrics: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list the service paginates; pass ``last_id`` as ``after`` for the next."""

    items: tuple[T, ...]
    has_more: bool

    @property
    def last_id(self) -> str | None:
        if not self.items:
            return None
        last = self.items[-1]
        return getattr(last, "id", None)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: ChatRole
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class ChatChunk:
    """A piece of a streamed reply. The last chunk of a stream may carry only ``usage``."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None
