"""The job report covers settings, hyperparameters, figures, checkpoints, cost and failures."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.catalog import ModelCatalog
from desktop.core.jobs.checkpoints import advise
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.jobs.metrics import MetricPoint
from desktop.core.jobs.quote import quote_training
from desktop.core.jobs.report import RECENT_EVENTS, job_report_markdown
from desktop.core.types import Checkpoint, FineTuningJob, Hyperparameters, JobError, JobEvent

JOB = FineTuningJob(
    id="ftjob-1",
    model="gpt-4o-mini-2024-07-18",
    status="succeeded",
    created_at=1_767_225_600,  # 2026-01-01 00:00 UTC
    finished_at=1_767_225_600 + 252,
    training_file="file-t",
    validation_file="file-v",
    fine_tuned_model="ft:gpt-4o-mini-2024-07-18:org:bot:abc",
    hyperparameters=Hyperparameters(n_epochs=3, batch_size=1, learning_rate_multiplier=1.8),
    trained_tokens=361_200,
    suffix="bot",
    metadata={"team": "blue", CLIENT_TOKEN_KEY: "tok"},
)
POINTS = [
    MetricPoint(1, 2.0, 0.4, 2.1, 0.35),
    MetricPoint(2, 1.0, 0.6, 1.2, 0.5),
    MetricPoint(3, 0.5, 0.7, 1.4, 0.48),
]
CHECKPOINTS = [
    Checkpoint("ckpt-2", 2, "ft:m:org:bot:abc:ckpt-step-2", 2, "ftjob-1", {"valid_loss": 1.2}),
    Checkpoint("ckpt-3", 3, "ft:m:org:bot:abc:ckpt-step-3", 3, "ftjob-1", {"valid_loss": 1.4}),
]


def report(job: FineTuningJob = JOB, **overrides: object) -> str:
    arguments: dict[str, object] = {
        "points": POINTS,
        "checkpoints": CHECKPOINTS,
        "advice": advise(CHECKPOINTS, POINTS),
        "cost": Decimal("1.0836"),
        "quote": None,
        "events": [],
        "dataset_name": "support.jsonl",
    }
    arguments.update(overrides)
    return job_report_markdown(job, **arguments)  # type: ignore[arg-type]


def test_report_lists_settings_when_job_succeeded() -> None:
    text = report()
    assert text.startswith("# Fine-tuning job bot (ftjob-1)\n")
    assert "| Status | Succeeded |" in text
    assert "| Dataset | support.jsonl |" in text
    assert "| Duration | 4 min 12 s |" in text
    assert "| Created | 2026-01-01 00:00 UTC |" in text
    assert "| Trained tokens | 361,200 |" in text


def test_report_hides_client_token_when_listing_labels() -> None:
    text = report()
    assert "team=blue" in text
    assert "tok" not in text.replace("tokens", "")


def test_report_shows_hyperparameters_used_when_job_ran() -> None:
    text = report()
    assert "| Epochs | 3 |" in text
    assert "| Learning-rate multiplier | 1.8 |" in text


def test_report_summarises_figures_when_points_exist() -> None:
    text = report()
    assert "| Final training loss | 0.5000 |" in text
    assert "| Lowest validation loss | 1.2000 (step 2) |" in text
    assert "| Final validation accuracy | 48.0% |" in text


def test_report_says_no_figures_when_points_are_missing() -> None:
    assert "No training figures were reported." in report(points=[])


def test_report_shows_checkpoints_with_advice_when_present() -> None:
    text = report()
    assert "| 2 | ft:m:org:bot:abc:ckpt-step-2 |" in text
    assert "Best validation loss" in text
    assert "**Advice:**" in text


def test_report_shows_actual_cost_and_quote_when_known(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model=JOB.model, billable_tokens=120_400, n_examples=50, n_epochs=3, catalog=catalog
    )
    text = report(quote=quote)
    assert "Estimated from the tokens actually trained: $1.08" in text
    assert "Quoted before the start: 120,400 billable tokens" in text


def test_report_says_cost_unknown_when_nothing_is_known() -> None:
    assert "Not known" in report(cost=None)


def test_report_explains_failure_when_job_failed() -> None:
    job = FineTuningJob(
        id="ftjob-2",
        model="m",
        status="failed",
        created_at=0,
        training_file="f",
        error=JobError("invalid_training_file", "Line 7: not valid | JSON", "training_file"),
    )
    text = report(job, points=[], checkpoints=[], advice=None, cost=None)
    assert "## What went wrong" in text
    assert "go to line 7" in text
    assert "not valid \\| JSON" in text


def test_report_embeds_charts_when_files_given() -> None:
    assert "![Chart 1](loss.png)" in report(chart_files=["loss.png"])


def test_report_lists_only_newest_events_when_there_are_many() -> None:
    events = [
        JobEvent(id=f"e{i}", created_at=i, level="info", message=f"event number {i}")
        for i in range(RECENT_EVENTS + 5)
    ]
    text = report(events=events)
    assert f"The newest {RECENT_EVENTS} of {RECENT_EVENTS + 5} events." in text
    assert f"event number {RECENT_EVENTS + 4}" in text
    assert "event number 0 " not in text and "event number 0|" not in text
