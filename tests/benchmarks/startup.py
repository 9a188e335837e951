"""Start-up benchmark: process start → first painted main window, against a bare PySide6 window.

Both are started as fresh processes, interleaved, several times each (offscreen); each child
prints the wall-clock time of its first paint, and the parent subtracts the moment it launched
the process, so interpreter start-up and imports count for both. Prints the medians and their
ratio. Target: ratio ≤ 1.5.

    .venv/bin/python tests/benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parents[2]

# Shared by both children: quit at the first paint of a QMainWindow and print when it happened.
_PROBE = """
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            print(f"PAINTED {time.time():.6f}", flush=True)
            QApplication.instance().removeEventFilter(self)
            QApplication.instance().quit()
        return False

app = QApplication(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
"""

BARE = (
    _PROBE
    + """
from PySide6.QtWidgets import QLabel
window = QMainWindow()
window.setCentralWidget(QLabel("Hello"))
window.resize(1100, 720)
window.show()
app.exec()
"""
)

APP = (
    _PROBE
    + """
from desktop.app import run_gui
run_gui(sys.argv[:1])
"""
)


def first_paint_seconds(code: str, home: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FINETUNE_STUDIO_HOME": str(home)}
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no first paint reported (exit {result.returncode}):\n{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bare: list[float] = []
    app: list[float] = []
    with tempfile.TemporaryDirectory(prefix="finetune-studio-bench-") as tmp:
        home = Path(tmp)
        first_paint_seconds(APP, home)  # warm the file cache and create the database once
        first_paint_seconds(BARE, home)
        for _ in range(args.runs):
            bare.append(first_paint_seconds(BARE, home))
            app.append(first_paint_seconds(APP, home))
    bare_median = statistics.median(bare)
    app_median = statistics.median(app)
    ratio = app_median / bare_median
    print(f"runs: {args.runs} each, offscreen, median of process start → first painted window")
    print(f"bare PySide6 window : {bare_median * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"Finetune Studio     : {app_median * 1000:7.1f} ms  (min {min(app) * 1000:.1f})")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"ratio               : {ratio:7.2f}   ({verdict} target ≤ {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
