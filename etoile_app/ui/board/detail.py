"""The selected theory in full: text, evidence, resolution and the history of its confidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QPalette, QTextDocument, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Stance
from etoile_app.domain.models import Theory
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import Badge, PlainLabel, muted

if TYPE_CHECKING:
    from etoile_app.ui.common.charts import HistoryChart


class WrapText(QTextEdit):
    """User text shown like a plain, selectable label that wraps at word boundaries, or
    anywhere when a word is wider than the line: a 200-letter word wraps instead of widening
    the pane (a word-wrapped QLabel never breaks a word, so its minimum width is the longest
    word, and zero-width spaces would break a copied address). The text is plain and copies as
    written; user text set beside other text should come through ``fmt.isolate``.

    ``text()``, ``setText()`` and ``textFormat()`` answer as a ``PlainLabel`` would.
    """

    #: Narrowest width it asks for: a few letters, so its column can always shrink.
    MIN_CHARS = 6

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._role: QPalette.ColorRole | None = None
        self._heights: dict[int, int] = {}
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # as a selectable label: no Tab stop
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.viewport().setAutoFillBackground(False)  # the window shows through, as behind a label
        self.document().setDocumentMargin(0)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        # A second document measures heights for widths the layout asks about, leaving the
        # shown one laid out at the widget's own width.
        self._measure = QTextDocument(self)
        self._measure.setDocumentMargin(0)
        option = self._measure.defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._measure.setDefaultTextOption(option)
        self._measure.setDefaultFont(self.font())
        self.setText(text)

    # --- the PlainLabel face -----------------------------------------------------------------

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)
        self._measure.setPlainText(text)
        self._changed()

    def textFormat(self) -> Qt.TextFormat:
        return Qt.TextFormat.PlainText

    def setForegroundRole(self, role: QPalette.ColorRole) -> None:
        """Text in another colour of the palette (``widgets.muted``); kept through theme changes."""
        super().setForegroundRole(role)
        self._role = role
        self._apply_role()

    def _apply_role(self) -> None:
        if self._role is None:
            return
        palette = self.palette()
        colour = palette.color(self._role)
        if palette.color(QPalette.ColorRole.Text) != colour:
            palette.setColor(QPalette.ColorRole.Text, colour)
            self.setPalette(palette)

    # --- size --------------------------------------------------------------------------------

    def _changed(self) -> None:
        self._heights.clear()
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._measure.setDefaultFont(self.font())
            self._changed()
        elif event.type() == QEvent.Type.PaletteChange:
            self._apply_role()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            self._measure.setTextWidth(max(1, width))
            height = max(self.fontMetrics().height(), int(self._measure.size().height() + 0.999))
            self._heights[width] = height
        return height

    def sizeHint(self) -> QSize:
        self._measure.setTextWidth(-1)
        natural = int(self._measure.idealWidth() + 0.999)
        width = max(1, min(natural, self.fontMetrics().averageCharWidth() * 60))
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * self.MIN_CHARS
        return QSize(width, self.heightForWidth(max(width, self.width())))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the height follows the width


def _quiet(text: WrapText) -> WrapText:
    """Secondary text (sources, notes) in the palette's quieter colour, as ``widgets.muted``."""
    text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return text


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 0)
    return label


class TheoryDetail(QWidget):
    editRequested = Signal(int)
    resolveRequested = Signal(int)
    reopenRequested = Signal(int)
    deleteRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theory: Theory | None = None
        self.stack = QStackedWidget()
        empty = QLabel("Select a theory to see it in full.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        self.stack.addWidget(muted(empty))

        page = QWidget()
        columns = QHBoxLayout(page)
        columns.setContentsMargins(12, 8, 12, 12)
        columns.setSpacing(24)
        column = QVBoxLayout()
        column.setSpacing(6)
        side = QVBoxLayout()
        side.setSpacing(6)
        columns.addLayout(column, 3)
        columns.addLayout(side, 2)

        buttons = QHBoxLayout()
        self.edit_button = QPushButton("Edit…")
        self.resolve_button = QPushButton("Resolve…")
        self.reopen_button = QPushButton("Reopen")
        self.delete_button = QPushButton("Delete")
        for button in (self.edit_button, self.resolve_button, self.reopen_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.edit_button.clicked.connect(lambda: self._emit(self.editRequested))
        self.resolve_button.clicked.connect(lambda: self._emit(self.resolveRequested))
        self.reopen_button.clicked.connect(lambda: self._emit(self.reopenRequested))
        self.delete_button.clicked.connect(lambda: self._emit(self.deleteRequested))
        column.addLayout(buttons)

        self.title = WrapText()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        column.addWidget(self.title)

        summary = QHBoxLayout()
        self.badge = Badge()
        self.summary = PlainLabel(wrap=False)  # numbers and names the app chose
        summary.addWidget(self.badge)
        summary.addWidget(self.summary, 1)
        column.addLayout(summary)

        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        self.facts: dict[str, QWidget] = {}
        for row, name in enumerate(("Characters", "Tags", "Resolve by", "Resolution", "Written")):
            key = muted(QLabel(name))
            value = WrapText()
            facts.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(value, row, 1)
            self.facts[name] = value
            self.facts[name + ":label"] = key
        facts.setColumnStretch(1, 1)
        column.addLayout(facts)

        column.addWidget(_heading("Theory"))
        self.body = WrapText()
        column.addWidget(self.body)
        # Resolutions it had before it was reopened, newest first; hidden when there are none.
        self.earlier_heading = _heading("Earlier resolutions")
        column.addWidget(self.earlier_heading)
        self.earlier = QVBoxLayout()
        self.earlier.setSpacing(2)
        column.addLayout(self.earlier)
        column.addStretch(1)

        side.addWidget(_heading("Evidence"))
        self.evidence = QVBoxLayout()
        self.evidence.setSpacing(6)
        side.addLayout(self.evidence)

        side.addWidget(_heading("Confidence history"))
        # The chart (and QtCharts) is made when the first theory is shown.
        self._chart_place = QVBoxLayout()
        self._history_chart: HistoryChart | None = None
        side.addLayout(self._chart_place)
        self.history = QVBoxLayout()
        self.history.setSpacing(2)
        side.addLayout(self.history)
        side.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.stack.addWidget(scroll)

        # Several theories selected: how many, and what can be done to them all at once.
        several = QWidget()
        several_layout = QVBoxLayout(several)
        several_layout.addStretch(1)
        self.selection_label = QLabel()
        self.selection_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.selection_label.font()
        font.setBold(True)
        self.selection_label.setFont(font)
        several_layout.addWidget(self.selection_label)
        hint = QLabel("Resolve, void, tag or delete them all at once: one step to undo, one note for all.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        several_layout.addWidget(muted(hint))
        self._bulk_buttons = QHBoxLayout()
        self._bulk_buttons.addStretch(1)
        self._bulk_buttons.addStretch(1)
        several_layout.addLayout(self._bulk_buttons)
        several_layout.addStretch(1)
        self.stack.addWidget(several)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    @property
    def history_chart(self) -> HistoryChart:
        if self._history_chart is None:
            from etoile_app.ui.common.charts import HistoryChart

            self._history_chart = HistoryChart()
            self._history_chart.setAccessibleName("Confidence history chart")
            self._chart_place.addWidget(self._history_chart)
        return self._history_chart

    def set_bulk_actions(self, actions: list[QAction]) -> None:
        """Buttons for ``actions`` on the page shown when several theories are selected."""
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._bulk_buttons.insertWidget(self._bulk_buttons.count() - 1, button)

    def show_selection(self, count: int) -> None:
        """Say that ``count`` theories are selected (several: no one theory to show in full)."""
        self.theory = None
        self.selection_label.setText(f"{count:,} theories selected")
        self.stack.setCurrentIndex(2)

    def _emit(self, signal: Signal) -> None:
        if self.theory is not None:
            signal.emit(self.theory.id)

    def show_theory(self, theory: Theory | None, now: datetime | None = None) -> None:
        """Show ``theory``; ``now`` ends the history chart of an open theory (default: the clock)."""
        self.theory = theory
        if theory is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        t = theory
        self.title.setText(t.title)
        self.badge.set_status(t.status)
        juicy = f" · juiciness {fmt.stars(t.juiciness)}" if t.juiciness else ""
        self.summary.setText(f"{t.confidence} % sure · {t.category.label}{juicy}")
        self._set("Characters", ", ".join(fmt.isolate(c.name) for c in t.characters) or "None chosen")
        self._set("Tags", "  ".join(fmt.isolate(tag) for tag in t.tags) or "No tags")
        self._set("Resolve by", fmt.long_date(t.resolve_by) if t.resolve_by else "", hide_empty=True)
        if t.status.is_resolved and t.resolved_on is not None:
            note = f" — {fmt.isolate(t.resolution_note)}" if t.resolution_note else ""
            self._set("Resolution", f"{t.status.label} on {fmt.long_date(t.resolved_on)}{note}")
        else:
            self._set("Resolution", "", hide_empty=True)
        self._set(
            "Written", f"{fmt.local_datetime(t.created_at)}; last changed {fmt.local_datetime(t.updated_at)}"
        )
        self.body.setText(t.body or "No details written yet.")
        _clear(self.earlier)
        self.earlier_heading.setVisible(bool(t.earlier_resolutions))
        for earlier in reversed(t.earlier_resolutions):
            note = f" — {fmt.isolate(earlier.note)}" if earlier.note else ""
            self.earlier.addWidget(
                WrapText(
                    f"{earlier.status.label} on {fmt.long_date(earlier.resolved_on)}{note}; "
                    f"reopened on {fmt.long_date(earlier.reopened_at.astimezone().date())}"
                )
            )

        _clear(self.evidence)
        if not t.evidence:
            self.evidence.addWidget(muted(QLabel("No canon facts cited yet. Edit the theory to add some.")))
        for e in t.evidence:
            mark = "✔ Supports" if e.stance is Stance.SUPPORTS else "✘ Contradicts"
            self.evidence.addWidget(WrapText(f"{mark}: {fmt.isolate(e.statement)}"))
            source = f"{e.fact_status.label} · {fmt.isolate(e.source)} · as of {fmt.short_date(e.as_of)}"
            if e.note:
                source += f"\nYour note: {fmt.isolate(e.note)}"
            self.evidence.addWidget(_quiet(WrapText(source)))

        moment = now or datetime.now(UTC)
        self.history_chart.set_history(t.history, t.status, t.resolved_at, moment)
        _clear(self.history)
        for point in reversed(t.history):
            note = f" — {fmt.isolate(point.note)}" if point.note else ""
            self.history.addWidget(
                WrapText(f"{fmt.local_datetime(point.changed_at)}:  {point.confidence} %{note}")
            )

        resolved = t.status.is_resolved
        self.resolve_button.setVisible(not resolved)
        self.reopen_button.setVisible(resolved)

    def _set(self, name: str, text: str, hide_empty: bool = False) -> None:
        self.facts[name].setText(text)
        visible = bool(text) or not hide_empty
        self.facts[name].setVisible(visible)
        self.facts[name + ":label"].setVisible(visible)


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
