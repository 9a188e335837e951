"""The page of an open dataset (header, changed-on-disk banner, sub-tabs) and the progress strip.

Under the header, the jobs that used the file ("Used by jobs", hidden when none). Sub-tabs:
Report, Browse, then the panels of ``desktop.ui.datasets.panels``: Estimate and Upload
(with the connection's remote files; only with a connection service) and Split & export.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetReport
from desktop.ui.datasets.browse_view import BrowseView
from desktop.ui.datasets.panels import EstimatePanel, SplitExportPanel, UploadPanel
from desktop.ui.datasets.report_view import ReportView, format_name
from desktop.ui.datasets.used_by import UsedByJobsView

if TYPE_CHECKING:
    from desktop.storage.jobs_store import JobsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.datasets.session import CatalogGetter


BYTE_STAGES = frozenset({"Checking", "Fixing", "Converting"})
"""Stages whose progress counts bytes of the file (saving counts rows)."""


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


class ProgressStrip(QFrame):
    """What is running, how far it is, and Cancel. Hidden when nothing runs."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressStrip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        layout.addWidget(self.bar, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelWorkButton")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, label: str) -> None:
        self.label.setText(f"{label}…")
        self.bar.setRange(0, 0)  # busy until the first figure arrives
        self.cancel_button.setEnabled(True)
        self.show()

    def update_progress(self, label: str, done: int, total: int) -> None:
        amount = f" {_size(done)} of {_size(total)}" if label in BYTE_STAGES and total else ""
        self.label.setText(f"{label}…{amount}")
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(min(1000, done * 1000 // total))

    def finish(self) -> None:
        self.hide()


class DatasetPage(QWidget):
    """Header, banner and sub-tabs of the open dataset."""

    def __init__(
        self,
        *,
        catalog: CatalogGetter | None,
        service: ConnectionService | None,
        ui_settings: QSettings | None = None,
        jobs_store: JobsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("datasetPage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        self.name_label = QLabel()
        self.name_label.setObjectName("datasetName")
        self.name_label.setStyleSheet("font-size: 15pt; font-weight: 600;")
        titles.addWidget(self.name_label)
        self.path_label = QLabel()
        self.path_label.setObjectName("datasetPath")
        self.path_label.setStyleSheet("color: #666;")
        titles.addWidget(self.path_label)
        self.info_label = QLabel()
        self.info_label.setObjectName("datasetInfo")
        titles.addWidget(self.info_label)
        header.addLayout(titles, 1)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveDatasetButton")
        self.save_button.setToolTip("Save your edits (Ctrl+S); the previous version is kept")
        self.save_as_button = QPushButton("Save as…")
        self.save_as_button.setObjectName("saveDatasetAsButton")
        self.save_as_button.setToolTip("Save the dataset, with your edits, as a new file")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeDatasetButton")
        self.train_button = QPushButton("Train a model…")
        self.train_button.setObjectName("trainDatasetButton")
        buttons = (
            self.train_button,
            self.undo_button,
            self.redo_button,
            self.save_button,
            self.save_as_button,
        )
        for button in (*buttons, self.close_button):
            header.addWidget(button)
        layout.addLayout(header)
        self.notice_label = QLabel()
        self.notice_label.setObjectName("datasetNotice")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        layout.addWidget(self.notice_label)

        self.changed_banner = QFrame()
        self.changed_banner.setObjectName("messageBanner")
        banner = QHBoxLayout(self.changed_banner)
        self.changed_label = QLabel(
            "This file was changed by another program. Reload it to see the current version."
        )
        self.changed_label.setWordWrap(True)
        banner.addWidget(self.changed_label, 1)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setObjectName("reloadDatasetButton")
        banner.addWidget(self.reload_button)
        self.changed_banner.hide()
        layout.addWidget(self.changed_banner)
        self.used_by = UsedByJobsView(jobs_store)
        layout.addWidget(self.used_by)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("datasetTabs")
        self.report_view = ReportView()
        self.browse_view = BrowseView()
        self.tabs.addTab(self.report_view, "Report")
        self.tabs.addTab(self.browse_view, "Browse")
        layout.addWidget(self.tabs, 1)
        self.panels: list[EstimatePanel | UploadPanel | SplitExportPanel] = []
        self.estimate_panel: EstimatePanel | None = None
        self._add_panels(catalog, service, ui_settings)

    def _add_panels(
        self,
        catalog: CatalogGetter | None,
        service: ConnectionService | None,
        ui_settings: QSettings | None,
    ) -> None:
        """The panels that act on the checked file; those that talk to a connection need one.

        ``ui_settings`` keeps the training prices the user edits (the app's own settings file).
        """
        if service is not None:
            self.estimate_panel = EstimatePanel(
                catalog or _no_catalog, service=service, settings=ui_settings
            )
            self._add_panel(self.estimate_panel, "Estimate")
            self._add_panel(UploadPanel(service), "Upload")  # it embeds the remote files list
        self.split_panel = SplitExportPanel()
        self._add_panel(self.split_panel, "Split && export")

    def _add_panel(self, panel: EstimatePanel | UploadPanel | SplitExportPanel, title: str) -> None:
        self.tabs.addTab(panel, title)
        self.panels.append(panel)

    def close_panels(self) -> None:
        """Let the panels stop their work (the window is closing)."""
        for panel in self.panels:
            panel.close()

    def show_dataset(self, path: Path, report: DatasetReport | None, *, rows: int) -> None:
        self.used_by.show_for(path)
        self.name_label.setText(path.name)
        self.path_label.setText(str(path.parent))
        self.path_label.setToolTip(str(path))
        if report is None:
            self.info_label.setText(f"{rows:,} line(s) so far · checking…")
        else:
            self.info_label.setText(
                f"Format: {format_name(report)} · {report.lines:,} line(s) · "
                f"{report.stats.examples:,} valid example(s) · "
                f"{report.error_count:,} error(s), {report.warning_count:,} warning(s)"
            )
        self.report_view.set_report(report)
        if report is not None:
            for panel in self.panels:
                panel.set_dataset(path, report)


def _no_catalog() -> None:
    return None
