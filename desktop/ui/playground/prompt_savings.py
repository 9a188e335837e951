"""The Playground's Prompt savings window: base model + long instructions against a fine-tuned
model + short prompt, on one test message.

Run sends both requests at once (``compare``: one ``stream_reply`` each) with the Playground's
generation settings (temperature, top-p, max output tokens, stop sequences, seed) when a settings
panel is given; a failing side shows its error and never holds up the other. Under the answers a
table gives, for each side, prompt and output tokens, cost per request and per 1,000 requests,
time to first token, total time and whose prices were used; a line sums it up from
``compare_prompt_savings`` ("N % shorter prompt, $X less per 1,000 requests (Y % cheaper)"), and
one under it gives the break-even (``savings_break_even``): a fine-tuned model costs more per
token, so from what length of the base model's prompt the fine-tuned side is the cheaper one.
Prices come from the catalog (base models at their own prices, fine-tuned ones at their base's
fine-tuned prices) unless the user types their own on a side; changing a price recomputes the
figures without sending again. On the Demo connection the costs are marked as simulated.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.api.evaluation_runner import StreamedReply, compare
from desktop.core.catalog import base_model_id
from desktop.core.errors import FinetuneError
from desktop.core.playground.break_even import savings_break_even
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.usage_cost import (
    PromptSavings,
    PromptVariant,
    ReplyCost,
    UsagePrices,
    compare_prompt_savings,
    is_fine_tuned_model,
    reply_cost,
)
from desktop.core.types import ChatMessage, ChatRequest
from desktop.ui.common.async_slots import async_slot
from desktop.ui.playground.compare_votes import reply_as_turn
from desktop.ui.playground.savings_results import (
    NO_FINE_TUNED_MODEL,
    TABLE_ROWS,
    SavingsTableWidget,
    break_even_text,
    savings_headline,
    settings_text,
    side_values,
    summary_label,
)
from desktop.ui.playground.savings_side import SavingsSideWidget
from desktop.ui.playground.transcript import reply_footer

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget
    from desktop.ui.playground.settings_panel import SettingsPanelWidget

__all__ = ["TABLE_ROWS", "PromptSavingsWidget", "savings_headline"]

BASE, TUNED = 0, 1


class PromptSavingsWidget(QWidget):
    """Two sides, one test message, Run and the savings table. Call only from the GUI thread.

    Invariants: at most one run at a time (``run_task``); ``savings`` and the table describe the
    last run, recomputed when a price changes.
    """

    def __init__(
        self,
        service: ConnectionService,
        picker: ModelPickerWidget,
        parent: QWidget | None = None,
        *,
        settings_panel: SettingsPanelWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("promptSavingsView")
        self.setWindowTitle("Prompt savings")
        self._service = service
        self._picker = picker
        self._settings = settings_panel
        self.run_task: asyncio.Task[None] | None = None
        self._stop_event: asyncio.Event | None = None
        self._prompts: dict[int, tuple[ChatMessage, ...]] = {}
        self._models: dict[int, str] = {}
        self._replies: dict[int, StreamedReply] = {}
        self.savings: PromptSavings | None = None
        self._build()
        self.choose_defaults()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        choices = self._picker.choices
        self.base_side = SavingsSideWidget(
            "Base model + long instructions",
            "base",
            "The full instructions a base model needs: role, tone, format, rules, examples…",
            choices,
        )
        self.tuned_side = SavingsSideWidget(
            "Fine-tuned model + short prompt",
            "tuned",
            "A short system prompt (may be empty): the fine-tuned model learnt the rest.",
            choices,
        )
        sides = QHBoxLayout()
        for side in self._sides:
            sides.addWidget(side, 1)
            side.model_combo.currentIndexChanged.connect(self._on_model_changed)
            side.prices_changed.connect(self._on_prices_changed)
        layout.addLayout(sides, 1)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setObjectName("savingsMessageEdit")
        self.message_edit.setPlaceholderText("One test message, sent to both sides")
        self.message_edit.setMaximumHeight(80)
        layout.addWidget(self.message_edit)
        self.settings_label = QLabel()
        self.settings_label.setObjectName("savingsSettingsLabel")
        self.settings_label.setWordWrap(True)
        layout.addWidget(self.settings_label)
        self.table = SavingsTableWidget()
        layout.addWidget(self.table)
        bottom = QHBoxLayout()
        self.headline_label = summary_label("savingsHeadline")
        self.break_even_label = summary_label("savingsBreakEven")
        self.break_even_label.setVisible(False)
        lines = QVBoxLayout()
        lines.addWidget(self.headline_label)
        lines.addWidget(self.break_even_label)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("savingsRunButton")
        self.run_button.setToolTip("Send the test message to both sides at once")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("savingsStopButton")
        bottom.addLayout(lines, 1)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.run_button)
        layout.addLayout(bottom)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.stop_button.clicked.connect(self.stop)
        if self._settings is not None:
            self._settings.changed.connect(self._show_settings)
        self._show_settings()
        self._update_buttons()
        self.resize(1100, 800)

    def choose_defaults(self) -> None:
        """Choose a base model on the left and a fine-tuned one on the right, where unset."""
        choices = self._picker.choices
        ids: list[str] = []
        for row in range(choices.rowCount()):
            choice = choices.choice(row)
            if choice is not None and choice.enabled:
                ids.append(choice.id)
        tuned = next((m for m in ids if is_fine_tuned_model(m)), None)
        own_base = base_model_id(tuned) if tuned is not None else None
        base = (
            own_base
            if own_base in ids
            else next((m for m in ids if not is_fine_tuned_model(m)), None)
        )
        for side, model in ((self.base_side, base), (self.tuned_side, tuned or base)):
            if side.model_combo.currentIndex() < 0 and model is not None:
                side.model_combo.setCurrentIndex(choices.row_of(model))
        self._on_model_changed()
        if tuned is None and self.savings is None and not self.is_running:
            self._say(NO_FINE_TUNED_MODEL)

    def choose_models(self, base: str, tuned: str) -> bool:
        """Choose both models; False when one is not listed."""
        rows = [self._picker.choices.row_of(base), self._picker.choices.row_of(tuned)]
        self.base_side.model_combo.setCurrentIndex(rows[0])
        self.tuned_side.model_combo.setCurrentIndex(rows[1])
        return min(rows) >= 0

    @property
    def is_running(self) -> bool:
        return self.run_task is not None and not self.run_task.done()

    @property
    def _sides(self) -> tuple[SavingsSideWidget, SavingsSideWidget]:
        return (self.base_side, self.tuned_side)

    @property
    def _demo(self) -> bool:
        return bool(self._service.is_demo)

    def _update_buttons(self) -> None:
        running = self.is_running
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _read_settings(self) -> tuple[GenerationSettings, list[str]]:
        if self._settings is None:
            return GenerationSettings(), []
        return self._settings.read()

    def _show_settings(self) -> None:
        if self._settings is None:
            self.settings_label.setText("Both requests use the service's default settings.")
            return
        self.settings_label.setText(settings_text(*self._settings.read()))

    def _on_model_changed(self) -> None:
        catalog = self._picker.catalog()
        for side in self._sides:
            side.refresh_catalog_prices(catalog)

    def _on_prices_changed(self) -> None:
        if self.is_running or not self._replies:
            return
        for index, reply in self._replies.items():
            self._fill_column(index, reply)
        self._show_savings()

    def _prices(self) -> dict[str, UsagePrices]:
        """The prices each side uses, by model id, for ``reply_cost``/``compare_prompt_savings``."""
        chosen: dict[str, UsagePrices] = {}
        for index, side in enumerate(self._sides):
            prices = side.prices()
            model = self._models.get(index)
            if prices is not None and model is not None:
                chosen[model] = prices
        return chosen

    # ------------------------------------------------------------------ running

    def _on_run_clicked(self) -> None:
        self.run()

    def run(self) -> asyncio.Task[None] | None:
        """Send the test message to both sides. Returns the task, or None (headline says why)."""
        if self.is_running:
            return None
        base, tuned = self.base_side.model, self.tuned_side.model
        if base is None or tuned is None:
            self._say("Choose a model on both sides first.")
            return None
        text = self.message_edit.toPlainText()
        if not text.strip():
            self._say("Write a test message first.")
            return None
        self._on_model_changed()  # the catalog may have loaded since the window opened
        settings, problems = self._read_settings()
        problems += [p for side in self._sides for p in side.price_problems()]
        if problems:
            self._say("Correct the settings first: " + " ".join(problems))
            return None
        self._models = {BASE: base, TUNED: tuned}
        self._prompts = {}
        for index, side in enumerate(self._sides):
            system = side.system_edit.toPlainText().strip()
            messages = [ChatMessage("system", system)] if system else []
            messages.append(ChatMessage("user", text))
            self._prompts[index] = tuple(messages)
            side.column.begin(self._models[index], blind=False)
        self._replies = {}
        self.savings = None
        self.table.clearContents()
        self._say("Waiting for both answers…")
        task = self._run(settings)
        self.run_task = task
        task.add_done_callback(self._on_task_done)
        self._update_buttons()
        return task

    def stop(self) -> bool:
        """Stop both answers; what arrived stays. True if a run was going."""
        if not self.is_running or self._stop_event is None:
            return False
        self._stop_event.set()
        return True

    @async_slot()
    async def _run(self, settings: GenerationSettings) -> None:
        requests = [
            ChatRequest(
                self._models[i],
                self._prompts[i],
                temperature=settings.temperature,
                top_p=settings.top_p,
                max_tokens=settings.max_tokens,
                stop=settings.stop,
                seed=settings.seed,
            )
            for i in (BASE, TUNED)
        ]
        self._stop_event = asyncio.Event()
        try:
            provider = await self._service.provider()
        except FinetuneError as exc:
            for side in self._sides:
                side.column.footer.setText(f"Failed: {exc.user_message}")
            self._say(exc.user_message)
            return
        await compare(
            provider,
            requests,
            on_text=lambda index, piece: self._sides[index].column.append(piece),
            on_done=self._on_side_done,
            stop=self._stop_event,
        )
        self._show_savings()

    def _on_side_done(self, index: int, reply: StreamedReply) -> None:
        self._replies[index] = reply
        column = self._sides[index].column
        column.flush()
        if reply.failed and not reply.text:
            column.reply_view.setPlainText(reply.error_message)
        self._fill_column(index, reply)

    def _cost(self, index: int) -> ReplyCost | None:
        """One side's tokens and cost at the prices it uses; None before the catalog loads."""
        catalog = self._picker.catalog()
        if catalog is None:
            return None
        reply = self._replies[index]
        return reply_cost(
            self._models[index],
            usage=reply.usage,
            prompt=self._prompts[index],
            reply=reply.text,
            catalog=catalog,
            extra_prices=self._prices(),
        )

    def _fill_column(self, index: int, reply: StreamedReply) -> None:
        model, prompt = self._models[index], self._prompts[index]
        turn = reply_as_turn(model, reply, prompt=prompt, catalog=self._picker.catalog())
        cost = self._cost(index)
        if cost is not None and not reply.failed:  # the side's prices, maybe the user's
            turn = dataclasses.replace(turn, cost=cost.cost, prices_as_of=cost.prices_as_of)
        self._sides[index].column.footer.setText(reply_footer(turn, simulated=self._demo))
        if reply.failed:
            values = ["failed"] * len(TABLE_ROWS)
        elif cost is None:
            values = ["unknown"] * len(TABLE_ROWS)
        else:
            prices = self._sides[index].prices()
            values = side_values(cost, reply, prices, simulated=self._demo)
        self.table.show_side(index, values)

    def _show_savings(self) -> None:
        catalog = self._picker.catalog()
        failed = [i for i in (BASE, TUNED) if i not in self._replies or self._replies[i].failed]
        if failed:
            names = " and ".join(self._sides[i].title_text for i in failed)
            self._say(f"{names} failed (see its answer); no savings can be worked out this time.")
            return
        if catalog is None:
            self._say("The model list is not loaded yet; costs are unknown.")
            return
        variants = []
        for index in (BASE, TUNED):
            cost = self._cost(index)
            if cost is None:  # the catalog went away meanwhile
                return
            latency = self._replies[index].total_time
            model, prompt = self._models[index], self._prompts[index]
            variants.append(PromptVariant(model, prompt, usage=cost.usage, latency=latency))
        self.savings = compare_prompt_savings(
            variants[BASE], variants[TUNED], catalog, extra_prices=self._prices()
        )
        self._say(
            savings_headline(self.savings, simulated=self._demo),
            break_even_text(savings_break_even(self.savings), simulated=self._demo),
        )

    def _say(self, headline: str, break_even: str = "") -> None:
        """Show the headline and the break-even line under it (hidden when empty)."""
        self.headline_label.setText(headline)
        self.break_even_label.setText(break_even)
        self.break_even_label.setVisible(bool(break_even))

    def side_figures(self, index: int) -> list[str]:
        """The table's texts for one side (0 base, 1 fine-tuned), top to bottom."""
        return self.table.side_texts(index)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if self.run_task is task:
            self.run_task = None
        self._update_buttons()

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)

    def shutdown(self) -> asyncio.Task[None] | None:
        """Stop both sides (the window is closing). Returns the task to await, if any."""
        task = self.run_task
        self.stop()
        self.close()
        return task
