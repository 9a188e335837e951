"""The jobs list's table view: one row per job, whole-row single selection.

Call only from the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desktop.ui.jobs.models import JobListModel

COLUMN_SAMPLES = (
    "Succeeded ",
    "gpt-4o-mini-2024-07-18",
    "support-bot",
    "dataset.jsonl",
    "2026-11-27 13:08",
    "2026-11-27 13:08",
    "2 h 05 min",
    "Trained tokens",
    "$12.34",
)
"""Typical contents: columns are sized to them, not to every row (ResizeToContents reads
every row, slow for thousands of jobs)."""


def make_job_table(model: JobListModel) -> QTableView:
    """The table showing ``model``, its columns sized for typical contents."""
    table = QTableView()
    table.setObjectName("jobList")
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    metrics = table.fontMetrics()
    for column, sample in enumerate(COLUMN_SAMPLES):
        table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16)
    return table
