"""OpenAI's error envelope, raised by handlers and turned into a response by the server."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ApiError", "bad_request", "error_envelope", "not_found"]


def error_envelope(
    message: str, *, type_: str, param: str | None = None, code: str | None = None
) -> dict[str, object]:
    """Build OpenAI's error body: ``{"error": {"message", "type", "param", "code"}}``.

    Args:
        message: human-readable explanation.
        type_: OpenAI's error type, e.g. ``"invalid_request_error"``.
        param: the request parameter at fault, if any.
        code: machine-readable code, if OpenAI sends one for this case.

    Returns:
        The JSON-ready envelope.
    """
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class ApiError(Exception):
    """An error answer: HTTP status, OpenAI envelope fields and extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        """The JSON envelope for this error."""
        return error_envelope(self.message, type_=self.type, param=self.param, code=self.code)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    """A 400 ``invalid_request_error``.

    Args:
        message: what is wrong with the request.
        param: the offending parameter.
        code: machine-readable code, if any.

    Returns:
        The error, ready to raise.
    """
    return ApiError(400, message, param=param, code=code)


def not_found(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    """A 404 ``invalid_request_error``.

    Args:
        message: what could not be found.
        param: the offending parameter.
        code: machine-readable code, if any.

    Returns:
        The error, ready to raise.
    """
    return ApiError(404, message, param=param, code=code)
