"""The Evaluation window's actions on saved runs: open, rename, delete, finish, run again.

A mixin of ``EvaluationWidget`` (``evaluation.py``), which provides the store, the run list,
the results pane and ``_start``. Opening shows the run from the database alone, so a run stays
readable after its models are gone. "Run again on another model…" builds the new run with
``run_again`` (the earlier answers copied in, only the new model asked); "Finish this run"
asks for a cancelled or interrupted run's missing answers and its failed ones again, into the
same run. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop.core.playground.evaluation import EvalRun, EvalRunStatus
from desktop.core.playground.evaluation_runs import (
    MAX_EVAL_MODELS,
    remaining_jobs,
    run_again,
    run_state,
)
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.dialogs import ask_choice, ask_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from desktop.core.playground.evaluation import EvalJob
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.playground.evaluation_choices import ModelsBox
    from desktop.ui.playground.evaluation_results import ResultsPane
    from desktop.ui.playground.evaluation_run_list import RunListWidget

__all__ = ["SavedRunsMixin"]


class SavedRunsMixin:
    """Saved-run actions; the window class provides the attributes declared here."""

    if TYPE_CHECKING:
        _store: PlaygroundStore | None
        _live: EvalRun | None
        runs: RunListWidget
        results: ResultsPane
        models_box: ModelsBox
        status_label: QLabel
        run_task: asyncio.Task[None] | None

        @property
        def _demo(self) -> bool: ...

        def _start(
            self, run: EvalRun, jobs: list[EvalJob], *, new: bool, earlier: tuple[str, ...] = ()
        ) -> asyncio.Task[None]: ...

        def _refresh_runs(self) -> None: ...

        def _title(self, run: EvalRun, state: str) -> str: ...

    def _connect_saved_runs(self) -> None:
        self.runs.open_requested.connect(self.open_run)
        self.runs.rename_requested.connect(self._on_rename_requested)
        self.runs.delete_requested.connect(self._on_delete_requested)
        self.runs.run_again_requested.connect(self.run_again)
        self.runs.continue_requested.connect(self.continue_run)

    def _busy(self) -> bool:
        return self.run_task is not None and not self.run_task.done()

    def _saved(self, run_id: str) -> EvalRun | None:
        run = self._store.run(run_id) if self._store is not None else None
        if run is None:
            self.status_label.setText("This run can no longer be read; it may have been deleted.")
            self._refresh_runs()
        return run

    def open_run(self, run_id: str) -> bool:
        """Show a saved run's answers and figures (from the database alone)."""
        if self._busy() and self._live is not None and self._live.id != run_id:
            self.status_label.setText("Wait for the run to end (or cancel it) to open another.")
            return False
        run = self._saved(run_id)
        if run is None:
            return False
        live = self._busy() and self._live is not None and self._live.id == run_id
        if live:
            return True  # it is the one shown, filling in
        self.results.show_run(
            self._title(run, run_state(run.status, live=False)),
            run.name,
            run.examples,
            run.models,
            run.results,
            simulated=self._demo,
            run_id=run.id,
        )
        self.runs.select_run(run_id)
        return True

    def _on_rename_requested(self, run_id: str) -> None:
        self.rename_run(run_id)

    def rename_run(self, run_id: str) -> bool:
        """Ask for a new name and save it. True when renamed."""
        run = self._saved(run_id)
        if run is None or self._store is None:
            return False
        parent = self if isinstance(self, QWidget) else None
        name = ask_text(parent, "Rename run", "New name for this run:", text=run.name)
        if name is None:
            return False
        try:
            self._store.rename_run(run_id, name)
        except ValueError:
            self.status_label.setText("A run's name cannot be empty; it keeps its old name.")
            return False
        self._refresh_runs()
        if self.results.run_id == run_id:
            self.open_run(run_id)
        return True

    def _on_delete_requested(self, run_id: str) -> None:
        self.delete_run(run_id)

    def delete_run(self, run_id: str) -> bool:
        """Ask, then delete a run with its answers. True when deleted."""
        run = self._saved(run_id)
        if run is None or self._store is None or self._busy():
            return False
        parent = self if isinstance(self, QWidget) else None
        if not confirm(
            parent,
            "Delete run",
            f"Delete “{run.name}” and its {len(run.results):,} saved answers? "
            "This cannot be undone.",
            action="Delete",
        ):
            return False
        self._store.delete_run(run_id)
        if self.results.run_id == run_id:
            self.results.show_run("Run deleted.", "", [], [], [], simulated=self._demo)
        self._refresh_runs()
        return True

    def run_again(self, run_id: str) -> asyncio.Task[None] | None:
        """Ask for another model and run the same examples on it, next to the earlier answers.

        Returns:
            The new run's task, or None (the status line says why).
        """
        if self._busy():
            return None
        run = self._saved(run_id)
        if run is None or self._store is None:
            return None
        if len(run.models) >= MAX_EVAL_MODELS:
            self.status_label.setText(
                f"This run already compares {MAX_EVAL_MODELS} models, the most one run can show."
            )
            return None
        candidates = [m for m in self.models_box.enabled_model_ids() if m not in run.models]
        parent = self if isinstance(self, QWidget) else None
        model = ask_choice(
            parent,
            "Run again on another model",
            "Model to answer the same examples, with the same settings:",
            candidates,
        )
        if model is None:
            if not candidates:
                self.status_label.setText("No other model of this connection can be chosen.")
            return None
        new = run_again(run, model, run_id=uuid.uuid4().hex, now=time.time())
        jobs = remaining_jobs(new, models=[model])
        return self._start(new, jobs, new=True, earlier=run.models)

    def continue_run(self, run_id: str) -> asyncio.Task[None] | None:
        """Ask for the answers a cancelled or interrupted run is missing, and failed ones again.

        Returns:
            The run's task, or None when nothing is missing (the status line says so).
        """
        if self._busy():
            return None
        run = self._saved(run_id)
        if run is None or self._store is None:
            return None
        jobs = remaining_jobs(run)
        if not jobs:
            self.status_label.setText("This run has every answer already.")
            self.open_run(run_id)
            return None
        self._store.finish_run(run_id, EvalRunStatus.RUNNING)
        return self._start(run, jobs, new=False)
