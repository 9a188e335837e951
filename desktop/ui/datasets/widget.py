"""The Datasets tab: open or import a file, check it, browse, fix, edit and save it.

:class:`~desktop.ui.datasets.document_tab.DocumentTab` holds the frame and the open document's
life (open, check, show, close); this module adds what changes the document: one-click fixes
(always a new file next to the original, which is then opened), Save and Save as (a temporary
file renamed over the original, keeping the previous version as a backup), a re-check with
another model's tokenizer; and what the window asks of the tab when it closes.

Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QWidget

from desktop.core.dataset import CheckCancelledError
from desktop.core.errors import FinetuneError, OperationCancelledError
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.datasets.document_tab import DocumentTab
from desktop.ui.datasets.start_page import ask_save_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop.core.datasets_io.document import DatasetDocument
    from desktop.core.datasets_io.fixes import FixKind
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.settings import SettingsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.datasets.session import CatalogGetter

TITLE = "Datasets"
SAMPLE_NAME = "customer-support-sample.jsonl"
SAMPLES_SUBFOLDER = "samples"


class DatasetsWidget(DocumentTab):
    """The Datasets tab. ``task`` is the running work (await it in tests).

    ``open_job_requested(profile_id, job_id)``: the user double-clicked a job under "Used by
    jobs" (the window shows it in the Jobs tab). ``train_requested(path)``: the user pressed
    "Train a model…" on a saved dataset (the window opens New job… with it).
    """

    open_job_requested = Signal(str, str)
    train_requested = Signal(object)

    def __init__(
        self,
        *,
        settings: SettingsStore | None = None,
        catalog: CatalogGetter | None = None,
        service: ConnectionService | None = None,
        prepare_tokenizers: Callable[[], None] | None = None,
        ui_settings: QSettings | None = None,
        jobs_store: JobsStore | None = None,
        samples_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``jobs_store`` lists the jobs that used the open dataset ("Used by jobs");
        ``samples_folder`` receives the copies of the sample dataset (default: ``samples`` in
        the app's data folder)."""
        super().__init__(
            settings=settings,
            catalog=catalog,
            service=service,
            prepare_tokenizers=prepare_tokenizers,
            ui_settings=ui_settings,
            jobs_store=jobs_store,
            parent=parent,
        )
        self._samples_folder = samples_folder
        self.start_page.sample_requested.connect(self._on_sample_requested)
        page = self.page
        page.used_by.job_activated.connect(self.open_job_requested)
        page.save_button.clicked.connect(self._on_save_requested)
        page.save_as_button.clicked.connect(self._on_save_as_clicked)
        page.train_button.clicked.connect(self._on_train_clicked)
        page.report_view.fix_requested.connect(self._on_fix_requested)
        if page.estimate_panel is not None:
            page.estimate_panel.recheck_requested.connect(self._on_recheck_requested)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, handler in (
            (QKeySequence.StandardKey.Undo, self.undo_stack.undo),
            ("Ctrl+Shift+Z", self.undo_stack.redo),
            (QKeySequence.StandardKey.Save, self._on_save_requested),
        ):
            shortcut = QShortcut(QKeySequence(keys), self, context=context)
            shortcut.activated.connect(handler)

    # ------------------------------------------------------------------ fixes, save, recheck

    def _on_fix_requested(self, kind: FixKind) -> None:
        if self.path is None or self.busy or not self._confirm_discard():
            return
        self._start(self._fix(self.path, kind))

    @async_slot()
    async def _fix(self, path: Path, kind: FixKind) -> None:
        from desktop.core.datasets_io.fixes import FixKind

        async def fix() -> tuple[Path, str]:
            if kind is FixKind.CONVERT_LEGACY:
                target = await self.session.convert_legacy(path)
                return target, f"Converted to “{target.name}”; “{path.name}” is unchanged."
            target, _ = await self.session.apply_fixes(path, {kind})
            return target, f"Fixed copy saved as “{target.name}”; the original is unchanged."

        await self._write_then_open("Writing a fixed copy", fix)

    def _on_save_requested(self) -> None:
        if self.document is None or self.busy or not self.has_unsaved_edits:
            return
        self._start(self._save(self.document))

    def _on_train_clicked(self) -> None:
        if self.path is not None and not self.busy and not self.has_unsaved_edits:
            self.train_requested.emit(self.path)

    def _on_save_as_clicked(self) -> None:
        if self.document is None or self.busy:
            return
        target = ask_save_path(self, self.document.path)
        if target is not None:
            self._start(self._save(self.document, target))

    @async_slot()
    async def _save(self, document: DatasetDocument, target: Path | None = None) -> None:
        saved_path = target or document.path
        before = _stamp(saved_path)
        try:
            self.progress.start(f"Saving {saved_path.name}")
            self.page.browse_view.model.set_frozen(True)
            try:
                fresh = await self.session.save(document, target)
            except OperationCancelledError:
                if _stamp(saved_path) != before:
                    # Cancelled while re-opening the written file: the old document is
                    # closed already, so show what is on disk now.
                    self._close_document()
                    await self._open(saved_path)
                raise
            finally:
                self.page.browse_view.model.set_frozen(False)
            self.document = fresh  # the old one is closed by the save
            self.path = fresh.path
            self.recent.add(fresh.path)
            self.start_page.set_recent(self.recent.paths())
            self.undo_stack.clear()
            self.page.browse_view.model.set_source(fresh)
            self.progress.start("Checking")
            report = await self.session.recheck(fresh.path)
            self._set_document(fresh, report)
        except (OperationCancelledError, CheckCancelledError):
            return
        except FinetuneError as exc:
            show_error(self, exc)
        finally:
            self.progress.finish()

    def _on_recheck_requested(self, encoding_name: str) -> None:
        self.session.encoding_override = encoding_name or None
        if self.document is not None and not self.busy:
            self._start(self._recheck(self.document))

    @async_slot()
    async def _recheck(self, document: DatasetDocument) -> None:
        try:
            self.progress.start("Counting tokens for the chosen model")
            report = await self.session.recheck(document.path)
        except (OperationCancelledError, CheckCancelledError):
            return
        except FinetuneError as exc:
            show_error(self, exc)
            return
        finally:
            self.progress.finish()
        if document is self.document:
            self.report = report
            self.page.browse_view.model.set_report(report)
            self._start_counter(report.encoding_name)
            self.page.show_dataset(document.path, report, rows=document.row_count)

    # ------------------------------------------------------------------ the sample

    def open_sample(self) -> asyncio.Task[None] | None:
        """Open an editable copy of the shipped sample dataset (the shipped file stays as it is).

        Returns:
            The task doing it, or None when nothing was started.
        """
        if self.busy or not self._confirm_discard():
            return None
        return self._start(self._open_sample())

    def _on_sample_requested(self) -> None:
        self.open_sample()

    @async_slot()
    async def _open_sample(self) -> None:
        from desktop.resources import resource_path
        from desktop.storage.dataset_files import copy_sample

        folder = self._samples_folder
        if folder is None:
            from desktop.storage.paths import app_paths

            folder = app_paths().data_dir / SAMPLES_SUBFOLDER
        try:
            sample = resource_path(SAMPLES_SUBFOLDER, SAMPLE_NAME)
            copy = await asyncio.to_thread(copy_sample, sample, folder)
        except FileNotFoundError:  # no resources folder at all
            show_error(self, _missing_sample())
            return
        except FinetuneError as exc:
            show_error(self, exc)
            return
        await self._open(copy)

    # ------------------------------------------------------------------ other tabs

    def open_at_line(self, path: Path, line: int) -> asyncio.Task[None] | None:
        """Show ``path``'s example on 1-based ``line``, selected in Browse with its chat.

        Opens ``path`` first unless it is the open dataset (asking first if unsaved edits of
        another file would be lost); waits for an opening of ``path`` that is under way. Used
        by the Jobs tab to show the line a failed job's error names.

        Returns:
            The task doing it, or None when nothing was started (busy with other work, or the
            user kept their unsaved edits).
        """
        path = Path(path)
        if self._shows(path):
            return self._show_line_when_open(path, line, self.task if self.busy else None)
        if self.busy:
            return None
        opening = self.open_path(path)
        if opening is None:
            return None
        return self._show_line_when_open(path, line, opening)

    def recent_files(self) -> list[Path]:
        """The recently opened datasets, newest first (the start page's list)."""
        return self.recent.paths()

    def has_unsaved_edits_in(self, path: Path) -> bool:
        """Whether ``path`` is the open dataset and has edits that are not saved."""
        return self._shows(Path(path)) and self.has_unsaved_edits

    def add_unsaved_example(self, path: Path, line: str) -> int | None:
        """Add ``line`` at the end of the open dataset ``path`` as an unsaved, undoable edit.

        Returns:
            The example's 1-based number, or None when ``path`` is not the open, editable
            dataset (not open, still opening, or busy).
        """
        if self.document is None or self.busy or not self._shows(Path(path)):
            return None
        return self.editor.add_example(line)

    def reload_if_shown(self, path: Path) -> asyncio.Task[None] | None:
        """Read ``path`` again when it is the open dataset without unsaved edits (another tab
        wrote to it). Returns the task, or None when nothing was started."""
        if not self._shows(Path(path)) or self.busy or self.has_unsaved_edits:
            return None
        return self._start(self._open(Path(path)))

    def show_file(self, path: Path) -> asyncio.Task[None] | None:
        """Show ``path``: opened (asking first if unsaved edits of another file would be lost),
        or read again when it is open, unedited and changed on disk.

        Returns:
            The task, or None when nothing had to be (or could be) started.
        """
        path = Path(path)
        if self._shows(path):
            document = self.document
            unedited = document is not None and not self.busy and not self.has_unsaved_edits
            if unedited and document is not None and document.file_changed():
                return self._start(self._open(path))
            return None
        return self.open_path(path)

    def _shows(self, path: Path) -> bool:
        """Whether ``path`` is the dataset open (or opening) in the tab."""
        if self.path is None:
            return False
        try:
            return self.path.resolve() == path.resolve()
        except OSError:
            return self.path == path

    @async_slot()
    async def _show_line_when_open(
        self, path: Path, line: int, opening: asyncio.Task[None] | None
    ) -> None:
        if opening is not None:
            await asyncio.wait([opening])
        if self.document is None or not self._shows(path):
            return  # the opening failed (its error was shown) or was cancelled
        self.page.tabs.setCurrentWidget(self.page.browse_view)
        self.page.browse_view.go_to_line(line)

    # ------------------------------------------------------------------ window

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Back from another tab: a job may have been started from this file meanwhile.
        if self.path is not None and self.stack.currentWidget() is self.page:
            self.page.used_by.show_for(self.path)

    def confirm_close(self) -> bool:
        """Ask before unsaved edits are lost (the window is closing); True to go ahead."""
        return self._confirm_discard()

    def shutdown(self) -> None:
        """Stop the running work and release the file (the window is closing)."""
        self.session.cancel()
        cancel_task(self.task)
        cancel_task(self._counter_task)
        self._watch.stop()
        self.page.close_panels()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells whether a save replaced ``path`` (None: no such file)."""
    try:
        result = path.stat()
    except OSError:
        return None
    return result.st_ino, result.st_mtime_ns, result.st_size


def _missing_sample() -> FinetuneError:
    return FinetuneError(
        "the resources folder is missing",
        user_message="The sample dataset is missing from the app's files. Reinstall Finetune "
        "Studio to get it back.",
    )
