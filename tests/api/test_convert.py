"""Pure conversions between SDK shapes and core types."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.api.convert import method_param, parse_shutdown_date
from desktop.core.types import Hyperparameters, JobCreateRequest


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2027-01-14", dt.date(2027, 1, 14)),
        ("2027-01-14T00:00:00Z", dt.date(2027, 1, 14)),
        (1799884800, dt.date(2027, 1, 14)),
        (None, None),
        ("soon", None),
        (True, None),
    ],
)
def test_parse_shutdown_date_accepts_dates_and_timestamps(raw: object, expected: object) -> None:
    assert parse_shutdown_date(raw) == expected


def test_method_param_sends_only_values_the_user_set() -> None:
    request = JobCreateRequest(
        model="gpt-4o-mini-2024-07-18",
        training_file="file-1",
        hyperparameters=Hyperparameters(n_epochs=3, learning_rate_multiplier=0.5),
    )
    assert method_param(request) == {
        "type": "supervised",
        "supervised": {"hyperparameters": {"n_epochs": 3, "learning_rate_multiplier": 0.5}},
    }


def test_method_param_omits_hyperparameters_when_all_are_auto() -> None:
    request = JobCreateRequest(model="m", training_file="f", method="dpo")
    assert method_param(request) == {"type": "dpo"}


def test_method_param_sends_beta_only_for_dpo() -> None:
    hp = Hyperparameters(beta=0.2)
    assert method_param(JobCreateRequest(model="m", training_file="f", hyperparameters=hp)) == {
        "type": "supervised"
    }
    dpo = JobCreateRequest(model="m", training_file="f", method="dpo", hyperparameters=hp)
    assert method_param(dpo) == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}
