"""Chat sessions of the Playground: the conversation, its settings and what each reply cost.

Every operation returns a new :class:`ChatSession`; nothing is changed in place, so a session
handed to another thread (to be saved) never changes under it.

A session's ``turns`` alternate freely between user and assistant turns; an assistant turn
carries how it ended (:class:`TurnStatus`): finished, stopped by the user (the partial reply is
kept) or failed (its text, if any, is kept but not sent back to the model).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.presets import GenerationSettings, settings_phrases
from desktop.core.playground.usage_cost import UsagePrices, reply_cost
from desktop.core.types import ChatMessage, ChatRequest, Usage

__all__ = [
    "TITLE_MAX_CHARS",
    "ChatSession",
    "ChatTurn",
    "CompareRecord",
    "TurnStatus",
    "add_turn",
    "chat_request",
    "conversation_messages",
    "delete_turn",
    "edit_user_message",
    "regenerate",
    "reply_turn",
    "session_to_jsonl",
    "session_to_markdown",
    "title_from_text",
    "training_example",
]

TITLE_MAX_CHARS = 60
_UNTITLED = "New chat"


class TurnStatus(StrEnum):
    """How a turn ended. User turns are always ``finished``."""

    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """One message of the conversation and, for replies, what it took.

    Attributes:
        role: ``"user"`` or ``"assistant"`` (the system prompt lives on the session).
        content: the text (a stopped reply keeps what had arrived).
        model: the model that wrote a reply (None for user turns).
        usage: tokens in and out; from the API when it reported them, else counted locally.
        usage_counted_locally: True when ``usage`` is the app's own count.
        cost: estimated cost in USD, None when a price is unknown.
        prices_as_of: the day the prices used for ``cost`` were collected.
        time_to_first_token: seconds from sending to the first text.
        total_time: seconds from sending to the end of the reply.
        status: finished, stopped or failed.
        error: the plain-words message of a failed reply.
    """

    role: str
    content: str
    model: str | None = None
    usage: Usage | None = None
    usage_counted_locally: bool = False
    cost: Decimal | None = None
    prices_as_of: dt.date | None = None
    time_to_first_token: float | None = None
    total_time: float | None = None
    status: TurnStatus = TurnStatus.FINISHED
    error: str = ""

    @property
    def is_reply(self) -> bool:
        """Whether this turn is the model's."""
        return self.role == "assistant"


@dataclass(frozen=True, slots=True)
class CompareRecord:
    """What marks a saved session as a Compare round, and how the round went.

    The session's first turn is the message; each following turn is one column's answer, in
    the order the columns showed them (the model is on each turn).

    Attributes:
        blind: the columns were shuffled and unnamed until the vote.
        seed: the shuffle's seed (None unless blind).
        preferred: the column (0 = the first answer) voted best; None until a vote.
    """

    blind: bool = False
    seed: int | None = None
    preferred: int | None = None


@dataclass(frozen=True, slots=True)
class ChatSession:
    """A saved chat: who answers, how, and the conversation so far.

    Invariant: ``turns`` only hold ``"user"`` and ``"assistant"`` roles. A Compare round
    (``compare`` set) is a record of one message and its side-by-side answers, not a
    conversation to continue.
    """

    id: str
    title: str
    model: str
    system_prompt: str = ""
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    turns: tuple[ChatTurn, ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0
    compare: CompareRecord | None = None


def title_from_text(text: str, *, max_chars: int = TITLE_MAX_CHARS) -> str:
    """A session title from a user message: its words on one line, cut at a word if long.

    Args:
        text: the first user message.
        max_chars: the longest title (an ellipsis is added when cut).

    Returns:
        The title, or ``"New chat"`` for blank text.
    """
    words = " ".join(text.split())
    if not words:
        return _UNTITLED
    if len(words) <= max_chars:
        return words
    cut = words[: max_chars - 1]
    if words[max_chars - 1] != " " and " " in cut:  # do not end mid-word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def _check_role(turn: ChatTurn) -> None:
    if turn.role not in ("user", "assistant"):
        raise ValueError(f"a turn's role must be 'user' or 'assistant', not {turn.role!r}")


def add_turn(session: ChatSession, turn: ChatTurn, *, now: float) -> ChatSession:
    """The session with ``turn`` appended; an untitled session takes its first user message.

    Args:
        session: the session.
        turn: a user message or a reply (finished, stopped or failed).
        now: the current Unix time (becomes ``updated_at``).

    Returns:
        The new session.

    Raises:
        ValueError: the turn's role is neither user nor assistant.
    """
    _check_role(turn)
    title = session.title
    if (not title or title == _UNTITLED) and turn.role == "user":
        title = title_from_text(turn.content)
    return replace(session, title=title, turns=(*session.turns, turn), updated_at=now)


def reply_turn(
    model: str,
    *,
    prompt: tuple[ChatMessage, ...],
    text: str,
    usage: Usage | None,
    time_to_first_token: float | None,
    total_time: float | None,
    stopped: bool = False,
    error: str = "",
    catalog: ModelCatalog,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> ChatTurn:
    """The turn for a streamed reply, with its tokens and cost worked out.

    Tokens come from ``usage`` when the API sent it, else are counted locally (a stopped
    reply has no usage: its partial text is counted). A failed reply has no cost.

    Args:
        model: the model that answered.
        prompt: the messages sent (``conversation_messages`` of the session).
        text: the reply's text (partial when stopped or failed).
        usage: the API's usage, or None.
        time_to_first_token: seconds to the first text.
        total_time: seconds to the end.
        stopped: the user stopped the reply.
        error: the failure's plain-words message ("" when it did not fail).
        catalog: the app's catalog (prices, tokenizer).
        extra_prices: prices for models the catalog does not price.

    Returns:
        An assistant turn, finished, stopped or failed.
    """
    if error:
        return ChatTurn(
            "assistant",
            text,
            model=model,
            time_to_first_token=time_to_first_token,
            total_time=total_time,
            status=TurnStatus.FAILED,
            error=error,
        )
    cost = reply_cost(
        model, usage=usage, prompt=prompt, reply=text, catalog=catalog, extra_prices=extra_prices
    )
    return ChatTurn(
        "assistant",
        text,
        model=model,
        usage=cost.usage,
        usage_counted_locally=cost.counted_locally,
        cost=cost.cost,
        prices_as_of=cost.prices_as_of,
        time_to_first_token=time_to_first_token,
        total_time=total_time,
        status=TurnStatus.STOPPED if stopped else TurnStatus.FINISHED,
    )


def _turn_at(session: ChatSession, index: int) -> ChatTurn:
    if not 0 <= index < len(session.turns):
        raise IndexError(f"turn {index} does not exist (the session has {len(session.turns)})")
    return session.turns[index]


def edit_user_message(session: ChatSession, index: int, content: str, *, now: float) -> ChatSession:
    """Change an earlier user message and drop everything after it (continue from there).

    Args:
        session: the session.
        index: the position of a user turn in ``session.turns``.
        content: the new text.
        now: the current Unix time.

    Returns:
        The session ending with the edited message, ready for a new reply.

    Raises:
        IndexError: no turn at ``index``.
        ValueError: the turn there is not a user message.
    """
    turn = _turn_at(session, index)
    if turn.role != "user":
        raise ValueError(f"turn {index} is a reply; only user messages can be edited")
    edited = replace(turn, content=content)
    return replace(session, turns=(*session.turns[:index], edited), updated_at=now)


def delete_turn(session: ChatSession, index: int, *, now: float) -> ChatSession:
    """The session without the turn at ``index`` (the others stay as they are).

    Raises:
        IndexError: no turn at ``index``.
    """
    _turn_at(session, index)
    turns = session.turns[:index] + session.turns[index + 1 :]
    return replace(session, turns=turns, updated_at=now)


def regenerate(session: ChatSession, *, now: float) -> ChatSession:
    """The session without its last reply, so the last user message can be answered again.

    Args:
        session: a session whose last turn is a reply (or a user message awaiting one).
        now: the current Unix time.

    Returns:
        The session ending with its last user message.

    Raises:
        ValueError: the session has no user message to answer.
    """
    turns = session.turns
    if turns and turns[-1].is_reply:
        turns = turns[:-1]
    if not turns or turns[-1].role != "user":
        raise ValueError("there is no user message to answer again")
    return replace(session, turns=turns, updated_at=now)


def conversation_messages(session: ChatSession) -> tuple[ChatMessage, ...]:
    """What is sent to the model: the system prompt (if any), then every turn but failed ones.

    A stopped reply is sent as it stands: it is part of the conversation the user saw.
    """
    messages: list[ChatMessage] = []
    if session.system_prompt.strip():
        messages.append(ChatMessage("system", session.system_prompt))
    for turn in session.turns:
        if turn.status is TurnStatus.FAILED:
            continue
        messages.append(ChatMessage("assistant" if turn.is_reply else "user", turn.content))
    return tuple(messages)


def chat_request(session: ChatSession, *, model: str | None = None) -> ChatRequest:
    """The request for the next reply, with the session's settings.

    Args:
        session: the session (its last turn should be a user message).
        model: another model to ask (compare); the session's own by default.

    Returns:
        The request.
    """
    settings = session.settings
    return ChatRequest(
        model=model or session.model,
        messages=conversation_messages(session),
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_tokens=settings.max_tokens,
        stop=settings.stop,
        seed=settings.seed,
    )


def training_example(session: ChatSession) -> dict[str, object]:
    """The conversation as one chat fine-tuning example (``{"messages": [...]}``)."""
    return {
        "messages": [
            {"role": message.role, "content": message.content}
            for message in conversation_messages(session)
        ]
    }


def session_to_jsonl(session: ChatSession) -> str:
    """The conversation as one JSONL line (one training example), ending with a newline."""
    return json.dumps(training_example(session), ensure_ascii=False) + "\n"


def _reply_footer(turn: ChatTurn) -> str:
    parts: list[str] = []
    if turn.model:
        parts.append(turn.model)
    if turn.usage is not None:
        counted = " (counted locally)" if turn.usage_counted_locally else ""
        parts.append(
            f"{turn.usage.prompt_tokens} in / {turn.usage.completion_tokens} out tokens{counted}"
        )
    if turn.cost is not None:
        as_of = f" (prices as of {turn.prices_as_of.isoformat()})" if turn.prices_as_of else ""
        parts.append(f"${turn.cost:.6f}{as_of}")
    if turn.time_to_first_token is not None:
        parts.append(f"first token {turn.time_to_first_token:.2f} s")
    if turn.total_time is not None:
        parts.append(f"total {turn.total_time:.2f} s")
    if turn.status is TurnStatus.STOPPED:
        parts.append("stopped")
    if turn.status is TurnStatus.FAILED:
        parts.append(f"failed: {turn.error}" if turn.error else "failed")
    return " · ".join(parts)


def session_to_markdown(session: ChatSession) -> str:
    """The session as a readable Markdown document (title, settings, every turn).

    Args:
        session: the session.

    Returns:
        Markdown text ending with a newline.
    """
    lines = [f"# {session.title or _UNTITLED}", "", f"Model: `{session.model}`"]
    settings = session.settings
    shown = settings_phrases(settings, count_stops=False)
    if settings.stop:
        shown.append("stop " + ", ".join(json.dumps(s, ensure_ascii=False) for s in settings.stop))
    if shown:
        lines += ["", "Settings: " + "; ".join(shown)]
    if session.system_prompt.strip():
        lines += ["", "## System", "", session.system_prompt.strip()]
    for turn in session.turns:
        lines += ["", "## Assistant" if turn.is_reply else "## User", "", turn.content.strip()]
        if turn.is_reply:
            footer = _reply_footer(turn)
            if footer:
                lines += ["", f"*{footer}*"]
    return "\n".join(lines) + "\n"
