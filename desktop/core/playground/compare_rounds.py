"""Compare rounds kept as Playground sessions: one message, each column's answer, the vote.

A round is saved as a :class:`ChatSession` whose ``compare`` record is set: its first turn is
the message and each following turn one column's answer (model, text, tokens, cost, timings,
how it ended), in the order the columns showed them. It appears among the saved chats with a
title starting "Compare:" and reopens read-only: it records answers side by side, it is not a
conversation to continue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from desktop.core.playground.sessions import ChatSession, ChatTurn, CompareRecord

__all__ = [
    "TITLE_PREFIX",
    "is_compare_round",
    "round_answers",
    "round_description",
    "round_session",
    "with_vote",
]

TITLE_PREFIX = "Compare: "


def is_compare_round(session: ChatSession | None) -> bool:
    """Whether ``session`` is a saved Compare round (not a chat)."""
    return session is not None and session.compare is not None


def round_session(
    session: ChatSession,
    answers: Sequence[ChatTurn],
    *,
    blind: bool,
    seed: int | None,
    now: float,
) -> ChatSession:
    """The round as a session to save.

    Args:
        session: the round's conversation (its system prompt, settings and one user message,
            as sent to every column).
        answers: the columns' answers so far, in column order (none when just sent).
        blind: the columns were shuffled and unnamed.
        seed: the shuffle's seed.
        now: the current Unix time.

    Returns:
        The session marked as a Compare round, titled "Compare: <message>".

    Raises:
        ValueError: ``session`` does not start with a user message.
    """
    if not session.turns or session.turns[0].role != "user":
        raise ValueError("a compare round starts with the user's message")
    title = session.title
    if not title.startswith(TITLE_PREFIX):
        title = TITLE_PREFIX + title
    return replace(
        session,
        title=title,
        turns=(session.turns[0], *answers),
        compare=CompareRecord(blind=blind, seed=seed),
        updated_at=now,
    )


def with_vote(session: ChatSession, position: int, *, now: float) -> ChatSession:
    """The round with the answer in column ``position`` voted best.

    Raises:
        ValueError: ``session`` is not a round, or has no answer at ``position``.
    """
    if session.compare is None:
        raise ValueError("only a compare round takes a vote")
    if not 0 <= position < len(round_answers(session)):
        raise ValueError(f"the round has no answer in column {position}")
    record = replace(session.compare, preferred=position)
    return replace(session, compare=record, updated_at=now)


def round_answers(session: ChatSession) -> tuple[ChatTurn, ...]:
    """The columns' answers of a round, in column order."""
    return tuple(turn for turn in session.turns[1:] if turn.is_reply)


def round_description(session: ChatSession) -> str:
    """What the Playground says about a reopened round: its models, the vote, what to do.

    Args:
        session: a Compare round.
    """
    answers = round_answers(session)
    models = ", ".join(turn.model or "unknown model" for turn in answers)
    text = f"A saved comparison of {len(answers)} answers ({models}), shown read-only."
    record = session.compare
    preferred = record.preferred if record is not None else None
    if preferred is not None and 0 <= preferred < len(answers):
        text += f" You voted the answer of {answers[preferred].model} best."
    else:
        text += " No vote was given."
    return text + " A message sent now starts a new chat; Compare… asks the models again."
