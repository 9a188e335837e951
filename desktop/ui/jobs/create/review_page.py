"""The Review page: what will happen, the cost quote to confirm, and the progress of creating."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from desktop.core.jobs.quote import CostQuote, format_usd

PROGRESS_STEPS = 1000
WARNING_STYLE = "color: #8a5300;"
ERROR_STYLE = "color: #b3261e;"


def confirm_text(quote: CostQuote | None) -> str:
    """The confirmation checkbox's words for ``quote``."""
    if quote is not None and quote.total_usd is not None:
        return (
            f"I accept the estimated cost of about {format_usd(quote.total_usd)} "
            "and want to start this job"
        )
    return "I understand the cost is not known and want to start this job"


class ReviewPage(QWidget):
    """Summary, quote, confirmation and progress. GUI thread only."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createReviewPage")
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("createSummary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        quote_box = QGroupBox("Estimated cost")
        quote_layout = QVBoxLayout(quote_box)
        self.quote_label = QLabel("Working out the cost…")
        self.quote_label.setObjectName("createQuote")
        self.quote_label.setWordWrap(True)
        self.quote_label.setStyleSheet("font-weight: bold;")
        quote_layout.addWidget(self.quote_label)
        note = QLabel(
            "An estimate from the app's price list and your dataset; the provider's bill "
            "decides. Nothing is uploaded or started until you press Create."
        )
        note.setWordWrap(True)
        quote_layout.addWidget(note)
        self.confirm_check = QCheckBox(confirm_text(None))
        self.confirm_check.setObjectName("createConfirmQuote")
        self.confirm_check.setEnabled(False)
        quote_layout.addWidget(self.confirm_check)
        layout.addWidget(quote_box)
        self.refusal_label = QLabel()
        self.refusal_label.setObjectName("createRefusal")
        self.refusal_label.setWordWrap(True)
        self.refusal_label.setVisible(False)
        layout.addWidget(self.refusal_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("createProgress")
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setVisible(False)
        layout.addWidget(self.progress_bar)
        self.status_label = QLabel()
        self.status_label.setObjectName("createStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.quote: CostQuote | None = None
        self.confirm_check.toggled.connect(self._on_toggled)

    @property
    def confirmed(self) -> bool:
        return self.confirm_check.isEnabled() and self.confirm_check.isChecked()

    def show_working(self, summary: str) -> None:
        """The quote is being prepared (split, counting): nothing can be confirmed yet."""
        self.summary_label.setText(summary)
        self.quote_label.setText("Working out the cost…")
        self.quote = None
        self.confirm_check.setChecked(False)
        self.confirm_check.setEnabled(False)
        self.status_label.clear()

    def show_quote(self, quote: CostQuote | None, text: str) -> None:
        """Show the quote; the user confirms it with the checkbox."""
        self.quote = quote
        self.quote_label.setText(text)
        self.quote_label.setStyleSheet("font-weight: bold;")
        self.confirm_check.setText(confirm_text(quote))
        self.confirm_check.setChecked(False)
        self.confirm_check.setEnabled(True)
        self.changed.emit()

    def show_problem(self, text: str) -> None:
        """The job cannot be created as it is (e.g. a file has errors for this model)."""
        self.quote = None
        self.quote_label.setText(text)
        self.quote_label.setStyleSheet(ERROR_STYLE)
        self.confirm_check.setChecked(False)
        self.confirm_check.setEnabled(False)
        self.changed.emit()

    def show_refusal(self, text: str) -> None:
        """A warning that this connection refused fine-tuning ("" hides it)."""
        self.refusal_label.setText(text)
        self.refusal_label.setStyleSheet(ERROR_STYLE if text else "")
        self.refusal_label.setVisible(bool(text))

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(ERROR_STYLE if error else "")

    def set_progress(self, done: int, total: int) -> None:
        self.progress_bar.setVisible(True)
        self.progress_bar.setValue(round(PROGRESS_STEPS * done / max(total, 1)))

    def hide_progress(self) -> None:
        self.progress_bar.setVisible(False)

    def _on_toggled(self, _checked: bool) -> None:
        self.changed.emit()
