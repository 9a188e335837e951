"""Helpers for the Evaluation window's GUI tests: test sets, opening the window, running."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground import dialogs
from desktop.ui.playground.evaluation import EvaluationWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run, until
from tests.ui.playground.helpers import GONE, MINI, MINI_41, NANO


def write_test_set(path: Path, count: int, *, bad_lines: tuple[int, ...] = ()) -> Path:
    """``count`` usable examples, plus unusable lines at the 1-based positions ``bad_lines``."""
    lines: list[str] = []
    number = 0
    while number < count:
        if len(lines) + 1 in bad_lines:
            lines.append(json.dumps({"messages": [{"role": "user", "content": "No reply"}]}))
            continue
        number += 1
        messages = [
            {"role": "user", "content": f"What is the opening time of shop {number}?"},
            {"role": "assistant", "content": f"Shop {number} opens at nine."},
        ]
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def click(qtbot: Any, widget: Any) -> None:
    assert widget.isEnabled(), f"{widget.text()} cannot be clicked"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_evaluation(qtbot: Any, window: Any) -> EvaluationWidget:
    playground = window.playground_tab
    click(qtbot, playground.evaluate_button)
    view: EvaluationWidget | None = playground.evaluation_view
    assert view is not None and view.isVisible()
    return view


def browse(qtbot: Any, loop: Any, view: EvaluationWidget, answers: Any, path: Path) -> None:
    """Browse… for ``path`` like a person and wait until it is read."""
    answers.paths.append(path)
    click(qtbot, view.test_set.browse_button)
    task = view.test_set.load_task
    assert task is not None, "Browse… did not start reading the file"
    run(loop, task)


def ready_to_run(
    qtbot: Any,
    loop: Any,
    window: Any,
    answers: Any,
    path: Path,
    *,
    at_once: int,
    models: list[str],
) -> EvaluationWidget:
    """Open Evaluate…, browse for ``path``, ask ``at_once`` answers at a time of ``models``."""
    view = open_evaluation(qtbot, window)
    browse(qtbot, loop, view, answers, path)
    view.models_box.concurrency_spin.setValue(at_once)
    assert view.choose_models(models)
    return view


def start(qtbot: Any, view: EvaluationWidget, button: Any = None) -> asyncio.Task[None]:
    """Click ``button`` (default: Run) and return the run it started."""
    click(qtbot, view.run_button if button is None else button)
    task = view.run_task
    assert task is not None, f"Run did not start: {view.status_label.text()}"
    return task


def evaluate(
    qtbot: Any, loop: Any, view: EvaluationWidget, models: list[str], timeout: float = 60
) -> None:
    """Choose ``models``, click Run and wait for the end (if it started)."""
    assert view.choose_models(models)
    click(qtbot, view.run_button)
    if view.run_task is not None:
        run(loop, view.run_task, timeout)


def evaluated(
    qtbot: Any, loop: Any, window: Any, answers: Any, path: Path, models: list[str]
) -> EvaluationWidget:
    """Open Evaluate…, browse for ``path`` and run it on ``models`` to the end."""
    view = open_evaluation(qtbot, window)
    browse(qtbot, loop, view, answers, path)
    evaluate(qtbot, loop, view, models)
    return view


def when_progress(view: EvaluationWidget, at_least: int, action: Any) -> None:
    """Call ``action()`` once, as soon as the progress bar reaches ``at_least``."""
    done = False

    def check(value: int) -> None:
        nonlocal done
        if not done and value >= at_least:
            done = True
            action()

    view.progress_bar.valueChanged.connect(check)


async def settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


def chat_models(emulator: Any) -> list[str]:
    """The model of every chat request the emulator answered with 200, in order."""
    return [
        json.loads(r.body)["model"]
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith("/chat/completions") and r.status == 200
    ]


@pytest.fixture
def choice_answers() -> Iterator[list[str | None]]:
    """Answers ``ask_choice`` with the next of the list (None: cancelled)."""
    answers: list[str | None] = []

    def choose(_parent: Any, _title: str, _label: str, items: list[str]) -> str | None:
        answer = answers.pop(0) if answers else None
        assert answer is None or answer in items, f"{answer} is not offered: {items}"
        return answer

    previous = dialogs.set_choice_asker(choose)
    try:
        yield answers
    finally:
        dialogs.set_choice_asker(previous)


__all__ = [
    "GONE",
    "MINI",
    "MINI_41",
    "NANO",
    "browse",
    "chat_models",
    "choice_answers",
    "click",
    "evaluate",
    "evaluated",
    "open_evaluation",
    "ready_to_run",
    "settle",
    "start",
    "until",
    "when_progress",
    "write_test_set",
]


def open_real_connection(make_window: WindowFactory, loop: Any, emulator: Any) -> MainWindow:
    """The window on an OpenAI-compatible (not Demo) connection served by the emulator."""
    window = make_window(demo_url=emulator.base_url)
    context = context_of(window)
    profile = context.profiles.save(
        ConnectionProfile(
            id="work1",
            name="Work",
            kind=ConnectionKind.COMPATIBLE,
            base_url=emulator.base_url,
        )
    )
    context.keychain.set(profile.id, "sk-work-key-123456")
    window.tabs.setCurrentWidget(window.playground_tab)
    run(loop, context.connection_service.activate(profile.id))
    assert not context.connection_service.is_demo
    return window
