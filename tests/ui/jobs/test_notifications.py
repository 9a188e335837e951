"""Notifications: one line per finished job, through the system tray when there is one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from desktop.core.types import FineTuningJob, JobError
from desktop.ui.jobs.notifications import JobNotifier, notification_line

pytestmark = pytest.mark.gui

SUCCEEDED = FineTuningJob(
    id="ftjob-1",
    model="gpt-4o-mini-2024-07-18",
    status="succeeded",
    created_at=1,
    training_file="file-1",
    fine_tuned_model="ft:gpt-4o-mini-2024-07-18:org:support:abc",
)


class RecordingTray(QSystemTrayIcon):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, text: str, *args: Any) -> None:  # type: ignore[override]
        self.messages.append((title, text))


def test_tray_shows_model_result_and_cost_when_the_system_has_a_tray(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    trays: list[RecordingTray] = []

    def tray(parent: QObject) -> RecordingTray:
        trays.append(RecordingTray(parent))
        return trays[-1]

    notifier = JobNotifier(tray_factory=tray, parent=window)

    line = notifier.notify(SUCCEEDED, Decimal("0.42"))
    notifier.notify(SUCCEEDED, None)

    assert line == "Fine-tuning succeeded: ft:gpt-4o-mini-2024-07-18:org:support:abc — cost $0.42"
    assert len(trays) == 1
    assert trays[0].messages[0] == ("Finetune Studio", line)
    assert len(notifier.history) == 2


def test_line_says_what_went_wrong_when_the_job_failed() -> None:
    failed = FineTuningJob(
        id="ftjob-2",
        model="gpt-4o-mini-2024-07-18",
        status="failed",
        created_at=1,
        training_file="file-1",
        suffix="support",
        error=JobError(
            "invalid_training_file", "Invalid file format. Line 7: bad", "training_file"
        ),
    )

    line = notification_line(failed, None)

    assert line.startswith("Fine-tuning failed: gpt-4o-mini-2024-07-18 (support) — ")
    assert "line 7" in line


def test_tray_line_says_nothing_was_charged_when_the_job_was_simulated(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    trays: list[RecordingTray] = []

    def tray(parent: QObject) -> RecordingTray:
        trays.append(RecordingTray(parent))
        return trays[-1]

    notifier = JobNotifier(tray_factory=tray, parent=window)

    line = notifier.notify(SUCCEEDED, Decimal("0.11"), simulated=True)

    assert line.endswith(" — cost $0.11 (simulated, nothing charged)")
    assert trays[0].messages == [("Finetune Studio", line)]
