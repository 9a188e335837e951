"""A calm "coming soon" page for tabs that are not built yet: what the tab will do, no fake data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


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
        card.setMaximumWidth(560)
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

        items = "".join(f"<li style='margin-bottom:4px'>{item}</li>" for item in planned)
        self.planned_label = QLabel(f"<ul style='margin-left:-20px'>{items}</ul>")
        self.planned_label.setWordWrap(True)
        self.planned_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.planned_label)

        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setObjectName("emptyStateHint")
            layout.addWidget(hint_label)

        row = QVBoxLayout()
        row.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addLayout(row)
        outer.addStretch(2)
