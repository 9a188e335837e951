"""Endpoints for ``/fine_tuning/jobs`` and its sub-resources."""

from __future__ import annotations

import random
from re import Match
from typing import Any

from desktop.core import tokens
from desktop.sandbox.catalog import find_base_model, is_retired
from desktop.sandbox.context import (
    ApiRequest,
    DropConnection,
    JsonResponse,
    Response,
    Service,
    page_after,
    query_limit,
)
from desktop.sandbox.errors import ApiError, bad_request, not_found
from desktop.sandbox.job_views import job_events, job_object
from desktop.sandbox.jobs import BASE_DURATIONS, Job
from desktop.sandbox.state import FileRecord
from desktop.sandbox.training_data import check_training_file

__all__ = [
    "cancel_job",
    "create_job",
    "fine_tuned_base",
    "get_job",
    "job_checkpoints",
    "list_job_events",
    "list_jobs",
    "pause_job",
    "refresh_job",
    "resume_job",
]

_MAX_TOKENS_PER_EXAMPLE = 16385
_HYPER_KEYS = ("n_epochs", "batch_size", "learning_rate_multiplier", "beta")


def refresh_job(service: Service, job: Job) -> dict[str, Any]:
    """The job's JSON now, creating its result file the first time it is seen succeeded."""
    now = service.now()
    if job.result_file is None and job.status(now) == "succeeded":
        finished = job.finished_at(now) or now
        record = FileRecord(
            id=service.store.new_id("file-", 22),
            filename="step_metrics.csv",
            purpose="fine-tune-results",
            bytes=0,
            created_at=int(finished),
        )
        data = job.results_csv()
        record.bytes = len(data)
        job.result_file = record.id
        service.store.add_file(record, data)
    return job_object(job, now, running_status=service.faults().unknown_job_status)


def fine_tuned_base(service: Service, model_id: str) -> tuple[Job, int | None] | None:
    """The job behind a fine-tuned model or one of its checkpoints, if it is usable now.

    Returns:
        ``(job, checkpoint step or None)``, or None when no finished model has that name.
    """
    if not model_id.startswith("ft:"):
        return None
    now = service.now()
    for job in service.store.jobs.values():
        if job.model_deleted:
            continue
        if model_id == job.fine_tuned_model and job.status(now) == "succeeded":
            return job, None
        for checkpoint in job.checkpoints(now):
            if checkpoint.model == model_id:
                return job, checkpoint.step
    return None


def _job(service: Service, job_id: str) -> Job:
    job = None if service.faults().forget_jobs else service.store.jobs.get(job_id)
    if job is None:
        raise not_found(f"Could not find fine-tuning job {job_id}.", param="fine_tuning_job_id")
    return job


def _hyperparameters(body: dict[str, object]) -> tuple[str, dict[str, Any]]:
    method = body.get("method")
    hyper: object = body.get("hyperparameters") or {}
    kind = "supervised"
    if method is not None:
        if not isinstance(method, dict) or method.get("type") not in ("supervised", "dpo"):
            raise bad_request(
                "method.type must be 'supervised' or 'dpo' for this model.", param="method.type"
            )
        kind = str(method["type"])
        section = method.get(kind) or {}
        hyper = section.get("hyperparameters", hyper) if isinstance(section, dict) else hyper
    if not isinstance(hyper, dict):
        raise bad_request("hyperparameters must be an object.", param="hyperparameters")
    checked: dict[str, Any] = {}
    limits = {"n_epochs": (1, 50), "batch_size": (1, 256)}
    for key in _HYPER_KEYS:
        value = hyper.get(key, "auto")
        if value == "auto":
            checked[key] = "auto"
            continue
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and key in limits:
            low, high = limits[key]
            ok = isinstance(value, int) and low <= value <= high
        elif ok:
            ok = value > 0 and (key != "beta" or value <= 2)
        if not ok:
            raise bad_request(
                f"Invalid value for {key}: {value!r}.", param=f"hyperparameters.{key}"
            )
        checked[key] = value
    if kind != "dpo":
        checked.pop("beta")
    return kind, checked


def _resolve_model(service: Service, model: object) -> tuple[str, str]:
    """``(model as the job records it, base snapshot)``; raises 400 when not fine-tunable."""
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    tuned = fine_tuned_base(service, model)
    if tuned is not None:
        return model, tuned[0].base_model
    base = find_base_model(model)
    if base is None or not base.fine_tunable:
        raise ApiError(
            400,
            f"Model {model} is not available for fine-tuning or does not exist.",
            param="model",
            code="model_not_available",
        )
    snapshot = find_base_model(base.resolved) or base
    if is_retired(snapshot.shutdown_date):
        raise ApiError(
            400,
            f"Model {model} was retired on {snapshot.shutdown_date} and can no longer be "
            "fine-tuned. See https://platform.openai.com/docs/deprecations",
            param="model",
            code="model_not_available",
        )
    return snapshot.id, snapshot.id


def _training_input(service: Service, file_id: object, param: str) -> FileRecord:
    if not isinstance(file_id, str) or not file_id:
        raise bad_request(f"Missing required parameter: '{param}'.", param=param)
    record = service.store.files.get(file_id)
    if record is None or record.deleted:
        raise bad_request(f"invalid {param}: {file_id}", param=param)
    if record.purpose != "fine-tune":
        raise bad_request(
            f"File {file_id} has purpose '{record.purpose}', but fine-tuning needs purpose "
            "'fine-tune'.",
            param=param,
        )
    return record


def _fine_tuning_refused() -> ApiError:
    return ApiError(
        403,
        "Fine-tuning is not available to this organization. OpenAI is winding down its "
        "self-serve fine-tuning platform and no longer accepts new training jobs from "
        "this organization.",
        code="fine_tuning_unavailable",
    )


def create_job(service: Service, request: ApiRequest, _: Match[str]) -> Response:
    """``POST /fine_tuning/jobs``: checks the request, then starts a simulated job."""
    faults = service.faults()
    if faults.refuse_fine_tuning:
        raise _fine_tuning_refused()
    body = request.json()
    model, base = _resolve_model(service, body.get("model"))
    training = _training_input(service, body.get("training_file"), "training_file")
    validation = None
    if body.get("validation_file") is not None:
        validation = _training_input(service, body.get("validation_file"), "validation_file")
    suffix = body.get("suffix")
    if suffix is not None and (not isinstance(suffix, str) or not 1 <= len(suffix) <= 64):
        raise bad_request(
            "suffix must be a string of 1 to 64 characters.", param="suffix", code="invalid_suffix"
        )
    metadata = body.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and len(metadata) <= 16
        and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise bad_request("metadata must map up to 16 strings to strings.", param="metadata")
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise bad_request("seed must be an integer.", param="seed")
    kind, hyper = _hyperparameters(body)
    job_id = service.store.new_id("ftjob-", 24)
    error, n_examples, tokens_per_epoch = _validate_files(training, validation, kind, base, service)
    job = Job(
        id=job_id,
        created_at=service.now(),
        model=model,
        base_model=base,
        training_file=training.id,
        validation_file=validation.id if validation else None,
        suffix=suffix,
        seed=seed if isinstance(seed, int) else random.Random(job_id).randrange(2**31),
        metadata=metadata,
        method=kind,
        hyperparameters=hyper,
        n_examples=n_examples,
        tokens_per_epoch=tokens_per_epoch,
        error=error,
        durations=[d * service.time_scale for d in BASE_DURATIONS],
        fail_at_step=faults.fail_jobs_at_step,
    )
    service.store.jobs[job.id] = job
    service.store.save()
    if service.gate.take_lost_create(faults):
        return DropConnection()
    return JsonResponse(job_object(job, service.now()))


def _validate_files(
    training: FileRecord, validation: FileRecord | None, kind: str, base: str, service: Service
) -> tuple[dict[str, Any] | None, int, int]:
    encoding = tokens.encoding_name_for_model(base)
    check = check_training_file(service.store.blobs[training.id], method=kind)
    if check.error is not None:
        message = f"The job failed due to an invalid training file. {check.error}"
        return {"code": "invalid_training_file", "message": message, "param": "training_file"}, 0, 0
    if validation is not None:
        checked = check_training_file(
            service.store.blobs[validation.id], method=kind, min_examples=1
        )
        if checked.error is not None:
            message = f"The job failed due to an invalid validation file. {checked.error}"
            return (
                {"code": "invalid_validation_file", "message": message, "param": "validation_file"},
                0,
                0,
            )
    per_epoch = sum(
        min(_MAX_TOKENS_PER_EXAMPLE, tokens.count_chat_tokens(example.messages, encoding))
        for example in check.examples
    )
    return None, len(check.examples), per_epoch


def list_jobs(service: Service, request: ApiRequest, _: Match[str]) -> JsonResponse:
    """``GET /fine_tuning/jobs``: newest first, ``after``/``limit``, ``metadata[k]=v`` filter.

    Refused (403) under ``refuse_fine_tuning``, like creation: an organization that lost access
    to the fine-tuning platform; existing jobs can still be retrieved one by one.
    """
    if service.faults().refuse_fine_tuning:
        raise _fine_tuning_refused()
    limit = query_limit(request, default=20, maximum=100)
    wanted = {
        key[len("metadata[") : -1]: value
        for key, value in request.query.items()
        if key.startswith("metadata[") and key.endswith("]")
    }
    faults = service.faults()
    if wanted and faults.refuse_metadata_filter:
        raise bad_request(
            f"Unrecognized query parameter: 'metadata[{next(iter(wanted))}]'.", param="metadata"
        )
    if faults.ignore_metadata_filter:
        wanted = {}
    no_metadata = request.query.get("metadata") == "null"
    known = {} if service.faults().forget_jobs else service.store.jobs
    jobs = [
        job
        for job in reversed(known.values())
        if all((job.metadata or {}).get(k) == v for k, v in wanted.items())
        and (not no_metadata or not job.metadata)
    ]
    ids, has_more = page_after([job.id for job in jobs], request.query.get("after"), limit)
    data = [refresh_job(service, service.store.jobs[i]) for i in ids]
    return JsonResponse({"object": "list", "data": data, "has_more": has_more})


def get_job(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``GET /fine_tuning/jobs/{id}``."""
    return JsonResponse(refresh_job(service, _job(service, match["id"])))


def _note(service: Service, job: Job, message: str) -> None:
    now = service.now()
    job.notes.append({"job_time": job.job_time(now), "sim": now, "message": message})


def cancel_job(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``POST /fine_tuning/jobs/{id}/cancel``: only while the job has not finished."""
    job = _job(service, match["id"])
    now = service.now()
    status = job.status(now)
    if status in ("succeeded", "failed", "cancelled"):
        raise bad_request(f"Job {job.id} has already {status} and cannot be cancelled.")
    elapsed = job.job_time(now)
    if job.pauses and job.pauses[-1][2] is None:
        job.pauses[-1][2] = now
    job.cancelled_at = [elapsed, now]
    _note(service, job, "Fine-tuning job cancelled")
    service.store.save()
    return JsonResponse(refresh_job(service, job))


def pause_job(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``POST /fine_tuning/jobs/{id}/pause``: only while running."""
    job = _job(service, match["id"])
    now = service.now()
    status = job.status(now)
    if status != "running":
        raise bad_request(f"Only running jobs can be paused; job {job.id} is {status}.")
    job.pauses.append([job.job_time(now), now, None])
    _note(service, job, "Fine-tuning job paused")
    service.store.save()
    return JsonResponse(refresh_job(service, job))


def resume_job(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``POST /fine_tuning/jobs/{id}/resume``: only while paused."""
    job = _job(service, match["id"])
    now = service.now()
    status = job.status(now)
    if status != "paused":
        raise bad_request(f"Only paused jobs can be resumed; job {job.id} is {status}.")
    job.pauses[-1][2] = now
    _note(service, job, "Fine-tuning job resumed")
    service.store.save()
    return JsonResponse(refresh_job(service, job))


def list_job_events(service: Service, request: ApiRequest, match: Match[str]) -> JsonResponse:
    """``GET /fine_tuning/jobs/{id}/events``: newest first, ``after``/``limit``."""
    job = _job(service, match["id"])
    limit = query_limit(request, default=20, maximum=1000)
    refresh_job(service, job)
    events = job_events(job, service.now())
    by_id = {event["id"]: event for event in events}
    ids, has_more = page_after(list(by_id), request.query.get("after"), limit)
    return JsonResponse({"object": "list", "data": [by_id[i] for i in ids], "has_more": has_more})


def job_checkpoints(service: Service, request: ApiRequest, match: Match[str]) -> JsonResponse:
    """``GET /fine_tuning/jobs/{id}/checkpoints``: newest first, ``after``/``limit``."""
    job = _job(service, match["id"])
    limit = query_limit(request, default=10, maximum=100)
    checkpoints = {c.id: c for c in job.checkpoints(service.now())}
    ids, has_more = page_after(list(checkpoints), request.query.get("after"), limit)
    data = [
        {
            "object": "fine_tuning.job.checkpoint",
            "id": c.id,
            "created_at": int(c.created_at),
            "fine_tuned_model_checkpoint": c.model,
            "step_number": c.step,
            "metrics": c.metrics.as_data(),
            "fine_tuning_job_id": job.id,
        }
        for c in (checkpoints[i] for i in ids)
    ]
    return JsonResponse(
        {
            "object": "list",
            "data": data,
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
            "has_more": has_more,
        }
    )
