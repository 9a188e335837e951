"""The Compare view when things go wrong, and its rounds kept among the Playground's saved chats,
on the emulator through the real SDK: one column cut mid-stream, a window closed mid-answer, a
model gone between two rounds, a message too long, a vote kept with its round."""

from __future__ import annotations

import logging
from typing import Any

import openai
import pytest

from desktop.core.playground.sessions import ChatSession, TurnStatus
from desktop.sandbox import Emulator, Faults
from desktop.storage.playground_store import PlaygroundStore
from desktop.ui.common.main_window import MainWindow
from tests.ui.conftest import ShownError, WindowFactory, context_of
from tests.ui.loop_helpers import close_and_wait, run
from tests.ui.playground.helpers import (
    BIG,
    MINI,
    NANO,
    click,
    click_row,
    compare_and_wait,
    open_compare,
    open_playground,
    start_slow_round,
)
from tests.ui.playground.test_faults import destroyed_task_warnings, reopen
from tests.ui.playground.test_playground import (
    slow_emulator,  # noqa: F401  (fixture)
)
from tests.ui.playground.test_prompt_savings import train_a_model

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def saved_rounds(store: PlaygroundStore) -> list[ChatSession]:
    """The saved Compare rounds, newest first."""
    sessions = [store.session(summary.id) for summary in store.list_sessions()]
    return [s for s in sessions if s is not None and s.compare is not None]


def chat_requests(emulator: Any) -> int:
    return sum(1 for r in emulator.requests if r.path.endswith("/chat/completions"))


def test_cut_column_keeps_its_part_marked_while_the_others_finish(
    emulator: Emulator,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: list[ShownError],
    window: MainWindow,
) -> None:
    view = open_compare(qtbot, window)
    emulator.faults = Faults(cut_stream_after=5, cut_stream_model=BIG)

    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG, NANO], "What are your opening hours?")

    cut = view.columns[1]
    assert cut.answer and "opening hours" not in cut.answer  # the start of the answer only
    assert cut.footer.text().startswith("Failed: The connection dropped")
    assert "marked as incomplete" in cut.footer.text()
    for column in (view.columns[0], view.columns[2]):
        assert "opening hours" in column.answer
        assert not column.footer.text().startswith("Failed")
    info = view.info_label.text()
    assert "2 of 3 answered; 1 failed" in info and "connection dropped" in info
    assert "Send the message again" in info
    assert shown_errors == []
    [saved] = saved_rounds(context_of(window).playground_store)
    assert saved.title == "Compare: What are your opening hours?"
    assert [t.model for t in saved.turns[1:]] == [MINI, BIG, NANO]
    assert saved.turns[2].status is TurnStatus.FAILED
    assert saved.turns[2].content == cut.answer
    assert [t.status for t in (saved.turns[1], saved.turns[3])] == [TurnStatus.FINISHED] * 2


def test_closing_the_compare_window_mid_answer_keeps_the_round_in_the_saved_chats(
    make_window: WindowFactory,
    slow_emulator: Emulator,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    window.show()
    playground = window.playground_tab
    view = open_compare(qtbot, window)
    task = start_slow_round(qtbot, qasync_loop, view, "Tell me about refunds")

    run(qasync_loop, close_and_wait(view, task))
    assert not task.cancelled() and task.exception() is None

    assert playground.session_list.titles() == ["Compare: Tell me about refunds"]
    click_row(qtbot, playground.session_list.list, 0)
    texts = playground.transcript.texts()
    assert texts[0] == "Tell me about refunds"
    assert texts[1:] == [c.answer for c in view.columns[:2]]
    replies = playground.transcript.turn_widgets[1:]
    assert all(w.footer is not None and "stopped" in w.footer.text() for w in replies)
    assert "saved comparison of 2 answers" in playground.info_label.text()
    assert not any(w.delete_button.isEnabled() for w in playground.transcript.turn_widgets)


def test_closing_the_main_window_mid_answer_keeps_the_round_for_the_next_window(
    make_window: WindowFactory,
    slow_emulator: Emulator,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    view = open_compare(qtbot, window)
    task = start_slow_round(qtbot, qasync_loop, view, "How do I reset my password?")

    run(qasync_loop, close_and_wait(window, task))
    answers = [c.answer for c in view.columns[:2]]
    _, reopened = reopen(make_window, qasync_loop, slow_emulator.base_url, qtbot)

    assert reopened.session_list.titles() == ["Compare: How do I reset my password?"]
    assert reopened.transcript.texts() == ["How do I reset my password?", *answers]
    assert all(len(answer.split()) >= 3 for answer in answers)
    assert destroyed_task_warnings(caplog) == []


def test_model_gone_between_two_rounds_fails_its_column_and_the_first_round_still_opens(
    make_window: WindowFactory,
    emulator: Emulator,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: list[ShownError],
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    window.show()
    view = open_compare(qtbot, window)
    compare_and_wait(qtbot, qasync_loop, view, [trained, MINI], "What are your opening hours?")
    first_answers = [c.answer for c in view.columns[:2]]
    assert "open from" in first_answers[0]
    with openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0) as sdk:
        sdk.models.delete(trained)

    view.message_edit.clear()
    compare_and_wait(qtbot, qasync_loop, view, [trained, MINI], "And on Sundays?")

    gone = view.columns[0]
    assert f"The model {trained} no longer exists" in gone.answer
    assert "retired or deleted" in gone.answer and f"for example {MINI}" in gone.answer
    assert gone.footer.text().startswith("Failed:")
    assert "Sundays" in view.columns[1].answer
    assert "1 of 2 answered; 1 failed" in view.info_label.text()
    assert shown_errors == []
    playground = window.playground_tab
    assert playground.session_list.titles() == [
        "Compare: And on Sundays?",
        "Compare: What are your opening hours?",
    ]
    click_row(qtbot, playground.session_list.list, 1)
    assert playground.transcript.texts() == ["What are your opening hours?", *first_answers]


def test_blind_vote_is_kept_with_its_round_and_told_when_reopened(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    window.show()
    store = context_of(window).playground_store
    view = open_compare(qtbot, window)
    click(qtbot, view.blind_check)
    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG, NANO], "Can I pay by card?")

    click(qtbot, view.columns[1].vote_button)

    [saved] = saved_rounds(store)
    assert saved.compare is not None and saved.compare.blind and saved.compare.preferred == 1
    assert saved.compare.seed is not None
    [vote] = store.votes()
    assert vote.id == saved.id  # the vote and its round name each other
    assert saved.turns[2].model == view.columns[1].model
    playground = window.playground_tab
    click_row(qtbot, playground.session_list.list, 0)
    assert f"You voted the answer of {view.columns[1].model} best" in (playground.info_label.text())


def test_sending_from_a_reopened_round_starts_a_new_chat_and_leaves_the_round(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    window.show()
    store = context_of(window).playground_store
    view = open_compare(qtbot, window)
    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG], "Do you ship abroad?")
    playground = window.playground_tab
    click_row(qtbot, playground.session_list.list, 0)
    [saved] = saved_rounds(store)

    click(qtbot, playground.regenerate_button)
    assert playground.reply_task is None
    assert "saved comparison" in playground.info_label.text()
    assert playground.select_model(MINI)
    qtbot.keyClicks(playground.message_edit, "Thanks")
    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    assert playground.session is not None and playground.session.id != saved.id
    assert playground.transcript.texts()[0] == "Thanks"
    assert saved_rounds(store) == [saved]  # the round is as it was
    assert len(store.list_sessions()) == 2


def test_message_too_long_for_a_model_is_refused_before_sending(
    emulator: Emulator, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    view = open_compare(qtbot, window)
    assert view.choose_models([MINI, BIG])
    before = chat_requests(emulator)
    paste = "lorem ipsum dolor sit amet " * 30_000  # about 150,000 tokens
    view.message_edit.setPlainText(paste)  # a paste, not typed key by key

    click(qtbot, view.send_button)
    assert view.compare_task is not None
    run(qasync_loop, view.compare_task)

    assert "more than the model takes" in view.info_label.text()
    assert chat_requests(emulator) == before
    assert view.message_edit.toPlainText() == paste  # nothing the user wrote is lost
    assert context_of(window).playground_store.list_sessions() == []
    assert all(c.footer.text() == "Not sent." for c in view.columns[:2])
    assert view.send_button.isEnabled()


def test_paste_of_100000_tokens_goes_to_every_model_when_within_their_context(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    view = open_compare(qtbot, window)
    assert view.choose_models([MINI, BIG])
    view.message_edit.setPlainText("lorem ipsum dolor sit amet " * 20_000)  # ~100,000 tokens

    click(qtbot, view.send_button)
    assert view.compare_task is not None
    run(qasync_loop, view.compare_task)

    assert "2 of 2 answered" in view.info_label.text()
    for column in view.columns[:2]:
        prompt_tokens = int(column.footer.text().split(" input tokens")[0].replace(",", ""))
        assert 90_000 < prompt_tokens < 128_000
    [saved] = saved_rounds(context_of(window).playground_store)
    assert len(saved.turns[0].content) == len("lorem ipsum dolor sit amet ") * 20_000
