"""The create-job dialog (issue 5, section 1) and its pages.

``CreateJobDialog(parent, env=CreateJobEnv(...), draft=JobDraft(...))`` walks Data → Model →
Settings → Review; it emits ``job_created(profile_id, job)`` once the connection accepted the job.
"""

from __future__ import annotations

from desktop.ui.jobs.create.dialog import CreateJobDialog
from desktop.ui.jobs.create.env import CreateJobEnv

__all__ = ["CreateJobDialog", "CreateJobEnv"]
