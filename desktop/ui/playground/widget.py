"""The Playground tab: send one message to a model and watch the reply arrive.

The reply streams in piece by piece on the qasync loop; the window stays responsive. Stop ends
the reply early and keeps what arrived; a cut stream keeps it too and says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.core.connections import ConnectionKind
from desktop.core.errors import FinetuneError, StreamInterruptedError
from desktop.core.pricing import estimate_usage_cost
from desktop.core.types import ChatMessage, ChatRequest, ModelInfo, Usage
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.connection_state import Reachability, ReachState
from desktop.ui.common.errors import show_error
from desktop.ui.playground.models import (
    ModelChoice,
    ModelChoiceModel,
    ModelIdRole,
    deployment_choices,
    model_choices,
)

if TYPE_CHECKING:
    from desktop.core.catalog import ModelCatalog
    from desktop.ui.common.connection_service import ConnectionService

CatalogSource = Callable[[], "ModelCatalog | None"]
"""Returns the model catalog (loaded on first use), or None when it is unavailable."""

TITLE = "Playground"

SEND_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")


YIELD_INTERVAL_S = 0.008
"""Longest stretch the reply loop runs before letting the window process its events."""

REPLY_FLUSH_INTERVAL_MS = 33
"""How often streamed text reaches the screen (about 30 times a second)."""


def format_cost(cost: Decimal) -> str:
    """A cost in US dollars with enough digits to be non-zero for a short reply."""
    if cost == 0:
        return "$0.00"
    if cost >= Decimal("0.01"):
        return f"${cost:.2f}"
    text = f"{cost:.8f}".rstrip("0")
    return f"${text}"


class PlaygroundWidget(QWidget):
    """Model picker, message box, streamed reply, Send and Stop.

    Invariants: at most one reply streams at a time (``reply_task``); Send is disabled while it
    runs and Stop only then. Call only from the GUI thread.
    """

    def __init__(
        self,
        service: ConnectionService,
        *,
        catalog: CatalogSource | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("playgroundTab")
        self._service = service
        self._catalog_source = catalog
        self._today = today
        self.reply_task: asyncio.Task[None] | None = None
        self._opened_models: list[str] = []
        """Models opened from elsewhere (e.g. a new fine-tuned model) the connection has not
        listed yet: kept in the picker until it lists them."""
        self._pending_reply: list[str] = []
        self._reply_flush_timer = QTimer(self)
        self._reply_flush_timer.setSingleShot(True)
        self._reply_flush_timer.setInterval(REPLY_FLUSH_INTERVAL_MS)
        self._reply_flush_timer.timeout.connect(self._flush_reply)
        self._build()
        service.connection_changed.connect(self._on_connection_changed)
        service.models_changed.connect(self._on_models_changed)
        service.reachability_changed.connect(self._on_reachability_changed)
        self._on_connection_changed(service.profile)
        self._on_models_changed(service.models)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)

        top = QHBoxLayout()
        top.setSpacing(8)
        model_label = QLabel("Model")
        model_label.setObjectName("fieldLabel")
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelPicker")
        self.model_combo.setMinimumWidth(340)
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._model_list = ModelChoiceModel()
        self.model_combo.setModel(self._model_list)
        self.model_combo.setToolTip("The model that answers. Your fine-tuned models come first.")
        model_label.setBuddy(self.model_combo)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshModelsButton")
        self.refresh_button.setToolTip("Ask the connection again for its models")
        self.simulated_label = QLabel("Simulated")
        self.simulated_label.setObjectName("simulatedBadge")
        self.simulated_label.setToolTip(
            "The Demo connection runs on this computer: replies are made up, nothing is sent "
            "anywhere and nothing costs money."
        )
        top.addWidget(model_label)
        top.addWidget(self.model_combo)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.simulated_label)
        layout.addLayout(top)

        self.system_edit = QLineEdit()
        self.system_edit.setObjectName("systemMessage")
        self.system_edit.setPlaceholderText(
            "Optional instructions for the model, e.g. “You answer as our support team.”"
        )
        self.system_edit.setClearButtonEnabled(True)
        instructions_row = QHBoxLayout()
        instructions_row.setSpacing(8)
        instructions_label = QLabel("Instructions")
        instructions_label.setObjectName("fieldLabel")
        instructions_label.setBuddy(self.system_edit)
        instructions_label.setMinimumWidth(model_label.sizeHint().width())
        instructions_row.addWidget(instructions_label)
        instructions_row.addWidget(self.system_edit, 1)
        layout.addLayout(instructions_row)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("playgroundSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setObjectName("messageEdit")
        self.message_edit.setPlaceholderText(
            "Type your message here, then press Send (Ctrl+Enter)."
        )
        self.message_edit.setTabChangesFocus(True)
        self.reply_view = QPlainTextEdit()
        self.reply_view.setObjectName("replyView")
        self.reply_view.setReadOnly(True)
        self.reply_view.setPlaceholderText("The model's reply appears here as it is written.")
        self.splitter.addWidget(self._titled("Your message", self.message_edit))
        self.splitter.addWidget(self._titled("Reply", self.reply_view))
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([160, 320])
        layout.addWidget(self.splitter, 1)

        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        self.info_label = QLabel()
        self.info_label.setObjectName("replyInfo")
        self.info_label.setWordWrap(True)
        self.info_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("End the reply now and keep what has arrived")
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("Send the message (Ctrl+Enter)")
        self.send_button.setDefault(True)
        bottom.addWidget(self.info_label, 1)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.send_button)
        layout.addLayout(bottom)

        for sequence in SEND_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_send_shortcut)
        # Also when the window is not the active one (the shortcut map only serves that one).
        self.message_edit.installEventFilter(self)

        self.send_button.clicked.connect(self._on_send_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.message_edit.textChanged.connect(self._update_buttons)
        self.model_combo.currentIndexChanged.connect(self._update_buttons)
        self._update_buttons()

    @staticmethod
    def _titled(title: str, body: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(4)
        label = QLabel(title)
        label.setObjectName("sectionLabel")
        label.setBuddy(body)
        column.addWidget(label)
        column.addWidget(body, 1)
        return box

    # ------------------------------------------------------------------ state

    @property
    def is_streaming(self) -> bool:
        return self.reply_task is not None and not self.reply_task.done()

    @property
    def selected_model(self) -> str | None:
        data = self.model_combo.currentData(ModelIdRole)
        return data if isinstance(data, str) else None

    def select_model(self, model_id: str) -> bool:
        """Pick ``model_id`` in the picker; False when it is not listed or is retired."""
        row = self._model_list.row_of(model_id)
        choice = self._model_list.choice(row)
        if choice is None or not choice.enabled:
            return False
        self.model_combo.setCurrentIndex(row)
        return True

    def _catalog(self) -> ModelCatalog | None:
        return self._catalog_source() if self._catalog_source is not None else None

    def _update_buttons(self) -> None:
        streaming = self.is_streaming
        has_text = bool(self.message_edit.toPlainText().strip())
        self.send_button.setEnabled(not streaming and has_text and self.selected_model is not None)
        self.stop_button.setEnabled(streaming)
        self.refresh_button.setEnabled(not streaming)

    # ------------------------------------------------------------------ connection events

    def _on_connection_changed(self, _profile: object) -> None:
        self.simulated_label.setVisible(self._service.is_demo)
        self._opened_models.clear()  # they belong to the previous connection
        self._set_models(())
        self._set_empty_text("Loading models…")

    def _on_models_changed(self, models: tuple[ModelInfo, ...]) -> None:
        self._set_models(models)

    def _on_reachability_changed(self, reachability: Reachability) -> None:
        if reachability.state is ReachState.UNREACHABLE and not self._service.models:
            self._set_empty_text("No models: the connection cannot be reached")
        elif reachability.state is ReachState.CHECKING and not self._service.models:
            self._set_empty_text("Loading models…")

    def _set_models(self, models: tuple[ModelInfo, ...]) -> None:
        previous = self.selected_model
        profile = self._service.profile
        if profile.kind is ConnectionKind.AZURE:
            choices = deployment_choices(profile.deployments)
        else:
            choices = model_choices(models, today=self._today(), catalog=self._catalog())
        choices = self._with_opened_models(choices)
        with QSignalBlocker(self.model_combo):
            self._model_list.set_choices(choices)
            row = self._model_list.row_of(previous) if previous else -1
            if row < 0 or not choices[row].enabled:
                row = self._model_list.first_enabled_row()
            self.model_combo.setCurrentIndex(row)
        if profile.kind is ConnectionKind.AZURE and not choices:
            self._set_empty_text("Add your Azure deployment names in Preferences to chat")
        elif models and not choices:
            self._set_empty_text("This connection lists no chat models")
        self._update_buttons()

    def open_model(self, model_id: str) -> bool:
        """Choose ``model_id`` (adding it when the connection has not listed it yet) and put the
        cursor in the message box, e.g. for a checkpoint or model opened from the Jobs tab.

        Returns:
            False when the model is listed but retired (it stays unselectable).
        """
        if self._model_list.row_of(model_id) < 0:
            self._opened_models.append(model_id)
            self._set_models(self._service.models)
        selected = self.select_model(model_id)
        self.message_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return selected

    def _with_opened_models(self, choices: list[ModelChoice]) -> list[ModelChoice]:
        listed = {choice.id for choice in choices}
        self._opened_models = [m for m in self._opened_models if m not in listed]
        opened = [
            ModelChoice(
                id=model_id,
                label=f"{model_id}  ·  opened from Jobs",
                enabled=True,
                tooltip="Opened from the Jobs tab; the connection has not listed it yet.",
                fine_tuned=model_id.startswith("ft:") or ".ft-" in model_id,
            )
            for model_id in self._opened_models
        ]
        return opened + choices

    def _set_empty_text(self, text: str) -> None:
        self.model_combo.setPlaceholderText(text)

    # ------------------------------------------------------------------ user actions

    def _on_send_clicked(self) -> None:
        self.send()

    def _on_send_shortcut(self) -> None:
        if self.send_button.isEnabled():
            self.send()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.message_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._on_send_shortcut()
            return True
        return super().eventFilter(watched, event)

    def _on_stop_clicked(self) -> None:
        self.stop()

    def _on_refresh_clicked(self) -> None:
        self._service.start_check()

    def stop(self) -> bool:
        """Stop the reply that is streaming; what arrived stays. True if one was running."""
        return cancel_task(self.reply_task)

    def _build_request(self) -> ChatRequest | None:
        model = self.selected_model
        text = self.message_edit.toPlainText().strip()
        if model is None or not text:
            return None
        messages: list[ChatMessage] = []
        system = self.system_edit.text().strip()
        if system:
            messages.append(ChatMessage(role="system", content=system))
        messages.append(ChatMessage(role="user", content=text))
        return ChatRequest(model=model, messages=tuple(messages))

    def send(self) -> asyncio.Task[None] | None:
        """Send the message and stream the reply into the reply box.

        Returns:
            The reply's task (also kept as ``reply_task``), or None when there is nothing to
            send or a reply is already streaming.
        """
        if self.is_streaming:
            return None
        request = self._build_request()
        if request is None:
            return None
        self.reply_view.clear()
        self.info_label.setText("Waiting for the reply…")
        task = self._stream_reply(request)
        self.reply_task = task
        task.add_done_callback(self._on_reply_done)
        self._update_buttons()
        return task

    @async_slot()
    async def _stream_reply(self, request: ChatRequest) -> None:
        usage: Usage | None = None
        try:
            provider = await self._service.provider()
            stream = provider.stream_chat(request)
            try:
                yielded_at = time.monotonic()
                async for chunk in stream:
                    if chunk.text:
                        self._append_reply(chunk.text)
                        self.info_label.setText("Writing…")
                    if chunk.usage is not None:
                        usage = chunk.usage
                    if time.monotonic() - yielded_at > YIELD_INTERVAL_S:
                        # One network read can hold hundreds of buffered chunks, which the
                        # loop above would consume without ever returning to Qt: let the
                        # window handle its events in between.
                        await asyncio.sleep(0)
                        yielded_at = time.monotonic()
            finally:
                self._flush_reply()
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
        except asyncio.CancelledError:
            # Stop (or Cancel during a retry wait): this task is the outermost, so ending it
            # normally is the cancellation; the partial reply stays on screen.
            self.info_label.setText(self._stopped_text())
        except StreamInterruptedError as exc:
            self.info_label.setText("The reply was cut off; the part received is kept above.")
            show_error(self, exc)
        except FinetuneError as exc:
            self.info_label.setText("No reply: see the message for what to do.")
            show_error(self, exc)
        else:
            self.info_label.setText(self._finished_text(request.model, usage))

    def _on_reply_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():  # stopped before it even started
            self.info_label.setText(self._stopped_text())
        if self.reply_task is task:
            self.reply_task = None
        self._update_buttons()

    def _append_reply(self, text: str) -> None:
        # Tokens can arrive faster than the screen refreshes, and every insert lays out the
        # whole growing paragraph again: collect them and insert a batch per refresh interval.
        self._pending_reply.append(text)
        if not self._reply_flush_timer.isActive():
            self._reply_flush_timer.start()

    def _flush_reply(self) -> None:
        self._reply_flush_timer.stop()
        if not self._pending_reply:
            return
        text = "".join(self._pending_reply)
        self._pending_reply.clear()
        cursor = self.reply_view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.reply_view.ensureCursorVisible()

    def _stopped_text(self) -> str:
        if self.reply_view.toPlainText():
            return "Stopped. The part of the reply that arrived is kept."
        return "Stopped before the reply began."

    def _finished_text(self, model: str, usage: Usage | None) -> str:
        if usage is None:
            return "Done. This connection did not report token counts."
        tokens = (
            f"Done · {usage.prompt_tokens:,} input tokens · "
            f"{usage.completion_tokens:,} output tokens"
        )
        if self._service.is_demo:
            return f"{tokens} · simulated, no cost"
        catalog = self._catalog()
        entry = catalog.get(model) if catalog is not None else None
        cost = (
            estimate_usage_cost(usage.prompt_tokens, usage.completion_tokens, entry)
            if entry is not None
            else None
        )
        if cost is None:
            return f"{tokens} · cost unknown for this model"
        return f"{tokens} · about {format_cost(cost)}"

    # ------------------------------------------------------------------ shutdown

    def shutdown(self) -> asyncio.Task[None] | None:
        """Stop streaming and disconnect from the service (the window is closing).

        Returns:
            The reply task being cancelled, if any, so the caller can await its end.
        """
        task = self.reply_task
        cancel_task(task)
        for signal, slot in (
            (self._service.connection_changed, self._on_connection_changed),
            (self._service.models_changed, self._on_models_changed),
            (self._service.reachability_changed, self._on_reachability_changed),
        ):
            signal.disconnect(slot)
        return task
