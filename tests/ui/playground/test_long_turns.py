"""A turn too long to lay out at once (a 100,000-token paste): its start and "Show all", the
whole text in its own box, Copy of all of it; the same when the saved chat is reopened."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.core.playground.long_text import LONG_TEXT_CHARS, PREVIEW_CHARS
from desktop.core.playground.sessions import ChatSession, ChatTurn
from desktop.sandbox import Emulator
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.transcript import TranscriptWidget, TurnWidget
from tests.ui.conftest import WindowFactory
from tests.ui.loop_helpers import run
from tests.ui.playground.helpers import click
from tests.ui.playground.test_faults import reopen
from tests.ui.playground.test_playground import MODEL

pytestmark = [pytest.mark.gui, pytest.mark.integration]

PASTE = "lorem ipsum dolor sit amet " * 20_000  # about 100,000 tokens, 540,000 characters


def assert_shows_start_and_show_all(qtbot: Any, turn: TurnWidget) -> None:
    shown = turn.body.text()
    assert PASTE.startswith(shown) and 0 < len(shown) <= PREVIEW_CHARS
    assert turn.more_label is not None and turn.show_all_button is not None
    assert turn.more_label.text() == f"… {len(PASTE) - len(shown):,} more characters"
    assert turn.show_all_button.isVisibleTo(turn)

    click(qtbot, turn.show_all_button)
    assert turn.full_view is not None and turn.full_view.isVisibleTo(turn)
    assert not turn.body.isVisibleTo(turn) and turn.show_all_button.text() == "Show less"
    assert turn.full_view.text() == PASTE
    turn.full_view.selectAll()
    turn.full_view.copy()
    assert QGuiApplication.clipboard().text() == PASTE

    click(qtbot, turn.show_all_button)
    assert turn.body.isVisibleTo(turn) and not turn.full_view.isVisibleTo(turn)
    assert turn.show_all_button.text() == "Show all"


def test_long_user_turn_shows_its_start_and_show_all_when_a_100000_token_paste_is_sent(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    window.show()
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    playground.message_edit.setPlainText(PASTE)
    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)

    user_turn, reply = playground.transcript.turn_widgets
    assert playground.transcript.texts()[0] == PASTE
    assert reply.show_all_button is None  # a short reply is shown whole, as Markdown
    assert_shows_start_and_show_all(qtbot, user_turn)

    QGuiApplication.clipboard().clear()
    click(qtbot, user_turn.copy_button)
    assert QGuiApplication.clipboard().text() == PASTE

    assert user_turn.edit_button is not None
    click(qtbot, user_turn.edit_button)
    assert playground.message_edit.toPlainText() == PASTE


def test_reopened_chat_with_a_long_turn_shows_its_start_and_show_all(
    make_window: WindowFactory, emulator: Emulator, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    playground.message_edit.setPlainText(PASTE)
    click(qtbot, playground.send_button)
    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)
    window.close()

    _, reopened = reopen(make_window, qasync_loop, emulator.base_url, qtbot)
    assert reopened.transcript.texts()[0] == PASTE
    user_turn = reopened.transcript.turn_widgets[0]
    assert_shows_start_and_show_all(qtbot, user_turn)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(user_turn.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == PASTE


def test_turn_is_shown_whole_up_to_the_limit_and_by_its_start_when_longer(qtbot: Any) -> None:
    view = TranscriptWidget()
    qtbot.addWidget(view)
    whole = "word " * (LONG_TEXT_CHARS // 5)
    longer = whole + "x"
    session = ChatSession(
        id="s",
        title="t",
        model=MODEL,
        turns=(ChatTurn("user", whole), ChatTurn("assistant", longer, model=MODEL)),
    )
    view.show_session(session, simulated=False)

    shown_whole, shown_start = view.turn_widgets
    assert shown_whole.show_all_button is None and shown_whole.body.text() == whole
    assert shown_start.show_all_button is not None
    assert len(shown_start.body.text()) <= PREVIEW_CHARS
    assert view.texts() == [whole, longer]
