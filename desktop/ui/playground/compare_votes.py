"""The Compare view's helpers that need no widget state: a round's conversation and column
order, a column's reply as a turn (for its footer), and writing the saved votes as a DPO
dataset, which then opens in the Datasets tab (through the Playground's ``dataset_written``
and ``show_dataset_requested``), where it is checked."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMetaMethod

from desktop.core.dataset.formats import DatasetFormat
from desktop.core.errors import FinetuneError
from desktop.core.files import write_via_temp
from desktop.core.playground.add_to_dataset import append_new_lines, dataset_format
from desktop.core.playground.preferences import blind_order, dpo_jsonl
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.sessions import (
    ChatSession,
    ChatTurn,
    TurnStatus,
    add_turn,
    reply_turn,
)
from desktop.ui.playground.conversation import ConversationWidget
from desktop.ui.playground.dialogs import ask_save_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop.api.evaluation_runner import StreamedReply
    from desktop.core.catalog import ModelCatalog
    from desktop.core.types import ChatMessage
    from desktop.storage.playground_store import PlaygroundStore

__all__ = ["EXPORT_TITLE", "compare_round", "export_votes", "reply_as_turn"]

EXPORT_TITLE = "Export votes as DPO dataset"


def compare_round(
    models: Sequence[str],
    text: str,
    *,
    system_prompt: str,
    settings: GenerationSettings,
    blind: bool,
) -> tuple[ChatSession, list[str], int | None]:
    """The conversation a round sends and the models in the order their columns show them.

    Args:
        models: the chosen models, in the order chosen.
        text: the user's message.
        system_prompt: the Playground's system prompt.
        settings: the Playground's generation settings.
        blind: shuffle the columns with a fresh seed.

    Returns:
        The one-message session, the models by column, and the seed (None unless blind).
    """
    now = time.time()
    session = ChatSession(
        id=uuid.uuid4().hex,
        title="",
        model=models[0],
        system_prompt=system_prompt,
        settings=settings,
        created_at=now,
        updated_at=now,
    )
    session = add_turn(session, ChatTurn("user", text), now=now)
    seed = random.SystemRandom().randrange(2**31) if blind else None
    order = blind_order(len(models), seed) if seed is not None else tuple(range(len(models)))
    return session, [models[index] for index in order], seed


def reply_as_turn(
    model: str,
    reply: StreamedReply,
    *,
    prompt: Sequence[ChatMessage],
    catalog: ModelCatalog | None,
) -> ChatTurn:
    """A column's reply as an assistant turn, with tokens and cost when the catalog is known."""
    if catalog is not None:
        return reply_turn(
            model,
            prompt=tuple(prompt),
            text=reply.text,
            usage=reply.usage,
            time_to_first_token=reply.time_to_first_token,
            total_time=reply.total_time,
            stopped=reply.stopped,
            error=reply.error_message,
            catalog=catalog,
        )
    status = (
        TurnStatus.FAILED
        if reply.failed
        else TurnStatus.STOPPED
        if reply.stopped
        else TurnStatus.FINISHED
    )
    return ChatTurn(
        "assistant",
        reply.text,
        model=model,
        usage=reply.usage,
        time_to_first_token=reply.time_to_first_token,
        total_time=reply.total_time,
        status=status,
        error=reply.error_message,
    )


def export_votes(parent: QWidget | None, store: PlaygroundStore) -> tuple[int, str]:
    """Ask for a file and write every saved vote there as DPO JSONL, then show it in the
    Datasets tab (when the Playground is linked to it).

    Votes whose answers are all alike give no line (``vote_to_dpo_lines``). A file that
    already holds preference data gets only the lines it does not have yet (exporting again
    adds the new votes); any other file is replaced.

    Returns:
        The number of lines written (0 when nothing was written) and what to tell the user
        ("" when the user cancelled).

    Raises:
        FinetuneError: the votes cannot be read.
    """
    text = dpo_jsonl(store.votes())
    lines = text.splitlines()
    if not lines:
        return 0, "No votes to export yet: vote for the best of two different answers first."
    path = ask_save_path(
        parent, EXPORT_TITLE, suggested="preference-votes.jsonl", file_filter="JSON Lines (*.jsonl)"
    )
    if path is None:
        return 0, ""
    path = Path(path)
    try:
        if dataset_format(path) is DatasetFormat.DPO:
            added, present = append_new_lines(path, lines)
            if added:
                what = f"Added {_lines(added)} of preference data to {path}"
                if present:
                    verb = "was" if present == 1 else "were"
                    what += f" ({_lines(present)} {verb} there already)"
            else:
                what = f"Nothing new to add to {path}: it has every vote already"
        else:
            write_via_temp(path, [text.encode("utf-8")])
            added = len(lines)
            what = f"Wrote {_lines(added)} of preference data to {path}"
    except (OSError, FinetuneError) as exc:
        message = exc.user_message if isinstance(exc, FinetuneError) else str(exc)
        return 0, f"Could not write {path}: {message}"
    if _show_in_datasets(parent, path):
        return added, f"{what}. It is open in the Datasets tab, which checks it."
    return added, f"{what}. Open it in the Datasets tab to check it."


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def _show_in_datasets(widget: QWidget | None, path: Path) -> bool:
    """Tell the Playground that holds ``widget`` that ``path`` was written and should be shown
    in the Datasets tab. Returns False when no window listens (a Playground on its own)."""
    while widget is not None and not isinstance(widget, ConversationWidget):
        widget = widget.parentWidget()
    if widget is None:
        return False
    widget.dataset_written.emit(path)
    listened = widget.isSignalConnected(QMetaMethod.fromSignal(widget.show_dataset_requested))
    widget.show_dataset_requested.emit(path)
    return listened
