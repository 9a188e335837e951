"""The Datasets tab. Not built yet: it explains what it will do."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.ui.common.placeholder import ComingSoonWidget

TITLE = "Datasets"


class DatasetsWidget(QWidget):
    """Placeholder page of the Datasets tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetsTab")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.page = ComingSoonWidget(
            title="Prepare your training examples",
            summary=(
                "A dataset is a file of example conversations that show the model how you want "
                "it to answer. This tab will help you build and check one before training."
            ),
            planned=[
                "Open a JSONL file, or write examples one by one",
                "Find problems line by line, with plain explanations of how to fix them",
                "Count tokens and estimate what a training run will cost",
                "Upload the file to your connection, ready for a job",
            ],
            hint="Meanwhile, try a model in the Playground tab.",
        )
        layout.addWidget(self.page)
