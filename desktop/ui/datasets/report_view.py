"""The Report sub-tab: a summary line, one-click fixes and the sortable, filterable issues."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetFormat, DatasetReport, IssueCode
from desktop.core.datasets_io.fixes import FixKind
from desktop.ui.datasets.models import IssueFilterProxy, IssueTableModel, LineRole

FORMAT_NAMES = {
    DatasetFormat.CHAT: "chat",
    DatasetFormat.DPO: "preference (DPO)",
    DatasetFormat.PROMPT_COMPLETION: "older prompt/completion",
}

FIX_LABELS = {
    FixKind.DROP_EMPTY_LINES: "Drop empty lines",
    FixKind.TRIM_WHITESPACE: "Trim spaces around messages",
    FixKind.REMOVE_DUPLICATES: "Remove exact duplicates",
    FixKind.CONVERT_LEGACY: "Convert to chat format",
}


def format_name(report: DatasetReport) -> str:
    return FORMAT_NAMES.get(report.format, "unknown")


def summary_text(report: DatasetReport) -> str:
    """The one-line summary: examples, errors, warnings, format, tokens."""
    errors, warnings = report.error_count, report.warning_count
    parts = [
        f"{report.stats.examples:,} valid example(s)",
        f"{errors:,} error(s)",
        f"{warnings:,} warning(s)",
        f"format: {format_name(report)}",
        f"{report.stats.total_tokens:,} tokens",
    ]
    verdict = (
        "The service would reject this file: fix the errors first."
        if errors
        else "Ready for training."
    )
    tokens = report.stats.tokens
    if report.stats.examples:
        verdict += (
            f" Tokens per example: median {tokens.median:,}, 95% under {tokens.p95:,}, "
            f"longest {tokens.maximum:,}."
        )
    return " · ".join(parts) + "\n" + verdict


class ReportView(QWidget):
    """Shows a report. Emits ``line_activated(line)`` and ``fix_requested(FixKind)``."""

    line_activated = Signal(int)
    fix_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetReport")
        self._report: DatasetReport | None = None
        self._busy = False
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("reportSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        self.legacy_banner = QFrame()
        self.legacy_banner.setObjectName("messageBanner")
        banner = QHBoxLayout(self.legacy_banner)
        banner_label = QLabel(
            "This file uses the older prompt/completion format, which today's chat models "
            "cannot train on. Convert it to a chat file (a new file; this one stays as it is)."
        )
        banner_label.setWordWrap(True)
        banner.addWidget(banner_label, 1)
        self.convert_button = QPushButton("Convert to chat…")
        self.convert_button.setObjectName("convertLegacyButton")
        self.convert_button.clicked.connect(self._on_convert_clicked)
        banner.addWidget(self.convert_button)
        self.legacy_banner.hide()
        layout.addWidget(self.legacy_banner)

        fixes = QHBoxLayout()
        fixes.addWidget(QLabel("Quick fixes (each saves a new copy):"))
        self.fix_buttons: dict[FixKind, QPushButton] = {}
        for kind in (FixKind.DROP_EMPTY_LINES, FixKind.TRIM_WHITESPACE, FixKind.REMOVE_DUPLICATES):
            button = QPushButton(FIX_LABELS[kind])
            button.setObjectName(f"fix_{kind.value}")
            button.clicked.connect(lambda _=False, k=kind: self.fix_requested.emit(k))
            fixes.addWidget(button)
            self.fix_buttons[kind] = button
        fixes.addStretch(1)
        layout.addLayout(fixes)

        filters = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("issueFilter")
        self.filter_edit.setPlaceholderText("Filter problems (words, field, line)…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        filters.addWidget(self.filter_edit, 1)
        self.errors_only_check = QCheckBox("Errors only")
        self.errors_only_check.toggled.connect(self._on_errors_only_toggled)
        filters.addWidget(self.errors_only_check)
        layout.addLayout(filters)

        self.model = IssueTableModel()
        self.proxy = IssueFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("issuesTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((70, 70, 150, 420)):
            self.table.setColumnWidth(column, width)
        self.table.clicked.connect(self._on_issue_clicked)
        self.table.activated.connect(self._on_issue_clicked)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel("No problems found.")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)

    def set_report(self, report: DatasetReport | None) -> None:
        self._report = report
        self.model.set_report(report)
        if report is None:
            self.summary_label.setText("Checking…")
            self.legacy_banner.hide()
            return
        self.summary_label.setText(summary_text(report))
        self.legacy_banner.setVisible(report.format is DatasetFormat.PROMPT_COMPLETION)
        counts = report.issue_counts
        self._update_buttons()
        self.empty_label.setVisible(not report.issues)
        kept = len(report.issues)
        total = sum(counts.values())
        if total > kept:
            self.empty_label.setText(f"Showing {kept:,} of {total:,} problems.")
            self.empty_label.show()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        counts = self._report.issue_counts if self._report is not None else {}
        ready = self._report is not None and not self._busy
        needed = {
            FixKind.DROP_EMPTY_LINES: counts.get(IssueCode.EMPTY_LINE, 0) > 0,
            FixKind.TRIM_WHITESPACE: True,
            FixKind.REMOVE_DUPLICATES: counts.get(IssueCode.DUPLICATE_EXAMPLE, 0) > 0,
        }
        for kind, button in self.fix_buttons.items():
            button.setEnabled(ready and needed[kind])
            button.setToolTip("" if needed[kind] else "Nothing to fix of this kind.")
        self.convert_button.setEnabled(ready)

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)

    def _on_errors_only_toggled(self, checked: bool) -> None:
        self.proxy.set_errors_only(checked)

    def _on_issue_clicked(self, index: QModelIndex) -> None:
        line = index.data(LineRole)
        if isinstance(line, int) and line > 0:
            self.line_activated.emit(line)

    def _on_convert_clicked(self) -> None:
        self.fix_requested.emit(FixKind.CONVERT_LEGACY)
