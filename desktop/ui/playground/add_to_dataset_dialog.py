"""Add to dataset: a Playground conversation, its last reply corrected if needed, becomes one
training example appended to a dataset file.

The dialog shows the example as it will be written (system prompt, messages, and the reply
to keep, which the user can edit), lets the user pick the dataset (a recent file of the
Datasets tab, another file, or a new one), and checks the example live with the dataset
checker and the conversation model's tokenizer: errors keep Add disabled, warnings are shown.

Where the example goes:

- a file not open in the Datasets tab, or open there without unsaved edits: appended on disk,
  all or nothing (``append_example``: a copy with the new line replaces the file, so a full
  disk or a locked file leaves it intact and says so); ``dataset_written(path)`` then lets the
  window re-read it in the Datasets tab;
- the file open in the Datasets tab *with unsaved edits*: writing the file would either be
  lost when those edits are saved or force them to be discarded, so the example is added to
  the open document instead, as one more unsaved (undoable) edit, and the user is told to save
  the file there. The dialog is window-modal, so asking the user to save first would mean
  closing it and losing the correction.

Call only from the GUI thread; the check and the write run in worker threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.playground.add_to_dataset import (
    ExampleRejectedError,
    ExampleReview,
    append_example,
    conversation_example,
    dataset_format,
    issue_text,
    review_example,
)
from desktop.core.types import ChatMessage
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.playground.dialogs import ask_open_path, ask_save_path
from desktop.ui.playground.long_text_view import LongTextView

__all__ = ["CHOOSE_OTHER", "NEW_FILE", "AddToDatasetDialog", "DatasetsLink"]

CHOOSE_OTHER = "Choose another file…"
NEW_FILE = "New dataset file…"
JSONL_FILTER = "JSON Lines (*.jsonl)"
CHECK_DELAY_MS = 150
"""Typing pauses this long before the example is checked again."""

_ROLE_NAMES = {"system": "System prompt", "user": "You", "assistant": "Reply"}


class DatasetsLink(Protocol):
    """What the dialog needs of the Datasets tab (``DatasetsWidget`` provides it)."""

    def recent_files(self) -> list[Path]: ...

    def has_unsaved_edits_in(self, path: Path) -> bool: ...

    def add_unsaved_example(self, path: Path, line: str) -> int | None: ...


class AddToDatasetDialog(QDialog):
    """The example, the reply to keep (editable), the dataset, the check, Add.

    ``dataset_written(path)``: the example was appended to ``path`` on disk.
    ``show_requested(path)``: the user wants to see ``path`` in the Datasets tab.
    ``check_task``/``add_task``: the running check and write (await them in tests).
    Call only from the GUI thread.
    """

    dataset_written = Signal(object)
    show_requested = Signal(object)

    def __init__(
        self,
        messages: Sequence[ChatMessage],
        *,
        encoding_name: str,
        link: DatasetsLink | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addToDatasetDialog")
        self.setWindowTitle("Add to dataset")
        self._messages = tuple(messages)
        self._encoding = encoding_name
        self._link = link
        self.review: ExampleReview | None = None
        self.check_task: asyncio.Task[None] | None = None
        self.add_task: asyncio.Task[None] | None = None
        self.added_to: Path | None = None
        self._adding = False
        self._check_error = ""
        self._target_index = -1
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._on_check_timeout)
        self._build()
        self._fill_targets()
        self.reply_edit.textChanged.connect(self._on_example_changed)
        self.target_combo.currentIndexChanged.connect(self._on_target_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.close_button.clicked.connect(self.reject)
        self.show_button.clicked.connect(self._on_show_clicked)
        self._on_example_changed()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "This conversation becomes one training example: the model learns to answer the "
            "way the reply below does. Correct the reply first if it is not what you want."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        # A pasted document can be one 540 KB paragraph: LongTextView shows it without a stall.
        self.conversation_view = LongTextView(
            "\n\n".join(
                f"{_ROLE_NAMES.get(m.role, m.role)}:\n{m.content}" for m in self._messages[:-1]
            )
        )
        self.conversation_view.setObjectName("exampleConversation")
        layout.addWidget(self.conversation_view, 2)
        reply_label = QLabel("The reply to keep (edit it to correct it)")
        reply_label.setObjectName("fieldLabel")
        layout.addWidget(reply_label)
        self.reply_edit = QPlainTextEdit()
        self.reply_edit.setObjectName("correctedReply")
        self.reply_edit.setPlainText(self._messages[-1].content)
        reply_label.setBuddy(self.reply_edit)
        layout.addWidget(self.reply_edit, 2)
        row = QHBoxLayout()
        target_label = QLabel("Add to")
        target_label.setObjectName("fieldLabel")
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("datasetTarget")
        self.target_combo.setPlaceholderText("Choose a dataset…")
        target_label.setBuddy(self.target_combo)
        row.addWidget(target_label)
        row.addWidget(self.target_combo, 1)
        layout.addLayout(row)
        self.check_label = QLabel()
        self.check_label.setObjectName("exampleCheck")
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.check_label)
        self.result_label = QLabel()
        self.result_label.setObjectName("addResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        buttons = QHBoxLayout()
        self.show_button = QPushButton("Show in Datasets")
        self.show_button.setObjectName("showInDatasetsButton")
        self.show_button.setVisible(False)
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("addExampleButton")
        self.add_button.setDefault(True)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("closeAddButton")
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(620, 560)

    def _fill_targets(self) -> None:
        recent = self._link.recent_files() if self._link is not None else []
        with QSignalBlocker(self.target_combo):
            for path in recent:
                if path.suffix.lower() == ".jsonl" and path.is_file():
                    self.target_combo.addItem(path.name, path)
                    self.target_combo.setItemData(
                        self.target_combo.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole
                    )
            self.target_combo.addItem(CHOOSE_OTHER, CHOOSE_OTHER)
            self.target_combo.addItem(NEW_FILE, NEW_FILE)
            self._target_index = 0 if self.target_combo.count() > 2 else -1
            self.target_combo.setCurrentIndex(self._target_index)

    # ------------------------------------------------------------------ state

    @property
    def target(self) -> Path | None:
        """The dataset chosen to add to (None: none yet)."""
        data = self.target_combo.currentData()
        return data if isinstance(data, Path) else None

    @property
    def corrected_reply(self) -> str:
        return self.reply_edit.toPlainText()

    @property
    def check_pending(self) -> bool:
        """Whether a check is scheduled or running (its result is not shown yet)."""
        running = self.check_task is not None and not self.check_task.done()
        return self._check_timer.isActive() or running

    def example(self) -> dict[str, object]:
        """The example as it will be written."""
        return conversation_example(self._messages, corrected_reply=self.corrected_reply)

    def choose_target(self, path: Path) -> None:
        """Make ``path`` the dataset to add to (listed first if it was not listed)."""
        path = Path(path)
        found = [
            i for i in range(self.target_combo.count()) if self.target_combo.itemData(i) == path
        ]
        index = found[0] if found else -1
        if index < 0:
            index = self.target_combo.count() - 2  # before the two "choose" items
            self.target_combo.insertItem(index, path.name, path)
            self.target_combo.setItemData(index, str(path), Qt.ItemDataRole.ToolTipRole)
        self.target_combo.setCurrentIndex(index)

    # ------------------------------------------------------------------ choosing the dataset

    def _on_target_changed(self, index: int) -> None:
        data = self.target_combo.itemData(index)
        if data in (CHOOSE_OTHER, NEW_FILE):
            if data == CHOOSE_OTHER:
                path = ask_open_path(self, "Add to which dataset?", file_filter=JSONL_FILTER)
            else:
                path = ask_save_path(
                    self, "New dataset file", suggested="my-dataset.jsonl", file_filter=JSONL_FILTER
                )
            with QSignalBlocker(self.target_combo):
                self.target_combo.setCurrentIndex(self._target_index)
            if path is None:
                return  # cancelled: the previous choice stays
            self.choose_target(path if path.suffix else path.with_suffix(".jsonl"))
            return
        self._target_index = index
        self._on_example_changed()

    # ------------------------------------------------------------------ checking

    def _on_example_changed(self) -> None:
        self.review = None
        self._check_error = ""
        self.result_label.setText("")
        self.show_button.setVisible(False)
        self.added_to = None
        cancel_task(self.check_task)
        self._check_timer.start()
        self._update()

    def _on_check_timeout(self) -> None:
        self.check_task = self._check(self.example(), self.target)

    @async_slot()
    async def _check(self, record: dict[str, object], target: Path | None) -> None:
        def review() -> ExampleReview:
            fmt = dataset_format(target) if target is not None else None
            if fmt is None:
                return review_example(record, encoding_name=self._encoding)
            return review_example(record, encoding_name=self._encoding, file_format=fmt)

        try:
            result = await asyncio.to_thread(review)
        except FinetuneError as exc:
            self._check_error = exc.user_message
            self._update()
            return
        if record == self.example() and target == self.target:
            self.review = result
            self._update()

    def _update(self) -> None:
        target = self.target
        lines: list[str] = []
        ready = False
        if self._check_error:
            lines.append(f"The example could not be checked: {self._check_error}")
        elif self.review is None:
            lines.append("Checking the example…")
        elif self.review.errors:
            lines.append("Cannot be added yet:")
            lines.extend(f"• {issue_text(issue)}" for issue in self.review.errors)
        elif target is None:
            lines.append("Choose the dataset to add this example to.")
        else:
            ready = True
            lines.append("The dataset checker found no problem in this example.")
        if self.review is not None and self.review.warnings:
            lines.append("Worth a look (it can still be added):")
            lines.extend(f"• {issue_text(issue)}" for issue in self.review.warnings)
        if target is not None and self._unsaved_in_datasets(target):
            lines.append(
                f"{target.name} has unsaved changes in the Datasets tab: the example will be "
                "added there as one more unsaved change. Save the file in the Datasets tab "
                "to keep it."
            )
        self.check_label.setText("\n".join(lines))
        self.add_button.setEnabled(ready and not self._adding and self.added_to is None)

    def _unsaved_in_datasets(self, path: Path) -> bool:
        return self._link is not None and self._link.has_unsaved_edits_in(path)

    # ------------------------------------------------------------------ adding

    def _on_add_clicked(self) -> None:
        self.add()

    def add(self) -> asyncio.Task[None] | None:
        """Add the example to the chosen dataset (see the module's notes for where it goes).

        Returns:
            The task writing the file, or None when nothing is written to disk (not ready,
            or the example went into the Datasets tab's unsaved document).
        """
        target = self.target
        if target is None or not self.add_button.isEnabled():
            return None
        record = self.example()
        if self._link is not None and self._link.has_unsaved_edits_in(target):
            line = json.dumps(record, ensure_ascii=False)
            number = self._link.add_unsaved_example(target, line)
            if number is None:
                self.result_label.setText(
                    f"{target.name} is busy in the Datasets tab: wait until it is done, then "
                    "press Add again."
                )
                return None
            self._added(
                target,
                f"Added as example {number:,} of {target.name} in the Datasets tab. It is not "
                "saved yet: save the file there to keep it.",
            )
            return None
        self._adding = True
        self.add_task = self._write(target, record)
        self._update()
        return self.add_task

    @async_slot()
    async def _write(self, target: Path, record: dict[str, object]) -> None:
        self.result_label.setText(f"Adding to {target.name}…")
        try:
            number = await asyncio.to_thread(
                append_example, target, record, encoding_name=self._encoding
            )
        except ExampleRejectedError as exc:
            self._adding = False
            self.result_label.setText(exc.user_message)
            self._update()
            return
        except FinetuneError as exc:
            self._adding = False
            self.result_label.setText(f"Nothing was added to {target.name}. {exc.user_message}")
            self._update()
            return
        finally:
            self._adding = False
        self._added(target, f"Added as example {number:,} of {target.name}.")
        self.dataset_written.emit(target)

    def _added(self, target: Path, message: str) -> None:
        self.added_to = target
        self.result_label.setText(message)
        self.show_button.setVisible(True)
        self.close_button.setText("Close")
        self._update()

    def _on_show_clicked(self) -> None:
        if self.added_to is not None:
            self.show_requested.emit(self.added_to)
            self.accept()
