"""Export a job report to a folder: the report (Markdown), the charts (PNG) and the job (JSON).

The report text comes from ``core.jobs.report.job_report_markdown``; the charts are drawn by an
off-screen :class:`MetricsChartWidget`; files are written in a worker thread.

Call :func:`export_job_report` on the GUI thread with the qasync loop running.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.core.errors import FinetuneError, StorageError
from desktop.core.jobs.checkpoints import advise
from desktop.core.jobs.metrics import MetricPoint
from desktop.core.jobs.report import job_report_markdown
from desktop.core.types import Checkpoint, FineTuningJob
from desktop.ui.jobs.charts import ChartsUnavailableError, MetricsChartWidget

if TYPE_CHECKING:
    from desktop.ui.jobs.service import JobsService

CHART_SIZE = (900, 600)


def _ask_folder(parent: QWidget, title: str) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, title)
    return Path(path) if path else None


ask_folder: Callable[[QWidget, str], Path | None] = _ask_folder
"""Which folder to export to (tests replace it)."""


def job_json(job: FineTuningJob) -> str:
    """The job's fields as indented JSON."""

    def convert(value: object) -> object:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [convert(v) for v in value]
        if isinstance(value, str | int | float | bool) or value is None:
            return value
        if hasattr(value, "items"):
            return {str(k): convert(v) for k, v in value.items()}
        return str(value)

    return json.dumps(convert(job), indent=2, ensure_ascii=False) + "\n"


async def render_chart_png(
    points: list[MetricPoint], path: Path, *, parent: QWidget | None = None
) -> bool:
    """Draw the charts off screen and save them as PNG. Returns False without points.

    The drawing widget stays a hidden child of ``parent``: left to the garbage collector, a
    Qt widget may be deleted in whichever thread it runs, which can crash Qt.
    """
    if not points:
        return False
    chart = MetricsChartWidget(parent)
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    chart.hide()
    try:
        chart.resize(*CHART_SIZE)
        try:
            await chart.ensure_ready()
        except ChartsUnavailableError:
            return False  # the report says its figures in words; only the picture is missing
        await chart.show_points(points)
        chart.plot_area.resize(*CHART_SIZE)
        return chart.save_png(path)
    finally:
        chart.close_plots()


async def export_job_report(
    service: JobsService, job: FineTuningJob, folder: Path, *, parent: QWidget | None = None
) -> list[Path]:
    """Write ``<job id>-report.md``, ``<job id>-charts.png`` (when there are metrics) and
    ``<job id>.json`` into ``folder``.

    Returns:
        The files written.

    Raises:
        StorageError: a file cannot be written.
    """
    try:
        points = await service.metric_points(job)
    except FinetuneError:
        points = service.points_from_seen_events(job.id)
    checkpoints: list[Checkpoint] = []
    with contextlib.suppress(FinetuneError):  # optional: the report says what is known
        checkpoints = await service.checkpoints(job.id)
    advice = advise(checkpoints, points)
    markdown = job_report_markdown(
        job,
        points=points,
        checkpoints=checkpoints,
        advice=advice,
        cost=service.cost(job),
        quote=None,
        events=service.events(job.id),
        dataset_name=service.dataset_name(job),
    )
    stem = job.id
    written: list[Path] = []
    chart = folder / f"{stem}-charts.png"
    try:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        if await render_chart_png(points, chart, parent=parent):
            written.append(chart)
        report = folder / f"{stem}-report.md"
        if points and chart in written:
            markdown += f"\n![Training charts]({chart.name})\n"
        await asyncio.to_thread(report.write_text, markdown, encoding="utf-8")
        data = folder / f"{stem}.json"
        await asyncio.to_thread(data.write_text, job_json(job), encoding="utf-8")
    except OSError as exc:
        message = "The report could not be written there. Choose a folder you may write to."
        raise StorageError(
            f"cannot write the report to {folder}: {exc}", user_message=message
        ) from exc
    return [report, *written, data]
