"""The Evaluation window's results table model: 1,000 examples, answers applied in batches."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.core.types import ChatMessage
from desktop.ui.playground.evaluation_models import EvalResultsModel, ResultRole

pytestmark = pytest.mark.gui

MODELS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-nano-2025-04-14"]


def examples(count: int) -> list[EvalExample]:
    return [
        EvalExample(i, (ChatMessage("user", f"Question {i}?"),), f"Answer {i}.")
        for i in range(count)
    ]


def test_a_thousand_answers_reach_the_view_in_one_change_when_flushed(qtbot: Any) -> None:
    model = EvalResultsModel()
    model.set_run(examples(1000), MODELS)
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changes.append((top.row(), bottom.row())))
    batches: list[int] = []
    model.on_flush(lambda batch: batches.append(len(batch)))

    model.add_results(
        EvalResult(i, m, f"Answer {i}.", similarity=1.0) for i in range(1000) for m in MODELS
    )

    assert changes == [] and model.results == []  # nothing repaints per answer
    with qtbot.waitSignal(model.flushed, timeout=2000):
        pass  # the timer applies the queue within FLUSH_INTERVAL_MS
    assert changes == [(0, 999)] and batches == [2000]
    assert model.rowCount() == 1000 and model.columnCount() == 3 + 2 * 5
    cell = model.index(999, model.column_of(MODELS[1], "similarity"))
    assert cell.data() == "100 %"
    assert model.index(0, model.column_of(MODELS[0], "answer")).data(ResultRole).answer == (
        "Answer 0."
    )


def test_a_failed_answer_reads_failed_with_its_reason(qtbot: Any) -> None:
    model = EvalResultsModel()
    model.set_run(examples(1), MODELS[:1])
    model.add_results([EvalResult(0, MODELS[0], "", error="The model no longer exists.")])
    model.flush()
    answer = model.index(0, model.column_of(MODELS[0], "answer"))
    assert answer.data() == "Failed: The model no longer exists."
    assert answer.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, model.column_of(MODELS[0], "similarity")).data() == "—"
