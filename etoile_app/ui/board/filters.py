"""The board's filter panel: status, due, category, character, tag and confidence range, and in
a club the theories I have not forecast."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import Character, TagCount
from etoile_app.ui.common import fmt
from etoile_app.ui.common.due import DueWatch
from etoile_app.ui.common.roles import ID_ROLE


class FilterPanel(QWidget):
    """Within a group any ticked value matches; the groups combine (status AND category …)."""

    changed = Signal()

    def __init__(
        self, due: DueWatch | None = None, parent: QWidget | None = None, *, club: bool = False
    ) -> None:
        super().__init__(parent)
        self._tag_counts: dict[str, int] = {}
        self._due = due
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        self.status_boxes = self._boxes(layout, "Status", list(TheoryStatus))
        self.due_box = self._due_box(layout)
        #: In a club: only the theories I have no forecast on (else ``None``: no such filter).
        self.unforecast_box = self._unforecast_box(layout) if club else None
        self.category_boxes = self._boxes(layout, "Category", list(Category))

        self.characters = self._list(layout, "Characters")
        self.tags = self._list(layout, "Tags")

        confidence = QGroupBox("Confidence")
        row = QHBoxLayout(confidence)
        self.confidence_min = self._spin(1, "Lowest confidence")
        self.confidence_max = self._spin(99, "Highest confidence")
        row.addWidget(QLabel("from"))
        row.addWidget(self.confidence_min)
        row.addWidget(QLabel("to"))
        row.addWidget(self.confidence_max)
        row.addStretch(1)
        layout.addWidget(confidence)

        self.clear_button = QPushButton("Clear filters")
        # Not connected to clear itself: the click's ``checked`` (False) would be its ``emit``.
        self.clear_button.clicked.connect(lambda: self.clear())
        layout.addWidget(self.clear_button)

    # --- building --------------------------------------------------------------------------

    def _boxes(self, layout: QVBoxLayout, title: str, values: list) -> dict:
        group = QGroupBox(title)
        grid = QVBoxLayout(group)
        grid.setSpacing(2)
        boxes = {}
        for value in values:
            box = QCheckBox(value.label.replace("&", "&&"))
            box.toggled.connect(self.changed)
            grid.addWidget(box)
            boxes[value] = box
        layout.addWidget(group)
        return boxes

    def _due_box(self, layout: QVBoxLayout) -> QCheckBox:
        """The Due check: open theories past their resolve-by date, with how many there are. The
        count and the day come from the store's :class:`DueWatch`; without one it is hidden."""
        group = QGroupBox("Resolve by")
        inner = QVBoxLayout(group)
        box = QCheckBox("Due")
        box.setToolTip("Open theories whose resolve-by date has passed")
        box.toggled.connect(self.changed)
        inner.addWidget(box)
        layout.addWidget(group)
        due = self._due
        if due is None:
            group.hide()
            return box
        due.counted.connect(self._show_due_count)
        due.dayPassed.connect(self._day_passed)
        if due.count is not None:
            self._show_due_count(due.count, box)
        return box

    def _unforecast_box(self, layout: QVBoxLayout) -> QCheckBox:
        group = QGroupBox("Forecasts")
        inner = QVBoxLayout(group)
        box = QCheckBox("Not forecast by me")
        box.setToolTip("Theories you have not forecast yet, whoever wrote them")
        box.toggled.connect(self.changed)
        inner.addWidget(box)
        layout.addWidget(group)
        return box

    def _show_due_count(self, count: int, box: QCheckBox | None = None) -> None:
        box = box or self.due_box
        box.setText(f"Due  ({count:,})")
        box.setAccessibleName(f"Due: {count:,} past their resolve-by date")

    def _day_passed(self, _today: date) -> None:
        # Ticked, the filter means "before today": a new day asks for the rows again.
        if self.due_box.isChecked():
            self.changed.emit()

    def _list(self, layout: QVBoxLayout, title: str) -> QListWidget:
        group = QGroupBox(title)
        inner = QVBoxLayout(group)
        widget = QListWidget()
        widget.setAccessibleName(f"Filter by {title.casefold()}")
        widget.setUniformItemSizes(True)
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setTextElideMode(Qt.TextElideMode.ElideRight)
        widget.setMinimumHeight(90)
        widget.itemChanged.connect(lambda _item: self.changed.emit())
        inner.addWidget(widget)
        layout.addWidget(group, 1)
        return widget

    def _spin(self, value: int, name: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setAccessibleName(name)
        spin.setRange(1, 99)
        spin.setSuffix(" %")
        spin.setValue(value)
        spin.setAccelerated(True)
        spin.valueChanged.connect(self._range_changed)
        return spin

    def _range_changed(self) -> None:
        # Keep the range the right way round whichever end moved.
        if self.confidence_min.value() > self.confidence_max.value():
            sender = self.sender()
            other = self.confidence_max if sender is self.confidence_min else self.confidence_min
            other.blockSignals(True)
            other.setValue(sender.value())
            other.blockSignals(False)
        self.changed.emit()

    # --- contents --------------------------------------------------------------------------

    def set_characters(self, characters: list[Character]) -> None:
        chosen = self.character_ids()
        self._fill(self.characters, [(fmt.isolate(c.name), c.id) for c in characters], chosen)

    def set_tags(self, tags: list[TagCount]) -> None:
        """Show ``tags`` with their counts (most used first, as the board service gives them)."""
        self._tag_counts = {t.name: t.count for t in tags}
        self._show_tags()

    def add_to_tag_counts(self, changes: Mapping[str, int]) -> None:
        """Move the counts by ``changes`` (a change to a few theories), without reading them all."""
        counts = self._tag_counts
        for name, delta in changes.items():
            counts[name] = counts.get(name, 0) + delta
        self._show_tags()

    def _show_tags(self) -> None:
        # A tag no live theory carries (its theories deleted) is not offered, unless it is
        # ticked: then it stays, so the filter it makes can be seen and unticked.
        chosen = self.tag_names()
        ordered = sorted(self._tag_counts.items(), key=lambda item: (-item[1], item[0]))
        shown = [(name, n) for name, n in ordered if n > 0 or name in chosen]
        self._fill(self.tags, [(f"{fmt.isolate(name)}  ({n})", name) for name, n in shown], chosen)

    def _fill(self, widget: QListWidget, entries: list[tuple[str, object]], chosen: frozenset) -> None:
        widget.blockSignals(True)
        widget.clear()
        for text, key in entries:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setData(ID_ROLE, key)
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            widget.addItem(item)
        widget.blockSignals(False)

    @staticmethod
    def _checked(widget: QListWidget) -> frozenset:
        return frozenset(
            widget.item(i).data(ID_ROLE)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        )

    def statuses(self) -> frozenset[TheoryStatus]:
        return frozenset(v for v, box in self.status_boxes.items() if box.isChecked())

    def categories(self) -> frozenset[Category]:
        return frozenset(v for v, box in self.category_boxes.items() if box.isChecked())

    def character_ids(self) -> frozenset[int]:
        return self._checked(self.characters)

    def tag_names(self) -> frozenset[str]:
        return self._checked(self.tags)

    def confidence_range(self) -> tuple[int, int]:
        return self.confidence_min.value(), self.confidence_max.value()

    def due_before(self) -> date | None:
        """With Due ticked, the day before which an open theory's resolve-by date makes it due."""
        if self._due is None or not self.due_box.isChecked():
            return None
        return self._due.today

    def not_forecast_by_me(self) -> bool:
        """In a club, with "Not forecast by me" ticked."""
        return self.unforecast_box is not None and self.unforecast_box.isChecked()

    def is_active(self) -> bool:
        return bool(
            self.statuses()
            or self.categories()
            or self.character_ids()
            or self.tag_names()
            or self.due_before()
            or self.not_forecast_by_me()
        ) or self.confidence_range() != (1, 99)

    def show_only_character(self, character_id: int) -> None:
        """Clear every filter, then tick one character (the Cast tab's "Show on the board")."""
        self.clear(emit=False)
        for i in range(self.characters.count()):
            item = self.characters.item(i)
            if item.data(ID_ROLE) == character_id:
                item.setCheckState(Qt.CheckState.Checked)
        self.changed.emit()

    def show_only_due(self) -> None:
        """Clear every filter, then tick Due (the status bar's due count leads here)."""
        self.clear(emit=False)
        self.blockSignals(True)
        self.due_box.setChecked(True)
        self.blockSignals(False)
        self.changed.emit()

    def clear(self, emit: bool = True) -> None:
        self.blockSignals(True)
        for box in (*self.status_boxes.values(), self.due_box, *self.category_boxes.values()):
            box.setChecked(False)
        if self.unforecast_box is not None:
            self.unforecast_box.setChecked(False)
        for widget in (self.characters, self.tags):
            for i in range(widget.count()):
                widget.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.confidence_min.setValue(1)
        self.confidence_max.setValue(99)
        self.blockSignals(False)
        if emit:
            self.changed.emit()
