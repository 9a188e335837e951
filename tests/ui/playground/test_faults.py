"""The Playground's chat when things go wrong, on the emulator through the real SDK: a reply cut
mid-stream, the window closed mid-reply, a model gone between two uses, a huge paste.

Compare's faults are in ``test_faults_compare.py``.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import openai
import pytest

from desktop.core.playground.sessions import TurnStatus
from desktop.sandbox import Emulator, Faults
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import ShownError, WindowFactory, context_of
from tests.ui.loop_helpers import close_and_wait, next_emission, run
from tests.ui.playground.helpers import click, click_row, open_playground
from tests.ui.playground.test_playground import (
    MODEL,
    slow_emulator,  # noqa: F401  (fixture)
    type_and_send,
)
from tests.ui.playground.test_prompt_savings import train_a_model

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def send(qtbot: Any, loop: Any, playground: PlaygroundWidget, text: str) -> None:
    """Type ``text`` and click Send with the model already picked; wait for the reply."""
    qtbot.keyClicks(playground.message_edit, text)
    click(qtbot, playground.send_button)
    assert playground.reply_task is not None, "Send did not start a reply"
    run(loop, playground.reply_task)


def reopen(
    make_window: WindowFactory, loop: Any, base_url: str, qtbot: Any
) -> tuple[MainWindow, PlaygroundWidget]:
    """A new window on the same database, its first saved chat opened from the list."""
    window = open_playground(make_window, loop, base_url)
    window.show()
    playground = window.playground_tab
    click_row(qtbot, playground.session_list.list, 0)
    return window, playground


def destroyed_task_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    gc.collect()  # a pending task left behind is reported when it is collected
    return [
        record.getMessage()
        for record in caplog.records
        if "Task was destroyed" in record.getMessage() or "exception was never" in record.msg
    ]


def test_cut_reply_keeps_the_part_received_marked_and_says_to_regenerate(
    emulator: Emulator,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: list[ShownError],
    window: MainWindow,
) -> None:
    playground = window.playground_tab
    emulator.faults = Faults(cut_stream_after=5)

    run(qasync_loop, type_and_send(qtbot, playground, "What are your opening hours?"))

    [error] = shown_errors
    assert "connection dropped" in error.message and "Regenerate" in error.message
    assert "connection dropped" in playground.info_label.text()
    assert "Regenerate" in playground.info_label.text()
    reply = playground.transcript.turn_widgets[-1]
    assert reply.body.text(), "the part received was lost"
    assert reply.footer is not None and "incomplete" in reply.footer.text()
    assert playground.session is not None
    saved = context_of(window).playground_store.session(playground.session.id)
    assert saved is not None
    assert [t.role for t in saved.turns] == ["user", "assistant"]
    assert saved.turns[1].status is TurnStatus.FAILED
    assert saved.turns[1].content == reply.body.text() and len(saved.turns[1].content) > 0

    emulator.faults = Faults()  # the connection is back: Regenerate gets the whole reply
    assert playground.regenerate_button.isEnabled()
    click(qtbot, playground.regenerate_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)
    saved = context_of(window).playground_store.session(playground.session.id)
    assert saved is not None and saved.turns[-1].status is TurnStatus.FINISHED
    assert len(saved.turns) == 2 and "opening hours" in saved.turns[-1].content


def test_closing_the_window_mid_reply_keeps_every_turn_for_the_next_window(
    make_window: WindowFactory,
    slow_emulator: Emulator,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    playground = window.playground_tab
    run(qasync_loop, type_and_send(qtbot, playground, "First question"))
    earlier = playground.transcript.texts()
    qtbot.keyClicks(playground.message_edit, "Tell me about refunds")
    click(qtbot, playground.send_button)
    task = playground.reply_task
    assert task is not None
    run(
        qasync_loop,
        next_emission(
            playground.reply_view.textChanged,
            lambda: len(playground.reply_view.toPlainText().split()) >= 3,
        ),
    )

    run(qasync_loop, close_and_wait(window, task))
    _, reopened = reopen(make_window, qasync_loop, slow_emulator.base_url, qtbot)

    texts = reopened.transcript.texts()
    assert texts[:3] == [*earlier, "Tell me about refunds"]
    assert len(texts) == 4 and len(texts[3].split()) >= 3  # the partial reply, kept
    last = reopened.transcript.turn_widgets[3]
    assert last.footer is not None and "stopped" in last.footer.text()
    assert destroyed_task_warnings(caplog) == []


def test_model_gone_between_two_uses_says_so_and_the_saved_chat_still_opens(
    make_window: WindowFactory,
    emulator: Emulator,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: list[ShownError],
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    playground = window.playground_tab
    assert playground.select_model(trained)
    send(qtbot, qasync_loop, playground, "What are your opening hours?")
    first_reply = playground.transcript.texts()[1]
    assert "open from" in first_reply
    with openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0) as sdk:
        sdk.models.delete(trained)  # deleted (or retired) while the chat is open

    send(qtbot, qasync_loop, playground, "And on Sundays?")

    [error] = shown_errors
    assert trained in error.message
    assert "no longer exists" in error.message and "retired or deleted" in error.message
    assert f"for example {MODEL}" in error.message  # the model it was trained from
    assert "retired or deleted" in playground.info_label.text()
    window.close()

    _, reopened = reopen(make_window, qasync_loop, emulator.base_url, qtbot)
    texts = reopened.transcript.texts()
    assert texts[:3] == ["What are your opening hours?", first_reply, "And on Sundays?"]
    failed = reopened.transcript.turn_widgets[3]
    assert failed.footer is not None and "no longer exists" in failed.footer.text()


def test_paste_of_100000_tokens_is_answered_and_shown_when_within_the_models_context(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    # test_chat.py covers a paste over the model's context (refused before sending); this one
    # fits (gpt-4o-mini takes 128,000 tokens), so it is sent, answered and kept.
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    paste = "lorem ipsum dolor sit amet " * 20_000  # about 100,000 tokens
    playground.message_edit.setPlainText(paste)

    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    texts = playground.transcript.texts()
    assert len(texts) == 2 and texts[0] == paste
    footer = playground.transcript.turn_widgets[1].footer
    assert footer is not None and "input tokens" in footer.text()
    prompt_tokens = int(footer.text().split(" input tokens")[0].replace(",", ""))
    assert 90_000 < prompt_tokens < 128_000
    saved = context_of(window).playground_store.list_sessions()
    assert len(saved) == 1
