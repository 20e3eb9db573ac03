"""The selected theory in full: text, evidence, resolution and the history of its confidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Stance
from etoile_app.domain.models import Theory
from etoile_app.ui import fmt
from etoile_app.ui.widgets import Badge, PlainLabel, muted

if TYPE_CHECKING:
    from etoile_app.ui.charts import HistoryChart


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

        self.title = PlainLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        column.addWidget(self.title)

        summary = QHBoxLayout()
        self.badge = Badge()
        self.summary = PlainLabel(wrap=False)
        summary.addWidget(self.badge)
        summary.addWidget(self.summary, 1)
        column.addLayout(summary)

        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        self.facts: dict[str, QLabel] = {}
        for row, name in enumerate(("Characters", "Tags", "Deadline", "Resolution", "Written")):
            key = muted(QLabel(name))
            value = PlainLabel()
            facts.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(value, row, 1)
            self.facts[name] = value
            self.facts[name + ":label"] = key
        facts.setColumnStretch(1, 1)
        column.addLayout(facts)

        column.addWidget(_heading("Theory"))
        self.body = PlainLabel()
        column.addWidget(self.body)
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    @property
    def history_chart(self) -> HistoryChart:
        if self._history_chart is None:
            from etoile_app.ui.charts import HistoryChart

            self._history_chart = HistoryChart()
            self._history_chart.setAccessibleName("Confidence history chart")
            self._chart_place.addWidget(self._history_chart)
        return self._history_chart

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
        self._set("Characters", ", ".join(c.name for c in t.characters) or "None chosen")
        self._set("Tags", "  ".join(t.tags) or "No tags")
        self._set(
            "Deadline", f"Resolve by {fmt.long_date(t.resolve_by)}" if t.resolve_by else "", hide_empty=True
        )
        if t.status.is_resolved and t.resolved_on is not None:
            note = f" — {t.resolution_note}" if t.resolution_note else ""
            self._set("Resolution", f"{t.status.label} on {fmt.long_date(t.resolved_on)}{note}")
        else:
            self._set("Resolution", "", hide_empty=True)
        self._set(
            "Written", f"{fmt.local_datetime(t.created_at)}; last changed {fmt.local_datetime(t.updated_at)}"
        )
        self.body.setText(t.body or "No details written yet.")

        _clear(self.evidence)
        if not t.evidence:
            self.evidence.addWidget(muted(QLabel("No canon facts cited yet. Edit the theory to add some.")))
        for e in t.evidence:
            mark = "✔ Supports" if e.stance is Stance.SUPPORTS else "✘ Contradicts"
            line = PlainLabel(f"{mark}: {e.statement}")
            self.evidence.addWidget(line)
            source = f"{e.fact_status.label} · {e.source} · {fmt.short_date(e.as_of)}"
            if e.note:
                source += f"\nYour note: {e.note}"
            self.evidence.addWidget(muted(PlainLabel(source)))

        moment = now or datetime.now(UTC)
        self.history_chart.set_history(t.history, t.status, t.resolved_at, moment)
        _clear(self.history)
        for point in reversed(t.history):
            note = f" — {point.note}" if point.note else ""
            self.history.addWidget(
                PlainLabel(f"{fmt.local_datetime(point.changed_at)}:  {point.confidence} %{note}")
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
