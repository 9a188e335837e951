"""What Compare, Prompt savings and Evaluate start with, on the emulator through the real SDK."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core.catalog import base_model_id
from desktop.ui.playground.savings_results import NO_FINE_TUNED_MODEL
from tests.ui.conftest import WindowFactory
from tests.ui.playground.evaluation_helpers import open_evaluation
from tests.ui.playground.helpers import MINI, open_compare, open_playground
from tests.ui.playground.test_prompt_savings import open_savings, train_a_model

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_a_fine_tuned_model_is_set_against_its_own_base_model_when_the_window_opens(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)

    view = open_savings(qtbot, window)

    assert view.tuned_side.model == trained
    assert view.base_side.model == base_model_id(trained) == MINI
    assert view.headline_label.text() != NO_FINE_TUNED_MODEL


def test_the_window_says_how_to_get_a_fine_tuned_model_when_the_connection_has_none(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    window = open_playground(make_window, qasync_loop, emulator.base_url)

    view = open_savings(qtbot, window)

    assert view.headline_label.text() == NO_FINE_TUNED_MODEL
    assert "Jobs tab" in view.headline_label.text()
    assert view.base_side.model is not None  # two base models can still be compared


def test_compare_sets_a_fine_tuned_model_against_its_base_model_when_opened_with_it(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    assert window.playground_tab.select_model(trained)

    view = open_compare(qtbot, window)

    assert view.chosen_models() == [trained, base_model_id(trained)]


def test_compare_leaves_the_second_column_to_the_user_when_opened_with_a_base_model(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    assert window.playground_tab.select_model(MINI)

    view = open_compare(qtbot, window)

    assert view.chosen_models() == [MINI, None]


def test_evaluate_says_no_run_yet_until_one_starts(window: Any, qtbot: Any) -> None:
    view = open_evaluation(qtbot, window)

    assert view.progress_bar.text() == "No run yet"
    assert view.status_label.text() == ""
