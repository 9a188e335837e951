"""The Playground's Compare view: one message to 2–4 models side by side, and blind votes.

Send streams every column at once (``compare``); a slow or failing column never holds up the
others, and a failed one shows the plain error. Under each column: tokens, cost, time to first
token and total time (``reply_footer``). Stop stops every column and keeps what arrived.

Blind mode shuffles the columns (``blind_order`` with a fresh seed) and names them "Answer A",
"Answer B"… until the user clicks "This one is best": the names are then shown and the vote is
saved (``PlaygroundStore.save_vote``). "Export votes as DPO dataset…" writes every saved vote
as DPO JSONL (``dpo_jsonl``) to a file the user picks.

Each round is kept among the Playground's saved chats ("Compare: <message>"), see
``compare_session``; a message too long for one of the models is refused before sending.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.api.evaluation_runner import MAX_COMPARE_COLUMNS, MIN_COMPARE_COLUMNS, compare
from desktop.core.catalog import base_model_id
from desktop.core.errors import FinetuneError
from desktop.core.playground.sessions import ChatSession, chat_request
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.keys import is_ctrl_enter
from desktop.ui.playground.chat_flow import ChatFlow
from desktop.ui.playground.compare_column import CompareColumn
from desktop.ui.playground.compare_session import CompareRounds
from desktop.ui.playground.compare_votes import compare_round
from desktop.ui.playground.models import ModelIdRole

if TYPE_CHECKING:
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget
    from desktop.ui.playground.settings_panel import SettingsPanelWidget

__all__ = ["CompareWidget"]


class CompareWidget(CompareRounds):
    """Model choices, the answer columns, the message box, Send, Stop, Blind, vote and export.

    Uses the Playground's model list, system prompt and settings. Invariants: at most one
    comparison runs (``compare_task``); Send is disabled while it runs and Stop only then.
    Call only from the GUI thread.
    """

    def __init__(
        self,
        service: ConnectionService,
        picker: ModelPickerWidget,
        settings_panel: SettingsPanelWidget,
        store: PlaygroundStore | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setWindowTitle("Compare models")
        self._service = service
        self._picker = picker
        self._settings = settings_panel
        self._store = store
        self.compare_task: asyncio.Task[None] | None = None
        self._stop_event: asyncio.Event | None = None
        self._init_rounds()
        self._build()
        self._set_column_count(MIN_COMPARE_COLUMNS)
        self._update_buttons()
        if isinstance(parent, ChatFlow):  # the Playground lists the rounds among its chats
            self.round_saved.connect(parent.on_round_saved)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        choose = QHBoxLayout()
        count_label = QLabel("Models")
        count_label.setObjectName("fieldLabel")
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("compareCount")
        self.count_spin.setRange(MIN_COMPARE_COLUMNS, MAX_COMPARE_COLUMNS)
        self.count_spin.setToolTip("How many models answer side by side (2 to 4)")
        count_label.setBuddy(self.count_spin)
        choose.addWidget(count_label)
        choose.addWidget(self.count_spin)
        self.model_combos: list[QComboBox] = []
        for index in range(MAX_COMPARE_COLUMNS):
            combo = QComboBox()
            combo.setObjectName(f"compareModel{index + 1}")
            combo.setModel(self._picker.choices)  # the same list as the Playground's picker
            combo.setMinimumContentsLength(14)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setCurrentIndex(-1)
            self.model_combos.append(combo)
            choose.addWidget(combo, 1)
        self.blind_check = QCheckBox("Blind")
        self.blind_check.setObjectName("blindCheck")
        self.blind_check.setToolTip(
            "Shuffle the answers and hide the models' names until you vote for the best one"
        )
        choose.addWidget(self.blind_check)
        layout.addLayout(choose)

        self.columns_row = QHBoxLayout()
        self.columns: list[CompareColumn] = []
        for position in range(MAX_COMPARE_COLUMNS):
            column = CompareColumn(position)
            column.vote_clicked.connect(self._on_vote_clicked)
            self.columns.append(column)
            self.columns_row.addWidget(column, 1)
        layout.addLayout(self.columns_row, 1)

        self.message_edit = QPlainTextEdit()
        self.message_edit.setObjectName("compareMessageEdit")
        self.message_edit.setPlaceholderText(
            "Type one message; every model answers it with the Playground's system prompt "
            "and settings."
        )
        self.message_edit.setMaximumHeight(110)
        layout.addWidget(self.message_edit)

        bottom = QHBoxLayout()
        self.info_label = QLabel()
        self.info_label.setObjectName("compareInfo")
        self.info_label.setWordWrap(True)
        self.export_button = QPushButton("Export votes as DPO dataset…")
        self.export_button.setObjectName("exportVotesButton")
        self.export_button.setToolTip(
            "Write every saved vote as a preference (DPO) training file in JSON Lines"
        )
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("compareStopButton")
        self.stop_button.setToolTip("Stop every answer now and keep what has arrived")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("compareSendButton")
        self.send_button.setToolTip("Send the message to every chosen model at once")
        bottom.addWidget(self.info_label, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.send_button)
        layout.addLayout(bottom)

        self.count_spin.valueChanged.connect(self._on_count_changed)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        # Ctrl+Enter sends; an event filter, as a shortcut only serves the active window.
        self.message_edit.installEventFilter(self)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.resize(1100, 640)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.message_edit and is_ctrl_enter(event):
            self.send()
            return True
        return super().eventFilter(watched, event)

    def _on_count_changed(self, count: int) -> None:
        self._set_column_count(count)

    def _set_column_count(self, count: int) -> None:
        for index, combo in enumerate(self.model_combos):
            combo.setVisible(index < count)
        for position, column in enumerate(self.columns):
            column.setVisible(position < count)

    # ------------------------------------------------------------------ state

    @property
    def is_running(self) -> bool:
        return self.compare_task is not None and not self.compare_task.done()

    def chosen_models(self) -> list[str | None]:
        """The model of each visible choice (None where none is chosen)."""
        count = self.count_spin.value()
        return [combo.currentData(ModelIdRole) for combo in self.model_combos[:count]]

    def choose_models(self, models: list[str]) -> bool:
        """Set the number of columns and choose ``models`` (2–4). False if one is not listed."""
        self.count_spin.setValue(len(models))
        found = True
        for combo, model in zip(self.model_combos, models, strict=False):
            row = self._picker.choices.row_of(model)
            found = found and row >= 0
            combo.setCurrentIndex(row)
        return found

    def _update_buttons(self) -> None:
        running = self.is_running
        self.send_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.count_spin.setEnabled(not running)
        self.blind_check.setEnabled(not running)
        for combo in self.model_combos:
            combo.setEnabled(not running)

    # ------------------------------------------------------------------ sending

    def _on_send_clicked(self) -> None:
        self.send()

    def send(self) -> asyncio.Task[None] | None:
        """Send the message to every chosen model and stream the answers side by side.

        Returns:
            The comparison's task (also ``compare_task``), or None when nothing was sent
            (``info_label`` says why).
        """
        if self.is_running:
            return None
        models = self.chosen_models()
        if any(model is None for model in models):
            self.info_label.setText("Choose a model for every column first.")
            return None
        text = self.message_edit.toPlainText()
        if not text.strip():
            self.info_label.setText("Write a message first.")
            self.message_edit.setFocus()
            return None
        settings, problems = self._settings.read()
        if problems:
            self.info_label.setText("Correct the settings first: " + " ".join(problems))
            return None
        blind = self.blind_check.isChecked()
        session, shown, seed = compare_round(
            [str(model) for model in models],
            text,
            system_prompt=self._settings.system_prompt,
            settings=settings,
            blind=blind,
        )
        self._begin_round(session, shown, blind=blind, seed=seed)
        self.info_label.setText("Checking the message…")
        task = self._run(session, shown)
        self.compare_task = task
        task.add_done_callback(self._on_task_done)
        self._update_buttons()
        return task

    def _on_stop_clicked(self) -> None:
        self.stop()

    def preselect(self, model: str | None) -> None:
        """Choose ``model`` in the first column when no model is chosen there yet, and for a
        fine-tuned model its base model in the second (fine-tuned against base, the question
        Compare answers first)."""
        first, second = self.model_combos[0], self.model_combos[1]
        if model is None or first.currentIndex() >= 0:
            return
        first.setCurrentIndex(self._picker.choices.row_of(model))
        base = base_model_id(model)
        if base != model and second.currentIndex() < 0:
            choice = self._picker.choices.choice(self._picker.choices.row_of(base))
            if choice is not None and choice.enabled:
                second.setCurrentIndex(self._picker.choices.row_of(base))

    def stop(self) -> bool:
        """Stop every column still streaming; what arrived stays. True if one was running."""
        if not self.is_running or self._stop_event is None:
            return False
        self._stop_event.set()
        return True

    @async_slot()
    async def _run(self, session: ChatSession, models: list[str]) -> None:
        requests = [chat_request(session, model=model) for model in models]
        self._stop_event = asyncio.Event()
        sent = False
        try:
            problem = await self._prompt_problem(session, models)
            if problem is not None:
                self._refuse(problem)
                return
            self._save_round()  # the message is kept even if the app dies mid-answer
            sent = True
            self.info_label.setText("Waiting for the answers…")
            provider = await self._service.provider()
            await compare(
                provider,
                requests,
                on_text=lambda position, piece: self.columns[position].append(piece),
                on_done=self._on_column_done,
                stop=self._stop_event,
            )
        except FinetuneError as exc:  # no connection: no column could ask
            self._fail_every_column(exc)
            self._after_round()
            self.info_label.setText(exc.user_message)
            return
        except asyncio.CancelledError:
            # The window is closing: this task is the outermost, so ending it normally is
            # the cancellation. Once the message went out, what arrived is kept below.
            if not sent:
                return
        self._after_round()

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if self.compare_task is task:
            self.compare_task = None
        self._update_buttons()

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()  # closing the view ends its answers; what arrived stays shown
        super().closeEvent(event)

    def shutdown(self) -> asyncio.Task[None] | None:
        """Stop every column (the window is closing). Returns the task to await, if any."""
        task = self.compare_task
        self.stop()
        self.close()
        return task
