"""The Compare view's rounds: how each column ended, the round kept among the saved chats, and
blind votes (the base of ``CompareWidget``).

Every round is saved as a Playground session (``desktop.core.playground.compare_rounds``):
first with the message, as soon as it is sent; then with every column's answer (model, text,
tokens, cost, timings, how it ended) when the round ends, also when it is stopped or the window
closes mid-answer; and again with the vote. It shows in the Playground's saved chats as
"Compare: <message>" and reopens there read-only. A column whose stream broke keeps the part
received and says so in its footer; a column whose model is gone says so and suggests another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop.api.evaluation_runner import MIN_COMPARE_COLUMNS, StreamedReply
from desktop.core import tokens
from desktop.core.errors import FinetuneError, StreamInterruptedError
from desktop.core.playground.compare_rounds import round_session, with_vote
from desktop.core.playground.preferences import Candidate, record_vote
from desktop.core.playground.prompt_checks import check_prompt, context_limit
from desktop.core.playground.reply_faults import reply_problem
from desktop.core.playground.sessions import ChatSession, conversation_messages
from desktop.core.types import ChatMessage
from desktop.ui.common.errors import show_error
from desktop.ui.playground.compare_column import CompareColumn, answer_label
from desktop.ui.playground.compare_votes import export_votes, reply_as_turn
from desktop.ui.playground.transcript import reply_footer

if TYPE_CHECKING:
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget

__all__ = ["RETRY_HINT", "CompareRounds"]

RETRY_HINT = "Send the message again to ask every model again."

REPLY_RESERVE_TOKENS = 4_096
"""Room kept for the reply when max output tokens is not set (as in the chat)."""


class CompareRounds(QWidget):
    """What a round received, how it is kept, and the vote. ``CompareWidget`` adds the layout.

    Invariants: ``_round`` is the round on screen as last saved (None before the first
    round, or when there is no database). Call only from the GUI thread.
    """

    round_saved = Signal(str)
    """A round was saved among the Playground's sessions (its id)."""

    _service: ConnectionService
    _picker: ModelPickerWidget
    _store: PlaygroundStore | None
    columns: list[CompareColumn]
    info_label: QLabel

    def _init_rounds(self) -> None:
        self._round: ChatSession | None = None
        self._prompt: tuple[ChatMessage, ...] = ()
        self._seed: int | None = None
        self._blind_round = False
        self._replies: dict[int, StreamedReply] = {}
        self._round_count = 0
        self._round_started = 0.0

    def _begin_round(
        self, session: ChatSession, shown: Sequence[str], *, blind: bool, seed: int | None
    ) -> None:
        """Empty the columns for a round of ``shown`` models (in column order)."""
        self._round = round_session(session, [], blind=blind, seed=seed, now=time.time())
        self._seed = seed
        self._blind_round = blind
        self._prompt = conversation_messages(session)
        self._replies = {}
        self._round_count = len(shown)
        self._round_started = time.perf_counter()
        for column in self.columns:
            column.vote_button.setEnabled(False)
        for position, model in enumerate(shown):
            self.columns[position].begin(model, blind=blind)

    @property
    def _demo(self) -> bool:
        return bool(self._service.is_demo)

    def _available_models(self) -> list[str]:
        choices = self._picker.choices
        return [
            choice.id
            for row in range(choices.rowCount())
            if (choice := choices.choice(row)) is not None and choice.enabled
        ]

    # ------------------------------------------------------------------ checking

    async def _prompt_problem(self, session: ChatSession, models: Sequence[str]) -> str | None:
        """Why the message cannot go to every model (too long for one of them), or None."""
        catalog = self._picker.catalog()
        reserve = session.settings.max_tokens or REPLY_RESERVE_TOKENS
        limits: dict[str, int] = {}  # per tokenizer, the smallest context among the models
        for model in models:
            entry = catalog.get(model) if catalog is not None else None
            encoding = (
                entry.encoding if entry is not None else tokens.encoding_name_for_model(model)
            )
            limit = context_limit(model, catalog)
            limits[encoding] = min(limits.get(encoding, limit), limit)
        messages = conversation_messages(session)
        for encoding, limit in limits.items():
            try:
                result = await asyncio.to_thread(
                    check_prompt,
                    messages,
                    encoding_name=encoding,
                    context_tokens=limit,
                    reply_tokens=reserve,
                )
            except FinetuneError:  # no tokenizer: let the service judge the length
                continue
            if result.problem is not None:
                return result.problem
        return None

    def _refuse(self, problem: str) -> None:
        for column in self.columns[: self._round_count]:
            column.footer.setText("Not sent.")
        self._round = None
        self.info_label.setText(problem)

    # ------------------------------------------------------------------ answers

    def _on_column_done(self, position: int, reply: StreamedReply) -> None:
        column = self.columns[position]
        if reply.error is not None:
            error = reply_problem(
                reply.error,
                model=column.model,
                available=self._available_models(),
                retry=RETRY_HINT,
            )
            reply = dataclasses.replace(reply, error=error)
        self._replies[position] = reply
        column.flush()
        if reply.failed and not reply.text:
            column.reply_view.setPlainText(reply.error_message)
        turn = reply_as_turn(
            column.model, reply, prompt=self._prompt, catalog=self._picker.catalog()
        )
        column.footer.setText(reply_footer(turn, simulated=self._demo))

    def _fail_every_column(self, error: FinetuneError) -> None:
        """No answer could be asked for (no connection): every column fails with ``error``."""
        for position in range(self._round_count):
            self._on_column_done(position, StreamedReply("", None, None, None, 0.0, error=error))

    def _keep_unfinished(self) -> None:
        """Columns cut short by the window closing keep what arrived, as stopped answers."""
        total = time.perf_counter() - self._round_started
        for position in range(self._round_count):
            if position not in self._replies:
                text = self.columns[position].answer
                reply = StreamedReply(text, None, None, None, total, stopped=True)
                self._on_column_done(position, reply)

    def _votable(self, count: int) -> list[int]:
        """Positions whose answer can be voted for: finished or stopped with some text."""
        return [
            position
            for position in range(count)
            if (reply := self._replies.get(position)) is not None
            and not reply.failed
            and reply.text.strip()
        ]

    def _after_round(self) -> None:
        count = self._round_count
        self._keep_unfinished()
        self._save_round()
        failed = sum(1 for reply in self._replies.values() if reply.failed)
        cut = sum(
            1 for reply in self._replies.values() if isinstance(reply.error, StreamInterruptedError)
        )
        votable = self._votable(count)
        can_vote = len(votable) >= MIN_COMPARE_COLUMNS and self._store is not None
        for position in votable:
            self.columns[position].vote_button.setEnabled(can_vote)
        done = f"{count - failed} of {count} answered"
        if failed:
            done += f"; {failed} failed (see the column)"
        if cut:
            done += (
                ". The connection dropped during "
                + ("an answer" if cut == 1 else f"{cut} answers")
                + ": the part received is kept and marked. "
                + RETRY_HINT
            )
        if can_vote:
            done += ". Click “This one is best” under the answer you prefer."
        self.info_label.setText(done)

    # ------------------------------------------------------------------ keeping the round

    def _save_round(self) -> None:
        """Save the round as it stands (the message, and each column's answer so far)."""
        if self._round is None or self._store is None:
            return
        catalog = self._picker.catalog()
        answers = [
            reply_as_turn(self.columns[p].model, reply, prompt=self._prompt, catalog=catalog)
            for p in range(self._round_count)
            if (reply := self._replies.get(p)) is not None
        ]
        record = self._round.compare
        session = round_session(
            self._round,
            answers,
            blind=record.blind if record is not None else self._blind_round,
            seed=self._seed,
            now=time.time(),
        )
        self._store_round(session)

    def _store_round(self, session: ChatSession) -> None:
        if self._store is None:
            return
        try:
            self._store.save_session(session)
        except FinetuneError as exc:
            show_error(self, exc)
            return
        self._round = session
        self.round_saved.emit(session.id)

    # ------------------------------------------------------------------ voting

    def _on_vote_clicked(self, position: int) -> None:
        count = self._round_count
        votable = self._votable(count)
        if position not in votable or self._store is None:
            return
        candidates = [Candidate(self.columns[p].model, self._replies[p].text) for p in votable]
        try:
            vote = record_vote(
                self._round.id if self._round is not None else uuid.uuid4().hex,
                self._prompt,
                candidates,
                votable.index(position),
                now=time.time(),
                blind=self._blind_round,
                seed=self._seed,
            )
            self._store.save_vote(vote)
        except FinetuneError as exc:
            show_error(self, exc)
            return
        if self._round is not None:
            self._store_round(with_vote(self._round, position, now=time.time()))
        for column in self.columns[:count]:
            column.vote_button.setEnabled(False)
            column.show_name(True)
        chosen = self.columns[position]
        votes = len(self._store.votes())
        self.info_label.setText(
            f"Vote saved: {answer_label(position)} ({chosen.model}) is best. "
            f"{votes} {'vote' if votes == 1 else 'votes'} so far."
        )

    # ------------------------------------------------------------------ export

    def _on_export_clicked(self) -> None:
        self.export_votes()

    def export_votes(self) -> int | None:
        """Ask for a file and write every saved vote there as DPO JSONL.

        Returns:
            The number of lines written, or None when nothing was written.
        """
        if self._store is None:
            self.info_label.setText("Votes cannot be kept without the app's database.")
            return None
        try:
            lines, message = export_votes(self, self._store)
        except FinetuneError as exc:
            show_error(self, exc)
            return None
        if message:
            self.info_label.setText(message)
        return lines or None
