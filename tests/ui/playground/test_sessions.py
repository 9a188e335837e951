"""Saved chats: kept after every turn, reopened in a new window on the same database, searched,
renamed, deleted and exported, driven through the side list like a person would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.helpers import click, click_row, open_playground
from tests.ui.playground.test_playground import type_and_send

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def shown_window(make_window: WindowFactory, loop: Any, base_url: str) -> MainWindow:
    window = open_playground(make_window, loop, base_url)
    window.show()
    return window


def chat(qtbot: Any, loop: Any, playground: PlaygroundWidget, *messages: str) -> None:
    for message in messages:
        run(loop, type_and_send(qtbot, playground, message))


def test_chat_is_saved_and_reopens_when_the_window_is_rebuilt_on_the_same_database(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    first = shown_window(make_window, qasync_loop, emulator.base_url)
    playground = first.playground_tab
    click(qtbot, playground.settings_panel.toggle_button)
    qtbot.keyClicks(playground.settings_panel.temperature_edit, "0.4")
    chat(qtbot, qasync_loop, playground, "Refund for order 1234", "And the shipping cost?")
    shown_before = playground.transcript.texts()
    first.close()

    second = shown_window(make_window, qasync_loop, emulator.base_url)
    reopened = second.playground_tab
    assert reopened.session_list.titles() == ["Refund for order 1234"]
    assert reopened.transcript.turn_widgets == []  # a new window starts on a new chat
    click_row(qtbot, reopened.session_list.list, 0)

    assert reopened.transcript.texts() == shown_before
    footer = reopened.transcript.turn_widgets[-1].footer
    assert footer is not None and "output tokens" in footer.text()
    assert reopened.settings_panel.temperature_edit.text() == "0.4"
    # The conversation goes on where it stopped.
    chat(qtbot, qasync_loop, reopened, "Thanks")
    assert len(reopened.transcript.turn_widgets) == 6
    assert reopened.session_list.ids() == [playground.session.id]  # type: ignore[union-attr]


def test_search_keeps_the_chats_that_mention_the_text_when_typed(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    playground = shown_window(make_window, qasync_loop, emulator.base_url).playground_tab
    chat(qtbot, qasync_loop, playground, "Refund for a broken kettle")
    click(qtbot, playground.session_list.new_button)
    assert playground.transcript.turn_widgets == []
    chat(qtbot, qasync_loop, playground, "Shipping time to Norway")
    assert len(playground.session_list.titles()) == 2

    qtbot.keyClicks(playground.session_list.search_edit, "kettle")

    assert playground.session_list.titles() == ["Refund for a broken kettle"]


def test_rename_gives_the_chat_the_name_typed_when_confirmed(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
) -> None:
    window = shown_window(make_window, qasync_loop, emulator.base_url)
    playground = window.playground_tab
    chat(qtbot, qasync_loop, playground, "Hello there")
    dialog_answers.texts.append("Greeting test")

    click(qtbot, playground.session_list.rename_button)

    assert dialog_answers.asked == ["Rename chat"]
    assert playground.session_list.titles() == ["Greeting test"]
    store = context_of(window).playground_store
    assert [s.title for s in store.list_sessions()] == ["Greeting test"]


def test_delete_forgets_the_chat_and_clears_the_conversation_when_confirmed(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    confirm_answers: Any,
) -> None:
    window = shown_window(make_window, qasync_loop, emulator.base_url)
    playground = window.playground_tab
    chat(qtbot, qasync_loop, playground, "Delete me later")

    click(qtbot, playground.session_list.delete_button)

    assert len(confirm_answers.questions) == 1 and "Delete me later" in confirm_answers.questions[0]
    assert playground.session_list.titles() == []
    assert playground.transcript.turn_widgets == []
    assert context_of(window).playground_store.list_sessions() == []


def test_export_writes_jsonl_and_markdown_files_when_a_file_is_chosen(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    tmp_path: Path,
) -> None:
    playground = shown_window(make_window, qasync_loop, emulator.base_url).playground_tab
    chat(qtbot, qasync_loop, playground, "Export this chat")
    dialog_answers.paths += [tmp_path / "chat.jsonl", tmp_path / "chat"]

    click(qtbot, playground.session_list.export_jsonl_button)
    click(qtbot, playground.session_list.export_markdown_button)

    lines = (tmp_path / "chat.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    messages = json.loads(lines[0])["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "Export this chat"
    markdown = (tmp_path / "chat.md").read_text(encoding="utf-8")  # the suffix is added
    assert markdown.startswith("# Export this chat") and "## Assistant" in markdown
    assert "chat.md" in playground.info_label.text()
