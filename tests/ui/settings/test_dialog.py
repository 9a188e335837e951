"""The Settings dialog, driven like a person: real database, keychain and HTTP to the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.api.connection_check import ConnectionReport
from desktop.core.connections import (
    DEFAULT_AZURE_API_VERSION,
    DEMO_AZURE_PROFILE_ID,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
)
from desktop.core.errors import ConnectionFailedError
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore
from desktop.ui.settings import SettingsDialog
from tests.helpers.keyring_backend import MemoryKeyring
from tests.ui.loop_helpers import run
from tests.ui.settings.conftest import Check, make_check
from tests.ui.settings.helpers import (
    add_profile,
    answer_questions,
    click,
    files_containing,
    qsettings_containing,
    retype,
    run_connection_test,
    select_row,
)

pytestmark = pytest.mark.gui

SERVICE = "finetune-studio"
KEY = "sk-proj-test-secret-WXYZ"
YES = QMessageBox.StandardButton.Yes
NO = QMessageBox.StandardButton.No


async def _unused_check(profile: ConnectionProfile, key: str | None) -> ConnectionReport:
    raise AssertionError("this test must not check a connection")


@pytest.fixture
def open_dialog(
    qtbot: QtBot, store: ProfileStore, keychain: Keychain, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    # Questions nobody planned for (e.g. "Save changes?" when a test closes an edited form)
    # are answered "Discard"; tests that are about a question answer it themselves.
    answer_questions(monkeypatch, QMessageBox.StandardButton.Discard)
    opened: list[SettingsDialog] = []

    def open_(check: Check = _unused_check, active_id: str = DEMO_PROFILE_ID) -> SettingsDialog:
        dialog = SettingsDialog(
            None, profiles=store, keychain=keychain, check=check, active_id=active_id
        )
        dialog.show()
        qtbot.waitExposed(dialog)
        opened.append(dialog)
        return dialog

    yield open_
    # Closed here rather than by qtbot, before the test's own answers are undone.
    answer_questions(monkeypatch, QMessageBox.StandardButton.Discard)
    for dialog in opened:
        dialog.reject()
    # No deleteLater(): the dialogs belong to Python (no parent), which frees them; a deferred
    # C++ delete as well would free them twice.
    opened.clear()


def _save_openai_profile(qtbot: QtBot, dialog: SettingsDialog, *, name: str, key: str) -> None:
    add_profile(dialog, ConnectionKind.OPENAI)
    retype(qtbot, dialog.form.name.edit, name)
    qtbot.keyClicks(dialog.form.key_edit, key)
    click(qtbot, dialog.ui.save_button)


# --------------------------------------------------------------------------- keys


def test_keeps_key_only_in_keychain_when_openai_profile_saved(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    dialog = open_dialog()
    with qtbot.waitSignal(dialog.profiles_changed):
        _save_openai_profile(qtbot, dialog, name="Work", key=KEY)

    saved = store.list()[1]
    assert (saved.name, saved.kind) == ("Work", ConnectionKind.OPENAI)
    assert fake_keyring.passwords == {(SERVICE, saved.id): KEY}
    assert files_containing(tmp_path, KEY) == []
    assert files_containing(tmp_path, KEY[-8:]) == []
    assert qsettings_containing(KEY) == []
    assert KEY not in dialog.windowTitle()
    assert dialog.form.key_edit.text() == ""
    placeholder = dialog.form.key_edit.placeholderText()
    assert placeholder.endswith("WXYZ")
    assert KEY[:-4] not in placeholder
    assert "keychain" in dialog.ui.result_label.text()


def test_keeps_stored_key_when_key_field_left_empty(
    qtbot: QtBot, open_dialog: Any, store: ProfileStore, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)

    retype(qtbot, dialog.form.name.edit, "Work (billing)")
    click(qtbot, dialog.ui.save_button)

    saved = store.list()[1]
    assert saved.name == "Work (billing)"
    assert fake_keyring.passwords == {(SERVICE, saved.id): KEY}


def test_replaces_key_when_new_key_typed(
    qtbot: QtBot, open_dialog: Any, store: ProfileStore, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)

    qtbot.keyClicks(dialog.form.key_edit, "sk-new-key-0000")
    click(qtbot, dialog.ui.save_button)

    assert fake_keyring.passwords == {(SERVICE, store.list()[1].id): "sk-new-key-0000"}
    assert dialog.form.key_edit.placeholderText().endswith("0000")


def test_removes_key_when_remove_key_confirmed(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    answer_questions(monkeypatch, YES)

    click(qtbot, dialog.form.remove_key_button)

    assert fake_keyring.passwords == {}
    assert [p.name for p in store.list()] == ["Demo", "Work", "Demo Azure"]
    assert "WXYZ" not in dialog.form.key_edit.placeholderText()
    assert not dialog.form.remove_key_button.isEnabled()


def test_deletes_key_when_profile_deleted(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    asked = answer_questions(monkeypatch, YES)

    with qtbot.waitSignal(dialog.profiles_changed):
        click(qtbot, dialog.ui.delete_button)

    assert asked == ["Delete connection?"]
    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID]
    assert fake_keyring.passwords == {}
    assert dialog.form.original is not None
    assert dialog.form.original.id == DEMO_PROFILE_ID


def test_keeps_profile_when_delete_not_confirmed(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    answer_questions(monkeypatch, NO)

    click(qtbot, dialog.ui.delete_button)

    assert [p.name for p in store.list()] == ["Demo", "Work", "Demo Azure"]
    assert len(fake_keyring.passwords) == 1


# --------------------------------------------------------------------------- no keychain


def test_shows_banner_and_keeps_key_for_session_when_no_keychain(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    keychain: Keychain,
    no_keyring: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    assert dialog.ui.banner.isVisible()
    assert "no keychain" in dialog.ui.banner.text()
    assert "for this session only" in dialog.ui.banner.text()
    asked = answer_questions(monkeypatch, YES)

    _save_openai_profile(qtbot, dialog, name="Laptop", key=KEY)

    assert asked == ["Keep the key for this session only?"]
    profile_id = store.list()[1].id
    assert keychain.get(profile_id) == KEY
    assert keychain.is_session_only(profile_id)
    assert files_containing(tmp_path, KEY) == []
    assert qsettings_containing(KEY) == []
    assert dialog.form.key_edit.placeholderText().endswith("WXYZ")
    assert "this session only" in dialog.form.key_status.text()


def test_saves_nothing_when_session_only_declined(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    answer_questions(monkeypatch, NO)

    _save_openai_profile(qtbot, dialog, name="Laptop", key=KEY)

    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID]
    assert dialog.ui.save_button.isEnabled()


def test_hides_banner_when_keychain_available(
    open_dialog: Any, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    assert not dialog.ui.banner.isVisible()


# --------------------------------------------------------------------------- validation


def test_blocks_save_and_test_when_url_malformed(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    emulator: Any,
) -> None:
    dialog = open_dialog(check=make_check(emulator.base_url))
    add_profile(dialog, ConnectionKind.COMPATIBLE)
    qtbot.keyClicks(dialog.form.key_edit, "sk-any")

    qtbot.keyClicks(dialog.form.base_url.edit, "htp:/localhost:8000/v1")

    error = dialog.form.base_url.error
    assert error.isVisible()
    assert "must start with https://" in error.text()
    assert not dialog.ui.save_button.isEnabled()
    assert not dialog.ui.test_button.isEnabled()
    click(qtbot, dialog.ui.save_button)
    click(qtbot, dialog.ui.test_button)
    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID]
    assert list(emulator.requests) == []

    retype(qtbot, dialog.form.base_url.edit, emulator.base_url)
    assert not error.isVisible()
    assert dialog.ui.save_button.isEnabled()
    assert dialog.ui.test_button.isEnabled()


def test_blocks_save_when_name_empty(
    qtbot: QtBot, open_dialog: Any, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    add_profile(dialog, ConnectionKind.OPENAI)

    retype(qtbot, dialog.form.name.edit, "")

    assert dialog.form.name.error.isVisible()
    assert "name" in dialog.form.name.error.text()
    assert not dialog.ui.save_button.isEnabled()


# --------------------------------------------------------------------------- test connection


def test_reports_models_when_key_accepted(
    qtbot: QtBot,
    open_dialog: Any,
    fake_keyring: MemoryKeyring,
    emulator: Any,
    qasync_loop: qasync.QEventLoop,
) -> None:
    dialog = open_dialog(check=make_check(emulator.base_url))
    add_profile(dialog, ConnectionKind.OPENAI)
    qtbot.keyClicks(dialog.form.key_edit, "sk-test-good")

    report = run_connection_test(qtbot, dialog, qasync_loop)

    assert isinstance(report, ConnectionReport)
    assert report.ok
    assert "models" in dialog.ui.result_label.text()
    assert "can be fine-tuned" in dialog.ui.result_label.text()
    assert not dialog.ui.busy.isVisible()
    assert dialog.ui.test_button.isEnabled()
    assert len(emulator.requests) >= 1


def test_reports_rejected_when_key_bad(
    qtbot: QtBot,
    open_dialog: Any,
    fake_keyring: MemoryKeyring,
    strict_emulator: Any,
    qasync_loop: qasync.QEventLoop,
) -> None:
    dialog = open_dialog(check=make_check(strict_emulator.base_url))
    add_profile(dialog, ConnectionKind.COMPATIBLE)
    qtbot.keyClicks(dialog.form.base_url.edit, strict_emulator.base_url)
    qtbot.keyClicks(dialog.form.key_edit, "sk-bad")

    report = run_connection_test(qtbot, dialog, qasync_loop)

    assert isinstance(report, ConnectionReport)
    assert not report.ok
    assert "rejected" in dialog.ui.result_label.text()
    assert "sk-bad" not in dialog.ui.result_label.text()


def test_uses_stored_key_when_testing_saved_profile(
    qtbot: QtBot,
    open_dialog: Any,
    fake_keyring: MemoryKeyring,
    strict_emulator: Any,
    qasync_loop: qasync.QEventLoop,
) -> None:
    dialog = open_dialog(check=make_check(strict_emulator.base_url))
    _save_openai_profile(qtbot, dialog, name="Work", key="sk-good")
    assert dialog.form.key_edit.text() == ""

    report = run_connection_test(qtbot, dialog, qasync_loop)

    assert isinstance(report, ConnectionReport)
    assert report.ok, report.message


def test_cancels_test_when_dialog_closed(
    qtbot: QtBot,
    open_dialog: Any,
    fake_keyring: MemoryKeyring,
    qasync_loop: qasync.QEventLoop,
) -> None:
    import asyncio

    started, cancelled, never = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def hanging_check(profile: ConnectionProfile, key: str | None) -> ConnectionReport:
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    dialog = open_dialog(check=hanging_check)
    add_profile(dialog, ConnectionKind.OPENAI)
    qtbot.keyClicks(dialog.form.key_edit, "sk-test")
    click(qtbot, dialog.ui.test_button)
    run(qasync_loop, started.wait(), timeout=5)
    assert dialog.ui.busy.isVisible()
    assert not dialog.ui.test_button.isEnabled()

    dialog.close()
    run(qasync_loop, cancelled.wait(), timeout=5)

    assert not dialog.ui.busy.isVisible()


def test_shows_plain_message_when_check_raises(
    qtbot: QtBot,
    open_dialog: Any,
    fake_keyring: MemoryKeyring,
    qasync_loop: qasync.QEventLoop,
) -> None:
    async def failing_check(profile: ConnectionProfile, key: str | None) -> ConnectionReport:
        raise ConnectionFailedError("dns failure for api.example.invalid")

    dialog = open_dialog(check=failing_check)
    add_profile(dialog, ConnectionKind.OPENAI)
    qtbot.keyClicks(dialog.form.key_edit, "sk-test")

    report = run_connection_test(qtbot, dialog, qasync_loop)

    assert report is None
    text = dialog.ui.result_label.text()
    assert "Could not reach the service" in text
    assert "dns failure" not in text
    assert dialog.ui.test_button.isEnabled()


# --------------------------------------------------------------------------- azure, demo, active


def test_reloads_azure_deployments_when_saved(
    qtbot: QtBot, open_dialog: Any, store: ProfileStore, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    add_profile(dialog, ConnectionKind.AZURE)
    form = dialog.form
    assert form.api_version.edit.text() == DEFAULT_AZURE_API_VERSION
    assert "deployment names" in form.deployments.findChild(object, "deploymentsHelp").text()
    retype(qtbot, form.name.edit, "Contoso")
    qtbot.keyClicks(form.endpoint.edit, "https://contoso.openai.azure.com/")
    qtbot.keyClicks(form.key_edit, "azure-key-1234")
    for name in ("gpt-4o-mini-prod", "support-ft", "typo"):
        qtbot.keyClicks(form.deployments.name_edit, name)
        click(qtbot, form.deployments.add_button)
    form.deployments.list.setCurrentRow(2)
    click(qtbot, form.deployments.remove_button)
    click(qtbot, dialog.ui.save_button)

    saved = store.list()[1]
    assert saved.kind is ConnectionKind.AZURE
    assert saved.azure_endpoint == "https://contoso.openai.azure.com"
    assert saved.deployments == ("gpt-4o-mini-prod", "support-ft")
    assert fake_keyring.passwords == {(SERVICE, saved.id): "azure-key-1234"}

    dialog.close()
    again = open_dialog()
    select_row(qtbot, again, 1)
    assert again.form.original == saved
    assert again.form.deployments.deployments() == ("gpt-4o-mini-prod", "support-ft")
    assert again.form.endpoint.edit.text() == "https://contoso.openai.azure.com"
    assert again.form.key_edit.placeholderText().endswith("1234")


def test_shows_demo_read_only_when_demo_selected(
    open_dialog: Any, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()

    assert dialog.form.original is not None
    assert dialog.form.original.id == DEMO_PROFILE_ID
    assert dialog.form.demo_label.isVisible()
    assert "nothing" in dialog.form.demo_label.text()
    assert not dialog.form.key_edit.isVisible()
    assert not dialog.ui.delete_button.isEnabled()
    assert not dialog.ui.save_button.isVisible()
    assert "in use" in dialog.ui.profile_list.model().index(0, 0).data()


def test_emits_active_changed_when_use_clicked(
    qtbot: QtBot, open_dialog: Any, store: ProfileStore, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    profile_id = store.list()[1].id
    assert dialog.ui.use_button.isEnabled()

    with qtbot.waitSignal(dialog.active_changed) as signal:
        click(qtbot, dialog.ui.use_button)

    assert signal.args == [profile_id]
    assert store.active_id() == profile_id
    assert "in use" in dialog.ui.profile_list.model().index(1, 0).data()
    assert "in use" not in dialog.ui.profile_list.model().index(0, 0).data()
    assert not dialog.ui.use_button.isEnabled()


def test_saves_draft_first_when_use_clicked_on_new_profile(
    qtbot: QtBot, open_dialog: Any, store: ProfileStore, fake_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog()
    add_profile(dialog, ConnectionKind.OPENAI)
    qtbot.keyClicks(dialog.form.key_edit, KEY)

    with qtbot.waitSignal(dialog.active_changed) as signal:
        click(qtbot, dialog.ui.use_button)

    saved = store.list()[1]
    assert signal.args == [saved.id]
    assert fake_keyring.passwords == {(SERVICE, saved.id): KEY}


def test_makes_demo_active_when_active_profile_deleted(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    click(qtbot, dialog.ui.use_button)
    answer_questions(monkeypatch, YES)

    with qtbot.waitSignal(dialog.active_changed) as signal:
        click(qtbot, dialog.ui.delete_button)

    assert signal.args == [DEMO_PROFILE_ID]
    assert store.active_id() == DEMO_PROFILE_ID


def test_asks_before_discarding_edits_when_other_profile_selected(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    retype(qtbot, dialog.form.name.edit, "Changed")
    asked = answer_questions(monkeypatch, NO)

    select_row(qtbot, dialog, 0)

    assert asked == ["Discard changes?"]
    assert dialog.form.name.edit.text() == "Changed"
    assert dialog.ui.profile_list.currentIndex().row() == 1


def test_unsaved_edits_are_saved_when_closing_and_user_chooses_save(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    retype(qtbot, dialog.form.name.edit, "Work account")
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Save)

    dialog.reject()

    assert asked == ["Save changes?"]
    assert [p.name for p in store.list()] == ["Demo", "Work account", "Demo Azure"]
    assert not dialog.isVisible()


def test_dialog_stays_open_with_edits_when_closing_is_cancelled(
    qtbot: QtBot,
    open_dialog: Any,
    store: ProfileStore,
    fake_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog()
    _save_openai_profile(qtbot, dialog, name="Work", key=KEY)
    retype(qtbot, dialog.form.name.edit, "Work account")
    answer_questions(monkeypatch, QMessageBox.StandardButton.Cancel)

    dialog.reject()

    assert dialog.isVisible()
    assert dialog.form.name.edit.text() == "Work account"
    assert [p.name for p in store.list()] == ["Demo", "Work", "Demo Azure"]
