"""The retry watcher's log plumbing (the end-to-end retry test lives in test_failures.py)."""

from __future__ import annotations

import logging

import pytest

from desktop.api.retries import SDK_LOGGER, RetryNotice, parse_retry_record, watch_retries


def _record(msg: str, args: tuple[object, ...], level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord(SDK_LOGGER, level, __file__, 1, msg, args, None)


def test_parse_retry_record_reads_the_args_not_the_text() -> None:
    record = _record("Retrying request in %f seconds (retry %i of %s)", (0.75, 1, 2))
    assert parse_retry_record(record) == RetryNotice(delay_seconds=0.75, attempt=1, max_retries=2)


def test_parse_retry_record_ignores_other_records() -> None:
    assert parse_retry_record(_record("Sending HTTP Request: %s", ("POST",))) is None
    assert parse_retry_record(_record("Retrying request in %f seconds", (0.5,))) is None


def test_watch_retries_calls_back_and_restores_logger_settings() -> None:
    logger = logging.getLogger(SDK_LOGGER)
    level, propagate = logger.level, logger.propagate
    seen: list[RetryNotice] = []
    stop = watch_retries(seen.append)
    try:
        assert logger.isEnabledFor(logging.INFO)
        assert logger.propagate is False
        logger.info("Retrying request in %f seconds (retry %i of %s)", 1.5, 2, 3)
    finally:
        stop()
        stop()  # a second call is harmless
    assert seen == [RetryNotice(1.5, 2, 3)]
    assert (logger.level, logger.propagate) == (level, propagate)


def test_watch_retries_keeps_info_records_away_from_app_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    sdk_log = logging.getLogger(SDK_LOGGER)
    stop = watch_retries(lambda notice: None)
    try:
        sdk_log.info("Retrying request in %f seconds (retry %i of %s)", 1, 1, 1)
        sdk_log.warning("something the app should still see")
    finally:
        stop()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["something the app should still see"]
