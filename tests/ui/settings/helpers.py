"""Small "act like a person" helpers for the Settings dialog tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.connections import ConnectionKind
from desktop.ui.settings import SettingsDialog
from tests.ui.loop_helpers import next_emission, run


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Select everything in the field (Ctrl+A) and type ``text`` over it."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def add_profile(dialog: SettingsDialog, kind: ConnectionKind) -> None:
    """Choose a kind from the Add… menu."""
    dialog.ui.add_actions[kind].trigger()


def select_row(qtbot: QtBot, dialog: SettingsDialog, row: int) -> None:
    view = dialog.ui.profile_list
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def answer_questions(monkeypatch: object, answer: QMessageBox.StandardButton) -> list[str]:
    """Answer every QMessageBox.question with ``answer``; returns the titles asked."""
    asked: list[str] = []

    def fake_question(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake_question))  # type: ignore[attr-defined]
    return asked


def run_connection_test(qtbot: QtBot, dialog: SettingsDialog, loop: qasync.QEventLoop) -> object:
    """Click "Test connection" and run the qasync loop until the test reports."""

    async def click_and_wait() -> tuple[object, ...]:
        waiting = asyncio.ensure_future(next_emission(dialog.connection_checked))
        await asyncio.sleep(0)  # connect before clicking
        click(qtbot, dialog.ui.test_button)
        return await waiting

    (report,) = run(loop, click_and_wait(), timeout=30)
    return report


def files_containing(root: Path, secret: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``secret``."""
    needle = secret.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def qsettings_containing(secret: str) -> list[str]:
    settings = QSettings()
    return [k for k in settings.allKeys() if secret in str(settings.value(k))]
