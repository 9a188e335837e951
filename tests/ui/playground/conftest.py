"""Fixtures for the Playground's GUI tests: the window on the Playground, answers to its name and
file questions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground import dialogs
from tests.ui.conftest import WindowFactory
from tests.ui.playground.helpers import open_playground


@dataclass
class DialogAnswers:
    """What the next questions are answered (None = the user cancels) and what was asked."""

    texts: list[str | None] = field(default_factory=list)
    paths: list[Path | None] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)


@pytest.fixture
def dialog_answers() -> Iterator[DialogAnswers]:
    """Answers ``ask_text``, ``ask_save_path`` and ``ask_open_path`` without modal dialogs
    (both path questions take the next of ``paths``)."""
    answers = DialogAnswers()

    def text(_parent: Any, title: str, _label: str, _text: str) -> str | None:
        answers.asked.append(title)
        return answers.texts.pop(0) if answers.texts else None

    def path(_parent: Any, title: str, _suggested: str, _filter: str) -> Path | None:
        answers.asked.append(title)
        return answers.paths.pop(0) if answers.paths else None

    def open_path(_parent: Any, title: str, _filter: str) -> Path | None:
        answers.asked.append(title)
        return answers.paths.pop(0) if answers.paths else None

    previous_text = dialogs.set_text_asker(text)
    previous_path = dialogs.set_save_path_asker(path)
    previous_open = dialogs.set_open_path_asker(open_path)
    try:
        yield answers
    finally:
        dialogs.set_text_asker(previous_text)
        dialogs.set_save_path_asker(previous_path)
        dialogs.set_open_path_asker(previous_open)


@pytest.fixture
def window(make_window: WindowFactory, emulator: Any, qasync_loop: Any) -> MainWindow:
    """The main window on the Playground tab, its Demo on the test's emulator, models loaded
    (request it after the fixtures that answer dialogs or record errors)."""
    return open_playground(make_window, qasync_loop, emulator.base_url)
