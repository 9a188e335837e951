"""The Jobs tab. Not built yet: it explains what it will do."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.ui.common.placeholder import ComingSoonWidget

TITLE = "Jobs"


class JobsWidget(QWidget):
    """Placeholder page of the Jobs tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobsTab")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.page = ComingSoonWidget(
            title="Train and follow your models",
            summary=(
                "A fine-tuning job teaches a base model from one of your datasets. "
                "This tab will start jobs and keep you informed while they run."
            ),
            planned=[
                "Start a job from a dataset, with sensible settings chosen for you",
                "Follow progress, training loss and the estimated finish time",
                "Pause, resume or cancel a job",
                "Open the finished model straight in the Playground",
            ],
            hint="Jobs keep running on the provider's side even when the app is closed.",
        )
        layout.addWidget(self.page)
