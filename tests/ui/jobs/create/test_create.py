"""Creating a job from the dialog against the emulator: quote, upload, create exactly once."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import client_factory
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_profile
from desktop.core.errors import ConnectionFailedError, FineTuningUnavailableError
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.types import FineTuningJob
from desktop.sandbox import Faults
from tests.api.support import write_training_file
from tests.ui.conftest import ShownError
from tests.ui.jobs.create.conftest import MODEL, DialogFactory, Driver, dpo_line
from tests.ui.loop_helpers import run

pytestmark = [pytest.mark.gui, pytest.mark.integration]

PART_SIZE = 1000


def _jobs_on(driver: Driver) -> list[FineTuningJob]:
    async def listing() -> list[FineTuningJob]:
        provider = await driver.dialog.env.provider()
        return list((await provider.list_jobs(limit=100)).items)

    return run(driver.loop, listing())


def _posts(emulator: Any, suffix: str) -> list[Any]:
    return [r for r in emulator.requests if r.method == "POST" and r.path.endswith(suffix)]


def _ready(driver: Driver, path: Path) -> list[tuple[str, FineTuningJob]]:
    created: list[tuple[str, FineTuningJob]] = []
    driver.dialog.job_created.connect(lambda profile_id, job: created.append((profile_id, job)))
    driver.choose_training(path)
    assert driver.dialog.model_page.select(MODEL)
    driver.to_review()
    return created


def test_creates_the_job_after_the_confirmed_quote_and_records_its_origin(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    path = write_training_file(tmp_path, examples=20)
    driver = open_dialog()
    created = _ready(driver, path)
    assert not _posts(emulator, "/files"), "nothing is uploaded before Create"

    driver.confirm_and_create()

    assert shown_errors == []
    ((profile_id, job),) = created
    env = driver.dialog.env
    assert profile_id == env.profile.id and job.model == MODEL
    assert job.metadata[CLIENT_TOKEN_KEY] == driver.dialog.client_token
    assert [j.id for j in _jobs_on(driver)] == [job.id]
    assert len(_posts(emulator, "/files")) == 1
    origin = env.jobs_store.origin(profile_id, job.id)
    assert origin is not None and origin.dataset_path == str(path)
    assert origin.dataset_name == "train.jsonl" and origin.quoted_usd is not None
    assert env.jobs_store.pending_creates(profile_id) == []
    assert driver.dialog.result() == driver.dialog.DialogCode.Accepted


def test_reuses_an_identical_file_already_uploaded_to_the_connection(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    path = write_training_file(tmp_path, examples=20)
    first = open_dialog()
    _ready(first, path)
    first.confirm_and_create()
    copy = tmp_path / "copy"
    copy.mkdir()
    same = copy / "same-content.jsonl"
    same.write_bytes(path.read_bytes())

    second = open_dialog()
    _ready(second, same)
    second.confirm_and_create()

    assert shown_errors == []
    assert len(_posts(emulator, "/files")) == 1, "the identical file was uploaded again"
    jobs = _jobs_on(second)
    assert len(jobs) == 2 and jobs[0].training_file == jobs[1].training_file
    assert "not uploaded again: same-content.jsonl" in second.dialog.review_page.status_label.text()


def test_uploads_again_when_the_remembered_file_was_deleted_remotely(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=20)
    first = open_dialog()
    _ready(first, path)
    first.confirm_and_create()
    file_id = _jobs_on(first)[0].training_file
    run(first.loop, _delete(first, file_id))

    second = open_dialog()
    _ready(second, path)
    second.confirm_and_create()

    assert len(_posts(emulator, "/files")) == 2
    assert _jobs_on(second)[0].training_file != file_id


async def _delete(driver: Driver, file_id: str) -> None:
    provider = await driver.dialog.env.provider()
    await provider.delete_file(file_id)


def test_lost_create_answer_never_makes_a_second_job_even_when_create_is_pressed_again(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    path = write_training_file(tmp_path, examples=20)
    driver = open_dialog()
    created = _ready(driver, path)
    emulator.faults = Faults(lose_job_create_responses=3)

    driver.confirm_and_create()
    if not created:  # the first press ended with a message: press Create again, same token
        assert (
            shown_errors and "Press Create again" in driver.dialog.review_page.status_label.text()
        )
        driver.create()

    ((_, job),) = created
    jobs = _jobs_on(driver)
    assert [j.id for j in jobs] == [job.id], "a second job was started"
    assert job.metadata[CLIENT_TOKEN_KEY] == driver.dialog.client_token
    assert driver.dialog.env.jobs_store.pending_creates(driver.dialog.env.profile.id) == []


def test_wind_down_refusal_is_shown_before_anything_is_uploaded(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    path = write_training_file(tmp_path, examples=20)
    driver = open_dialog()
    created = _ready(driver, path)
    emulator.faults = Faults(refuse_fine_tuning=True)

    driver.confirm_and_create()

    assert created == []
    (shown,) = shown_errors
    assert isinstance(shown.exc, FineTuningUnavailableError)
    assert "winding down" in driver.dialog.review_page.refusal_label.text()
    assert not _posts(emulator, "/files"), "the file was uploaded before the refusal"
    assert not _posts(emulator, "/fine_tuning/jobs"), "a create was sent"
    assert driver.dialog.create_button.isEnabled(), "Create is usable again"

    emulator.faults = Faults()  # the account may fine-tune again: the refusal is remembered
    again = open_dialog()
    _ready(again, path)
    assert "refused to start a fine-tuning job" in again.dialog.review_page.refusal_label.text()
    assert again.dialog.review_page.confirm_check.isEnabled()


def test_split_off_writes_two_new_files_in_the_app_folder_and_leaves_the_original(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=40)
    before = path.read_bytes()
    driver = open_dialog()
    created: list[FineTuningJob] = []
    driver.dialog.job_created.connect(lambda _profile, job: created.append(job))
    driver.choose_training(path)
    data = driver.dialog.data_page
    data.validation_combo.setCurrentIndex(data.validation_combo.findData(3))  # split
    driver.type_into(data.split_spin.lineEdit(), "25")
    assert driver.dialog.model_page.select(MODEL)

    driver.to_review()
    assert "25 % split off" in driver.dialog.review_page.summary_label.text()
    driver.confirm_and_create()

    assert path.read_bytes() == before
    parts = sorted(p.name for p in (tmp_path / "splits").iterdir())
    assert len(parts) == 2 and parts[0].endswith(".train-75pct.jsonl")
    assert parts[1].endswith(".validation-25pct.jsonl")
    (job,) = created
    assert job.validation_file is not None and len(_posts(emulator, "/files")) == 2
    origin = driver.dialog.env.jobs_store.origin(driver.dialog.env.profile.id, job.id)
    assert origin is not None and origin.dataset_path == str(path)


class LookupFailsAfterCreate:
    """The real provider, except that the look-up right after a create fails once (as if the
    connection dropped for a moment), so the dialog has to say so and the user presses again."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._created = False
        self.failed_lookups = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def create_job(self, request: Any) -> Any:
        self._created = True
        return await self._real.create_job(request)

    async def list_jobs(self, **kwargs: Any) -> Any:
        if self._created and kwargs.get("metadata") and not self.failed_lookups:
            self.failed_lookups += 1
            raise ConnectionFailedError("look-up dropped (test)")
        return await self._real.list_jobs(**kwargs)


def test_create_pressed_again_after_a_lost_answer_finds_the_job_instead_of_a_second(
    open_dialog: DialogFactory,
    create_env: Any,
    emulator: Any,
    tmp_path: Path,
    shown_errors: list[ShownError],
) -> None:
    env = create_env()
    flaky: list[LookupFailsAfterCreate] = []

    async def provider() -> Any:
        if not flaky:
            flaky.append(LookupFailsAfterCreate(await env.provider()))
        return flaky[0]

    driver = open_dialog(env=dataclasses.replace(env, provider=provider))
    created = _ready(driver, write_training_file(tmp_path, examples=20))
    emulator.faults = Faults(lose_job_create_responses=1)

    driver.confirm_and_create()

    assert created == [] and flaky[0].failed_lookups == 1
    (shown,) = shown_errors
    assert isinstance(shown.exc, ConnectionFailedError)
    assert "Press Create again" in driver.dialog.review_page.status_label.text()
    assert len(env.jobs_store.pending_creates(env.profile.id)) == 1
    assert len(_jobs_on(driver)) == 1, "the lost create did start a job"

    driver.create()  # the same dialog, the same client token

    ((_, job),) = created
    assert [j.id for j in _jobs_on(driver)] == [job.id], "a second job was started"
    assert len(_posts(emulator, "/fine_tuning/jobs")) == 1, "the create was sent twice"
    assert len(_posts(emulator, "/files")) == 1, "the file was uploaded twice"
    assert env.jobs_store.pending_creates(env.profile.id) == []


def test_an_upload_cut_off_midway_is_resumed_when_create_is_pressed_again(
    open_dialog: DialogFactory,
    create_env: Any,
    emulator: Any,
    tmp_path: Path,
    shown_errors: list[ShownError],
    qasync_loop: Any,
) -> None:
    factory = client_factory(
        demo_profile(), api_key=None, base_url=emulator.base_url, max_retries=0
    )
    small_parts = OpenAIProvider(
        factory, multipart_threshold=2 * PART_SIZE, part_size=PART_SIZE, parallel_parts=1
    )

    async def provider() -> Any:
        return small_parts

    env = dataclasses.replace(create_env(), provider=provider)
    driver = open_dialog(env=env)
    created = _ready(driver, write_training_file(tmp_path, examples=60))
    emulator.faults = Faults(drop_upload_parts_after=3)

    driver.confirm_and_create()

    assert created == [] and len(shown_errors) == 1
    assert "Press Create again to send the rest" in driver.dialog.review_page.status_label.text()
    parts_before = len(_posts(emulator, "/parts"))

    driver.create()

    assert len(created) == 1
    parts_after = len(_posts(emulator, "/parts"))
    assert len(_posts(emulator, "/uploads")) == 1, "the upload started over"
    size = (tmp_path / "train.jsonl").stat().st_size
    assert parts_after - parts_before == -(-size // PART_SIZE) - 3, "parts were sent twice"
    run(qasync_loop, small_parts.aclose())


def test_dpo_job_is_created_with_the_beta_the_user_typed(
    open_dialog: DialogFactory, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    dpo = tmp_path / "prefs.jsonl"
    dpo.write_text("".join(dpo_line(i) + "\n" for i in range(12)))
    driver = open_dialog()
    created: list[FineTuningJob] = []
    driver.dialog.job_created.connect(lambda _profile, job: created.append(job))
    driver.choose_training(dpo)
    driver.next()
    assert driver.dialog.model_page.select("gpt-4.1-mini-2025-04-14")
    driver.next()
    settings = driver.dialog.settings_page
    driver.click(settings.advanced_check)
    driver.type_into(settings.beta_edit, "2.5")
    assert "at most 2" in settings.advanced_problems.text()
    driver.type_into(settings.beta_edit, "0.2")

    driver.to_review()
    driver.confirm_and_create()

    assert shown_errors == []
    (job,) = created
    assert job.method == "dpo" and job.hyperparameters.beta == 0.2


def test_wind_down_refusal_is_shown_with_the_quote_before_anything_is_confirmed(
    open_dialog: DialogFactory, emulator: Any, tmp_path: Path, shown_errors: list[ShownError]
) -> None:
    emulator.faults = Faults(refuse_fine_tuning=True)
    driver = open_dialog()

    _ready(driver, write_training_file(tmp_path, examples=20))

    review = driver.dialog.review_page
    assert "cannot start fine-tuning jobs" in review.quote_label.text()
    assert "winding down" in review.refusal_label.text()
    assert not review.confirm_check.isEnabled() and not driver.dialog.create_button.isEnabled()
    assert not _posts(emulator, "/files") and not _posts(emulator, "/fine_tuning/jobs")
    assert shown_errors == []
