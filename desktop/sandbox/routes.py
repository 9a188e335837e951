"""The route table: which handler serves which method and API path.

Paths arrive in three spellings and are mapped onto one: OpenAI's ``/v1/<path>``, Azure's
``/openai/<path>`` and Azure's ``/openai/deployments/<deployment>/<path>`` (the deployment
names the model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from desktop.sandbox import chat, files_api, jobs_api, models_api
from desktop.sandbox.context import Handler

__all__ = ["ApiPath", "find_route", "split_api_path"]

_ID = r"(?P<id>[^/]+)"
_ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = tuple(
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in (
        ("GET", "/models", models_api.list_models),
        ("GET", f"/models/{_ID}", models_api.get_model),
        ("DELETE", f"/models/{_ID}", models_api.delete_model),
        ("POST", "/files", files_api.create_file),
        ("GET", "/files", files_api.list_files),
        ("GET", f"/files/{_ID}", files_api.get_file),
        ("DELETE", f"/files/{_ID}", files_api.delete_file),
        ("GET", f"/files/{_ID}/content", files_api.file_content),
        ("POST", "/uploads", files_api.create_upload),
        ("POST", f"/uploads/{_ID}/parts", files_api.add_upload_part),
        ("POST", f"/uploads/{_ID}/complete", files_api.complete_upload),
        ("POST", f"/uploads/{_ID}/cancel", files_api.cancel_upload),
        ("POST", "/fine_tuning/jobs", jobs_api.create_job),
        ("GET", "/fine_tuning/jobs", jobs_api.list_jobs),
        ("GET", f"/fine_tuning/jobs/{_ID}", jobs_api.get_job),
        ("POST", f"/fine_tuning/jobs/{_ID}/cancel", jobs_api.cancel_job),
        ("POST", f"/fine_tuning/jobs/{_ID}/pause", jobs_api.pause_job),
        ("POST", f"/fine_tuning/jobs/{_ID}/resume", jobs_api.resume_job),
        ("GET", f"/fine_tuning/jobs/{_ID}/events", jobs_api.list_job_events),
        ("GET", f"/fine_tuning/jobs/{_ID}/checkpoints", jobs_api.job_checkpoints),
        ("POST", "/chat/completions", chat.create_chat_completion),
    )
)
_DEPLOYMENT = re.compile(r"^/openai/deployments/(?P<name>[^/]+)(?P<rest>/.*)$")


@dataclass(frozen=True, slots=True)
class ApiPath:
    """An API path relative to the API root, and the Azure deployment if one was named."""

    path: str
    deployment: str | None = None


def split_api_path(raw_path: str) -> ApiPath | None:
    """Map a request path onto the API, or None when it is not an API path.

    Args:
        raw_path: the URL path without the query string.

    Returns:
        The API path (``/files``...) and deployment, or None.
    """
    deployment = _DEPLOYMENT.match(raw_path)
    if deployment:
        return ApiPath(deployment["rest"], unquote(deployment["name"]))
    for prefix in ("/v1", "/openai"):
        if raw_path == prefix or raw_path.startswith(prefix + "/"):
            return ApiPath(raw_path[len(prefix) :] or "/")
    return None


def find_route(method: str, path: str) -> tuple[Handler, re.Match[str]] | None:
    """The handler for ``method`` and API ``path``, with the path's match (ids unquoted later).

    Args:
        method: HTTP method.
        path: API path, e.g. ``/files/file-abc``.

    Returns:
        Handler and match, or None when nothing serves that path and method.
    """
    for route_method, pattern, handler in _ROUTES:
        if route_method != method:
            continue
        match = pattern.match(unquote(path)) if "%" in path else pattern.match(path)
        if match:
            return handler, match
    return None
