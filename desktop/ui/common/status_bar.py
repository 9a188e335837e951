"""The status bar's connection area: which connection is active, whether it answers, retries.

Always visible. While the SDK waits to retry a request it shows "Retrying in N s…" with a
Cancel button that stops the waiting request.

The area is created before the ``ConnectionService`` exists (the window's first paint already
names the active connection) and follows the service once :meth:`attach` is called.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.core.connections import ConnectionProfile
from desktop.ui.common.connection_state import Reachability, ReachState, RetryStatus

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService

_DOT_COLOURS = {
    ReachState.CHECKING: "#b0b0b0",
    ReachState.REACHABLE: "#2e9d57",
    ReachState.UNREACHABLE: "#d2453c",
}


class ConnectionStatusWidget(QWidget):
    """Shows ``ConnectionService`` state. Created showing ``profile`` as being checked;
    connects to the service in :meth:`attach`, disconnects in :meth:`detach`.

    Call only from the GUI thread.
    """

    def __init__(self, profile: ConnectionProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionStatus")
        self._service: ConnectionService | None = None
        self._retry: RetryStatus | None = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        self.dot = QLabel("●")
        self.dot.setObjectName("reachabilityDot")
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionLabel")
        self.reachability_label = QLabel()
        self.reachability_label.setObjectName("reachabilityLabel")
        self.retry_label = QLabel()
        self.retry_label.setObjectName("retryLabel")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelRetryButton")
        self.cancel_button.setToolTip("Stop waiting and cancel the request")
        self.cancel_button.setFlat(True)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        for widget in (self.retry_label, self.cancel_button):
            widget.hide()
        layout.addWidget(self.retry_label)
        layout.addWidget(self.cancel_button)
        layout.addSpacing(12)
        layout.addWidget(self.dot)
        layout.addWidget(self.connection_label)
        layout.addWidget(self.reachability_label)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._on_countdown_tick)

        # The check starts as soon as the service exists, right after the first paint.
        self._on_connection_changed(profile)
        self._on_reachability_changed(Reachability(ReachState.CHECKING))

    def attach(self, service: ConnectionService) -> None:
        """Follow ``service`` from now on, starting with its current state."""
        self.detach()
        self._service = service
        service.connection_changed.connect(self._on_connection_changed)
        service.reachability_changed.connect(self._on_reachability_changed)
        service.retrying.connect(self._on_retrying)
        self._on_connection_changed(service.profile)
        self._on_reachability_changed(service.reachability)

    def detach(self) -> None:
        """Stop following the service (the window is closing). Safe to call when not attached."""
        self._countdown.stop()
        service, self._service = self._service, None
        if service is None:
            return
        service.connection_changed.disconnect(self._on_connection_changed)
        service.reachability_changed.disconnect(self._on_reachability_changed)
        service.retrying.disconnect(self._on_retrying)

    @property
    def text(self) -> str:
        """Everything the area currently says, as one line (what a user would read)."""
        parts = [self.connection_label.text(), self.reachability_label.text()]
        if self.retry_label.isVisibleTo(self):
            parts.insert(0, self.retry_label.text())
        return " ".join(part for part in parts if part)

    def _on_connection_changed(self, profile: ConnectionProfile) -> None:
        self.connection_label.setText(profile.display_name)
        self.connection_label.setToolTip("The connection requests go to. Change it in Preferences.")

    def _on_reachability_changed(self, reachability: Reachability) -> None:
        self.reachability_label.setText(f"· {reachability.text}")
        self.reachability_label.setToolTip(reachability.message)
        colour = _DOT_COLOURS[reachability.state]
        self.dot.setStyleSheet(f"color: {colour};")

    def _on_retrying(self, status: RetryStatus | None) -> None:
        self._retry = status
        if status is None:
            self._countdown.stop()
            self.retry_label.hide()
            self.cancel_button.hide()
            return
        self._update_retry_text()
        self.retry_label.show()
        self.cancel_button.show()
        self._countdown.start()

    def _on_countdown_tick(self) -> None:
        self._update_retry_text()

    def _update_retry_text(self) -> None:
        if self._retry is None:
            return
        remaining = math.ceil(max(0.0, self._retry.deadline - time.monotonic()))
        attempt = f"(attempt {self._retry.attempt} of {self._retry.max_retries})"
        if remaining > 0:
            self.retry_label.setText(f"Retrying in {remaining} s… {attempt}")
        else:
            self.retry_label.setText(f"Retrying now… {attempt}")

    def _on_cancel_clicked(self) -> None:
        if self._service is not None:
            self._service.cancel_retry_wait()
