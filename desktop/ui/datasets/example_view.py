"""One example shown as a conversation: role-coloured, wrapped, selectable chat bubbles."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.ui.datasets.models import ExampleRow

ROLE_STYLES = {
    "system": ("#eef0f3", "#555b66", "System"),
    "user": ("#e3efff", "#1d4f91", "User"),
    "assistant": ("#e7f6ea", "#1f6b34", "Assistant"),
    "tool": ("#fff4de", "#7a5200", "Tool"),
}
_OTHER = ("#f3f3f3", "#444444", "")


def _content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content
        )
    if content is None:
        return ""
    return json.dumps(content, ensure_ascii=False, indent=2)


def _messages(record: object) -> list[dict[str, object]]:
    if not isinstance(record, dict):
        return []
    if isinstance(record.get("messages"), list):
        return [m for m in record["messages"] if isinstance(m, dict)]
    if "prompt" in record:
        return [
            {"role": "user", "content": record.get("prompt")},
            {"role": "assistant", "content": record.get("completion")},
        ]
    source = record.get("input")
    if isinstance(source, dict) and isinstance(source.get("messages"), list):
        out = [m for m in source["messages"] if isinstance(m, dict)]
        for key, label in (("preferred_output", "preferred"), ("non_preferred_output", "avoid")):
            for message in record.get(key) or []:
                if isinstance(message, dict):
                    out.append({**message, "_label": label})
        return out
    return []


class ExampleView(QScrollArea):
    """Shows one :class:`ExampleRow`; raw text when it is not a readable example."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exampleView")
        self.setWidgetResizable(True)
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setSpacing(8)
        self.title_label = QLabel("Select an example to see it here.")
        self.title_label.setObjectName("exampleTitle")
        self._layout.addWidget(self.title_label)
        self._layout.addStretch(1)
        self.setWidget(self._body)
        self.bubbles: list[QLabel] = []
        self._frames: list[QFrame] = []

    def show_example(self, row_number: int | None, example: ExampleRow | None) -> None:
        """Show example ``row_number`` (1-based line), or nothing."""
        for frame in self._frames:
            self._layout.removeWidget(frame)
            frame.hide()
            frame.deleteLater()
        self._frames = []
        self.bubbles = []
        if row_number is None or example is None:
            self.title_label.setText("Select an example to see it here.")
            return
        tokens = f" · {example.tokens:,} tokens" if example.tokens is not None else ""
        problem = f"\n⚠ {example.problem}" if example.problem else ""
        self.title_label.setText(f"Line {row_number:,}{tokens}{problem}")
        messages = _messages(example.record)
        if not messages:
            self._add_bubble("Text of the line", example.text or "(empty line)", _OTHER)
            return
        for message in messages:
            role = str(message.get("role", "?"))
            style = ROLE_STYLES.get(role, _OTHER)
            title = style[2] or role
            if "_label" in message:
                title = f"{title} ({message['_label']})"
            if message.get("weight") == 0:
                title += " — not trained on (weight 0)"
            text = _content_text(message.get("content"))
            if message.get("tool_calls"):
                text += "\n[tool calls] " + json.dumps(message["tool_calls"], ensure_ascii=False)
            self._add_bubble(title, text, style)

    def _add_bubble(self, title: str, text: str, style: tuple[str, str, str]) -> None:
        background, accent, _ = style
        frame = QFrame()
        frame.setObjectName("chatBubble")
        frame.setStyleSheet(
            f"QFrame#chatBubble {{ background: {background}; border-radius: 8px; "
            f"border-left: 4px solid {accent}; }}"
        )
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(10, 6, 10, 8)
        header = QLabel(title)
        header.setStyleSheet(f"color: {accent}; font-weight: 600; background: transparent;")
        layout.addWidget(header)
        body = QLabel(text)
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.setStyleSheet("background: transparent; color: #1b1b1b;")
        layout.addWidget(body)
        self._layout.insertWidget(self._layout.count() - 1, frame)
        self.bubbles.append(body)
        self._frames.append(frame)
