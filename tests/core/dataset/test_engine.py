"""check_file: reading (chunks, line endings, BOM, UTF-8), file-level checks, progress, cancel,
worker processes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from desktop.core import tokens
from desktop.core.dataset import CheckCancelledError, DatasetReport, IssueCode, check_file
from desktop.core.errors import DatasetError
from tests.core.dataset.conftest import ENCODING, WriteFile, chat_line, valid_lines


def check(path: Path, **kwargs: object) -> DatasetReport:
    options: dict[str, object] = {"encoding_name": ENCODING, "context_limit": 65536}
    options.update(kwargs)
    return check_file(path, **options)  # type: ignore[arg-type]


def codes_at(report: DatasetReport) -> list[tuple[int, str]]:
    return [(issue.line, issue.code) for issue in report.issues]


def test_clean_file_has_no_issue_when_all_lines_are_valid(write_file: WriteFile) -> None:
    report = check(write_file(valid_lines(12)))
    assert report.issues == ()
    assert (report.stats.examples, report.lines, report.has_errors) == (12, 12, False)


def test_invalid_json_gives_line_column_and_offset_when_a_quote_is_missing(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(11)
    lines[3] = '{"messages": [{"role": "user", "content": "Hi}]}'
    path = write_file(lines)
    issue = check(path).errors[0]
    quote = lines[3].index('"Hi')  # the string that never ends starts here
    assert (issue.line, issue.code, issue.column) == (4, IssueCode.INVALID_JSON, quote + 1)
    line_start = len("\n".join(lines[:3])) + 1
    assert issue.byte_offset == line_start + quote
    assert issue.message.startswith(f"Line 4: the text is not valid JSON (column {quote + 1})")


def test_not_utf8_gives_byte_offset_when_a_byte_is_invalid(write_file: WriteFile) -> None:
    bad = b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'
    lines: list[str | bytes] = [*valid_lines(11), bad]
    path = write_file(lines)
    issue = check(path).errors[0]
    assert (issue.line, issue.code) == (12, IssueCode.NOT_UTF8)
    assert issue.byte_offset == path.read_bytes().index(b"\xe9")
    assert issue.column == bad.index(b"\xe9") + 1


def test_empty_line_is_an_error_when_between_examples(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines.insert(5, "   ")
    assert codes_at(check(write_file(lines))) == [(6, IssueCode.EMPTY_LINE)]


def test_crlf_lines_are_read_when_file_uses_windows_endings(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines[10] = "{oops"
    report = check(write_file(lines, newline=b"\r\n"))
    assert codes_at(report) == [(11, IssueCode.INVALID_JSON)]
    assert report.stats.examples == 10


def test_bom_is_skipped_and_offsets_count_it_when_file_starts_with_one(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(11)
    lines[0] = "{oops"
    report = check(write_file(lines, prefix=b"\xef\xbb\xbf"))
    issue = report.errors[0]
    assert (issue.line, issue.code, issue.byte_offset) == (1, IssueCode.INVALID_JSON, 4)
    assert report.stats.examples == 10


def test_last_line_is_checked_when_file_has_no_final_newline(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines.append('{"messages": []}')
    report = check(write_file(lines, final_newline=False))
    assert codes_at(report) == [(12, IssueCode.MESSAGES_EMPTY)]
    assert report.lines == 12


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_results_are_the_same_when_lines_span_chunk_boundaries(
    write_file: WriteFile, chunk_size: int
) -> None:
    lines = valid_lines(15)
    lines[4] = "{broken"
    lines[9] = json.dumps({"messages": [{"role": "user", "content": "x" * 300}]})
    path = write_file(lines, newline=b"\r\n", prefix=b"\xef\xbb\xbf")
    expected = check(path)
    report = check(path, chunk_size=chunk_size)
    assert report.issues == expected.issues
    assert report.stats == expected.stats


def test_token_total_equals_tiktoken_when_examples_are_counted(write_file: WriteFile) -> None:
    lines = [
        chat_line(f"Wie spät ist es in Zürich? {i}", "Es ist 12 Uhr.", system="Sei nett.")
        for i in range(10)
    ]
    lines.append(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "Hi", "name": "bob"},
                    {"role": "assistant", "content": "Yo"},
                ]
            }
        )
    )
    report = check(write_file(lines))
    encoding = tokens.get_encoding(ENCODING)
    expected = 0
    for line in lines:
        total = 3
        for message in json.loads(line)["messages"]:
            total += 3
            for key, value in message.items():
                total += len(encoding.encode(value)) + (1 if key == "name" else 0)
        expected += total
    assert report.stats.total_tokens == expected


def test_duplicate_names_first_line_when_an_example_repeats(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines.append(lines[2])
    issue = next(
        i for i in check(write_file(lines)).issues if i.code == IssueCode.DUPLICATE_EXAMPLE
    )
    assert issue.line == 12
    assert "line 3" in issue.message


def test_too_few_examples_is_an_error_when_fewer_than_ten_are_valid(write_file: WriteFile) -> None:
    report = check(write_file(valid_lines(9)))
    assert codes_at(report) == [(0, IssueCode.TOO_FEW_EXAMPLES)]
    assert report.issues[0].message.startswith("The file: ")


def test_empty_file_is_an_error_when_it_has_no_bytes(write_file: WriteFile) -> None:
    assert codes_at(check(write_file([]))) == [(0, IssueCode.FILE_EMPTY)]


def test_mixed_formats_points_at_first_odd_line_when_formats_differ(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines.insert(6, json.dumps({"prompt": "a", "completion": "b"}))
    report = check(write_file(lines))
    assert codes_at(report) == [(7, IssueCode.MIXED_FORMATS)]
    assert report.format == "chat"


def test_too_long_is_a_warning_when_example_exceeds_the_limit(write_file: WriteFile) -> None:
    lines = valid_lines(11)
    lines[1] = chat_line("word " * 60, "ok", system="You are terse.")
    report = check(write_file(lines), context_limit=50)
    assert codes_at(report) == [(2, IssueCode.TOO_LONG)]
    assert report.stats.over_limit == 1
    assert report.stats.billable_tokens == report.stats.total_tokens - (
        report.stats.tokens.maximum - 50
    )


def test_missing_system_and_user_are_counted_once_when_several_examples_lack_them(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(10, system=None)
    lines.append(
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "x"},
                    {"role": "assistant", "content": "y"},
                ]
            }
        )
    )
    report = check(write_file(lines))
    system = next(i for i in report.issues if i.code == IssueCode.NO_SYSTEM_MESSAGE)
    user = next(i for i in report.issues if i.code == IssueCode.NO_USER_MESSAGE)
    assert (system.line, user.line) == (1, 11)
    assert "9 other example(s)" in system.message
    assert report.issue_counts[IssueCode.NO_SYSTEM_MESSAGE] == 1


def test_unbalanced_lengths_is_a_warning_when_one_example_dwarfs_the_rest(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(12)
    lines[7] = chat_line("long " * 1500, "ok", system="You are terse.")
    assert (8, IssueCode.UNBALANCED_LENGTHS) in codes_at(check(write_file(lines)))


def test_progress_reaches_the_total_when_the_check_ends(write_file: WriteFile) -> None:
    path = write_file(valid_lines(40))
    seen: list[tuple[int, int]] = []
    check(path, chunk_size=256, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert len(seen) > 5
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_check_stops_when_cancelled_midway(write_file: WriteFile) -> None:
    path = write_file(valid_lines(200))
    cancel = threading.Event()
    seen: list[int] = []

    def on_progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 3:
            cancel.set()

    with pytest.raises(CheckCancelledError):
        check(path, chunk_size=256, progress=on_progress, cancel=cancel)
    assert len(seen) == 3


def test_missing_file_raises_dataset_error_when_path_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as caught:
        check(tmp_path / "nope.jsonl")
    assert "nope.jsonl" in caught.value.user_message


def test_issues_are_capped_per_code_when_every_line_is_broken(write_file: WriteFile) -> None:
    report = check(write_file(["{x"] * 1500))
    assert report.issue_counts[IssueCode.INVALID_JSON] == 1500
    assert len([i for i in report.issues if i.code == IssueCode.INVALID_JSON]) == 1000
    assert report.error_count == 1501  # plus too_few_examples


def test_worker_processes_give_the_same_report_when_checking_in_parallel(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(300)
    lines[17] = "{broken"
    lines[250] = lines[3]
    lines[120] = json.dumps({"messages": [{"role": "user", "content": "no reply"}]})
    path = write_file(lines)
    single = check(path, workers=1, chunk_size=2048)
    parallel = check(path, workers=2, chunk_size=2048)
    assert parallel.issues == single.issues
    assert parallel.stats == single.stats
    assert parallel.stats.total_tokens > 0


def test_worker_processes_give_the_same_report_when_lines_span_small_chunks(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(40)
    lines[7] = "{broken"
    lines[30] = json.dumps({"messages": [{"role": "user", "content": "x" * 3000}]})
    path = write_file(lines, newline=b"\r\n", prefix=b"\xef\xbb\xbf", final_newline=False)
    single = check(path, workers=1)
    parallel = check(path, workers=2, chunk_size=300)
    assert parallel.issues == single.issues
    assert parallel.stats == single.stats
    assert parallel.lines == single.lines == 40


def test_cancel_stops_the_worker_pool_when_set_before_start(write_file: WriteFile) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CheckCancelledError):
        check(write_file(valid_lines(50)), workers=2, chunk_size=512, cancel=cancel)


def test_duplicates_are_counted_but_capped_when_a_file_is_copied_many_times(
    write_file: WriteFile,
) -> None:
    lines = valid_lines(10) + [chat_line("Same?", "Same.", system="s")] * 1202
    report = check(write_file(lines))
    assert report.issue_counts[IssueCode.DUPLICATE_EXAMPLE] == 1201
    kept = [i for i in report.issues if i.code == IssueCode.DUPLICATE_EXAMPLE]
    assert len(kept) == 1000
    assert kept[0].line == 12
    assert "line 11" in kept[0].message
