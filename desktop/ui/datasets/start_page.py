"""The Datasets tab's start page: what a dataset is, Open…, and the recently opened files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.datasets.models import PathRole, RecentFilesModel

OPEN_FILTER = "Datasets (*.jsonl *.csv *.tsv *.xlsx);;JSONL (*.jsonl);;Tables (*.csv *.tsv *.xlsx)"
OPENABLE_SUFFIXES = frozenset({".jsonl", ".json", ".txt", ".csv", ".tsv", ".xlsx", ".xlsm"})

EXPLANATION = (
    "A dataset is a file of example conversations that show the model how you want it to "
    "answer: each example has a user message and the reply you want, optionally with a system "
    "message that sets the tone. Open a JSONL file to check it, fix it and edit it — or import "
    "a spreadsheet (CSV, TSV or Excel) with one example per row. You can also drop a file here."
)


class StartPage(QWidget):
    """Open…, a short explanation and the recent files. Emits what the user chose."""

    open_requested = Signal()
    sample_requested = Signal()
    path_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetsStartPage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("emptyStateCard")
        card.setFixedWidth(620)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)

        title = QLabel("Prepare your training examples")
        title.setObjectName("emptyStateTitle")
        layout.addWidget(title)
        self.explanation_label = QLabel(EXPLANATION)
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setObjectName("emptyStateSummary")
        layout.addWidget(self.explanation_label)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open or import a file…")
        self.open_button.setObjectName("openDatasetButton")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._on_open_clicked)
        buttons.addWidget(self.open_button)
        self.sample_button = QPushButton("Try the sample dataset")
        self.sample_button.setObjectName("sampleDatasetButton")
        self.sample_button.setToolTip(
            "Open a copy of a small, ready-made customer-support dataset (70 examples) to see "
            "what a good dataset looks like; edit the copy as you like"
        )
        self.sample_button.clicked.connect(self._on_sample_clicked)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        formats = QLabel("JSONL (chat, preference or the older prompt/completion), CSV, TSV, .xlsx")
        formats.setObjectName("emptyStateHint")
        formats.setWordWrap(True)
        layout.addWidget(formats)

        layout.addSpacing(8)
        self.recent_title = QLabel("Recently opened")
        self.recent_title.setObjectName("sectionTitle")
        layout.addWidget(self.recent_title)
        self.recent_model = RecentFilesModel()
        self.recent_view = QListView()
        self.recent_view.setObjectName("recentDatasets")
        self.recent_view.setModel(self.recent_model)
        self.recent_view.setMaximumHeight(180)
        self.recent_view.activated.connect(self._on_recent_activated)
        self.recent_view.clicked.connect(self._on_recent_activated)
        layout.addWidget(self.recent_view)
        self.no_recent_label = QLabel("Files you open will be listed here.")
        self.no_recent_label.setObjectName("emptyStateHint")
        layout.addWidget(self.no_recent_label)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def set_recent(self, paths: list[Path]) -> None:
        self.recent_model.set_paths(paths)
        self.recent_view.setVisible(bool(paths))
        self.no_recent_label.setVisible(not paths)

    def _on_open_clicked(self) -> None:
        self.open_requested.emit()

    def _on_sample_clicked(self) -> None:
        self.sample_requested.emit()

    def _on_recent_activated(self, index: QModelIndex) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        path = index.data(PathRole)
        if isinstance(path, Path):
            self.path_chosen.emit(path)


def dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The one local dataset file dragged onto the tab, or None."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in OPENABLE_SUFFIXES else None


def ask_open_path(parent: QWidget) -> Path | None:
    """The file dialog of Open… (None: cancelled)."""
    name, _ = QFileDialog.getOpenFileName(parent, "Open a dataset", "", OPEN_FILTER)
    return Path(name) if name else None


def ask_save_path(parent: QWidget, current: Path) -> Path | None:
    """The file dialog of Save as… (None: cancelled)."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save the dataset as", str(current.with_suffix(".copy.jsonl")), "JSONL (*.jsonl)"
    )
    return Path(name) if name else None
