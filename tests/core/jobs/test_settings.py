"""Job settings are checked against the documented ranges, in plain words."""

from __future__ import annotations

import pytest

from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.jobs.settings import (
    SEED_MAX,
    FieldProblem,
    check_create_request,
    check_hyperparameters,
    check_metadata,
    check_seed,
    check_suffix,
    has_errors,
)
from desktop.core.types import Hyperparameters, JobCreateRequest


def fields(problems: list[FieldProblem]) -> list[str]:
    return [problem.field for problem in problems]


def test_suffix_is_fine_when_empty() -> None:
    assert check_suffix("") is None


def test_suffix_is_fine_when_letters_digits_dash_underscore() -> None:
    assert check_suffix("support-bot_v2") is None


def test_suffix_names_bad_characters_when_present() -> None:
    message = check_suffix("my bot!")
    assert message is not None
    assert "a space" in message
    assert "“!”" in message


def test_suffix_asks_to_shorten_when_too_long() -> None:
    message = check_suffix("x" * 65)
    assert message is not None
    assert "64" in message


def test_hyperparameters_are_fine_when_all_auto() -> None:
    assert check_hyperparameters(Hyperparameters(), method="supervised") == []


@pytest.mark.parametrize("epochs", [0, 51, True])
def test_epochs_are_rejected_when_outside_range(epochs: int) -> None:
    problems = check_hyperparameters(Hyperparameters(n_epochs=epochs), method="supervised")
    assert fields(problems) == ["n_epochs"]
    assert "1 to 50" in problems[0].message


def test_epochs_are_fine_when_at_range_ends() -> None:
    for epochs in (1, 50):
        assert check_hyperparameters(Hyperparameters(n_epochs=epochs), method="supervised") == []


def test_batch_size_is_rejected_when_above_256() -> None:
    problems = check_hyperparameters(Hyperparameters(batch_size=257), method="supervised")
    assert fields(problems) == ["batch_size"]


def test_learning_rate_is_rejected_when_not_positive() -> None:
    problems = check_hyperparameters(
        Hyperparameters(learning_rate_multiplier=0.0), method="supervised"
    )
    assert fields(problems) == ["learning_rate_multiplier"]
    assert has_errors(problems)


def test_learning_rate_only_warns_when_above_ten() -> None:
    problems = check_hyperparameters(
        Hyperparameters(learning_rate_multiplier=12.0), method="supervised"
    )
    assert [p.severity for p in problems] == ["warning"]
    assert not has_errors(problems)


def test_beta_is_rejected_when_method_is_supervised() -> None:
    problems = check_hyperparameters(Hyperparameters(beta=0.1), method="supervised")
    assert fields(problems) == ["beta"]
    assert "DPO" in problems[0].message


@pytest.mark.parametrize("beta", [0.0, 2.5, -1.0])
def test_beta_is_rejected_when_outside_range_for_dpo(beta: float) -> None:
    problems = check_hyperparameters(Hyperparameters(beta=beta), method="dpo")
    assert fields(problems) == ["beta"]


def test_beta_is_fine_when_two_for_dpo() -> None:
    assert check_hyperparameters(Hyperparameters(beta=2.0), method="dpo") == []


def test_seed_is_rejected_when_above_maximum() -> None:
    assert check_seed(SEED_MAX + 1) is not None
    assert check_seed(SEED_MAX) is None
    assert check_seed(None) is None


def test_seed_is_rejected_when_negative() -> None:
    assert check_seed(-1) is not None


def test_metadata_is_rejected_when_user_labels_leave_no_room_for_token() -> None:
    labels = {f"k{i}": "v" for i in range(16)}
    assert fields(check_metadata(labels)) == ["metadata"]


def test_metadata_does_not_count_token_when_it_is_present() -> None:
    labels = {f"k{i}": "v" for i in range(15)} | {CLIENT_TOKEN_KEY: "tok"}
    assert check_metadata(labels) == []


def test_metadata_is_rejected_when_key_or_value_too_long() -> None:
    problems = check_metadata({"k" * 65: "v", "ok": "v" * 513})
    assert len(problems) == 2


def test_create_request_is_fine_when_complete() -> None:
    assert check_create_request(JobCreateRequest(model="m", training_file="file-1")) == []


def test_create_request_names_each_field_when_several_are_wrong() -> None:
    request = JobCreateRequest(
        model="",
        training_file="",
        hyperparameters=Hyperparameters(n_epochs=99),
        suffix="a b",
        seed=-3,
    )
    assert fields(check_create_request(request)) == [
        "model",
        "training_file",
        "n_epochs",
        "suffix",
        "seed",
    ]


def test_create_request_warns_when_validation_equals_training() -> None:
    request = JobCreateRequest(model="m", training_file="file-1", validation_file="file-1")
    problems = check_create_request(request)
    assert fields(problems) == ["validation_file"]
    assert not has_errors(problems)
