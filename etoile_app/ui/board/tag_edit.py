"""Tags as removable chips, typed into a field that completes from the tags already in use."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetItem,
)

from etoile_app.domain import rules
from etoile_app.domain.errors import TagError
from etoile_app.ui.common import fmt
from etoile_app.ui.common.widgets import plain_tooltip


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping onto new lines like words."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y()


class _Entry(QLineEdit):
    backspaceOnEmpty = Signal()
    commitRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Backspace and not self.text():
            self.backspaceOnEmpty.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = self.completer().popup() if self.completer() else None
            if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
                event.ignore()  # the completer takes it and completes the highlighted tag
                return
            if self.text().strip():
                # Enter makes a chip; it must not also press the dialog's default button.
                self.commitRequested.emit()
                event.accept()
                return
        if key == Qt.Key.Key_Comma:
            self.commitRequested.emit()
            return
        super().keyPressEvent(event)


class TagEdit(QWidget):
    """Enter or a comma turns the typed text into a chip; Backspace on empty removes the last."""

    changed = Signal()
    #: A message about the text being typed ("" when it is fine).
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tags: list[str] = []
        self._chips: dict[str, QToolButton] = {}
        self._layout = FlowLayout(self)
        self.entry = _Entry()
        self.entry.setPlaceholderText("Add a tag…")
        self.entry.setAccessibleName("New tag")
        self.entry.setMinimumWidth(140)
        self.entry.setFrame(False)
        self._layout.addWidget(self.entry)
        self.completer = QCompleter(QStringListModel([], self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(self.completer)
        self.completer.activated.connect(self._completed)
        self.entry.commitRequested.connect(self.commit_text)
        self.entry.backspaceOnEmpty.connect(self._remove_last)
        self.entry.textChanged.connect(self._check_text)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusProxy(self.entry)

    def set_known_tags(self, names: list[str]) -> None:
        self.completer.model().setStringList(names)  # type: ignore[attr-defined]

    def tags(self) -> list[str]:
        return list(self._tags)

    def set_tags(self, names: list[str]) -> None:
        for name in list(self._tags):
            self._remove(name, emit=False)
        for name in names:
            self._add(name, emit=False)
        self.changed.emit()

    def pending_problem(self) -> str:
        """Why the text still in the field cannot become a tag, or ""."""
        text = self.entry.text()
        if not text.strip():
            return ""
        try:
            rules.normalise_tag(text)
        except TagError as exc:
            return exc.message
        return ""

    def commit_text(self) -> bool:
        """Turn the typed text into a chip; returns False (and says why) if it is not a valid tag."""
        text = self.entry.text()
        if not text.strip():
            return True
        try:
            name = rules.normalise_tag(text)
        except TagError as exc:
            self.problem.emit(exc.message)
            return False
        self.entry.clear()
        self.completer.popup().hide()  # a list for the text just turned into a chip is stale
        self._add(name)
        return True

    def _completed(self, text: str) -> None:
        self.entry.setText(text)
        self.commit_text()
        # The completer writes the chosen text into the field after telling us: clear it
        # again once it has, and close the list.
        QTimer.singleShot(0, lambda: self._after_completion(text))

    def _after_completion(self, text: str) -> None:
        if self.entry.text() == text:  # and not something typed since
            self.entry.clear()
        self.completer.popup().hide()

    def _check_text(self) -> None:
        self.problem.emit(self.pending_problem())

    def _add(self, name: str, emit: bool = True) -> None:
        if name in self._chips:
            return
        chip = QToolButton()
        chip.setText(f"{fmt.isolate(name)}  ✕")
        chip.setToolTip(plain_tooltip(f"Remove the tag {fmt.isolate(name)}"))
        chip.setAccessibleName(f"Tag {name}")
        chip.setAutoRaise(False)
        # A style sheet takes the style's focus frame away: draw one, or Space would remove a
        # tag nobody could see was focused.
        chip.setStyleSheet(
            "QToolButton { border-radius: 9px; padding: 1px 8px; }"
            "QToolButton:focus { border: 2px solid palette(highlight); }"
        )
        chip.clicked.connect(lambda: self._remove(name))
        self._layout.insertWidget(len(self._tags), chip)
        # Tab goes from the field through the chips in their order, then on out of the widget;
        # left alone, a new chip would join the window's tab order at its very end.
        QWidget.setTabOrder(self._chips[self._tags[-1]] if self._tags else self.entry, chip)
        self._tags.append(name)
        self._chips[name] = chip
        if emit:
            self.changed.emit()

    def _remove(self, name: str, emit: bool = True) -> None:
        chip = self._chips.pop(name, None)
        if chip is None:
            return
        self._tags.remove(name)
        self._layout.removeWidget(chip)
        chip.deleteLater()
        if emit:
            self.changed.emit()

    def _remove_last(self) -> None:
        if self._tags:
            self._remove(self._tags[-1])
