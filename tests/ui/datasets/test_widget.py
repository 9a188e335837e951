"""The Datasets tab opened like a person would: open a file, read the report, browse, cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.ui.datasets import session as session_module
from desktop.ui.datasets.models import LineRole
from tests.ui.datasets.dataset_helpers import good_lines, make_tab, open_file, write_lines
from tests.ui.loop_helpers import next_emission, run

pytestmark = pytest.mark.gui


def click_cell(qtbot: Any, view: Any, row: int, column: int = 0) -> None:
    index = view.model().index(row, column)
    view.scrollTo(index)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_report_lists_problems_by_line_and_click_jumps_to_browse_when_file_has_errors(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    lines = good_lines(12)
    lines[4] = '{"messages": [{"role": "user", "content": "Hi"}'  # line 5: broken JSON
    lines[8] = '{"messages": [{"role": "user", "content": "No reply"}]}'  # line 9: no answer
    path = write_lines(tmp_path / "train.jsonl", lines)
    tab = make_tab(qtbot)

    open_file(tab, qasync_loop, path)

    report = tab.page.report_view
    assert "2 error(s)" in report.summary_label.text()
    assert "10 valid example(s)" in report.summary_label.text()
    table = report.table
    issues = table.model()
    issue_lines = [issues.index(r, 0).data(LineRole) for r in range(issues.rowCount())]
    assert {5, 9} <= set(issue_lines)
    row = issue_lines.index(9)
    click_cell(qtbot, table, row, 3)
    assert tab.page.tabs.currentWidget() is tab.page.browse_view
    assert tab.page.browse_view.current_row == 8
    assert "Line 9" in tab.page.browse_view.example_view.title_label.text()
    assert shown_errors == []


def test_issue_filter_keeps_errors_only_when_toggled(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = good_lines(12)
    lines[2] = "not json"
    lines[6] = lines[5]  # an exact duplicate: a warning
    path = write_lines(tmp_path / "train.jsonl", lines)
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    report = tab.page.report_view
    before = report.proxy.rowCount()

    report.errors_only_check.click()
    errors = report.proxy.rowCount()
    qtbot.keyClicks(report.filter_edit, "copy")
    report.errors_only_check.click()

    assert errors < before
    assert report.proxy.rowCount() == 1
    assert report.proxy.index(0, 1).data() == "7"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("photo.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a text file"),
        ("blank.jsonl", b"\n  \n", "empty"),
    ],
)
def test_unusable_file_shows_one_error_naming_it_when_opened(
    qtbot: Any,
    qasync_loop: Any,
    tmp_path: Path,
    shown_errors: list[Any],
    name: str,
    content: bytes,
    words: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    tab = make_tab(qtbot)

    open_file(tab, qasync_loop, path)

    assert len(shown_errors) == 1
    assert name in shown_errors[0].message and words in shown_errors[0].message
    assert tab.stack.currentWidget() is tab.start_page
    assert tab.recent.paths() == []


def test_browse_filters_to_problems_and_goes_to_line_when_asked(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = good_lines(30)
    lines[19] = '{"messages": []}'
    path = write_lines(tmp_path / "train.jsonl", lines)
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    browse = tab.page.browse_view
    tab.page.tabs.setCurrentWidget(browse)

    browse.problems_only_check.click()
    problem_rows = browse.model.rowCount()
    browse.problems_only_check.click()
    qtbot.keyClicks(browse.goto_edit, "25")
    qtbot.keyClick(browse.goto_edit, Qt.Key.Key_Return)

    assert problem_rows == 1
    assert browse.model.rowCount() == 30
    assert browse.current_row == 24
    assert "Answer 25." in browse.model.index(24, 2).data()
    assert any("Answer 25." in bubble.text() for bubble in browse.example_view.bubbles)
    assert tab._counter_task is not None
    run(qasync_loop, tab._counter_task)  # token counts fill in once the tokenizer is loaded
    assert browse.model.index(24, 3).data().isdigit()
    assert "tokens" in browse.example_view.title_label.text()


def test_cancel_stops_the_check_and_returns_to_start_when_clicked(
    qtbot: Any,
    qasync_loop: Any,
    tmp_path: Path,
    shown_errors: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_lines(tmp_path / "big.jsonl", good_lines(20))
    real_check = session_module.check_file

    def slow_check(path: Path, **kwargs: Any) -> Any:
        # A check that runs until it is cancelled, as on a very large file.
        kwargs["progress"](1, 100)
        assert kwargs["cancel"].wait(10), "the check was never cancelled"
        return real_check(path, **kwargs)

    monkeypatch.setattr(session_module, "check_file", slow_check)
    tab = make_tab(qtbot)
    task = tab.open_path(path)
    assert task is not None

    async def cancel_when_running() -> None:
        await next_emission(tab.session.progress)
        assert not tab.progress.isHidden()
        tab.progress.cancel_button.click()
        await task

    run(qasync_loop, cancel_when_running())

    assert tab.stack.currentWidget() is tab.start_page
    assert tab.document is None
    assert tab.progress.isHidden()
    assert shown_errors == []


def test_recent_list_opens_a_file_and_greys_a_missing_one_when_listed(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    gone = write_lines(tmp_path / "gone.jsonl", good_lines(10))
    kept = write_lines(tmp_path / "kept.jsonl", good_lines(10))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, gone)
    open_file(tab, qasync_loop, kept)
    tab.page.close_button.click()
    gone.unlink()
    tab.start_page.set_recent(tab.recent.paths())
    view = tab.start_page.recent_view
    model = view.model()

    assert "file not found" in model.index(1, 0).data()
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEnabled
    click_cell(qtbot, view, 0)
    assert tab.task is not None
    run(qasync_loop, tab.task)
    assert tab.path == kept
    assert tab.stack.currentWidget() is tab.page


def test_dropping_a_file_opens_it_when_dropped_on_the_tab(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "dropped.jsonl", good_lines(10))
    tab = make_tab(qtbot)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )

    tab.dropEvent(event)
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.path == path
    assert "Ready for training" in tab.page.report_view.summary_label.text()


def test_previous_dataset_stays_open_when_the_next_file_is_unusable(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    good = write_lines(tmp_path / "good.jsonl", good_lines(12))
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"PK\x03\x04zip")
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, good)

    open_file(tab, qasync_loop, bad)

    assert len(shown_errors) == 1 and "bad.jsonl" in shown_errors[0].message
    assert tab.path == good and tab.document is not None
    assert tab.stack.currentWidget() is tab.page


def test_check_failure_shows_one_error_and_returns_to_start_when_the_checker_fails(
    qtbot: Any,
    qasync_loop: Any,
    tmp_path: Path,
    shown_errors: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.core.errors import DatasetFileError

    path = write_lines(tmp_path / "train.jsonl", good_lines(12))

    def failing_check(path: Path, **_kwargs: Any) -> Any:
        raise DatasetFileError("boom", user_message=f"“{path.name}” could not be checked.")

    monkeypatch.setattr(session_module, "check_file", failing_check)
    tab = make_tab(qtbot)

    open_file(tab, qasync_loop, path)

    assert [error.message for error in shown_errors] == ["“train.jsonl” could not be checked."]
    assert tab.stack.currentWidget() is tab.start_page
    assert tab.document is None and tab.path is None
