"""The dialog's plain helpers: billable tokens, re-check rule, split names, labels, summary."""

from __future__ import annotations

from pathlib import Path

from desktop.core.dataset import check_file
from desktop.core.types import Hyperparameters
from desktop.ui.jobs.create.checking import billable_tokens, split_paths
from desktop.ui.jobs.create.data_page import split_percent_of
from desktop.ui.jobs.create.settings_page import parse_metadata
from desktop.ui.jobs.create.summary import describe_hyperparameters
from tests.api.support import write_training_file


def test_billable_tokens_are_known_only_when_no_example_reaches_another_limit(
    tmp_path: Path,
) -> None:
    report = check_file(
        write_training_file(tmp_path), encoding_name="o200k_base", context_limit=65_536
    )
    stats = report.stats

    assert billable_tokens(report, context_limit=65_536) == stats.billable_tokens
    assert billable_tokens(report, context_limit=None) == stats.total_tokens
    assert billable_tokens(report, context_limit=stats.tokens.maximum) == stats.total_tokens
    assert billable_tokens(report, context_limit=stats.tokens.maximum - 1) is None


def test_split_names_carry_the_share_and_are_read_back_when_training_again() -> None:
    training, validation = split_paths(Path("/data/train.jsonl"), "ab" * 32, 15, Path("/app"))

    assert training == Path(
        "/app/train.abababababab"[: len("/app/train.") + 10] + ".train-85pct.jsonl"
    )
    assert split_percent_of(str(validation)) == 15
    assert split_percent_of("/elsewhere/valid.jsonl") is None


def test_labels_are_name_value_lines_and_problems_name_the_line() -> None:
    labels, problems = parse_metadata("team=support\n\nowner = ana \nbroken line\nteam=x")

    assert labels == {"team": "x", "owner": "ana"}
    assert problems == [
        "Line 4: write each label as name=value.",
        "Line 5: the label “team” is given twice.",
    ]


def test_hyperparameters_are_described_as_auto_unless_chosen() -> None:
    assert describe_hyperparameters(Hyperparameters(), method="supervised") == (
        "chosen by the service (auto)"
    )
    text = describe_hyperparameters(Hyperparameters(n_epochs=3, beta=0.1), method="dpo")
    assert text == "3 epochs, batch size auto, learning rate × auto, beta 0.1"
