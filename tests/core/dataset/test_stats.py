"""Statistics, the default-epochs heuristic and the training estimate."""

from __future__ import annotations

from array import array
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.catalog import CatalogModel
from desktop.core.dataset import default_epochs, estimate_training
from desktop.core.dataset.report import ReportBuilder
from desktop.core.dataset.report_json import report_to_json
from desktop.core.dataset.stats import build_stats, distribution, histogram
from desktop.core.pricing import estimate_training_cost


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(1, 25), (3, 25), (10, 10), (12, 8), (33, 3), (34, 3), (8333, 3), (8334, 2), (30000, 1)],
)
def test_default_epochs_follow_the_cookbook_when_size_varies(examples: int, epochs: int) -> None:
    assert default_epochs(examples) == epochs


def test_default_epochs_refuse_zero_examples_when_called() -> None:
    with pytest.raises(ValueError):
        default_epochs(0)


def test_median_is_the_upper_median_when_count_is_even() -> None:
    summary = distribution([1, 2, 3, 10])
    assert (summary.minimum, summary.median, summary.maximum) == (1, 3, 10)
    assert summary.p95 == 10


def test_histogram_covers_every_value_when_binned() -> None:
    values = sorted([5, 6, 7, 100, 250, 250])
    bins = histogram(values, bins=4)
    assert sum(b.count for b in bins) == len(values)
    assert (bins[0].low, bins[-1].high) == (5, 250)


def test_billable_tokens_cap_each_example_when_a_limit_is_set() -> None:
    stats = build_stats(
        array("I", [10, 500, 20]), array("I", [1, 2, 3]), array("I", [2, 2, 2]), 100
    )
    assert (stats.total_tokens, stats.billable_tokens, stats.over_limit) == (530, 130, 1)


def test_estimate_uses_the_catalog_price_when_known(gpt4o_mini: CatalogModel) -> None:
    stats = build_stats(array("I", [1000] * 50), array("I", [10] * 50), array("I", [2] * 50), None)
    estimate = estimate_training(stats, gpt4o_mini)
    assert estimate.epochs == 3
    assert estimate.trained_tokens == 150_000
    assert estimate.cost == estimate_training_cost(50_000, 3, gpt4o_mini)
    assert estimate.cost == Decimal("0.45")


def test_json_summary_has_zero_epochs_when_no_example_is_valid(gpt4o_mini: CatalogModel) -> None:
    report = ReportBuilder(context_limit=None).finish(
        Path("x.jsonl"), encoding_name="o200k_base", size_bytes=0
    )
    summary = report_to_json(report, model=gpt4o_mini)
    assert (summary["examples"], summary["estimated_epochs"], summary["estimated_cost_usd"]) == (
        0,
        0,
        0.0,
    )
    assert [e["code"] for e in summary["errors"]] == ["file_empty"]  # type: ignore[union-attr]


def test_distribution_is_exact_when_values_come_unsorted() -> None:
    values = [7, 1, 9, 3, 3, 100, 2]
    summary = distribution(values)
    ordered = sorted(values)
    assert (summary.minimum, summary.median, summary.maximum) == (1, ordered[3], 100)
    assert summary.p95 == 100
    assert summary.mean == sum(values) / len(values)
