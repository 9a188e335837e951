"""What the tabs ask of each other, wired in one place for the main window.

- Jobs → Playground: a model to try opens there (``open_model_in_playground``).
- Jobs → Datasets: a line a failed job names opens there (``open_dataset_line``).
- Datasets → Jobs: a job that used the dataset (``show_job``), or a new job with the dataset
  (Train a model…).
- Playground → Datasets: a dataset file the Playground wrote (an example added, votes
  exported) is re-read where the Datasets tab shows it; "Show in Datasets" opens it there
  (``show_dataset``). The Datasets tab also lends the Playground its recent files and its open
  document (``PlaygroundWidget.link_datasets``).

Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QTabWidget

    from desktop.ui.datasets.widget import DatasetsWidget
    from desktop.ui.jobs.widget import JobsWidget
    from desktop.ui.playground.widget import PlaygroundWidget

__all__ = ["TabLinks"]


class TabLinks(QObject):
    """Connects the three tabs' requests for each other; switches ``tabs`` as needed.

    ``track`` receives every task started here (the window cancels them when it closes).
    """

    def __init__(
        self,
        tabs: QTabWidget,
        *,
        datasets: DatasetsWidget,
        jobs: JobsWidget,
        playground: PlaygroundWidget,
        track: Callable[[asyncio.Task[None]], None],
    ) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._datasets = datasets
        self._jobs = jobs
        self._playground = playground
        self._track = track
        self.open_line_task: asyncio.Task[None] | None = None
        self.dataset_task: asyncio.Task[None] | None = None
        jobs.open_model_requested.connect(self._on_open_model_requested)
        jobs.open_dataset_line_requested.connect(self._on_open_dataset_line_requested)
        datasets.open_job_requested.connect(self._on_open_job_requested)
        datasets.train_requested.connect(self._on_train_requested)
        playground.link_datasets(datasets)
        playground.dataset_written.connect(self._on_dataset_written)
        playground.show_dataset_requested.connect(self._on_show_dataset_requested)

    # ------------------------------------------------------------------ Jobs → others

    def open_model_in_playground(self, model_id: str) -> bool:
        """Show the Playground with ``model_id`` chosen (a fine-tuned model or checkpoint).

        Returns:
            False when the model is retired (the Playground cannot select it).
        """
        self._tabs.setCurrentWidget(self._playground)
        return self._playground.open_model(model_id)

    def open_dataset_line(self, path: Path, line: int) -> asyncio.Task[None] | None:
        """Show the Datasets tab with ``path`` open at ``line`` (1-based).

        Returns:
            The task opening it (None when the tab is busy or the user kept unsaved edits).
        """
        self._tabs.setCurrentWidget(self._datasets)
        task = self._datasets.open_at_line(path, line)
        self.open_line_task = task
        if task is not None:
            self._track(task)
        return task

    def _on_open_model_requested(self, model_id: str) -> None:
        self.open_model_in_playground(model_id)

    def _on_open_dataset_line_requested(self, path: Path, line: int) -> None:
        self.open_dataset_line(Path(path), line)

    # ------------------------------------------------------------------ Datasets → Jobs

    def show_job(self, profile_id: str, job_id: str) -> bool:
        """Show a job in the Jobs tab (from the Datasets tab's "Used by jobs").

        Returns:
            False when the job belongs to another connection than the active one (the Jobs tab
            then says which) or is not in the list.
        """
        self._tabs.setCurrentWidget(self._jobs)
        return self._jobs.show_job(profile_id, job_id)

    def _on_open_job_requested(self, profile_id: str, job_id: str) -> None:
        self.show_job(profile_id, job_id)

    def _on_train_requested(self, path: Path) -> None:
        self._tabs.setCurrentWidget(self._jobs)
        self._jobs.new_job_with(path)

    # ------------------------------------------------------------------ Playground → Datasets

    def show_dataset(self, path: Path) -> asyncio.Task[None] | None:
        """Show the Datasets tab with ``path`` open (and checked).

        Returns:
            The task opening or re-reading it, or None when nothing had to be started (it is
            shown already) or could be (busy, or the user kept unsaved edits of another file).
        """
        self._tabs.setCurrentWidget(self._datasets)
        return self._keep(self._datasets.show_file(Path(path)))

    def _on_dataset_written(self, path: Path) -> None:
        self._keep(self._datasets.reload_if_shown(Path(path)))

    def _on_show_dataset_requested(self, path: Path) -> None:
        self.show_dataset(Path(path))

    def _keep(self, task: asyncio.Task[None] | None) -> asyncio.Task[None] | None:
        if task is not None:
            self.dataset_task = task
            self._track(task)
        return task
