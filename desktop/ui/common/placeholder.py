"""A calm "coming soon" page for tabs that are not built yet: what the tab will do, no fake data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


class ComingSoonWidget(QWidget):
    """A centred card with a title, a one-line summary and the list of planned features."""

    def __init__(
        self,
        *,
        title: str,
        summary: str,
        planned: list[str],
        hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch(1)

        card = QFrame()
        card.setObjectName("emptyStateCard")
        # A fixed width (and stretches, not an alignment, around it) lets the wrapped labels
        # get their height for that width.
        card.setFixedWidth(560)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)

        badge = QLabel("Coming soon")
        badge.setObjectName("comingSoonBadge")
        badge.setAlignment(Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)

        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyStateTitle")
        layout.addWidget(self.title_label)

        self.summary_label = QLabel(summary)
        self.summary_label.setWordWrap(True)
        self.summary_label.setObjectName("emptyStateSummary")
        layout.addWidget(self.summary_label)

        self.planned_labels: list[QLabel] = []
        for item in planned:
            label = QLabel(f"•  {item}")
            label.setWordWrap(True)
            label.setObjectName("plannedItem")
            label.setContentsMargins(8, 0, 0, 0)
            layout.addWidget(label)
            self.planned_labels.append(label)
        layout.addSpacing(6)

        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setObjectName("emptyStateHint")
            layout.addWidget(hint_label)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
