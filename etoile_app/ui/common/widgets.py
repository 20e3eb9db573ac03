"""Small widgets shared by the tabs: status badges, star ratings, wrapped plain-text labels."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRect, QSize, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QDateEdit, QFormLayout, QLabel, QMessageBox, QSizePolicy, QWidget

from etoile_app.domain.enums import FactStatus, TheoryStatus
from etoile_app.domain.errors import JournalError, UnexpectedError
from etoile_app.ui.common.fmt import NO_STAR, STAR

# Badge colours say what a status means: green for confirmed, blue for reported news, amber for
# rumours, violet for guesses, grey for what newer news overtook, red for what was shown wrong.
# Each status has (background, text) for a light palette and for a dark one; the text keeps a
# WCAG contrast of at least 4.5:1 on its background in both (tests/gui/test_news_edit.py).
BADGE_COLOURS: dict[str, tuple[str, str]] = {
    FactStatus.CONFIRMED.value: ("#1e7b3a", "#ffffff"),
    FactStatus.REPORTED.value: ("#1f5fa8", "#ffffff"),
    FactStatus.RUMOURED.value: ("#9a5b00", "#ffffff"),
    FactStatus.SPECULATION.value: ("#7a4aa8", "#ffffff"),
    FactStatus.SUPERSEDED.value: ("#666666", "#ffffff"),
    FactStatus.CONTRADICTED.value: ("#b3261e", "#ffffff"),
    TheoryStatus.OPEN.value: ("#3d5a80", "#ffffff"),
    TheoryStatus.BUSTED.value: ("#b3261e", "#ffffff"),
    TheoryStatus.VOID.value: ("#6b6b6b", "#ffffff"),
}
#: The same meanings on a dark window: lighter backgrounds with dark text, so a badge neither
#: glares nor sinks into the dark.
BADGE_COLOURS_DARK: dict[str, tuple[str, str]] = {
    FactStatus.CONFIRMED.value: ("#6fcf8c", "#0d2614"),
    FactStatus.REPORTED.value: ("#8bb8f0", "#0b1f3a"),
    FactStatus.RUMOURED.value: ("#f0b44c", "#2b1a00"),
    FactStatus.SPECULATION.value: ("#c4a3ea", "#24113a"),
    FactStatus.SUPERSEDED.value: ("#a8a8a8", "#1a1a1a"),
    FactStatus.CONTRADICTED.value: ("#f08a80", "#3a0905"),
    TheoryStatus.OPEN.value: ("#9bb4d6", "#0f1d30"),
    TheoryStatus.BUSTED.value: ("#f08a80", "#3a0905"),
    TheoryStatus.VOID.value: ("#a0a0a0", "#1a1a1a"),
}
_FALLBACK = ("#555555", "#ffffff")
_FALLBACK_DARK = ("#b0b0b0", "#1a1a1a")


def is_dark(palette: QPalette) -> bool:
    """A dark palette: its window colour is closer to black than to white."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def badge_colours(
    status: FactStatus | TheoryStatus, palette: QPalette | None = None
) -> tuple[QColor, QColor]:
    """(background, text) of a status's badge; the dark variant when ``palette`` is dark."""
    if palette is not None and is_dark(palette):
        background, foreground = BADGE_COLOURS_DARK.get(status.value, _FALLBACK_DARK)
    else:
        background, foreground = BADGE_COLOURS.get(status.value, _FALLBACK)
    return QColor(background), QColor(foreground)


class Badge(QLabel):
    """A small rounded label naming a status, in that status's colour.

    It paints itself rather than using a style sheet, choosing the light or dark colours from
    its window's palette at every paint: a theme switched while the app runs needs no events
    (a style sheet would also freeze the badge's own palette, so it never heard of the switch).
    """

    def __init__(
        self, status: FactStatus | TheoryStatus | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setContentsMargins(7, 2, 7, 2)
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        self.setFont(font)
        self.status: FactStatus | TheoryStatus | None = None
        if status is not None:
            self.set_status(status)

    def set_status(self, status: FactStatus | TheoryStatus) -> None:
        self.status = status
        self.setText(status.value.upper())
        self.setAccessibleName(f"Status: {status.label}")
        self.update()

    @property
    def dark(self) -> bool:
        """Whether the badge sits in a dark window, and so shows its dark colours."""
        return is_dark(self.window().palette())

    def colours(self) -> tuple[QColor, QColor]:
        """(background, text) as the badge shows them now."""
        if self.status is None:
            return QColor(Qt.GlobalColor.transparent), self.palette().color(QPalette.ColorRole.WindowText)
        return badge_colours(self.status, self.window().palette())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.status is None:
            return
        background, foreground = self.colours()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(self.rect(), 4, 4)
        painter.setPen(foreground)
        painter.setFont(self.font())
        painter.drawText(self.contentsRect(), int(self.alignment()), self.text())


#: Text colour of messages about bad input: the busted-badge red, readable on light and dark.
ERROR_COLOUR = "#b3261e"
ERROR_STYLE = f"color: {ERROR_COLOUR};"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as written: Qt renders a tooltip that looks like HTML as
    HTML, so the text is escaped inside a paragraph of its own."""
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def muted(label: QLabel) -> QLabel:
    """Secondary text (sources, dates, hints) in the palette's quieter colour."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def error_label() -> PlainLabel:
    """A hidden message line for a form field; messages may quote what was typed, so plain text."""
    label = PlainLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def set_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


class PlainLabel(QLabel):
    """A label for user or canon text: always plain text, wrapped, selectable."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setText(text)


class StarRating(QWidget):
    """Zero to five stars. Click a star to set it, click it again (or press 0) to clear."""

    changed = Signal(object)  # int | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Juiciness")
        self.setToolTip("Juiciness: click a star; click it again or press 0 to clear")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.setFont(font)

    def value(self) -> int | None:
        return self._value

    def setValue(self, value: int | None) -> None:
        value = value or None
        if value != self._value:
            self._value = value
            self.setAccessibleDescription(f"{value or 0} of 5 stars")
            self.update()
            self.changed.emit(value)

    def _star_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(STAR) + 4

    def sizeHint(self) -> QSize:
        return QSize(self._star_width() * 5 + 2, self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width = self._star_width()
        filled = QColor("#d4a017")
        empty = self.palette().mid().color()
        for i in range(5):
            lit = self._value is not None and i < self._value
            painter.setPen(filled if lit else empty)
            rect = QRect(i * width, 0, width, self.height())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, STAR if lit else NO_STAR)
        if self.hasFocus():
            painter.setPen(self.palette().highlight().color())
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        star = int(event.position().x() // self._star_width()) + 1
        if 1 <= star <= 5:
            self.setValue(None if star == self._value else star)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_5:
            self.setValue(key - Qt.Key.Key_0 or None)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Plus):
            self.setValue(min(5, (self._value or 0) + 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Minus):
            self.setValue((self._value or 0) - 1 or None)
        else:
            super().keyPressEvent(event)


#: Work left for after the first paint starts at most this long after it was scheduled, even
#: if the widget never paints (a minimised window, a tab built behind another).
AFTER_PAINT_LATEST_MS = 1000
#: ... and this long after the paint, so the painted frame reaches the screen and a click or
#: keystroke already waiting is handled first.
AFTER_PAINT_SETTLE_MS = 50


class _AfterFirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then = then
        self._done = False
        widget.installEventFilter(self)
        QTimer.singleShot(AFTER_PAINT_LATEST_MS, self, self.run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(AFTER_PAINT_SETTLE_MS, self, self.run)
        return False

    @property
    def done(self) -> bool:
        return self._done

    def run(self) -> None:
        """Do the work now, if it has not been done (idempotent)."""
        if not self._done:
            self._done = True
            self._then()


def finish_deferred(root: QObject) -> None:
    """Do at once all the after-first-paint work waiting under ``root`` (for screenshots)."""
    for waiting in root.findChildren(_AfterFirstPaint):
        waiting.run()


def after_first_paint(widget: QWidget, then: Callable[[], object]) -> _AfterFirstPaint:
    """Call ``then`` once, a moment after ``widget`` first painted: work that can wait until
    what a person came to see is on screen. ``run()`` on the result does it at once."""
    return _AfterFirstPaint(widget, then)


def documents_folder() -> Path:
    """Where file dialogs start: the Documents folder when there is one, else the home folder.

    (A file dialog asked to start in a folder that does not exist opens in the working
    directory instead, which means nothing to a person.)
    """
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return Path(found)
    return Path.home()


def tell(
    parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, detail: str = "", *, details: str = ""
) -> QMessageBox:
    """A window-modal message that returns at once; the box deletes itself when closed.

    Its text is plain (the detail too): messages quote file names and what was typed, and a
    static ``QMessageBox.warning`` would show them as HTML when they look like it. ``details``
    goes behind the box's Show Details button (a server's own words, say).
    """
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # file names and messages are the user's text
    if detail:
        box.setInformativeText(detail)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def server_words(error: BaseException) -> str:
    """What the database server (or its driver) said about ``error``, with the server it came
    from, for a message's details; an empty string for a refusal of the journal's own."""
    detail = getattr(error, "detail", None)
    if not isinstance(detail, str) or not detail.strip():
        return ""
    server = getattr(error, "server", None)
    said = f"The server {server} said:" if server else "The database server said:"
    return f"{said}\n\n{detail.strip()}"


def tell_refusal(parent: QWidget, title: str, error: JournalError | str) -> QMessageBox:
    """The warning for a refusal: its message, and the server's own words (when it came from a
    database server) behind Show Details. Never a traceback."""
    if isinstance(error, str):
        return tell(parent, QMessageBox.Icon.Warning, title, error)
    return tell(parent, QMessageBox.Icon.Warning, title, error.message, details=server_words(error))


def read_only_reason(store: object) -> str | None:
    """Why nothing can be changed in the journal ``store`` holds (on a database server, a login
    that may only read it, or a server that accepts only reading), or ``None`` when it can."""
    database = getattr(getattr(store, "journal", None), "database", None)
    reason = getattr(database, "read_only_reason", None)
    return reason if isinstance(reason, str) and reason else None


def refuse_if_read_only(store: object, parent: QWidget) -> bool:
    """Say at once why the journal cannot be changed, and return True, when it is read only;
    return False (and say nothing) when it can be changed."""
    reason = read_only_reason(store)
    if reason is None:
        return False
    tell(parent, QMessageBox.Icon.Information, parent.window().windowTitle(), reason)
    return True


def refuse_unless_owner(store: object, parent: QWidget, what: str) -> bool:
    """Like :func:`refuse_if_read_only`, for what only a club's owner may do (``what``: "records
    news"): a member who is not the owner is told so at once, before the server refuses."""
    if refuse_if_read_only(store, parent):
        return True
    journal = getattr(store, "journal", None)
    who = getattr(journal, "who", None)
    if not getattr(who, "restricted", False):
        return False
    tell(
        parent,
        QMessageBox.Icon.Information,
        parent.window().windowTitle(),
        f"In a club, only its owner {what}. Tell them what you know; it will appear here as soon as they do.",
    )
    return True


def ask_before(
    parent: QWidget,
    text: str,
    act: str,
    keep: str,
    answered: Callable[[bool], object],
    finished: Callable[[], object],
) -> QMessageBox:
    """Open (not exec) a window-modal question before something that drops what was typed:
    ``keep`` is the default answer and Esc's, ``act`` the destructive one. ``answered`` hears
    whether ``act`` was chosen; ``finished`` runs when the box goes. The text is plain (it
    quotes the user's words)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        parent.window().windowTitle(),
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.addButton(act, QMessageBox.ButtonRole.DestructiveRole)
    keep_button = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep_button)
    box.setEscapeButton(keep_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(
        lambda button: answered(box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole)
    )
    box.finished.connect(finished)
    box.open()
    return box


class BackgroundSave(QObject):
    """A dialog's Save made in the background (see :class:`~etoile_app.ui.common.store.Store`).

    While the change is under way the dialog stays open with what was typed, its ``buttons``
    take no second press, :meth:`busy` tells the dialog to ignore Esc, and after a moment the
    cursor says it is working. Made, ``done`` runs with what it returned; refused, ``refused``
    runs (by default, the message is told over the dialog) and the buttons work again.
    """

    #: How long a change runs before the dialog shows it is busy.
    BUSY_AFTER_MS = 250

    def __init__(self, dialog: QWidget, *buttons: QWidget) -> None:
        super().__init__(dialog)
        self._dialog, self._buttons = dialog, buttons
        self._enabled: list[bool] = []
        self._running = False
        self._cursor = QTimer(self)
        self._cursor.setSingleShot(True)
        self._cursor.setInterval(self.BUSY_AFTER_MS)
        self._cursor.timeout.connect(lambda: dialog.setCursor(Qt.CursorShape.BusyCursor))

    def busy(self) -> bool:
        return self._running

    def start(
        self,
        submit: Callable[..., object],
        done: Callable[[object], object],
        refused: Callable[[JournalError], object] | None = None,
    ) -> None:
        """``submit(done=…, failed=…)`` starts the change (a store method with its arguments)."""
        if self._running:
            return
        self._running = True
        self._enabled = [b.isEnabled() for b in self._buttons]
        for button in self._buttons:
            button.setEnabled(False)
        self._cursor.start()

        def made(value: object) -> None:
            if self._end():
                done(value)

        def failed(exc: JournalError) -> None:
            if not self._end() or isinstance(exc, UnexpectedError):
                return  # a bug: the crash dialog has said so; what was typed stays
            if refused is not None:
                refused(exc)
            else:
                tell_refusal(self._dialog, self._dialog.windowTitle(), exc)

        submit(done=made, failed=failed)

    def _end(self) -> bool:
        """Back to normal; False if the dialog is gone (the window closed meanwhile)."""
        import shiboken6

        if not shiboken6.isValid(self) or not shiboken6.isValid(self._dialog):
            return False
        self._running = False
        self._cursor.stop()
        self._dialog.unsetCursor()
        for button, enabled in zip(self._buttons, self._enabled, strict=True):
            button.setEnabled(enabled)
        return True


def name_form_fields(form: QFormLayout) -> None:
    """Give each field of ``form`` its row's label as accessible name, where it has none.

    A field wrapped with its message in a box of its own is not the label's buddy, so a screen
    reader would announce it by its placeholder, or not at all; the focusable widgets of the row
    take the label's words instead ("&Source:" → "Source").
    """
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = label_item.widget() if label_item is not None else None
        field = field_item.widget() if field_item is not None else None
        if not isinstance(label, QLabel) or field is None:
            continue
        name = label.text().replace("&", "").rstrip(": ").strip()
        for widget in (field, *field.findChildren(QWidget)):
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and not widget.accessibleName():
                widget.setAccessibleName(name)


class DateEdit(QDateEdit):
    """A date field that Tab leaves, like every other field (QDateEdit walks its day, month
    and year with Tab, so what is typed after two Tabs lands in the year; the arrow keys and
    typing still move through the parts)."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
