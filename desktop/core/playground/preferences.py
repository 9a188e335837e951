"""Blind comparison: shuffled, unlabelled columns, a vote, and DPO preference lines from votes.

The columns' order comes from a seed, so a comparison reopened later shows the same order. A
vote names the preferred answer; every other answer becomes a non-preferred one, giving one DPO
line per (preferred, other) pair in OpenAI's preference format::

    {"input": {"messages": [...]},
     "preferred_output": [{"role": "assistant", "content": "..."}],
     "non_preferred_output": [{"role": "assistant", "content": "..."}]}
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.core.errors import FinetuneError
from desktop.core.types import ChatMessage

__all__ = [
    "MAX_CANDIDATES",
    "MIN_CANDIDATES",
    "Candidate",
    "PreferenceVote",
    "VoteError",
    "blind_order",
    "dpo_jsonl",
    "record_vote",
    "vote_to_dpo_lines",
]

MIN_CANDIDATES = 2
MAX_CANDIDATES = 4


class VoteError(FinetuneError):
    """A vote that cannot be recorded or turned into training data."""

    default_user_message = "This vote cannot be saved. Compare at least two answers and pick one."


@dataclass(frozen=True, slots=True)
class Candidate:
    """One column's answer; ``model`` stays hidden in blind mode until the vote."""

    model: str
    answer: str


@dataclass(frozen=True, slots=True)
class PreferenceVote:
    """The user's choice among answers to the same conversation.

    Attributes:
        id: unique id.
        prompt: the conversation the answers reply to.
        candidates: the answers in the order shown.
        preferred: index into ``candidates`` of the answer voted best.
        created_at: Unix time of the vote.
        blind: whether the models were hidden while voting.
        seed: the seed of the columns' order.
    """

    id: str
    prompt: tuple[ChatMessage, ...]
    candidates: tuple[Candidate, ...]
    preferred: int
    created_at: float
    blind: bool = True
    seed: int | None = None

    @property
    def preferred_candidate(self) -> Candidate:
        """The answer voted best."""
        return self.candidates[self.preferred]


def blind_order(count: int, seed: int) -> tuple[int, ...]:
    """A shuffled order of ``count`` columns, the same for the same seed.

    Args:
        count: number of columns.
        seed: any integer (saved with the comparison).

    Returns:
        A permutation of ``range(count)``: position i shows column ``order[i]``.
    """
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return tuple(order)


def record_vote(
    vote_id: str,
    prompt: Sequence[ChatMessage],
    candidates: Sequence[Candidate],
    preferred: int,
    *,
    now: float,
    blind: bool = True,
    seed: int | None = None,
) -> PreferenceVote:
    """Check and make a vote.

    Args:
        vote_id: unique id.
        prompt: the conversation answered (must contain a user message).
        candidates: 2 to 4 answers, in the order shown.
        preferred: the index of the chosen answer in ``candidates``.
        now: the current Unix time.
        blind: whether models were hidden.
        seed: the seed of the order shown.

    Returns:
        The vote.

    Raises:
        VoteError: too few or too many answers, no user message, or ``preferred`` out of range.
    """
    if not MIN_CANDIDATES <= len(candidates) <= MAX_CANDIDATES:
        raise VoteError(f"a vote needs 2 to 4 answers, got {len(candidates)}")
    if not 0 <= preferred < len(candidates):
        raise VoteError(f"preferred answer {preferred} is not one of {len(candidates)}")
    if not any(message.role == "user" for message in prompt):
        raise VoteError("the compared conversation has no user message")
    return PreferenceVote(
        vote_id, tuple(prompt), tuple(candidates), preferred, now, blind=blind, seed=seed
    )


def vote_to_dpo_lines(vote: PreferenceVote) -> list[dict[str, object]]:
    """DPO lines from a vote: the preferred answer against each other, differing, answer.

    Answers with the same text as the preferred one teach nothing and are left out.

    Args:
        vote: the vote.

    Returns:
        Zero or more preference records.
    """
    messages = [{"role": m.role, "content": m.content} for m in vote.prompt]
    best = vote.preferred_candidate.answer
    return [
        {
            "input": {"messages": messages},
            "preferred_output": [{"role": "assistant", "content": best}],
            "non_preferred_output": [{"role": "assistant", "content": other.answer}],
        }
        for index, other in enumerate(vote.candidates)
        if index != vote.preferred and other.answer.strip() != best.strip()
    ]


def dpo_jsonl(votes: Iterable[PreferenceVote]) -> str:
    """Every vote's DPO lines as JSONL text (each line ends with a newline)."""
    return "".join(
        json.dumps(line, ensure_ascii=False) + "\n"
        for vote in votes
        for line in vote_to_dpo_lines(vote)
    )
