"""User text in the detail pane: plain, selectable, and wrapped even inside a long word."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPalette, QTextDocument, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget


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


def quiet(text: WrapText) -> WrapText:
    """Secondary text (sources, notes) in the palette's quieter colour, as ``widgets.muted``."""
    text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return text
