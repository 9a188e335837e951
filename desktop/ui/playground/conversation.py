"""Changing the Playground's conversation and its saved chats: edit an earlier message and
continue from it, delete a turn, open, start, rename, delete and export chats; and turning the
conversation into a training example (Add to dataset…, see ``add_to_dataset_dialog``).

Every change is saved at once (``PlaygroundStore``); nothing here talks to the connection.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from desktop.core import tokens
from desktop.core.errors import FinetuneError
from desktop.core.playground.add_to_dataset import example_messages, last_reply_index
from desktop.core.playground.sessions import delete_turn, regenerate
from desktop.core.playground.usage_cost import is_fine_tuned_model
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.playground import session_files
from desktop.ui.playground.add_to_dataset_dialog import AddToDatasetDialog, DatasetsLink
from desktop.ui.playground.chat_flow import ChatFlow
from desktop.ui.playground.transcript import TranscriptWidget


class ConversationWidget(ChatFlow):
    """``ChatFlow`` plus the conversation's editing and the saved chats' actions.

    Call only from the GUI thread; nothing changes while a reply streams.

    ``dataset_written(path)``: a dataset file was written (an example added, votes exported);
    the window re-reads it where the Datasets tab shows it. ``show_dataset_requested(path)``:
    the user wants to see that dataset in the Datasets tab.
    """

    dataset_written = Signal(object)
    show_dataset_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._transcript: TranscriptWidget | None = None
        self._datasets_link: DatasetsLink | None = None
        self.add_dialog: AddToDatasetDialog | None = None
        # Owned by this widget (hidden) until the subclass's layout takes it (see
        # ``update_add_to_dataset_button``): a parentless widget would be freed by the garbage
        # collector at some arbitrary moment.
        self.add_to_dataset_button = QPushButton("Add to dataset…", self)
        self.add_to_dataset_button.setVisible(False)
        self.add_to_dataset_button.setObjectName("addToDatasetButton")
        self.add_to_dataset_button.setToolTip(
            "Keep this conversation as a training example (correct the last reply first if "
            "needed) in a dataset of the Datasets tab"
        )
        self.add_to_dataset_button.clicked.connect(self._on_add_to_dataset_clicked)

    @property
    def transcript(self) -> TranscriptWidget:
        if self._transcript is None:
            raise AttributeError("transcript")
        return self._transcript

    @transcript.setter
    def transcript(self, transcript: TranscriptWidget) -> None:
        # Setting it connects each reply's "Add to dataset…" action (the layout is the
        # subclass's; this is where the action's behaviour lives).
        self._transcript = transcript
        transcript.add_to_dataset_requested.connect(self._on_add_to_dataset_requested)

    @property
    def can_regenerate(self) -> bool:
        """Whether the session ends with a user message or a reply to one."""
        if self.session is None:
            return False
        try:
            regenerate(self.session, now=0.0)
        except ValueError:
            return False
        return True

    def regenerate_reply(self) -> asyncio.Task[None] | None:
        """Ask for the last reply again (it is replaced). None when there is nothing to ask."""
        if self.is_streaming or self.session is None or self.selected_model is None:
            return None
        settings, problems = self.settings_panel.read()
        if problems:
            self.info_label.setText("Correct the settings first: " + " ".join(problems))
            return None
        try:
            session = regenerate(self.session, now=time.time())
        except ValueError:
            return None
        session = dataclasses.replace(
            session,
            model=self.selected_model,
            system_prompt=self.settings_panel.system_prompt,
            settings=settings,
        )
        return self._start(session, check=False)

    def edit_message(self, index: int) -> bool:
        """Put the user message at ``index`` in the message box to change and send again."""
        if self.is_streaming or self.session is None:
            return False
        if not 0 <= index < len(self.session.turns) or self.session.turns[index].is_reply:
            return False
        self.message_edit.setPlainText(self.session.turns[index].content)
        self._set_editing(index)
        self.message_edit.setFocus()
        return True

    def cancel_edit(self) -> None:
        """Leave editing an earlier message (the box is emptied)."""
        if self.editing_index is not None:
            self.message_edit.clear()
        self._set_editing(None)

    def delete_turn_at(self, index: int) -> bool:
        """Remove the turn at ``index`` after asking. Returns whether it was removed."""
        if self.is_streaming or self.session is None:
            return False
        if not confirm(
            self, "Delete message", "Remove this message from the chat?", action="Delete"
        ):
            return False
        try:
            session = delete_turn(self.session, index, now=time.time())
        except IndexError:
            return False
        if self.editing_index is not None:
            self.cancel_edit()
        self._save(session)
        self._show()
        return True

    def _on_edit_requested(self, index: int) -> None:
        self.edit_message(index)

    def _on_delete_turn_requested(self, index: int) -> None:
        self.delete_turn_at(index)

    # ------------------------------------------------------------------ add to dataset

    def link_datasets(self, link: DatasetsLink) -> None:
        """Use ``link`` (the Datasets tab) for the recent datasets and its open document."""
        self._datasets_link = link

    def update_add_to_dataset_button(self) -> None:
        """Enable "Add to dataset…" when there is a reply to add and nothing streams; show it
        once a layout has taken it (it is then a child of another widget than this one)."""
        button = self.add_to_dataset_button
        has_reply = self.session is not None and last_reply_index(self.session) is not None
        button.setEnabled(has_reply and not self.is_streaming)
        button.setVisible(button.parentWidget() is not self)

    def open_add_to_dataset(self, turn_index: int | None = None) -> AddToDatasetDialog | None:
        """Open Add to dataset for the conversation up to and including a reply.

        Args:
            turn_index: the reply to keep (its turn index); None: the last reply.

        Returns:
            The dialog (window-modal, not blocking the event loop), or None when there is
            no reply to add or one is streaming (``info_label`` says why).
        """
        if self.is_streaming:
            self.info_label.setText("Wait for the reply to finish, then add it to a dataset.")
            return None
        session = self.session
        index = turn_index
        if session is not None and index is None:
            index = last_reply_index(session)
        if session is None or index is None:
            self.info_label.setText("There is no reply to add yet: chat with a model first.")
            return None
        try:
            messages = example_messages(session, index)
        except ValueError:
            return None
        model = session.turns[index].model or session.model
        catalog = self._catalog()
        entry = catalog.get(model) if catalog is not None else None
        encoding = entry.encoding if entry is not None else tokens.encoding_name_for_model(model)
        self._release_add_dialog()
        dialog = AddToDatasetDialog(
            messages, encoding_name=encoding, link=self._datasets_link, parent=self
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.dataset_written.connect(self.dataset_written)
        dialog.show_requested.connect(self.show_dataset_requested)
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _release_add_dialog(self) -> None:
        """Let the previous dialog go once it is closed and idle (Python frees it)."""
        old = self.add_dialog
        if old is None or old.isVisible() or old.check_pending:
            return
        if old.add_task is not None and not old.add_task.done():
            return
        old.setParent(None)
        self.add_dialog = None

    def _on_add_to_dataset_requested(self, index: int) -> None:
        self.open_add_to_dataset(index)

    def _on_add_to_dataset_clicked(self) -> None:
        self.open_add_to_dataset()

    # ------------------------------------------------------------------ saved chats

    def open_session(self, session_id: str) -> bool:
        """Show a saved chat: its conversation, settings and model (when still offered)."""
        if self.is_streaming or self._store is None:
            return False
        if self.session is not None and self.session.id == session_id:
            return True
        try:
            session = self._store.session(session_id)
        except FinetuneError as exc:
            show_error(self, exc)
            return False
        if session is None:
            return False
        self.session = session
        self._set_editing(None)
        self.settings_panel.show_values(session.system_prompt, session.settings)
        listed = self.picker.choices.row_of(session.model) >= 0
        # A fine-tuned model or checkpoint chatted with before is known even if not listed.
        if not listed and is_fine_tuned_model(session.model):
            self.picker.open_model(session.model)
        if not self.picker.select_model(session.model):
            self.info_label.setText(
                f"{session.model} is not offered by this connection; pick another model."
            )
        else:
            self.info_label.setText("")
        self.session_list.reload(select=session.id)
        self._show()
        return True

    def new_chat(self) -> None:
        """Start an empty conversation (the settings stay)."""
        if self.is_streaming:
            return
        self.session = None
        self._set_editing(None)
        with QSignalBlocker(self.session_list.list):
            self.session_list.list.setCurrentRow(-1)
        self.info_label.setText("")
        self._show()

    def _on_session_chosen(self, session_id: str) -> None:
        self.open_session(session_id)

    def _on_new_chat_requested(self) -> None:
        self.new_chat()

    def _on_rename_requested(self, session_id: str) -> None:
        if self._store is not None and session_files.rename_session(self, self._store, session_id):
            if self.session is not None and self.session.id == session_id:
                self.session = self._store.session(session_id)
            self.session_list.reload(select=session_id)

    def _on_delete_session_requested(self, session_id: str) -> None:
        if self.is_streaming or self._store is None:
            return
        if session_files.delete_session(self, self._store, session_id):
            if self.session is not None and self.session.id == session_id:
                self.new_chat()
            self.session_list.reload()

    def _on_export_requested(self, session_id: str, kind: str) -> None:
        if self._store is not None:
            path = session_files.export_session(self, self._store, session_id, kind)
            if path is not None:
                self.info_label.setText(f"Chat saved to {path}.")
