"""The right-hand form of the Settings dialog: the fields of one connection profile."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.connections import (
    AZURE_ENDPOINT_EXAMPLE,
    DEFAULT_AZURE_API_VERSION,
    ConnectionKind,
    ConnectionProfile,
    check_url,
    mask_key,
)
from desktop.core.errors import ValidationFailedError
from desktop.ui.settings.deployments import DeploymentsEditor

ERROR_STYLE = "color: #b3261e;"
HINT_STYLE = "color: palette(placeholder-text);"

DEMO_EXPLANATION = (
    "<b>Demo</b> is a built-in simulation of the OpenAI service. It needs no key and costs "
    "nothing, and nothing you do with it leaves this computer. Use it to learn the app: "
    "uploads, training jobs and chat replies are all made up on your machine. "
    "<b>Demo Azure</b> is the same simulation spoken to the way Azure OpenAI is: use the two "
    "to try carrying a job from one connection to another (Jobs → Train again on…)."
)

_KEY_PLACEHOLDERS: dict[ConnectionKind, str] = {
    ConnectionKind.OPENAI: "Paste your API key, e.g. sk-proj-…",
    ConnectionKind.AZURE: "Paste KEY 1 or KEY 2 from the Azure portal",
    ConnectionKind.COMPATIBLE: "Paste the key the server gave you",
}


def field_errors(profile: ConnectionProfile) -> dict[str, str]:
    """Check each field the profile's kind needs; map field name → what the user should fix.

    Mirrors ``desktop.core.connections.validate_profile`` but reports every field, so each
    message can sit next to its own field.
    """
    errors: dict[str, str] = {}
    if profile.kind is ConnectionKind.DEMO:
        return errors
    if not profile.name.strip():
        errors["name"] = "Give the connection a name."
    if profile.kind is ConnectionKind.COMPATIBLE:
        _check_url_field(
            errors,
            "base_url",
            profile.base_url,
            what="base URL",
            missing="Enter the base URL of the compatible endpoint.",
        )
    elif profile.kind is ConnectionKind.AZURE:
        _check_url_field(
            errors,
            "azure_endpoint",
            profile.azure_endpoint,
            what="Azure endpoint",
            missing=f"Enter the Azure endpoint, e.g. {AZURE_ENDPOINT_EXAMPLE}",
            example=AZURE_ENDPOINT_EXAMPLE,
        )
        if not profile.api_version.strip():
            errors["api_version"] = "Enter the Azure API version."
    elif profile.base_url.strip():
        _check_url_field(errors, "base_url", profile.base_url, what="base URL", missing="")
    return errors


def _check_url_field(
    errors: dict[str, str],
    name: str,
    url: str,
    *,
    what: str,
    missing: str,
    example: str = "https://api.example.com/v1",
) -> None:
    if not url.strip():
        errors[name] = missing
        return
    try:
        check_url(url, what=what, example=example)
    except ValidationFailedError as exc:
        errors[name] = exc.user_message


class _CheckedLine(QWidget):
    """A line edit with a red message under it (hidden while the value is fine)."""

    def __init__(self, object_name: str, *, placeholder: str, tooltip: str) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setObjectName(object_name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setToolTip(tooltip)
        self.error = QLabel()
        self.error.setObjectName(f"{object_name}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


class ProfileFormWidget(QWidget):
    """Shows and edits one profile; never touches storage or the keychain.

    The key field only ever holds what the user typed in this session of the form; a stored key
    is represented by its masked last four characters as placeholder text. Call only from the
    GUI thread.
    """

    edited = Signal()
    remove_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: ConnectionProfile | None = None
        self._has_stored_key = False
        self._errors: dict[str, str] = {}

        self.demo_label = QLabel(DEMO_EXPLANATION)
        self.demo_label.setObjectName("demoExplanation")
        self.demo_label.setWordWrap(True)

        self.name = _CheckedLine(
            "nameEdit",
            placeholder="e.g. Work account",
            tooltip="A name you recognise, shown in the status bar and in the connection list.",
        )
        self.endpoint = _CheckedLine(
            "endpointEdit",
            placeholder="e.g. https://contoso.openai.azure.com",
            tooltip="The “Endpoint” shown on your Azure OpenAI resource's Keys and Endpoint page.",
        )
        self.api_version = _CheckedLine(
            "apiVersionEdit",
            placeholder=f"e.g. {DEFAULT_AZURE_API_VERSION}",
            tooltip="Which version of Azure's API to use. Keep the default unless told otherwise.",
        )
        self.base_url = _CheckedLine(
            "baseUrlEdit",
            placeholder="e.g. http://localhost:8000/v1",
            tooltip="The address of the OpenAI-compatible server, usually ending in /v1.",
        )

        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setToolTip(
            "Your secret key. It is kept in this computer's keychain, never in a file."
        )
        self.remove_key_button = QPushButton("Remove key")
        self.remove_key_button.setObjectName("removeKeyButton")
        self.remove_key_button.setToolTip("Forget the saved key for this connection.")
        self.key_status = QLabel()
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.key_status.setStyleSheet(HINT_STYLE)
        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.remove_key_button)
        self.key_box = QWidget()
        key_box_layout = QVBoxLayout(self.key_box)
        key_box_layout.setContentsMargins(0, 0, 0, 0)
        key_box_layout.setSpacing(2)
        key_box_layout.addLayout(key_row)
        key_box_layout.addWidget(self.key_status)

        self.organization = QLineEdit()
        self.organization.setObjectName("organizationEdit")
        self.organization.setPlaceholderText("Optional, e.g. org-AbC123…")
        self.organization.setToolTip(
            "Only if you belong to several OpenAI organizations: the one to bill."
        )
        self.project = QLineEdit()
        self.project.setObjectName("projectEdit")
        self.project.setPlaceholderText("Optional, e.g. proj_AbC123…")
        self.project.setToolTip("Only if your key should act in a specific OpenAI project.")
        self.deployments = DeploymentsEditor()

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow(self.demo_label)
        self.form.addRow("Name:", self.name)
        self.form.addRow("Endpoint:", self.endpoint)
        self.form.addRow("API version:", self.api_version)
        self.form.addRow("Base URL:", self.base_url)
        self.form.addRow("API key:", self.key_box)
        self.form.addRow("Organization ID:", self.organization)
        self.form.addRow("Project ID:", self.project)
        self.form.addRow("Deployments:", self.deployments)

        for line in (self.name, self.endpoint, self.api_version, self.base_url):
            line.edit.textChanged.connect(self._on_field_edited)
        for edit in (self.key_edit, self.organization, self.project):
            edit.textChanged.connect(self._on_field_edited)
        self.deployments.changed.connect(self._on_field_edited)
        self.remove_key_button.clicked.connect(self.remove_key_requested)
        self.setEnabled(False)

    # ------------------------------------------------------------------ showing a profile

    def set_profile(
        self, profile: ConnectionProfile, *, stored_key: str | None, session_only: bool = False
    ) -> None:
        """Show ``profile``; ``stored_key`` is only used to build the masked placeholder."""
        self._profile = profile
        widgets = (
            self.name.edit,
            self.endpoint.edit,
            self.api_version.edit,
            self.base_url.edit,
            self.key_edit,
            self.organization,
            self.project,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.name.edit.setText(profile.name)
            self.endpoint.edit.setText(profile.azure_endpoint)
            self.api_version.edit.setText(profile.api_version or DEFAULT_AZURE_API_VERSION)
            self.base_url.edit.setText(profile.base_url)
            self.organization.setText(profile.organization)
            self.project.setText(profile.project)
            self.key_edit.clear()
            self.deployments.set_deployments(profile.deployments)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.set_stored_key(stored_key, session_only=session_only)
        self._show_rows_for(profile.kind)
        self.setEnabled(True)
        self._validate()

    def set_stored_key(self, stored_key: str | None, *, session_only: bool = False) -> None:
        """Update the placeholder and status line after the stored key changed."""
        kind = self._profile.kind if self._profile else ConnectionKind.OPENAI
        self._has_stored_key = bool(stored_key)
        if stored_key:
            self.key_edit.setPlaceholderText(mask_key(stored_key))
            where = (
                "for this session only (it will be forgotten when the app closes)"
                if session_only
                else "in this computer's keychain"
            )
            self.key_status.setText(
                f"A key is saved {where}. Type a new key to replace it, "
                "or leave the field empty to keep it."
            )
        else:
            self.key_edit.setPlaceholderText(_KEY_PLACEHOLDERS.get(kind, ""))
            self.key_status.setText("No key saved yet.")
        self.key_edit.clear()
        self.remove_key_button.setEnabled(self._has_stored_key)

    def _show_rows_for(self, kind: ConnectionKind) -> None:
        demo = kind is ConnectionKind.DEMO
        azure = kind is ConnectionKind.AZURE
        self.form.setRowVisible(self.demo_label, demo)
        self.form.setRowVisible(self.name, not demo)
        self.form.setRowVisible(self.endpoint, azure)
        self.form.setRowVisible(self.api_version, azure)
        self.form.setRowVisible(self.base_url, kind is ConnectionKind.COMPATIBLE)
        self.form.setRowVisible(self.key_box, not demo)
        self.form.setRowVisible(self.organization, kind is ConnectionKind.OPENAI)
        self.form.setRowVisible(self.project, kind is ConnectionKind.OPENAI)
        self.form.setRowVisible(self.deployments, azure)
        label = self.form.labelForField(self.key_box)
        if isinstance(label, QLabel):
            label.setText("Key:" if azure else "API key:")

    # ------------------------------------------------------------------ reading the form

    @property
    def original(self) -> ConnectionProfile | None:
        """The profile as it was given to ``set_profile``."""
        return self._profile

    @property
    def has_stored_key(self) -> bool:
        return self._has_stored_key

    def profile(self) -> ConnectionProfile:
        """The shown profile with the user's edits (not validated).

        Raises:
            RuntimeError: no profile is shown.
        """
        if self._profile is None:
            raise RuntimeError("no profile shown")
        base = self._profile
        if base.kind is ConnectionKind.DEMO:
            return base
        changes: dict[str, object] = {"name": self.name.edit.text().strip()}
        if base.kind is ConnectionKind.OPENAI:
            changes["organization"] = self.organization.text().strip()
            changes["project"] = self.project.text().strip()
        elif base.kind is ConnectionKind.AZURE:
            changes["azure_endpoint"] = self.endpoint.edit.text().strip()
            changes["api_version"] = self.api_version.edit.text().strip()
            changes["deployments"] = self.deployments.deployments()
        elif base.kind is ConnectionKind.COMPATIBLE:
            changes["base_url"] = self.base_url.edit.text().strip()
        return base.with_changes(**changes)

    def typed_key(self) -> str:
        """The key typed in this form (stripped); empty means "keep the stored key"."""
        return self.key_edit.text().strip()

    def is_valid(self) -> bool:
        return self._profile is not None and not self._errors

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def is_dirty(self) -> bool:
        """True when the user changed a field or typed a key since ``set_profile``."""
        if self._profile is None or self._profile.kind is ConnectionKind.DEMO:
            return False
        return bool(self.typed_key()) or self.profile() != self._profile

    # ------------------------------------------------------------------ validation

    def _on_field_edited(self) -> None:
        self._validate()
        self.edited.emit()

    def _validate(self) -> None:
        self._errors = field_errors(self.profile()) if self._profile else {}
        self.name.show_error(self._errors.get("name"))
        self.endpoint.show_error(self._errors.get("azure_endpoint"))
        self.api_version.show_error(self._errors.get("api_version"))
        self.base_url.show_error(self._errors.get("base_url"))
