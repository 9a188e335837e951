"""Compare rounds kept as sessions: built, voted, and saved like any session."""

from __future__ import annotations

import pytest

from desktop.core.playground.compare_rounds import (
    is_compare_round,
    round_answers,
    round_description,
    round_session,
    with_vote,
)
from desktop.core.playground.serialize import session_from_dict, session_to_dict
from desktop.core.playground.sessions import ChatSession, ChatTurn, add_turn


def asked(text: str = "Hi there") -> ChatSession:
    return add_turn(ChatSession(id="r1", title="", model="gpt-4o"), ChatTurn("user", text), now=1)


def answers() -> list[ChatTurn]:
    return [
        ChatTurn("assistant", "A", model="gpt-4o"),
        ChatTurn("assistant", "B", model="gpt-4o-mini"),
    ]


def test_round_is_titled_compare_and_holds_the_message_then_each_answer() -> None:
    session = round_session(asked(), answers(), blind=True, seed=7, now=2)

    assert session.title == "Compare: Hi there"
    assert is_compare_round(session) and not is_compare_round(asked())
    assert [t.content for t in session.turns] == ["Hi there", "A", "B"]
    assert [t.model for t in round_answers(session)] == ["gpt-4o", "gpt-4o-mini"]
    assert session.compare is not None and session.compare.seed == 7
    assert session.compare.preferred is None


def test_saving_again_with_answers_keeps_one_prefix() -> None:
    first = round_session(asked(), [], blind=False, seed=None, now=2)
    second = round_session(first, answers(), blind=False, seed=None, now=3)

    assert second.title == "Compare: Hi there"
    assert len(second.turns) == 3


def test_vote_marks_the_preferred_column_and_survives_a_round_trip() -> None:
    session = with_vote(round_session(asked(), answers(), blind=True, seed=7, now=2), 1, now=3)

    assert session.compare is not None and session.compare.preferred == 1
    assert session_from_dict(session_to_dict(session)) == session
    assert "compare" not in session_to_dict(asked())  # chats keep their old record
    assert session_from_dict(session_to_dict(asked())).compare is None


def test_vote_is_refused_for_a_chat_or_a_missing_column() -> None:
    with pytest.raises(ValueError, match="only a compare round"):
        with_vote(asked(), 0, now=3)
    with pytest.raises(ValueError, match="no answer in column 2"):
        with_vote(round_session(asked(), answers(), blind=False, seed=None, now=2), 2, now=3)


def test_description_names_the_models_and_the_vote() -> None:
    session = round_session(asked(), answers(), blind=True, seed=7, now=2)

    assert "2 answers (gpt-4o, gpt-4o-mini)" in round_description(session)
    assert "No vote was given" in round_description(session)
    assert "voted the answer of gpt-4o-mini best" in round_description(with_vote(session, 1, now=3))
