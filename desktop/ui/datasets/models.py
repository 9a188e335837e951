"""Qt item models of the Datasets tab: thin adapters over ``core`` objects.

- :class:`RecentFilesModel`: the start page's "recently opened" list.
- :class:`IssueTableModel` + :class:`IssueFilterProxy`: the report's issues, sortable, filtered
  by text and "errors only".
- :class:`ExampleTableModel`: the rows of a document (or a growing line index), read on demand
  with a bounded cache of parsed rows, so a million-row file never loads at once. Its
  "problems only" filter is a list of rows kept here, not a ``QSortFilterProxyModel`` (which
  would read every row).

Call only from the GUI thread.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from desktop.core.dataset import DatasetIssue, DatasetReport, Severity, TokenCounter, check_record
from desktop.core.datasets_io.line_index import LineIndex
from desktop.core.errors import FileChangedOnDiskError

PathRole = Qt.ItemDataRole.UserRole + 1
LineRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
SeverityRole = Qt.ItemDataRole.UserRole + 4
SourceRowRole = Qt.ItemDataRole.UserRole + 5

AnyIndex = QModelIndex | QPersistentModelIndex
_MISSING_COLOR = QColor("#8a8a8a")
_ERROR_COLOR = QColor("#b3261e")
_WARNING_COLOR = QColor("#8a5a00")
PREVIEW_CHARS = 120
CACHE_ROWS = 2000


class RecentFilesModel(QAbstractListModel):
    """Paths, newest first; a missing file is greyed and says "file not found"."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: list[Path] = []
        self._exists: list[bool] = []

    def set_paths(self, paths: list[Path]) -> None:
        self.beginResetModel()
        self._paths = list(paths)
        self._exists = [path.is_file() for path in self._paths]
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._paths)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        path, exists = self._paths[index.row()], self._exists[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            suffix = "" if exists else "  — file not found"
            return f"{path.name}   ({path.parent}){suffix}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(path) if exists else f"{path}\nThis file was moved or deleted."
        if role == Qt.ItemDataRole.ForegroundRole and not exists:
            return QBrush(_MISSING_COLOR)
        if role == PathRole:
            return path
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if index.isValid() and not self._exists[index.row()]:
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index)


ISSUE_COLUMNS = ("Severity", "Line", "Field", "Problem", "How to fix")


class IssueTableModel(QAbstractTableModel):
    """The issues of one :class:`DatasetReport` (those the report kept)."""

    def __init__(self) -> None:
        super().__init__()
        self._issues: tuple[DatasetIssue, ...] = ()

    def set_report(self, report: DatasetReport | None) -> None:
        self.beginResetModel()
        self._issues = report.issues if report is not None else ()
        self.endResetModel()

    def issue(self, row: int) -> DatasetIssue:
        return self._issues[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._issues)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ISSUE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ISSUE_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        issue = self._issues[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            line = "whole file" if issue.line == 0 else str(issue.line)  # filterable as typed
            values = ("Error" if issue.is_error else "Warning", line, issue.path)
            return values[column] if column < 3 else (issue.message, issue.fix)[column - 3]
        if role == SortRole:
            return (int(not issue.is_error), issue.line, issue.path, issue.message, issue.fix)[
                column
            ]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return QBrush(_ERROR_COLOR if issue.is_error else _WARNING_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{issue.message}\n\nHow to fix: {issue.fix}"
        if role == LineRole:
            return issue.line
        if role == SeverityRole:
            return issue.severity
        return None


class IssueFilterProxy(QSortFilterProxyModel):
    """Sorts by :data:`SortRole`; filters on any column's text and, optionally, errors only."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SortRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self._errors_only = False

    def set_errors_only(self, errors_only: bool) -> None:
        self.beginFilterChange()
        self._errors_only = errors_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        source = self.sourceModel()
        if self._errors_only:
            severity = source.data(source.index(source_row, 0, source_parent), SeverityRole)
            if severity != Severity.ERROR:
                return False
        return super().filterAcceptsRow(source_row, source_parent)


class RowSource(Protocol):
    """What the example table reads: a :class:`DatasetDocument` or a growing line index."""

    @property
    def row_count(self) -> int: ...

    def read_row(self, row: int) -> str: ...


@dataclass(frozen=True, slots=True)
class ExampleRow:
    """One parsed row, as the table and the example view show it."""

    text: str
    record: object | None
    user: str
    assistant: str
    tokens: int | None
    problem: str


EXAMPLE_COLUMNS = ("Line", "User says", "Assistant replies", "Tokens", "Problems")


class ExampleTableModel(QAbstractTableModel):
    """The rows of a :class:`RowSource`, parsed on demand; at most :data:`CACHE_ROWS` kept.

    ``problems`` maps a 0-based row to the first problem the report found on it. With
    ``problems_only`` the table lists just those rows (``source_row`` maps back).
    """

    def __init__(self) -> None:
        super().__init__()
        self._source: RowSource | None = None
        self._count = 0
        self._cache: OrderedDict[int, ExampleRow] = OrderedDict()
        self._problems: dict[int, DatasetIssue] = {}
        self._problems_complete = True
        self._visible: list[int] | None = None
        self._frozen = False
        self.counter: TokenCounter | None = None

    # ------------------------------------------------------------------ source

    def set_source(self, source: RowSource | None) -> None:
        self.beginResetModel()
        self._source = source
        self._count = source.row_count if source is not None else 0
        self._cache.clear()
        self._refilter()
        self.endResetModel()

    def set_report(self, report: DatasetReport | None) -> None:
        self.beginResetModel()
        self._problems = {}
        # The report keeps a bounded number of issues of each kind (and counts the rest).
        self._problems_complete = report is None or len(report.issues) >= sum(
            report.issue_counts.values()
        )
        if report is not None:
            for issue in report.issues:
                if issue.line > 0:
                    self._problems.setdefault(issue.line - 1, issue)
        self._cache.clear()
        self._refilter()
        self.endResetModel()

    def set_counter(self, counter: TokenCounter | None) -> None:
        """Count tokens per row with ``counter`` from now on (the Tokens column updates)."""
        self.counter = counter
        self._cache.clear()
        rows = self.rowCount()
        if rows:
            self.dataChanged.emit(self.index(0, 3), self.index(rows - 1, 3))

    def refresh(self) -> None:
        """The source changed (an edit): forget cached rows and re-read the count."""
        self.set_source(self._source)

    @property
    def problems_only(self) -> bool:
        return self._visible is not None

    @property
    def problems_complete(self) -> bool:
        """Whether every problem of the file is known here, not just the report's kept ones."""
        return self._problems_complete

    def set_problems_only(self, enabled: bool) -> None:
        self.beginResetModel()
        self._visible = [] if enabled else None
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        if self._visible is not None:
            self._visible = sorted(row for row in self._problems if row < self._count)

    def source_row(self, view_row: int) -> int:
        return self._visible[view_row] if self._visible is not None else view_row

    def view_row(self, source_row: int) -> int | None:
        if self._visible is None:
            return source_row if 0 <= source_row < self._count else None
        try:
            return self._visible.index(source_row)
        except ValueError:
            return None

    def set_frozen(self, frozen: bool) -> None:
        """While frozen, only cached rows are shown (the source is being saved and replaced
        in a worker, so it must not be read)."""
        self._frozen = frozen

    def example(self, source_row: int) -> ExampleRow:
        """The parsed row (cached)."""
        cached = self._cache.get(source_row)
        if cached is not None:
            self._cache.move_to_end(source_row)
            return cached
        if self._frozen:
            return ExampleRow("", None, "…", "", None, "")
        assert self._source is not None
        try:
            text = self._source.read_row(source_row)
        except FileChangedOnDiskError:
            # Cut short by another program: the tab's file watch offers to reload.
            return ExampleRow("", None, "(the file changed on disk: reload it)", "", None, "")
        row = self._parse(source_row, text)
        self._cache[source_row] = row
        if len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return row

    def _parse(self, source_row: int, text: str) -> ExampleRow:
        try:
            record: object | None = json.loads(text) if text.strip() else None
        except ValueError:
            record = None
        user, assistant = _previews(record) if text.strip() else ("(empty line)", "")
        tokens = None
        if record is not None and self.counter is not None:
            check = check_record(record, source_row + 1, self.counter)
            tokens = check.tokens if check.is_valid else None
        issue = self._problems.get(source_row)
        problem = issue.message.split(": ", 1)[-1] if issue is not None else ""
        return ExampleRow(text, record, user, assistant, tokens, problem)

    # ------------------------------------------------------------------ Qt API

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._visible) if self._visible is not None else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EXAMPLE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return EXAMPLE_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self._source is None:
            return None
        source_row = self.source_row(index.row())
        if role == SourceRowRole:
            return source_row
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{source_row + 1:,}"
            row = self.example(source_row)
            if column == 1:
                return row.user
            if column == 2:
                return row.assistant
            if column == 3:
                return "" if row.tokens is None else f"{row.tokens:,}"
            return row.problem
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            issue = self._problems.get(source_row)
            if issue is not None:
                return QBrush(_ERROR_COLOR if issue.is_error else _WARNING_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            issue = self._problems.get(source_row)
            return None if issue is None else f"{issue.message}\n\nHow to fix: {issue.fix}"
        return None


def _previews(record: object | None) -> tuple[str, str]:
    """One-line previews of the last user message and the assistant's reply."""
    if not isinstance(record, dict):
        return ("(not a valid example)", "")
    messages = record.get("messages")
    if not isinstance(messages, list):
        if "prompt" in record:
            return _one_line(record.get("prompt")), _one_line(record.get("completion"))
        source = record.get("input")
        if isinstance(source, dict) and isinstance(source.get("messages"), list):
            messages = source["messages"]
        else:
            return ("(no messages)", "")
    user = assistant = ""
    for message in messages:
        if isinstance(message, dict):
            if message.get("role") == "user" and not assistant:
                user = _one_line(message.get("content"))
            elif message.get("role") == "assistant" and not assistant:
                assistant = _one_line(message.get("content"))
    return user, assistant


def _one_line(value: object) -> str:
    if isinstance(value, list):
        value = " ".join(str(part.get("text", "")) for part in value if isinstance(part, dict))
    text = " ".join(str(value or "").split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


class IndexRows:
    """A :class:`RowSource` over a (possibly still growing) line index, read only."""

    def __init__(self, index: LineIndex) -> None:
        self._index = index

    @property
    def row_count(self) -> int:
        return len(self._index)

    def read_row(self, row: int) -> str:
        return self._index.read_line(row)
