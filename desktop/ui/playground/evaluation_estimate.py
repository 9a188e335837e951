"""The Evaluation window's cost line: what a run may cost, shown before anything is sent.

The line follows the test set, the "Only the first N" limit, the models and the Playground's
settings and system prompt. Changes are gathered for :data:`DEBOUNCE_MS`; the examples are then
counted in a worker thread (in chunks, once per tokenizer, and kept: a new model or limit only
counts what is missing) and priced with ``desktop.core.playground.evaluation_cost``. A result
for choices that changed meanwhile is dropped. On a real connection, Run asks first when the
estimate is over :data:`CONFIRM_ABOVE` or a model's price is unknown
(:meth:`CostEstimateWidget.refusal`); on the Demo nothing is charged and nothing is asked.
:func:`ask_about_cost` is that question, asked also before a saved run is finished or run
again on another model (``evaluation_saved``). The words are ``evaluation_cost_text``'s
(re-exported here). Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from desktop.core.catalog import ModelCatalog
from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalExample
from desktop.core.playground.evaluation_cost import (
    EvaluationEstimate,
    ExampleTokens,
    count_example_tokens,
    encoding_for,
    estimate_from_counts,
)
from desktop.core.playground.evaluation_runs import with_system_prompt
from desktop.core.playground.presets import GenerationSettings
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.evaluation_cost_text import (
    confirmation_text,
    estimate_text,
    money,
    sent_text,
)

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.evaluation_choices import ModelsBox
    from desktop.ui.playground.evaluation_test_set import TestSetWidget
    from desktop.ui.playground.model_picker import ModelPickerWidget
    from desktop.ui.playground.settings_panel import SettingsPanelWidget

__all__ = [
    "CONFIRM_ABOVE",
    "COUNT_CHUNK",
    "DEBOUNCE_MS",
    "NOT_RUN",
    "WAITING_TO_RUN",
    "CostEstimateWidget",
    "ask_about_cost",
    "confirmation_text",
    "estimate_text",
    "money",
    "needs_confirmation",
    "sent_text",
]

CONFIRM_ABOVE = Decimal("1.00")
"""On a real connection, Run asks first when the estimate is over this many US dollars."""

DEBOUNCE_MS = 250
COUNT_CHUNK = 500
"""Examples counted per worker call: stale work stops between chunks, done work is kept."""

ESTIMATING = "Estimating the cost…"
WAITING_TO_RUN = "Working out what this evaluation may cost first; it starts once that is known."
NOT_RUN = "Not run: nothing was sent."


def needs_confirmation(estimate: EvaluationEstimate) -> bool:
    """Whether Run asks first on a real connection: over :data:`CONFIRM_ABOVE`, or unknown."""
    return bool(estimate.unpriced_models) or estimate.known_cost > CONFIRM_ABOVE


def ask_about_cost(
    parent: QWidget | None,
    estimate: EvaluationEstimate | None,
    *,
    sent: str,
    title: str = "Run the evaluation",
) -> bool:
    """On a real connection, before anything is sent: ask when the estimate is over
    :data:`CONFIRM_ABOVE`, a price is unknown or the cost could not be estimated. Call from a
    plain (not async) callback: the question runs a nested event loop.

    Args:
        parent: the window asking.
        estimate: the estimate of exactly what will be sent (None: it could not be made).
        sent: what will be sent, for when there is no estimate (:func:`sent_text`).
        title: the question's title.

    Returns:
        True when it may be sent (nothing to ask, or the user said Run).
    """
    if estimate is None:
        question = f"The cost of this evaluation cannot be estimated ({sent}). Run it?"
    elif needs_confirmation(estimate):
        question = confirmation_text(estimate)
    else:
        return True
    return confirm(parent, title, question, action="Run")


@dataclass(frozen=True, slots=True)
class _Choices:
    """What the estimate depends on, read from the window at one moment."""

    examples: list[EvalExample]  # the test set's list (identity matters), not a copy
    count: int  # how many of them are sent
    system_prompt: str
    models: tuple[str, ...]
    settings: GenerationSettings
    catalog: ModelCatalog | None
    demo: bool

    def same(self, other: _Choices | None) -> bool:
        return (
            other is not None
            and self.examples is other.examples
            and (self.catalog is other.catalog or self.catalog == other.catalog)
            and (self.count, self.system_prompt, self.models, self.settings, self.demo)
            == (other.count, other.system_prompt, other.models, other.settings, other.demo)
        )


def _count_chunk(
    examples: Sequence[EvalExample], system_prompt: str, encoding: str
) -> tuple[ExampleTokens, ...]:
    return count_example_tokens(with_system_prompt(examples, system_prompt), encoding)


class CostEstimateWidget(QLabel):
    """The cost line under the models. GUI thread only; counting runs in worker threads.

    Invariants: at most one estimating task runs (``task``); ``estimate`` is the estimate of
    ``estimated_for`` only, and a result is shown only if the choices did not change meanwhile.
    ``updated`` is emitted whenever the line changes to a settled state.
    """

    updated = Signal()

    def __init__(
        self,
        service: ConnectionService,
        picker: ModelPickerWidget,
        settings_panel: SettingsPanelWidget,
        test_set: TestSetWidget,
        models_box: ModelsBox,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("evalCostEstimate")
        self.setWordWrap(True)
        self.setVisible(False)
        self._service = service
        self._picker = picker
        self._settings = settings_panel
        self._test_set = test_set
        self._models_box = models_box
        self.estimate: EvaluationEstimate | None = None
        self._estimated_for: _Choices | None = None
        self._counted_for: tuple[list[EvalExample], str] | None = None
        self._counts: dict[str, list[ExampleTokens]] = {}
        self._generation = 0
        self._retry: Callable[[], object] | None = None
        self.task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timeout)
        test_set.loaded.connect(self.schedule)
        test_set.limit_check.toggled.connect(self.schedule)
        test_set.limit_spin.valueChanged.connect(self.schedule)
        models_box.count_spin.valueChanged.connect(self.schedule)
        for combo in models_box.combos:
            combo.currentIndexChanged.connect(self.schedule)
        settings_panel.changed.connect(self.schedule)
        service.connection_changed.connect(self.schedule)

    # ------------------------------------------------------------------ state

    @property
    def pending(self) -> bool:
        """Whether a change is still being estimated."""
        return self._timer.isActive() or (self.task is not None and not self.task.done())

    def _choices(self) -> _Choices:
        settings, _ = self._settings.read()
        models = dict.fromkeys(m for m in self._models_box.chosen_models() if m is not None)
        examples = [] if self._test_set.is_loading else self._test_set.examples
        count = len(self._test_set.limited_examples()) if examples else 0
        return _Choices(
            examples=examples,
            count=count,
            system_prompt=self._settings.system_prompt,
            models=tuple(models),
            settings=settings,
            catalog=self._picker.catalog(),
            demo=bool(self._service.is_demo),
        )

    def schedule(self, *_args: object) -> None:
        """Estimate again once the choices settle for :data:`DEBOUNCE_MS`."""
        self._generation += 1
        self._timer.start()

    def _on_timeout(self) -> None:
        if not asyncio.get_event_loop().is_running():
            # Qt may fire the timer while the asyncio loop is not running (only in tests,
            # between two runs of the loop): a task would find no running loop; wait instead.
            self._timer.start()
            return
        if self.task is None or self.task.done():
            self.task = self._refresh()
        # else the running task sees the new generation and starts over with the new choices

    # ------------------------------------------------------------------ estimating

    @async_slot()
    async def _refresh(self) -> None:
        while True:
            generation = self._generation
            choices = self._choices()
            if not choices.count or not choices.models:
                self._show(choices, None, "")
                return
            try:
                estimate = await self._estimate(choices, generation)
            except FinetuneError as exc:
                if not isValid(self):
                    return
                if generation != self._generation:
                    continue
                self._show(choices, None, f"The cost cannot be estimated: {exc.user_message}")
                return
            if not isValid(self):
                return  # the window was closed and deleted while counting
            if estimate is not None and generation == self._generation:
                self._show(choices, estimate, estimate_text(estimate, demo=choices.demo))
                return

    async def _estimate(self, choices: _Choices, generation: int) -> EvaluationEstimate | None:
        """The estimate of ``choices``; None when they changed while counting."""
        key = (choices.examples, choices.system_prompt)
        if self._counted_for is None or not (
            self._counted_for[0] is key[0] and self._counted_for[1] == key[1]
        ):
            self._counted_for, self._counts = key, {}
        counts: dict[str, Sequence[ExampleTokens]] = {}
        for encoding in dict.fromkeys(encoding_for(m, choices.catalog) for m in choices.models):
            done = self._counts.setdefault(encoding, [])
            while len(done) < choices.count:
                if len(done) + COUNT_CHUNK < choices.count:
                    self._say(ESTIMATING)  # more than a moment: don't leave a stale figure
                chunk = choices.examples[len(done) : min(len(done) + COUNT_CHUNK, choices.count)]
                more = await asyncio.to_thread(_count_chunk, chunk, choices.system_prompt, encoding)
                if (
                    not isValid(self)
                    or self._counted_for is not key
                    or self._counts.get(encoding) is not done
                ):
                    return None  # another test set or system prompt: these counts are stale
                done.extend(more)
                if generation != self._generation:
                    return None
            counts[encoding] = done[: choices.count]
        return await asyncio.to_thread(  # quick, but 4 sums over up to 1,000,000 counts
            estimate_from_counts, counts, choices.models, choices.catalog, choices.settings
        )

    def _say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def _show(self, choices: _Choices, estimate: EvaluationEstimate | None, text: str) -> None:
        self.estimate = estimate
        self._estimated_for = choices
        self._say(text)
        self.updated.emit()
        retry, self._retry = self._retry, None
        if retry is not None and self.window().isVisible():
            asyncio.get_running_loop().call_soon(retry)  # Run was clicked before it was known

    # ------------------------------------------------------------------ before Run

    def refusal(self, retry: Callable[[], object]) -> str:
        """Check the cost before Run sends anything; ask first when it may cost over
        :data:`CONFIRM_ABOVE` (or an unknown amount) on a real connection.

        Args:
            retry: what to call once the estimate is known, when it is not known yet (Run).

        Returns:
            "" when Run may go on; else the status line saying why it does not (yet).
        """
        choices = self._choices()
        if choices.demo or not choices.count or not choices.models:
            return ""  # simulated: nothing is charged (or nothing would be sent)
        if self.pending or not choices.same(self._estimated_for):
            self._retry = retry
            self._generation += 1
            self._timer.stop()
            self._on_timeout()
            return WAITING_TO_RUN
        sent = sent_text(choices.count, [choices.count] * len(choices.models))
        return "" if ask_about_cost(self.window(), self.estimate, sent=sent) else NOT_RUN
