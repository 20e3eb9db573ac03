"""Charts (QtCharts): calibration of resolved calls, and one theory's confidence over time
(one line per option for a multiple-choice theory).

Every colour follows the widget's palette (light or dark) and is re-applied when it changes.
"""

from __future__ import annotations

import html
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
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
    QTextOption,
)
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsTextItem, QToolTip, QWidget

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import Forecast
from etoile_app.domain.scoring import CalibrationBin
from etoile_app.ui.common import fmt
from etoile_app.ui.common.option_colours import option_colour, option_pen_style
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

    def set_bins(self, bins: Sequence[CalibrationBin], *, whose: str = "Your") -> None:
        """Plot ``bins``; ``whose`` names the confidence on the x axis (a club member's, say)."""
        self.bins = tuple(bins)
        chart = self._reset()
        x_axis = _percent_axis(f"{whose} confidence (%)")
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
BOTTOM_MARGIN = 4
#: Space above and below the legend of a multiple-choice theory's options.
LEGEND_GAP = 8
#: Names up to this long are never broken across two lines of the legend.
LEGEND_WHOLE_NAME = 24
DAY_MS = 24 * 3600 * 1000
#: Widest the resolution's label may be before the option's name in it is elided.
LABEL_WIDTH = 160


class HistoryChart(_ChartView):
    """A theory's confidence as a step line over time, with each change and the resolution marked.

    A multiple-choice theory has one line per option, each in its option's colour
    (``option_colours``), named in a legend under the plot that wraps onto as many lines as the
    names need (a QLegend keeps to one line and elides names to nothing); the option that
    happened is drawn thicker and marked where it was resolved, and a void one has a dashed
    rule there instead.

    The x axis runs over whole days, at least three, with at most one tick a day, so no date is
    written twice; the resolution's label is placed inside the plot area, never over the axis
    numbers; a change's note shows, elided, in the tooltip of its point.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(HISTORY_HEIGHT)
        self.setAccessibleName("Confidence history chart")
        self.chart().setMargins(QMargins(4, 6, 14, BOTTOM_MARGIN))
        self.line: QLineSeries | None = None
        self.points: QScatterSeries | None = None
        #: A multiple-choice theory's lines and points, by option name, in the options' order.
        self.option_lines: dict[str, QLineSeries] = {}
        self.option_points: dict[str, QScatterSeries] = {}
        self.options: tuple[str, ...] = ()
        self.happened: str | None = None
        self.marker: QScatterSeries | None = None
        #: Where a multiple-choice theory with no option marked was resolved (void).
        self.rule: QLineSeries | None = None
        self.status: TheoryStatus | None = None
        self.history: tuple[Forecast, ...] = ()
        self.label = QGraphicsSimpleTextItem()
        self.label.setZValue(20)
        self.label.hide()
        self.chart().scene().addItem(self.label)
        self.legend = QGraphicsTextItem()
        self.legend.setZValue(20)
        self.legend.hide()
        option = self.legend.document().defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # a long name too
        self.legend.document().setDefaultTextOption(option)
        self.legend.document().setDocumentMargin(0)
        self.chart().scene().addItem(self.legend)
        self.chart().plotAreaChanged.connect(self._place_label)
        self._apply_palette()

    def sizeHint(self) -> QSize:
        # A graphics view's own hint follows its scene, which follows the view's size: made
        # while hidden (at Qt's default 640×480) the chart would ask to stay 480 px tall.
        return QSize(HISTORY_WIDTH, self.minimumHeight())

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

    def legend_text(self) -> str:
        """What the legend says ("━━ Jack   ━━ Gael"), or nothing for a yes/no theory."""
        if not self.legend.isVisible():
            return ""
        return self.legend.toPlainText().replace("\u00a0", " ")

    def set_history(
        self,
        points: Sequence[Forecast],
        status: TheoryStatus,
        resolved_at: datetime | None,
        now: datetime,
        options: Sequence[str] = (),
        happened: str | None = None,
    ) -> None:
        """Draw ``points``: one line for a yes/no theory, or one per name of ``options`` (in
        that order) for a multiple-choice one, whose ``happened`` option is marked once it is
        resolved. ``now`` ends the lines of an open theory."""
        chart = self._reset()
        self.line = self.points = self.marker = self.rule = None
        self.option_lines, self.option_points = {}, {}
        self.status = status
        self.options = tuple(options)
        self.happened = happened if happened in self.options else None
        self.history = tuple(points)
        self.label.hide()
        self.legend.setVisible(bool(self.options))
        self._describe()
        if not points:
            self._apply_palette()  # the legend names this theory's options even with no line yet
            return
        start = min(p.changed_at for p in points)
        end = max(resolved_at or now, max(p.changed_at for p in points))
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

        last = _qdt(end).toMSecsSinceEpoch()
        if self.options:
            final = self._option_series(points, last, x_axis, y_axis)
        else:
            self.line, self.points = self._step_series(points, last, x_axis, y_axis)
            self.points.hovered.connect(self._hovered)
            final = {None: points[-1].confidence}

        if status.is_resolved and resolved_at is not None:
            at = _qdt(resolved_at).toMSecsSinceEpoch()
            if not self.options:
                self._mark(at, final[None], status.label, x_axis, y_axis)
            elif self.happened is not None and self.happened in final:
                self._mark(at, final[self.happened], f"Happened: {self.happened}", x_axis, y_axis)
            else:
                self._rule(at, status.label, x_axis, y_axis)
        self._apply_palette()
        self._place_label()

    def _step_series(
        self, points: Sequence[Forecast], last: int, x_axis: QAbstractAxis, y_axis: QAbstractAxis
    ) -> tuple[QLineSeries, QScatterSeries]:
        """A step line through ``points`` held to ``last``, and a dot at each change."""
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
        line.append(last, previous)
        self._attach(line, x_axis, y_axis)
        self._attach(dots, x_axis, y_axis)
        return line, dots

    def _option_series(
        self, points: Sequence[Forecast], last: int, x_axis: QAbstractAxis, y_axis: QAbstractAxis
    ) -> dict[str | None, int]:
        """One named step line per option that has forecasts; each option's last confidence.

        The option that happened is drawn first, so its thicker line lies under the others
        where they run at the same confidence instead of hiding them.
        """
        final: dict[str | None, int] = {}
        drawn = sorted(self.options, key=lambda name: name != self.happened)
        for name in drawn:
            own = [p for p in points if p.option == name]
            if not own:
                continue
            line, dots = self._step_series(own, last, x_axis, y_axis)
            line.setName(name)
            dots.hovered.connect(lambda point, state, name=name: self._hovered(point, state, name))
            self.option_lines[name], self.option_points[name] = line, dots
            final[name] = own[-1].confidence
        self.option_lines = {n: self.option_lines[n] for n in self.options if n in self.option_lines}
        return final

    def _mark(self, at: int, value: int, text: str, x_axis: QAbstractAxis, y_axis: QAbstractAxis) -> None:
        marker = QScatterSeries()
        marker.setMarkerSize(12)
        marker.append(at, value)
        # The label is ours (see _place_label), not the series' own, which would be drawn
        # centred above the point whatever lies there, axis numbers included.
        marker.setPointLabelsFormat(text)
        self._attach(marker, x_axis, y_axis)
        self.marker = marker
        self._show_label(text)

    def _rule(self, at: int, text: str, x_axis: QAbstractAxis, y_axis: QAbstractAxis) -> None:
        rule = QLineSeries()
        rule.append(at, 0)
        rule.append(at, 100)
        self._attach(rule, x_axis, y_axis)
        self.rule = rule
        self._show_label(text)

    def _show_label(self, text: str) -> None:
        self.label.setText(
            QFontMetrics(self.label.font()).elidedText(text, Qt.TextElideMode.ElideRight, LABEL_WIDTH)
        )
        self.label.show()

    def _fill_legend(self, c: dict[str, QColor]) -> None:
        """Each option's line sample in its colour (dashed past the eighth) and its name, the
        one that happened in bold; entries wrap onto more lines, never inside a sample."""
        self.legend.setDefaultTextColor(c["text"])
        self.legend.setFont(self.font())
        entries = []
        for index, name in enumerate(self.options):
            colour = option_colour(index, self.palette()).name()
            sample = "━━" if option_pen_style(index) == Qt.PenStyle.SolidLine else "╍╍"
            shown = html.escape(fmt.isolate(name))
            if len(name) <= LEGEND_WHOLE_NAME:
                shown = shown.replace(" ", "&nbsp;")  # a short name moves to the next line whole
            if name == self.happened:
                shown = f"<b>{shown}</b>"
            entries.append(f'<span style="color:{colour}">{sample}</span>&nbsp;{shown}')
        self.legend.setHtml("&nbsp;&nbsp; ".join(entries))
        self._place_legend()

    def _place_legend(self) -> None:
        """The legend across the bottom of the chart, the plot made shorter to give it room and
        the view taller, so the plot keeps its height."""
        chart = self.chart()
        margins = chart.margins()
        height = 0
        if self.legend.isVisible():
            self.legend.setTextWidth(max(40, self.viewport().width() - margins.left() - margins.right()))
            height = int(self.legend.boundingRect().height() + 0.999) + LEGEND_GAP
            self.legend.setPos(margins.left() + 2, self.viewport().height() - height + LEGEND_GAP / 2)
        if margins.bottom() != BOTTOM_MARGIN + height:
            margins.setBottom(BOTTOM_MARGIN + height)
            chart.setMargins(margins)
        if self.minimumHeight() != HISTORY_HEIGHT + height:
            self.setMinimumHeight(HISTORY_HEIGHT + height)
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_legend()

    def _describe(self) -> None:
        """The accessible name says what the lines are; the list under the chart says each
        change in words."""
        if self.options:
            self.setAccessibleName(
                "Confidence history chart, one line per option: " + ", ".join(self.options)
            )
        else:
            self.setAccessibleName("Confidence history chart")
        self.setAccessibleDescription("Each change is listed in words under the chart.")

    def _colour_series(self, c: dict[str, QColor]) -> None:
        if self.line is not None:
            self.line.setPen(QPen(c["point"], 2))
        if self.points is not None:
            self.points.setColor(c["point"])
            self.points.setBorderColor(c["background"])
        palette = self.palette()
        for index, name in enumerate(self.options):
            line = self.option_lines.get(name)
            if line is None:
                continue
            colour = option_colour(index, palette)
            line.setPen(QPen(colour, 3.5 if name == self.happened else 2, option_pen_style(index)))
            dots = self.option_points[name]
            dots.setColor(colour)
            dots.setBorderColor(c["background"])
        self._fill_legend(c)
        if self.status is not None:
            background, _ = badge_colours(self.status, palette)
            if self.marker is not None:
                # A multiple-choice theory's mark is in the colour of the option that happened:
                # the confirmed green could be read as another option's line.
                happened = self.options.index(self.happened) if self.happened in self.options else None
                self.marker.setColor(background if happened is None else option_colour(happened, palette))
                self.marker.setBorderColor(c["background"])
            if self.rule is not None:
                self.rule.setPen(QPen(background, 2, Qt.PenStyle.DashLine))
        self.label.setBrush(QBrush(c["text"]))

    def _place_label(self, *_: object) -> None:
        """Put the resolution's label beside its point (or left of its rule, at the top),
        kept inside the plot area."""
        plot = self.chart().plotArea()
        box = self.label.boundingRect()
        gap = 8
        if self.rule is not None and self.rule.count() == 2:
            at = self.chart().mapToPosition(self.rule.at(1), self.rule)
            x, y = at.x() - box.width() - gap, plot.top() + 2
        elif self.marker is not None and self.marker.count() == 1:
            at = self.chart().mapToPosition(self.marker.at(0), self.marker)
            x = at.x() - box.width() / 2
            y = at.y() - box.height() - gap  # above the point …
            if y < plot.top() + 1:
                y = at.y() + gap  # … or below it when there is no room above
        else:
            return
        x = min(max(x, plot.left() + 2), plot.right() - box.width() - 2)
        y = min(max(y, plot.top() + 1), plot.bottom() - box.height() - 1)
        self.label.setPos(x, y)

    def label_rect(self):
        """The resolution label's rectangle in chart coordinates (for tests)."""
        return self.label.sceneBoundingRect()

    def _hovered(self, point: QPointF, state: bool, option: str | None = None) -> None:
        if not state:
            QToolTip.hideText()
            return
        ms = int(point.x())
        match = next(
            (
                p
                for p in self.history
                if p.option == option and abs(_qdt(p.changed_at).toMSecsSinceEpoch() - ms) < 1000
            ),
            None,
        )
        if match is None:
            return
        QToolTip.showText(QCursor.pos(), point_tooltip(match, self.fontMetrics()), self)


def point_tooltip(point: Forecast, metrics: QFontMetrics) -> str:
    """A point's date, option (if any) and confidence, and its note elided to one readable line."""
    option = f"{fmt.isolate(point.option)} " if point.option is not None else ""
    text = f"{fmt.local_datetime(point.changed_at)}: {option}{point.confidence} %"
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
