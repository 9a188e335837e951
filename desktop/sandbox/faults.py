"""Failure injection: which faults are switched on, and the per-request decision.

``Faults`` is the public, plain settings object (tests assign ``emulator.faults = Faults(...)``).
``FaultGate`` turns the settings into a decision for each request; it keeps its own counters, so
the ``Faults`` object a test handed in is never mutated. When the settings change (a new object or
an edited field), the counters start again from the new values.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from desktop.sandbox.errors import ApiError

__all__ = ["ENV_PREFIX", "FaultGate", "Faults", "faults_from_env"]

ENV_PREFIX = "FINETUNE_SANDBOX_"


@dataclass
class Faults:
    """Failures the emulator injects; all off by default.

    Precedence for one request (first match wins): ``forbidden`` → ``insufficient_quota`` →
    ``rate_limit_first`` → ``server_error_first`` → ``rate_limit_share`` → ``server_error_share``.
    ``slow_seconds`` delays every answer. ``refuse_fine_tuning``, ``lose_job_create_responses``,
    ``cut_stream_after`` and ``drop_upload_parts_after`` act inside the endpoints they concern
    (``refuse_fine_tuning`` answers 403 ``fine_tuning_unavailable`` to job creation and to the
    job list).

    ``drop_upload_parts_after=N``: once an Upload has N stored parts, the next part request is
    read in full, not stored, and answered by closing the connection (a dropped connection
    mid-upload). It happens once per setting; later part requests are served normally. An SDK
    client with retries switched on sends the part again and never notices.

    ``cut_stream_model``: when set, ``cut_stream_after`` cuts only the streams of this model
    (or Azure deployment), so one column of a side-by-side comparison breaks and the others
    finish; None cuts every stream.

    Job faults, checked while serving (so switching them on or off affects existing jobs too,
    except ``fail_jobs_at_step``, which is fixed when a job is created):

    - ``unknown_job_status``: running jobs report this status (one the app does not know yet);
      answers then no longer match the spec's status list, which is the point.
    - ``fail_jobs_at_step=N``: jobs created while it is set fail at training step N with a
      server-side error (``error.code == "server_error"``) and an error event; jobs with fewer
      steps than N succeed.
    - ``forget_jobs``: every job answers 404 and the job list is empty (deleted remotely).
    - ``broken_result_files``: result files (purpose ``fine-tune-results``) download as an HTML
      error page instead of CSV.
    - ``ignore_metadata_filter`` / ``refuse_metadata_filter``: the job list ignores
      ``metadata[k]=v`` (lists every job), or answers 400 to it, like services whose API version
      does not know the filter.
    """

    rate_limit_first: int = 0
    rate_limit_share: float = 0.0
    retry_after: float = 1.0
    server_error_first: int = 0
    server_error_share: float = 0.0
    slow_seconds: float = 0.0
    cut_stream_after: int | None = None
    cut_stream_model: str | None = None
    refuse_fine_tuning: bool = False
    insufficient_quota: bool = False
    forbidden: bool = False
    lose_job_create_responses: int = 0
    drop_upload_parts_after: int | None = None
    unknown_job_status: str | None = None
    fail_jobs_at_step: int | None = None
    forget_jobs: bool = False
    broken_result_files: bool = False
    ignore_metadata_filter: bool = False
    refuse_metadata_filter: bool = False


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(name: str, raw: str, default: object, kind: object) -> object:
    text = raw.strip()
    try:
        if isinstance(default, bool):
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        # the optional fields: "int | None" (cut_stream_after...) or "str | None"
        if text.lower() in ("", "none"):
            return None
        return text if str(kind).startswith("str") else int(text)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid value") from None


def faults_from_env(environ: Mapping[str, str] | None = None) -> Faults:
    """Read faults from ``FINETUNE_SANDBOX_<FIELD_UPPER>`` variables.

    Args:
        environ: the variables to read; defaults to ``os.environ``.

    Returns:
        A ``Faults`` with every field that has a variable set, the rest at defaults.

    Raises:
        ValueError: a variable holds a value of the wrong kind.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in dataclasses.fields(Faults):
        raw = env.get(ENV_PREFIX + field.name.upper())
        if raw is not None:
            values[field.name] = _parse(field.name, raw, field.default, field.type)
    return Faults(**values)  # type: ignore[arg-type]


def _retry_headers(seconds: float) -> dict[str, str]:
    return {
        "retry-after": str(max(1, math.ceil(seconds))),
        "retry-after-ms": str(max(0, round(seconds * 1000))),
    }


class FaultGate:
    """Decides, per request, whether an injected fault answers instead. Thread-safe."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._loaded: Faults | None = None
        self._source: Faults | None = None
        self._rate_limits_left = 0
        self._server_errors_left = 0
        self._lost_creates_left = 0
        self._parts_stored: dict[str, int] = {}
        self._part_dropped = False
        self._rng = random.Random(seed)

    def reset(self) -> None:
        """Forget counters and restart the random sequence."""
        with self._lock:
            self._loaded = None
            self._source = None
            self._rng = random.Random(self._seed)

    def _sync(self, faults: Faults) -> None:
        if faults is self._source and faults == self._loaded:
            return
        self._source = faults
        self._loaded = dataclasses.replace(faults)
        self._rate_limits_left = faults.rate_limit_first
        self._server_errors_left = faults.server_error_first
        self._lost_creates_left = faults.lose_job_create_responses
        self._parts_stored = {}
        self._part_dropped = False

    def check(self, faults: Faults) -> ApiError | None:
        """The error to answer with instead of serving the request, or None.

        Args:
            faults: the current settings.

        Returns:
            An error for an injected fault, or None to serve normally.
        """
        with self._lock:
            self._sync(faults)
            if faults.forbidden:
                return ApiError(
                    403,
                    "You have insufficient permissions for this operation. "
                    "Ask your organization owner for access.",
                    code="permission_denied",
                )
            if faults.insufficient_quota:
                return ApiError(
                    429,
                    "You exceeded your current quota, please check your plan and billing "
                    "details. For more information on this error, read the docs: "
                    "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                    type_="insufficient_quota",
                    code="insufficient_quota",
                    # Retrying cannot help until someone adds credit.
                    headers={"x-should-retry": "false"},
                )
            if self._rate_limits_left > 0:
                self._rate_limits_left -= 1
                return self._rate_limited(faults)
            if self._server_errors_left > 0:
                self._server_errors_left -= 1
                return self._server_error()
            if faults.rate_limit_share > 0 and self._rng.random() < faults.rate_limit_share:
                return self._rate_limited(faults)
            if faults.server_error_share > 0 and self._rng.random() < faults.server_error_share:
                return self._server_error()
            return None

    def take_lost_create(self, faults: Faults) -> bool:
        """Whether this job creation's answer should be lost (consumes one if so)."""
        with self._lock:
            self._sync(faults)
            if self._lost_creates_left > 0:
                self._lost_creates_left -= 1
                return True
            return False

    def take_part_drop(self, faults: Faults, upload_id: str) -> bool:
        """Whether this part request for ``upload_id`` should be dropped (happens once)."""
        with self._lock:
            self._sync(faults)
            limit = faults.drop_upload_parts_after
            if limit is None or self._part_dropped:
                return False
            if self._parts_stored.get(upload_id, 0) < limit:
                return False
            self._part_dropped = True
            return True

    def count_stored_part(self, faults: Faults, upload_id: str) -> None:
        """Note that a part of ``upload_id`` was stored (for ``drop_upload_parts_after``)."""
        with self._lock:
            self._sync(faults)
            self._parts_stored[upload_id] = self._parts_stored.get(upload_id, 0) + 1

    @staticmethod
    def _rate_limited(faults: Faults) -> ApiError:
        wait = faults.retry_after
        return ApiError(
            429,
            "Rate limit reached for requests in organization org-demo on requests per min "
            f"(RPM): Limit 3, Used 3, Requested 1. Please try again in {wait:g}s.",
            type_="requests",
            code="rate_limit_exceeded",
            headers=_retry_headers(wait),
        )

    @staticmethod
    def _server_error() -> ApiError:
        return ApiError(
            500,
            "The server had an error while processing your request. Sorry about that!",
            type_="server_error",
        )
