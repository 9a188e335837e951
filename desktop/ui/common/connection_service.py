"""The active connection, seen from the UI: which one it is, whether it answers, its models.

``ConnectionService`` wraps the API layer's ``ActiveConnection`` (handed in by ``desktop.app``,
typed here by the small ``ConnectionHolder`` protocol so the UI never imports the SDK) and turns
what happens to it into Qt signals. It also owns the lazy start of the Demo: the emulator is
started, through ``demo_base_url_factory``, the first time the Demo connection is used.

Threading: create and call on the GUI thread, with the qasync loop running the coroutines.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from desktop.api.provider import Provider
from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import (
    ApiError,
    AuthError,
    ConnectionFailedError,
    FinetuneError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    StorageError,
    TimeoutFailedError,
)
from desktop.ui.common.connection_state import (
    ProfileLookup,
    Reachability,
    ReachState,
    RetryStatus,
    active_profile,
)

if TYPE_CHECKING:
    from desktop.core.types import ModelInfo

__all__ = [
    "ConnectionHolder",
    "ConnectionService",
    "KeyLookup",
    "MissingKeyError",
    "ProfileLookup",
    "ReachState",
    "Reachability",
    "RetryNoticeLike",
    "RetryStatus",
    "short_reason",
]

log = logging.getLogger(__name__)

REACHABILITY_TIMEOUT = 20.0


class ConnectionHolder(Protocol):
    """What the service needs from ``desktop.api.connection.ActiveConnection``."""

    def switch(
        self, profile: ConnectionProfile, api_key: str | None, base_url: str | None = None
    ) -> Awaitable[None] | None: ...

    def provider(self) -> Provider: ...

    async def aclose(self) -> None: ...


class KeyLookup(Protocol):
    def get(self, profile_id: str) -> str | None: ...


class RetryNoticeLike(Protocol):
    """``desktop.api.retries.RetryNotice``: one retry decision of the SDK."""

    @property
    def delay_seconds(self) -> float: ...

    @property
    def attempt(self) -> int: ...

    @property
    def max_retries(self) -> int: ...


RetryWatcher = Callable[[Callable[[RetryNoticeLike], None]], Callable[[], None]]
"""``watch_retries``: subscribe a callback, get back a function that unsubscribes it."""


class MissingKeyError(AuthError):
    """The active connection needs an API key and none is saved for it."""

    default_user_message = (
        "No API key is saved for this connection. Open Preferences, select the connection, "
        "paste its key and save it."
    )


def short_reason(exc: BaseException) -> str:
    """A few words for the status bar describing why a connection failed."""
    reasons: list[tuple[type[BaseException], str]] = [
        (MissingKeyError, "no API key saved"),
        (TimeoutFailedError, "no answer in time"),
        (ConnectionFailedError, "cannot connect"),
        (AuthError, "API key rejected"),
        (PermissionDeniedError, "permission denied"),
        (QuotaExceededError, "quota exceeded"),
        (RateLimitedError, "too many requests"),
        (NotFoundError, "address not found"),
        (ServerError, "server error"),
        (StorageError, "keychain problem"),
        (asyncio.TimeoutError, "no answer in time"),
    ]
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    if isinstance(exc, ApiError) and exc.status_code:
        return f"error {exc.status_code}"
    return "error"


class ConnectionService(QObject):
    """Signals about the active connection; hands out its provider.

    Invariants: ``profile`` is always set (the Demo until told otherwise); at most one
    reachability check runs at a time (a new one cancels the old); the emulator is started at
    most once, and only when the Demo is used.
    """

    connection_changed = Signal(object)
    """The active ``ConnectionProfile`` changed (emitted before any request is made)."""
    reachability_changed = Signal(object)
    """A new ``Reachability``."""
    models_changed = Signal(object)
    """The active connection's models, a ``tuple[ModelInfo, ...]`` (empty while unknown)."""
    retrying = Signal(object)
    """A ``RetryStatus`` while the SDK waits to retry, ``None`` when the wait is over."""

    def __init__(
        self,
        connection: ConnectionHolder,
        *,
        profiles: ProfileLookup,
        keychain: KeyLookup,
        demo_base_url_factory: Callable[[], str],
        watch_retries: RetryWatcher | None = None,
        preload: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._connection = connection
        self._profiles = profiles
        self._keychain = keychain
        self._demo_base_url_factory = demo_base_url_factory
        self._demo_base_url: str | None = None
        self._demo_lock = asyncio.Lock()
        self._profile = demo_profile()
        self._switched = False
        self._models: tuple[ModelInfo, ...] = ()
        self._reachability = Reachability(ReachState.CHECKING)
        self._check_task: asyncio.Task[None] | None = None
        self._waiting_tasks: set[asyncio.Task[object]] = set()
        self._unwatch = watch_retries(self._on_retry_notice) if watch_retries else None
        self._closed = False
        self._preload = preload
        self._preload_lock = asyncio.Lock()

    # ------------------------------------------------------------------ state

    @property
    def profile(self) -> ConnectionProfile:
        return self._profile

    @property
    def is_demo(self) -> bool:
        return self._profile.kind is ConnectionKind.DEMO

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        return self._models

    @property
    def reachability(self) -> Reachability:
        return self._reachability

    @property
    def demo_started(self) -> bool:
        return self._demo_base_url is not None

    # ------------------------------------------------------------------ switching

    def load_active(self) -> ConnectionProfile:
        """Make the profile the store marks as active the current one (no request is made)."""
        profile = active_profile(self._profiles)
        self._set_profile(profile)
        return profile

    def activate(self, profile_id: str) -> asyncio.Task[None]:
        """Switch to another profile and check it in the background.

        Returns:
            The reachability check's task.
        """
        try:
            profile = self._profiles.get(profile_id)
        except StorageError as exc:
            log.warning("connection %s unavailable, using the Demo: %s", profile_id, exc)
            profile = demo_profile()
        self._set_profile(profile)
        return self.start_check()

    def _set_profile(self, profile: ConnectionProfile) -> None:
        self._profile = profile
        self._switched = False
        self._set_models(())
        self.connection_changed.emit(profile)

    async def _switch_now(self) -> None:
        profile = self._profile
        if profile.kind is ConnectionKind.DEMO:
            base_url = await self._ensure_demo()
            api_key: str | None = None
        else:
            base_url = None
            try:
                api_key = self._keychain.get(profile.id)
            except StorageError as exc:
                log.warning("cannot read key of %s: %s", profile.id, type(exc).__name__)
                api_key = None
            if not api_key and profile.needs_key:
                raise MissingKeyError(f"no API key saved for profile {profile.id}")
        result = self._connection.switch(profile, api_key, base_url)
        if result is not None:
            await result
        if profile == self._profile:
            self._switched = True

    async def _ensure_demo(self) -> str:
        async with self._demo_lock:
            if self._demo_base_url is None:
                # Starting the emulator imports it and binds a socket: keep that off the GUI thread.
                self._demo_base_url = await asyncio.to_thread(self._demo_base_url_factory)
            return self._demo_base_url

    async def provider(self) -> Provider:
        """The active connection's provider, switching (and starting the Demo) if needed.

        Raises:
            ApiError: the connection cannot be set up (no key saved, no address...).
        """
        await self._preload_once()
        if not self._switched:
            await self._switch_now()
        return self._connection.provider()

    async def _preload_once(self) -> None:
        # Loading the SDK takes ~0.5 s: do it in a worker thread, not in the first request.
        async with self._preload_lock:
            preload, self._preload = self._preload, None
            if preload is not None:
                await asyncio.to_thread(preload)

    # ------------------------------------------------------------------ reachability

    def start_check(self) -> asyncio.Task[None]:
        """Check in the background that the connection answers, and refresh its models."""
        if self._check_task is not None and not self._check_task.done():
            self._check_task.cancel()
        self._check_task = asyncio.ensure_future(self.check())
        return self._check_task

    async def check(self) -> None:
        """List the connection's models; emit reachability and models accordingly."""
        profile = self._profile
        self._set_reachability(Reachability(ReachState.CHECKING))
        try:
            provider = await self.provider()
            models = await asyncio.wait_for(provider.list_models(), REACHABILITY_TIMEOUT)
        except (FinetuneError, TimeoutError) as exc:
            if profile != self._profile:
                return
            message = exc.user_message if isinstance(exc, FinetuneError) else ""
            log.info("connection %s unreachable: %s", profile.id, type(exc).__name__)
            self._set_reachability(
                Reachability(ReachState.UNREACHABLE, reason=short_reason(exc), message=message)
            )
            return
        if profile != self._profile:
            return
        self._set_reachability(Reachability(ReachState.REACHABLE))
        self._set_models(tuple(models))

    def _set_reachability(self, reachability: Reachability) -> None:
        self._reachability = reachability
        self.reachability_changed.emit(reachability)

    def _set_models(self, models: tuple[ModelInfo, ...]) -> None:
        self._models = models
        self.models_changed.emit(models)

    # ------------------------------------------------------------------ retries

    def _on_retry_notice(self, notice: RetryNoticeLike) -> None:
        # The SDK logs its retry decision inside the request's own task, so the current task
        # is the one that is about to wait: that is what Cancel stops.
        try:
            task = asyncio.current_task()
        except RuntimeError:  # called outside the event loop: nothing to cancel
            task = None
        if task is not None and task not in self._waiting_tasks:
            self._waiting_tasks.add(task)
            task.add_done_callback(self._on_waiting_task_done)
        self.retrying.emit(
            RetryStatus(
                delay_seconds=notice.delay_seconds,
                attempt=notice.attempt,
                max_retries=notice.max_retries,
                deadline=time.monotonic() + notice.delay_seconds,
            )
        )

    def _on_waiting_task_done(self, task: asyncio.Task[object]) -> None:
        self._waiting_tasks.discard(task)
        if not self._waiting_tasks and not self._closed:
            self.retrying.emit(None)

    def cancel_retry_wait(self) -> int:
        """Cancel the requests that are waiting to be retried.

        Returns:
            How many tasks were cancelled.
        """
        tasks = [task for task in self._waiting_tasks if not task.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        """Stop the background check and close the HTTP client. Safe to call twice."""
        self._closed = True
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        if self._check_task is not None and not self._check_task.done():
            self._check_task.cancel()
            await asyncio.gather(self._check_task, return_exceptions=True)
        await self._connection.aclose()
