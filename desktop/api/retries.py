"""Surface the SDK's own retry decisions to the user ("Busy — retrying in 2 s, 1 of 2").

The SDK retries by itself (see ``clients.py``) and logs each decision at INFO on the logger
``openai._base_client``::

    log.info("Retrying request in %f seconds (retry %i of %s)", timeout, attempt, max_retries)

``watch_retries`` attaches one shared handler there that reads the record's ``args`` (never the
formatted text) and calls the subscribers.

Logging side effects, and why: that logger sits at WARNING by default, so INFO records are not
even created. While anyone watches, its level is lowered to INFO (only if it was less verbose)
and ``propagate`` is switched off, so those extra INFO records do not spill into the app's log
handlers. Every record the app would have seen without us (level at or above what the
``openai`` parent logger lets through) is handed on to the parent, so e.g. ``OPENAI_LOG=debug``
keeps working. Both settings are restored when the last watcher unsubscribes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

SDK_LOGGER = "openai._base_client"
_RETRY_TEMPLATE_START = "Retrying request in"


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """The SDK is about to wait ``delay_seconds`` and then send the request again.

    ``attempt`` counts retries from 1; ``max_retries`` is the client's budget.
    """

    delay_seconds: float
    attempt: int
    max_retries: int


RetryCallback = Callable[[RetryNotice], None]


def parse_retry_record(record: logging.LogRecord) -> RetryNotice | None:
    """The notice carried by one of the SDK's retry log records, else None.

    Args:
        record: a record from ``openai._base_client``.

    Returns:
        The notice, or None for any other record.
    """
    if not isinstance(record.msg, str) or not record.msg.startswith(_RETRY_TEMPLATE_START):
        return None
    args = record.args
    if not isinstance(args, tuple) or len(args) != 3:
        return None
    delay, attempt, budget = args
    if not all(isinstance(v, int | float | str) for v in args):
        return None
    try:
        return RetryNotice(float(str(delay)), int(str(attempt)), int(str(budget)))
    except ValueError:
        return None


class _RetryHandler(logging.Handler):
    """Calls the watchers for retry records; forwards what the app would have seen anyway."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(level=logging.NOTSET)
        self._logger = logger
        self.callbacks: list[RetryCallback] = []
        self.saved_level = logger.level
        self.saved_propagate = logger.propagate

    def emit(self, record: logging.LogRecord) -> None:
        notice = parse_retry_record(record)
        if notice is not None:
            for callback in list(self.callbacks):
                try:
                    callback(notice)
                except Exception:  # a broken watcher must not break the request
                    logging.getLogger(__name__).exception("retry watcher failed")
        parent = self._logger.parent
        if (
            self.saved_propagate
            and parent is not None
            and record.levelno >= parent.getEffectiveLevel()
        ):
            parent.handle(record)


_lock = threading.Lock()
_handler: _RetryHandler | None = None


def watch_retries(callback: RetryCallback) -> Callable[[], None]:
    """Call ``callback`` each time the SDK decides to retry a request.

    The callback runs on the thread that sent the request (for the async client: the event
    loop's thread) just before the SDK sleeps. Keep it short; it must not raise.

    Args:
        callback: receives a ``RetryNotice``.

    Returns:
        A function that unsubscribes (safe to call twice).
    """
    global _handler
    with _lock:
        if _handler is None:
            logger = logging.getLogger(SDK_LOGGER)
            _handler = _RetryHandler(logger)
            logger.addHandler(_handler)
            if logger.getEffectiveLevel() > logging.INFO:
                logger.setLevel(logging.INFO)
            logger.propagate = False
        _handler.callbacks.append(callback)

    done = False

    def unsubscribe() -> None:
        nonlocal done
        global _handler
        with _lock:
            if done or _handler is None:
                return
            done = True
            if callback in _handler.callbacks:
                _handler.callbacks.remove(callback)
            if not _handler.callbacks:
                logger = logging.getLogger(SDK_LOGGER)
                logger.removeHandler(_handler)
                logger.setLevel(_handler.saved_level)
                logger.propagate = _handler.saved_propagate
                _handler = None

    return unsubscribe
