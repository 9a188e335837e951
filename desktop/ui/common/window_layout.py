"""Saving and restoring the main window's layout in ``ui_settings``.

Geometry, window state, the positions of named splitters and the current tab are written when
the window closes and read back when it is created; anything missing or damaged keeps its
default. Call only from the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget

__all__ = [
    "GEOMETRY_KEY",
    "SPLITTER_KEY",
    "STATE_KEY",
    "TAB_KEY",
    "restore_layout",
    "restore_splitters",
    "save_layout",
]

GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
TAB_KEY = "main_window/tab"
SPLITTER_KEY = "main_window/splitters/{name}"


def _splitters(window: QMainWindow) -> list[QSplitter]:
    return [s for s in window.findChildren(QSplitter) if s.objectName()]


def save_layout(window: QMainWindow, tabs: QTabWidget, settings: QSettings) -> None:
    """Write geometry, state, splitter positions and the current tab to ``settings``.

    Args:
        window: the main window (its named splitters are saved too).
        tabs: the window's tabs.
        settings: the app's UI settings.
    """
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState())
    settings.setValue(TAB_KEY, tabs.currentIndex())
    for splitter in _splitters(window):
        settings.setValue(SPLITTER_KEY.format(name=splitter.objectName()), splitter.saveState())
    settings.sync()


def restore_layout(window: QMainWindow, tabs: QTabWidget, settings: QSettings) -> None:
    """Apply what :func:`save_layout` stored; anything missing or damaged keeps its default.

    Args:
        window: the main window.
        tabs: the window's tabs.
        settings: the app's UI settings.
    """
    geometry = settings.value(GEOMETRY_KEY)
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = settings.value(STATE_KEY)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    restore_splitters(window, settings)
    try:
        tab = int(str(settings.value(TAB_KEY, 0)))
    except ValueError:
        tab = 0
    if 0 <= tab < tabs.count():
        tabs.setCurrentIndex(tab)


def restore_splitters(window: QMainWindow, settings: QSettings) -> None:
    """Restore the positions of the window's named splitters (those present now).

    Args:
        window: the main window.
        settings: the app's UI settings.
    """
    for splitter in _splitters(window):
        value = settings.value(SPLITTER_KEY.format(name=splitter.objectName()))
        if isinstance(value, QByteArray):
            splitter.restoreState(value)
