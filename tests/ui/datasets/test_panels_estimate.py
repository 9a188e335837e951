"""Estimate panel: model picker with retirement dates, billable tokens, cost, editable price."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.api.connection import ActiveConnection
from desktop.core.catalog import ModelCatalog, load_catalog
from desktop.core.connections import demo_profile
from desktop.core.dataset import DatasetReport, check_file
from desktop.core.types import ModelInfo
from desktop.storage.database import Database
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.connection_service import ConnectionService
from desktop.ui.datasets.panels import EstimatePanel
from desktop.ui.datasets.panels.estimate_choices import ModelIdRole
from desktop.ui.datasets.panels.formatting import format_money
from tests.api.support import write_training_file
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui

TODAY = dt.date(2026, 11, 27)


def _model(model_id: str, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": model_id,
        "family": "test",
        "encoding": "o200k_base",
        "training_context_tokens": 65536,
        "pricing": {"training": 3.0, "input": None, "output": None},
        "methods": ["supervised"],
        "shutdown_date": None,
        "source": "https://example.com/models",
        "as_of": "2026-11-01",
    }
    entry.update(overrides)
    return entry


CATALOG = load_catalog(
    json.dumps(
        {
            "as_of": "2026-11-01",
            "currency": "USD",
            "models": [
                _model("retired-model", shutdown_date="2026-10-01"),
                _model("current-model"),
                _model("soon-model", shutdown_date="2027-01-06"),
                _model("no-price-model", pricing={"training": None}),
                _model("short-model", training_context_tokens=30),
                _model("cl100k-model", encoding="cl100k_base"),
                _model("dpo-model", methods=["supervised", "dpo"]),
            ],
        }
    )
)


@pytest.fixture
def service(qasync_loop: Any, fake_keyring: Any, tmp_path: Path) -> Iterator[ConnectionService]:
    database = Database(tmp_path / "app.db")
    service = ConnectionService(
        ActiveConnection(demo_profile()),
        profiles=ProfileStore(database),
        keychain=Keychain(),
        demo_base_url_factory=lambda: "http://127.0.0.1:9/v1",
    )
    yield service
    run(qasync_loop, service.aclose())
    database.close()


@pytest.fixture
def report(tmp_path: Path) -> DatasetReport:
    path = write_training_file(tmp_path, examples=12)
    return check_file(path, encoding_name="o200k_base", context_limit=65536)


def _panel(
    qtbot: Any, service: ConnectionService, settings: QSettings, catalog: ModelCatalog = CATALOG
) -> EstimatePanel:
    panel = EstimatePanel(lambda: catalog, service=service, today=lambda: TODAY, settings=settings)
    qtbot.addWidget(panel)
    return panel


def _row_text(panel: EstimatePanel, model_id: str) -> str:
    model = panel.model_combo.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(ModelIdRole) == model_id:
            return str(index.data())
    raise AssertionError(f"{model_id} not listed")


def _row_enabled(panel: EstimatePanel, model_id: str) -> bool:
    model = panel.model_combo.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(ModelIdRole) == model_id:
            return bool(model.flags(index) & Qt.ItemFlag.ItemIsEnabled)
    raise AssertionError(f"{model_id} not listed")


def test_shows_billable_tokens_and_cost_when_a_small_file_is_estimated(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)

    assert panel.select_model("current-model")
    billable = report.stats.billable_tokens
    epochs = 100 // 12  # the service's default for 12 examples
    cost = Decimal(billable) * epochs * Decimal(3) / 1_000_000
    figures = panel.figures
    assert figures is not None
    assert (figures.billable_tokens, figures.epochs, figures.cost) == (billable, epochs, cost)
    assert panel.billable_label.text().startswith(f"{billable:,} per epoch")
    assert panel.cost_label.text() == format_money(cost)
    assert "prices as of 1 November 2026, an estimate" in panel.note_label.text()
    assert panel.over_limit_label.text() == "None"


def test_cost_follows_the_price_when_the_user_edits_it_and_is_remembered(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)
    panel.select_model("current-model")

    panel.price_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.price_spin, "2500")

    figures = panel.figures
    assert figures is not None and figures.billable_tokens is not None
    expected = Decimal(figures.billable_tokens) * figures.epochs * 2500 / 1_000_000
    assert figures.cost == expected
    assert panel.cost_label.text() == f"${expected:,.2f}"
    assert "your price" in panel.note_label.text()
    again = _panel(qtbot, service, ui_settings)
    again.set_dataset(report.path, report)
    again.select_model("current-model")
    assert again.price_spin.value() == 2500.0


def test_user_epochs_replace_the_default_when_set(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)
    panel.select_model("current-model")
    assert panel.epochs_spin.text() == "Automatic (8)"

    panel.epochs_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.epochs_spin, "2")

    figures = panel.figures
    assert figures is not None and figures.epochs == 2
    assert figures.cost == Decimal(report.stats.billable_tokens) * 2 * 3 / 1_000_000


def test_retired_model_is_disabled_and_retiring_one_is_marked_when_listed(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings
) -> None:
    panel = _panel(qtbot, service, ui_settings)

    assert not _row_enabled(panel, "retired-model")
    assert "retired on 1 October 2026" in _row_text(panel, "retired-model")
    assert _row_enabled(panel, "soon-model")
    assert "retires in 40 days" in _row_text(panel, "soon-model")
    assert not panel.select_model("retired-model")
    assert panel.selected_model is not None and panel.selected_model.id == "current-model"


def test_connection_shutdown_date_wins_over_the_catalog_when_the_connection_lists_one(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings
) -> None:
    panel = _panel(qtbot, service, ui_settings)

    service._set_models((ModelInfo(id="current-model", shutdown_date=dt.date(2026, 11, 1)),))

    assert not _row_enabled(panel, "current-model")
    assert panel.selected_model is not None and panel.selected_model.id != "current-model"


def test_says_price_unknown_when_the_catalog_has_no_price(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)
    panel.select_model("no-price-model")

    assert panel.price_spin.text() == "price unknown"
    assert panel.cost_label.text().startswith("Price unknown")


def test_asks_for_a_recheck_when_the_model_counts_tokens_with_another_encoding(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)

    with qtbot.waitSignal(panel.recheck_requested) as emitted:
        panel.select_model("cl100k-model")

    assert emitted.args == ["cl100k_base"]
    assert "re-check needed for exact tokens" in panel.encoding_label.text()
    assert panel.tokens_label.text().startswith("about ")


def test_flags_examples_over_a_shorter_limit_as_needing_a_recheck_when_limits_differ(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)
    panel.select_model("short-model")

    figures = panel.figures
    assert figures is not None and figures.billable_tokens is None
    assert panel.billable_label.text() == "re-check needed"


def test_counts_examples_over_the_limit_when_the_report_used_that_limit(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    checked = check_file(path, encoding_name="o200k_base", context_limit=30)
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(path, checked)
    panel.select_model("short-model")

    assert checked.stats.over_limit == 12
    assert panel.figures is not None and panel.figures.billable_tokens == 12 * 30
    assert panel.over_limit_label.text().startswith("12 example(s) longer than 30 tokens")


def test_refuses_a_dpo_file_when_the_model_cannot_train_on_it(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, tmp_path: Path
) -> None:
    line = {
        "input": {"messages": [{"role": "user", "content": "Hi"}]},
        "preferred_output": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_output": [{"role": "assistant", "content": "What."}],
    }
    path = tmp_path / "dpo.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for _ in range(12)))
    checked = check_file(path, encoding_name="o200k_base", context_limit=65536)
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(path, checked)

    panel.select_model("current-model")
    assert "cannot be trained on" in panel.format_label.text()
    panel.select_model("dpo-model")
    assert panel.format_label.text() == ""


def test_asks_once_per_encoding_and_again_when_the_user_switches_back_after_a_recheck(
    qtbot: Any, service: ConnectionService, ui_settings: QSettings, report: DatasetReport
) -> None:
    panel = _panel(qtbot, service, ui_settings)
    panel.set_dataset(report.path, report)
    asked: list[str] = []
    panel.recheck_requested.connect(asked.append)

    panel.select_model("cl100k-model")
    panel.set_dataset(report.path, report)  # a re-check that did not change the encoding
    assert asked == ["cl100k_base"]
    rechecked = check_file(report.path, encoding_name="cl100k_base", context_limit=65536)
    panel.set_dataset(report.path, rechecked)
    assert not panel.encoding_label.isVisibleTo(panel)
    assert panel.figures is not None and panel.figures.exact_tokens
    panel.select_model("current-model")

    assert asked == ["cl100k_base", "o200k_base"]
    qtbot.mouseClick(panel.recheck_button, Qt.MouseButton.LeftButton)
    assert asked == ["cl100k_base", "o200k_base", "o200k_base"]
