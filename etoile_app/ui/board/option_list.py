"""A multiple-choice theory's options in the detail pane: each with a bar in its chart colour,
its confidence, and the one that happened marked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from etoile_app.domain.models import TheoryOption
from etoile_app.ui.board.wrap_text import WrapText, quiet
from etoile_app.ui.common.option_colours import option_colour
from etoile_app.ui.common.widgets import PlainLabel

#: Size of an option's bar: wide enough to tell 10 % from 15 %, small beside its name.
BAR_WIDTH, BAR_HEIGHT = 96, 10


class ConfidenceBar(QWidget):
    """A bar filled to ``confidence`` percent in the colour of the option's chart line."""

    def __init__(self, index: int, confidence: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.confidence = confidence
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(BAR_WIDTH, BAR_HEIGHT)

    def colour(self) -> QColor:
        """The fill, chosen at paint time from the window's palette, as the chart's lines are."""
        return option_colour(self.index, self.window().palette())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QColor(self.palette().color(QPalette.ColorRole.WindowText))
        track.setAlphaF(0.14)
        whole = QRectF(self.rect())
        painter.setBrush(track)
        painter.drawRoundedRect(whole, 3, 3)
        filled = QRectF(whole)
        filled.setWidth(max(2.0, whole.width() * min(self.confidence, 100) / 100))
        painter.setBrush(self.colour())
        painter.drawRoundedRect(filled, 3, 3)


class OptionList(QWidget):
    """Rows of option name, bar and percent, in the theory's order (the chart legend's order).

    Once an option has happened its row says so in bold and the others step back.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        # The bars follow their names closely; what is left of the width stays empty at the right.
        self.grid.setColumnStretch(4, 1)
        self.options: tuple[TheoryOption, ...] = ()
        #: Per option, in order: its name, bar and percent (for tests and screen readers).
        self.rows: list[tuple[QWidget, ConfidenceBar, QLabel]] = []
        self.happened_label: QLabel | None = None

    def set_options(self, options: Sequence[TheoryOption]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.options = tuple(options)
        self.rows = []
        self.happened_label = None
        someone_happened = any(o.happened for o in self.options)
        for row, option in enumerate(self.options):
            name = WrapText(option.name)
            bar = ConfidenceBar(row, option.confidence)
            percent = PlainLabel(f"{option.confidence} %", wrap=False)
            percent.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            percent.setMinimumWidth(percent.fontMetrics().horizontalAdvance("100 %"))
            bar.setAccessibleName(f"{option.name}: {option.confidence} %")
            if option.happened:
                for widget in (name, percent):
                    font = widget.font()
                    font.setBold(True)
                    widget.setFont(font)
                self.happened_label = PlainLabel("✔ Happened", wrap=False)
                self.happened_label.setFont(name.font())
                self.grid.addWidget(self.happened_label, row, 3, Qt.AlignmentFlag.AlignVCenter)
            elif someone_happened:
                quiet(name)
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(bar, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(percent, row, 2)
            self.rows.append((name, bar, percent))

    def texts(self) -> list[str]:
        """Each row as a person reads it: "Jack 60 %", with "✔ Happened" after the one that did."""
        return [f"{o.name} {o.confidence} %" + (" ✔ Happened" if o.happened else "") for o in self.options]
