"""Chat sessions change only through operations that return new sessions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.sessions import (
    ChatSession,
    ChatTurn,
    TurnStatus,
    add_turn,
    chat_request,
    conversation_messages,
    delete_turn,
    edit_user_message,
    regenerate,
    reply_turn,
    session_to_jsonl,
    session_to_markdown,
    title_from_text,
)
from desktop.core.types import ChatMessage, Usage
from tests.core.playground.conftest import AS_OF, TUNED


def user(text: str) -> ChatTurn:
    return ChatTurn("user", text)


def reply(text: str, status: TurnStatus = TurnStatus.FINISHED) -> ChatTurn:
    return ChatTurn("assistant", text, model="m", status=status)


def session(*turns: ChatTurn, system: str = "Be brief.") -> ChatSession:
    return ChatSession(id="s1", title="Chat", model="m", system_prompt=system, turns=turns)


def test_title_takes_the_first_user_message_when_the_session_is_untitled() -> None:
    new = ChatSession(id="s", title="", model="m")
    assert add_turn(new, user("  How do   I reset\nmy password? "), now=5).title == (
        "How do I reset my password?"
    )


def test_title_is_cut_at_a_word_when_the_message_is_long() -> None:
    title = title_from_text("word " * 30, max_chars=20)
    assert title == "word word word word…"


def test_title_stays_when_the_user_renamed_the_session() -> None:
    assert add_turn(session(), user("Hello"), now=1).title == "Chat"


def test_add_turn_leaves_the_original_unchanged_when_it_returns_a_new_session() -> None:
    original = session(user("Hi"))
    changed = add_turn(original, reply("Hello"), now=9)
    assert len(original.turns) == 1
    assert len(changed.turns) == 2
    assert changed.updated_at == 9


def test_add_turn_refuses_a_turn_when_its_role_is_system() -> None:
    with pytest.raises(ValueError, match="role"):
        add_turn(session(), ChatTurn("system", "x"), now=1)


def test_edit_drops_the_later_turns_when_an_earlier_user_message_changes() -> None:
    chat = session(user("a"), reply("b"), user("c"), reply("d"))
    edited = edit_user_message(chat, 0, "A!", now=2)
    assert edited.turns == (user("A!"),)


def test_edit_refuses_when_the_turn_is_a_reply() -> None:
    with pytest.raises(ValueError, match="reply"):
        edit_user_message(session(user("a"), reply("b")), 1, "x", now=1)


def test_delete_removes_only_that_turn_when_it_is_in_the_middle() -> None:
    chat = session(user("a"), reply("b"), user("c"))
    assert delete_turn(chat, 1, now=1).turns == (user("a"), user("c"))


def test_delete_raises_when_the_index_does_not_exist() -> None:
    with pytest.raises(IndexError):
        delete_turn(session(user("a")), 3, now=1)


def test_regenerate_drops_the_last_reply_when_the_session_ends_with_one() -> None:
    chat = session(user("a"), reply("b"))
    assert regenerate(chat, now=1).turns == (user("a"),)


def test_regenerate_keeps_the_turns_when_the_last_is_a_user_message() -> None:
    chat = session(user("a"), reply("b", TurnStatus.FAILED), user("c"))
    assert regenerate(chat, now=1).turns == chat.turns


def test_regenerate_refuses_when_there_is_no_user_message() -> None:
    with pytest.raises(ValueError):
        regenerate(session(), now=1)


def test_messages_skip_failed_replies_and_keep_stopped_ones_when_sent() -> None:
    chat = session(
        user("a"), reply("partial", TurnStatus.STOPPED), user("b"), reply("", TurnStatus.FAILED)
    )
    assert conversation_messages(chat) == (
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "a"),
        ChatMessage("assistant", "partial"),
        ChatMessage("user", "b"),
    )


def test_request_carries_the_settings_when_another_model_is_asked() -> None:
    chat = ChatSession(
        id="s",
        title="t",
        model="m",
        settings=GenerationSettings(temperature=0.2, stop=("END",), seed=7),
        turns=(user("hi"),),
    )
    request = chat_request(chat, model="other")
    assert (request.model, request.temperature, request.stop, request.seed) == (
        "other",
        0.2,
        ("END",),
        7,
    )


def test_jsonl_export_is_one_training_example_when_the_session_has_turns() -> None:
    text = session_to_jsonl(session(user("a"), reply("b")))
    assert text.count("\n") == 1
    assert json.loads(text) == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
        ]
    }


def test_markdown_export_shows_tokens_cost_and_timing_when_a_reply_has_them() -> None:
    answered = ChatTurn(
        "assistant",
        "Hello!",
        model="m",
        usage=Usage(12, 3),
        cost=Decimal("0.0000072"),
        time_to_first_token=0.25,
        total_time=1.5,
    )
    text = session_to_markdown(session(user("Hi"), answered))
    assert "## System\n\nBe brief." in text
    assert "## User\n\nHi" in text
    assert "12 in / 3 out tokens" in text
    assert "$0.000007" in text
    assert "first token 0.25 s" in text


def test_reply_turn_counts_tokens_locally_when_a_stopped_reply_has_no_usage(
    catalog: ModelCatalog,
) -> None:
    turn = reply_turn(
        TUNED,
        prompt=(ChatMessage("user", "Hi"),),
        text="Hello the",
        usage=None,
        time_to_first_token=0.1,
        total_time=0.4,
        stopped=True,
        catalog=catalog,
    )
    assert turn.status is TurnStatus.STOPPED
    assert turn.usage_counted_locally
    assert turn.usage is not None and turn.usage.completion_tokens > 0
    assert turn.cost is not None and turn.prices_as_of == AS_OF


def test_reply_turn_has_no_cost_when_the_reply_failed(catalog: ModelCatalog) -> None:
    turn = reply_turn(
        TUNED,
        prompt=(ChatMessage("user", "Hi"),),
        text="",
        usage=None,
        time_to_first_token=None,
        total_time=0.2,
        error="The model does not exist.",
        catalog=catalog,
    )
    assert (turn.status, turn.cost, turn.usage) == (TurnStatus.FAILED, None, None)
    assert turn.error == "The model does not exist."
