"""The Playground's Prompt savings window: base model + long instructions against a fine-tuned
model + short prompt, on one test message.

Run sends both requests at once (``compare``: one ``stream_reply`` each); a failing side shows
its error and never holds up the other. Under the answers a table gives, for each side, input
and output tokens, cost per request and per 1,000 requests, time to first token and total time,
and a headline from ``compare_prompt_savings``: how much shorter the fine-tuned prompt is and
what it saves per 1,000 requests. Unknown prices are said in words; on the Demo connection the
costs are marked as simulated.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.api.evaluation_runner import StreamedReply, compare
from desktop.core.errors import FinetuneError
from desktop.core.playground.usage_cost import (
    PromptSavings,
    PromptVariant,
    compare_prompt_savings,
    is_fine_tuned_model,
    reply_cost,
)
from desktop.core.types import ChatMessage, ChatRequest
from desktop.ui.common.async_slots import async_slot
from desktop.ui.playground.compare_column import CompareColumn
from desktop.ui.playground.compare_votes import reply_as_turn
from desktop.ui.playground.models import ModelChoiceModel, ModelIdRole
from desktop.ui.playground.transcript import format_cost, reply_footer

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget

__all__ = ["TABLE_ROWS", "PromptSavingsWidget", "savings_headline"]

BASE, TUNED = 0, 1
TABLE_ROWS = (
    "Input tokens",
    "Output tokens",
    "Cost per request",
    "Cost per 1,000 requests",
    "Time to first token",
    "Total time",
)
_UNKNOWN_PRICE = "price unknown"


def _money(cost: Decimal | None, *, simulated: bool) -> str:
    if cost is None:
        return _UNKNOWN_PRICE
    return format_cost(cost) + (" (simulated)" if simulated else "")


def savings_headline(savings: PromptSavings, *, simulated: bool) -> str:
    """One sentence: how much shorter the fine-tuned prompt is and what it saves."""
    shorter = savings.prompt_shorter_percent
    if shorter >= 0:
        head = f"The fine-tuned prompt is {shorter} % shorter"
    else:
        head = f"The fine-tuned prompt is {-shorter} % longer"
    saved = savings.cost_saved_per_1000
    if saved is None:
        unknown = [
            side.model for side in (savings.base, savings.tuned) if side.cost_per_1000 is None
        ]
        tail = (
            "; the cost difference cannot be given because the price of "
            + " and ".join(unknown)
            + " is not known"
        )
    elif saved >= 0:
        tail = f" and costs {format_cost(saved)} less per 1,000 requests"
    else:
        tail = f" and costs {format_cost(-saved)} more per 1,000 requests"
    note = " (simulated costs: the Demo connection charges nothing)" if simulated else ""
    return head + tail + note + "."


class _Side(QGroupBox):
    """One side: its model, its system instructions and its answer."""

    def __init__(self, title: str, name: str, placeholder: str, choices: ModelChoiceModel) -> None:
        super().__init__(title)
        self.setObjectName(f"{name}Side")
        layout = QVBoxLayout(self)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName(f"{name}ModelCombo")
        self.model_combo.setModel(choices)
        self.model_combo.setCurrentIndex(-1)
        self.system_edit = QPlainTextEdit()
        self.system_edit.setObjectName(f"{name}SystemEdit")
        self.system_edit.setPlaceholderText(placeholder)
        self.system_edit.setMaximumHeight(140)
        self.column = CompareColumn(0)
        self.column.vote_button.setVisible(False)
        self.column.title_label.setVisible(False)
        model_label = QLabel("Model")
        model_label.setBuddy(self.model_combo)
        system_label = QLabel("System instructions")
        system_label.setBuddy(self.system_edit)
        layout.addWidget(model_label)
        layout.addWidget(self.model_combo)
        layout.addWidget(system_label)
        layout.addWidget(self.system_edit)
        layout.addWidget(self.column, 1)

    @property
    def model(self) -> str | None:
        data = self.model_combo.currentData(ModelIdRole)
        return str(data) if data else None


class PromptSavingsWidget(QWidget):
    """Two sides, one test message, Run and the savings table. Call only from the GUI thread."""

    def __init__(
        self,
        service: ConnectionService,
        picker: ModelPickerWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("promptSavingsView")
        self.setWindowTitle("Prompt savings")
        self._service = service
        self._picker = picker
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
        self.base_side = _Side(
            "Base model + long instructions",
            "base",
            "The full instructions a base model needs: role, tone, format, rules, examples…",
            choices,
        )
        self.tuned_side = _Side(
            "Fine-tuned model + short prompt",
            "tuned",
            "A short system prompt (may be empty): the fine-tuned model learnt the rest.",
            choices,
        )
        sides = QHBoxLayout()
        sides.addWidget(self.base_side, 1)
        sides.addWidget(self.tuned_side, 1)
        layout.addLayout(sides, 1)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setObjectName("savingsMessageEdit")
        self.message_edit.setPlaceholderText("One test message, sent to both sides")
        self.message_edit.setMaximumHeight(80)
        layout.addWidget(self.message_edit)
        self.table = QTableWidget(len(TABLE_ROWS), 2)
        self.table.setObjectName("savingsTable")
        self.table.setHorizontalHeaderLabels(["Base + long instructions", "Fine-tuned + short"])
        self.table.setVerticalHeaderLabels(list(TABLE_ROWS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(220)
        layout.addWidget(self.table)
        bottom = QHBoxLayout()
        self.headline_label = QLabel()
        self.headline_label.setObjectName("savingsHeadline")
        self.headline_label.setWordWrap(True)
        self.headline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("savingsRunButton")
        self.run_button.setToolTip("Send the test message to both sides at once")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("savingsStopButton")
        bottom.addWidget(self.headline_label, 1)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.run_button)
        layout.addLayout(bottom)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.stop_button.clicked.connect(self.stop)
        self._update_buttons()
        self.resize(1100, 760)

    # ------------------------------------------------------------------ state

    def choose_defaults(self) -> None:
        """Choose a base model on the left and a fine-tuned one on the right, where unset."""
        choices = self._picker.choices
        ids: list[str] = []
        for row in range(choices.rowCount()):
            choice = choices.choice(row)
            if choice is not None and choice.enabled:
                ids.append(choice.id)
        base = next((m for m in ids if not is_fine_tuned_model(m)), None)
        tuned = next((m for m in ids if is_fine_tuned_model(m)), base)
        for side, model in ((self.base_side, base), (self.tuned_side, tuned)):
            if side.model_combo.currentIndex() < 0 and model is not None:
                side.model_combo.setCurrentIndex(choices.row_of(model))

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
    def _sides(self) -> tuple[_Side, _Side]:
        return (self.base_side, self.tuned_side)

    @property
    def _demo(self) -> bool:
        return bool(self._service.is_demo)

    def _update_buttons(self) -> None:
        running = self.is_running
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    # ------------------------------------------------------------------ running

    def _on_run_clicked(self) -> None:
        self.run()

    def run(self) -> asyncio.Task[None] | None:
        """Send the test message to both sides. Returns the task, or None (headline says why)."""
        if self.is_running:
            return None
        base, tuned = self.base_side.model, self.tuned_side.model
        if base is None or tuned is None:
            self.headline_label.setText("Choose a model on both sides first.")
            return None
        text = self.message_edit.toPlainText()
        if not text.strip():
            self.headline_label.setText("Write a test message first.")
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
        self.headline_label.setText("Waiting for both answers…")
        task = self._run()
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
    async def _run(self) -> None:
        requests = [ChatRequest(self._models[i], self._prompts[i]) for i in (BASE, TUNED)]
        self._stop_event = asyncio.Event()
        try:
            provider = await self._service.provider()
        except FinetuneError as exc:
            for side in self._sides:
                side.column.footer.setText(f"Failed: {exc.user_message}")
            self.headline_label.setText(exc.user_message)
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
        turn = reply_as_turn(
            self._models[index],
            reply,
            prompt=self._prompts[index],
            catalog=self._picker.catalog(),
        )
        column.footer.setText(reply_footer(turn, simulated=self._demo))
        self._fill_column(index, reply)

    def _fill_column(self, index: int, reply: StreamedReply) -> None:
        catalog = self._picker.catalog()
        if reply.failed:
            values = ["failed"] * len(TABLE_ROWS)
        elif catalog is None:
            values = ["unknown"] * len(TABLE_ROWS)
        else:
            cost = reply_cost(
                self._models[index],
                usage=reply.usage,
                prompt=self._prompts[index],
                reply=reply.text,
                catalog=catalog,
            )
            simulated = self._demo
            per_1000 = None if cost.cost is None else cost.cost * 1000
            first = reply.time_to_first_token
            values = [
                f"{cost.usage.prompt_tokens:,}",
                f"{cost.usage.completion_tokens:,}",
                _money(cost.cost, simulated=simulated),
                _money(per_1000, simulated=simulated),
                "—" if first is None else f"{first:.2f} s",
                f"{reply.total_time:.2f} s",
            ]
        for row, value in enumerate(values):
            self.table.setItem(row, index, QTableWidgetItem(value))

    def _show_savings(self) -> None:
        catalog = self._picker.catalog()
        failed = [i for i in (BASE, TUNED) if i not in self._replies or self._replies[i].failed]
        if failed:
            names = " and ".join(self._sides[i].title() for i in failed)
            self.headline_label.setText(
                f"{names} failed (see its answer); no savings can be worked out this time."
            )
            return
        if catalog is None:
            self.headline_label.setText("The model list is not loaded yet; costs are unknown.")
            return
        variants = []
        for index in (BASE, TUNED):
            reply = self._replies[index]
            cost = reply_cost(
                self._models[index],
                usage=reply.usage,
                prompt=self._prompts[index],
                reply=reply.text,
                catalog=catalog,
            )
            variants.append(
                PromptVariant(
                    self._models[index],
                    self._prompts[index],
                    usage=cost.usage,
                    latency=reply.total_time,
                )
            )
        self.savings = compare_prompt_savings(variants[BASE], variants[TUNED], catalog)
        self.headline_label.setText(savings_headline(self.savings, simulated=self._demo))

    def side_figures(self, index: int) -> list[str]:
        """The table's texts for one side (0 base, 1 fine-tuned), top to bottom."""
        texts = []
        for row in range(len(TABLE_ROWS)):
            item = self.table.item(row, index)
            texts.append(item.text() if item is not None else "")
        return texts

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
