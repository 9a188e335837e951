"""The Playground tab: chat with any model of the connection and keep the conversation.

Replies stream in piece by piece on the qasync loop while the window stays responsive. Stop
ends a reply early and keeps what arrived; Regenerate asks again; an earlier message can be
edited (the conversation continues from it) and any turn deleted. Under each reply: tokens,
cost, time to first token and total time. Chats are saved in the local database after every
turn (``PlaygroundStore``), so a crash loses at most the reply being streamed.

Modules: ``model_picker`` (the model list), ``settings_panel`` (generation settings, presets),
``transcript`` (the conversation), ``session_list`` and ``session_files`` (saved chats),
``chat_flow`` (sending, streaming and saving replies), ``conversation`` (regenerate, edit,
delete, and the saved chats' actions), ``compare`` (Compare…: 2–4 models side by side, blind
votes and their export as a DPO dataset), ``prompt_savings`` (Prompt savings…),
``evaluation`` (Evaluate…: a test set through 1–4 models, saved runs, CSV/XLSX export) and
``add_to_dataset_dialog`` (Add to dataset…: a reply, corrected if needed, becomes a training
example of a dataset).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.common.keys import is_ctrl_enter
from desktop.ui.playground.compare import CompareWidget
from desktop.ui.playground.conversation import ConversationWidget
from desktop.ui.playground.evaluation import EvaluationWidget
from desktop.ui.playground.model_picker import CatalogSource, ModelPickerWidget
from desktop.ui.playground.prompt_savings import PromptSavingsWidget
from desktop.ui.playground.session_list import SessionListWidget
from desktop.ui.playground.settings_panel import SettingsPanelWidget
from desktop.ui.playground.transcript import TranscriptWidget, format_cost

if TYPE_CHECKING:
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.common.connection_service import ConnectionService

__all__ = [
    "REPLY_FLUSH_INTERVAL_MS",
    "SEND_SHORTCUTS",
    "TITLE",
    "YIELD_INTERVAL_S",
    "CatalogSource",
    "PlaygroundWidget",
    "format_cost",
]

TITLE = "Playground"

SEND_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")

YIELD_INTERVAL_S = 0.008
"""Longest stretch the reply loop runs before letting the window process its events."""

REPLY_FLUSH_INTERVAL_MS = 33
"""How often streamed text reaches the screen (about 30 times a second)."""


class PlaygroundWidget(ConversationWidget):
    """Saved chats, model picker, settings, the conversation, the message box and its buttons.

    Invariants: at most one reply streams at a time (``reply_task``); Send and Regenerate are
    disabled while it runs and Stop only then. Call only from the GUI thread.
    """

    def __init__(
        self,
        service: ConnectionService,
        *,
        catalog: CatalogSource | None = None,
        store: PlaygroundStore | None = None,
        jobs_store: JobsStore | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("playgroundTab")
        self._service = service
        self._store = store
        self._jobs_store = jobs_store
        self.picker = ModelPickerWidget(service, catalog=catalog, today=today)
        self.settings_panel = SettingsPanelWidget(store)
        self.session_list = SessionListWidget(store)
        self.transcript = TranscriptWidget()
        self._build()
        self._init_flow(flush_interval_ms=REPLY_FLUSH_INTERVAL_MS)
        self._connect()
        self._update_buttons()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        self.sessions_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.sessions_splitter.setObjectName("playgroundSessionsSplitter")
        self.sessions_splitter.setChildrenCollapsible(True)
        self.sessions_splitter.addWidget(self.session_list)
        chat = QWidget()
        layout = QVBoxLayout(chat)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.picker)
        layout.addWidget(self.settings_panel)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("playgroundSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setObjectName("messageEdit")
        self.message_edit.setPlaceholderText(
            "Type your message here, then press Send (Ctrl+Enter)."
        )
        self.message_edit.setTabChangesFocus(True)
        self.splitter.addWidget(self.transcript)
        self.splitter.addWidget(self._message_box())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 130])
        layout.addWidget(self.splitter, 1)

        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        self.info_label = QLabel()
        self.info_label.setObjectName("replyInfo")
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setObjectName("regenerateButton")
        self.regenerate_button.setToolTip("Ask for the last reply again")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("End the reply now and keep what has arrived")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("Send the message (Ctrl+Enter)")
        self.send_button.setDefault(True)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip(
            "Send one message to 2–4 models side by side, and vote blind for the best answer"
        )
        self.compare_view: CompareWidget | None = None
        self.savings_button = QPushButton("Prompt savings…")
        self.savings_button.setObjectName("promptSavingsButton")
        self.savings_button.setToolTip(
            "Base model + long instructions against fine-tuned model + short prompt: "
            "tokens, cost per 1,000 requests and latency"
        )
        self.savings_view: PromptSavingsWidget | None = None
        self.evaluate_button = QPushButton("Evaluate…")
        self.evaluate_button.setObjectName("evaluateButton")
        self.evaluate_button.setToolTip(
            "Run a test set (e.g. a job's validation file) through 1–4 models: answers, "
            "similarity to the expected replies, latency and cost, kept for later"
        )
        self.evaluation_view: EvaluationWidget | None = None
        # The tools get their own row so the tab stays narrow enough for a small window.
        self.tools_row = QHBoxLayout()
        self.tools_row.setSpacing(8)
        self.tools_row.addWidget(self.compare_button)
        self.tools_row.addWidget(self.savings_button)
        self.tools_row.addWidget(self.evaluate_button)
        self.tools_row.addWidget(self.add_to_dataset_button)
        self.tools_row.addStretch(1)
        bottom.addWidget(self.info_label, 1)
        bottom.addWidget(self.regenerate_button)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.send_button)
        layout.addLayout(bottom)
        layout.addLayout(self.tools_row)
        self.sessions_splitter.addWidget(chat)
        self.sessions_splitter.setStretchFactor(0, 0)
        self.sessions_splitter.setStretchFactor(1, 1)
        self.sessions_splitter.setSizes([220, 860])
        outer.addWidget(self.sessions_splitter)

    def _message_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(4)
        head = QHBoxLayout()
        label = QLabel("Your message")
        label.setObjectName("sectionLabel")
        label.setBuddy(self.message_edit)
        self.edit_banner = QLabel()
        self.edit_banner.setObjectName("editBanner")
        self.cancel_edit_button = QPushButton("Cancel edit")
        self.cancel_edit_button.setObjectName("cancelEditButton")
        head.addWidget(label)
        head.addWidget(self.edit_banner, 1)
        head.addWidget(self.cancel_edit_button)
        self.edit_banner.setVisible(False)
        self.cancel_edit_button.setVisible(False)
        column.addLayout(head)
        column.addWidget(self.message_edit, 1)
        return box

    def _connect(self) -> None:
        for sequence in SEND_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_send_shortcut)
        # Also when the window is not the active one (the shortcut map only serves that one).
        self.message_edit.installEventFilter(self)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        self.compare_button.clicked.connect(self.open_compare)
        self.savings_button.clicked.connect(self.open_prompt_savings)
        self.evaluate_button.clicked.connect(self.open_evaluation)
        self.cancel_edit_button.clicked.connect(self._on_cancel_edit_clicked)
        self.picker.model_changed.connect(self._update_buttons)
        self.settings_panel.changed.connect(self._update_buttons)
        self.transcript.edit_requested.connect(self._on_edit_requested)
        self.transcript.delete_requested.connect(self._on_delete_turn_requested)
        self.session_list.session_chosen.connect(self._on_session_chosen)
        self.session_list.new_requested.connect(self._on_new_chat_requested)
        self.session_list.rename_requested.connect(self._on_rename_requested)
        self.session_list.delete_requested.connect(self._on_delete_session_requested)
        self.session_list.export_requested.connect(self._on_export_requested)

    # ------------------------------------------------------------------ picker passthrough

    @property
    def model_combo(self) -> QComboBox:
        """The model list (the picker's combo box)."""
        return self.picker.combo

    @property
    def refresh_button(self) -> QPushButton:
        return self.picker.refresh_button

    @property
    def simulated_label(self) -> QLabel:
        return self.picker.simulated_label

    @property
    def reply_view(self) -> QPlainTextEdit:
        """The box the reply being streamed goes into (it keeps the last reply's text)."""
        return self.transcript.reply_view

    @property
    def system_edit(self) -> QPlainTextEdit:
        return self.settings_panel.system_edit

    @property
    def selected_model(self) -> str | None:
        return self.picker.selected_model

    def select_model(self, model_id: str) -> bool:
        """Pick ``model_id`` in the picker; False when it is not listed or is retired."""
        return self.picker.select_model(model_id)

    def open_model(self, model_id: str) -> bool:
        """Choose ``model_id`` (adding it when the connection has not listed it yet) and put the
        cursor in the message box, e.g. for a checkpoint or model opened from the Jobs tab.

        Returns:
            False when the model is listed but retired (it stays unselectable).
        """
        selected = self.picker.open_model(model_id)
        self.message_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return selected

    # ------------------------------------------------------------------ buttons and keys

    def _update_buttons(self) -> None:
        streaming = self.is_streaming
        model = self.selected_model is not None
        self.send_button.setEnabled(not streaming and model)
        self.stop_button.setEnabled(streaming)
        self.regenerate_button.setEnabled(not streaming and model and self.can_regenerate)
        self.picker.set_busy(streaming)
        self.session_list.set_busy(streaming)
        self.cancel_edit_button.setEnabled(not streaming)
        self.update_add_to_dataset_button()

    def _on_send_clicked(self) -> None:
        self.send(clear_message=True)

    def _on_send_shortcut(self) -> None:
        if not self.is_streaming:
            self.send(clear_message=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.message_edit and is_ctrl_enter(event):
            self._on_send_shortcut()
            return True
        return super().eventFilter(watched, event)

    def _on_stop_clicked(self) -> None:
        self.stop()

    def _on_regenerate_clicked(self) -> None:
        self.regenerate_reply()

    def _on_cancel_edit_clicked(self) -> None:
        self.cancel_edit()

    def open_compare(self) -> CompareWidget:
        """Show the Compare view (its own window), with this tab's models and settings."""
        if self.compare_view is None:
            self.compare_view = CompareWidget(
                self._service, self.picker, self.settings_panel, self._store, parent=self
            )
            self.compare_view.setWindowFlag(Qt.WindowType.Window)  # its own window
        self.compare_view.preselect(self.selected_model)
        self.compare_view.show()
        self.compare_view.raise_()
        return self.compare_view

    def open_prompt_savings(self) -> PromptSavingsWidget:
        """Show the Prompt savings window (base + long instructions vs fine-tuned + short)."""
        if self.savings_view is None:
            self.savings_view = PromptSavingsWidget(
                self._service, self.picker, parent=self, settings_panel=self.settings_panel
            )
            self.savings_view.setWindowFlag(Qt.WindowType.Window)
        self.savings_view.choose_defaults()
        self.savings_view.show()
        self.savings_view.raise_()
        return self.savings_view

    def open_evaluation(self) -> EvaluationWidget:
        """Show the Evaluation window (its own window), with this tab's models and settings.

        With a fine-tuned model chosen here, its base model and it are chosen there, and its
        job's validation file as the test set.
        """
        if self.evaluation_view is None:
            self.evaluation_view = EvaluationWidget(
                self._service,
                self.picker,
                self.settings_panel,
                self._store,
                jobs_store=self._jobs_store,
                parent=self,
            )
            self.evaluation_view.setWindowFlag(Qt.WindowType.Window)
        self.evaluation_view.refresh()
        self.evaluation_view.preselect(self.selected_model)
        self.evaluation_view.show()
        self.evaluation_view.raise_()
        return self.evaluation_view

    # ------------------------------------------------------------------ shutdown

    def shutdown(self) -> asyncio.Task[None] | None:
        """Stop streaming and disconnect from the service (the window is closing).

        Returns:
            The reply task being cancelled, if any, so the caller can await its end.
        """
        task = self.close_flow()
        compare_task = self.compare_view.shutdown() if self.compare_view is not None else None
        if self.savings_view is not None:
            self.savings_view.shutdown()
        evaluation_task = (
            self.evaluation_view.shutdown() if self.evaluation_view is not None else None
        )
        self.picker.shutdown()
        tasks = [t for t in (task, compare_task, evaluation_task) if t is not None]
        if not tasks:
            return None
        if len(tasks) == 1:
            return tasks[0]
        return asyncio.ensure_future(_all(tasks))


async def _all(tasks: list[asyncio.Task[None]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)
