"""Start-up: the real window is painted first, its content and the services follow right after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from desktop.app import GuiStartup, call_after_first_paint
from desktop.ui.common.connection_state import ReachState
from desktop.ui.common.main_window import TAB_TITLES, MainWindow
from tests.ui.loop_helpers import next_emission, run

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]


def _tab_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_frame_shows_tabs_and_connection_before_content_when_first_painted(
    qtbot: Any, qasync_loop: Any, fake_keyring: Any, ui_settings: QSettings, emulator: Any
) -> None:
    startup = GuiStartup(demo_base_url_factory=lambda: emulator.base_url)
    window = startup.open_window()
    qtbot.addWidget(window)
    at_first_paint: dict[str, Any] = {}

    def on_first_paint() -> None:
        at_first_paint.update(
            tabs=_tab_titles(window),
            status=window.connection_status.text,
            menus=[action.text().replace("&", "") for action in window.menuBar().actions()],
            content_ready=window.content_ready,
            context=startup.context,
        )

    window.first_painted.connect(on_first_paint)
    call_after_first_paint(window, startup.finish)
    with qtbot.waitSignal(window.content_built, timeout=5000):
        pass

    assert at_first_paint["tabs"] == list(TAB_TITLES) == ["Datasets", "Jobs", "Playground"]
    assert at_first_paint["status"] == "Demo (simulated) · checking…"
    assert at_first_paint["menus"] == ["File", "Edit", "Demo", "Help"]
    assert at_first_paint["content_ready"] is False
    assert at_first_paint["context"] is None
    assert window.content_ready and startup.context is not None
    assert window.tabs.widget(0) is window.datasets_tab
    assert window.tabs.widget(2) is window.playground_tab
    assert _tab_titles(window) == list(TAB_TITLES)
    service = startup.context.connection_service
    (reachability,) = run(
        qasync_loop,
        next_emission(service.reachability_changed, lambda r: r.state is not ReachState.CHECKING),
    )
    assert reachability.state is ReachState.REACHABLE
    assert window.connection_status.text == "Demo (simulated) · reachable"
    assert window.playground_tab.selected_model is not None
    window.close()
    run(qasync_loop, startup.context.aclose())


def test_services_menu_actions_wait_for_content_when_frame_is_shown(
    qtbot: Any, qasync_loop: Any, fake_keyring: Any, ui_settings: QSettings
) -> None:
    startup = GuiStartup()
    window = startup.open_window()
    qtbot.addWidget(window)

    assert not window.preferences_action.isEnabled()
    assert not window.reset_demo_action.isEnabled()
    assert window.pending_tasks() == []
    window.close()
    startup.close_unfinished()


_RUN_GUI_PROBE = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

HEAVY = ("asyncio", "qasync", "ssl", "desktop.core.catalog", "desktop.ui.playground.widget",
         "openai", "tiktoken")
report = {}

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            QApplication.instance().removeEventFilter(self)
            tabs = obj.tabs
            report["first_paint"] = {
                "tabs": [tabs.tabText(i) for i in range(tabs.count())],
                "status": obj.connection_status.text,
                "content_ready": obj.content_ready,
                "loaded": [name for name in HEAVY if name in sys.modules],
            }
            obj.content_built.connect(lambda: on_content(obj))
        return False

def on_content(window):
    report["content"] = {
        "pages": [window.tabs.widget(i).objectName() for i in range(window.tabs.count())],
        "status": window.connection_status.text,
    }
    QTimer.singleShot(0, window.close)

app = QApplication(sys.argv[:1])
probe = Probe()
app.installEventFilter(probe)
from desktop.app import run_gui
report["exit_code"] = run_gui(sys.argv[:1])
print("REPORT " + json.dumps(report), flush=True)
"""


def test_run_gui_paints_real_window_before_loading_the_rest_when_started(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "FINETUNE_STUDIO_HOME": str(tmp_path / "home"),
    }
    result = subprocess.run(
        [sys.executable, "-c", _RUN_GUI_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, result.stdout + result.stderr
    report = json.loads(lines[-1].removeprefix("REPORT "))

    first = report["first_paint"]
    assert first["tabs"] == ["Datasets", "Jobs", "Playground"]
    assert first["status"] == "Demo (simulated) · checking…"
    assert first["content_ready"] is False
    assert first["loaded"] == []
    assert report["content"]["pages"] == ["datasetsTab", "jobsTab", "playgroundTab"]
    assert report["content"]["status"].startswith("Demo (simulated) · ")
    assert report["exit_code"] == 0
