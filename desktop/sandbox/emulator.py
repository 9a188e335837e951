"""``Emulator``: the public face of the sandbox — start, stop, reset, inspect, inject faults."""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path
from types import TracebackType

from desktop.sandbox.clock import SimClock
from desktop.sandbox.context import Service
from desktop.sandbox.faults import FaultGate, Faults
from desktop.sandbox.recording import RecordedRequest, RequestLog
from desktop.sandbox.server import EmulatorHTTPServer, ServerSettings
from desktop.sandbox.state import Store

__all__ = ["Emulator"]

_FAST_TIME_SCALE = 0.05  # a ~60 s job takes ~3 s
_DEMO_STREAM_DELAY = 0.03
_FAST_STREAM_DELAY = 0.002


class Emulator:
    """A local HTTP server that speaks OpenAI's REST API (files, uploads, fine-tuning, chat).

    Jobs progress on a simulated clock: by default a job takes about a minute, ``fast=True``
    makes it about 3 s, ``time_scale`` sets the factor directly, and ``advance()`` jumps ahead.
    With ``state_dir`` the files, uploads and jobs survive a restart.

    Threading: requests are served on daemon threads; ``faults`` may be reassigned at any time
    from any thread. ``start``/``stop`` are meant for the owning thread.

    Args:
        host: interface to bind (keep the default: loopback only).
        port: TCP port; 0 picks a free one.
        fast: compress job timelines and streaming pace for tests.
        time_scale: multiplier of the ~60 s job timeline (overrides ``fast``).
        stream_delay: seconds between streamed tokens (overrides ``fast``).
        state_dir: folder to persist state in, or None to keep it in memory.
        faults: failures to inject (see ``Faults``); none by default.
        api_keys: accepted keys, or None to accept any non-empty key.
        seed: seed for ids and random faults (runs with the same seed behave the same).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fast: bool = False,
        time_scale: float | None = None,
        stream_delay: float | None = None,
        state_dir: Path | None = None,
        faults: Faults | None = None,
        api_keys: Collection[str] | None = None,
        seed: int = 0,
    ) -> None:
        self.faults: Faults = faults if faults is not None else Faults()
        self._host = host
        self._requested_port = port
        self._store = Store(seed=seed, state_dir=state_dir)
        self._clock = SimClock(self._store.clock_offset)
        self._gate = FaultGate(seed)
        self._log = RequestLog()
        scale = time_scale if time_scale is not None else (_FAST_TIME_SCALE if fast else 1.0)
        delay = stream_delay
        if delay is None:
            delay = _FAST_STREAM_DELAY if fast else _DEMO_STREAM_DELAY
        self._service = Service(
            store=self._store,
            clock=self._clock,
            gate=self._gate,
            faults=lambda: self.faults,
            time_scale=scale,
            stream_delay=delay,
        )
        self._api_keys = None if api_keys is None else frozenset(api_keys)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Emulator:
        """Start serving in a daemon thread.

        Returns:
            This emulator (so ``Emulator().start()`` can be assigned).

        Raises:
            RuntimeError: it is already running.
            OSError: the port cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        settings = ServerSettings(
            service=self._service,
            log=self._log,
            faults=lambda: self.faults,
            api_keys=self._api_keys,
        )
        self._server = EmulatorHTTPServer((self._host, self._requested_port), settings)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close client connections. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- facts

    @property
    def port(self) -> int:
        """The TCP port being served (the requested one before ``start``)."""
        if self._server is None:
            return self._requested_port
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://<host>:<port>/v1``: what to pass as the SDK's ``base_url``."""
        return f"http://{self._host}:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request served so far, oldest first (a copy)."""
        return self._log.snapshot()

    # ----------------------------------------------------------------- control

    def reset(self) -> None:
        """Forget files, jobs and uploads, clear the log, switch faults off, reset the clock."""
        with self._store.lock:
            self._store.clear()
            self._clock.reset()
        self._log.clear()
        self.faults = Faults()
        self._gate.reset()

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward, e.g. to let a job finish without waiting.

        Args:
            seconds: simulated seconds to skip (not negative).
        """
        with self._store.lock:
            self._clock.advance(seconds)
            self._store.clock_offset = self._clock.offset
            self._store.save()
