"""The self-test's Playground steps: what a newcomer does once the Demo has a fine-tuned model.

Each step uses the real window's buttons and awaits what the click started: compare the base
model with the fine-tuned one blind and vote, evaluate the job's validation split, compare
the cost of a long prompt to the base model with a short one to the fine-tuned model, and turn
a chat reply into a new training example.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

__all__ = ["PLAYGROUND_STEPS", "PlaygroundSteps"]

PLAYGROUND_STEPS = [
    "demo: compare base and fine-tuned blind, vote",
    "demo: evaluate the validation split",
    "demo: prompt savings",
    "demo: add a chat reply to a dataset",
]

QUESTION = "Hi, how long does shipping take?"
LONG_INSTRUCTIONS = (
    "You are the customer support assistant of Lumen & Wick, an online shop for hand-poured "
    "soy candles. Always answer in three short parts: first one friendly sentence that shows "
    "you understood the question; then the answer or the next step in at most three "
    "sentences; then the sign-off. Never promise a refund, a date or a discount you cannot "
    "know; ask for the order number when you need it."
)
SHORT_PROMPT = "Lumen & Wick support."
CORRECTED_REPLY = (
    "Of course! You can change the delivery address until your order ships: reply with your "
    "order number and the new address. Warm wishes, the Lumen & Wick team"
)
SAMPLE_COPY = "self-test-sample.jsonl"
"""The copy of the sample dataset the walk trains on (see ``walk._sample_file``)."""


class PlaygroundSteps:
    """The Playground half of :class:`~desktop.selftest.walk.DemoWalk`.

    Needs ``_window``, ``_home``, ``_base_model`` and ``_tuned_model`` (set by the walk's job
    steps) on the class it is mixed into.
    """

    _window: Any
    _home: Path
    _base_model: str
    _tuned_model: str | None

    def _tuned(self) -> str:
        assert self._tuned_model, "no fine-tuned model: the job steps did not finish"
        return self._tuned_model

    async def _compare(self) -> str:
        playground = self._window.playground_tab
        tuned = self._tuned()
        playground.compare_button.click()
        view = playground.compare_view
        assert view is not None and view.isVisible(), "Compare… opened no window"
        assert view.choose_models([self._base_model, tuned]), "the models cannot be chosen"
        view.blind_check.setChecked(True)
        view.message_edit.setPlainText(QUESTION)
        view.send_button.click()
        task = view.compare_task
        assert task is not None, f"Send did not start: {view.info_label.text()}"
        await task
        columns = view.columns[:2]
        assert all(column.answer.strip() for column in columns), view.info_label.text()
        hidden = [column.title_label.text() for column in columns]
        assert not any(tuned in title for title in hidden), f"names shown: {hidden}"
        assert columns[0].vote_button.isEnabled(), "no vote possible"
        columns[0].vote_button.click()
        titles = [column.title_label.text() for column in columns]
        assert any(tuned in title for title in titles), f"names not revealed: {titles}"
        view.close()
        return f"blind answers from 2 models, vote kept; {view.info_label.text()}"

    async def _evaluate(self) -> str:
        playground = self._window.playground_tab
        tuned = self._tuned()
        assert playground.select_model(tuned), f"{tuned} cannot be chosen"
        playground.evaluate_button.click()
        view = playground.evaluation_view
        assert view is not None and view.isVisible(), "Evaluate… opened no window"
        assert view.chosen_models() == [self._base_model, tuned], view.chosen_models()
        source = view.test_set.source_combo.currentText()
        assert source.startswith("Validation file"), f"test set offered: {source!r}"
        if view.test_set.load_task is not None:
            await view.test_set.load_task
        examples = len(view.test_set.examples)
        assert examples > 0, view.test_set.summary_label.text()
        view.run_button.click()
        task = view.run_task
        assert task is not None, f"Run did not start: {view.status_label.text()}"
        await task
        results = view.results.model.results
        answered = [r for r in results if not r.failed]
        assert len(answered) == 2 * examples, view.status_label.text()
        view.close()
        return f"{examples} validation examples × 2 models: {view.status_label.text()}"

    async def _savings(self) -> str:
        playground = self._window.playground_tab
        playground.savings_button.click()
        view = playground.savings_view
        assert view is not None and view.isVisible(), "Prompt savings… opened no window"
        assert view.choose_models(self._base_model, self._tuned()), "the models cannot be chosen"
        view.base_side.system_edit.setPlainText(LONG_INSTRUCTIONS)
        view.tuned_side.system_edit.setPlainText(SHORT_PROMPT)
        view.message_edit.setPlainText(QUESTION)
        view.run_button.click()
        task = view.run_task
        assert task is not None, f"Run did not start: {view.headline_label.text()}"
        await task
        headline = str(view.headline_label.text())
        assert "shorter" in headline and "$" in headline, headline
        view.close()
        return headline

    async def _add_to_dataset(self) -> str:
        playground = self._window.playground_tab
        assert playground.select_model(self._tuned()), "the fine-tuned model cannot be chosen"
        playground.message_edit.setPlainText("Can I change my delivery address?")
        task = playground.send()
        assert task is not None, "Send did not start a reply"
        await task
        target = self._home / SAMPLE_COPY  # the dataset the job was trained on
        before = len(target.read_text(encoding="utf-8").splitlines())
        dialog = playground.open_add_to_dataset()
        assert dialog is not None, f"Add to dataset… opened no dialog: {playground.info_label}"
        dialog.reply_edit.setPlainText(CORRECTED_REPLY)
        dialog.choose_target(target)
        while dialog.check_pending:
            await asyncio.sleep(0.05)
        assert dialog.add_button.isEnabled(), dialog.check_label.text()
        dialog.add_button.click()
        task = dialog.add_task
        assert task is not None, dialog.result_label.text()
        await task
        lines = target.read_text(encoding="utf-8").splitlines()
        assert len(lines) == before + 1, dialog.result_label.text()
        record = json.loads(lines[-1])
        assert record["messages"][-1]["content"] == CORRECTED_REPLY, record
        dialog.close()
        return str(dialog.result_label.text())
