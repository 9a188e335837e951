"""Endpoints for ``/models``, and looking a model up for chat."""

from __future__ import annotations

from dataclasses import dataclass
from re import Match

from desktop.sandbox.catalog import (
    ORGANIZATION_NAME,
    base_models,
    find_base_model,
    is_retired,
    model_object,
)
from desktop.sandbox.context import ApiRequest, JsonResponse, Service
from desktop.sandbox.errors import ApiError, bad_request, not_found
from desktop.sandbox.jobs import Job
from desktop.sandbox.jobs_api import fine_tuned_base, refresh_job

__all__ = ["ChatModel", "delete_model", "get_model", "list_models", "resolve_chat_model"]

_DEPRECATIONS = "https://platform.openai.com/docs/deprecations"


@dataclass(frozen=True, slots=True)
class ChatModel:
    """A model that can answer chat: its base snapshot and, if fine-tuned, its job."""

    id: str
    base: str
    job: Job | None


def _shutdown_of(base_id: str) -> str | None:
    base = find_base_model(base_id)
    return base.shutdown_date if base else None


def _fine_tuned_models(service: Service) -> list[dict[str, object]]:
    models = []
    for job in service.store.jobs.values():
        refresh_job(service, job)
        finished = job.finished_at(service.now())
        if job.status(service.now()) == "succeeded" and not job.model_deleted:
            models.append(
                model_object(
                    job.fine_tuned_model,
                    created=int(finished or job.created_at),
                    owned_by=ORGANIZATION_NAME,
                    shutdown_date=_shutdown_of(job.base_model),
                )
            )
    return models


def list_models(service: Service, _: ApiRequest, __: Match[str]) -> JsonResponse:
    """``GET /models``: base models, then every fine-tuned model (no checkpoints, as OpenAI)."""
    data = [
        model_object(m.id, created=m.created, owned_by=m.owned_by, shutdown_date=m.shutdown_date)
        for m in base_models()
    ]
    return JsonResponse({"object": "list", "data": data + _fine_tuned_models(service)})


def _unknown_model(model_id: str) -> ApiError:
    return not_found(
        f"The model `{model_id}` does not exist or you do not have access to it.",
        param="model",
        code="model_not_found",
    )


def get_model(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``GET /models/{model}``."""
    model_id = match["id"]
    base = find_base_model(model_id)
    if base is not None:
        return JsonResponse(
            model_object(
                base.id,
                created=base.created,
                owned_by=base.owned_by,
                shutdown_date=base.shutdown_date,
            )
        )
    for model in _fine_tuned_models(service):
        if model["id"] == model_id:
            return JsonResponse(model)
    raise _unknown_model(model_id)


def delete_model(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``DELETE /models/{model}``: only fine-tuned models can be deleted."""
    model_id = match["id"]
    tuned = fine_tuned_base(service, model_id)
    if tuned is None or tuned[1] is not None:
        if find_base_model(model_id) is not None:
            raise ApiError(403, "You cannot delete a base model.", param="model")
        raise _unknown_model(model_id)
    tuned[0].model_deleted = True
    service.store.save()
    return JsonResponse({"id": model_id, "object": "model", "deleted": True})


def resolve_chat_model(service: Service, model_id: object) -> ChatModel:
    """The model a chat request names, if it can chat.

    Raises:
        ApiError: 400 without a model; 404 ``model_not_found`` for unknown, retired or non-chat
            models (OpenAI's answers).
    """
    if not isinstance(model_id, str) or not model_id:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    tuned = fine_tuned_base(service, model_id)
    if tuned is not None:
        base_id = tuned[0].base_model
        job: Job | None = tuned[0]
    else:
        base = find_base_model(model_id)
        if base is None:
            raise _unknown_model(model_id)
        if not base.chat:
            raise not_found(
                "This is not a chat model and thus not supported in the v1/chat/completions "
                "endpoint. Did you mean to use v1/completions?",
                param="model",
            )
        base_id, job = base.resolved, None
    shutdown = _shutdown_of(base_id)
    if is_retired(shutdown):
        raise not_found(
            f"The model `{model_id}` has been deprecated, learn more here: {_DEPRECATIONS}",
            param="model",
            code="model_not_found",
        )
    return ChatModel(model_id, base_id, job)
