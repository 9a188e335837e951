"""The local job record survives restarts, dedupes, and forgets only what it is told to."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.jobs.records import JobLink, JobOrigin, PendingCreate
from desktop.core.types import FineTuningJob, Hyperparameters, JobCreateRequest, JobEvent
from desktop.storage.database import MIGRATIONS, Database
from desktop.storage.jobs_store import JobsStore
from desktop.storage.settings import SettingsStore
from tests.helpers.clock import FakeClock


@pytest.fixture
def store(db: Database) -> JobsStore:
    return JobsStore(db, clock=FakeClock())


def job(
    job_id: str,
    created_at: int = 100,
    status: str = "running",
    *,
    training_file: str = "file-t",
    validation_file: str | None = None,
) -> FineTuningJob:
    return FineTuningJob(
        id=job_id,
        model="gpt-4o-mini-2024-07-18",
        status=status,
        created_at=created_at,
        training_file=training_file,
        validation_file=validation_file,
        hyperparameters=Hyperparameters(n_epochs=3),
        metadata={"team": "blue"},
    )


def event(event_id: str, created_at: int) -> JobEvent:
    return JobEvent(id=event_id, created_at=created_at, level="info", message=event_id)


def test_cached_jobs_survive_when_database_is_reopened(db_path: Path) -> None:
    first = Database(db_path)
    JobsStore(first).save_jobs("p1", [job("a")])
    first.close()
    again = Database(db_path)
    try:
        assert JobsStore(again).cached_jobs("p1") == [job("a")]
    finally:
        again.close()


def test_save_jobs_updates_job_when_seen_again(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a", status="running")])
    store.save_jobs("p1", [job("a", status="succeeded")])
    assert [j.status for j in store.cached_jobs("p1")] == ["succeeded"]


def test_cached_jobs_are_newest_first_when_saved_in_any_order(store: JobsStore) -> None:
    store.save_jobs("p1", [job("old", 100), job("new", 300), job("mid", 200)])
    assert [j.id for j in store.cached_jobs("p1")] == ["new", "mid", "old"]


def test_cached_jobs_keep_connections_apart_when_ids_clash(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a", status="running")])
    store.save_jobs("p2", [job("a", status="failed")])
    assert [j.status for j in store.cached_jobs("p1")] == ["running"]
    assert [j.status for j in store.cached_jobs("p2")] == ["failed"]


def test_cached_job_returns_one_job_when_known(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a")])
    assert store.cached_job("p1", "a") == job("a")
    assert store.cached_job("p1", "zzz") is None


def test_cached_jobs_skip_record_when_it_is_damaged(store: JobsStore, db: Database) -> None:
    store.save_jobs("p1", [job("a", 100), job("b", 200)])
    db.execute("UPDATE jobs SET data = 'not json' WHERE job_id = 'b'")
    assert [j.id for j in store.cached_jobs("p1")] == ["a"]


def test_mark_gone_keeps_job_flagged_when_deleted_remotely(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a")])
    store.mark_gone("p1", "a")
    assert store.is_gone("p1", "a")
    assert [j.id for j in store.cached_jobs("p1")] == ["a"]


def test_is_gone_clears_when_job_is_listed_again(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a")])
    store.mark_gone("p1", "a")
    store.save_jobs("p1", [job("a")])
    assert not store.is_gone("p1", "a")


def test_cached_events_are_newest_first_when_saved_newest_first(store: JobsStore) -> None:
    store.save_events("p1", "a", [event("e3", 30), event("e2", 20), event("e1", 10)])
    assert [e.id for e in store.cached_events("p1", "a")] == ["e3", "e2", "e1"]


def test_cached_events_keep_api_order_when_times_are_equal(store: JobsStore) -> None:
    store.save_events("p1", "a", [event("later", 10), event("earlier", 10)])
    store.save_events("p1", "a", [event("newest", 10)])
    assert [e.id for e in store.cached_events("p1", "a")] == ["newest", "later", "earlier"]


def test_save_events_ignores_duplicates_when_pages_overlap(store: JobsStore) -> None:
    store.save_events("p1", "a", [event("e2", 20), event("e1", 10)])
    store.save_events("p1", "a", [event("e3", 30), event("e2", 20)])
    assert [e.id for e in store.cached_events("p1", "a")] == ["e3", "e2", "e1"]


def test_cached_events_keep_metrics_data_when_reloaded(store: JobsStore) -> None:
    metrics = JobEvent(
        id="m",
        created_at=1,
        level="info",
        message="",
        type="metrics",
        data={"step": 2, "train_loss": 0.25},
    )
    store.save_events("p1", "a", [metrics])
    assert store.cached_events("p1", "a") == [metrics]


def test_origin_round_trips_when_recorded(store: JobsStore) -> None:
    origin = JobOrigin(
        profile_id="p1",
        job_id="a",
        dataset_path="/d/train.jsonl",
        dataset_name="train.jsonl",
        validation_path="/d/valid.jsonl",
        quoted_usd=Decimal("1.0836"),
        client_token="tok",
        created_locally_at=123.5,
    )
    store.record_origin(origin)
    assert store.origin("p1", "a") == origin


def test_origin_is_none_when_job_was_started_elsewhere(store: JobsStore) -> None:
    assert store.origin("p1", "a") is None


def test_jobs_for_dataset_lists_jobs_started_from_it_newest_first(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a", 100, "succeeded"), job("b", 200), job("c", 300)])
    store.save_jobs("p2", [job("x", 250, "failed")])
    for profile, job_id in (("p1", "a"), ("p1", "b"), ("p2", "x")):
        store.record_origin(JobOrigin(profile, job_id, dataset_path="/d/train.jsonl"))
    uses = store.jobs_for_dataset("/d/train.jsonl")
    assert [(u.profile_id, u.job_id, u.status) for u in uses] == [
        ("p2", "x", "failed"),
        ("p1", "b", "running"),
        ("p1", "a", "succeeded"),
    ]
    assert uses[0].model == "gpt-4o-mini-2024-07-18"


def test_jobs_for_dataset_counts_validation_use_when_file_validated_a_job(
    store: JobsStore,
) -> None:
    store.save_jobs("p1", [job("a")])
    store.record_origin(JobOrigin("p1", "a", dataset_path="/d/t.jsonl", validation_path="/d/v"))
    assert [u.job_id for u in store.jobs_for_dataset("/d/v")] == ["a"]


def test_jobs_for_dataset_counts_jobs_when_they_use_a_file_uploaded_from_it(
    store: JobsStore,
) -> None:
    store.remember_upload(
        "p1", sha256="ab", size=10, remote_file_id="file-up", local_path="/d/train.jsonl"
    )
    store.save_jobs("p1", [job("a", training_file="file-up"), job("b", training_file="other")])
    assert [u.job_id for u in store.jobs_for_dataset("/d/train.jsonl")] == ["a"]


def test_jobs_for_dataset_lists_job_when_not_cached_yet(store: JobsStore) -> None:
    store.record_origin(JobOrigin("p1", "a", dataset_path="/d/t", created_locally_at=555.9))
    (use,) = store.jobs_for_dataset("/d/t")
    assert (use.job_id, use.status, use.created_at) == ("a", "", 555)


def test_uploaded_file_is_reused_when_sha256_and_size_match(store: JobsStore) -> None:
    store.remember_upload("p1", sha256="ABC", size=10, remote_file_id="file-1", local_path="/x")
    assert store.uploaded_file("p1", sha256="abc", size=10) == "file-1"


def test_uploaded_file_is_none_when_size_differs(store: JobsStore) -> None:
    store.remember_upload("p1", sha256="abc", size=10, remote_file_id="file-1", local_path="/x")
    assert store.uploaded_file("p1", sha256="abc", size=11) is None


def test_uploaded_file_is_none_when_uploaded_to_another_connection(store: JobsStore) -> None:
    store.remember_upload("p1", sha256="abc", size=10, remote_file_id="file-1", local_path="/x")
    assert store.uploaded_file("p2", sha256="abc", size=10) is None


def test_uploaded_file_prefers_latest_when_uploaded_twice(store: JobsStore) -> None:
    store.remember_upload("p1", sha256="abc", size=10, remote_file_id="file-1", local_path="/x")
    store.remember_upload("p1", sha256="abc", size=10, remote_file_id="file-2", local_path="/y")
    assert store.uploaded_file("p1", sha256="abc", size=10) == "file-2"


def test_uploaded_file_is_none_when_upload_was_forgotten(store: JobsStore) -> None:
    store.remember_upload("p1", sha256="abc", size=10, remote_file_id="file-1", local_path="/x")
    store.forget_upload("p1", "file-1")
    assert store.uploaded_file("p1", sha256="abc", size=10) is None


def test_links_for_finds_link_when_job_is_either_end(store: JobsStore) -> None:
    link = JobLink("openai", "a", "azure", "b", created_at=5.0)
    store.link_jobs(link)
    store.link_jobs(link)
    assert store.links_for("openai", "a") == [link]
    assert store.links_for("azure", "b") == [link]
    assert store.links_for("azure", "a") == []


def _pending(token: str, profile: str = "p1", started: float = 1.0) -> PendingCreate:
    return PendingCreate(
        profile_id=profile,
        client_token=token,
        request=JobCreateRequest(
            model="m",
            training_file="file-t",
            hyperparameters=Hyperparameters(n_epochs=2),
            metadata={"finetune_studio_token": token},
        ),
        started_at=started,
        dataset_path="/d/t.jsonl",
        quoted_usd=Decimal("0.50"),
    )


def test_pending_creates_survive_when_database_is_reopened(db_path: Path) -> None:
    first = Database(db_path)
    JobsStore(first).begin_create(_pending("tok"))
    first.close()
    again = Database(db_path)
    try:
        assert JobsStore(again).pending_creates("p1") == [_pending("tok")]
    finally:
        again.close()


def test_pending_creates_are_oldest_first_per_connection(store: JobsStore) -> None:
    store.begin_create(_pending("late", started=9.0))
    store.begin_create(_pending("early", started=2.0))
    store.begin_create(_pending("other", profile="p2"))
    assert [p.client_token for p in store.pending_creates("p1")] == ["early", "late"]


def test_end_create_forgets_pending_when_outcome_known(store: JobsStore) -> None:
    store.begin_create(_pending("tok"))
    store.end_create("tok")
    assert store.pending_creates("p1") == []


def test_notified_status_is_remembered_when_marked(store: JobsStore) -> None:
    assert store.notified_status("p1", "a") is None
    store.mark_notified("p1", "a", "succeeded")
    assert store.notified_status("p1", "a") == "succeeded"


def test_delete_local_history_forgets_job_when_asked(store: JobsStore) -> None:
    store.save_jobs("p1", [job("a")])
    store.save_events("p1", "a", [event("e1", 1)])
    store.record_origin(JobOrigin("p1", "a", dataset_path="/d/t"))
    store.link_jobs(JobLink("p1", "a", "p2", "b", 1.0))
    store.mark_notified("p1", "a", "succeeded")
    store.delete_local_history("p1", "a")
    assert store.cached_jobs("p1") == []
    assert store.cached_events("p1", "a") == []
    assert store.origin("p1", "a") is None
    assert store.links_for("p2", "b") == []
    assert store.notified_status("p1", "a") is None
    assert store.jobs_for_dataset("/d/t") == []


def test_delete_local_history_touches_nothing_else_when_job_deleted(
    store: JobsStore, db: Database
) -> None:
    store.save_jobs("p1", [job("a"), job("keep")])
    store.save_jobs("p2", [job("a")])
    store.save_events("p1", "keep", [event("e1", 1)])
    store.save_events("p2", "a", [event("e2", 1)])
    store.record_origin(JobOrigin("p1", "keep", dataset_path="/d/t"))
    store.remember_upload("p1", sha256="abc", size=1, remote_file_id="file-t", local_path="/d/t")
    store.begin_create(_pending("tok"))
    SettingsStore(db).set("ui.tab", "jobs")
    store.delete_local_history("p1", "a")
    assert [j.id for j in store.cached_jobs("p1")] == ["keep"]
    assert [j.id for j in store.cached_jobs("p2")] == ["a"]
    assert len(store.cached_events("p1", "keep")) == 1
    assert len(store.cached_events("p2", "a")) == 1
    assert store.origin("p1", "keep") is not None
    assert store.uploaded_file("p1", sha256="abc", size=1) == "file-t"
    assert len(store.pending_creates("p1")) == 1
    assert SettingsStore(db).get("ui.tab") == "jobs"


def test_complete_create_saves_job_origin_and_clears_pending_when_job_is_known(
    store: JobsStore,
) -> None:
    pending = _pending("tok")
    store.begin_create(pending)
    store.complete_create(pending, job("a"))
    assert store.pending_creates("p1") == []
    assert [j.id for j in store.cached_jobs("p1")] == ["a"]
    assert store.origin("p1", "a") == pending.origin_for("a")


def test_cached_event_ids_lists_ids_when_events_are_kept(store: JobsStore) -> None:
    store.save_events("p1", "a", [event("e2", 2), event("e1", 1)])
    store.save_events("p1", "b", [event("other", 1)])
    assert store.cached_event_ids("p1", "a") == {"e1", "e2"}


def test_upgrade_keeps_settings_and_adds_jobs_tables_when_database_predates_jobs(
    db_path: Path,
) -> None:
    old = Database(db_path, migrations=MIGRATIONS[:1])
    SettingsStore(old).set("kept", True)
    old.close()
    upgraded = Database(db_path)
    try:
        assert SettingsStore(upgraded).get("kept") is True
        JobsStore(upgraded).save_jobs("p1", [job("a")])
        assert [j.id for j in JobsStore(upgraded).cached_jobs("p1")] == ["a"]
    finally:
        upgraded.close()
