"""Charts (QtCharts): calibration of resolved calls, and one theory's confidence over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import ConfidencePoint
from etoile_app.domain.scoring import CalibrationBin
from etoile_app.ui.widgets import badge_colours

POINT_COLOUR = QColor("#1f5fa8")
INTERVAL_COLOUR = QColor("#7aa6d8")
DIAGONAL_COLOUR = QColor("#9a9a9a")


def _percent_axis(title: str) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, 100)
    axis.setTickCount(11)
    axis.setLabelFormat("%d")
    axis.setTitleText(title)
    return axis


class _ChartView(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setVisible(False)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)

    def _reset(self) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        return chart

    def _attach(self, series, x_axis, y_axis) -> None:
        self.chart().addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)


class CalibrationChart(_ChartView):
    """Share confirmed per confidence bin, plotted at the bin's mean confidence.

    The diagonal is perfect calibration; each point carries its count (n) and a vertical bar
    for its 95 % Wilson interval. Empty bins are not drawn.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(360, 300)
        self.bins: tuple[CalibrationBin, ...] = ()
        self.set_bins(())

    def set_bins(self, bins: Sequence[CalibrationBin]) -> None:
        self.bins = tuple(bins)
        chart = self._reset()
        x_axis = _percent_axis("Your confidence (%)")
        y_axis = _percent_axis("Came true (%)")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        diagonal = QLineSeries()
        diagonal.setName("Perfect calibration")
        diagonal.append(0, 0)
        diagonal.append(100, 100)
        pen = QPen(DIAGONAL_COLOUR, 1.5, Qt.PenStyle.DashLine)
        diagonal.setPen(pen)
        self._attach(diagonal, x_axis, y_axis)

        for b in self.bins:
            bar = QLineSeries()
            bar.append(b.mean_probability * 100, b.interval_low * 100)
            bar.append(b.mean_probability * 100, b.interval_high * 100)
            bar.setPen(QPen(INTERVAL_COLOUR, 3))
            self._attach(bar, x_axis, y_axis)

        points = QScatterSeries()
        points.setName("Share confirmed")
        points.setMarkerSize(11)
        points.setColor(POINT_COLOUR)
        points.setBorderColor(QColor("white"))
        for b in self.bins:
            points.append(QPointF(b.mean_probability * 100, b.share_confirmed * 100))
        points.setPointLabelsVisible(True)
        points.setPointLabelsClipping(False)
        for i, b in enumerate(self.bins):
            points.setPointConfiguration(
                i,
                {
                    QScatterSeries.PointConfiguration.LabelVisibility: True,
                    QScatterSeries.PointConfiguration.LabelFormat: f"n={b.count}",
                },
            )
        self._attach(points, x_axis, y_axis)
        self.points = points


HISTORY_WIDTH, HISTORY_HEIGHT = 320, 170


class HistoryChart(_ChartView):
    """A theory's confidence as a step line over time, with its resolution marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(HISTORY_HEIGHT)
        self.line: QLineSeries | None = None
        self.marker: QScatterSeries | None = None

    def sizeHint(self) -> QSize:
        # A graphics view's own hint follows its scene, which follows the view's size: made
        # while hidden (at Qt's default 640×480) the chart would ask to stay 480 px tall.
        return QSize(HISTORY_WIDTH, HISTORY_HEIGHT)

    def set_history(
        self,
        points: Sequence[ConfidencePoint],
        status: TheoryStatus,
        resolved_at: datetime | None,
        now: datetime,
    ) -> None:
        chart = self._reset()
        self.line = self.marker = None
        if not points:
            return
        start = points[0].changed_at
        end = max(resolved_at or now, points[-1].changed_at)
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM yy")
        x_axis.setTickCount(4)
        # A theory written a moment ago still gets a visible stretch of time.
        x_axis.setRange(_qdt(start), max(_qdt(end), _qdt(start).addSecs(3600)))
        y_axis = _percent_axis("")
        y_axis.setTickCount(6)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        line = QLineSeries()
        previous: int | None = None
        for p in points:
            ms = _qdt(p.changed_at).toMSecsSinceEpoch()
            if previous is not None:
                line.append(ms, previous)  # hold the old value until the change: a step
            line.append(ms, p.confidence)
            previous = p.confidence
        last = _qdt(end).toMSecsSinceEpoch()
        line.append(last, previous)
        line.setPen(QPen(POINT_COLOUR, 2))
        self._attach(line, x_axis, y_axis)
        self.line = line

        if status.is_resolved and resolved_at is not None:
            marker = QScatterSeries()
            marker.setMarkerSize(12)
            background, _ = badge_colours(status)
            marker.setColor(background)
            marker.setBorderColor(QColor("white"))
            marker.append(_qdt(resolved_at).toMSecsSinceEpoch(), previous)
            marker.setPointLabelsVisible(True)
            marker.setPointLabelsClipping(False)
            marker.setPointLabelsFormat(status.label)
            self._attach(marker, x_axis, y_axis)
            self.marker = marker


def _qdt(moment: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))
