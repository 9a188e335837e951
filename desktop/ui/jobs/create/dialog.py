"""The "New fine-tuning job" dialog: Data → Model → Settings → Review (quote, confirm, create).

Nothing is uploaded or created before the user confirmed the quote and pressed Create. Create
is disabled while it runs; after an error, pressing it again reuses the dialog's client token,
so a job whose answer was lost is found instead of started twice.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import (
    FinetuneError,
    FineTuningUnavailableError,
)
from desktop.core.jobs.client_token import new_client_token
from desktop.core.jobs.draft import JobDraft
from desktop.core.types import FineTuningJob, JobCreateRequest
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.jobs.create.checking import FileChecker
from desktop.ui.jobs.create.create_run import CreateRun
from desktop.ui.jobs.create.creation import (
    probe_fine_tuning,
    remember_refusal,
    remembered_refusal,
)
from desktop.ui.jobs.create.data_page import DataPage
from desktop.ui.jobs.create.env import CreateJobEnv
from desktop.ui.jobs.create.model_page import ModelPage
from desktop.ui.jobs.create.prepare import PreparedJob, check_settings_for, prepare_job
from desktop.ui.jobs.create.review_page import ReviewPage
from desktop.ui.jobs.create.settings_page import SettingsPage
from desktop.ui.jobs.create.summary import describe_plan

STEPS = ("Data", "Model", "Settings", "Review")
DATA, MODEL, SETTINGS, REVIEW = range(4)


class CreateJobDialog(QDialog):
    """Create one fine-tuning job on ``env.profile``, pre-filled from ``draft``.

    Invariants: at most one preparation and one creation run; the client token is fixed for
    the dialog's life. Call only from the GUI thread, with the qasync loop running.
    """

    job_created = Signal(str, object)
    """(profile id, ``FineTuningJob``) once the connection accepted the job."""

    def __init__(
        self, parent: QWidget | None, *, env: CreateJobEnv, draft: JobDraft | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("createJobDialog")
        self.setWindowTitle(f"New fine-tuning job — {env.profile.display_name}")
        self.resize(760, 620)
        self._env = env
        self.draft = draft
        self.client_token = new_client_token()
        self.prepared: PreparedJob | None = None
        self.prepare_task: asyncio.Task[None] | None = None
        self.create_task: asyncio.Task[None] | None = None
        self.created_job: FineTuningJob | None = None
        self._preparing = False
        self._creating = False
        self.probe_task: asyncio.Task[None] | None = None
        self.refused: str = ""
        """Why this connection cannot start jobs (from the read-only probe), or ""."""
        # No Qt parent: a worker thread still reporting must never reach a deleted object.
        self._checker = FileChecker(prepare=env.prepare_tokenizers)

        layout = QVBoxLayout(self)
        self.steps_label = QLabel()
        self.steps_label.setObjectName("createSteps")
        layout.addWidget(self.steps_label)
        self.pages = QStackedWidget()
        self.model_page = ModelPage(env)
        self.data_page = DataPage(env, check_settings=self._check_settings)
        self.settings_page = SettingsPage()
        self.review_page = ReviewPage()
        self._run = CreateRun(env, self.review_page, token=self.client_token, parent=self)
        for page in (self.data_page, self.model_page, self.settings_page, self.review_page):
            self.pages.addWidget(page)
            page.changed.connect(self._update_buttons)
        layout.addWidget(self.pages, 1)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("createHint")
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.setObjectName("createBack")
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("createNext")
        self.create_button = QPushButton("Create job")
        self.create_button.setObjectName("createJobButton")
        self.create_button.setToolTip("Upload what is needed and start the job")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("createCancel")
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.create_button, self.cancel_button):
            # Enter in a text box must never press Next or Create by itself.
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self._on_back_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self._checker.progress.connect(self._on_check_progress)
        if draft is not None:
            self._apply_draft(draft)
        self._show_page(DATA)

    # ------------------------------------------------------------------ state

    @property
    def env(self) -> CreateJobEnv:
        return self._env

    @property
    def is_creating(self) -> bool:
        return self._creating

    @property
    def is_preparing(self) -> bool:
        return self._preparing

    def _chosen_model(self) -> str:
        choice = self.model_page.selected
        assert choice is not None  # Create is enabled only with a model
        return choice.id

    def _check_settings(self) -> tuple[str, int | None]:
        return check_settings_for(self.model_page.catalog_model)

    def _page_problem(self, index: int) -> str:
        if index == DATA:
            return self.data_page.problem()
        if index == MODEL:
            return (
                "" if self.model_page.selected is not None else "Choose a model that can be used."
            )
        if index == SETTINGS:
            return " ".join(self.settings_page.problems())
        if self.is_preparing:
            return "Working out the cost…"
        if self.prepared is None or self.prepared.problem or self.refused:
            return ""
        if not self.review_page.confirmed:
            return "Confirm the estimated cost to start the job."
        return ""

    def _update_buttons(self) -> None:
        index = self.pages.currentIndex()
        creating = self.is_creating
        problem = self._page_problem(index)
        self.back_button.setEnabled(index > DATA and not creating)
        self.next_button.setVisible(index < REVIEW)
        self.next_button.setEnabled(index < REVIEW and not problem)
        self.create_button.setVisible(index == REVIEW)
        ready = self.prepared is not None and not self.prepared.problem and not self.refused
        self.create_button.setEnabled(
            index == REVIEW and ready and not problem and not creating and not self.is_preparing
        )
        self.hint_label.setText(problem)

    # ------------------------------------------------------------------ navigation

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.steps_label.setText(
            "  →  ".join(f"<b>{s}</b>" if i == index else s for i, s in enumerate(STEPS))
        )
        self._update_buttons()

    def _on_back_clicked(self) -> None:
        cancel_task(self.prepare_task)
        self._checker.cancel()
        self._preparing = False  # also when the task was cancelled before it began
        self._show_page(max(DATA, self.pages.currentIndex() - 1))

    def _on_next_clicked(self) -> None:
        index = self.pages.currentIndex()
        if self._page_problem(index):
            return
        if index == DATA:
            self.model_page.set_dataset_format(self.data_page.training_format)
        elif index == MODEL:
            choice = self.model_page.selected
            self.settings_page.set_constraints(
                model_supports_dpo=choice is not None and choice.supports_dpo,
                fmt=self.data_page.training_format,
            )
        elif index == SETTINGS:
            self.prepared = None
            self._checker.reset()
            self._preparing = True
            self.prepare_task = self._prepare()
            if self.probe_task is None:  # once per dialog; Create asks again anyway
                self.probe_task = self._probe()
        self._show_page(index + 1)

    def _apply_draft(self, draft: JobDraft) -> None:
        if draft.model:
            self.model_page.prefer(draft.model)
        self.data_page.apply_draft(draft)
        self.settings_page.apply_draft(draft)

    # ------------------------------------------------------------------ quote

    @async_slot()
    async def _prepare(self) -> None:
        choice = self.model_page.selected
        if choice is None:
            self._preparing = False
            return
        settings = self.settings_page
        review = self.review_page
        data = self.data_page.choice()
        review.show_working(
            describe_plan(
                data,
                model_id=choice.id,
                method=settings.method,
                hyperparameters=settings.hyperparameters,
                suffix=settings.suffix,
                connection=self._env.profile.display_name,
                model_note=choice.note if choice.retiring_soon else "",
            )
        )
        refused = remembered_refusal(self._env.settings, self._env.profile.id)
        review.show_refusal(
            f"On {refused} this connection refused to start a fine-tuning job (the account "
            "may no longer fine-tune). Creating will check again before anything is uploaded."
            if refused
            else ""
        )
        self._update_buttons()
        try:
            prepared = await prepare_job(
                self._env,
                self._checker,
                data,
                model_id=choice.id,
                model=self.model_page.catalog_model,
                method=settings.method,
                n_epochs=settings.hyperparameters.n_epochs,
                own_price=self.model_page.own_price(),
            )
        except FinetuneError as exc:
            review.show_problem(exc.user_message)
        else:
            self.prepared = prepared
            if prepared.problem:
                review.show_problem(prepared.problem)
            elif self.refused:
                review.show_problem(self.refused)
            else:
                review.show_quote(prepared.quote, prepared.quote_text)
        finally:
            self._preparing = False
            review.hide_progress()
            self._update_buttons()

    @async_slot()
    async def _probe(self) -> None:
        """Ask (read-only) whether this account may fine-tune while the user reads the quote,
        so a refusal shows before anything is confirmed or uploaded (see ``creation``)."""
        env = self._env
        try:
            provider = await env.provider()
            await probe_fine_tuning(provider)
        except FineTuningUnavailableError as exc:
            remember_refusal(env.settings, env.profile.id, env.today)
            self.refused = (
                "This connection cannot start fine-tuning jobs, so nothing will be uploaded or "
                "charged. " + exc.user_message
            )
            self.review_page.show_refusal(exc.user_message)
            if not self.is_preparing:
                self.review_page.show_problem(self.refused)
            self._update_buttons()
        except FinetuneError:
            pass  # offline or busy: Create asks again before uploading

    def _on_check_progress(self, label: str, done: int, total: int) -> None:
        self.review_page.set_progress(done, total)
        self.review_page.set_status(f"{label}…")

    # ------------------------------------------------------------------ create

    def _on_create_clicked(self) -> None:
        if not self.create_button.isEnabled() or self.is_creating:
            return
        self._creating = True
        self.create_task = self._create()
        self._update_buttons()

    @async_slot()
    async def _create(self) -> None:
        prepared = self.prepared
        job = None
        try:
            if prepared is not None:
                job = await self._run.run(prepared, self._build_request)
        finally:
            self._creating = False
            self.review_page.hide_progress()
            self._update_buttons()
        if job is not None:
            self.created_job = job
            self.job_created.emit(self._env.profile.id, job)
            self.accept()

    def _build_request(self, training_id: str, validation_id: str | None) -> JobCreateRequest:
        return self.settings_page.request(
            model=self._chosen_model(), training_file=training_id, validation_file=validation_id
        )

    @property
    def reused_files(self) -> list[str]:
        """Files of this job that were already on the connection (not uploaded again)."""
        return self._run.reused_files

    # ------------------------------------------------------------------ closing

    def _stop_everything(self) -> None:
        cancel_task(self.probe_task)
        cancel_task(self.prepare_task)
        cancel_task(self.create_task)
        self._checker.cancel()
        self.data_page.shutdown()

    def reject(self) -> None:
        self._stop_everything()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_everything()
        super().closeEvent(event)

    def pending_tasks(self) -> list[asyncio.Task[None]]:
        """Tasks still running (the window awaits them when it closes)."""
        tasks = [self.probe_task, self.prepare_task, self.create_task]
        return [task for task in tasks if task is not None and not task.done()]
