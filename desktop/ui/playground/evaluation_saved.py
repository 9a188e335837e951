"""The Evaluation window's actions on saved runs: open, rename, delete, finish, run again.

A mixin of ``EvaluationWidget`` (``evaluation.py``), which provides the store, the run list,
the results pane and ``_start``. Opening shows the run from the database alone, so a run stays
readable after its models are gone. "Run again on another model…" builds the new run with
``run_again`` (the earlier answers copied in, only the new model asked); "Finish this run"
asks for a cancelled or interrupted run's missing answers and its failed ones again, into the
same run. On a real connection both first estimate exactly the requests they will make
(``desktop.core.playground.evaluation_cost.estimate_jobs``, in a worker thread) and ask, as Run
does, when that is over ``CONFIRM_ABOVE`` or a price is unknown (``evaluation_estimate``); No
sends nothing. The Demo never asks. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalRun, EvalRunStatus
from desktop.core.playground.evaluation_cost import EvaluationEstimate, estimate_jobs
from desktop.core.playground.evaluation_runs import (
    MAX_EVAL_MODELS,
    remaining_jobs,
    run_again,
    run_state,
)
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.dialogs import ask_choice, ask_text
from desktop.ui.playground.evaluation_estimate import (
    NOT_RUN,
    WAITING_TO_RUN,
    ask_about_cost,
    sent_text,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QPushButton

    from desktop.core.playground.evaluation import EvalJob
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.playground.evaluation_choices import ModelsBox
    from desktop.ui.playground.evaluation_results import ResultsPane
    from desktop.ui.playground.evaluation_run_list import RunListWidget
    from desktop.ui.playground.model_picker import ModelPickerWidget

__all__ = ["SavedRunsMixin"]


class SavedRunsMixin:
    """Saved-run actions; the window class provides the attributes declared here.

    Invariant: while ``_costing`` a finish or run-again is having its cost worked out (or
    asked about); no other can start, and the saved runs cannot be deleted meanwhile.
    """

    action_task: asyncio.Task[None] | None = None
    """The last "Run again…" or "Finish this run": on a real connection it estimates the cost,
    asks when needed, then runs (ends with the run, or at once when nothing is sent)."""
    _costing = False

    if TYPE_CHECKING:
        _store: PlaygroundStore | None
        _live: EvalRun | None
        _picker: ModelPickerWidget
        runs: RunListWidget
        results: ResultsPane
        models_box: ModelsBox
        run_button: QPushButton
        status_label: QLabel
        run_task: asyncio.Task[None] | None

        @property
        def _demo(self) -> bool: ...

        def _start(
            self, run: EvalRun, jobs: list[EvalJob], *, new: bool, earlier: tuple[str, ...] = ()
        ) -> asyncio.Task[None]: ...

        def _refresh_runs(self) -> None: ...

        def _title(self, run: EvalRun, state: str) -> str: ...

        def _update_buttons(self) -> None: ...

    def _connect_saved_runs(self) -> None:
        self.runs.open_requested.connect(self.open_run)
        self.runs.rename_requested.connect(self._on_rename_requested)
        self.runs.delete_requested.connect(self._on_delete_requested)
        self.runs.run_again_requested.connect(self.run_again)
        self.runs.continue_requested.connect(self.continue_run)

    def _busy(self) -> bool:
        return self.run_task is not None and not self.run_task.done()

    def _occupied(self) -> bool:
        """A run goes, or a saved run's cost is being worked out before it starts."""
        return self._busy() or self._costing

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
        if run is None or self._store is None or self._occupied():
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
            On the Demo the new run's task; on a real connection a task that first works out
            what the new model's answers may cost and asks when it is high (see
            :meth:`_after_cost_check`); or None (the status line says why).
        """
        if self._occupied():
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
        return self._after_cost_check(
            new, jobs, new=True, earlier=run.models, title="Run again on another model"
        )

    def continue_run(self, run_id: str) -> asyncio.Task[None] | None:
        """Ask for the answers a cancelled or interrupted run is missing, and failed ones again.

        Returns:
            On the Demo the run's task; on a real connection a task that first works out what
            the remaining answers may cost and asks when it is high (see
            :meth:`_after_cost_check`); or None when nothing is missing (the status line says).
        """
        if self._occupied():
            return None
        run = self._saved(run_id)
        if run is None or self._store is None:
            return None
        jobs = remaining_jobs(run)
        if not jobs:
            self.status_label.setText("This run has every answer already.")
            self.open_run(run_id)
            return None
        return self._after_cost_check(run, jobs, new=False, title="Finish this run")

    # ------------------------------------------------------------------ the cost first

    def _send(
        self, run: EvalRun, jobs: list[EvalJob], *, new: bool, earlier: tuple[str, ...]
    ) -> asyncio.Task[None]:
        if not new and self._store is not None:
            self._store.finish_run(run.id, EvalRunStatus.RUNNING)  # finishing it again
        return self._start(run, jobs, new=new, earlier=earlier)

    def _after_cost_check(
        self,
        run: EvalRun,
        jobs: list[EvalJob],
        *,
        new: bool,
        title: str,
        earlier: tuple[str, ...] = (),
    ) -> asyncio.Task[None]:
        """Send ``jobs`` of ``run``: at once on the Demo (simulated, nothing is charged);
        on a real connection only once their cost is known and, when it is over
        ``CONFIRM_ABOVE`` or unknown, the user said Run.

        Returns:
            The run's task (the Demo), or the task that checks the cost and then awaits
            the run's (``action_task`` either way).
        """
        if self._demo:
            task = self._send(run, jobs, new=new, earlier=earlier)
        else:
            self._costing = True
            self.run_button.setEnabled(False)
            self.runs.set_busy(True)
            self.status_label.setText(WAITING_TO_RUN)
            task = self._check_cost_then_send(run, jobs, new, title, earlier)
        self.action_task = task
        return task

    @async_slot()
    async def _check_cost_then_send(
        self, run: EvalRun, jobs: list[EvalJob], new: bool, title: str, earlier: tuple[str, ...]
    ) -> None:
        loop = asyncio.get_running_loop()
        decided: asyncio.Future[asyncio.Task[None] | None] = loop.create_future()
        try:
            try:
                estimate: EvaluationEstimate | None = await asyncio.to_thread(
                    estimate_jobs,
                    jobs,
                    run.examples,
                    self._picker.catalog(),
                    run.settings,
                    models=run.models,
                )
            except FinetuneError:
                estimate = None  # a tokenizer could not be loaded: "cannot be estimated"

            def ask_then_send() -> None:
                # A plain callback, not the coroutine: the question runs a nested event loop.
                if decided.done():
                    return  # cancelled meanwhile (the app is closing): nothing is sent
                started = None
                try:
                    started = self._ask_then_send(run, jobs, estimate, new, title, earlier)
                finally:
                    decided.set_result(started)

            loop.call_soon(ask_then_send)
            started = await decided
        finally:
            self._costing = False
            if (not decided.done() or decided.cancelled()) and isValid(self):
                self._update_buttons()  # failed or cancelled before asking: nothing was sent
        if started is not None:
            await started

    def _ask_then_send(
        self,
        run: EvalRun,
        jobs: list[EvalJob],
        estimate: EvaluationEstimate | None,
        new: bool,
        title: str,
        earlier: tuple[str, ...],
    ) -> asyncio.Task[None] | None:
        window = self if isinstance(self, QWidget) else None
        if window is None or not isValid(window):
            return None  # the window was deleted meanwhile: nothing is sent
        self._costing = False
        if self._busy():  # a run started meanwhile (Run): this one is not sent
            return None
        if window.isVisible():
            requests = [sum(1 for job in jobs if job.model == model) for model in run.models]
            sent = sent_text(len({job.example_index for job in jobs}), [n for n in requests if n])
            if self._demo or ask_about_cost(window, estimate, sent=sent, title=title):
                return self._send(run, jobs, new=new, earlier=earlier)
        # else the window was closed meanwhile: nothing is sent either
        self.status_label.setText(NOT_RUN)
        self._update_buttons()
        return None
