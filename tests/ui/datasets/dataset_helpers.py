"""Small training files and a ready Datasets tab for the tab's GUI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import qasync

from desktop.ui.datasets.widget import DatasetsWidget
from tests.ui.loop_helpers import run


def chat_line(user: str, answer: str, *, system: str | None = "You are helpful.") -> str:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return json.dumps({"messages": messages})


def good_lines(count: int) -> list[str]:
    return [chat_line(f"Question {i}?", f"Answer {i}.") for i in range(1, count + 1)]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def make_tab(qtbot: Any) -> DatasetsWidget:
    tab = DatasetsWidget()
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    return tab


def open_file(tab: DatasetsWidget, loop: qasync.QEventLoop, path: Path) -> None:
    """Open ``path`` in the tab and wait until it is checked."""
    task = tab.open_path(path)
    assert task is not None, "opening did not start"
    run(loop, task)
