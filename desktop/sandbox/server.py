"""HTTP plumbing: parse requests, check the key, inject faults, dispatch, write and record.

``http.server`` speaks HTTP/1.1 with keep-alive here (the SDK pools connections). Plain answers
carry a Content-Length; streamed chat uses chunked transfer encoding, so a cut stream is visible
to the client as an incomplete body rather than a normal end.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from desktop.sandbox.context import (
    ApiRequest,
    BytesResponse,
    DropConnection,
    JsonResponse,
    Response,
    Service,
    StreamResponse,
)
from desktop.sandbox.errors import ApiError
from desktop.sandbox.faults import Faults
from desktop.sandbox.recording import RecordedRequest, RequestLog, redact_headers
from desktop.sandbox.routes import find_route, split_api_path

__all__ = ["EmulatorHTTPServer", "ServerSettings"]

_log = logging.getLogger(__name__)
_KEYS_URL = "https://platform.openai.com/account/api-keys"
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass
class ServerSettings:
    """What the request handler needs from the emulator."""

    service: Service
    log: RequestLog
    faults: Callable[[], Faults]
    api_keys: Collection[str] | None
    connections: set[socket.socket] = field(default_factory=set)
    connections_lock: threading.Lock = field(default_factory=threading.Lock)


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server whose handler threads are daemons and die with the process."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], settings: ServerSettings) -> None:
        super().__init__(address, _Handler)
        self.settings = settings

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects are routine here (cut streams, lost answers): log at debug."""
        _log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self) -> None:
        """Shut every open client connection (used when stopping)."""
        with self.settings.connections_lock:
            sockets = list(self.settings.connections)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _masked(key: str) -> str:
    return f"{key[:3]}{'*' * 4}{key[-4:]}" if len(key) > 10 else "*" * 4


def _auth_error(headers: dict[str, str], api_keys: Collection[str] | None) -> ApiError | None:
    bearer = headers.get("authorization", "")
    key = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
    key = key or headers.get("api-key", "").strip()
    if not key:
        return ApiError(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). "
            f"You can obtain an API key from {_KEYS_URL}.",
            code="invalid_api_key",
        )
    if api_keys is not None and key not in api_keys:
        return ApiError(
            401,
            f"Incorrect API key provided: {_masked(key)}. You can find your API key at "
            f"{_KEYS_URL}.",
            code="invalid_api_key",
        )
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "FinetuneStudioEmulator/1"
    timeout = 120
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.settings.connections_lock:
            self.server.settings.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.settings.connections_lock:
            self.server.settings.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    # ----------------------------------------------------------------- reading

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    # ----------------------------------------------------------------- dispatch

    def _serve(self) -> None:
        settings = self.server.settings
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._read_body()
        record = dict(
            method=self.command,
            path=url.path,
            query=query,
            headers=redact_headers(headers),
            body=body,
        )
        api_path = split_api_path(url.path)
        if api_path is None:
            error = ApiError(404, f"Invalid URL ({self.command} {url.path})")
            self._send_json(error.status, error.body(), record, error.headers)
            return
        faults = settings.faults()
        if faults.slow_seconds > 0:
            time.sleep(faults.slow_seconds)
        request = ApiRequest(self.command, api_path.path, query, headers, body, api_path.deployment)
        try:
            response = self._dispatch(settings, request, faults)
        except ApiError as error:
            self._send_json(error.status, error.body(), record, error.headers)
            return
        self._send(response, record)

    def _dispatch(self, settings: ServerSettings, request: ApiRequest, faults: Faults) -> Response:
        error = _auth_error(request.headers, settings.api_keys)
        error = error or settings.service.gate.check(faults)
        if error is not None:
            raise error
        route = find_route(request.method, request.path)
        if route is None:
            raise ApiError(404, f"Invalid URL ({request.method} {self.path.split('?')[0]})")
        handler, match = route
        with settings.service.store.lock:
            try:
                return handler(settings.service, request, match)
            except ApiError:
                raise
            except Exception:
                _log.exception("emulator failed on %s %s", request.method, request.path)
                raise ApiError(
                    500,
                    "The server had an error while processing your request. Sorry about that!",
                    type_="server_error",
                ) from None

    # ----------------------------------------------------------------- writing

    def _send(self, response: Response, record: dict[str, Any]) -> None:
        if isinstance(response, JsonResponse):
            self._send_json(response.status, response.body, record)
        elif isinstance(response, BytesResponse):
            self._record(record, 200, None, response.content_type)
            self._write_head(200, response.content_type, len(response.body))
            self.wfile.write(response.body)
        elif isinstance(response, StreamResponse):
            self._send_stream(response, record)
        elif isinstance(response, DropConnection):
            self._record(record, response.status, None, "")
            self._drop()

    def _record(
        self, record: dict[str, Any], status: int, payload: object | None, content_type: str
    ) -> list[object]:
        events: list[object] = []
        self.server.settings.log.append(
            RecordedRequest(
                **record,
                status=status,
                response_json=payload,
                response_content_type=content_type,
                stream_events=events,
            )
        )
        return events

    def _write_head(
        self,
        status: int,
        content_type: str,
        length: int | None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        if length is None:
            self.send_header("transfer-encoding", "chunked")
            self.send_header("cache-control", "no-cache")
        else:
            self.send_header("content-length", str(length))
        self.send_header("x-request-id", f"req_{secrets.token_hex(16)}")
        self.send_header("openai-organization", "demo-org")
        self.send_header("openai-version", "2020-10-01")
        self.send_header("openai-processing-ms", "1")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send_json(
        self,
        status: int,
        payload: object,
        record: dict[str, Any],
        extra: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        self._record(record, status, payload, "application/json")
        self._write_head(status, "application/json", len(data), extra)
        self.wfile.write(data)

    def _send_stream(self, response: StreamResponse, record: dict[str, Any]) -> None:
        events = self._record(record, 200, None, "text/event-stream; charset=utf-8")
        self._write_head(200, "text/event-stream; charset=utf-8", None)
        started = time.monotonic()
        try:
            for index, event in enumerate(response.events):
                if index > 0 and response.delay > 0:
                    # Paced by the clock, so the writing takes none of the delay: a stream of
                    # N tokens lasts N × delay (a benchmark's "500 tokens/s" is 500 tokens/s).
                    time.sleep(max(0.0, started + index * response.delay - time.monotonic()))
                events.append(event)
                self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
                if response.cut_after is not None and index >= response.cut_after:
                    self._drop()
                    return
            self._write_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except _DISCONNECTS:
            self.close_connection = True  # the client went away mid-stream

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
