"""Sending, streaming and keeping the Playground's conversation (the base of its widget).

A message is checked (empty, or too long for the model) before it becomes a turn; the session
is saved with it before the request goes out, and again when the reply ends (finished,
stopped or failed), so a crash loses at most the reply being streamed.

Streamed text is batched per screen refresh and the loop yields to Qt every few milliseconds:
one network read can hold hundreds of chunks, which would otherwise be consumed without the
window ever handling its events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import time
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from desktop.core import tokens
from desktop.core.errors import FinetuneError, StreamInterruptedError
from desktop.core.playground.compare_rounds import is_compare_round, round_description
from desktop.core.playground.prompt_checks import check_prompt, context_limit
from desktop.core.playground.reply_faults import reply_problem
from desktop.core.playground.sessions import (
    ChatSession,
    ChatTurn,
    TurnStatus,
    add_turn,
    chat_request,
    conversation_messages,
    edit_user_message,
    reply_turn,
)
from desktop.core.types import ChatMessage, Usage
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.playground.transcript import reply_footer

if TYPE_CHECKING:
    from desktop.core.catalog import ModelCatalog
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget
    from desktop.ui.playground.session_list import SessionListWidget
    from desktop.ui.playground.settings_panel import SettingsPanelWidget
    from desktop.ui.playground.transcript import TranscriptWidget

REPLY_RESERVE_TOKENS = 4_096
"""Room kept for the reply when max output tokens is not set."""

YIELD_INTERVAL_S = 0.008


class ChatFlow(QWidget):
    """The conversation's behaviour; ``PlaygroundWidget`` adds the layout.

    Invariants: ``session`` is what is on screen and (after each turn) in the store; at most
    one reply task runs. Call only from the GUI thread.
    """

    _service: ConnectionService
    _store: PlaygroundStore | None
    picker: ModelPickerWidget
    settings_panel: SettingsPanelWidget
    session_list: SessionListWidget
    transcript: TranscriptWidget
    message_edit: QPlainTextEdit
    info_label: QLabel
    edit_banner: QLabel
    send_button: QPushButton
    cancel_edit_button: QPushButton

    def _init_flow(self, *, flush_interval_ms: int) -> None:
        self.session: ChatSession | None = None
        self.reply_task: asyncio.Task[None] | None = None
        self.editing_index: int | None = None
        self._closing = False
        self._pending_reply: list[str] = []
        self._reply_flush_timer = QTimer(self)
        self._reply_flush_timer.setSingleShot(True)
        self._reply_flush_timer.setInterval(flush_interval_ms)
        self._reply_flush_timer.timeout.connect(self._flush_reply)

    def _update_buttons(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ state

    @property
    def is_streaming(self) -> bool:
        return self.reply_task is not None and not self.reply_task.done()

    def _catalog(self) -> ModelCatalog | None:
        return self.picker.catalog()

    def _save(self, session: ChatSession) -> None:
        self.session = session
        if self._store is not None:
            try:
                self._store.save_session(session)
            except FinetuneError as exc:
                show_error(self, exc)
            self.session_list.reload(select=session.id)

    def _show(self) -> None:
        self.transcript.show_session(self.session, simulated=self._service.is_demo)
        if self.session is not None and self.session.compare is not None:
            # A saved Compare round is a record of answers side by side, not a conversation.
            self.transcript.set_actions_enabled(False)
            self.info_label.setText(round_description(self.session))
        self._update_buttons()

    def on_round_saved(self, session_id: str) -> None:
        """A Compare round was saved: list it among the saved chats (and show it anew if open)."""
        if self.session is not None and self.session.id == session_id and not self.is_streaming:
            if self._store is not None:
                self.session = self._store.session(session_id)
            self._show()
        self.session_list.reload()

    def _available_models(self) -> list[str]:
        """The models the picker offers (retired ones left out), in list order."""
        choices = self.picker.choices
        return [
            choice.id
            for row in range(choices.rowCount())
            if (choice := choices.choice(row)) is not None and choice.enabled
        ]

    # ------------------------------------------------------------------ sending

    def send(self, *, clear_message: bool = False) -> asyncio.Task[None] | None:
        """Send the message (or the edited earlier message) and stream the reply.

        Args:
            clear_message: empty the message box once the message is accepted (Send and
                Ctrl+Enter do; a caller sending the same text again leaves it).

        Returns:
            The reply's task (also kept as ``reply_task``), or None when nothing was sent: a
            reply is streaming, or the message or settings were refused (``info_label`` says
            why in plain words).
        """
        if self.is_streaming:
            return None
        model = self.selected_model
        if model is None:
            self.info_label.setText("Pick a model first.")
            return None
        text = self.message_edit.toPlainText()
        if not text.strip():
            # check_prompt refuses a blank message before counting anything.
            problem = check_prompt(
                (ChatMessage("user", text),), encoding_name="", context_tokens=None
            )
            self.info_label.setText(problem.problem or "Write a message first.")
            self.message_edit.setFocus()
            return None
        settings, problems = self.settings_panel.read()
        if problems:
            self.info_label.setText("Correct the settings first: " + " ".join(problems))
            return None
        now = time.time()
        # A message sent while a saved Compare round is shown starts a new chat.
        current = None if is_compare_round(self.session) else self.session
        session = current or ChatSession(
            id=uuid.uuid4().hex, title="", model=model, created_at=now, updated_at=now
        )
        session = dataclasses.replace(
            session,
            model=model,
            system_prompt=self.settings_panel.system_prompt,
            settings=settings,
        )
        if self.editing_index is not None and current is not None:
            session = edit_user_message(session, self.editing_index, text, now=now)
        else:
            session = add_turn(session, ChatTurn("user", text), now=now)
        return self._start(session, check=True, clear_message=clear_message)

    def _start(
        self, session: ChatSession, *, check: bool, clear_message: bool = False
    ) -> asyncio.Task[None] | None:
        if is_compare_round(session):  # Regenerate on a saved round: Compare asks again
            self.info_label.setText(
                "This is a saved comparison; open Compare… to ask the models again."
            )
            return None
        self.info_label.setText("Checking the message…" if check else "Waiting for the reply…")
        task = self._run_turn(session, check, clear_message)
        self.reply_task = task
        task.add_done_callback(self._on_reply_done)
        self._update_buttons()
        return task

    def close_flow(self) -> asyncio.Task[None] | None:
        """Stop the reply (kept and saved at once) because the window is closing."""
        self._closing = True
        task = self.reply_task
        self.stop()
        return task

    def stop(self) -> bool:
        """Stop the reply that is streaming; what arrived stays. True if one was running."""
        return cancel_task(self.reply_task)

    async def _prompt_problem(self, session: ChatSession) -> str | None:
        model = session.model
        catalog = self._catalog()
        entry = catalog.get(model) if catalog is not None else None
        encoding = entry.encoding if entry is not None else tokens.encoding_name_for_model(model)
        reserve = session.settings.max_tokens or REPLY_RESERVE_TOKENS
        try:
            result = await asyncio.to_thread(
                check_prompt,
                conversation_messages(session),
                encoding_name=encoding,
                context_tokens=context_limit(model, catalog),
                reply_tokens=reserve,
            )
        except FinetuneError:  # no tokenizer: let the service judge the length
            return None
        return result.problem

    @async_slot()
    async def _run_turn(self, session: ChatSession, check: bool, clear_message: bool) -> None:
        if check:
            problem = await self._prompt_problem(session)
            if problem is not None:
                self.info_label.setText(problem)
                return
            if clear_message:
                self.message_edit.clear()
            self._set_editing(None)
        self._save(session)  # the user's message is kept even if the app dies mid-reply
        self._show()
        self.transcript.begin_reply()
        self.info_label.setText("Waiting for the reply…")
        await self._stream(session)

    async def _stream(self, session: ChatSession) -> None:
        request = chat_request(session)
        parts: list[str] = []
        usage: Usage | None = None
        first_token: float | None = None
        error = ""
        cut = False
        stopped = False
        started = time.perf_counter()
        try:
            provider = await self._service.provider()
            stream = provider.stream_chat(request)
            try:
                yielded_at = time.monotonic()
                async for chunk in stream:
                    if chunk.text:
                        if first_token is None:
                            first_token = time.perf_counter() - started
                            self.info_label.setText("Writing…")
                        parts.append(chunk.text)
                        self._append_reply(chunk.text)
                    if chunk.usage is not None:
                        usage = chunk.usage
                    if time.monotonic() - yielded_at > YIELD_INTERVAL_S:
                        await asyncio.sleep(0)
                        yielded_at = time.monotonic()
            finally:
                self._flush_reply()
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()
        except asyncio.CancelledError:
            # Stop (or Cancel during a retry wait): this task is the outermost, so ending it
            # normally is the cancellation; the partial reply is kept.
            stopped = True
        except FinetuneError as exc:
            cut = isinstance(exc, StreamInterruptedError)
            explained = reply_problem(
                exc,
                model=session.model,
                available=self._available_models(),
                retry="Press Regenerate to ask again.",
            )
            error = explained.user_message
            show_error(self, explained)
        total = time.perf_counter() - started
        text = "".join(parts)
        if stopped and not text:
            self._save(session)
            self._show()
            self.info_label.setText("Stopped before the reply began.")
            return
        turn = await self._reply_turn(
            session,
            text,
            usage=usage,
            first_token=first_token,
            total=total,
            stopped=stopped,
            error=error,
        )
        self._save(add_turn(session, turn, now=time.time()))
        self._show()
        self.info_label.setText(self._outcome_text(turn, stopped=stopped, error=error, cut=cut))

    async def _reply_turn(
        self,
        session: ChatSession,
        text: str,
        *,
        usage: Usage | None,
        first_token: float | None,
        total: float,
        stopped: bool,
        error: str,
    ) -> ChatTurn:
        catalog = self._catalog()
        if catalog is None:
            status = (
                TurnStatus.FAILED
                if error
                else TurnStatus.STOPPED
                if stopped
                else TurnStatus.FINISHED
            )
            return ChatTurn(
                "assistant",
                text,
                model=session.model,
                usage=usage,
                time_to_first_token=first_token,
                total_time=total,
                status=status,
                error=error,
            )
        make = functools.partial(
            reply_turn,
            session.model,
            prompt=conversation_messages(session),
            text=text,
            usage=usage,
            time_to_first_token=first_token,
            total_time=total,
            stopped=stopped,
            error=error,
            catalog=catalog,
        )
        if self._closing:  # no more awaiting: the database closes right after the window
            return make()
        try:
            # A stopped reply's tokens are counted locally: off the GUI thread.
            return await asyncio.to_thread(make)
        except asyncio.CancelledError:  # the window is closing: count here, keep the reply
            return make()

    def _outcome_text(self, turn: ChatTurn, *, stopped: bool, error: str, cut: bool) -> str:
        if stopped:
            return "Stopped. The part of the reply that arrived is kept · " + reply_footer(
                turn, simulated=self._service.is_demo
            )
        if cut:
            return (
                "The connection dropped: the reply was cut off, and the part received is kept "
                "above, marked as incomplete. Press Regenerate to ask again."
            )
        if error:
            return f"No reply. {error}"
        return "Done · " + reply_footer(turn, simulated=self._service.is_demo)

    def _on_reply_done(self, task: asyncio.Task[None]) -> None:
        if self.reply_task is task:
            self.reply_task = None
        if task.cancelled():  # stopped before the reply began (while checking or connecting)
            self._show()
            self.info_label.setText("Stopped before the reply began.")
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
        view = self.transcript.reply_view
        cursor = view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        view.ensureCursorVisible()

    # ------------------------------------------------------------------ editing the conversation

    def _set_editing(self, index: int | None) -> None:
        self.editing_index = index
        editing = index is not None
        self.edit_banner.setText(
            "Editing an earlier message: Send replaces it and everything after it."
            if editing
            else ""
        )
        self.edit_banner.setVisible(editing)
        self.cancel_edit_button.setVisible(editing)

    @property
    def selected_model(self) -> str | None:
        return self.picker.selected_model
