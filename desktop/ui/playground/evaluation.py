"""The Playground's Evaluation window: run a test set through 1–4 models and keep the answers.

The test set (``evaluation_test_set``) is a fine-tuning job's validation file or any chat
JSONL; the last assistant message of each example is the reference. Run sends every example
to every chosen model with the Playground's system prompt and settings (``EvaluationRunner``,
at most "Requests at once" in flight, the SDK retrying 429s with ``EVALUATION_MAX_RETRIES``).
Pause holds new requests, Cancel (asked first) stops them; every answer is saved as it
arrives (``PlaygroundStore.save_results``, batched with the table's flush), so a cancelled,
closed or crashed run keeps what it received. Results show in ``evaluation_results``; saved
runs in ``evaluation_run_list``: reopened (even after a model is gone), renamed, deleted,
finished, or run again on another model — the new run copies the earlier answers and asks
only the new model (see ``desktop.core.playground.evaluation_runs``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from desktop.api.evaluation_runner import EVALUATION_MAX_RETRIES, EvaluationRunner
from desktop.core.catalog import ModelCatalog
from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import (
    EvalExample,
    EvalJob,
    EvalResult,
    EvalRun,
    EvalRunStatus,
    plan_jobs,
    score_reply,
)
from desktop.core.playground.evaluation_runs import (
    default_run_name,
    failure_message,
    settings_summary,
    with_system_prompt,
)
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.evaluation_choices import ModelsBox, RunControls
from desktop.ui.playground.evaluation_estimate import CostEstimateWidget
from desktop.ui.playground.evaluation_results import ResultsPane
from desktop.ui.playground.evaluation_run_list import RunListWidget
from desktop.ui.playground.evaluation_saved import SavedRunsMixin
from desktop.ui.playground.evaluation_test_set import (
    TestSetWidget,
    base_model_of,
    validation_sources,
)

if TYPE_CHECKING:
    from desktop.api.evaluation_runner import StreamedReply
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.playground.model_picker import ModelPickerWidget
    from desktop.ui.playground.settings_panel import SettingsPanelWidget

__all__ = ["EvaluationWidget", "window_title"]


def window_title(*, demo: bool) -> str:
    """The window's title; on the Demo it says the answers are simulated."""
    title = "Evaluate on a test set"
    return title + " — Demo connection: simulated answers, nothing charged" if demo else title


class EvaluationWidget(SavedRunsMixin, QWidget):
    """Test set, models, Run/Pause/Cancel, results and saved runs. GUI thread only.

    Invariants: at most one run goes at a time (``run_task``); while it goes the choices are
    locked and saved runs can be looked at but not changed.
    """

    def __init__(
        self,
        service: ConnectionService,
        picker: ModelPickerWidget,
        settings_panel: SettingsPanelWidget,
        store: PlaygroundStore | None,
        *,
        jobs_store: JobsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationView")
        self._service = service
        self._picker = picker
        self._settings = settings_panel
        self._store = store
        self._jobs_store = jobs_store
        self.run_task: asyncio.Task[None] | None = None
        self._runner: EvaluationRunner | None = None
        self._live: EvalRun | None = None
        self._unsaved: list[EvalResult] = []
        self._examples: dict[int, EvalExample] = {}
        self._closed_run: str | None = None
        self._preselected: str | None = None
        self._build()
        self.refresh()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.test_set = TestSetWidget(self._service.provider)
        layout.addWidget(self.test_set)
        self.models_box = ModelsBox(self._picker.choices)
        layout.addWidget(self.models_box)
        self.estimate = CostEstimateWidget(
            self._service, self._picker, self._settings, self.test_set, self.models_box
        )
        layout.addWidget(self.estimate)
        self.settings_label = QLabel()
        self.settings_label.setObjectName("evalSettingsInfo")
        self.settings_label.setWordWrap(True)
        layout.addWidget(self.settings_label)
        self.controls = RunControls()
        layout.addWidget(self.controls)
        self.run_button = self.controls.run_button
        self.pause_button = self.controls.pause_button
        self.cancel_button = self.controls.cancel_button
        self.progress_bar = self.controls.progress_bar
        self.status_label = self.controls.status_label
        self.runs = RunListWidget()
        self.results = ResultsPane()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.runs)
        splitter.addWidget(self.results)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 940])
        layout.addWidget(splitter, 1)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self._settings.changed.connect(self._show_settings)
        self.results.model.on_flush(self._on_flushed)
        self._connect_saved_runs()
        self.resize(1200, 800)

    # ------------------------------------------------------------------ state

    @property
    def is_running(self) -> bool:
        return self.run_task is not None and not self.run_task.done()

    @property
    def _demo(self) -> bool:
        return bool(self._service.is_demo)

    def refresh(self) -> None:
        """Re-read the title, the settings, the jobs' validation files and the saved runs."""
        self.setWindowTitle(window_title(demo=self._demo))
        self._show_settings()
        if self._jobs_store is not None:
            self.test_set.set_sources(
                validation_sources(self._jobs_store, self._service.profile.id)
            )
        self._refresh_runs()
        self._update_buttons()

    def _refresh_runs(self) -> None:
        if self._store is not None:
            live = self._live.id if self._live is not None and self.is_running else None
            self.runs.set_runs(self._store.list_runs(), live_run=live)

    def _show_settings(self) -> None:
        settings, problems = self._settings.read()
        text = "Uses the Playground's settings: " + settings_summary(
            settings, self._settings.system_prompt
        )
        if problems:
            text += ". Correct them first: " + " ".join(problems)
        self.settings_label.setText(text)

    def chosen_models(self) -> list[str | None]:
        """The model of each visible choice (None where none is chosen)."""
        return self.models_box.chosen_models()

    def choose_models(self, models: list[str]) -> bool:
        """Show ``len(models)`` choices and choose ``models``. False if one is not listed."""
        return self.models_box.choose_models(models)

    def preselect(self, model: str | None) -> asyncio.Task[None] | None:
        """For a fine-tuned ``model``: choose its base model and it, and its job's validation
        file as the test set (the "evaluate the validation split" path). Only when ``model``
        changed since the last time and no run goes. Returns the test set's loading task."""
        if model is None or model == self._preselected or self.is_running:
            return None
        base = (
            base_model_of(self._jobs_store, self._service.profile.id, model)
            if self._jobs_store is not None
            else None
        )
        if self.choose_models([base, model] if base else [model]):
            self._preselected = model  # else try again next time (the list was not loaded)
        source = self.test_set.source_for(model)
        return self.test_set.choose_source(source) if source is not None else None

    def _update_buttons(self) -> None:
        running = self.is_running
        self.run_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.pause_button.setText("Pause")
        self.models_box.setEnabled(not running)
        self.test_set.setEnabled(not running)
        self.runs.set_busy(running)

    # ------------------------------------------------------------------ starting

    def _on_run_clicked(self) -> None:
        self.run()

    def run(self) -> asyncio.Task[None] | None:
        """Start a run with the window's choices. Returns its task, or None (status says why)."""
        if self.is_running:
            return None
        problem = self._problem()
        if problem:
            self.status_label.setText(problem)
            return None
        models = [str(model) for model in self.chosen_models()]
        settings, _ = self._settings.read()
        examples = with_system_prompt(
            self.test_set.limited_examples(), self._settings.system_prompt
        )
        source = self.test_set.source_name
        run = EvalRun(
            id=uuid.uuid4().hex,
            name=default_run_name(source, dt.datetime.now()),
            created_at=time.time(),
            models=tuple(models),
            settings=settings,
            concurrency=self.models_box.concurrency,
            source=source,
            examples=examples,
        )
        return self._start(run, plan_jobs(examples, models, settings), new=True)

    def _problem(self) -> str:
        if self.test_set.is_loading:
            return "The test set is still being read; Run when it is ready."
        if not self.test_set.examples:
            return "Choose a test set first: a job's validation file, or Browse… for a file."
        models = self.chosen_models()
        if any(model is None for model in models):
            return "Choose a model in every model box first (or show fewer boxes)."
        if len(set(models)) < len(models):
            return "Each model can be chosen only once; choose different models."
        _, problems = self._settings.read()
        if problems:
            return "Correct the Playground's settings first: " + " ".join(problems)
        return self.estimate.refusal(retry=self.run)  # the cost, asked first when it is high

    def _start(
        self, run: EvalRun, jobs: list[EvalJob], *, new: bool, earlier: tuple[str, ...] = ()
    ) -> asyncio.Task[None]:
        if self._store is not None and new:
            self._store.start_run(run)
        self._live = run
        self._closed_run = None
        self._unsaved = []
        self._examples = {example.index: example for example in run.examples}
        self.results.show_run(
            self._title(run, "running"),
            run.name,
            run.examples,
            run.models,
            # Finishing a run asks its failed answers again: show them as still to come.
            [r for r in run.results if new or not r.failed],
            earlier=earlier,
            simulated=self._demo,
            run_id=run.id,
        )
        self.progress_bar.setRange(0, max(len(jobs), 1))
        self.progress_bar.setFormat("%v of %m answers")
        self.progress_bar.setValue(0)
        self.status_label.setText(f"Asking for {len(jobs):,} answers…")
        task = self._run(run, jobs)
        self.run_task = task
        task.add_done_callback(self._on_task_done)
        self._update_buttons()
        self._refresh_runs()
        self.runs.select_run(run.id)
        return task

    def _title(self, run: EvalRun, state: str) -> str:
        source = f" of {run.source}" if run.source and run.source not in run.name else ""
        return f"{run.name} — {len(run.examples):,} examples{source} — {state}"

    # ------------------------------------------------------------------ running

    @async_slot()
    async def _run(self, run: EvalRun, jobs: list[EvalJob]) -> None:
        try:
            provider = await self._service.provider()
        except FinetuneError as exc:
            self.status_label.setText(f"The run could not start: {exc.user_message}")
            self._finish(run, EvalRunStatus.CANCELLED)
            return
        runner = EvaluationRunner(
            provider, concurrency=run.concurrency, max_retries=EVALUATION_MAX_RETRIES
        )
        self._runner = runner
        cancelled = True
        try:
            outcome = await runner.run(jobs, on_reply=self._on_reply, on_progress=self._on_progress)
            cancelled = outcome.cancelled
        finally:
            self._runner = None
            self.results.model.flush()
            self._save_unsaved()
        if cancelled and self._closed_run == run.id:
            return  # the window closed: the run stays "interrupted" with what it saved
        self._finish(run, EvalRunStatus.CANCELLED if cancelled else EvalRunStatus.FINISHED)

    def _finish(self, run: EvalRun, status: EvalRunStatus) -> None:
        if self._store is not None:
            self._store.finish_run(run.id, status)
        self.results.set_title(self._title(run, str(status)))
        failed = sum(1 for r in self.results.model.results if r.failed)
        done = self.progress_bar.value()
        ended = "Finished" if status is EvalRunStatus.FINISHED else "Cancelled"
        text = f"{ended}: {done:,} answers"
        if failed:
            text += f"; {failed} failed (see Failures)"
        self.status_label.setText(text + ".")

    def _on_reply(self, job: EvalJob, reply: StreamedReply) -> None:
        catalog = self._picker.catalog() or ModelCatalog((), dt.date.today(), "USD", "")
        result = score_reply(
            self._examples[job.example_index],
            job.model,
            answer=reply.text,
            usage=reply.usage,
            time_to_first_token=reply.time_to_first_token,
            latency=reply.total_time,
            error=""
            if reply.error is None
            else failure_message(reply.error, job.model, self.models_box.enabled_model_ids()),
            catalog=catalog,
        )
        self._unsaved.append(result)
        self.results.model.add_results((result,))

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setValue(done)

    def _on_flushed(self, _batch: list[EvalResult]) -> None:
        self._save_unsaved()

    def _save_unsaved(self) -> None:
        if not self._unsaved or self._live is None:
            return
        batch, self._unsaved = self._unsaved, []
        if self._store is not None:
            self._store.save_results(self._live.id, batch)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if self.run_task is task:
            self.run_task = None
        self._update_buttons()
        self._refresh_runs()

    def _on_pause_clicked(self) -> None:
        runner = self._runner
        if runner is None:
            return
        if runner.is_paused:
            runner.resume()
            self.pause_button.setText("Pause")
            self.status_label.setText("Running again.")
        else:
            runner.pause()
            self.pause_button.setText("Resume")
            self.status_label.setText(
                "Paused: the answers already asked for still arrive; no new request starts."
            )

    def _on_cancel_clicked(self) -> None:
        if not self.is_running:
            return
        received = self.progress_bar.value()
        if confirm(
            self,
            "Cancel the evaluation",
            f"Stop asking for answers? The {received:,} answers received so far stay saved "
            "in this run; “Finish this run” asks for the rest later.",
            action="Cancel evaluation",
        ):
            self.cancel()

    def cancel(self) -> bool:
        """Stop the run; what was received stays saved. True if a run was going."""
        if self._runner is None:
            return False
        self._runner.cancel()
        return True

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing stops the run; it stays "interrupted" in the list with what it saved.
        if self.is_running and self._live is not None:
            self._closed_run = self._live.id
            self.cancel()
        super().closeEvent(event)

    def shutdown(self) -> asyncio.Task[None] | None:
        """Stop the run (the app is closing). Returns its task to await, if any."""
        task = self.run_task if self.is_running else None
        self.close()
        return task
