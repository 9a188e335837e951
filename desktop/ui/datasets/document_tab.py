"""The Datasets tab's frame and the life of its one open document: open, check, show, close.

Flow: the start page (Open…, drop a file, recent files) → the file is checked for being a
readable text file → its first rows are indexed and shown at once → the check and the rest of
the index run in worker threads (progress, Cancel) → Report and Browse show the results.
Tables (CSV/TSV/.xlsx) go through the import wizard first; a table's conversion (and a fix,
see ``widget.py``) writes a new file next to the original and opens it.

Invariants: at most one piece of long work runs (``task``); the document is editable only
when it is fully indexed and nothing runs. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from desktop.core.dataset import CheckCancelledError, DatasetReport
from desktop.core.errors import FinetuneError, OperationCancelledError
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.datasets.dataset_page import DatasetPage, ProgressStrip
from desktop.ui.datasets.editing import ExampleEditController
from desktop.ui.datasets.models import IndexRows
from desktop.ui.datasets.session import TABLE_SUFFIXES, DatasetSession, RecentFiles
from desktop.ui.datasets.start_page import StartPage, ask_open_path, dropped_path

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from desktop.core.datasets_io.document import DatasetDocument
    from desktop.core.datasets_io.line_index import LineIndex
    from desktop.core.datasets_io.tabular import ColumnMapping
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.settings import SettingsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.datasets.edit_form import ExampleEditDialog
    from desktop.ui.datasets.import_wizard import ImportWizardDialog
    from desktop.ui.datasets.session import CatalogGetter

CHANGE_POLL_MS = 2000
UNSAVED_QUESTION = "“{name}” has edits that are not saved. Discard them?"
TRAIN_TIP = "Start a fine-tuning job with this dataset (opens New job… in the Jobs tab)"
TRAIN_UNSAVED_TIP = "Save your edits first: a job trains on the file as it is saved"


class DocumentTab(QWidget):
    """The frame of the Datasets tab and its open document (see :class:`DatasetsWidget`, which
    adds what changes the document). ``task`` is the running work (await it in tests)."""

    def __init__(
        self,
        *,
        settings: SettingsStore | None = None,
        catalog: CatalogGetter | None = None,
        service: ConnectionService | None = None,
        prepare_tokenizers: Callable[[], None] | None = None,
        ui_settings: QSettings | None = None,
        jobs_store: JobsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("datasetsTab")
        self.setAcceptDrops(True)
        self.session = DatasetSession(catalog=catalog, prepare_tokenizers=prepare_tokenizers)
        self.session.progress.connect(self._on_progress)
        self.recent = RecentFiles(settings)
        self.task: asyncio.Task[None] | None = None
        self.path: Path | None = None
        self.report: DatasetReport | None = None
        self._index: LineIndex | None = None
        self._notice = ""
        self._counter_task: asyncio.Task[None] | None = None
        self.import_dialog: ImportWizardDialog | None = None
        self.undo_stack = QUndoStack(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress = ProgressStrip()
        self.progress.cancel_requested.connect(self._on_cancel_requested)
        layout.addWidget(self.progress)
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.start_page.open_requested.connect(self._on_open_requested)
        self.start_page.path_chosen.connect(self._on_path_chosen)
        self.page = DatasetPage(
            catalog=catalog, service=service, ui_settings=ui_settings, jobs_store=jobs_store
        )
        for widget in (self.start_page, self.page):
            # Ignored: a page's toolbars must not set the window's minimum width.
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.stack.addWidget(widget)
        layout.addWidget(self.stack, 1)
        self.start_page.set_recent(self.recent.paths())

        page = self.page
        page.close_button.clicked.connect(self._on_close_clicked)
        page.reload_button.clicked.connect(self._on_reload_clicked)
        page.undo_button.clicked.connect(self.undo_stack.undo)
        page.redo_button.clicked.connect(self.undo_stack.redo)
        page.report_view.line_activated.connect(self._on_issue_line_activated)
        page.split_panel.dataset_created.connect(self._on_path_chosen)
        self.editor = ExampleEditController(page.browse_view, self.undo_stack)
        self.editor.edited.connect(self._on_edited)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.canUndoChanged.connect(page.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(page.redo_button.setEnabled)
        self._watch = QTimer(self)
        self._watch.setInterval(CHANGE_POLL_MS)
        self._watch.timeout.connect(self._on_watch_timeout)
        self._update_actions()

    # ------------------------------------------------------------------ state

    @property
    def document(self) -> DatasetDocument | None:
        """The open, fully indexed document (None while opening or when nothing is open)."""
        return self.editor.document

    @document.setter
    def document(self, document: DatasetDocument | None) -> None:
        self.editor.document = document

    @property
    def edit_dialog(self) -> ExampleEditDialog | None:
        return self.editor.edit_dialog

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def has_unsaved_edits(self) -> bool:
        return self.document is not None and self.document.is_modified

    def _update_actions(self) -> None:
        editable = self.document is not None and not self.busy
        page = self.page
        page.browse_view.set_editable(editable)
        page.save_button.setEnabled(editable and self.has_unsaved_edits)
        page.save_as_button.setEnabled(editable)
        page.train_button.setEnabled(editable and not self.has_unsaved_edits)
        page.train_button.setToolTip(TRAIN_UNSAVED_TIP if self.has_unsaved_edits else TRAIN_TIP)
        page.undo_button.setEnabled(editable and self.undo_stack.canUndo())
        page.redo_button.setEnabled(editable and self.undo_stack.canRedo())
        page.report_view.set_busy(self.busy)
        self.start_page.open_button.setEnabled(not self.busy)
        self.start_page.sample_button.setEnabled(not self.busy)
        name = self.path.name if self.path else ""
        page.name_label.setText(f"{name} •" if self.has_unsaved_edits else name)

    def _confirm_discard(self) -> bool:
        if not self.has_unsaved_edits or self.path is None:
            return True
        question = UNSAVED_QUESTION.format(name=self.path.name)
        return confirm(self, "Unsaved edits", question, action="Discard edits")

    def _start(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        self.task = task
        task.add_done_callback(lambda _t: self._update_actions())
        self._update_actions()
        return task

    # ------------------------------------------------------------------ opening

    def open_path(self, path: Path) -> asyncio.Task[None] | None:
        """Open (or import) ``path``, asking first if unsaved edits would be lost.

        Returns:
            The task doing it, or None when nothing was started.
        """
        if self.busy or not self._confirm_discard():
            return None
        return self._start(self._open(Path(path)))

    @async_slot()
    async def _open(self, path: Path) -> None:
        try:
            if path.suffix.lower() in TABLE_SUFFIXES:
                await self._import_table(path)
                return
            self.progress.start(f"Opening {path.name}")
            await self.session.precheck(path)
            index = await self.session.open_index(path)
            self._close_document()
            self._index, self.path, self.report = index, path, None
            self.recent.add(path)
            self.start_page.set_recent(self.recent.paths())
            self.page.browse_view.model.set_report(None)
            self.page.browse_view.model.set_source(IndexRows(index))
            self.page.show_dataset(path, None, rows=len(index))
            self.page.changed_banner.hide()
            self.stack.setCurrentWidget(self.page)
            self.progress.start("Checking")
            report, document = await self.session.check_and_index(index)
            self._set_document(document, report)
        except (OperationCancelledError, CheckCancelledError):
            self._abandon_opening()
        except FinetuneError as exc:
            self._abandon_opening()
            show_error(self, exc)
        finally:
            self.progress.finish()

    def _abandon_opening(self) -> None:
        """A file stopped half-way through opening: release it and show the start page (a
        file that was open before stays open when this one never got that far)."""
        if self._index is not None and self.document is None:
            self._close_document()
            self.path = None
            self.stack.setCurrentWidget(self.start_page)

    def _set_document(self, document: DatasetDocument, report: DatasetReport) -> None:
        self.document, self._index, self.report = document, None, report
        self.path = document.path
        self.undo_stack.clear()
        model = self.page.browse_view.model
        model.set_report(report)
        model.set_source(document)
        self.page.show_dataset(document.path, report, rows=document.row_count)
        self.page.changed_banner.hide()
        self._start_counter(report.encoding_name)
        self.page.notice_label.setText(self._notice)
        self.page.notice_label.setVisible(bool(self._notice))
        self._notice = ""
        self._watch.start()

    def _start_counter(self, encoding_name: str) -> None:
        cancel_task(self._counter_task)
        self._counter_task = self._load_counter(encoding_name)

    @async_slot()
    async def _load_counter(self, encoding_name: str) -> None:
        try:
            counter = await self.session.token_counter(encoding_name)
        except FinetuneError:
            return  # the Tokens column stays empty; the report has the totals
        self.page.browse_view.set_counter(counter)

    def _close_document(self) -> None:
        self._watch.stop()
        self.undo_stack.clear()
        self.page.browse_view.model.set_source(None)
        for holder in (self.document, self._index):
            if holder is not None:
                holder.close()
        self.document = self._index = None
        self.report = None

    async def _import_table(self, path: Path) -> None:
        from desktop.ui.datasets.import_wizard import open_import_wizard

        self.progress.start(f"Reading {path.name}")
        self.import_dialog = await open_import_wizard(self, path, self._on_import_chosen)

    def _on_import_chosen(self, path: Path, mapping: ColumnMapping, sheet: str | None) -> None:
        self._start(self._convert_table(path, mapping, sheet))

    @async_slot()
    async def _convert_table(self, path: Path, mapping: ColumnMapping, sheet: str | None) -> None:
        async def convert() -> tuple[Path, str]:
            target, written, skipped = await self.session.convert_table(path, mapping, sheet=sheet)
            note = f" ({skipped:,} row(s) skipped: empty user or answer)" if skipped else ""
            return target, f"Created “{target.name}” with {written:,} example(s){note}."

        await self._write_then_open(f"Converting {path.name}", convert)

    async def _write_then_open(
        self, label: str, write: Callable[[], Awaitable[tuple[Path, str]]]
    ) -> None:
        """Run ``write`` (it makes a new file and says what it did) with progress, then open
        the new file; a cancel or an error (shown) leaves the open dataset as it was."""
        try:
            self.progress.start(label)
            target, self._notice = await write()
        except (OperationCancelledError, CheckCancelledError):
            return
        except FinetuneError as exc:
            show_error(self, exc)
            return
        finally:
            self.progress.finish()
        await self._open(target)

    def _on_reload_clicked(self) -> None:
        if self.path is not None:
            self.open_path(self.path)

    def _on_watch_timeout(self) -> None:
        if self.document is not None and not self.busy and self.document.file_changed():
            self.page.changed_banner.show()

    # ------------------------------------------------------------------ other handlers

    def _on_edited(self) -> None:
        # Problem markers belong to the file as checked: rows move once it is edited.
        model = self.page.browse_view.model
        model.set_report(None if self.has_unsaved_edits else self.report)
        if self.has_unsaved_edits:
            self.page.info_label.setText("Edited: save to check the file again.")
        elif self.path is not None and self.document is not None:
            self.page.show_dataset(self.path, self.report, rows=self.document.row_count)
        self._update_actions()

    def _on_clean_changed(self, _clean: bool) -> None:
        self._update_actions()

    def _on_progress(self, label: str, done: int, total: int) -> None:
        self.progress.update_progress(label, done, total)

    def _on_cancel_requested(self) -> None:
        self.session.cancel()

    def _on_open_requested(self) -> None:
        path = ask_open_path(self)
        if path is not None:
            self.open_path(path)

    def _on_path_chosen(self, path: object) -> None:
        if isinstance(path, Path | str):
            self.open_path(Path(path))

    def _on_issue_line_activated(self, line: int) -> None:
        self.page.tabs.setCurrentWidget(self.page.browse_view)
        self.page.browse_view.select_line(line)

    def _on_close_clicked(self) -> None:
        if self.busy or not self._confirm_discard():
            return
        self._close_document()
        self.path = None
        self.stack.setCurrentWidget(self.start_page)
        self.start_page.set_recent(self.recent.paths())
        self._update_actions()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_path(path)
