""" "Train again on…": the dialog is pre-filled from a ``JobDraft`` on the target connection."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.core.connections import demo_azure_profile
from desktop.core.jobs.draft import JobDraft, draft_from_job
from desktop.core.types import FineTuningJob, Hyperparameters
from desktop.ui.jobs.create.data_page import ValidationMode
from tests.api.support import write_training_file
from tests.ui.conftest import ShownError
from tests.ui.jobs.create.conftest import MODEL, DialogFactory, Driver
from tests.ui.loop_helpers import run

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def _await_checks(driver: Driver) -> None:
    data = driver.dialog.data_page
    for field in (data.training_file, data.validation_file):
        if field.check_task is not None:
            run(driver.loop, field.check_task, timeout=60)


def _first_job(open_dialog: DialogFactory, path: Path) -> tuple[Driver, FineTuningJob]:
    driver = open_dialog()
    created: list[FineTuningJob] = []
    driver.dialog.job_created.connect(lambda _profile, job: created.append(job))
    driver.choose_training(path)
    assert driver.dialog.model_page.select(MODEL)
    driver.next()
    driver.next()
    settings = driver.dialog.settings_page
    driver.click(settings.advanced_check)
    driver.type_into(settings.epochs_edit, "2")
    driver.type_into(settings.suffix_edit, "support-v1")
    driver.dialog.data_page.validation_combo.setCurrentIndex(int(ValidationMode.SPLIT))
    driver.to_review()
    driver.confirm_and_create()
    (job,) = created
    return driver, job


def test_train_again_prefills_dataset_split_model_and_settings_from_the_origin(
    open_dialog: DialogFactory, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    path = write_training_file(tmp_path, examples=30)
    first, job = _first_job(open_dialog, path)
    env = first.dialog.env
    origin = env.jobs_store.origin(env.profile.id, job.id)
    assert origin is not None and origin.validation_path is not None
    draft = draft_from_job(job, origin, profile_id=env.profile.id, target_profile_id="elsewhere")

    again = open_dialog(draft=draft)
    _await_checks(again)

    dialog = again.dialog
    data = dialog.data_page
    assert data.training_file.path == path and data.training_file.usable is not None
    assert data.validation_mode is ValidationMode.SPLIT and data.split_spin.value() == 10
    selected = dialog.model_page.selected
    assert selected is not None and selected.id == MODEL
    settings = dialog.settings_page
    assert settings.advanced_check.isChecked() and settings.epochs_edit.text() == "2"
    again.to_review()
    assert "2 epochs ×" in dialog.review_page.quote_label.text()
    assert shown_errors == []


def test_train_again_asks_for_the_file_when_the_original_is_only_remote(
    open_dialog: DialogFactory,
) -> None:
    draft = JobDraft(
        model=MODEL,
        hyperparameters=Hyperparameters(n_epochs=3),
        suffix="moved",
        source_profile_id="openai-main",
        source_job_id="ftjob-elsewhere",
    )

    driver = open_dialog(draft=draft)

    data = driver.dialog.data_page
    assert data.note_label.isVisibleTo(data)
    assert "Choose the local file it was made from" in data.note_label.text()
    assert not data.uses_remote_training and data.training_file.path is None
    assert not driver.dialog.next_button.isEnabled()
    assert driver.dialog.hint_label.text() == "Choose the training dataset."
    assert driver.dialog.settings_page.suffix_edit.text() == "moved"


def test_train_again_on_the_same_connection_uses_the_remote_file(
    open_dialog: DialogFactory, tmp_path: Path, qasync_loop: Any
) -> None:
    path = write_training_file(tmp_path, examples=30)
    _, job = _first_job(open_dialog, path)
    draft = JobDraft(
        training_file_id=job.training_file, model=MODEL, source_job_id=job.id, source_profile_id="x"
    )

    again = open_dialog(draft=draft)
    remote = again.dialog.data_page.training_remote
    assert remote.load_task is not None
    run(qasync_loop, remote.load_task)

    assert again.dialog.data_page.uses_remote_training
    assert remote.file_id == job.training_file
    again.to_review()
    assert "only on the connection" in again.dialog.review_page.quote_label.text()


def test_train_again_with_a_retired_model_says_so_and_picks_another(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    draft = JobDraft(training_path=str(write_training_file(tmp_path)), model="gpt-3.5-turbo-0125")

    driver = open_dialog(draft=draft)
    _await_checks(driver)

    page = driver.dialog.model_page
    assert "gpt-3.5-turbo-0125" in page.draft_note.text() and "Retired" in page.draft_note.text()
    assert page.selected is not None and page.selected.id != "gpt-3.5-turbo-0125"


def test_train_again_on_the_azure_style_demo_creates_the_job_there(
    open_dialog: DialogFactory,
    create_env: Any,
    emulator: Any,
    tmp_path: Path,
    qasync_loop: Any,
    shown_errors: list[ShownError],
) -> None:
    path = write_training_file(tmp_path, examples=30)
    _, job = _first_job(open_dialog, path)
    first_env = create_env()
    origin = first_env.jobs_store.origin(first_env.profile.id, job.id)
    azure = demo_azure_profile()
    provider = create_provider(azure, api_key=None, base_url=emulator.base_url)
    models = run(qasync_loop, provider.list_models())

    async def azure_provider() -> Any:
        return provider

    env = dataclasses.replace(
        first_env, profile=azure, provider=azure_provider, models=tuple(models)
    )
    draft = draft_from_job(job, origin, profile_id="demo", target_profile_id=azure.id)
    again = open_dialog(env=env, draft=draft)
    created: list[FineTuningJob] = []
    again.dialog.job_created.connect(lambda profile_id, new: created.append(new))
    _await_checks(again)

    again.to_review()
    again.confirm_and_create()

    assert shown_errors == []
    (new_job,) = created
    assert new_job.id != job.id and new_job.hyperparameters.n_epochs == 2
    assert any(r.path.startswith("/openai/") for r in emulator.requests), "not the Azure API"
    new_origin = env.jobs_store.origin(azure.id, new_job.id)
    assert new_origin is not None and new_origin.dataset_path == str(path)
    run(qasync_loop, provider.aclose())
