"""The Playground's generation settings: system prompt, temperature, top-p, max output tokens,
stop sequences and seed, in a panel that folds away, with saved presets.

Empty fields leave the service's default. Values are checked with the core's
``settings_problems``; what is wrong is said under the fields in plain words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.playground.presets import (
    MAX_STOP_SEQUENCES,
    GenerationSettings,
    Preset,
    settings_phrases,
    settings_problems,
)
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.dialogs import ask_text

if TYPE_CHECKING:
    from desktop.storage.playground_store import PlaygroundStore

STOP_SEPARATOR = "|"
"""Stop sequences are typed on one line, separated by this; ``\\n`` stands for a new line."""


def _parse_float(text: str, name: str, problems: list[str]) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        problems.append(f"{name} must be a number, not “{text}”.")
        return None


def _parse_int(text: str, name: str, problems: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(f"{name} must be a whole number, not “{text}”.")
        return None


def parse_stop_sequences(text: str) -> tuple[str, ...]:
    """Stop sequences from the field: separated by ``|``, ``\\n`` meaning a new line."""
    if not text.strip():
        return ()
    return tuple(part.replace("\\n", "\n") for part in text.split(STOP_SEPARATOR))


def format_stop_sequences(stop: tuple[str, ...]) -> str:
    """The field's text for ``stop`` (the reverse of :func:`parse_stop_sequences`)."""
    return STOP_SEPARATOR.join(s.replace("\n", "\\n") for s in stop)


def _number_text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


class SettingsPanelWidget(QWidget):
    """The settings fields and the preset row; folds to a single "Settings" button.

    Call only from the GUI thread.
    """

    changed = Signal()
    """A field changed (the owner re-checks whether a message can be sent)."""

    def __init__(self, store: PlaygroundStore | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.toggle_button = QToolButton()
        self.toggle_button.setObjectName("settingsToggle")
        self.toggle_button.setText("Settings")
        self.toggle_button.setCheckable(True)
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle_button.setArrowType(Qt.ArrowType.RightArrow)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("settingsSummary")
        head = QHBoxLayout()
        head.addWidget(self.toggle_button)
        head.addWidget(self.summary_label, 1)
        outer.addLayout(head)

        self.body = QWidget()
        self.body.setObjectName("settingsBody")
        form = QFormLayout(self.body)
        form.setContentsMargins(8, 0, 0, 0)
        self.system_edit = QPlainTextEdit()
        self.system_edit.setObjectName("systemMessage")
        self.system_edit.setPlaceholderText(
            "Optional instructions for the model, e.g. “You answer as our support team.”"
        )
        self.system_edit.setTabChangesFocus(True)
        self.system_edit.setMaximumHeight(72)
        self.temperature_edit = self._field("temperatureEdit", "default (0 to 2)")
        self.top_p_edit = self._field("topPEdit", "default (0 to 1)")
        self.max_tokens_edit = self._field("maxTokensEdit", "default")
        self.stop_edit = self._field(
            "stopEdit", f"up to {MAX_STOP_SEQUENCES}, separated by |  (\\n = new line)"
        )
        self.seed_edit = self._field("seedEdit", "none")
        self.seed_edit.setToolTip("A whole number: the same seed and settings repeat a reply")
        form.addRow("Instructions", self.system_edit)
        numbers = QHBoxLayout()
        for label, edit in (
            ("Temperature", self.temperature_edit),
            ("Top-p", self.top_p_edit),
            ("Max output tokens", self.max_tokens_edit),
            ("Seed", self.seed_edit),
        ):
            caption = QLabel(label)
            caption.setBuddy(edit)
            numbers.addWidget(caption)
            numbers.addWidget(edit, 1)
        form.addRow(numbers)
        form.addRow("Stop sequences", self.stop_edit)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("settingsProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setVisible(False)
        form.addRow(self.problems_label)

        presets = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.setMinimumWidth(180)
        self.preset_combo.setPlaceholderText("No saved presets")
        self.apply_preset_button = QPushButton("Apply")
        self.apply_preset_button.setObjectName("applyPresetButton")
        self.apply_preset_button.setToolTip("Fill the fields with the chosen preset")
        self.save_preset_button = QPushButton("Save as preset…")
        self.save_preset_button.setObjectName("savePresetButton")
        self.delete_preset_button = QPushButton("Delete preset")
        self.delete_preset_button.setObjectName("deletePresetButton")
        for widget in (
            self.preset_combo,
            self.apply_preset_button,
            self.save_preset_button,
            self.delete_preset_button,
        ):
            presets.addWidget(widget)
        presets.addStretch(1)
        form.addRow("Presets", presets)
        outer.addWidget(self.body)
        self.body.setVisible(False)

        self.toggle_button.toggled.connect(self._on_toggled)
        self.apply_preset_button.clicked.connect(self._on_apply_preset_clicked)
        self.save_preset_button.clicked.connect(self._on_save_preset_clicked)
        self.delete_preset_button.clicked.connect(self._on_delete_preset_clicked)
        self.system_edit.textChanged.connect(self._on_field_changed)
        for edit in self._number_edits():
            edit.textChanged.connect(self._on_field_changed)
        self.reload_presets()
        self._on_field_changed()

    def _field(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _number_edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.temperature_edit,
            self.top_p_edit,
            self.max_tokens_edit,
            self.stop_edit,
            self.seed_edit,
        )

    # ------------------------------------------------------------------ values

    @property
    def system_prompt(self) -> str:
        return self.system_edit.toPlainText()

    def read(self) -> tuple[GenerationSettings, list[str]]:
        """The settings in the fields and every problem with them (empty when valid)."""
        problems: list[str] = []
        settings = GenerationSettings(
            temperature=_parse_float(self.temperature_edit.text(), "Temperature", problems),
            top_p=_parse_float(self.top_p_edit.text(), "Top-p", problems),
            max_tokens=_parse_int(self.max_tokens_edit.text(), "Max output tokens", problems),
            stop=parse_stop_sequences(self.stop_edit.text()),
            seed=_parse_int(self.seed_edit.text(), "Seed", problems),
        )
        return settings, problems + settings_problems(settings)

    def show_values(self, system_prompt: str, settings: GenerationSettings) -> None:
        """Fill the fields (a reopened session, an applied preset)."""
        self.system_edit.setPlainText(system_prompt)
        self.temperature_edit.setText(_number_text(settings.temperature))
        self.top_p_edit.setText(_number_text(settings.top_p))
        self.max_tokens_edit.setText(_number_text(settings.max_tokens))
        self.stop_edit.setText(format_stop_sequences(settings.stop))
        self.seed_edit.setText(_number_text(settings.seed))

    def _on_field_changed(self) -> None:
        settings, problems = self.read()
        self.problems_label.setText(" ".join(problems))
        self.problems_label.setVisible(bool(problems))
        if problems:
            self.toggle_button.setChecked(True)  # never hide why Send is refused
        shown = settings_phrases(settings)
        if self.system_prompt.strip():
            shown.insert(0, "instructions")
        self.summary_label.setText(" · ".join(shown) if shown else "defaults")
        self.changed.emit()

    def _on_toggled(self, shown: bool) -> None:
        self.body.setVisible(shown)
        self.toggle_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    # ------------------------------------------------------------------ presets

    def reload_presets(self, *, select: str | None = None) -> None:
        """Re-read the saved presets into the list (choosing ``select`` if given)."""
        presets = self._store.presets() if self._store is not None else []
        current = select or self.preset_combo.currentText()
        self.preset_combo.clear()
        for preset in presets:
            self.preset_combo.addItem(preset.name)
        index = self.preset_combo.findText(current) if current else -1
        self.preset_combo.setCurrentIndex(index if index >= 0 else (0 if presets else -1))
        has = bool(presets)
        self.apply_preset_button.setEnabled(has)
        self.delete_preset_button.setEnabled(has)
        self.save_preset_button.setEnabled(self._store is not None)

    def _chosen_preset(self) -> Preset | None:
        if self._store is None:
            return None
        name = self.preset_combo.currentText()
        return next((p for p in self._store.presets() if p.name == name), None)

    def _on_apply_preset_clicked(self) -> None:
        preset = self._chosen_preset()
        if preset is not None:
            self.show_values(preset.system_prompt, preset.settings)

    def _on_save_preset_clicked(self) -> None:
        if self._store is None:
            return
        settings, problems = self.read()
        if problems:
            self.toggle_button.setChecked(True)
            return
        name = ask_text(
            self, "Save preset", "Name of the preset:", text=self.preset_combo.currentText()
        )
        if name is None:
            return
        try:
            saved = self._store.save_preset(Preset(name, settings, self.system_prompt))
        except FinetuneError as exc:
            show_error(self, exc)
            return
        self.reload_presets(select=saved.name)

    def _on_delete_preset_clicked(self) -> None:
        name = self.preset_combo.currentText()
        if self._store is None or not name:
            return
        if not confirm(self, "Delete preset", f"Delete the preset “{name}”?", action="Delete"):
            return
        try:
            self._store.delete_preset(name)
        except FinetuneError as exc:
            show_error(self, exc)
            return
        self.reload_presets()
