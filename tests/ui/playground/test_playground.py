"""The Playground against the built-in emulator, driven like a person would: pick, type, Send."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.sandbox import Emulator, Faults
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.models import ModelIdRole
from desktop.ui.playground.widget import PlaygroundWidget
from tests.ui.conftest import ShownError, WindowFactory, context_of
from tests.ui.loop_helpers import next_emission, run, until
from tests.ui.playground.helpers import open_playground

pytestmark = [pytest.mark.gui, pytest.mark.integration]

MODEL = "gpt-4o-mini-2024-07-18"


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Emulator]:
    """An emulator that streams a token every 50 ms, so a test can act mid-reply."""
    server = Emulator(fast=True, stream_delay=0.05).start()
    try:
        yield server
    finally:
        server.stop()


def type_and_send(qtbot: Any, playground: PlaygroundWidget, text: str) -> asyncio.Task[None]:
    assert playground.select_model(MODEL)
    qtbot.keyClicks(playground.message_edit, text)
    qtbot.mouseClick(playground.send_button, Qt.MouseButton.LeftButton)
    task = playground.reply_task
    assert task is not None, "Send did not start a reply"
    return task


def test_model_picker_lists_chat_models_when_demo_is_reachable(window: MainWindow) -> None:
    combo = window.playground_tab.model_combo

    ids = [combo.itemData(i, ModelIdRole) for i in range(combo.count())]

    assert MODEL in ids
    assert "text-embedding-3-small" not in ids
    assert combo.currentIndex() >= 0


def test_retired_model_is_listed_but_disabled_when_past_shutdown(window: MainWindow) -> None:
    service = context_of(window).connection_service
    playground = PlaygroundWidget(service, today=lambda: dt.date(2026, 12, 1))
    combo = playground.model_combo

    row = next(
        i for i in range(combo.count()) if combo.itemData(i, ModelIdRole) == "gpt-3.5-turbo-0125"
    )
    item_flags = combo.model().flags(combo.model().index(row, 0))

    assert "(retired)" in combo.itemText(row)
    assert not item_flags & Qt.ItemFlag.ItemIsEnabled
    assert not playground.select_model("gpt-3.5-turbo-0125")
    playground.shutdown()


def test_reply_streams_in_and_shows_tokens_when_message_is_sent(
    make_window: WindowFactory,
    slow_emulator: Emulator,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: Any,
) -> None:
    # A token every 50 ms: slower than the screen refresh, so each piece shows on its own.
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    playground = window.playground_tab
    lengths: list[int] = []
    playground.reply_view.textChanged.connect(
        lambda: lengths.append(len(playground.reply_view.toPlainText()))
    )

    task = type_and_send(qtbot, playground, "How do I reset my password?")
    assert not playground.send_button.isEnabled()
    assert playground.stop_button.isEnabled()
    run(qasync_loop, task)

    reply = playground.reply_view.toPlainText()
    growing = [n for n in lengths if n > 0]
    assert "password" in reply
    assert len(growing) > 3 and growing == sorted(growing), (
        "the reply did not arrive piece by piece"
    )
    assert "input tokens" in playground.info_label.text()
    assert "simulated, no cost" in playground.info_label.text()
    assert playground.send_button.isEnabled() and not playground.stop_button.isEnabled()
    assert shown_errors == []


def test_ctrl_enter_sends_when_typing_a_message(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    assert playground.select_model(MODEL)
    qtbot.keyClicks(playground.message_edit, "Hello")

    qtbot.keyClick(playground.message_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert playground.reply_task is not None
    run(qasync_loop, playground.reply_task)
    assert playground.reply_view.toPlainText()


def test_stop_keeps_partial_reply_when_clicked_mid_stream(
    make_window: WindowFactory, slow_emulator: Emulator, qasync_loop: Any, qtbot: Any
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    playground = window.playground_tab
    full_reply_pieces = 10

    task = type_and_send(qtbot, playground, "Tell me about refunds")
    run(
        qasync_loop,
        next_emission(
            playground.reply_view.textChanged,
            lambda: len(playground.reply_view.toPlainText().split()) >= 3,
        ),
    )
    qtbot.mouseClick(playground.stop_button, Qt.MouseButton.LeftButton)
    run(qasync_loop, asyncio.gather(task, return_exceptions=True))

    partial = playground.reply_view.toPlainText()
    assert partial, "the partial reply was thrown away"
    assert len(partial.split()) < full_reply_pieces * 3
    assert "Stopped" in playground.info_label.text()
    assert playground.send_button.isEnabled() and not playground.stop_button.isEnabled()


def test_cut_stream_keeps_partial_reply_and_says_it_was_cut(
    emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: list[ShownError], window: MainWindow
) -> None:
    playground = window.playground_tab
    emulator.faults = Faults(cut_stream_after=5)

    run(qasync_loop, type_and_send(qtbot, playground, "What are your opening hours?"))

    assert playground.reply_view.toPlainText(), "the part received was lost"
    assert len(shown_errors) == 1
    assert "cut off" in shown_errors[0].message
    assert "cut off" in playground.info_label.text()


def test_status_bar_shows_retrying_when_rate_limited(
    emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    emulator.faults = Faults(rate_limit_first=1, retry_after=1)
    seen: list[str] = []
    service = context_of(window).connection_service
    service.retrying.connect(
        lambda status: seen.append(window.connection_status.text) if status else None
    )

    run(qasync_loop, type_and_send(qtbot, playground, "Hello"))

    assert any("Retrying in 1 s…" in text for text in seen), seen
    assert playground.reply_view.toPlainText()
    assert shown_errors == []
    # The label goes when the request's task has finished; its done-callbacks run on a later turn.
    status = window.connection_status
    run(qasync_loop, until(lambda: not status.retry_label.isVisibleTo(status)), timeout=5)


def test_cancel_in_status_bar_stops_request_when_waiting_to_retry(
    emulator: Any, qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    playground = window.playground_tab
    emulator.faults = Faults(rate_limit_first=1, retry_after=30)
    status = window.connection_status

    task = type_and_send(qtbot, playground, "Hello")
    run(qasync_loop, next_emission(context_of(window).connection_service.retrying))
    assert status.cancel_button.isVisibleTo(status)
    qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
    run(qasync_loop, asyncio.gather(task, return_exceptions=True), timeout=5)

    assert "Stopped" in playground.info_label.text()
    run(qasync_loop, until(lambda: not status.retry_label.isVisibleTo(status)), timeout=5)


def test_azure_connection_offers_its_deployments_and_chats_with_them_when_active(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    from desktop.core.connections import ConnectionKind, ConnectionProfile

    window = make_window(demo_url=emulator.base_url)
    context = context_of(window)
    profile = context.profiles.save(
        ConnectionProfile(
            id="azure1",
            name="contoso",
            kind=ConnectionKind.AZURE,
            azure_endpoint=emulator.base_url.removesuffix("/v1"),
            deployments=(MODEL,),
        )
    )
    context.keychain.set(profile.id, "azure-key-1234")
    playground = window.playground_tab
    window.tabs.setCurrentWidget(playground)

    run(qasync_loop, context.connection_service.activate(profile.id))
    combo = playground.model_combo
    labels = [combo.itemText(i) for i in range(combo.count())]

    assert labels == [f"{MODEL}  ·  deployment"]
    assert window.connection_status.text.startswith("Azure — contoso")
    run(qasync_loop, type_and_send(qtbot, playground, "Hello from Azure"))
    assert playground.reply_view.toPlainText()
    assert any(r.path.startswith(f"/openai/deployments/{MODEL}/") for r in emulator.requests)
    assert shown_errors == []
