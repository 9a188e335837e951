"""The Compare view's helpers that need no widget state: a round's conversation and column
order, a column's reply as a turn (for its footer), and writing the saved votes as a DPO
dataset."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import FinetuneError
from desktop.core.files import write_via_temp
from desktop.core.playground.preferences import blind_order, dpo_jsonl
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.sessions import (
    ChatSession,
    ChatTurn,
    TurnStatus,
    add_turn,
    reply_turn,
)
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
    """Ask for a file and write every saved vote there as DPO JSONL.

    Votes whose answers are all alike give no line (``vote_to_dpo_lines``).

    Returns:
        The number of lines written (0 when nothing was written) and what to tell the user
        ("" when the user cancelled).

    Raises:
        FinetuneError: the votes cannot be read.
    """
    text = dpo_jsonl(store.votes())
    lines = text.count("\n")
    if lines == 0:
        return 0, "No votes to export yet: vote for the best of two different answers first."
    path = ask_save_path(
        parent, EXPORT_TITLE, suggested="preference-votes.jsonl", file_filter="JSON Lines (*.jsonl)"
    )
    if path is None:
        return 0, ""
    try:
        write_via_temp(Path(path), [text.encode("utf-8")])
    except (OSError, FinetuneError) as exc:
        return 0, f"Could not write {path}: {exc}"
    noun = "line" if lines == 1 else "lines"
    return lines, (
        f"Wrote {lines} {noun} of preference data to {path}. "
        "Open it in the Datasets tab to check it."
    )
