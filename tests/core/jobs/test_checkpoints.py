"""The advice flags over-fitting and recommends the checkpoint with the best validation loss."""

from __future__ import annotations

import math
import random

from desktop.core.jobs.checkpoints import (
    NOTE_BEST_VALIDATION,
    NOTE_OVERFITTED,
    NOTE_RECOMMENDED_FINAL,
    advise,
    checkpoint_valid_loss,
    is_overfitting,
)
from desktop.core.jobs.metrics import MetricPoint
from desktop.core.types import Checkpoint


def ckpt(step: int, **metrics: float) -> Checkpoint:
    return Checkpoint(
        id=f"ckpt-{step}",
        created_at=step,
        fine_tuned_model_checkpoint=f"ft:m:org::x:ckpt-step-{step}",
        step_number=step,
        fine_tuning_job_id="job",
        metrics=metrics,
    )


def noisy_run(*, steps: int, overfit_from: float | None, seed: int) -> list[MetricPoint]:
    """Training loss falls; validation loss follows it (±10 % noise), rising after overfit_from."""
    rng = random.Random(seed)
    points = []
    for step in range(1, steps + 1):
        train = 0.3 + 2.0 * math.exp(-3 * step / steps)
        valid = train * 1.08
        if overfit_from is not None and step / steps > overfit_from:
            valid += 0.7 * (step / steps - overfit_from) / (1 - overfit_from)
        valid *= 1 + (rng.random() - 0.5) * 0.2
        points.append(MetricPoint(step, train_loss=train, valid_loss=valid))
    return points


def test_has_no_recommendation_when_there_are_no_checkpoints() -> None:
    advice = advise([], [])
    assert advice.recommended is None
    assert not advice.overfitting
    assert "No checkpoints yet" in advice.explanation


def test_recommends_final_checkpoint_when_job_had_no_validation_data() -> None:
    checkpoints = [ckpt(30, train_loss=0.5), ckpt(10, train_loss=0.9), ckpt(20, train_loss=0.7)]
    advice = advise(checkpoints, [MetricPoint(30, train_loss=0.5)])
    assert advice.recommended is not None and advice.recommended.step_number == 30
    assert not advice.overfitting
    assert "no validation data" in advice.explanation
    assert advice.note_for("ckpt-30") == NOTE_RECOMMENDED_FINAL
    assert advice.note_for("ckpt-10") == ""


def test_flags_overfitting_when_validation_loss_rises_while_training_loss_falls() -> None:
    checkpoints = [
        ckpt(10, train_loss=0.9, valid_loss=1.00),
        ckpt(20, train_loss=0.6, valid_loss=1.10),
        ckpt(30, train_loss=0.4, valid_loss=1.30),
    ]
    advice = advise(checkpoints, [])
    assert advice.overfitting
    assert advice.recommended == checkpoints[0]
    assert "memorise" in advice.explanation
    assert "step 10" in advice.explanation
    assert advice.note_for("ckpt-10") == NOTE_BEST_VALIDATION
    assert advice.note_for("ckpt-30") == NOTE_OVERFITTED


def test_does_not_flag_overfitting_when_training_loss_rises_too() -> None:
    checkpoints = [
        ckpt(10, train_loss=0.4, valid_loss=1.0),
        ckpt(20, train_loss=0.6, valid_loss=1.3),
    ]
    assert not advise(checkpoints, []).overfitting


def test_recommends_final_checkpoint_when_it_has_lowest_validation_loss() -> None:
    checkpoints = [ckpt(10, valid_loss=1.2), ckpt(20, valid_loss=1.0)]
    advice = advise(checkpoints, [])
    assert advice.recommended == checkpoints[1]
    assert not advice.overfitting
    assert "final checkpoint" in advice.explanation


def test_recommends_earlier_checkpoint_when_it_is_slightly_better() -> None:
    checkpoints = [ckpt(10, valid_loss=1.00), ckpt(20, valid_loss=1.02)]
    advice = advise(checkpoints, [])
    assert advice.recommended == checkpoints[0]
    assert not advice.overfitting
    assert "fine choice too" in advice.explanation


def test_prefers_full_validation_loss_when_checkpoint_has_both() -> None:
    checkpoint = ckpt(10, valid_loss=2.0, full_valid_loss=1.5)
    assert checkpoint_valid_loss(checkpoint) == 1.5


def test_takes_validation_loss_from_points_when_checkpoint_has_none() -> None:
    points = [MetricPoint(8, valid_loss=1.4), MetricPoint(10, valid_loss=1.1)]
    assert checkpoint_valid_loss(ckpt(10), points) == 1.1
    assert checkpoint_valid_loss(ckpt(9), points) == 1.4


def test_flags_overfitting_when_noisy_points_rise_at_the_end() -> None:
    points = noisy_run(steps=120, overfit_from=0.5, seed=1)
    checkpoints = [ckpt(40), ckpt(80), ckpt(120)]
    advice = advise(checkpoints, points)
    assert advice.overfitting
    assert advice.recommended is not None and advice.recommended.step_number < 120


def test_does_not_flag_overfitting_when_noisy_points_keep_falling() -> None:
    for seed in range(20):
        points = noisy_run(steps=120, overfit_from=None, seed=seed)
        assert not advise([ckpt(40), ckpt(80), ckpt(120)], points).overfitting, seed


def test_is_overfitting_needs_a_clear_rise_when_loss_wobbles() -> None:
    assert not is_overfitting([(1.0, 0.9), (1.03, 0.8)])
    assert is_overfitting([(1.0, 0.9), (1.2, 0.8)])
    assert not is_overfitting([(1.0, 0.9)])
