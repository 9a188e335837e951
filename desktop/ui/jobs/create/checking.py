"""Check, fingerprint and split dataset files off the GUI thread, with progress and cancel.

The dialog checks every local file with the real checker (``desktop.core.dataset.check_file``)
before anything leaves the computer, and fingerprints it (SHA-256) so an identical file already
uploaded to the connection is reused. "Split off N %" writes two new files into the app's own
folder with a fixed seed: the user's file is only read.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.dataset import CheckCancelledError, DatasetReport, IssueCode, check_file
from desktop.core.datasets_io.split import split_dataset
from desktop.core.errors import FileSaveError
from desktop.ui.common.worker_progress import gui_callback

SPLIT_SEED = 20_240_718
"""The split is reproducible: the same file and share always give the same two files."""

_READ_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A local file, its check report and its fingerprint."""

    path: Path
    report: DatasetReport
    sha256: str
    size: int
    for_validation: bool = False

    @property
    def problem(self) -> str:
        """Why the file cannot be used (plain words, with the line), or "" when it can."""
        return file_problem(self.path, self.report, for_validation=self.for_validation)


def file_problem(path: Path, report: DatasetReport, *, for_validation: bool = False) -> str:
    """The reason ``path`` cannot be used, naming where; "" when it has no errors.

    A validation file may be small: the minimum number of examples applies to training only.
    """
    errors = [
        issue
        for issue in report.errors
        if not (for_validation and issue.code == IssueCode.TOO_FEW_EXAMPLES)
    ]
    if errors:
        first = errors[0]
        where = f"line {first.line:,}" if first.line else "the file as a whole"
        count = len(errors) if len(errors) < len(report.errors) else report.error_count
        more = f" ({count:,} errors in all)" if count > 1 else ""
        fix = f" {first.fix.rstrip('.')}." if first.fix else ""
        return (
            f"{path.name} cannot be used yet{more}. First, on {where}: "
            f"{first.message.rstrip('.')}.{fix} "
            "Fix it in the Datasets tab, then choose the file again."
        )
    if report.stats.examples == 0:
        return f"{path.name} has no examples to train on."
    return ""


def billable_tokens(report: DatasetReport, *, context_limit: int | None) -> int | None:
    """Tokens billed per epoch (each example capped at ``context_limit``), None if unknown.

    Exact when the file was checked with that limit, or when no example reaches it; otherwise
    the file must be checked again with the model's limit.
    """
    stats = report.stats
    if context_limit == stats.context_limit:
        return stats.billable_tokens
    if context_limit is None or stats.tokens.maximum <= context_limit:
        return stats.total_tokens
    return None


def split_paths(path: Path, sha256: str, percent: int, target_dir: Path) -> tuple[Path, Path]:
    """Where the training and validation parts of ``path`` go (named by content and share)."""
    stem = f"{path.stem}.{sha256[:10]}"
    return (
        target_dir / f"{stem}.train-{100 - percent}pct.jsonl",
        target_dir / f"{stem}.validation-{percent}pct.jsonl",
    )


def _fingerprint(path: Path, cancel: threading.Event) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_SIZE):
            if cancel.is_set():
                raise CheckCancelledError("fingerprint cancelled")
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class FileChecker(QObject):
    """Runs checks and splits in worker threads; one at a time.

    ``progress(label, done, total)`` is emitted from worker threads (Qt queues it to the GUI
    thread). :meth:`cancel` stops the running work, which then raises ``CheckCancelledError``
    or ``OperationCancelledError``; :meth:`reset` before new work. Call the methods from the
    GUI thread.
    """

    progress = Signal(str, int, int)

    def __init__(
        self, *, prepare: Callable[[], None] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._prepare = prepare
        self._prepared = prepare is None
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the running work (and work started before :meth:`reset`) to stop."""
        self._cancel.set()

    def reset(self) -> None:
        """Start afresh: call (on the GUI thread) before starting new work, so a Stop pressed
        before the worker even began still counts."""
        self._cancel = threading.Event()

    def _reporter(self, label: str, cancel: threading.Event) -> Callable[[int, int], None]:
        """A progress callback for worker threads; ``progress`` is emitted on the GUI thread.
        Call on the GUI thread (with the loop running), before the work starts."""

        def report(done: int, total: int) -> None:
            if not cancel.is_set():  # nobody is listening any more
                self.progress.emit(label, done, total)

        return gui_callback(self, report)

    async def check(
        self,
        path: Path,
        *,
        encoding_name: str,
        context_limit: int | None,
        for_validation: bool = False,
    ) -> CheckedFile:
        """Check and fingerprint ``path``.

        Raises:
            DatasetError: the file cannot be read.
            CheckCancelledError: :meth:`cancel` was called.
        """
        cancel = self._cancel
        prepare = None if self._prepared else self._prepare

        on_progress = self._reporter(f"Checking {path.name}", cancel)

        def work() -> CheckedFile:
            if prepare is not None:
                prepare()
            report = check_file(
                path,
                encoding_name=encoding_name,
                context_limit=context_limit,
                progress=on_progress,
                cancel=cancel,
            )
            sha256, size = _fingerprint(path, cancel)
            return CheckedFile(
                path=path,
                report=report,
                sha256=sha256,
                size=size,
                for_validation=for_validation,
            )

        checked = await asyncio.to_thread(work)
        self._prepared = True
        return checked

    async def split(
        self, checked: CheckedFile, *, percent: int, target_dir: Path
    ) -> tuple[Path, Path]:
        """Write the training and validation parts of ``checked`` into ``target_dir``.

        Returns:
            The two new files (training, validation). The original is only read.

        Raises:
            FileSaveError: the app's folder cannot be written.
            OperationCancelledError: :meth:`cancel` was called.
        """
        cancel = self._cancel
        training, validation = split_paths(checked.path, checked.sha256, percent, target_dir)
        on_progress = self._reporter(f"Splitting {checked.path.name}", cancel)

        def work() -> None:
            try:
                target_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise FileSaveError(
                    f"cannot create {target_dir}: {exc}",
                    user_message="The app's folder for split files cannot be written. Choose "
                    "a validation file instead of splitting, or free some disk space.",
                    file=str(target_dir),
                ) from exc
            split_dataset(
                checked.path,
                training,
                validation,
                ratio=percent / 100,
                seed=SPLIT_SEED,
                progress=on_progress,
                cancel=cancel,
            )

        await asyncio.to_thread(work)
        return training, validation
