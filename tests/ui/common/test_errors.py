"""What the user sees when something fails: one message with details, never a key."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.core.errors import AuthError, RateLimitedError
from desktop.ui.common import errors
from desktop.ui.common.async_slots import async_slot
from tests.ui.conftest import ShownError
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui

KEY = "sk-proj-Abc123Def456Ghi789"


@pytest.fixture
def crash_hook() -> Iterator[None]:
    uninstall = errors.install_excepthook()
    try:
        yield
    finally:
        uninstall()


def test_scrub_removes_keys_when_text_contains_them() -> None:
    text = (
        f"Incorrect API key provided: {KEY}. Authorization: Bearer {KEY} "
        "api-key=0123456789abcdef0123456789abcdef"
    )

    scrubbed = errors.scrub(text)

    assert "Abc123" not in scrubbed
    assert "0123456789abcdef" not in scrubbed
    assert "[redacted]" in scrubbed


def test_scrub_keeps_request_ids_and_model_ids_when_scrubbing() -> None:
    text = "request req_0123456789abcdef0123456789abcdef for ft:gpt-4o-mini:acme::abc123"

    assert errors.scrub(text) == text


def test_details_carry_status_and_request_id_but_no_key_when_api_fails() -> None:
    exc = RateLimitedError(f"429 from server, key {KEY}", request_id="req_42", retry_after=2)

    details = errors.error_details(exc)

    assert "HTTP status: 429" in details
    assert "Request id: req_42" in details
    assert "Abc123" not in details


def test_message_box_shows_user_message_with_details_when_error_is_shown(
    qtbot: Any,
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    exc = AuthError(f"401 invalid key {KEY}", status_code=401, request_id="req_7")

    errors.show_error(parent, exc)

    box = parent.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert box.text() == exc.user_message
    assert "Request id: req_7" in box.detailedText()
    assert "Abc123" not in box.detailedText()
    box.close()


def test_shown_errors_records_instead_of_opening_a_box_when_fixture_is_used(
    shown_errors: list[ShownError], qtbot: Any
) -> None:
    errors.show_error(None, AuthError("401"))

    assert [e.message for e in shown_errors] == [AuthError.default_user_message]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _Failing(QWidget):
    @async_slot()
    async def explode(self) -> None:
        await asyncio.sleep(0)
        raise ValueError(f"boom with {KEY}")


def test_exception_escaping_async_slot_reaches_crash_dialog_when_hook_installed(
    qasync_loop: Any,
    crash_hook: None,
    crash_reports: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
) -> None:
    logged = _ListHandler()
    private_log = logging.getLogger("tests.crash")
    private_log.propagate = False  # the crash is meant to be logged: keep it from the log guard
    private_log.addHandler(logged)
    monkeypatch.setattr(errors, "log", private_log)
    widget = _Failing()
    qtbot.addWidget(widget)

    task = widget.explode()
    run(qasync_loop, asyncio.gather(task, return_exceptions=True))
    run(qasync_loop, asyncio.sleep(0))  # the done-callback that calls the hook

    assert len(crash_reports) == 1
    assert "ValueError: boom" in crash_reports[0]
    assert "Abc123" not in crash_reports[0]
    assert capsys.readouterr().err == ""
    assert [r.levelno for r in logged.records] == [logging.ERROR]
    assert "Abc123" not in logged.records[0].getMessage()
    private_log.removeHandler(logged)


def test_expected_error_escaping_slot_is_shown_normally_when_hook_installed(
    crash_hook: None, crash_reports: list[str], shown_errors: list[ShownError]
) -> None:
    exc = AuthError("401")

    sys.excepthook(type(exc), exc, None)

    assert [e.exc for e in shown_errors] == [exc]
    assert crash_reports == []
