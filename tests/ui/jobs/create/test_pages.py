"""The create dialog's pages against the emulator: checks, models, settings, quote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.dataset import DatasetFormat
from tests.api.support import write_training_file
from tests.ui.jobs.create.conftest import MODEL, DialogFactory, dpo_line
from tests.ui.loop_helpers import run

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_quote_is_shown_and_create_waits_for_the_confirmation(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    driver = open_dialog()
    dialog = driver.dialog
    driver.choose_training(write_training_file(tmp_path, examples=20))
    assert dialog.model_page.select(MODEL)

    driver.to_review()

    quote = dialog.review_page.quote_label.text()
    assert "billable tokens × 5 epochs (estimated) × $3.00 per 1M tokens" in quote
    assert "prices as of" in quote and "simulated" in quote
    assert "Retires on 2027-01-14" in dialog.review_page.summary_label.text()
    assert not dialog.create_button.isEnabled()
    assert "Confirm the estimated cost" in dialog.hint_label.text()
    driver.click(dialog.review_page.confirm_check)
    assert dialog.create_button.isEnabled()


def test_file_with_errors_blocks_with_the_reason_and_the_line(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    with path.open("a") as broken:
        broken.write("{not json\n")
    driver = open_dialog()

    driver.choose_training(path)

    status = driver.dialog.data_page.training_file.status_label.text()
    assert "line 13" in status and "train.jsonl cannot be used" in status
    assert not driver.dialog.next_button.isEnabled()
    assert driver.dialog.hint_label.text() == status


def test_retiring_model_carries_a_warning_with_the_date(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    driver = open_dialog()
    driver.choose_training(write_training_file(tmp_path))
    driver.next()
    page = driver.dialog.model_page

    assert page.select(MODEL)

    assert page.warning_label.isVisibleTo(page)
    assert "Retires on 2027-01-14 (48 days)" in page.warning_label.text()
    item = page.item_for(MODEL)
    assert item is not None and item.text().startswith("⚠ ")
    assert page.select("gpt-4.1-nano-2025-04-14")
    assert not page.warning_label.isVisibleTo(page)


def test_retired_model_is_listed_but_cannot_be_chosen(
    open_dialog: DialogFactory, tmp_path: Path, qtbot: Any
) -> None:
    driver = open_dialog()
    driver.choose_training(write_training_file(tmp_path))
    driver.next()
    page = driver.dialog.model_page
    item = page.item_for("gpt-3.5-turbo-0125")
    assert item is not None and "retired on 2026-10-23" in item.text()

    rect = page.list.visualItemRect(item)
    qtbot.mouseClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not page.select("gpt-3.5-turbo-0125")
    assert page.selected is not None and page.selected.id != "gpt-3.5-turbo-0125"


def test_invalid_suffix_is_shown_while_typing_and_blocks_next(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    driver = open_dialog()
    driver.choose_training(write_training_file(tmp_path))
    driver.next()
    driver.next()
    page = driver.dialog.settings_page

    driver.type_into(page.suffix_edit, "my model!")

    assert page.suffix_problem.isVisibleTo(page)
    assert "Remove a space, “!”" in page.suffix_problem.text()
    assert not driver.dialog.next_button.isEnabled()
    driver.type_into(page.suffix_edit, "my-model")
    assert not page.suffix_problem.isVisibleTo(page)
    assert driver.dialog.next_button.isEnabled()


def test_advanced_settings_are_checked_against_the_documented_ranges(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    driver = open_dialog()
    driver.choose_training(write_training_file(tmp_path))
    driver.next()
    driver.next()
    page = driver.dialog.settings_page
    assert not page.advanced_box.isVisibleTo(page)

    driver.click(page.advanced_check)
    driver.type_into(page.epochs_edit, "80")

    assert "from 1 to 50" in page.advanced_problems.text()
    assert not driver.dialog.next_button.isEnabled()
    driver.type_into(page.epochs_edit, "3")
    assert driver.dialog.next_button.isEnabled()
    assert page.hyperparameters.n_epochs == 3


def test_dpo_dataset_forces_dpo_and_a_chat_dataset_forbids_it(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    dpo = tmp_path / "prefs.jsonl"
    dpo.write_text("".join(dpo_line(i) + "\n" for i in range(12)))
    driver = open_dialog()
    driver.choose_training(dpo)
    assert driver.dialog.data_page.training_format is DatasetFormat.DPO
    driver.next()
    models = driver.dialog.model_page
    item = models.item_for(MODEL)
    assert item is not None and not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert models.select("gpt-4.1-mini-2025-04-14")
    driver.next()
    settings = driver.dialog.settings_page
    assert settings.dpo_radio.isChecked() and not settings.supervised_radio.isEnabled()

    driver.click(driver.dialog.back_button)
    driver.click(driver.dialog.back_button)
    driver.choose_training(write_training_file(tmp_path))
    driver.next()
    driver.next()
    assert settings.supervised_radio.isChecked() and not settings.dpo_radio.isEnabled()


def test_stop_ends_the_check_and_the_file_cannot_be_used_until_checked_again(
    open_dialog: DialogFactory, tmp_path: Path, qasync_loop: Any
) -> None:
    path = write_training_file(tmp_path, examples=3000)
    driver = open_dialog()
    field = driver.dialog.data_page.training_file
    driver.type_into(field.path_edit, str(path), enter=True)
    assert field.progress_bar.isVisibleTo(field) and field.is_busy

    driver.click(field.stop_button)
    assert field.check_task is not None
    run(qasync_loop, field.check_task)

    assert "The check was stopped" in field.status_label.text()
    assert not driver.dialog.next_button.isEnabled()
    assert not field.progress_bar.isVisibleTo(field)
    driver.choose_training(path)
    assert field.usable is not None and driver.dialog.next_button.isEnabled()


def test_a_file_already_on_the_connection_can_be_chosen_from_the_list(
    open_dialog: DialogFactory, tmp_path: Path, qasync_loop: Any
) -> None:
    driver = open_dialog()
    provider = run(qasync_loop, driver.dialog.env.provider())
    stored = run(qasync_loop, provider.upload_file(write_training_file(tmp_path)))
    data = driver.dialog.data_page

    driver.click(data.remote_radio)
    assert data.training_remote.load_task is not None
    run(qasync_loop, data.training_remote.load_task)

    assert data.training_remote.file_id == stored.id
    assert "train.jsonl" in data.training_remote.combo.currentText()
    assert driver.dialog.next_button.isEnabled()


def test_quote_uses_the_price_entered_in_the_datasets_tab(
    open_dialog: DialogFactory, tmp_path: Path, ui_settings: Any
) -> None:
    ui_settings.setValue(f"datasets/training_price/{MODEL}", "5.5")
    driver = open_dialog()
    driver.choose_training(write_training_file(tmp_path, examples=20))
    assert driver.dialog.model_page.select(MODEL)
    item = driver.dialog.model_page.item_for(MODEL)
    assert item is not None and "$5.50 per 1M training tokens (your price)" in item.text()

    driver.to_review()

    quote = driver.dialog.review_page.quote_label.text()
    assert "× $5.50 per 1M tokens" in quote and "price entered by you" in quote


def test_sample_dataset_button_checks_an_editable_copy_in_the_app_folder(
    open_dialog: DialogFactory, qasync_loop: Any, isolated_home: Path
) -> None:
    driver = open_dialog()
    data = driver.dialog.data_page

    driver.click(data.sample_button)
    assert data.sample_task is not None
    run(qasync_loop, data.sample_task, timeout=60)

    field = data.training_file
    assert field.path is not None and field.path.is_relative_to(isolated_home)
    assert field.path.name == "customer-support-sample.jsonl"
    assert field.usable is not None and field.usable.report.stats.examples == 70
    assert driver.dialog.next_button.isEnabled()


def test_quote_says_when_examples_are_longer_than_the_model_takes(
    open_dialog: DialogFactory, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    huge = {
        "messages": [
            {"role": "user", "content": "Summarise: " + "lorem ipsum dolor " * 25_000},
            {"role": "assistant", "content": "It repeats itself."},
        ]
    }
    with path.open("a") as file:
        file.write(json.dumps(huge) + "\n")
    driver = open_dialog()
    driver.choose_training(path)
    assert driver.dialog.model_page.select(MODEL)

    driver.to_review()

    quote = driver.dialog.review_page.quote_label.text()
    assert "1 example(s) are longer than 65,536 tokens and will be cut short" in quote
