"""Live training charts: loss and mean token accuracy by step (pyqtgraph).

pyqtgraph (with numpy) takes ~0.3 s to import, so it is imported the first time a chart is
shown (:func:`load_plotting`: its modules load in a worker thread, the Qt types it uses are
created on the GUI thread beforehand), never at start-up. Until then the widget keeps
the points it is given and shows "Preparing the charts…".

Zoom: the mouse wheel and dragging (pyqtgraph's own); "Fit" shows everything again. Hovering
shows the values at the nearest step. "Save as PNG…" writes what is shown.

Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.jobs.metrics import MetricPoint, merge_points
from desktop.ui.jobs.formatting import format_metric

CURVES = ("train_loss", "valid_loss", "train_accuracy", "valid_accuracy")
"""The curves, named after the ``MetricPoint`` fields they draw."""

REDRAW_MS = 120
"""Live points are drawn in batches at most this often (events can arrive in bursts)."""

TRAIN_COLOR = "#1a73e8"
VALID_COLOR = "#e8710a"

_plotting: Any = None
_plotting_lock: asyncio.Lock | None = None


def plotting_loaded() -> bool:
    return _plotting is not None


QT_MODULES = (
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "PySide6.QtSvg",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtTest",
)
"""The Qt modules pyqtgraph reads every name of while it is imported."""
WARM_SLICE = 20


async def _warm_qt_bindings() -> None:
    # PySide creates its Python types on first use. pyqtgraph's import reads every name of
    # these modules; doing that in the worker thread would create types there while the GUI
    # thread uses PySide too. So they are created here, on the GUI thread, a few at a time.
    for name in QT_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        names = dir(module)
        for start in range(0, len(names), WARM_SLICE):
            for attribute in names[start : start + WARM_SLICE]:
                getattr(module, attribute)
            await asyncio.sleep(0)


class ChartsUnavailableError(FinetuneError):
    """The chart library cannot be imported (a broken or incomplete installation)."""

    default_user_message = (
        "The charts cannot be drawn: a part of the app is missing (its chart library). The "
        "figures are still under Checkpoints and in an exported report; reinstalling the app "
        "brings the charts back."
    )


async def load_plotting() -> Any:
    """Import pyqtgraph once without stalling the window: numpy and pyqtgraph's own modules
    load in a worker thread; the Qt types it touches are created on the GUI thread first."""
    global _plotting, _plotting_lock
    if _plotting is not None:
        return _plotting
    if _plotting_lock is None:
        _plotting_lock = asyncio.Lock()
    async with _plotting_lock:
        if _plotting is None:
            try:
                await asyncio.to_thread(importlib.import_module, "numpy")
                await _warm_qt_bindings()
                module = await asyncio.to_thread(importlib.import_module, "pyqtgraph")
            except ImportError as exc:
                raise ChartsUnavailableError(f"cannot import the chart library: {exc}") from exc
            module.setConfigOptions(antialias=True, background="w", foreground="#333333")
            _plotting = module
    return _plotting


PathAsker = Callable[[QWidget, str, str], "Path | None"]


def _ask_png_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, "PNG image (*.png)")
    return Path(path) if path else None


ask_png_path: PathAsker = _ask_png_path
"""Where to save the PNG (tests replace it)."""


Series = dict[str, tuple[list[float], list[float]]]


def _prepare(points: Sequence[MetricPoint]) -> tuple[list[MetricPoint], Series]:
    ordered = sorted(points, key=lambda p: p.step)
    return ordered, MetricsChartWidget._build_series(ordered)


class MetricsChartWidget(QWidget):
    """Two charts (loss, accuracy) sharing the step axis; validation curves when present."""

    points_changed = Signal(int)
    """The number of points shown changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricsChart")
        self._points: list[MetricPoint] = []
        self._series = self._build_series([])
        self._plots: list[Any] = []
        self._curves: dict[str, Any] = {}
        self._legends: dict[str, tuple[Any, str]] = {}
        """Curve name → (its plot's legend, its label); a curve is listed only with points."""
        self._hover_handlers: list[tuple[Any, Callable[[object], None]]] = []
        self.file_stem = "training-charts"
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._redraw)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.hover_label = QLabel("")
        self.hover_label.setObjectName("chartHoverLabel")
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show every point again after zooming")
        self.fit_button.clicked.connect(self._on_fit_clicked)
        self.save_button = QPushButton("Save as PNG…")
        self.save_button.setObjectName("saveChartButton")
        self.save_button.clicked.connect(self._on_save_clicked)
        bar.addWidget(self.hover_label, 1)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        self.stack = QStackedWidget()
        self.message = QLabel("Preparing the charts…")
        self.message.setObjectName("chartMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack.addWidget(self.message)
        self.plot_area = QWidget()
        self.plot_layout = QVBoxLayout(self.plot_area)
        self.plot_layout.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.plot_area)
        layout.addWidget(self.stack, 1)
        self._update_buttons()

    # ------------------------------------------------------------------ content

    @property
    def ready(self) -> bool:
        return bool(self._plots)

    @property
    def points(self) -> list[MetricPoint]:
        return list(self._points)

    def curve_data(self, name: str) -> tuple[list[float], list[float]]:
        """The x and y values of a curve (``train_loss``, ``valid_accuracy``...), for tests."""
        curve = self._curves.get(name)
        if curve is None:
            return [], []
        xs, ys = curve.xData, curve.yData
        return ([] if xs is None else list(xs)), ([] if ys is None else list(ys))

    async def ensure_ready(self) -> None:
        """Import pyqtgraph (off the GUI thread) and build the charts, once."""
        if self._plots:
            return
        pg = await load_plotting()
        if self._plots:
            return
        loss = pg.PlotWidget(title="Loss")
        accuracy = pg.PlotWidget(title="Mean token accuracy")
        for plot, name in ((loss, "loss"), (accuracy, "accuracy")):
            plot.setObjectName(f"{name}Plot")
            plot.showGrid(x=False, y=False)
            plot.setLabel("bottom", "step")
            plot.addLegend(offset=(-10, 10))
            plot.setMouseEnabled(x=True, y=True)
            # Long runs have 10,000+ steps: draw what is visible, at screen resolution.
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            self.plot_layout.addWidget(plot)
        accuracy.setXLink(loss)
        self._plots = [loss, accuracy]
        for plot, metric in ((loss, "loss"), (accuracy, "accuracy")):
            for kind, color, label in (
                ("train", TRAIN_COLOR, "training"),
                ("valid", VALID_COLOR, "validation"),
            ):
                # A 1-pixel pen: wider antialiased lines cost ~20x more to paint.
                pen = pg.mkPen(color=color, width=1)
                name = f"{kind}_{metric}"
                # No ``name=``: pyqtgraph would list the curve in the legend at once, even
                # with no points (an empty entry whose sample draws as a broken image).
                self._curves[name] = plot.plot([], [], pen=pen)
                self._legends[name] = (plot.getPlotItem().legend, label)
        for plot in self._plots:
            handler = self._hover_handler(plot)
            plot.scene().sigMouseMoved.connect(handler)
            self._hover_handlers.append((plot, handler))
        self._redraw()

    def _hover_handler(self, plot: Any) -> Callable[[object], None]:
        def handle(position: object) -> None:
            self._on_mouse_moved(plot, position)

        return handle

    def close_plots(self) -> None:
        """Stop drawing (the window is closing): no redraw is due and hovering reports
        nothing; the plots themselves go with the window."""
        self._redraw_timer.stop()
        for plot, handler in self._hover_handlers:
            plot.scene().sigMouseMoved.disconnect(handler)
        self._hover_handlers.clear()

    def set_points(self, points: Sequence[MetricPoint], *, empty_message: str = "") -> None:
        self._points = sorted(points, key=lambda p: p.step)
        self._series = self._build_series(self._points)
        if not self._points:
            self.message.setText(empty_message or "No training metrics yet.")
        self._redraw_timer.stop()
        self._redraw()

    async def show_points(self, points: Sequence[MetricPoint], *, empty_message: str = "") -> None:
        """:meth:`set_points` for long series: sorting and splitting them into curves runs in
        a worker thread (10,000 points take ~30 ms of Python)."""
        ordered, series = await asyncio.to_thread(_prepare, points)
        self._points = ordered
        self._series = series
        if not ordered:
            self.message.setText(empty_message or "No training metrics yet.")
        self._redraw_timer.stop()
        self._redraw()

    def add_points(self, points: Sequence[MetricPoint]) -> None:
        """Add points from new events; the charts are redrawn at most ~8 times a second."""
        if not points:
            return
        fresh = sorted(points, key=lambda p: p.step)
        if not self._points or fresh[0].step > self._points[-1].step:
            # The usual case while a job runs: later steps, appended to each series.
            self._points.extend(fresh)
            for name, (xs, ys) in self._build_series(fresh).items():
                self._series[name][0].extend(xs)
                self._series[name][1].extend(ys)
        else:
            self._points = merge_points(self._points, fresh)
            self._series = self._build_series(self._points)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    @staticmethod
    def _build_series(points: Sequence[MetricPoint]) -> Series:
        series: Series = {name: ([], []) for name in CURVES}
        for point in points:
            step = float(point.step)
            for name, (xs, ys) in series.items():
                value = getattr(point, name)
                if value is not None:
                    xs.append(step)
                    ys.append(value)
        return series

    def _redraw(self) -> None:
        showing = bool(self._plots) and bool(self._points)
        self.stack.setCurrentWidget(self.plot_area if showing else self.message)
        if self._plots:
            if not self._points and self.message.text() == "Preparing the charts…":
                self.message.setText("No training metrics yet.")
            for name, curve in self._curves.items():
                xs, ys = self._series[name]
                curve.setData(xs, ys, skipFiniteCheck=True)
                curve.setVisible(bool(xs))
                self._sync_legend(name, listed=bool(xs))
        self._update_buttons()
        self.points_changed.emit(len(self._points))

    def _sync_legend(self, name: str, *, listed: bool) -> None:
        legend, label = self._legends[name]
        curve = self._curves[name]
        if listed and legend.getLabel(curve) is None:
            legend.addItem(curve, label)
        elif not listed and legend.getLabel(curve) is not None:
            legend.removeItem(curve)

    def legend_labels(self) -> dict[str, list[str]]:
        """What each chart's legend lists (``{"loss": ["training"], ...}``), in order."""
        shown: dict[str, list[str]] = {}
        for plot in self._plots:
            legend = plot.getPlotItem().legend
            key = plot.objectName().removesuffix("Plot")
            shown[key] = [label.text for _sample, label in legend.items]
        return shown

    def _update_buttons(self) -> None:
        has = bool(self._plots) and bool(self._points)
        self.fit_button.setEnabled(has)
        self.save_button.setEnabled(has)

    # ------------------------------------------------------------------ interaction

    def _on_fit_clicked(self) -> None:
        for plot in self._plots:
            plot.enableAutoRange()

    def _on_mouse_moved(self, plot: Any, position: object) -> None:
        if not self._points or not isinstance(position, QPointF):
            return
        view = plot.getPlotItem().vb
        if not view.sceneBoundingRect().contains(position):
            return
        step = view.mapSceneToView(position).x()
        self.hover_label.setText(self.describe_step(step))

    def describe_step(self, step: float) -> str:
        """The values at the step nearest ``step``, e.g. for the hover line."""
        if not self._points:
            return ""
        nearest = min(self._points, key=lambda p: abs(p.step - step))
        parts = [f"Step {nearest.step}"]
        for label, value in (
            ("training loss", nearest.train_loss),
            ("validation loss", nearest.valid_loss),
            ("training accuracy", nearest.train_accuracy),
            ("validation accuracy", nearest.valid_accuracy),
        ):
            if value is not None:
                parts.append(f"{label} {format_metric(value)}")
        return " · ".join(parts)

    def _on_save_clicked(self) -> None:
        path = ask_png_path(self, "Save the charts", f"{self.file_stem}.png")
        if path is not None:
            self.save_png(path)

    def save_png(self, path: Path) -> bool:
        """Write the charts as shown to ``path`` (PNG). Returns False when nothing is shown."""
        if not self._plots:
            return False
        return bool(self.plot_area.grab().save(str(path), "PNG"))
