"""Guards against a Qt binding that corrupts the interpreter.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a Qt
method that returns nothing: after enough calls (a long session, a streamed reply) the process
aborts with "Fatal Python error: none_dealloc". ``pyproject.toml`` excludes that release; this
test fails if an installed binding behaves that way again.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

pytestmark = pytest.mark.gui

CALLS = 2_000


def test_void_qt_calls_keep_references_to_none_when_called_repeatedly(qapp: QApplication) -> None:
    button = QPushButton()
    before = sys.getrefcount(None)

    for _ in range(CALLS):
        button.setEnabled(True)

    # Other code may take or drop a few references meanwhile; a leak loses one per call.
    assert before - sys.getrefcount(None) < CALLS // 2
