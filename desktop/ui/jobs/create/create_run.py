"""One press of Create: probe the account, upload (reuse, resume), create the job exactly once.

``CreateRun`` lives as long as the dialog, so what a failed press leaves behind (a half-sent
upload to resume, the client token) is used by the next press. It reports on the Review page
and shows errors with ``show_error``; it touches no other widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop.api.provider import Provider, UploadProgress
from desktop.core.errors import (
    FinetuneError,
    FineTuningUnavailableError,
    ResumableUpload,
    UploadInterruptedError,
)
from desktop.core.jobs.settings import check_create_request
from desktop.core.types import FineTuningJob, JobCreateRequest
from desktop.ui.common.errors import show_error
from desktop.ui.jobs.create.creation import (
    PreparedDataset,
    create_once,
    forget_refusal,
    is_lost_answer,
    probe_fine_tuning,
    remember_refusal,
    upload_or_reuse,
)
from desktop.ui.jobs.create.env import CreateJobEnv
from desktop.ui.jobs.create.prepare import PreparedJob
from desktop.ui.jobs.create.review_page import ReviewPage

RequestBuilder = Callable[[str, str | None], JobCreateRequest]
"""Builds the job request from the training and validation file ids."""

LOST_ANSWER = (
    "No answer arrived, so the job may or may not have started. Press Create again: the app "
    "first looks for the job this attempt may have started, so no second job is made."
)
UPLOAD_CUT = (
    "The connection dropped during the upload; what arrived is kept on the server. Press "
    "Create again to send the rest. Nothing was started."
)


class CreateRun:
    """Creates the dialog's job; call :meth:`run` once per press of Create (GUI thread)."""

    def __init__(self, env: CreateJobEnv, review: ReviewPage, *, token: str, parent: QWidget):
        self._env = env
        self._review = review
        self._token = token
        self._parent = parent
        self._resume: dict[str, ResumableUpload] = {}
        self.reused_files: list[str] = []
        """Files of this job that were already on the connection (not uploaded again)."""

    async def run(self, prepared: PreparedJob, build: RequestBuilder) -> FineTuningJob | None:
        """Probe, upload and create; None when it did not work (the reason is on screen)."""
        review = self._review
        env = self._env
        try:
            review.set_status("Checking that this connection may start fine-tuning jobs…")
            provider = await env.provider()
            await probe_fine_tuning(provider)
            training_id = await self._upload(provider, prepared.training)
            validation = prepared.validation
            validation_id = await self._upload(provider, validation) if validation else None
            request = build(training_id, validation_id)
            problems = [p.message for p in check_create_request(request) if p.severity == "error"]
            if problems:  # the pages check all of this already; never send a request we doubt
                review.set_status(" ".join(problems), error=True)
                return None
            review.set_status("Starting the job…")
            quote = prepared.quote
            job = await create_once(
                env,
                provider,
                request,
                token=self._token,
                training=prepared.training,
                validation=validation,
                quoted_usd=quote.total_usd if quote is not None else None,
            )
        except asyncio.CancelledError:
            review.set_status("Stopped. If the job was already sent, it appears in the list.")
            return None
        except UploadInterruptedError as exc:
            self._resume[exc.state.path] = exc.state
            self._failed(exc, UPLOAD_CUT)
            return None
        except FineTuningUnavailableError as exc:
            remember_refusal(env.settings, env.profile.id, env.today)
            review.show_refusal(exc.user_message)
            self._failed(exc, "Nothing was started and nothing is charged.")
            return None
        except FinetuneError as exc:
            lost = is_lost_answer(exc)
            self._failed(
                exc, LOST_ANSWER if lost else f"The job was not started. {exc.user_message}"
            )
            return None
        forget_refusal(env.settings, env.profile.id)
        reused = (
            f" Already on the connection, not uploaded again: {', '.join(self.reused_files)}."
            if self.reused_files
            else ""
        )
        review.set_status(f"Job {job.id} started.{reused}")
        return job

    def _failed(self, exc: FinetuneError, status: str) -> None:
        self._review.set_status(status, error=True)
        show_error(self._parent, exc)

    async def _upload(self, provider: Provider, part: PreparedDataset) -> str:
        if part.local is None:
            assert part.remote_id is not None
            return part.remote_id
        review = self._review
        name = part.local.path.name
        review.set_status(f"Uploading {name}…")

        def on_progress(name: str, progress: UploadProgress) -> None:
            review.set_progress(progress.bytes_sent, progress.total_bytes)
            review.set_status(
                f"Uploading {name}: {progress.bytes_sent:,} of {progress.total_bytes:,} bytes…"
            )

        file_id, reused = await upload_or_reuse(
            self._env,
            provider,
            part.local,
            on_progress=on_progress,
            resume=self._resume.pop(str(part.local.path), None),
        )
        if reused:
            self.reused_files.append(name)
            review.set_status(f"{name} is already on the connection: reused.")
        return file_id
