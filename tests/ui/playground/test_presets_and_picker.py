"""Presets saved, applied and deleted from the settings panel; the model picker's search and
its marks (fine-tuned, retired)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.models import ModelIdRole
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.helpers import click, open_playground

pytestmark = [pytest.mark.gui, pytest.mark.integration]

FINE_TUNED = "ft:gpt-4o-mini-2024-07-18:demo:support:abc123"


def test_preset_is_saved_and_applied_when_chosen_again(
    qtbot: Any, dialog_answers: DialogAnswers, window: MainWindow
) -> None:
    panel = window.playground_tab.settings_panel
    click(qtbot, panel.toggle_button)
    qtbot.keyClicks(panel.system_edit, "Answer in one sentence.")
    qtbot.keyClicks(panel.temperature_edit, "0.3")
    qtbot.keyClicks(panel.stop_edit, "END")
    dialog_answers.texts.append("Brief")

    click(qtbot, panel.save_preset_button)
    for edit in (panel.temperature_edit, panel.stop_edit):
        edit.clear()
    panel.system_edit.clear()
    assert panel.preset_combo.currentText() == "Brief"
    click(qtbot, panel.apply_preset_button)

    assert panel.system_edit.toPlainText() == "Answer in one sentence."
    assert panel.temperature_edit.text() == "0.3"
    assert panel.stop_edit.text() == "END"
    saved = context_of(window).playground_store.presets()
    assert [p.name for p in saved] == ["Brief"] and saved[0].settings.temperature == 0.3


def test_preset_is_deleted_when_confirmed(
    qtbot: Any, dialog_answers: DialogAnswers, confirm_answers: Any, window: MainWindow
) -> None:
    panel = window.playground_tab.settings_panel
    click(qtbot, panel.toggle_button)
    qtbot.keyClicks(panel.seed_edit, "42")
    dialog_answers.texts.append("Repeatable")
    click(qtbot, panel.save_preset_button)

    click(qtbot, panel.delete_preset_button)

    assert confirm_answers.questions and "Repeatable" in confirm_answers.questions[0]
    assert panel.preset_combo.count() == 0
    assert not panel.apply_preset_button.isEnabled()
    assert context_of(window).playground_store.presets() == []


def test_preset_with_an_invalid_value_is_not_saved(
    qtbot: Any, dialog_answers: DialogAnswers, window: MainWindow
) -> None:
    panel = window.playground_tab.settings_panel
    click(qtbot, panel.toggle_button)
    qtbot.keyClicks(panel.top_p_edit, "1.5")

    click(qtbot, panel.save_preset_button)

    assert dialog_answers.asked == []  # not even asked for a name
    assert "Top-p must be between 0 and 1" in panel.problems_label.text()
    assert context_of(window).playground_store.presets() == []


def test_model_search_chooses_the_first_model_matching_the_text_when_enter_is_pressed(
    qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    assert playground.selected_model != "gpt-4o-2024-08-06"

    qtbot.keyClicks(playground.picker.search_edit, "4o-2024")
    qtbot.keyClick(playground.picker.search_edit, Qt.Key.Key_Return)

    assert playground.selected_model == "gpt-4o-2024-08-06"
    assert playground.picker.search_edit.text() == ""


def test_fine_tuned_model_is_marked_and_listed_first_when_opened(window: MainWindow) -> None:
    playground = window.playground_tab

    assert playground.open_model(FINE_TUNED)

    combo = playground.model_combo
    assert combo.itemData(0, ModelIdRole) == FINE_TUNED
    assert playground.picker.choices.choice(0) is not None
    assert playground.picker.choices.choice(0).fine_tuned  # type: ignore[union-attr]


def test_retired_model_cannot_be_chosen_by_search_when_past_shutdown(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    service = context_of(window).connection_service
    run(qasync_loop, service.start_check())
    playground = PlaygroundWidget(service, today=lambda: dt.date(2026, 12, 1), parent=window)
    before = playground.selected_model

    qtbot.keyClicks(playground.picker.search_edit, "gpt-3.5-turbo-0125")
    qtbot.keyClick(playground.picker.search_edit, Qt.Key.Key_Return)

    assert playground.selected_model == before != "gpt-3.5-turbo-0125"
    row = playground.picker.choices.row_of("gpt-3.5-turbo-0125")
    assert "(retired)" in playground.model_combo.itemText(row)
    playground.shutdown()


def test_checkpoint_of_a_saved_chat_is_offered_and_chosen_when_the_chat_is_opened(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    from desktop.core.playground.sessions import ChatSession, ChatTurn

    checkpoint = f"{FINE_TUNED}:ckpt-step-10"
    window = make_window(demo_url=emulator.base_url)
    context_of(window).playground_store.save_session(
        ChatSession(
            id="s1",
            title="Checkpoint chat",
            model=checkpoint,
            turns=(ChatTurn("user", "Hi"), ChatTurn("assistant", "Hello!", model=checkpoint)),
            created_at=1.0,
            updated_at=1.0,
        )
    )
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    window.show()
    playground = window.playground_tab
    view = playground.session_list.list

    rect = view.visualItemRect(view.item(0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert playground.selected_model == checkpoint
    assert "checkpoint" in playground.model_combo.currentText()
    assert playground.transcript.texts() == ["Hi", "Hello!"]
