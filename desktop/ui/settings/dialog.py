"""The Settings dialog: connection profiles, their keys, and a connection test.

The questions it asks (discard, delete, remove key, session-only key, save before closing) are
in :mod:`desktop.ui.settings.questions`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from html import escape

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.api.connection_check import ConnectionReport
from desktop.core.connections import (
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
    new_profile_id,
    validate_profile,
)
from desktop.core.errors import FinetuneError, KeychainUnavailableError
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.settings import questions
from desktop.ui.settings.dialog_ui import SettingsDialogUi
from desktop.ui.settings.models import ProfileListModel

ConnectionCheck = Callable[[ConnectionProfile, str | None], Awaitable[ConnectionReport]]

DEFAULT_NAMES: dict[ConnectionKind, str] = {
    ConnectionKind.OPENAI: "OpenAI",
    ConnectionKind.AZURE: "Azure OpenAI",
    ConnectionKind.COMPATIBLE: "My server",
}

OK_STYLE = "color: #1b6e20;"
FAIL_STYLE = "color: #b3261e;"


class SettingsDialog(QDialog):
    """Lists connection profiles, edits one at a time, stores keys only through ``Keychain``.

    Signals:
        active_changed(str): the user chose another connection (its profile id).
        profiles_changed(): a profile was saved or deleted.
        connection_checked(object): a connection test finished with this ``ConnectionReport``
            (``None`` when it failed before producing one).

    At most one connection test runs at a time; it is cancelled when the dialog closes. Call
    only from the GUI thread, with the qasync loop installed.
    """

    active_changed = Signal(str)
    profiles_changed = Signal()
    connection_checked = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        profiles: ProfileStore,
        keychain: Keychain,
        check: ConnectionCheck,
        active_id: str,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._keychain = keychain
        self._check = check
        self._test_task: asyncio.Task[None] | None = None
        self._shown_id: str | None = None
        self._switching = False
        self.setWindowTitle("Connections")
        self.setObjectName("settingsDialog")
        self.resize(860, 540)

        self._model = ProfileListModel()
        self.ui = SettingsDialogUi(self, self._model)
        self.form = self.ui.form
        self._connect()
        self.ui.banner.setVisible(not self._keychain.available())
        self._reload(select=active_id, active_id=active_id)

    def _connect(self) -> None:
        ui = self.ui
        for kind, action in ui.add_actions.items():
            action.triggered.connect(lambda _=False, k=kind: self._on_add_triggered(k))
        ui.close_box.rejected.connect(self.reject)
        ui.profile_list.selectionModel().currentChanged.connect(self._on_current_changed)
        ui.delete_button.clicked.connect(self._on_delete_clicked)
        ui.use_button.clicked.connect(self._on_use_clicked)
        ui.save_button.clicked.connect(self._on_save_clicked)
        ui.test_button.clicked.connect(self._on_test_clicked)
        ui.form.edited.connect(self._on_form_edited)
        ui.form.remove_key_requested.connect(self._on_remove_key_requested)

    # ------------------------------------------------------------------ list and selection

    def _reload(self, *, select: str | None, active_id: str | None = None) -> None:
        """Re-read the saved profiles and show ``select`` (or the first row)."""
        try:
            profiles = self._profiles.list()
        except FinetuneError as exc:
            self._show_result("Could not read the connections", exc.user_message, ok=False)
            return
        self._switching = True
        try:
            self._model.set_profiles(profiles, active_id=active_id or self._model.active_id)
            row = self._model.row_of(select) if select else None
            self.ui.profile_list.setCurrentIndex(self._model.index(row or 0))
        finally:
            self._switching = False
        shown = self._model.profile_at(row or 0)
        if shown is not None:
            self._show_profile(shown)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._switching:
            return
        profile = self._model.profile_at(current.row())
        if profile is None or profile.id == self._shown_id:
            return
        if not self._may_leave_current():
            self._switching = True
            try:
                row = self._model.row_of(self._shown_id or "")
                self.ui.profile_list.setCurrentIndex(self._model.index(row or 0))
            finally:
                self._switching = False
            return
        self._show_profile(profile)

    def _may_leave_current(self) -> bool:
        """Ask before dropping unsaved edits; drops the draft row when leaving it."""
        if self.form.is_dirty() and not questions.ask_discard_changes(self):
            return False
        if self._shown_id is not None and self._model.is_draft(self._shown_id):
            self._switching = True
            try:
                self._model.remove_draft()
            finally:
                self._switching = False
        return True

    def _show_profile(self, profile: ConnectionProfile) -> None:
        self._shown_id = profile.id
        stored = None if self._model.is_draft(profile.id) else self._stored_key(profile.id)
        session_only = bool(stored) and self._keychain.is_session_only(profile.id)
        self.form.set_profile(profile, stored_key=stored, session_only=session_only)
        self.ui.result_label.setVisible(False)
        self._update_buttons()

    def _stored_key(self, profile_id: str) -> str | None:
        try:
            return self._keychain.get(profile_id)
        except FinetuneError:
            return None

    def _current_profile(self) -> ConnectionProfile | None:
        return self.form.original

    # ------------------------------------------------------------------ buttons

    def _update_buttons(self) -> None:
        ui, profile = self.ui, self._current_profile()
        if profile is None:
            for button in (ui.save_button, ui.test_button, ui.delete_button, ui.use_button):
                button.setEnabled(False)
            return
        demo = profile.kind is ConnectionKind.DEMO
        draft = self._model.is_draft(profile.id)
        valid = self.form.is_valid()
        dirty = self.form.is_dirty()
        ui.save_button.setVisible(not demo)
        ui.save_button.setEnabled(not demo and valid and (dirty or draft))
        ui.test_button.setVisible(not demo)
        ui.test_button.setEnabled(not demo and valid and self._test_task is None)
        ui.delete_button.setEnabled(not demo)
        in_use = profile.id == self._model.active_id and not dirty
        ui.use_button.setEnabled(valid and not in_use)
        self.form.remove_key_button.setEnabled(self.form.has_stored_key and not draft)

    def _on_form_edited(self) -> None:
        self._update_buttons()

    def _on_add_triggered(self, kind: ConnectionKind) -> None:
        if not self._may_leave_current():
            return
        draft = ConnectionProfile(id=new_profile_id(), name=DEFAULT_NAMES[kind], kind=kind)
        self._switching = True
        try:
            row = self._model.add_draft(draft)
            self.ui.profile_list.setCurrentIndex(self._model.index(row))
        finally:
            self._switching = False
        self._show_profile(draft)
        self.form.name.edit.setFocus()
        self.form.name.edit.selectAll()

    def _on_delete_clicked(self) -> None:
        profile = self._current_profile()
        if profile is None or profile.kind is ConnectionKind.DEMO:
            return
        if self._model.is_draft(profile.id):
            self._model.remove_draft()
            self._reload(select=self._model.active_id)
            return
        if not questions.confirm_delete_connection(self, profile.name):
            return
        try:
            self._profiles.delete(profile.id)
            self._keychain.delete(profile.id)
        except FinetuneError as exc:
            self._show_result("Could not delete the connection", exc.user_message, ok=False)
            return
        was_active = profile.id == self._model.active_id
        if was_active:
            self._make_active(DEMO_PROFILE_ID)
        self.profiles_changed.emit()
        self._reload(select=self._model.active_id)

    def _on_use_clicked(self) -> None:
        profile = self._current_profile()
        if profile is None:
            return
        if (self.form.is_dirty() or self._model.is_draft(profile.id)) and not self._save():
            return
        self._make_active(profile.id)
        self._update_buttons()

    def _make_active(self, profile_id: str) -> None:
        try:
            self._profiles.set_active(profile_id)
        except FinetuneError as exc:
            self._show_result("Could not switch connections", exc.user_message, ok=False)
            return
        self._model.set_active(profile_id)
        self.active_changed.emit(profile_id)

    def _on_remove_key_requested(self) -> None:
        profile = self._current_profile()
        if profile is None:
            return
        if not questions.confirm_remove_key(self, profile.name):
            return
        try:
            self._keychain.delete(profile.id)
        except FinetuneError as exc:
            self._show_result("Could not remove the key", exc.user_message, ok=False)
            return
        self.form.set_stored_key(None)
        self._update_buttons()
        self._show_result("Key removed", "The connection no longer has a saved key.", ok=True)

    # ------------------------------------------------------------------ saving

    def _on_save_clicked(self) -> None:
        self._save()

    def _save(self) -> bool:
        """Persist the shown profile and a newly typed key; returns True when both were kept."""
        try:
            profile = validate_profile(self.form.profile())
        except FinetuneError as exc:
            self._show_result("Please check the form", exc.user_message, ok=False)
            return False
        key = self.form.typed_key()
        session_only = bool(key) and not self._keychain.available()
        if session_only and not self._ask_session_only():
            return False
        try:
            saved = self._profiles.save(profile)
        except FinetuneError as exc:
            self._show_result("Could not save the connection", exc.user_message, ok=False)
            return False
        self.profiles_changed.emit()
        key_kept, note = self._store_key(saved.id, key, session_only=session_only)
        self._reload(select=saved.id)
        self._show_result("Saved" if key_kept else "Saved without the key", note, ok=key_kept)
        return key_kept

    def _store_key(self, profile_id: str, key: str, *, session_only: bool) -> tuple[bool, str]:
        """Store ``key`` (if any); returns whether it was kept and a note for the user."""
        if not key:
            return True, "The connection was saved."
        try:
            self._keychain.set(profile_id, key, session_only=session_only)
        except KeychainUnavailableError as exc:
            # The keychain can vanish after the dialog opened (locked, service stopped).
            if session_only or not self._ask_session_only():
                return False, exc.user_message
            return self._store_key(profile_id, key, session_only=True)
        except FinetuneError as exc:
            return False, exc.user_message
        if session_only:
            return True, (
                "The key is kept for this session only and will be forgotten when the app closes."
            )
        return True, "The key is stored in this computer's keychain."

    def _ask_session_only(self) -> bool:
        return questions.ask_session_only(self)

    # ------------------------------------------------------------------ connection test

    @async_slot()
    async def _on_test_clicked(self) -> None:
        if self._test_task is not None:
            return
        me = asyncio.current_task()
        try:
            profile = validate_profile(self.form.profile())
        except FinetuneError as exc:
            self._show_result("Please check the form", exc.user_message, ok=False)
            return
        key = self.form.typed_key() or self._stored_key(profile.id)
        if profile.needs_key and not key:
            self._show_result("No key yet", "Paste the API key first, then test.", ok=False)
            return
        self._test_task = me
        self._set_testing(True)
        report: ConnectionReport | None = None
        failure: FinetuneError | None = None
        try:
            report = await self._check(profile, key)
        except FinetuneError as exc:
            failure = exc
        finally:
            # False when the dialog was closed meanwhile: it may be deleted, leave it alone.
            still_open = self._test_task is me
            if still_open:
                self._test_task = None
                self._set_testing(False)
        if not still_open:
            return
        if report is not None:
            self._show_result(report.title, report.message, ok=report.ok)
        elif failure is not None:
            self._show_result("The test did not finish", failure.user_message, ok=False)
        self.connection_checked.emit(report)

    def _set_testing(self, running: bool) -> None:
        self.ui.busy.setVisible(running)
        if running:
            self._show_result("Testing…", "Contacting the service (up to 15 seconds).", ok=None)
        self._update_buttons()

    def _show_result(self, title: str, message: str, *, ok: bool | None) -> None:
        """Show an outcome: green when ``ok``, red when not, neutral while pending (None)."""
        self.ui.result_label.setStyleSheet("" if ok is None else OK_STYLE if ok else FAIL_STYLE)
        self.ui.result_label.setText(f"<b>{escape(title)}</b><br>{escape(message)}")
        self.ui.result_label.setVisible(True)

    # ------------------------------------------------------------------ closing

    def _cancel_test(self) -> None:
        task, self._test_task = self._test_task, None
        cancel_task(task)
        self.ui.busy.setVisible(False)

    def done(self, result: int) -> None:
        if not self._may_close():
            return
        self._cancel_test()
        super().done(result)

    def _may_close(self) -> bool:
        """Offer to save unsaved edits before closing; False keeps the dialog open."""
        if not self.form.is_dirty():
            return True
        answer = questions.ask_save_before_close(self)
        if answer == QMessageBox.StandardButton.Save:
            return self._save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_test()
        super().closeEvent(event)
