"""The conversation of the Playground: one block per turn, and the reply being written.

Finished turns are rendered as Markdown (code blocks in a fixed-width font), selectable and
copyable; each reply has a line with its tokens, cost, time to first token and total time.
The reply being streamed goes into ``reply_view``, a plain-text box (cheap to append to at
hundreds of tokens a second); when it ends, it joins the conversation as a rendered block.
A turn too long to lay out at once (a pasted document: ``desktop.core.playground.long_text``)
shows its start and "Show all", which opens the whole text in a scrolling plain-text box
(``long_text_view``); Copy and Edit always take the whole text.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.playground.long_text import is_long, preview_end
from desktop.core.playground.sessions import ChatSession, ChatTurn, TurnStatus
from desktop.ui.playground.long_text_view import LongTextView

_NATURAL_HINT_CHARS = 2_000
_HINT_LINE_CHARS = 80
_MINIMUM_LINE_CHARS = 20

FULL_VIEW_HEIGHT = 360
"""The height of a long turn's whole-text box: it scrolls instead of stretching the chat."""

_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def format_cost(cost: Decimal) -> str:
    """A cost in US dollars with enough digits to be non-zero for a short reply."""
    if cost == 0:
        return "$0.00"
    if cost >= Decimal("0.01"):
        return f"${cost:.2f}"
    text = f"{cost:.8f}".rstrip("0")
    return f"${text}"


def reply_footer(turn: ChatTurn, *, simulated: bool = False) -> str:
    """The line under a reply: tokens, cost with the prices' date, and timings.

    Args:
        turn: an assistant turn.
        simulated: the Demo connection answered (nothing is charged).

    Returns:
        One line, parts separated by " · ".
    """
    parts: list[str] = []
    if turn.status is TurnStatus.FAILED:
        parts.append(f"Failed: {turn.error}" if turn.error else "Failed")
    if turn.usage is not None:
        counted = " (counted locally)" if turn.usage_counted_locally else ""
        parts.append(
            f"{turn.usage.prompt_tokens:,} input tokens · "
            f"{turn.usage.completion_tokens:,} output tokens{counted}"
        )
    if turn.status is not TurnStatus.FAILED:
        as_of = f" at prices of {turn.prices_as_of:%d %b %Y}" if turn.prices_as_of else ""
        if turn.cost is not None and simulated:
            parts.append(f"would cost about {format_cost(turn.cost)}{as_of}")
        elif turn.cost is not None:
            parts.append(f"about {format_cost(turn.cost)}{as_of}")
        elif not simulated:
            parts.append("cost unknown for this model")
        if simulated:
            parts.append("simulated, no cost")
    if turn.time_to_first_token is not None:
        parts.append(f"first token {turn.time_to_first_token:.2f} s")
    if turn.total_time is not None:
        parts.append(f"total {turn.total_time:.2f} s")
    if turn.status is TurnStatus.STOPPED:
        parts.append("stopped")
    return " · ".join(parts)


class _TextLabel(QLabel):
    """A word-wrapped label that remembers its size for a width.

    QLabel lays out its whole text again for every size query; the conversation's layout
    asks each block several times whenever a block is added, which for long replies stalled
    the window for tens of milliseconds per reply on screen.
    """

    def __init__(self) -> None:
        super().__init__()
        self._sizes: dict[object, object] = {}

    def setText(self, text: str) -> None:
        self._sizes.clear()
        super().setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._sizes.clear()  # the text takes another size in another font
        super().changeEvent(event)

    def heightForWidth(self, width: int) -> int:
        key = ("height", width)
        if key not in self._sizes:
            self._sizes[key] = super().heightForWidth(width)
        value = self._sizes[key]
        return value if isinstance(value, int) else super().heightForWidth(width)

    def sizeHint(self) -> QSize:
        value = self._sizes.get("hint")
        if not isinstance(value, QSize):
            if self._estimated():
                # QLabel lays a long text out at several widths to find its "natural" one (7
                # times the cost of one layout); the conversation sets the width anyway.
                width = self.fontMetrics().averageCharWidth() * _HINT_LINE_CHARS
                value = QSize(width, self.heightForWidth(width))
            else:
                value = super().sizeHint()
            self._sizes["hint"] = value
        return value

    def minimumSizeHint(self) -> QSize:
        value = self._sizes.get("minimum")
        if not isinstance(value, QSize):
            if self._estimated():
                # QLabel's own lays the text out one word a line; a long text is not shown
                # narrower than this anyway (the Playground's window is wider).
                margins = self.contentsMargins()
                value = QSize(
                    self.fontMetrics().averageCharWidth() * _MINIMUM_LINE_CHARS
                    + margins.left()
                    + margins.right(),
                    self.fontMetrics().height() + margins.top() + margins.bottom(),
                )
            else:
                value = super().minimumSizeHint()
            self._sizes["minimum"] = value
        return value

    def _estimated(self) -> bool:
        """Whether the size hints are estimated rather than asked of QLabel (long texts)."""
        return self.wordWrap() and len(self.text()) > _NATURAL_HINT_CHARS


class TurnWidget(QFrame):
    """One turn: who wrote it, the text, and (replies) the footer; Copy, Edit (user messages),
    Add to dataset… (replies) and Delete buttons.

    A long turn (``is_long``) shows only its start in ``body``, then ``more_label`` and
    ``show_all_button``; Show all puts the whole text in ``full_view`` (made on first use).

    Call only from the GUI thread.
    """

    edit_requested = Signal(int)
    delete_requested = Signal(int)
    add_to_dataset_requested = Signal(int)

    def __init__(
        self, index: int, turn: ChatTurn, *, simulated: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.index = index
        self.turn = turn
        self.setObjectName("replyTurn" if turn.is_reply else "userTurn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = self._column = QVBoxLayout(self)
        column.setContentsMargins(10, 6, 10, 6)
        column.setSpacing(4)
        head = QHBoxLayout()
        who = QLabel(f"Reply · {turn.model}" if turn.is_reply and turn.model else "You")
        who.setObjectName("turnAuthor")
        head.addWidget(who)
        head.addStretch(1)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copyTurnButton")
        self.copy_button.setToolTip("Copy this message's text")
        head.addWidget(self.copy_button)
        self.edit_button: QPushButton | None = None
        if not turn.is_reply:
            self.edit_button = QPushButton("Edit")
            self.edit_button.setObjectName("editTurnButton")
            self.edit_button.setToolTip(
                "Change this message and continue from it (the turns after it are replaced)"
            )
            self.edit_button.clicked.connect(self._on_edit_clicked)
            head.addWidget(self.edit_button)
        self.add_to_dataset_button: QPushButton | None = None
        if turn.is_reply:
            self.add_to_dataset_button = QPushButton("Add to dataset…")
            self.add_to_dataset_button.setObjectName("addTurnToDatasetButton")
            self.add_to_dataset_button.setToolTip(
                "Keep the conversation up to this reply as a training example (you can "
                "correct the reply first)"
            )
            self.add_to_dataset_button.clicked.connect(self._on_add_to_dataset_clicked)
            head.addWidget(self.add_to_dataset_button)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteTurnButton")
        self.delete_button.setToolTip("Remove this message from the conversation")
        head.addWidget(self.delete_button)
        column.addLayout(head)

        self.body = _TextLabel()
        self.body.setObjectName("turnText")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(_SELECTABLE)
        if turn.is_reply:
            self.body.setTextFormat(Qt.TextFormat.MarkdownText)
        else:
            self.body.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(self.body)
        self.more_label: QLabel | None = None
        self.show_all_button: QPushButton | None = None
        self.full_view: LongTextView | None = None
        if is_long(turn.content):
            self._add_show_all(column)
        else:
            self.body.setText(turn.content)
        self.footer: QLabel | None = None
        if turn.is_reply:
            self.footer = QLabel(reply_footer(turn, simulated=simulated))
            self.footer.setObjectName("turnFooter")
            self.footer.setWordWrap(True)
            self.footer.setTextInteractionFlags(_SELECTABLE)
            column.addWidget(self.footer)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)

    def _add_show_all(self, column: QVBoxLayout) -> None:
        shown = preview_end(self.turn.content)
        self.body.setText(self.turn.content[:shown])
        row = QHBoxLayout()
        self.more_label = QLabel(f"… {len(self.turn.content) - shown:,} more characters")
        self.more_label.setObjectName("turnMoreLabel")
        row.addWidget(self.more_label)
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.setObjectName("showAllTurnButton")
        self.show_all_button.setToolTip("Show the whole text in a box of its own")
        self.show_all_button.clicked.connect(self._on_show_all_clicked)
        row.addWidget(self.show_all_button)
        row.addStretch(1)
        column.addLayout(row)

    def _on_show_all_clicked(self) -> None:
        assert self.more_label is not None and self.show_all_button is not None
        showing_all = self.full_view is not None and self.full_view.isVisibleTo(self)
        if self.full_view is None:
            self.full_view = LongTextView(self.turn.content)
            self.full_view.setFixedHeight(FULL_VIEW_HEIGHT)
            self._column.insertWidget(self._column.indexOf(self.body) + 1, self.full_view)
        self.full_view.setVisible(not showing_all)
        self.body.setVisible(showing_all)
        if showing_all:
            shown = len(self.body.text())
            self.more_label.setText(f"… {len(self.turn.content) - shown:,} more characters")
            self.show_all_button.setText("Show all")
        else:
            self.more_label.setText(f"All {len(self.turn.content):,} characters")
            self.show_all_button.setText("Show less")

    def set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.edit_button, self.add_to_dataset_button, self.delete_button):
            if button is not None:
                button.setEnabled(enabled)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.turn.content)

    def _on_edit_clicked(self) -> None:
        self.edit_requested.emit(self.index)

    def _on_delete_clicked(self) -> None:
        self.delete_requested.emit(self.index)

    def _on_add_to_dataset_clicked(self) -> None:
        self.add_to_dataset_requested.emit(self.index)


class TranscriptWidget(QScrollArea):
    """The conversation, newest at the bottom, and the box the streaming reply goes into.

    Call only from the GUI thread.
    """

    edit_requested = Signal(int)
    """The user wants to change the user message at this turn index."""
    delete_requested = Signal(int)
    """The user wants to remove the turn at this index."""
    add_to_dataset_requested = Signal(int)
    """The user wants the conversation up to the reply at this index as a training example."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._column = QVBoxLayout(inner)
        self._column.setContentsMargins(4, 4, 4, 4)
        self._column.setSpacing(8)
        self.empty_label = QLabel("Pick a model, type a message below and press Send.")
        self.empty_label.setObjectName("transcriptEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._column.addWidget(self.empty_label)
        self.turn_widgets: list[TurnWidget] = []
        self._simulated = False
        self.reply_view = QPlainTextEdit()
        self.reply_view.setObjectName("replyView")
        self.reply_view.setReadOnly(True)
        self.reply_view.setMinimumHeight(140)
        self.reply_view.setPlaceholderText("The model's reply appears here as it is written.")
        self.reply_view.setVisible(False)
        self._column.addWidget(self.reply_view)
        self._column.addStretch(1)
        self.setWidget(inner)

    def show_session(self, session: ChatSession | None, *, simulated: bool) -> None:
        """Show every turn of ``session`` (none for None); the streaming box is hidden.

        Blocks of turns that did not change are kept: laying out a long rendered reply again
        costs tens of milliseconds.
        """
        turns = session.turns if session is not None else ()
        keep = 0
        if simulated == self._simulated:
            for widget, turn in zip(self.turn_widgets, turns, strict=False):
                if widget.turn != turn:
                    break
                keep += 1
        self._simulated = simulated
        for widget in self.turn_widgets[keep:]:
            self._column.removeWidget(widget)
            widget.setParent(None)
            widget.deleteLater()
        self.turn_widgets = self.turn_widgets[:keep]
        for index in range(keep, len(turns)):
            widget = TurnWidget(index, turns[index], simulated=simulated)
            widget.edit_requested.connect(self.edit_requested)
            widget.delete_requested.connect(self.delete_requested)
            widget.add_to_dataset_requested.connect(self.add_to_dataset_requested)
            self._column.insertWidget(self._column.indexOf(self.reply_view), widget)
            self.turn_widgets.append(widget)
        self.empty_label.setVisible(not turns)
        self.reply_view.setVisible(False)
        self.set_actions_enabled(True)
        self.scroll_to_end()

    def begin_reply(self) -> None:
        """Clear and show the box the next reply streams into."""
        self.reply_view.clear()
        self.reply_view.setVisible(True)
        self.empty_label.setVisible(False)
        self.set_actions_enabled(False)
        self.scroll_to_end()

    def set_actions_enabled(self, enabled: bool) -> None:
        """Allow Edit, Add to dataset… and Delete on the turns (not while a reply streams)."""
        for widget in self.turn_widgets:
            widget.set_actions_enabled(enabled)

    def scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def texts(self) -> list[str]:
        """The whole text of each turn shown, in order (for tests and accessibility tools)."""
        return [widget.turn.content for widget in self.turn_widgets]
