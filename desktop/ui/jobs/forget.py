""" "Forget on this computer…": drop the local record of one job, after asking.

Only the app's own record goes (the cached job, its events, costs, links and dataset origin);
the job and its fine-tuned model stay on the connection. So a finished job the connection still
lists comes back with the next refresh; a job deleted there does not. Offered only for jobs
that are finished or gone from the connection: a running job is still followed.

Call only from the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.errors import FinetuneError
from desktop.core.types import FineTuningJob
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.jobs.formatting import job_title

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop.ui.jobs.service import JobsService

FORGET_TITLE = "Forget on this computer"
FORGET_ACTION = "Forget"


def can_forget(job: FineTuningJob | None, *, gone: bool) -> bool:
    """Whether "Forget on this computer…" is offered: finished jobs and jobs gone remotely."""
    return job is not None and (job.is_finished or gone)


def forget_question(job: FineTuningJob, *, gone: bool) -> str:
    """The confirmation, in plain words: what goes, what stays, and whether it comes back."""
    text = (
        f"Forget the job “{job_title(job)}” on this computer?\n\n"
        "This only removes what this app recorded about it here: its place in the list, its "
        "events and charts, its cost and which dataset it used. "
    )
    if gone:
        return text + (
            "The job no longer exists on the connection, so it will not come back in the list."
        )
    model = f" and its model {job.fine_tuned_model}" if job.fine_tuned_model else ""
    return text + (
        f"The job{model} stay on the connection: nothing is deleted there, and the model can "
        "still be used.\n\nThe connection still lists the job, so the next Refresh shows it "
        "again (without what was recorded here, such as the dataset it came from)."
    )


def forget_job(parent: QWidget, service: JobsService, job: FineTuningJob) -> str | None:
    """Ask, then forget ``job`` on this computer.

    Args:
        parent: the widget the question and any error belong to.
        service: the jobs of the active connection.
        job: a job :func:`can_forget` accepts.

    Returns:
        The line to show once forgotten; None when the user said no or it failed (the error
        was shown).
    """
    gone = service.is_gone(job.id)
    if not can_forget(job, gone=gone):
        return None
    if not confirm(parent, FORGET_TITLE, forget_question(job, gone=gone), action=FORGET_ACTION):
        return None
    try:
        service.forget(job.id)
    except FinetuneError as exc:
        show_error(parent, exc)
        return None
    if gone:
        return f"Forgot {job_title(job)} on this computer."
    return (
        f"Forgot {job_title(job)} on this computer. It is still on the connection: "
        "Refresh lists it again."
    )
