"""The dataset checker: every problem in a training file, its statistics and cost.

Pure Python (no Qt, no network); the Datasets tab, the ``validate`` command and the
fix/convert/split tools all build on this API.

Checking a file::

    from desktop.core.dataset import check_file, estimate_training

    report = check_file(
        path,
        encoding_name=model.encoding,              # from the model catalog
        context_limit=model.training_context_tokens,
        progress=on_progress,                      # (bytes_done, total_bytes)
        cancel=cancel_event,                       # threading.Event
    )
    report.has_errors, report.issues, report.stats.tokens.median
    estimate = estimate_training(report.stats, model)   # epochs, billable tokens, cost

:func:`check_file` streams the file in large chunks (never the whole file in memory),
checks big files in worker processes (``spawn``; call
:func:`desktop.core.tokens.configure_offline_vocabularies` first so they find the
tokenizer offline), reports progress from the calling thread and raises
:class:`CheckCancelledError` when ``cancel`` is set. It blocks: run it with
``asyncio.to_thread`` from the UI.

What it reports (:class:`DatasetReport`):

- ``issues``: :class:`DatasetIssue` values sorted by line (``0`` = the whole file), each
  with a stable :class:`IssueCode`, a field path such as ``messages[2].content``, a
  :class:`Severity`, a message for people who do not program and a suggested fix; invalid
  JSON and invalid UTF-8 also carry the column and the byte offset in the file. At most
  1,000 issues of each code are kept; ``issue_counts`` counts them all.
- ``stats``: :class:`DatasetStats` over the valid examples (lines without errors): token,
  reply-token and message distributions (upper median, p95), a histogram, total and
  billable tokens (each example capped at the context limit).
- ``format``: chat, DPO (preference) or legacy prompt/completion (:class:`DatasetFormat`);
  a file mixing them gets a ``mixed_formats`` error. :func:`model_format_issue` tells whether
  a model can train on that format.

Token counts follow the cookbook's estimate: 3 per message, plus the tokens of every
string-valued field of each message (text parts of a content list included), plus 1 per
``name``, plus 3 for the reply priming; DPO counts the input and the preferred output;
legacy lines count prompt and completion. The service's own count may differ slightly.

Building blocks for other tools: :func:`check_record` checks one parsed line,
:func:`iter_chunks` reads a file as whole-line chunks with their offsets and line numbers,
:func:`default_epochs` is the service's epochs heuristic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.dataset.chunks import Chunk, iter_chunks
    from desktop.core.dataset.engine import CheckCancelledError, check_file
    from desktop.core.dataset.formats import DatasetFormat, detect_line_format, model_format_issue
    from desktop.core.dataset.issues import DatasetIssue, IssueCode, Severity
    from desktop.core.dataset.report import DatasetReport
    from desktop.core.dataset.rules import ExampleCheck, check_record
    from desktop.core.dataset.stats import (
        DatasetStats,
        Distribution,
        HistogramBin,
        TrainingEstimate,
        default_epochs,
        estimate_training,
    )
    from desktop.core.dataset.token_counter import TokenCounter

# Loaded on first use (PEP 562): a dataset-check worker process imports
# ``desktop.core.dataset.worker``, which runs this file first; importing everything here would
# cost each worker ~50 ms of start-up it does not need (the engine, reports, the catalog).
_HOMES = {
    "Chunk": "chunks",
    "iter_chunks": "chunks",
    "CheckCancelledError": "engine",
    "check_file": "engine",
    "DatasetFormat": "formats",
    "detect_line_format": "formats",
    "model_format_issue": "formats",
    "DatasetIssue": "issues",
    "IssueCode": "issues",
    "Severity": "issues",
    "DatasetReport": "report",
    "ExampleCheck": "rules",
    "check_record": "rules",
    "DatasetStats": "stats",
    "Distribution": "stats",
    "HistogramBin": "stats",
    "TrainingEstimate": "stats",
    "default_epochs": "stats",
    "estimate_training": "stats",
    "TokenCounter": "token_counter",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CheckCancelledError",
    "Chunk",
    "DatasetFormat",
    "DatasetIssue",
    "DatasetReport",
    "DatasetStats",
    "Distribution",
    "ExampleCheck",
    "HistogramBin",
    "IssueCode",
    "Severity",
    "TokenCounter",
    "TrainingEstimate",
    "check_file",
    "check_record",
    "default_epochs",
    "detect_line_format",
    "estimate_training",
    "iter_chunks",
    "model_format_issue",
]
