"""Tell the user when a job finishes, fails or is cancelled, even with the window in the back.

One line (model, result, cost) goes to the desktop's notification area through
``QSystemTrayIcon.showMessage`` when the system has one; the Jobs tab shows the same line in
its message strip either way, and ``QApplication.alert`` flashes the window's task-bar entry.

Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon, QWidget

from desktop import APP_NAME
from desktop.core.jobs.failures import explain_failure
from desktop.core.types import FineTuningJob
from desktop.ui.jobs.formatting import format_job_cost, job_title

MESSAGE_MS = 10_000


def notification_line(job: FineTuningJob, cost: Decimal | None, *, simulated: bool = False) -> str:
    """``Fine-tuning succeeded: ft:gpt-4o-mini:…:abc — cost $0.42`` and the like.

    Args:
        job: the finished job.
        cost: what it cost, when known.
        simulated: the job ran on a Demo connection (the cost says nothing was charged).
    """
    title = job_title(job)
    if job.status == "succeeded":
        text = f"Fine-tuning succeeded: {title}"
    elif job.status == "failed":
        explanation = explain_failure(job)
        reason = f" — {explanation.what}" if explanation is not None else ""
        text = f"Fine-tuning failed: {title}{reason}"
    elif job.status == "cancelled":
        text = f"Fine-tuning cancelled: {title}"
    else:
        text = f"Fine-tuning {job.status}: {title}"
    if cost is not None:
        text += f" — cost {format_job_cost(cost, simulated=simulated)}"
    return text


TrayFactory = Callable[[QObject], "QSystemTrayIcon | None"]


def _default_tray(parent: QObject) -> QSystemTrayIcon | None:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    app = QApplication.instance()
    icon = QApplication.windowIcon() if isinstance(app, QApplication) else QIcon()
    if icon.isNull() and isinstance(app, QApplication):
        style = app.style()
        icon = style.standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
    tray = QSystemTrayIcon(icon, parent)
    tray.setToolTip(APP_NAME)
    tray.show()
    return tray


class JobNotifier(QObject):
    """Shows one line per finished job. ``notified`` carries each line (tests listen)."""

    notified = Signal(str)

    def __init__(
        self, *, tray_factory: TrayFactory = _default_tray, parent: QWidget | None = None
    ) -> None:
        """Args:
        tray_factory: makes the tray icon (None when the system has no tray).
        parent: the widget whose window is flashed.
        """
        super().__init__(parent)
        self._widget = parent
        self._tray_factory = tray_factory
        self._tray: QSystemTrayIcon | None = None
        self._tray_checked = False
        self.history: list[str] = []

    @property
    def tray(self) -> QSystemTrayIcon | None:
        return self._tray

    def notify(self, job: FineTuningJob, cost: Decimal | None, *, simulated: bool = False) -> str:
        """Tell the user about a finished job; returns the line shown.

        Args:
            job: the finished job.
            cost: what it cost, when known.
            simulated: the job ran on a Demo connection.
        """
        line = notification_line(job, cost, simulated=simulated)
        if not self._tray_checked:
            self._tray_checked = True
            self._tray = self._tray_factory(self)
        if self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if job.status == "failed"
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(APP_NAME, line, icon, MESSAGE_MS)
        if self._widget is not None:
            QApplication.alert(self._widget.window())
        self.history.append(line)
        self.notified.emit(line)
        return line
