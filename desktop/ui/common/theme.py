"""The app's look: Qt's Fusion style plus a small style sheet keyed on object names.

Colours are used only where they carry meaning (the Simulated badge, the primary button, the
coming-soon badge); everything else follows the palette, so a dark system palette still works.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

STYLE_SHEET = """
QLabel#sectionLabel, QLabel#fieldLabel { font-weight: 600; }
QLabel#replyInfo, QLabel#emptyStateHint { color: palette(placeholder-text); }
QLabel#simulatedBadge {
    background: #fff4d6; color: #7a5200; border: 1px solid #f0d48a;
    border-radius: 10px; padding: 2px 10px; font-weight: 600;
}
QLabel#comingSoonBadge {
    background: #e6efff; color: #1a56c4; border: 1px solid #c9dafc;
    border-radius: 10px; padding: 2px 10px; font-weight: 600;
}
QFrame#emptyStateCard {
    background: palette(base); border: 1px solid palette(mid); border-radius: 10px;
}
QLabel#emptyStateTitle { font-size: 16pt; font-weight: 600; }
QPushButton#sendButton {
    background: #1a73e8; color: white; border: 1px solid #1666cc; border-radius: 4px;
    padding: 5px 20px; font-weight: 600;
}
QPushButton#sendButton:hover { background: #1666cc; }
QPushButton#sendButton:disabled { background: #a9c6f2; border-color: #a9c6f2; }
QPushButton#stopButton { padding: 5px 14px; }
"""


def apply_theme(app: QApplication) -> None:
    """Use the Fusion style and the app's style sheet (call once, before windows are shown)."""
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)
