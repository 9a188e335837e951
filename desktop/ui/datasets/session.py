"""The open dataset as a service: open, check, index, fix, convert and save, off the GUI thread.

:class:`DatasetSession` runs the blocking ``core``/``storage`` functions with
``asyncio.to_thread`` and reports progress through :attr:`DatasetSession.progress`, which
worker threads emit and Qt queues back to the GUI thread. One ``threading.Event`` cancels
whatever is running. Widgets only connect to the signals and await the coroutines.

:class:`RecentFiles` keeps the "recently opened" list in the app's settings.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.core.dataset import DatasetReport, TokenCounter, check_file
from desktop.core.datasets_io.document import DatasetDocument
from desktop.core.datasets_io.line_index import LineIndex
from desktop.core.datasets_io.open_checks import check_text_file
from desktop.ui.common.worker_progress import gui_callback

if TYPE_CHECKING:
    from desktop.core.catalog import ModelCatalog
    from desktop.core.datasets_io.fixes import FixKind, FixResult
    from desktop.core.datasets_io.tabular import ColumnMapping
    from desktop.storage.settings import SettingsStore

CatalogGetter = Callable[[], "ModelCatalog | None"]

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
DEFAULT_ENCODING = "o200k_base"
FIRST_ROWS = 200
RECENT_KEY = "datasets.recent_files"
MAX_RECENT = 10
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm"})


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """Which tokenizer and context limit the check uses."""

    encoding_name: str = DEFAULT_ENCODING
    context_limit: int | None = None


def new_version_path(path: Path, tag: str) -> Path:
    """A free name next to ``path`` for a new version: ``name.<tag>.jsonl``, then ``-2``, ``-3``...

    Args:
        path: the source file (``train.jsonl``, ``sheet.csv``).
        tag: ``"fixed"``, ``"chat"``, or ``""`` for a plain ``name.jsonl``.

    Returns:
        A path that does not exist yet.
    """
    stem = path.stem
    if path.suffix.lower() == ".jsonl" and tag and stem.endswith(f".{tag}"):
        stem = stem[: -len(tag) - 1]
    base = f"{stem}.{tag}" if tag else stem
    candidate = path.with_name(f"{base}.jsonl")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{base}-{counter}.jsonl")
        counter += 1
    return candidate


class RecentFiles:
    """The recently opened datasets, newest first, in ``settings`` (in memory without one).

    Call only from the GUI thread.
    """

    def __init__(self, settings: SettingsStore | None) -> None:
        self._settings = settings
        self._memory: list[str] = []

    def paths(self) -> list[Path]:
        raw = self._settings.get(RECENT_KEY, []) if self._settings else self._memory
        if not isinstance(raw, list):
            return []
        return [Path(item) for item in raw if isinstance(item, str)][:MAX_RECENT]

    def add(self, path: Path) -> None:
        text = str(path)
        items = [text] + [str(p) for p in self.paths() if str(p) != text]
        items = items[:MAX_RECENT]
        if self._settings is not None:
            self._settings.set(RECENT_KEY, items)
        else:
            self._memory = items


class DatasetSession(QObject):
    """Runs the long dataset work in worker threads; one piece of work at a time.

    ``progress(label, done, total)`` is emitted on the GUI thread for work in worker threads
    (``gui_callback``: a worker never touches this object, which may be gone by then).
    :meth:`cancel` stops the running work: it then raises ``OperationCancelledError`` or
    ``CheckCancelledError``. Call the other methods from the GUI thread.
    """

    progress = Signal(str, int, int)

    def __init__(
        self,
        *,
        catalog: CatalogGetter | None = None,
        prepare_tokenizers: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._prepare = prepare_tokenizers
        self._cancel = threading.Event()
        self.counter: TokenCounter | None = None
        self.encoding_override: str | None = None
        """The tokenizer to check with instead of the default model's (the Estimate panel's)."""

    def cancel(self) -> None:
        """Ask the running work to stop."""
        self._cancel.set()

    def _start(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def _reporter(self, label: str) -> Callable[[int, int], None]:
        """A progress callback for worker threads; ``progress`` is emitted on the GUI thread.
        Call on the GUI thread (with the loop running), before the work starts."""
        return gui_callback(self, lambda done, total: self.progress.emit(label, done, total))

    # ------------------------------------------------------------------ opening

    async def precheck(self, path: Path) -> None:
        """Make sure ``path`` is a readable, non-empty text file (raises ``DatasetFileError``)."""
        await asyncio.to_thread(check_text_file, path)

    async def open_index(self, path: Path) -> LineIndex:
        """An index with the first rows readable (grow the rest with :meth:`finish_index`)."""
        cancel = self._start()

        def first_rows() -> LineIndex:
            index = LineIndex.open(path)
            try:
                index.grow(max_lines=FIRST_ROWS, cancel=cancel)
            except BaseException:
                index.close()
                raise
            return index

        return await asyncio.to_thread(first_rows)

    async def check_and_index(self, index: LineIndex) -> tuple[DatasetReport, DatasetDocument]:
        """Check the file and index the rest of it, both in worker threads, at once.

        Returns:
            The report and an editable document (which owns ``index``).
        """
        cancel = self._cancel
        settings = await asyncio.to_thread(self._check_settings)

        def index_rest() -> DatasetDocument:
            index.grow(cancel=cancel)
            if not index.is_complete:
                from desktop.core.errors import OperationCancelledError

                raise OperationCancelledError("indexing cancelled")
            return DatasetDocument(index)

        on_progress = self._reporter("Checking")

        def check() -> DatasetReport:
            report = check_file(
                index.path,
                encoding_name=settings.encoding_name,
                context_limit=settings.context_limit,
                progress=on_progress,
                cancel=cancel,
            )
            return report

        check_task = asyncio.ensure_future(asyncio.to_thread(check))
        index_task = asyncio.ensure_future(asyncio.to_thread(index_rest))
        try:
            report, document = await asyncio.gather(check_task, index_task)
        except BaseException:
            cancel.set()
            await asyncio.gather(check_task, index_task, return_exceptions=True)
            raise
        return report, document

    def _check_settings(self) -> CheckSettings:
        if self._prepare is not None:
            self._prepare()
        catalog = self._catalog() if self._catalog is not None else None
        model = catalog.get(DEFAULT_MODEL) if catalog is not None else None
        settings = (
            CheckSettings()
            if model is None
            else CheckSettings(model.encoding, model.training_context_tokens)
        )
        if self.encoding_override:
            settings = CheckSettings(self.encoding_override, settings.context_limit)
        return settings

    async def recheck(self, path: Path) -> DatasetReport:
        """Check ``path`` again (after a save, or with another model's tokenizer)."""
        cancel = self._start()
        settings = await asyncio.to_thread(self._check_settings)

        on_progress = self._reporter("Checking")

        def check() -> DatasetReport:
            report = check_file(
                path,
                encoding_name=settings.encoding_name,
                context_limit=settings.context_limit,
                progress=on_progress,
                cancel=cancel,
            )
            return report

        return await asyncio.to_thread(check)

    async def token_counter(self, encoding_name: str) -> TokenCounter:
        """A counter for per-example token counts (loaded in a worker the first time).

        Loaded after a check, not during it: reading a vocabulary holds the GIL for ~0.1 s.
        """
        if self.counter is None or self.counter.encoding_name != encoding_name:
            self.counter = await asyncio.to_thread(TokenCounter, encoding_name)
        return self.counter

    # ------------------------------------------------------------------ new versions

    async def apply_fixes(self, path: Path, fixes: set[FixKind]) -> tuple[Path, FixResult]:
        """Write a fixed copy of ``path`` as ``name.fixed.jsonl`` (numbered if taken)."""
        from desktop.core.datasets_io.fixes import apply_fixes

        cancel = self._start()
        target = new_version_path(path, "fixed")
        result = await asyncio.to_thread(
            apply_fixes, path, target, fixes, progress=self._reporter("Fixing"), cancel=cancel
        )
        return target, result

    async def convert_legacy(self, path: Path) -> Path:
        """Write a chat version of a legacy file as ``name.chat.jsonl`` (numbered if taken)."""
        from desktop.core.datasets_io.convert import convert_legacy_file

        cancel = self._start()
        target = new_version_path(path, "chat")
        await asyncio.to_thread(
            convert_legacy_file, path, target, progress=self._reporter("Converting"), cancel=cancel
        )
        return target

    async def convert_table(
        self, path: Path, mapping: ColumnMapping, *, sheet: str | None
    ) -> tuple[Path, int, int]:
        """Convert a table to ``name.jsonl`` next to it; returns (path, written, skipped)."""
        from desktop.core.datasets_io.tabular import convert_table

        cancel = self._start()
        target = new_version_path(path, "")
        result = await asyncio.to_thread(
            convert_table,
            path,
            mapping,
            target,
            sheet=sheet,
            progress=self._reporter("Importing"),
            cancel=cancel,
        )
        return target, result.examples_written, result.skipped_count

    async def save(self, document: DatasetDocument, target: Path | None = None) -> DatasetDocument:
        """Save over the file, or to ``target`` (temp file + rename; a replaced file is kept as
        a backup). Returns a fresh document over the saved file."""
        from desktop.storage.dataset_files import save_document

        cancel = self._start()
        return await asyncio.to_thread(
            save_document, document, target, progress=self._reporter("Saving"), cancel=cancel
        )
