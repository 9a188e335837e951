"""Importing a CSV, TSV or Excel table: choose the sheet, map the columns, preview, convert.

The dialog only collects the choices and shows a preview; the tab converts (in a worker, with
progress) once it is accepted. Open it with ``open()`` and connect ``accepted``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.datasets_io.tabular import ColumnMapping, TablePreview
from desktop.core.errors import FinetuneError

PreviewLoader = Callable[[Path, str | None], TablePreview]
NO_COLUMN = "(none)"
PREVIEW_EXAMPLES = 3
_GUESSES = {
    "user": ("user", "question", "prompt", "input", "frage"),
    "assistant": ("assistant", "answer", "reply", "response", "output", "completion", "antwort"),
    "system": ("system", "instructions"),
}


def _guess(columns: tuple[str, ...], role: str) -> str | None:
    for column in columns:
        if any(word in column.lower() for word in _GUESSES[role]):
            return column
    return None


def preview_examples(preview: TablePreview, mapping: ColumnMapping) -> list[dict[str, object]]:
    """The first examples the mapping would produce from the preview rows (rows it would skip
    are left out, as the conversion does)."""
    position = {name: i for i, name in enumerate(preview.columns)}
    out: list[dict[str, object]] = []
    for values in preview.rows:
        user = values[position[mapping.user]].strip()
        assistant = values[position[mapping.assistant]].strip()
        if not user or not assistant:
            continue
        system = values[position[mapping.system]].strip() if mapping.system else ""
        system = system or (mapping.fixed_system_prompt or "").strip()
        messages = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        out.append({"messages": messages})
        if len(out) >= PREVIEW_EXAMPLES:
            break
    return out


class ImportWizardDialog(QDialog):
    """Choices for importing ``path``; ``mapping()`` and ``sheet()`` once accepted."""

    def __init__(
        self,
        path: Path,
        preview: TablePreview,
        *,
        load_preview: PreviewLoader,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(f"Import “{path.name}”")
        self.resize(680, 560)
        self._path = path
        self._load_preview = load_preview
        self._preview = preview
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Each row of the table becomes one example. Choose which column holds what the user "
            "says and which holds the answer you want. The table itself is not changed: a new "
            "JSONL file is created next to it."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheetCombo")
        self.sheet_combo.addItems(list(preview.sheet_names))
        if preview.sheet:
            self.sheet_combo.setCurrentText(preview.sheet)
        self.sheet_combo.currentTextChanged.connect(self._on_sheet_changed)
        if preview.sheet_names:
            form.addRow("Sheet:", self.sheet_combo)
        else:
            self.sheet_combo.hide()
        self.user_combo = QComboBox()
        self.assistant_combo = QComboBox()
        self.system_combo = QComboBox()
        for name, combo in (
            ("userColumnCombo", self.user_combo),
            ("assistantColumnCombo", self.assistant_combo),
            ("systemColumnCombo", self.system_combo),
        ):
            combo.setObjectName(name)
            combo.currentTextChanged.connect(self._on_choice_changed)
        form.addRow("User message column:", self.user_combo)
        form.addRow("Answer (assistant) column:", self.assistant_combo)
        form.addRow("System message column (optional):", self.system_combo)
        self.system_prompt_edit = QLineEdit()
        self.system_prompt_edit.setObjectName("fixedSystemPrompt")
        self.system_prompt_edit.setPlaceholderText(
            "Or type one system message for every example (optional)"
        )
        self.system_prompt_edit.textChanged.connect(self._on_choice_changed)
        form.addRow("Fixed system message:", self.system_prompt_edit)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview of the first examples:"))
        self.preview_edit = QPlainTextEdit()
        self.preview_edit.setObjectName("importPreview")
        self.preview_edit.setReadOnly(True)
        layout.addWidget(self.preview_edit, 1)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.problem_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.convert_button = QPushButton("Convert")
        self.convert_button.setObjectName("convertTableButton")
        self.convert_button.setDefault(True)
        self.buttons.addButton(self.convert_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fill_columns()

    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() or None if self._preview.sheet_names else None

    def mapping(self) -> ColumnMapping | None:
        """The chosen mapping, or None while user and answer columns are not both chosen."""
        user, assistant = self.user_combo.currentText(), self.assistant_combo.currentText()
        system = self.system_combo.currentText()
        if user in ("", NO_COLUMN) or assistant in ("", NO_COLUMN) or user == assistant:
            return None
        return ColumnMapping(
            user=user,
            assistant=assistant,
            system=None if system in ("", NO_COLUMN) else system,
            fixed_system_prompt=self.system_prompt_edit.text().strip() or None,
        )

    def _fill_columns(self) -> None:
        columns = self._preview.columns
        for combo, role in (
            (self.user_combo, "user"),
            (self.assistant_combo, "assistant"),
            (self.system_combo, "system"),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([NO_COLUMN, *columns])
            guess = _guess(columns, role)
            combo.setCurrentText(guess if guess else NO_COLUMN)
            combo.blockSignals(False)
        self._on_choice_changed()

    def _on_sheet_changed(self, sheet: str) -> None:
        try:
            self._preview = self._load_preview(self._path, sheet or None)
        except FinetuneError as exc:
            self.problem_label.setText(exc.user_message)
            self.convert_button.setEnabled(False)
            return
        self._fill_columns()

    def _on_choice_changed(self, _text: str = "") -> None:
        mapping = self.mapping()
        self.convert_button.setEnabled(mapping is not None)
        if mapping is None:
            self.problem_label.setText(
                "Choose two different columns: one for the user message, one for the answer."
            )
            self.preview_edit.setPlainText("")
            return
        examples = preview_examples(self._preview, mapping)
        self.problem_label.setText(
            "" if examples else "The first rows have an empty user or answer cell."
        )
        self.preview_edit.setPlainText(
            "\n\n".join(_readable(n, e) for n, e in enumerate(examples, start=1))
        )


def load_preview(path: Path, sheet: str | None) -> TablePreview:
    """The wizard's preview of ``path`` (its first rows; quick even for big tables)."""
    from desktop.core.datasets_io.tabular import read_table_preview

    return read_table_preview(path, sheet=sheet)


def _readable(number: int, example: dict[str, object]) -> str:
    """An example as people read it: one "Role: text" line per message."""
    lines = [f"Example {number}"]
    messages = example.get("messages")
    for message in messages if isinstance(messages, list) else []:
        role = str(message.get("role", "")).capitalize()
        lines.append(f"  {role}: {message.get('content', '')}")
    return "\n".join(lines)


async def open_import_wizard(
    parent: QWidget,
    path: Path,
    on_chosen: Callable[[Path, ColumnMapping, str | None], None],
) -> ImportWizardDialog:
    """Read the table's first rows (in a worker) and open the wizard over ``parent``.

    ``on_chosen(path, mapping, sheet)`` is called when the user clicks Convert.

    Raises:
        DatasetFileError: the table cannot be read (message names the file and the fix).
    """
    preview = await asyncio.to_thread(load_preview, path, None)
    dialog = ImportWizardDialog(path, preview, load_preview=load_preview, parent=parent)

    def accepted() -> None:
        mapping = dialog.mapping()
        if mapping is not None:
            on_chosen(path, mapping, dialog.sheet())

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
