"""The main window as a person sees it: tabs, menus, status bar, remembered layout."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QSplitter

from desktop.core.connections import ConnectionKind, ConnectionProfile, new_profile_id
from desktop.core.errors import ConnectionFailedError
from desktop.ui.common.about_dialog import AboutDialog, PrivacyDialog
from desktop.ui.common.connection_service import ReachState
from desktop.ui.common.main_window import preferences_shortcuts
from tests.ui.conftest import ConfirmAnswers, WindowFactory, context_of
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_shows_three_tabs_in_order_when_opened(make_window: WindowFactory, qtbot: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]

    assert titles == ["Datasets", "Jobs", "Playground"]


def test_empty_tabs_explain_what_to_do_when_opened(make_window: WindowFactory) -> None:
    window = make_window()

    datasets_text = window.datasets_tab.start_page.explanation_label.text()
    jobs_text = window.jobs_tab.empty_label.text()

    assert "dataset" in datasets_text.lower()
    assert "no jobs on this connection yet" in jobs_text.lower()
    assert "new job…" in jobs_text.lower()


def test_jobs_tab_opens_a_model_in_the_playground_when_asked(make_window: WindowFactory) -> None:
    window = make_window()
    model = "ft:gpt-4o-mini-2024-07-18:demo-org:support:ckpt-step-20"

    window.jobs_tab.open_model_requested.emit(model)

    assert window.tabs.currentWidget() is window.playground_tab
    assert window.playground_tab.model_combo.currentText().startswith(model)


def test_status_bar_names_demo_connection_when_started(make_window: WindowFactory) -> None:
    window = make_window()

    assert "Demo (simulated)" in window.connection_status.text
    assert "checking…" in window.connection_status.text


def test_status_bar_says_reachable_when_demo_answers(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any
) -> None:
    window = make_window(demo_url=emulator.base_url)

    run(qasync_loop, context_of(window).connection_service.start_check())

    assert "Demo (simulated) · reachable" in window.connection_status.text


def test_status_bar_says_unreachable_with_reason_when_demo_cannot_start(
    make_window: WindowFactory, qasync_loop: Any
) -> None:
    def broken_demo() -> str:
        raise ConnectionFailedError("emulator failed", user_message="The demo could not start.")

    window = make_window(demo_factory=broken_demo)
    service = context_of(window).connection_service

    run(qasync_loop, service.start_check())

    assert service.reachability.state is ReachState.UNREACHABLE
    assert "unreachable: cannot connect" in window.connection_status.text
    assert window.connection_status.reachability_label.toolTip() == "The demo could not start."


def test_restores_geometry_splitter_and_last_tab_when_reopened(
    make_window: WindowFactory, qtbot: Any
) -> None:
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    first.resize(720, 520)
    first.tabs.setCurrentIndex(2)
    splitter = first.playground_tab.splitter
    splitter.setSizes([300, 100])
    saved_sizes = splitter.sizes()
    first.close()

    second = make_window()
    second.show()
    qtbot.waitExposed(second)

    assert second.tabs.currentIndex() == 2
    assert (second.width(), second.height()) == (720, 520)
    assert second.findChild(QSplitter, "playgroundSplitter").sizes() == saved_sizes


def test_about_shows_app_qt_and_sdk_versions_when_chosen_from_help_menu(
    make_window: WindowFactory, qtbot: Any
) -> None:
    import importlib.metadata

    import PySide6
    from PySide6.QtCore import qVersion

    window = make_window()
    window.about_action.trigger()

    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    text = dialog.text_label.text()
    assert "0.1.0" in text
    assert qVersion() in text
    assert PySide6.__version__ in text
    assert importlib.metadata.version("openai") in text
    assert "MIT" in text


def test_privacy_note_opens_when_link_in_about_is_clicked(
    make_window: WindowFactory, qtbot: Any
) -> None:
    window = make_window()
    about = window.open_about()

    about.text_label.linkActivated.emit("privacy")

    privacy = about.findChild(PrivacyDialog)
    assert privacy is not None and privacy.isVisible()
    text = privacy.browser.toPlainText()
    assert "The Demo sends nothing anywhere" in text
    assert "training" in text and "prompts" in text


def test_help_opens_with_getting_started_when_chosen_from_help_menu(
    make_window: WindowFactory,
) -> None:
    window = make_window()

    window.help_action.trigger()

    assert QKeySequence("F1") in window.help_action.shortcuts()
    assert window.help_dialog is not None and window.help_dialog.isVisible()
    text = window.help_dialog.browser.toPlainText()
    assert "Getting started" in text
    assert "coming in the next release" not in text
    for tool in ("Compare…", "Evaluate…", "Prompt savings…", "Add to dataset…", "Similarity"):
        assert tool in text, f"the help does not explain {tool}"


def test_standard_shortcuts_are_set_when_menus_are_built(make_window: WindowFactory) -> None:
    window = make_window()

    assert window.quit_action.shortcut().toString() != ""
    assert window.preferences_action.shortcuts() == preferences_shortcuts()
    assert window.preferences_action.shortcut() != QKeySequence()
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus == ["File", "Edit", "Demo", "Help"]


def test_quit_closes_window_when_chosen(make_window: WindowFactory, qtbot: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)

    window.quit_action.trigger()

    assert not window.isVisible()


def test_reset_demo_does_nothing_when_user_cancels(
    make_window: WindowFactory, confirm_answers: ConfirmAnswers
) -> None:
    window = make_window()
    demo_dir = context_of(window).paths.demo_dir
    (demo_dir / "files.json").write_text("{}")
    confirm_answers.answer = False

    window.reset_demo_action.trigger()

    assert len(confirm_answers.questions) == 1
    assert "Reset the demo data?" in confirm_answers.questions[0]
    assert (demo_dir / "files.json").exists()


def test_reset_demo_clears_demo_folder_when_confirmed(
    make_window: WindowFactory, confirm_answers: ConfirmAnswers, qasync_loop: Any
) -> None:
    window = make_window()
    demo_dir = context_of(window).paths.demo_dir
    (demo_dir / "files.json").write_text("{}")
    (demo_dir / "uploads").mkdir()

    window.reset_demo_action.trigger()
    run(qasync_loop, asyncio.gather(*window.pending_tasks()))  # the Demo's models reload

    assert list(demo_dir.iterdir()) == []
    assert "Demo data reset" in window.statusBar().currentMessage()


def test_simulated_badge_shows_when_demo_is_active(make_window: WindowFactory) -> None:
    window = make_window()

    badge = window.playground_tab.findChild(QLabel, "simulatedBadge")

    assert badge is not None and not badge.isHidden()
    assert badge.text() == "Simulated"


def test_preferences_opens_connections_dialog_when_chosen(make_window: WindowFactory) -> None:
    window = make_window()

    window.preferences_action.trigger()

    dialog = window.settings_dialog
    assert isinstance(dialog, QDialog)
    assert dialog.isVisible()
    assert dialog.objectName() == "settingsDialog"
    dialog.close()


def _save_work_profile(window: Any, *, key: str | None) -> ConnectionProfile:
    context = context_of(window)
    profile = context.profiles.save(
        ConnectionProfile(
            id=new_profile_id(),
            name="Work",
            kind=ConnectionKind.OPENAI,
            base_url="http://127.0.0.1:9/v1",  # nothing listens on the discard port
        )
    )
    if key is not None:
        context.keychain.set(profile.id, key)
    return profile


def test_status_bar_follows_connection_chosen_in_preferences_when_switched(
    make_window: WindowFactory, qasync_loop: Any
) -> None:
    window = make_window()
    profile = _save_work_profile(window, key="sk-test-key-123456")
    dialog = window.open_preferences()

    dialog.active_changed.emit(profile.id)
    assert "OpenAI — Work · checking…" in window.connection_status.text
    run(qasync_loop, asyncio.gather(*window.pending_tasks()))

    assert "OpenAI — Work · unreachable: cannot connect" in window.connection_status.text
    assert not window.playground_tab.simulated_label.isVisibleTo(window.playground_tab)


def test_status_bar_says_no_key_when_connection_has_no_saved_key(
    make_window: WindowFactory, qasync_loop: Any
) -> None:
    window = make_window()
    profile = _save_work_profile(window, key=None)
    service = context_of(window).connection_service

    run(qasync_loop, service.activate(profile.id))

    assert "unreachable: no API key saved" in window.connection_status.text
    assert "Preferences" in window.connection_status.reachability_label.toolTip()


def test_train_a_model_on_a_dataset_opens_new_job_with_that_file_when_clicked(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, tmp_path: Path
) -> None:
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "You answer for Lumen & Wick."},
                    {"role": "user", "content": f"Question {n}?"},
                    {"role": "assistant", "content": f"Answer {n}."},
                ]
            }
        )
        for n in range(12)
    ]
    path = tmp_path / "support.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    window = make_window(demo_url=emulator.base_url)
    run(qasync_loop, context_of(window).connection_service.start_check())
    opening = window.datasets_tab.open_path(path)
    assert opening is not None
    run(qasync_loop, opening)

    qtbot.mouseClick(window.datasets_tab.page.train_button, Qt.MouseButton.LeftButton)

    assert window.tabs.currentWidget() is window.jobs_tab
    dialog = window.jobs_tab.create_dialog
    assert dialog is not None and dialog.isVisible()
    field = dialog.data_page.training_file
    assert field.check_task is not None
    run(qasync_loop, field.check_task)
    assert field.usable is not None
    assert field.usable.report.stats.examples == 12
    dialog.reject()
