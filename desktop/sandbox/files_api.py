"""Endpoints for ``/files`` and ``/uploads``."""

from __future__ import annotations

import hashlib
from re import Match

from desktop.sandbox.context import (
    ApiRequest,
    BytesResponse,
    DropConnection,
    JsonResponse,
    Service,
    page_after,
    query_limit,
)
from desktop.sandbox.errors import bad_request, not_found
from desktop.sandbox.multipart import FormPart, MultipartError, parse_multipart
from desktop.sandbox.state import FileRecord, UploadRecord

__all__ = [
    "BROKEN_RESULT_FILE",
    "add_upload_part",
    "cancel_upload",
    "complete_upload",
    "create_file",
    "create_upload",
    "delete_file",
    "file_content",
    "get_file",
    "list_files",
    "visible_file",
]

_FILE_PURPOSES = frozenset({"assistants", "batch", "fine-tune", "vision", "user_data", "evals"})
_UPLOAD_PURPOSES = frozenset({"assistants", "batch", "fine-tune", "vision"})
_MAX_FILE_BYTES = 512 * 1024 * 1024
_MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024
_MAX_PART_BYTES = 64 * 1024 * 1024
_UPLOAD_LIFETIME = 3600


def visible_file(service: Service, file_id: str, *, param: str = "file_id") -> FileRecord:
    """The file ``file_id`` unless unknown or deleted.

    Raises:
        ApiError: 404 in OpenAI's words.
    """
    record = service.store.files.get(file_id)
    if record is None or record.deleted:
        raise not_found(f"No such File object: {file_id}", param=param)
    return record


def _check_fine_tune_name(filename: str, purpose: str) -> None:
    if purpose == "fine-tune" and not filename.lower().endswith(".jsonl"):
        raise bad_request(
            f"Invalid file format for Fine-Tuning API. Must be .jsonl (got {filename!r}).",
            param="file",
        )


def parse_multipart_or_400(request: ApiRequest) -> dict[str, FormPart]:
    """The request's form fields.

    Raises:
        ApiError: 400 when the body is not valid multipart/form-data.
    """
    try:
        return parse_multipart(request.body, request.headers.get("content-type", ""))
    except MultipartError as exc:
        raise bad_request(f"Invalid multipart/form-data body: {exc}") from None


def create_file(service: Service, request: ApiRequest, _: Match[str]) -> JsonResponse:
    """``POST /files`` (multipart ``file`` + ``purpose``)."""
    form = parse_multipart_or_400(request)
    upload = form.get("file")
    if upload is None or upload.filename is None:
        raise bad_request("Missing required parameter: 'file'.", param="file")
    purpose_part = form.get("purpose")
    purpose = purpose_part.text() if purpose_part else ""
    if purpose not in _FILE_PURPOSES:
        raise bad_request(
            f"'{purpose}' is not one of {sorted(_FILE_PURPOSES)} - 'purpose'", param="purpose"
        )
    _check_fine_tune_name(upload.filename, purpose)
    if len(upload.data) > _MAX_FILE_BYTES:
        raise bad_request("File is too large: files can be at most 512 MB.", param="file")
    record = FileRecord(
        id=service.store.new_id("file-", 22),
        filename=upload.filename,
        purpose=purpose,
        bytes=len(upload.data),
        created_at=int(service.now()),
    )
    service.store.add_file(record, upload.data)
    return JsonResponse(record.to_json())


def list_files(service: Service, request: ApiRequest, _: Match[str]) -> JsonResponse:
    """``GET /files`` with ``purpose``, ``limit``, ``after`` and ``order``."""
    purpose = request.query.get("purpose")
    order = request.query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request("Invalid order: must be 'asc' or 'desc'.", param="order")
    limit = query_limit(request, default=10000, maximum=10000)
    records = [
        f
        for f in service.store.files.values()
        if not f.deleted and (purpose is None or f.purpose == purpose)
    ]
    # insertion order is creation order; created_at alone ties within a second
    if order == "desc":
        records.reverse()
    ids, has_more = page_after([f.id for f in records], request.query.get("after"), limit)
    data = [service.store.files[i].to_json() for i in ids]
    return JsonResponse(
        {
            "object": "list",
            "data": data,
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
            "has_more": has_more,
        }
    )


def get_file(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``GET /files/{file_id}``."""
    return JsonResponse(visible_file(service, match["id"]).to_json())


def delete_file(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``DELETE /files/{file_id}``."""
    record = visible_file(service, match["id"])
    service.store.delete_file(record.id)
    return JsonResponse({"id": record.id, "object": "file", "deleted": True})


def file_content(service: Service, _: ApiRequest, match: Match[str]) -> BytesResponse:
    """``GET /files/{file_id}/content``: the raw bytes."""
    record = visible_file(service, match["id"])
    if record.purpose == "fine-tune-results" and service.faults().broken_result_files:
        return BytesResponse(BROKEN_RESULT_FILE, "text/html")
    content_type = "text/csv" if record.filename.endswith(".csv") else "application/octet-stream"
    return BytesResponse(service.store.blobs[record.id], content_type)


BROKEN_RESULT_FILE = (
    b"<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>502 Bad Gateway</h1><p>upstream storage unavailable</p></body></html>\n"
)
"""What a result file downloads as under ``Faults.broken_result_files``: not CSV at all."""


# --------------------------------------------------------------------------- uploads


def _upload_json(service: Service, upload: UploadRecord) -> dict[str, object]:
    if upload.status == "pending" and service.now() > upload.expires_at:
        upload.status = "expired"
        service.store.drop_parts(upload)
        service.store.save()
    file_id = upload.file_id
    return {
        "id": upload.id,
        "object": "upload",
        "bytes": upload.bytes,
        "created_at": upload.created_at,
        "expires_at": upload.expires_at,
        "filename": upload.filename,
        "purpose": upload.purpose,
        "status": upload.status,
        "file": service.store.files[file_id].to_json() if file_id else None,
    }


def _pending_upload(service: Service, upload_id: str, action: str) -> UploadRecord:
    upload = service.store.uploads.get(upload_id)
    if upload is None:
        raise not_found(f"No such Upload object: {upload_id}", param="upload_id")
    _upload_json(service, upload)  # refreshes expiry
    if upload.status != "pending":
        raise bad_request(f"Cannot {action} an Upload with status '{upload.status}'.")
    return upload


def create_upload(service: Service, request: ApiRequest, _: Match[str]) -> JsonResponse:
    """``POST /uploads`` (``filename``, ``purpose``, ``bytes``, ``mime_type``)."""
    body = request.json()
    for key in ("filename", "purpose", "bytes", "mime_type"):
        if key not in body:
            raise bad_request(f"Missing required parameter: '{key}'.", param=key)
    filename, purpose, size = body["filename"], body["purpose"], body["bytes"]
    if not isinstance(filename, str) or not filename:
        raise bad_request("'filename' must be a non-empty string.", param="filename")
    if purpose not in _UPLOAD_PURPOSES:
        raise bad_request(
            f"'{purpose}' is not one of {sorted(_UPLOAD_PURPOSES)} - 'purpose'", param="purpose"
        )
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= _MAX_UPLOAD_BYTES:
        raise bad_request("'bytes' must be an integer from 0 to 8 GB.", param="bytes")
    _check_fine_tune_name(filename, str(purpose))
    now = int(service.now())
    upload = UploadRecord(
        id=service.store.new_id("upload_", 24),
        filename=filename,
        purpose=str(purpose),
        bytes=size,
        mime_type=str(body["mime_type"]),
        created_at=now,
        expires_at=now + _UPLOAD_LIFETIME,
    )
    service.store.uploads[upload.id] = upload
    service.store.save()
    return JsonResponse(_upload_json(service, upload))


def add_upload_part(
    service: Service, request: ApiRequest, match: Match[str]
) -> JsonResponse | DropConnection:
    """``POST /uploads/{upload_id}/parts`` (multipart ``data``); parts may come in any order."""
    upload = _pending_upload(service, match["id"], "add a Part to")
    part = parse_multipart_or_400(request).get("data")
    if part is None:
        raise bad_request("Missing required parameter: 'data'.", param="data")
    if len(part.data) > _MAX_PART_BYTES:
        raise bad_request("Each Part can be at most 64 MB.", param="data")
    faults = service.faults()
    if service.gate.take_part_drop(faults, upload.id):
        return DropConnection()
    part_id = service.store.new_id("part_", 24)
    created = int(service.now())
    service.store.add_part(upload, part_id, created, part.data)
    service.gate.count_stored_part(faults, upload.id)
    return JsonResponse(
        {"id": part_id, "object": "upload.part", "created_at": created, "upload_id": upload.id}
    )


def complete_upload(service: Service, request: ApiRequest, match: Match[str]) -> JsonResponse:
    """``POST /uploads/{upload_id}/complete`` (``part_ids`` in order, optional ``md5``)."""
    upload = _pending_upload(service, match["id"], "complete")
    body = request.json()
    part_ids = body.get("part_ids")
    if not isinstance(part_ids, list) or not all(isinstance(p, str) for p in part_ids):
        raise bad_request("'part_ids' must be a list of Part ids.", param="part_ids")
    known = {part_id for part_id, _ in upload.parts}
    for part_id in part_ids:
        if part_id not in known:
            raise bad_request(f"Part {part_id} does not belong to this Upload.", param="part_ids")
    data = b"".join(service.store.part_blobs[p] for p in part_ids)
    if len(data) != upload.bytes:
        raise bad_request(
            f"The Upload was created with bytes={upload.bytes}, but the Parts add up to "
            f"{len(data)} bytes.",
            param="part_ids",
        )
    md5 = body.get("md5")
    if isinstance(md5, str) and md5 and md5.lower() != hashlib.md5(data).hexdigest():
        raise bad_request("The md5 checksum does not match the uploaded bytes.", param="md5")
    record = FileRecord(
        id=service.store.new_id("file-", 22),
        filename=upload.filename,
        purpose=upload.purpose,
        bytes=len(data),
        created_at=int(service.now()),
    )
    upload.status = "completed"
    upload.file_id = record.id
    service.store.drop_parts(upload)
    service.store.add_file(record, data)
    return JsonResponse(_upload_json(service, upload))


def cancel_upload(service: Service, _: ApiRequest, match: Match[str]) -> JsonResponse:
    """``POST /uploads/{upload_id}/cancel``."""
    upload = _pending_upload(service, match["id"], "cancel")
    upload.status = "cancelled"
    service.store.drop_parts(upload)
    service.store.save()
    return JsonResponse(_upload_json(service, upload))
