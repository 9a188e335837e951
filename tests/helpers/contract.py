"""Check the emulator's answers against OpenAI's published OpenAPI spec.

``check_exchanges(emulator.requests)`` finds, for each recorded API request with a JSON answer,
the spec operation for its method and path, takes the response schema for its status (error
statuses the spec does not list use ``ErrorResponse``) and validates the body with JSON Schema
Draft 2020-12. Each streamed chat chunk is validated against
``CreateChatCompletionStreamResponse``. Azure-style paths (``/openai/...``,
``/openai/deployments/<name>/...``) are checked against the same operations.

Deliberate deviations from the spec, all applied in ``_patched_spec`` and nowhere else:

1. ``nullable: true``: the spec is OpenAPI 3.1, yet still carries 3.0's ``nullable`` keyword,
   which JSON Schema ignores (so e.g. a stream chunk's ``finish_reason: null`` would fail). We
   read it as 3.0 meant it: the value may also be null.
2. ``FineTuningJob.status`` lacks ``paused``, although the spec has ``/pause`` and ``/resume``
   operations. The real service reports ``paused``; the checker allows it.
3. ``ListFilesResponse.first_id``/``last_id`` are typed as required strings, but an empty list
   has no first or last file; the emulator sends null there (as the checkpoints list schema
   allows), and the checker allows it.
4. ``exclusiveMinimum: true`` next to ``minimum: 0`` is also OpenAPI 3.0 style; in JSON Schema
   2020-12 ``true`` would mean "greater than 1" (a bool is an int), rejecting e.g. ``beta: 0.2``.
   We read it as 3.0 meant it: ``exclusiveMinimum: <minimum>``.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from desktop.sandbox import RecordedRequest

__all__ = ["SPEC_PATH", "check_exchanges", "validate_schema"]

SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "openai" / "openapi.yaml"
_SPEC_URI = "urn:openai:openapi"
_STREAM_SCHEMA = "CreateChatCompletionStreamResponse"
_ERROR_SCHEMA = "ErrorResponse"
_DEPLOYMENT = re.compile(r"^/openai/deployments/[^/]+(?P<rest>/.*)$")


def _from_openapi_30(node: Any) -> Any:
    """Deviations 1 and 4: read OpenAPI 3.0 keywords left in the spec as 3.0 meant them."""
    if isinstance(node, list):
        return [_from_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _from_openapi_30(value) for key, value in node.items()}
    if converted.get("exclusiveMinimum") is True and "minimum" in converted:
        converted["exclusiveMinimum"] = converted.pop("minimum")
    if converted.pop("nullable", False) is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _patched_spec(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    # Deviation 2: the documented "paused" status.
    schemas["FineTuningJob"]["properties"]["status"]["enum"].append("paused")
    # Deviation 3: empty file lists have no first/last id.
    for key in ("first_id", "last_id"):
        schemas["ListFilesResponse"]["properties"][key] = {
            "anyOf": [{"type": "string"}, {"type": "null"}]
        }
    return cast(dict[str, Any], _from_openapi_30(spec))


@functools.cache
def _spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return _patched_spec(cast(dict[str, Any], yaml.safe_load(handle)))


@functools.cache
def _registry() -> Registry:
    registry: Registry = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(_spec()))
    return registry


@functools.cache
def _validator(pointer: str) -> Draft202012Validator:
    schema = {"$ref": f"{_SPEC_URI}{pointer}"}
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate_schema(instance: object, pointer: str) -> list[str]:
    """Problems of ``instance`` against the spec schema at ``pointer`` (``#/components/...``).

    Args:
        instance: parsed JSON.
        pointer: JSON pointer into the spec, e.g. ``#/components/schemas/Model``.

    Returns:
        One readable line per violation (empty when valid).
    """
    errors = sorted(_validator(pointer).iter_errors(instance), key=lambda e: list(e.path))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message[:300]}"
        for error in errors
    ]


@functools.cache
def _operations() -> list[tuple[str, re.Pattern[str], str]]:
    operations = []
    for template, item in _spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), pattern, template))
    return operations


def _api_path(path: str) -> str | None:
    deployment = _DEPLOYMENT.match(path)
    if deployment:
        return deployment["rest"]
    for prefix in ("/v1", "/openai"):
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return None


def _find_operation(method: str, api_path: str) -> str | None:
    for op_method, pattern, template in _operations():
        if op_method == method and pattern.match(api_path):
            return template
    return None


def _response_pointer(template: str, method: str, status: int, media: str) -> str | None:
    responses: Mapping[str, Any] = _spec()["paths"][template][method.lower()]["responses"]
    pointer = f"#/paths/{template.replace('~', '~0').replace('/', '~1')}/{method.lower()}"
    key = str(status) if str(status) in responses else "default" if "default" in responses else None
    if key is None:
        return None
    response = responses[key]
    base = f"{pointer}/responses/{key}"
    if "$ref" in response:
        base = response["$ref"]
        response = _resolve(base)
    if media not in response.get("content", {}):
        return None
    return f"{base}/content/{media.replace('/', '~1')}/schema"


def _resolve(pointer: str) -> Any:
    node: Any = _spec()
    for part in pointer.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _check_one(record: RecordedRequest) -> list[str]:
    api_path = _api_path(record.path)
    where = f"{record.method} {record.path} -> {record.status}"
    if record.response_json is None and not record.stream_events:
        return []  # raw bytes, or a deliberately dropped answer
    if api_path is None or record.status >= 400:
        if record.response_json is None:
            return [f"{where}: an error without a JSON body"]
        template = _find_operation(record.method, api_path) if api_path else None
        pointer = None
        if template is not None:
            pointer = _response_pointer(template, record.method, record.status, "application/json")
        pointer = pointer or f"#/components/schemas/{_ERROR_SCHEMA}"
        return [f"{where}: {p}" for p in validate_schema(record.response_json, pointer)]
    template = _find_operation(record.method, api_path)
    if template is None:
        return [f"{where}: no operation in the spec serves this method and path"]
    problems: list[str] = []
    if record.stream_events:
        for index, event in enumerate(record.stream_events):
            schema = f"#/components/schemas/{_STREAM_SCHEMA}"
            problems += [f"{where} chunk {index}: {p}" for p in validate_schema(event, schema)]
        return problems
    pointer = _response_pointer(template, record.method, record.status, "application/json")
    if pointer is None:
        return [f"{where}: the spec lists no JSON answer for status {record.status}"]
    return [f"{where}: {p}" for p in validate_schema(record.response_json, pointer)]


def check_exchanges(requests: Iterable[RecordedRequest]) -> list[str]:
    """Every way the recorded answers break OpenAI's spec.

    Args:
        requests: the emulator's request log.

    Returns:
        Readable problem lines; empty when every answer conforms.
    """
    problems: list[str] = []
    for record in requests:
        problems += _check_one(record)
    return problems
