"""A small ``multipart/form-data`` parser (the stdlib's ``cgi`` module is gone in 3.13)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

__all__ = ["FormPart", "MultipartError", "parse_multipart"]


class MultipartError(ValueError):
    """The body is not valid ``multipart/form-data``."""


@dataclass(frozen=True, slots=True)
class FormPart:
    """One field of a form: its name, the file name if it is a file, and the raw bytes."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        """The field's value as text (UTF-8, undecodable bytes replaced)."""
        return self.data.decode("utf-8", errors="replace")


def _header_params(value: str) -> Message:
    message = Message()
    message["content-type"] = value
    return message


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a ``multipart/form-data`` content type.

    Args:
        content_type: the request's Content-Type header.

    Returns:
        The boundary string.

    Raises:
        MultipartError: not multipart/form-data, or no boundary.
    """
    message = _header_params(content_type)
    if message.get_content_type() != "multipart/form-data":
        raise MultipartError(f"expected multipart/form-data, got {content_type or 'nothing'}")
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise MultipartError("multipart/form-data without a boundary")
    return boundary


def _parse_part(raw: bytes) -> FormPart:
    head, separator, data = raw.partition(b"\r\n\r\n")
    if not separator:
        raise MultipartError("a form part has no header/body separator")
    disposition = ""
    content_type: str | None = None
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-disposition":
            disposition = value.strip()
        elif key.strip().lower() == "content-type":
            content_type = value.strip()
    params = Message()
    params["content-disposition"] = disposition
    name = params.get_param("name", header="content-disposition")
    filename = params.get_param("filename", header="content-disposition")
    if not isinstance(name, str):
        raise MultipartError("a form part has no name")
    return FormPart(
        name=name,
        filename=filename if isinstance(filename, str) else None,
        content_type=content_type,
        data=data,
    )


def parse_multipart(body: bytes, content_type: str) -> dict[str, FormPart]:
    """Split a ``multipart/form-data`` body into its fields (the last one wins per name).

    Args:
        body: the raw request body.
        content_type: the request's Content-Type header (carries the boundary).

    Returns:
        Fields by name.

    Raises:
        MultipartError: the body is not well-formed.
    """
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartError("multipart body is truncated or has no closing boundary")
    fields: dict[str, FormPart] = {}
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise MultipartError("malformed multipart boundary line")
        part = _parse_part(chunk[2:-2])
        fields[part.name] = part
    return fields
