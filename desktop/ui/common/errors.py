"""The one place that decides what the user sees when something goes wrong.

- ``show_error(parent, exc)``: every expected error (``FinetuneError``) ends here. It shows the
  error's ``user_message``; the technical detail and the request id sit behind "Show Details…".
- ``install_excepthook()``: anything unexpected (including exceptions escaping an ``async_slot``,
  which qasync hands to ``sys.excepthook``) is logged and shown in a crash dialog with
  "Copy details".

Both pass every text through ``scrub`` first, so nothing that looks like a key reaches the
screen, the clipboard or the log.

Tests replace the presenters with ``set_error_presenter`` / ``set_crash_presenter`` (see the
``shown_errors`` fixture) so no modal box blocks a test run.

Threading: call only from the GUI thread.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.core.errors import ApiError, FinetuneError

log = logging.getLogger(__name__)

ErrorPresenter = Callable[[QWidget | None, BaseException], None]
CrashPresenter = Callable[[QWidget | None, str], None]
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

_REDACTED = "[redacted]"
_KEY_PATTERNS = (
    # OpenAI-style secret keys: sk-..., sk-proj-..., sess-...
    re.compile(r"\b(?:sk|sess|rk)-[A-Za-z0-9_\-]{6,}"),
    # Authorization headers and their values.
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{6,}"),
    # api-key / api_key / apikey / key / token / secret / password = value (headers, URLs, JSON).
    re.compile(
        r"(?i)(\b(?:api[-_ ]?key|x-api-key|key|token|secret|password|authorization)\b"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
    ),
    # Bare long random strings (Azure keys are 32 hex characters).
    re.compile(r"(?<![\w\-/.:])[A-Za-z0-9]{32,}(?![\w\-])"),
)


def scrub(text: str) -> str:
    """Remove anything that looks like a secret from ``text``.

    Args:
        text: a message, traceback or log line.

    Returns:
        The text with keys, bearer tokens and ``key=value`` secrets replaced by ``[redacted]``.
    """
    for pattern in _KEY_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + _REDACTED, text)
        else:
            text = pattern.sub(_REDACTED, text)
    return text


def error_details(exc: BaseException) -> str:
    """The technical detail shown behind "Show Details…": type, detail, status, request id."""
    lines = [f"{type(exc).__name__}: {exc}"]
    if isinstance(exc, ApiError):
        if exc.status_code is not None:
            lines.append(f"HTTP status: {exc.status_code}")
        if exc.code:
            lines.append(f"Error code: {exc.code}")
        if exc.request_id:
            lines.append(f"Request id: {exc.request_id}")
    cause = exc.__cause__
    if cause is not None and not isinstance(cause, FinetuneError):
        lines.append(f"Caused by: {type(cause).__name__}: {cause}")
    lines.append(f"{APP_NAME} {__version__}")
    return scrub("\n".join(lines))


def user_message(exc: BaseException) -> str:
    """The plain sentence shown to the user for ``exc``."""
    if isinstance(exc, FinetuneError):
        return scrub(exc.user_message)
    return "Something unexpected went wrong. See Details, and please report it."


def _message_box_presenter(parent: QWidget | None, exc: BaseException) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_NAME)
    box.setText(user_message(exc))
    box.setDetailedText(error_details(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # open(), not exec(): a nested event loop inside a running qasync task would re-enter it.
    box.open()


_present_error: ErrorPresenter = _message_box_presenter


def set_error_presenter(presenter: ErrorPresenter) -> ErrorPresenter:
    """Replace how errors are shown (tests record them instead). Returns the previous one."""
    global _present_error
    previous = _present_error
    _present_error = presenter
    return previous


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the user about ``exc``: its ``user_message``, with the scrubbed detail behind a button.

    Args:
        parent: the window the message belongs to (None for application-wide).
        exc: usually a ``FinetuneError``; anything else is shown as unexpected.
    """
    log.info("showing error: %s", scrub(f"{type(exc).__name__}: {exc}"))
    _present_error(parent, exc)


class CrashDialog(QDialog):
    """Shown for an unexpected exception: an apology, the scrubbed details and "Copy details"."""

    def __init__(self, parent: QWidget | None, details: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — unexpected error")
        self.setObjectName("crashDialog")
        self.resize(620, 420)
        self._details = details
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<b>Something unexpected went wrong.</b><br>"
            "Your work is saved. You can keep using the app, but if this happens again please "
            "send the details below to the Finetune Studio team. They contain no API keys."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        text = QPlainTextEdit(details)
        text.setReadOnly(True)
        text.setObjectName("crashDetails")
        layout.addWidget(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("copyDetailsButton")
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._details)


def _crash_dialog_presenter(parent: QWidget | None, details: str) -> None:
    dialog = CrashDialog(parent, details)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


_present_crash: CrashPresenter = _crash_dialog_presenter


def set_crash_presenter(presenter: CrashPresenter) -> CrashPresenter:
    """Replace how crashes are shown (tests record them instead). Returns the previous one."""
    global _present_crash
    previous = _present_crash
    _present_crash = presenter
    return previous


def crash_details(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """Scrubbed, copyable report of an unexpected exception."""
    trace = "".join(traceback.format_exception(exc_type, exc, tb))
    header = f"{APP_NAME} {__version__} on Python {sys.version.split()[0]}, {sys.platform}"
    return scrub(f"{header}\n\n{trace}")


def _active_window() -> QWidget | None:
    app = QApplication.instance()
    return QApplication.activeWindow() if isinstance(app, QApplication) else None


def handle_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """``sys.excepthook``: log the exception (scrubbed) and show it without crashing the app."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if isinstance(exc, FinetuneError):
        # An expected error that a slot forgot to catch: still show it the normal way.
        log.warning("uncaught %s", scrub(f"{exc_type.__name__}: {exc}"))
        show_error(_active_window(), exc)
        return
    details = crash_details(exc_type, exc, tb)
    log.error("unexpected error\n%s", details)
    if QApplication.instance() is None:
        sys.stderr.write(details)
        return
    _present_crash(_active_window(), details)


def install_excepthook() -> Callable[[], None]:
    """Route uncaught exceptions to ``handle_uncaught``.

    Returns:
        A function that puts the previous hook back.
    """
    previous: ExceptHook = sys.excepthook
    sys.excepthook = handle_uncaught

    def uninstall() -> None:
        sys.excepthook = previous

    return uninstall
