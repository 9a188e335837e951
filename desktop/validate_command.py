"""``finetune-studio validate FILE [--model MODEL] [--json]``: check a training file.

Runs the same checker as the Datasets tab (:mod:`desktop.core.dataset`) and prints either a
readable report or one JSON object (:func:`desktop.core.dataset.report_json.report_to_json`).
Exit codes: 0 when the file has no errors, 1 when it has, 2 for usage errors (missing or
unreadable file, unknown model, broken installation).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from desktop.core import tokens
from desktop.core.catalog import CatalogError, CatalogModel, ModelCatalog, read_catalog
from desktop.core.dataset import (
    DatasetReport,
    check_file,
    estimate_training,
    model_format_issue,
)
from desktop.core.dataset.report_json import report_to_json
from desktop.core.errors import FinetuneError

__all__ = ["DEFAULT_MODEL", "EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "run_validate"]

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
_SHOWN_PROBLEMS = 20


class _UsageError(Exception):
    """A problem with the command's input: printed on stderr, exit code 2."""


def run_validate(
    file: Path,
    *,
    model_id: str | None = None,
    as_json: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Check ``file`` for ``model_id`` and print the result.

    Args:
        file: the JSONL training file.
        model_id: a catalog model id or alias; :data:`DEFAULT_MODEL` when None.
        as_json: print one JSON object instead of the readable report.
        out: where the report goes (stdout by default).
        err: where usage errors go (stderr by default).

    Returns:
        The exit code: 0 no errors, 1 errors, 2 usage error.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        model = _find_model(model_id or DEFAULT_MODEL)
        report = _check(file, model)
    except _UsageError as exc:
        print(f"finetune-studio validate: {exc}", file=err)
        return EXIT_USAGE
    if as_json:
        json.dump(report_to_json(report, model=model), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_text_report(report, model))
    return EXIT_ERRORS if report.has_errors else EXIT_OK


def _catalog() -> ModelCatalog:
    from desktop.resources import resource_path

    try:
        return read_catalog(resource_path("models.json"))
    except (CatalogError, FileNotFoundError) as exc:
        raise _UsageError(f"the app's model list cannot be read ({exc}); reinstall") from exc


def _find_model(model_id: str) -> CatalogModel:
    catalog = _catalog()
    model = catalog.get(model_id)
    if model is None:
        known = ", ".join(catalog.fine_tunable_ids)
        raise _UsageError(f"unknown model {model_id!r}. Known models: {known}")
    return model


def _check(file: Path, model: CatalogModel) -> DatasetReport:
    if not file.exists():
        raise _UsageError(f"{file}: no such file")
    if not file.is_file():
        raise _UsageError(f"{file}: not a file")
    from desktop.resources import tokenizer_dir
    from desktop.storage.paths import app_paths

    try:
        tokens.configure_offline_vocabularies(tokenizer_dir(), app_paths().tokenizer_cache_dir)
        report = check_file(
            file,
            encoding_name=model.encoding,
            context_limit=model.training_context_tokens,
        )
    except FinetuneError as exc:
        raise _UsageError(exc.user_message) from exc
    issue = model_format_issue(report.format, model)
    return report if issue is None else report.with_issue(issue)


def format_text_report(report: DatasetReport, model: CatalogModel) -> str:
    """The readable report: summary, first problems with fixes, statistics, estimate.

    Args:
        report: the check's result.
        model: the model the estimate is for.

    Returns:
        The text, ending with a newline.
    """
    stats = report.stats
    verdict = "has errors" if report.has_errors else "is ready to upload"
    lines = [
        f"{report.path.name}: {verdict}.",
        f"  {stats.examples:,} valid example(s) in {report.lines:,} line(s) "
        f"({report.format.description}); {report.error_count:,} error(s), "
        f"{report.warning_count:,} warning(s).",
    ]
    if report.issues:
        lines += ["", f"Problems (first {min(_SHOWN_PROBLEMS, len(report.issues))}):"]
        for issue in report.issues[:_SHOWN_PROBLEMS]:
            kind = "error" if issue.is_error else "warning"
            field = f"  [{issue.path}]" if issue.path else ""
            lines.append(f"  {kind}: {issue.message}{field}")
            lines.append(f"      fix: {issue.fix}")
        hidden = report.error_count + report.warning_count - _SHOWN_PROBLEMS
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} more (use --json for the full list).")
    tokens_per = stats.tokens
    lines += [
        "",
        f"Statistics (tokenizer {report.encoding_name}):",
        f"  tokens per example: min {tokens_per.minimum:,}, median {tokens_per.median:,}, "
        f"p95 {tokens_per.p95:,}, max {tokens_per.maximum:,}",
        f"  messages per example: min {stats.messages.minimum}, median {stats.messages.median}, "
        f"max {stats.messages.maximum}",
        f"  reply tokens per example: median {stats.assistant_tokens.median:,}, "
        f"max {stats.assistant_tokens.maximum:,}",
        f"  total tokens: {stats.total_tokens:,}; billable per epoch: {stats.billable_tokens:,}",
    ]
    estimate = estimate_training(stats, model)
    if estimate.cost is None:
        cost = "unknown (no price for this model in the app's list)"
    else:
        cost = f"about ${estimate.cost:,.2f} (prices as of {estimate.price_as_of.isoformat()})"
    lines += [
        "",
        f"Estimate for {model.id}:",
        f"  {estimate.epochs} epoch(s) x {estimate.billable_tokens:,} tokens = "
        f"{estimate.trained_tokens:,} trained tokens; cost {cost}.",
        "  This is an estimate: the provider's own count and bill decide.",
    ]
    return "\n".join(lines) + "\n"
