"""Charts (QtCharts): calibration of resolved calls, and one theory's confidence over time.

Every colour follows the widget's palette (light or dark) and is re-applied when it changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCharts import (
    QAbstractAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QEvent, QMargins, QPointF, QSize, Qt, QTime
from PySide6.QtGui import QBrush, QColor, QCursor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QToolTip, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import Forecast
from etoile_app.domain.scoring import CalibrationBin
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import badge_colours, is_dark, plain_tooltip

POINT_COLOUR = QColor("#1f5fa8")
INTERVAL_COLOUR = QColor("#7aa6d8")
DIAGONAL_COLOUR = QColor("#9a9a9a")
#: The same roles on a dark background: lighter, so they neither sink into it nor glare.
POINT_COLOUR_DARK = QColor("#8bb8f0")
INTERVAL_COLOUR_DARK = QColor("#4f79a8")
DIAGONAL_COLOUR_DARK = QColor("#8a8a8a")

#: Smallest marker a person can see without hunting for it.
MIN_MARKER = 8
#: Longest note shown in a point's tooltip before it is elided.
NOTE_TOOLTIP_WIDTH = 360


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

    # --- colours ---------------------------------------------------------------------------

    @property
    def dark(self) -> bool:
        return is_dark(self.palette())

    def colours(self) -> dict[str, QColor]:
        """Background, text, grid and axis-line colours taken from the palette."""
        p = self.palette()
        text = p.color(QPalette.ColorRole.Text)
        grid = QColor(text)
        grid.setAlphaF(0.18)
        return {
            "background": p.color(QPalette.ColorRole.Base),
            "text": text,
            "grid": grid,
            "line": p.color(QPalette.ColorRole.Mid) if not self.dark else QColor(text).darker(160),
            "point": POINT_COLOUR_DARK if self.dark else POINT_COLOUR,
            "interval": INTERVAL_COLOUR_DARK if self.dark else INTERVAL_COLOUR,
            "diagonal": DIAGONAL_COLOUR_DARK if self.dark else DIAGONAL_COLOUR,
        }

    def _apply_palette(self) -> None:
        c = self.colours()
        chart = self.chart()
        chart.setBackgroundBrush(QBrush(c["background"]))
        chart.setPlotAreaBackgroundVisible(False)
        chart.setTitleBrush(QBrush(c["text"]))
        self.setBackgroundBrush(QBrush(c["background"]))
        for axis in chart.axes():
            self._colour_axis(axis, c)
        self._colour_series(c)

    @staticmethod
    def _colour_axis(axis: QAbstractAxis, c: dict[str, QColor]) -> None:
        axis.setLabelsColor(c["text"])
        axis.setTitleBrush(QBrush(c["text"]))
        axis.setLinePenColor(c["line"])
        axis.setGridLineColor(c["grid"])
        axis.setMinorGridLineColor(c["grid"])

    def _colour_series(self, c: dict[str, QColor]) -> None:
        """Subclasses colour their own series."""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    # --- series ----------------------------------------------------------------------------

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
        self.setAccessibleName("Calibration chart")
        # Room above 100 % and right of 100 % for the "n=…" labels, outside the axis numbers.
        self.chart().setMargins(QMargins(4, 18, 16, 4))
        self.bins: tuple[CalibrationBin, ...] = ()
        self.diagonal: QLineSeries | None = None
        self.bars: list[QLineSeries] = []
        self.points: QScatterSeries | None = None
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
        self._attach(diagonal, x_axis, y_axis)
        self.diagonal = diagonal

        self.bars = []
        for b in self.bins:
            bar = QLineSeries()
            bar.append(b.mean_probability * 100, b.interval_low * 100)
            bar.append(b.mean_probability * 100, b.interval_high * 100)
            self._attach(bar, x_axis, y_axis)
            self.bars.append(bar)

        points = QScatterSeries()
        points.setName("Share confirmed")
        points.setMarkerSize(11)
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
        self._apply_palette()

    def _colour_series(self, c: dict[str, QColor]) -> None:
        if self.diagonal is not None:
            self.diagonal.setPen(QPen(c["diagonal"], 1.5, Qt.PenStyle.DashLine))
        for bar in self.bars:
            bar.setPen(QPen(c["interval"], 3))
        if self.points is not None:
            self.points.setColor(c["point"])
            self.points.setBorderColor(c["background"])
            self.points.setPointLabelsColor(c["text"])


HISTORY_WIDTH, HISTORY_HEIGHT = 320, 170
DAY_MS = 24 * 3600 * 1000


class HistoryChart(_ChartView):
    """A theory's confidence as a step line over time, with each change and the resolution marked.

    The x axis runs over whole days, at least three, with at most one tick a day, so no date is
    written twice; the resolution's label is placed inside the plot area, never over the axis
    numbers; a change's note shows, elided, in the tooltip of its point.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(HISTORY_HEIGHT)
        self.setAccessibleName("Confidence history chart")
        self.chart().setMargins(QMargins(4, 6, 14, 4))
        self.line: QLineSeries | None = None
        self.points: QScatterSeries | None = None
        self.marker: QScatterSeries | None = None
        self.status: TheoryStatus | None = None
        self.history: tuple[Forecast, ...] = ()
        self.label = QGraphicsSimpleTextItem()
        self.label.setZValue(20)
        self.label.hide()
        self.chart().scene().addItem(self.label)
        self.chart().plotAreaChanged.connect(self._place_label)
        self._apply_palette()

    def sizeHint(self) -> QSize:
        # A graphics view's own hint follows its scene, which follows the view's size: made
        # while hidden (at Qt's default 640×480) the chart would ask to stay 480 px tall.
        return QSize(HISTORY_WIDTH, HISTORY_HEIGHT)

    def x_axis(self) -> QDateTimeAxis | None:
        axes = self.chart().axes(Qt.Orientation.Horizontal)
        return axes[0] if axes else None  # type: ignore[return-value]

    def tick_labels(self) -> list[str]:
        """The dates written under the x axis, as the axis spaces its ticks."""
        axis = self.x_axis()
        if axis is None:
            return []
        lo, hi = axis.min().toMSecsSinceEpoch(), axis.max().toMSecsSinceEpoch()
        n = axis.tickCount()
        return [
            QDateTime.fromMSecsSinceEpoch(int(lo + (hi - lo) * i / (n - 1))).toString(axis.format())
            for i in range(n)
        ]

    def set_history(
        self,
        points: Sequence[Forecast],
        status: TheoryStatus,
        resolved_at: datetime | None,
        now: datetime,
    ) -> None:
        chart = self._reset()
        self.line = self.points = self.marker = None
        self.status = status
        self.history = tuple(points)
        self.label.hide()
        if not points:
            return
        start = points[0].changed_at
        end = max(resolved_at or now, points[-1].changed_at)
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM yy")
        lo, hi, days = _day_range(_qdt(start), _qdt(end))
        x_axis.setRange(lo, hi)
        # At most one tick a day: two ticks on one day would write the same date twice.
        x_axis.setTickCount(min(4, days + 1))
        y_axis = _percent_axis("")
        y_axis.setTickCount(6)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        line = QLineSeries()
        dots = QScatterSeries()
        dots.setMarkerSize(MIN_MARKER + 1)
        previous: int | None = None
        for p in points:
            ms = _qdt(p.changed_at).toMSecsSinceEpoch()
            if previous is not None:
                line.append(ms, previous)  # hold the old value until the change: a step
            line.append(ms, p.confidence)
            dots.append(ms, p.confidence)
            previous = p.confidence
        last = _qdt(end).toMSecsSinceEpoch()
        line.append(last, previous)
        self._attach(line, x_axis, y_axis)
        self._attach(dots, x_axis, y_axis)
        dots.hovered.connect(self._hovered)
        self.line, self.points = line, dots

        if status.is_resolved and resolved_at is not None:
            marker = QScatterSeries()
            marker.setMarkerSize(12)
            marker.append(_qdt(resolved_at).toMSecsSinceEpoch(), previous)
            # The label is ours (see _place_label), not the series' own, which would be drawn
            # centred above the point whatever lies there, axis numbers included.
            marker.setPointLabelsFormat(status.label)
            self._attach(marker, x_axis, y_axis)
            self.marker = marker
            self.label.setText(status.label)
            self.label.show()
        self._apply_palette()
        self._place_label()

    def _colour_series(self, c: dict[str, QColor]) -> None:
        if self.line is not None:
            self.line.setPen(QPen(c["point"], 2))
        if self.points is not None:
            self.points.setColor(c["point"])
            self.points.setBorderColor(c["background"])
        if self.marker is not None and self.status is not None:
            background, _ = badge_colours(self.status, self.palette())
            self.marker.setColor(background)
            self.marker.setBorderColor(c["background"])
        self.label.setBrush(QBrush(c["text"]))

    def _place_label(self, *_: object) -> None:
        """Put the resolution's label beside its point, kept inside the plot area."""
        if self.marker is None or self.marker.count() == 0:
            return
        plot = self.chart().plotArea()
        at = self.chart().mapToPosition(self.marker.at(0), self.marker)
        box = self.label.boundingRect()
        gap = 8
        x = at.x() - box.width() / 2
        y = at.y() - box.height() - gap  # above the point …
        if y < plot.top() + 1:
            y = at.y() + gap  # … or below it when there is no room above
        x = min(max(x, plot.left() + 2), plot.right() - box.width() - 2)
        y = min(max(y, plot.top() + 1), plot.bottom() - box.height() - 1)
        self.label.setPos(x, y)

    def label_rect(self):
        """The resolution label's rectangle in chart coordinates (for tests)."""
        return self.label.sceneBoundingRect()

    def _hovered(self, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        ms = int(point.x())
        match = next(
            (p for p in self.history if abs(_qdt(p.changed_at).toMSecsSinceEpoch() - ms) < 1000), None
        )
        if match is None:
            return
        QToolTip.showText(QCursor.pos(), point_tooltip(match, self.fontMetrics()), self)


def point_tooltip(point: Forecast, metrics: QFontMetrics) -> str:
    """A point's date and confidence, and its note elided to one readable line."""
    text = f"{fmt.local_datetime(point.changed_at)}: {point.confidence} %"
    if point.note:
        note = metrics.elidedText(
            point.note.replace("\n", " "), Qt.TextElideMode.ElideRight, NOTE_TOOLTIP_WIDTH
        )
        text += f"\n{note}"
    return plain_tooltip(text)


def _day_range(start: QDateTime, end: QDateTime) -> tuple[QDateTime, QDateTime, int]:
    """Whole local days around ``start``…``end``, at least three, padded a day on each side
    when it all happened on one day; returns (first, last, number of days)."""
    lo = QDateTime(start.date(), QTime(0, 0))
    hi = QDateTime(end.date().addDays(1), QTime(0, 0))
    if lo.daysTo(hi) < 3:
        lo = lo.addDays(-1)
        hi = hi.addDays(1) if lo.daysTo(hi) < 3 else hi
    return lo, hi, lo.daysTo(hi)


def _qdt(moment: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))
