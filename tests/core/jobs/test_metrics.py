"""Training figures come from metrics events and from the result file, one point per step."""

from __future__ import annotations

import pytest

from desktop.core.jobs.metrics import (
    MetricPoint,
    ResultFileError,
    merge_points,
    parse_results_csv,
    points_from_events,
    summarize,
)
from desktop.core.types import JobEvent


def _metrics_event(step: int, created: int, **data: object) -> JobEvent:
    return JobEvent(
        id=f"e{created}",
        created_at=created,
        level="info",
        message=f"Step {step}",
        type="metrics",
        data={"step": step, **data},
    )


def test_points_from_events_reads_openai_names_when_events_carry_metrics() -> None:
    event = _metrics_event(
        3,
        10,
        train_loss=1.5,
        train_mean_token_accuracy=0.6,
        valid_loss=1.7,
        valid_mean_token_accuracy=0.55,
        total_steps=9,
    )
    assert points_from_events([event]) == [MetricPoint(3, 1.5, 0.6, 1.7, 0.55)]


def test_points_from_events_ignores_events_when_they_are_not_metrics() -> None:
    message = JobEvent(id="m", created_at=1, level="info", message="Job started")
    assert points_from_events([message]) == []


def test_points_from_events_sorts_by_step_when_events_come_newest_first() -> None:
    events = [_metrics_event(2, 20, train_loss=1.0), _metrics_event(1, 10, train_loss=2.0)]
    assert [p.step for p in points_from_events(events)] == [1, 2]


def test_points_from_events_keeps_one_point_when_step_repeats() -> None:
    events = [_metrics_event(1, 10, train_loss=2.0), _metrics_event(1, 11, train_loss=1.9)]
    assert points_from_events(events) == [MetricPoint(1, train_loss=1.9)]


def test_points_from_events_skips_event_when_step_is_missing() -> None:
    event = JobEvent(
        id="x", created_at=1, level="info", message="", type="metrics", data={"train_loss": 1.0}
    )
    assert points_from_events([event]) == []


def test_points_from_events_drops_value_when_it_is_not_a_finite_number() -> None:
    event = _metrics_event(1, 1, train_loss="nan", train_mean_token_accuracy=True)
    assert points_from_events([event]) == [MetricPoint(1)]


def test_parse_results_csv_reads_rows_when_file_is_openai_style() -> None:
    data = (
        b"step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"
        b"1,2.5,0.4,2.7,0.38\n"
        b"2,2.1,0.5,,\n"
    )
    assert parse_results_csv(data) == [
        MetricPoint(1, 2.5, 0.4, 2.7, 0.38),
        MetricPoint(2, 2.1, 0.5, None, None),
    ]


def test_parse_results_csv_accepts_byte_order_mark_when_file_starts_with_one() -> None:
    assert parse_results_csv(b"\xef\xbb\xbfstep,train_loss\n1,2.0\n") == [MetricPoint(1, 2.0)]


def test_parse_results_csv_returns_nothing_when_file_is_empty() -> None:
    assert parse_results_csv(b"") == []


def test_parse_results_csv_raises_when_file_is_json() -> None:
    with pytest.raises(ResultFileError) as info:
        parse_results_csv(b'{"error": "not a csv"}')
    assert "charts" in info.value.user_message


def test_parse_results_csv_raises_when_file_is_binary() -> None:
    with pytest.raises(ResultFileError):
        parse_results_csv(b"\xff\xfe\x00\x81garbage")


def test_parse_results_csv_raises_when_a_row_has_no_step() -> None:
    with pytest.raises(ResultFileError, match="line 3"):
        parse_results_csv(b"step,train_loss\n1,2.0\nabc,1.0\n")


def test_merge_points_lets_new_figures_win_when_steps_overlap() -> None:
    old = [MetricPoint(1, train_loss=2.0, valid_loss=2.2), MetricPoint(2, train_loss=1.8)]
    new = [MetricPoint(1, train_loss=1.99), MetricPoint(3, train_loss=1.5)]
    assert merge_points(old, new) == [
        MetricPoint(1, train_loss=1.99, valid_loss=2.2),
        MetricPoint(2, train_loss=1.8),
        MetricPoint(3, train_loss=1.5),
    ]


def test_summarize_finds_final_and_best_when_validation_present() -> None:
    points = [
        MetricPoint(1, 2.0, 0.4, 2.1, 0.35),
        MetricPoint(2, 1.0, 0.6, 1.2, 0.5),
        MetricPoint(3, 0.5, 0.7, 1.4, None),
    ]
    summary = summarize(points)
    assert summary.steps == 3
    assert summary.final_train_loss == 0.5
    assert summary.best_train_loss == 0.5
    assert summary.final_train_accuracy == 0.7
    assert summary.final_valid_loss == 1.4
    assert summary.best_valid_loss == 1.2
    assert summary.best_valid_step == 2
    assert summary.final_valid_accuracy == 0.5
    assert summary.has_validation


def test_summarize_has_no_validation_when_points_lack_it() -> None:
    summary = summarize([MetricPoint(1, 2.0)])
    assert not summary.has_validation
    assert summary.best_valid_step is None


def test_summarize_is_empty_when_there_are_no_points() -> None:
    assert summarize([]).steps == 0
