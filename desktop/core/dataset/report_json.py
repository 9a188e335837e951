"""The machine-readable summary of a check, as ``finetune-studio validate --json`` prints it.

The shape is a public contract for automation (issue #4, section 2)::

    {"examples": int, "errors": [{"line", "code", "path", "message"}], "warnings": [...],
     "tokens": int, "max_tokens": int, "median_tokens": int, "billable_tokens": int,
     "estimated_epochs": int, "estimated_cost_usd": float | null, "encoding": str,
     "model": str}

``examples`` counts valid examples; ``tokens`` sums their estimated tokens;
``median_tokens`` is the upper median (element n // 2 of the sorted counts). The error and
warning lists hold at most 1,000 entries per code (see ``DatasetReport.issue_counts``).
"""

from __future__ import annotations

from desktop.core.catalog import CatalogModel
from desktop.core.dataset.issues import DatasetIssue
from desktop.core.dataset.report import DatasetReport
from desktop.core.dataset.stats import estimate_training

__all__ = ["report_to_json"]

_COST_DECIMALS = 6


def _issue_json(issue: DatasetIssue) -> dict[str, object]:
    return {
        "line": issue.line,
        "code": str(issue.code),
        "path": issue.path,
        "message": issue.message,
    }


def report_to_json(report: DatasetReport, *, model: CatalogModel) -> dict[str, object]:
    """The report as a JSON-ready dict (see the module docstring for the shape).

    Args:
        report: a check made with the model's encoding and context limit.
        model: the catalog entry the estimate is for.

    Returns:
        A dict of plain JSON values.
    """
    stats = report.stats
    estimate = estimate_training(stats, model)
    cost = None if estimate.cost is None else round(float(estimate.cost), _COST_DECIMALS)
    return {
        "examples": stats.examples,
        "errors": [_issue_json(issue) for issue in report.errors],
        "warnings": [_issue_json(issue) for issue in report.warnings],
        "tokens": stats.total_tokens,
        "max_tokens": stats.tokens.maximum,
        "median_tokens": stats.tokens.median,
        "billable_tokens": stats.billable_tokens,
        "estimated_epochs": estimate.epochs,
        "estimated_cost_usd": cost,
        "encoding": report.encoding_name,
        "model": model.id,
    }
