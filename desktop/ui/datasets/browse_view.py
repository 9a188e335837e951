"""The Browse sub-tab: the examples table (read on demand), filter, go to line, one example."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import TokenCounter
from desktop.ui.datasets.example_view import ExampleView
from desktop.ui.datasets.models import ExampleTableModel

PARTIAL_PROBLEMS_NOTE = (
    "Showing the examples of the problems listed in the report (the first ones of each kind). "
    "Fix those and check again to see the rest."
)


class BrowseView(QWidget):
    """The examples of the open dataset. ``current_row`` is the selected source row (0-based).

    Emits the edit requests; the tab turns them into undoable edits.
    """

    add_requested = Signal()
    edit_requested = Signal(int)
    duplicate_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetBrowse")
        self._editable = False
        layout = QVBoxLayout(self)
        tools = QHBoxLayout()
        self.problems_only_check = QCheckBox("Only examples with problems")
        self.problems_only_check.setObjectName("problemsOnlyCheck")
        self.problems_only_check.toggled.connect(self._on_problems_only_toggled)
        tools.addWidget(self.problems_only_check)
        tools.addSpacing(16)
        tools.addWidget(QLabel("Go to line:"))
        self.goto_edit = QLineEdit()
        self.goto_edit.setObjectName("gotoLineEdit")
        self.goto_edit.setPlaceholderText("e.g. 120")
        self.goto_edit.setToolTip("Ctrl+G")
        self.goto_edit.setMaximumWidth(110)
        self.goto_edit.returnPressed.connect(self._on_goto_entered)
        tools.addWidget(self.goto_edit)
        self.goto_status = QLabel()
        tools.addWidget(self.goto_status)
        self.problems_note = QLabel(PARTIAL_PROBLEMS_NOTE)
        self.problems_note.setObjectName("problemsNote")
        self.problems_note.setWordWrap(True)
        self.problems_note.hide()
        tools.addWidget(self.problems_note, 1)
        tools.addStretch(1)
        self.add_button = QPushButton("Add example")
        self.edit_button = QPushButton("Edit…")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete")
        for button, handler in (
            (self.add_button, self._on_add_clicked),
            (self.edit_button, self._on_edit_clicked),
            (self.duplicate_button, self._on_duplicate_clicked),
            (self.delete_button, self._on_delete_clicked),
        ):
            button.clicked.connect(handler)
            tools.addWidget(button)
        layout.addLayout(tools)

        self.model = ExampleTableModel()
        self.table = QTableView()
        self.table.setObjectName("examplesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures rows, so a million rows scroll smoothly.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((60, 200, 200, 60)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.example_view = ExampleView()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("datasetBrowseSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.example_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 380])
        layout.addWidget(splitter, 1)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        delete_keys = QKeySequence(QKeySequence.StandardKey.Delete)
        delete = QShortcut(delete_keys, self.table, context=context)
        delete.activated.connect(self._on_delete_clicked)
        goto = QShortcut(QKeySequence("Ctrl+G"), self, context=context)
        goto.activated.connect(self._on_goto_shortcut)
        self.model.modelReset.connect(self._on_model_reset)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    @property
    def current_row(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.model.source_row(index.row())

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_buttons()

    def set_counter(self, counter: TokenCounter | None) -> None:
        """Show token counts from now on."""
        self.model.set_counter(counter)
        self._show_current()

    def select_row(self, source_row: int) -> bool:
        """Select and show source row ``source_row``; leaves the problems filter if needed."""
        view_row = self.model.view_row(source_row)
        if view_row is None and self.model.problems_only:
            self.problems_only_check.setChecked(False)
            view_row = self.model.view_row(source_row)
        if view_row is None:
            return False
        index = self.model.index(view_row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(view_row)
        self.table.scrollTo(index, QTableView.ScrollHint.PositionAtCenter)
        self._show_current()
        return True

    def select_line(self, line: int) -> bool:
        """Select the example on 1-based ``line``."""
        return self.select_row(line - 1)

    def go_to_line(self, line: int) -> bool:
        """Select the example on 1-based ``line`` as if it was typed in "Go to line" (which then
        shows the number, and says so when the file has no such line)."""
        self.goto_edit.setText(str(line))
        return self._go_to(line)

    def _show_current(self) -> None:
        row = self.current_row
        if row is None:
            self.example_view.show_example(None, None)
        else:
            self.example_view.show_example(row + 1, self.model.example(row))
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = self._editable
        has_row = self.current_row is not None
        self.add_button.setEnabled(editable)
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            button.setEnabled(editable and has_row)

    # ------------------------------------------------------------------ handlers

    def _on_problems_only_toggled(self, checked: bool) -> None:
        self.model.set_problems_only(checked)
        self._update_problems_note()

    def _update_problems_note(self) -> None:
        self.problems_note.setVisible(self.model.problems_only and not self.model.problems_complete)

    def _on_goto_entered(self) -> None:
        text = self.goto_edit.text().replace(",", "").strip()
        if not text.isdigit() or int(text) < 1:
            self.goto_status.setText("Type a line number.")
            return
        self._go_to(int(text))

    def _go_to(self, line: int) -> bool:
        if self.select_line(line):
            self.goto_status.setText("")
            return True
        self.goto_status.setText(f"There is no line {line:,}.")
        return False

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_current()

    def _on_model_reset(self) -> None:
        self._update_problems_note()
        self._show_current()

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if self._editable:
            self.edit_requested.emit(self.model.source_row(index.row()))

    def _on_goto_shortcut(self) -> None:
        self.goto_edit.setFocus()
        self.goto_edit.selectAll()

    def _on_add_clicked(self) -> None:
        self.add_requested.emit()

    def _on_edit_clicked(self) -> None:
        if (row := self.current_row) is not None:
            self.edit_requested.emit(row)

    def _on_duplicate_clicked(self) -> None:
        if (row := self.current_row) is not None:
            self.duplicate_requested.emit(row)

    def _on_delete_clicked(self) -> None:
        if self._editable and (row := self.current_row) is not None:
            self.delete_requested.emit(row)
