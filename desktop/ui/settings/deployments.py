"""Editor for the list of Azure deployment names of one connection."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DEPLOYMENTS_HELP = (
    "On Azure, chat goes to deployment names, not model names. Add the name of each "
    "deployment you created in the Azure portal (for example “gpt-4o-mini-prod”)."
)


class DeploymentsEditor(QWidget):
    """A short list of names with Add and Remove. Emits ``changed`` after every edit.

    Invariant: names are stripped, non-empty and unique, in the order the user added them.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("deploymentList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMaximumHeight(110)
        self.list.setToolTip("The deployments this connection can chat with.")

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("deploymentName")
        self.name_edit.setPlaceholderText("Deployment name, e.g. gpt-4o-mini-prod")
        self.name_edit.setToolTip("Type a deployment name exactly as it appears in Azure.")
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("addDeployment")
        self.add_button.setToolTip("Add this deployment name to the list.")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeDeployment")
        self.remove_button.setToolTip("Remove the selected deployment name from the list.")

        help_label = QLabel(DEPLOYMENTS_HELP)
        help_label.setWordWrap(True)
        help_label.setObjectName("deploymentsHelp")
        help_label.setStyleSheet("color: palette(placeholder-text);")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(help_label)

        self.add_button.clicked.connect(self._on_add_clicked)
        self.name_edit.returnPressed.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.name_edit.textChanged.connect(self._update_buttons)
        self.list.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def deployments(self) -> tuple[str, ...]:
        return tuple(self.list.item(row).text() for row in range(self.list.count()))

    def set_deployments(self, names: tuple[str, ...]) -> None:
        """Show ``names`` without emitting ``changed``."""
        self.list.clear()
        self.list.addItems(list(names))
        self.name_edit.clear()
        self._update_buttons()

    def _on_add_clicked(self) -> None:
        name = self.name_edit.text().strip()
        if not name or name in self.deployments():
            return
        self.list.addItem(name)
        self.name_edit.clear()
        self._update_buttons()
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.list.takeItem(row)
        self._update_buttons()
        self.changed.emit()

    def _update_buttons(self) -> None:
        name = self.name_edit.text().strip()
        self.add_button.setEnabled(bool(name) and name not in self.deployments())
        self.remove_button.setEnabled(self.list.currentRow() >= 0)
