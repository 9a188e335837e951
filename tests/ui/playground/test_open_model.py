"""``PlaygroundWidget.open_model``: the Jobs tab opens a (fine-tuned) model in the Playground."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from desktop.ui.playground.models import ModelIdRole
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run

pytestmark = [pytest.mark.gui, pytest.mark.integration]

BASE = "gpt-4o-mini-2024-07-18"
NEW_MODEL = "ft:gpt-4o-mini-2024-07-18:demo:support:abc123"


def _playground(make_window: WindowFactory, loop: Any, base_url: str) -> PlaygroundWidget:
    window = make_window(demo_url=base_url)
    window.show()
    window.tabs.setCurrentWidget(window.playground_tab)
    run(loop, context_of(window).connection_service.start_check())
    # The Jobs tab lists jobs once the connection is reachable; let that end inside the test.
    run(loop, window.jobs_tab.service.refresh())
    return window.playground_tab


def test_open_model_selects_a_listed_model_and_focuses_the_message_box(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any
) -> None:
    playground = _playground(make_window, qasync_loop, emulator.base_url)
    assert playground.selected_model != "gpt-4o-2024-08-06"

    assert playground.open_model("gpt-4o-2024-08-06")

    assert playground.selected_model == "gpt-4o-2024-08-06"
    qtbot.waitUntil(playground.message_edit.hasFocus)


def test_open_model_adds_a_model_the_connection_has_not_listed_yet(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any
) -> None:
    playground = _playground(make_window, qasync_loop, emulator.base_url)
    service = context_of(playground.window()).connection_service  # type: ignore[arg-type]

    assert playground.open_model(NEW_MODEL)

    assert playground.selected_model == NEW_MODEL
    combo = playground.model_combo
    ids = [combo.itemData(i, ModelIdRole) for i in range(combo.count())]
    assert ids.count(NEW_MODEL) == 1 and BASE in ids
    # A later model refresh keeps it until the connection lists it.
    run(qasync_loop, service.start_check())
    assert playground.selected_model == NEW_MODEL


def test_open_model_refuses_a_retired_model(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any
) -> None:
    window = make_window(demo_url=emulator.base_url)
    service = context_of(window).connection_service
    run(qasync_loop, service.start_check())
    run(qasync_loop, window.jobs_tab.service.refresh())
    # Owned by the window (closed with it), so no stray widget outlives the test.
    playground = PlaygroundWidget(service, today=lambda: dt.date(2026, 12, 1), parent=window)

    assert not playground.open_model("gpt-3.5-turbo-0125")
    assert playground.selected_model != "gpt-3.5-turbo-0125"
    playground.shutdown()
