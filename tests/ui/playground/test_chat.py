"""The Playground's conversation on the emulator, through the real SDK: a person types, clicks
Send, Stop, Regenerate, Edit and Delete, and reads what the window shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from desktop.core.playground.sessions import ChatTurn, TurnStatus
from desktop.core.types import Usage
from desktop.sandbox import Emulator
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.transcript import reply_footer
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import close_and_wait, next_emission, run
from tests.ui.playground.helpers import click, open_playground
from tests.ui.playground.test_playground import (
    MODEL,
    slow_emulator,  # noqa: F401  (fixture)
    type_and_send,
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def chat_requests(emulator: Any) -> list[dict[str, Any]]:
    """The bodies of the chat requests the emulator received, in order."""
    return [
        json.loads(r.body)
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith("/chat/completions")
    ]


def send_and_wait(qtbot: Any, loop: Any, playground: PlaygroundWidget, text: str) -> None:
    task = type_and_send(qtbot, playground, text)
    run(loop, task)


def test_message_and_reply_join_the_conversation_and_message_box_empties_when_sent(
    qasync_loop: Any, qtbot: Any, shown_errors: Any, window: MainWindow
) -> None:
    playground = window.playground_tab

    send_and_wait(qtbot, qasync_loop, playground, "How do I reset my password?")

    texts = playground.transcript.texts()
    assert texts[0] == "How do I reset my password?"
    assert len(texts) == 2 and "password" in texts[1]
    assert playground.message_edit.toPlainText() == ""
    assert shown_errors == []


def test_reply_shows_tokens_cost_and_timings_when_finished(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab

    send_and_wait(qtbot, qasync_loop, playground, "What are your opening hours?")

    footer = playground.transcript.turn_widgets[-1].footer
    assert footer is not None
    text = footer.text()
    assert "input tokens" in text and "output tokens" in text
    assert "first token" in text and "total" in text and " s" in text
    assert "simulated, no cost" in text  # the Demo charges nothing
    assert "(counted locally)" not in text  # the emulator reports usage


def test_footer_shows_cost_with_the_prices_date_when_the_model_is_priced() -> None:
    turn = ChatTurn(
        "assistant",
        "Hello",
        model="ft:gpt-4o-mini-2024-07-18:acme:support:abc123",
        usage=Usage(1200, 300),
        usage_counted_locally=True,
        cost=Decimal("0.00081"),
        prices_as_of=dt.date(2026, 3, 1),
        time_to_first_token=0.25,
        total_time=1.5,
        status=TurnStatus.STOPPED,
    )

    text = reply_footer(turn)

    assert "1,200 input tokens · 300 output tokens (counted locally)" in text
    assert "about $0.00081 at prices of 01 Mar 2026" in text
    assert "first token 0.25 s · total 1.50 s" in text
    assert text.endswith("stopped")


def test_stop_keeps_the_partial_reply_in_the_conversation_when_clicked_mid_stream(
    make_window: WindowFactory,
    slow_emulator: Emulator,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    playground = window.playground_tab

    task = type_and_send(qtbot, playground, "Tell me about refunds")
    run(
        qasync_loop,
        next_emission(
            playground.reply_view.textChanged,
            lambda: len(playground.reply_view.toPlainText().split()) >= 3,
        ),
    )
    click(qtbot, playground.stop_button)
    run(qasync_loop, asyncio.gather(task, return_exceptions=True))

    turns = playground.transcript.turn_widgets
    assert len(turns) == 2
    partial = turns[1].body.text()
    assert len(partial.split()) >= 3
    assert turns[1].footer is not None and "stopped" in turns[1].footer.text()
    saved = context_of(window).playground_store.session(playground.session.id)  # type: ignore[union-attr]
    assert saved is not None and saved.turns[-1].status is TurnStatus.STOPPED
    assert saved.turns[-1].content.strip() == partial.strip()
    assert saved.turns[-1].usage_counted_locally  # a stopped stream sends no usage


def test_regenerate_replaces_the_last_reply_when_clicked(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    send_and_wait(qtbot, qasync_loop, playground, "Where is my parcel?")
    assert playground.regenerate_button.isEnabled()
    before = len(chat_requests(emulator))

    click(qtbot, playground.regenerate_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    assert len(chat_requests(emulator)) == before + 1
    last = chat_requests(emulator)[-1]["messages"]
    assert [m["role"] for m in last] == ["user"]  # the old reply is not sent back
    texts = playground.transcript.texts()
    assert len(texts) == 2 and texts[0] == "Where is my parcel?"


def test_editing_an_earlier_message_continues_from_it_when_sent(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    send_and_wait(qtbot, qasync_loop, playground, "First question")
    send_and_wait(qtbot, qasync_loop, playground, "Second question")
    assert len(playground.transcript.turn_widgets) == 4

    edit = playground.transcript.turn_widgets[0].edit_button
    assert edit is not None
    click(qtbot, edit)
    assert playground.message_edit.toPlainText() == "First question"
    assert playground.edit_banner.isVisibleTo(playground)
    playground.message_edit.selectAll()
    qtbot.keyClicks(playground.message_edit, "Changed question")
    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    texts = playground.transcript.texts()
    assert len(texts) == 2 and texts[0] == "Changed question"
    assert [m["content"] for m in chat_requests(emulator)[-1]["messages"]] == ["Changed question"]
    assert not playground.edit_banner.isVisibleTo(playground)


def test_deleting_a_turn_removes_it_from_the_conversation_and_the_saved_chat(
    qasync_loop: Any, qtbot: Any, confirm_answers: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    send_and_wait(qtbot, qasync_loop, playground, "Keep this one")
    send_and_wait(qtbot, qasync_loop, playground, "Delete my reply")

    click(qtbot, playground.transcript.turn_widgets[3].delete_button)

    assert len(confirm_answers.questions) == 1
    texts = playground.transcript.texts()
    assert len(texts) == 3 and texts[-1] == "Delete my reply"
    saved = context_of(window).playground_store.session(playground.session.id)  # type: ignore[union-attr]
    assert saved is not None and [t.content for t in saved.turns] == texts


def test_empty_message_is_refused_with_a_plain_message_when_sent(
    emulator: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    before = len(chat_requests(emulator))
    qtbot.keyClicks(playground.message_edit, "   ")

    click(qtbot, playground.send_button)

    assert playground.reply_task is None
    assert playground.info_label.text() == "Write a message first."
    assert len(chat_requests(emulator)) == before
    assert playground.transcript.turn_widgets == []


def test_huge_paste_is_refused_before_sending_when_over_the_models_context(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    before = len(chat_requests(emulator))
    paste = "lorem ipsum dolor sit amet " * 30_000  # about 150,000 tokens
    playground.message_edit.setPlainText(paste)  # a paste, not typed key by key

    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    assert "more than the model takes" in playground.info_label.text()
    assert len(chat_requests(emulator)) == before
    assert playground.message_edit.toPlainText() == paste  # nothing the user wrote is lost
    assert context_of(window).playground_store.list_sessions() == []


def test_out_of_range_setting_is_refused_with_the_reason_when_sent(
    qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    click(qtbot, playground.settings_panel.toggle_button)
    qtbot.keyClicks(playground.settings_panel.temperature_edit, "3")
    qtbot.keyClicks(playground.message_edit, "Hello")

    click(qtbot, playground.send_button)

    assert playground.reply_task is None
    assert "Temperature must be between 0 and 2" in playground.info_label.text()
    assert playground.settings_panel.problems_label.isVisibleTo(playground)


def test_settings_are_sent_with_the_request_when_filled_in(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    panel = playground.settings_panel
    click(qtbot, panel.toggle_button)
    qtbot.keyClicks(panel.system_edit, "You answer briefly.")
    qtbot.keyClicks(panel.temperature_edit, "0.2")
    qtbot.keyClicks(panel.top_p_edit, "0.9")
    qtbot.keyClicks(panel.max_tokens_edit, "50")
    qtbot.keyClicks(panel.stop_edit, "END|\\n\\n")
    qtbot.keyClicks(panel.seed_edit, "7")

    send_and_wait(qtbot, qasync_loop, playground, "Hello")

    body = chat_requests(emulator)[-1]
    assert body["messages"][0] == {"role": "system", "content": "You answer briefly."}
    assert body["temperature"] == 0.2 and body["top_p"] == 0.9
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 50
    assert body["stop"] == ["END", "\n\n"] and body["seed"] == 7


def test_closing_the_window_mid_reply_keeps_the_message_and_the_partial_reply(
    make_window: WindowFactory,
    slow_emulator: Emulator,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    playground = window.playground_tab
    store = context_of(window).playground_store

    task = type_and_send(qtbot, playground, "Tell me about refunds")
    run(
        qasync_loop,
        next_emission(
            playground.reply_view.textChanged,
            lambda: len(playground.reply_view.toPlainText().split()) >= 3,
        ),
    )
    run(qasync_loop, close_and_wait(window, task))

    [summary] = store.list_sessions()
    saved = store.session(summary.id)
    assert saved is not None
    assert [t.role for t in saved.turns] == ["user", "assistant"]
    assert saved.turns[0].content == "Tell me about refunds"
    assert saved.turns[1].status is TurnStatus.STOPPED and len(saved.turns[1].content.split()) >= 3


def test_footer_says_what_a_simulated_reply_would_cost_when_the_model_is_priced() -> None:
    priced = ChatTurn(
        "assistant",
        "Hi",
        usage=Usage(10, 5),
        cost=Decimal("0.0000123"),
        prices_as_of=dt.date(2026, 3, 1),
    )
    unpriced = ChatTurn("assistant", "Hi", usage=Usage(10, 5))

    assert "would cost about $0.0000123 at prices of 01 Mar 2026 · simulated, no cost" in (
        reply_footer(priced, simulated=True)
    )
    assert "cost unknown" not in reply_footer(unpriced, simulated=True)
    assert "cost unknown for this model" in reply_footer(unpriced)
