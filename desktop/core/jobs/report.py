"""A job report in Markdown: settings, figures, checkpoints with advice, cost, what went wrong.

The UI writes it to a folder next to the chart images (PNG) it exports, and names those images
in ``chart_files`` so the report shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from desktop.core.jobs.checkpoints import (
    CheckpointAdvice,
    checkpoint_train_loss,
    checkpoint_valid_loss,
)
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.jobs.failures import explain_failure
from desktop.core.jobs.metrics import MetricPoint, summarize
from desktop.core.jobs.quote import CostQuote, format_usd
from desktop.core.jobs.status import format_duration, job_duration_seconds, status_label
from desktop.core.types import Checkpoint, FineTuningJob, JobEvent

__all__ = ["RECENT_EVENTS", "job_report_markdown"]

RECENT_EVENTS = 20  # the report lists the newest events only; the app keeps all of them


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _time(timestamp: int | None) -> str:
    if timestamp is None:
        return "—"
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _figure(value: float | None, *, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if percent else f"{value:.4f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _settings(
    job: FineTuningJob, dataset_name: str | None, connection_name: str | None, now: float | None
) -> list[str]:
    duration = None
    if job.finished_at is not None or now is not None:
        duration = job_duration_seconds(job, now=now if now is not None else 0.0)
    rows: list[tuple[str, object]] = [
        ("Job", job.id),
        ("Status", status_label(job.status)),
        ("Connection", connection_name or "—"),
        ("Base model", job.model),
        ("Fine-tuned model", job.fine_tuned_model or "— (not ready)"),
        ("Method", "DPO (preference pairs)" if job.method == "dpo" else job.method.capitalize()),
        ("Dataset", dataset_name or "—"),
        ("Training file", job.training_file),
        ("Validation file", job.validation_file or "none"),
        ("Suffix", job.suffix or "—"),
        ("Seed", job.seed if job.seed is not None else "—"),
        ("Created", _time(job.created_at)),
        ("Finished", _time(job.finished_at)),
        ("Duration", format_duration(duration) if duration is not None else "—"),
        ("Trained tokens", f"{job.trained_tokens:,}" if job.trained_tokens is not None else "—"),
    ]
    labels = {k: v for k, v in job.metadata.items() if k != CLIENT_TOKEN_KEY}
    if labels:
        rows.append(("Labels", ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))))
    return ["## Settings", "", *_table(("Setting", "Value"), rows)]


def _hyperparameters(job: FineTuningJob) -> list[str]:
    h = job.hyperparameters
    rows: list[tuple[str, object]] = [
        ("Epochs", h.n_epochs),
        ("Batch size", h.batch_size),
        ("Learning-rate multiplier", h.learning_rate_multiplier),
    ]
    if job.method == "dpo" or h.beta is not None:
        rows.append(("Beta (DPO)", h.beta if h.beta is not None else "auto"))
    lines = ["## Hyperparameters used", "", *_table(("Hyperparameter", "Value"), rows)]
    if any(value == "auto" for _, value in rows):
        lines += ["", "“auto”: the service chose the value and has not reported it."]
    return lines


def _metrics(points: Sequence[MetricPoint]) -> list[str]:
    lines = ["## Training figures", ""]
    if not points:
        return [*lines, "No training figures were reported."]
    s = summarize(points)
    rows: list[tuple[str, str]] = [
        ("Steps", f"{s.steps:,}"),
        ("Final training loss", _figure(s.final_train_loss)),
        ("Lowest training loss", _figure(s.best_train_loss)),
        ("Final training accuracy", _figure(s.final_train_accuracy, percent=True)),
    ]
    if s.has_validation:
        best = _figure(s.best_valid_loss)
        if s.best_valid_step is not None:
            best += f" (step {s.best_valid_step:,})"
        rows += [
            ("Final validation loss", _figure(s.final_valid_loss)),
            ("Lowest validation loss", best),
            ("Final validation accuracy", _figure(s.final_valid_accuracy, percent=True)),
        ]
    lines += _table(("Figure", "Value"), rows)
    if not s.has_validation:
        lines += ["", "The job had no validation data, so there are no validation figures."]
    return lines


def _checkpoints(
    checkpoints: Sequence[Checkpoint],
    points: Sequence[MetricPoint],
    advice: CheckpointAdvice | None,
) -> list[str]:
    lines = ["## Checkpoints", ""]
    if not checkpoints:
        return [*lines, "No checkpoints were saved."]
    rows = [
        (
            f"{c.step_number:,}",
            c.fine_tuned_model_checkpoint,
            _figure(checkpoint_train_loss(c, points)),
            _figure(checkpoint_valid_loss(c, points)),
            advice.note_for(c.id) if advice is not None else "",
        )
        for c in sorted(checkpoints, key=lambda c: c.step_number)
    ]
    lines += _table(("Step", "Model", "Training loss", "Validation loss", "Note"), rows)
    if advice is not None:
        lines += ["", f"**Advice:** {advice.explanation}"]
    return lines


def _cost(cost: Decimal | None, quote: CostQuote | None) -> list[str]:
    lines = ["## Cost", ""]
    if quote is not None:
        lines.append(f"- Quoted before the start: {quote.describe()}")
    if cost is not None:
        lines.append(f"- Estimated from the tokens actually trained: {format_usd(cost)}")
    if quote is None and cost is None:
        lines.append("- Not known (the price of this model or the trained tokens are unknown).")
    lines += ["", "Estimates only; the provider's bill is what counts."]
    return lines


def _failure(job: FineTuningJob) -> list[str]:
    explanation = explain_failure(job)
    if explanation is None:
        return []
    lines = [
        "## What went wrong",
        "",
        explanation.what,
        "",
        f"**What to do:** {explanation.what_to_do}",
    ]
    return [*lines, "", f"Details from the service: `{_cell(explanation.technical)}`"]


def _events(events: Sequence[JobEvent]) -> list[str]:
    if not events:
        return []
    newest = sorted(events, key=lambda e: e.created_at, reverse=True)[:RECENT_EVENTS]
    lines = ["## Recent events", ""]
    if len(events) > len(newest):
        lines += [f"The newest {len(newest)} of {len(events)} events.", ""]
    rows = [(_time(e.created_at), e.level, e.message) for e in newest]
    return [*lines, *_table(("Time", "Level", "Message"), rows)]


def job_report_markdown(
    job: FineTuningJob,
    *,
    points: Sequence[MetricPoint],
    checkpoints: Sequence[Checkpoint],
    advice: CheckpointAdvice | None,
    cost: Decimal | None,
    quote: CostQuote | None,
    events: Sequence[JobEvent],
    dataset_name: str | None,
    chart_files: Sequence[str] = (),
    connection_name: str | None = None,
    now: float | None = None,
) -> str:
    """A report of one job, as Markdown text.

    Args:
        job: the job.
        points: its training figures (result file or metrics events), sorted by step.
        checkpoints: its checkpoints.
        advice: the checkpoint advice (``checkpoints.advise``), if computed.
        cost: the estimated actual cost (``quote.actual_training_cost``), if known.
        quote: the quote the user confirmed before the start, if this computer has it.
        events: its events (any order; the newest :data:`RECENT_EVENTS` are listed).
        dataset_name: the local dataset's name, if known.
        chart_files: chart images saved next to the report (relative paths), shown in it.
        connection_name: the connection's name, shown in the settings.
        now: the current Unix time, for the duration of a job still running.

    Returns:
        The report, ending with a newline.
    """
    title = f"{job.suffix} ({job.id})" if job.suffix else job.id
    lines = [f"# Fine-tuning job {title}", ""]
    lines += _settings(job, dataset_name, connection_name, now)
    failure = _failure(job)
    if failure:
        lines += ["", *failure]
    lines += ["", *_hyperparameters(job), "", *_metrics(points)]
    if chart_files:
        lines += [""] + [f"![Chart {index}]({name})" for index, name in enumerate(chart_files, 1)]
    lines += ["", *_checkpoints(checkpoints, points, advice), "", *_cost(cost, quote)]
    recent = _events(events)
    if recent:
        lines += ["", *recent]
    return "\n".join(lines) + "\n"
