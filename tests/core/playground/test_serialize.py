"""Playground records survive a trip through JSON unchanged; damaged ones raise one error."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.core.playground.preferences import Candidate, PreferenceVote
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.serialize import (
    PlaygroundRecordError,
    example_from_dict,
    example_to_dict,
    result_from_dict,
    result_to_dict,
    session_from_dict,
    session_to_dict,
    vote_from_dict,
    vote_to_dict,
)
from desktop.core.playground.sessions import ChatSession, ChatTurn, TurnStatus
from desktop.core.types import ChatMessage, Usage


def through_json(value: dict[str, object]) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(json.dumps(value))
    return loaded


def test_session_comes_back_equal_when_written_and_read() -> None:
    session = ChatSession(
        id="s",
        title="t",
        model="m",
        system_prompt="sys",
        settings=GenerationSettings(0.5, 0.9, 100, ("END",), 3),
        turns=(
            ChatTurn("user", "hi"),
            ChatTurn(
                "assistant",
                "hel",
                model="m",
                usage=Usage(5, 1),
                usage_counted_locally=True,
                cost=Decimal("0.0000012"),
                prices_as_of=dt.date(2026, 4, 6),
                time_to_first_token=0.1,
                total_time=0.3,
                status=TurnStatus.STOPPED,
            ),
        ),
        created_at=1.0,
        updated_at=2.0,
    )
    assert session_from_dict(through_json(session_to_dict(session))) == session


def test_vote_comes_back_equal_when_written_and_read() -> None:
    vote = PreferenceVote(
        "v", (ChatMessage("user", "q"),), (Candidate("a", "x"), Candidate("b", "y")), 1, 5.0
    )
    assert vote_from_dict(through_json(vote_to_dict(vote))) == vote


def test_example_and_result_come_back_equal_when_written_and_read() -> None:
    example = EvalExample(2, (ChatMessage("user", "q"),), "r")
    result = EvalResult(2, "m", "a", Usage(1, 2), cost=Decimal("0.5"), similarity=0.25)
    assert example_from_dict(through_json(example_to_dict(example))) == example
    assert result_from_dict(through_json(result_to_dict(result))) == result


def test_reading_raises_one_error_when_a_record_is_damaged() -> None:
    with pytest.raises(PlaygroundRecordError):
        session_from_dict({"id": "s", "title": "t"})
