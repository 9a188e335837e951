"""The widgets and layout of the Settings dialog (no behaviour; see ``dialog.py``)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from desktop.core.connections import ConnectionKind
from desktop.ui.settings.models import ProfileListModel
from desktop.ui.settings.profile_form import ProfileFormWidget

NO_KEYCHAIN_BANNER = (
    "This computer has no keychain the app can use, so API keys cannot be stored safely. "
    "Keys can be kept for this session only and will be forgotten when the app closes."
)

ADD_CHOICES: tuple[tuple[ConnectionKind, str], ...] = (
    (ConnectionKind.OPENAI, "OpenAI"),
    (ConnectionKind.AZURE, "Azure OpenAI"),
    (ConnectionKind.COMPATIBLE, "OpenAI-compatible server"),
)

BANNER_STYLE = (
    "background: #fff4ce; color: #4d3800; border: 1px solid #e0c060;"
    " border-radius: 4px; padding: 8px;"
)


def _button(text: str, name: str, tooltip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tooltip)
    return button


class SettingsDialogUi:
    """Builds the dialog's widgets into ``dialog``: the profile list on the left, the form, the
    Test/Save row and the result area on the right, the no-keychain banner on top."""

    def __init__(self, dialog: QDialog, model: ProfileListModel) -> None:
        self.banner = QLabel(NO_KEYCHAIN_BANNER)
        self.banner.setObjectName("noKeychainBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)

        self.profile_list = QListView()
        self.profile_list.setObjectName("profileList")
        self.profile_list.setModel(model)
        self.profile_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.profile_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.profile_list.setMinimumWidth(250)
        self.profile_list.setSpacing(2)

        self.add_menu = QMenu(dialog)
        self.add_actions: dict[ConnectionKind, QAction] = {
            kind: self.add_menu.addAction(label) for kind, label in ADD_CHOICES
        }
        self.add_button = _button(
            "Add…", "addButton", "Add a connection to OpenAI, Azure OpenAI or another server."
        )
        self.add_button.setMenu(self.add_menu)
        self.delete_button = _button(
            "Delete", "deleteButton", "Delete this connection and its saved key."
        )
        self.use_button = _button(
            "Use this connection",
            "useButton",
            "Switch the app to this connection (saves changes first).",
        )
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.delete_button)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Connections</b>"))
        left.addWidget(self.profile_list, 1)
        left.addLayout(list_buttons)
        left.addWidget(self.use_button)

        self.form = ProfileFormWidget()
        self.test_button = _button(
            "Test connection", "testButton", "Ask the service whether this address and key work."
        )
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.save_button = _button(
            "Save", "saveButton", "Save this connection; the key goes to the keychain."
        )
        self.save_button.setDefault(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.result_label.setMargin(8)
        self.result_label.setVisible(False)

        actions = QHBoxLayout()
        actions.addWidget(self.test_button)
        actions.addWidget(self.busy)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.form)
        right.addLayout(actions)
        right.addWidget(self.result_label)
        right.addStretch(1)

        columns = QHBoxLayout()
        columns.setSpacing(18)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(dialog)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)
        layout.addWidget(self.close_box)
