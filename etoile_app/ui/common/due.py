"""Due reminders: the open theories whose resolve-by date has passed, counted and brought up.

One :class:`DueWatch` per store counts them off the GUI thread once the journal has opened,
after every change, and when a new day begins by the journal's clock. The status bar shows
the count as a :class:`DueButton`, the board's filter panel beside its Due check, and
:class:`DueTray` turns a count that grew into a desktop notification where the platform has
a system tray.

"Due" means what the board's ``TheoryQuery.due_before`` and the Track record's Ready to
resolve list mean: open, with a resolve-by date before today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QToolButton, QWidget

from etoile_app import APP_TITLE
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import TheoryQuery

if TYPE_CHECKING:
    from etoile_app.ui.common.store import Store

#: The longest the day check waits. A timer counts only the time the machine is awake, so a
#: laptop asleep at midnight would hear of the new day hours late; checking at least hourly,
#: it hears within the hour after waking. Only a new date makes the check count anything.
LONGEST_WAIT_MS = 60 * 60 * 1000
#: How long after midnight the day check runs, so that the clock has surely passed it.
PAST_MIDNIGHT_MS = 1000
#: Whether due theories are announced on the desktop (the View menu's check).
NOTIFY_SETTING = "reminders/notify_due"
#: How long a notification stays up, where the platform lets the app say.
MESSAGE_MS = 10_000


def due_text(count: int) -> str:
    """``3 theories are past their resolve-by date``."""
    if count == 1:
        return "1 theory is past its resolve-by date"
    return f"{count:,} theories are past their resolve-by date"


def next_check_ms(now: datetime) -> int:
    """Milliseconds from ``now`` to just after the next local midnight, at most an hour."""
    local = now.astimezone()
    # A naive local midnight made aware by the system's rules: right on days the clocks change.
    midnight = datetime.combine(local.date() + timedelta(days=1), time()).astimezone()
    wait = int((midnight - local).total_seconds() * 1000) + PAST_MIDNIGHT_MS
    return max(PAST_MIDNIGHT_MS, min(wait, LONGEST_WAIT_MS))


class DueWatch(QObject):
    """How many open theories are past their resolve-by date, kept current for one store.

    :meth:`of` gives the store's one watch, made on first use: the window and the board share
    it. The day it counts for (:attr:`today`) moves only in :meth:`check_day`, so the count,
    the board's Due filter and the notification agree on what "due" means at any moment.
    """

    #: A new count came (the number of due theories).
    counted = Signal(int)
    #: The count at launch or on a new day came: the count before (0 at launch), and now.
    checked = Signal(int, int)
    #: A new day began by the journal's clock (its date).
    dayPassed = Signal(object)

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._store = store
        #: The day "due" is measured against: due theories have a resolve-by date before it.
        self.today: date = store.today()
        #: The last count that came, or ``None`` before the first.
        self.count: int | None = None
        # The count a launch or day check compares with; ``None``: no check waiting.
        self._check_from: int | None = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check_day)
        store.changed.connect(self._changed)
        # The first count waits until the rows a person came for are on screen.
        store.ops.when_idle(self.refresh)
        self._arm()

    @classmethod
    def of(cls, store: Store) -> DueWatch:
        """The store's watch (made, and its first count asked for, on the first call)."""
        found = store.findChild(cls, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return found if isinstance(found, cls) else cls(store)

    def query(self) -> TheoryQuery:
        """The board's query for the theories counted."""
        return TheoryQuery(due_before=self.today)

    def refresh(self) -> None:
        """Count again in the background; a count asked for meanwhile replaces this one."""
        board, query = self._store.board, self.query()
        self._store.ops.read(lambda: board.count(query), self._came, key="due.count", failed=self._failed)

    def check_day(self) -> None:
        """The daily check (the timer's slot): on a new date, count again and say so; then wait
        for the next midnight."""
        today = self._store.today()
        if today != self.today:
            self.today = today
            self.dayPassed.emit(today)
            self._check_from = self.count or 0
            self.refresh()
        self._arm()

    def _arm(self) -> None:
        self.timer.start(next_check_ms(self._store.now()))

    def _changed(self, changes: Any) -> None:
        if changes:
            self.refresh()

    def _came(self, count: int) -> None:
        before, self._check_from = self._check_from, None
        self.count = count
        self.counted.emit(count)
        if before is not None:
            self.checked.emit(before, count)

    def _failed(self, exc: JournalError) -> None:
        self._check_from = None
        self._store.ops.failed.emit(f"Could not count the theories past their resolve-by date: {exc}")


class DueButton(QToolButton):
    """The status bar's "3 due", hidden while nothing is due. A click (or Space once Tab has
    reached it) shows the due theories on the board; its arrow, or Alt+Down, offers the Track
    record's Ready to resolve list too."""

    showOnBoard = Signal()
    showReadyList = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self)
        self.board_action = menu.addAction("Show them on the &board")
        self.board_action.triggered.connect(self.showOnBoard)
        self.ready_action = menu.addAction("Open the &Ready to resolve list")
        self.ready_action.triggered.connect(self.showReadyList)
        self.setMenu(menu)
        self.clicked.connect(self.showOnBoard)
        self.count = 0
        self.hide()

    def set_count(self, count: int) -> None:
        self.count = count
        self.setText(f"{count:,} due")
        text = due_text(count)
        self.setToolTip(f"{text}. Click to show them on the board; Alt+Down for the Ready to resolve list.")
        self.setAccessibleName(text)
        self.setVisible(count > 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if (key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier) or key == Qt.Key.Key_F4:
            self.showMenu()
            return
        super().keyPressEvent(event)


def tray_available() -> bool:
    """Whether the desktop has a system tray that can show messages (not offscreen, not CI)."""
    return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()


class DueTray(QObject):
    """A desktop notification when the number of due theories grew, through the system tray.

    The tray icon appears with the first notification and stays while theories are due (a
    click on it, or on the notification, brings the window up on them). Where there is no
    tray, or the person turned notifications off (remembered in the settings), nothing is
    shown and nothing fails.
    """

    #: The notification or the tray icon was clicked.
    activated = Signal()

    def __init__(
        self,
        settings: QSettings,
        parent: QObject | None = None,
        *,
        make_icon: Callable[..., QSystemTrayIcon] = QSystemTrayIcon,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._make_icon = make_icon
        self.icon: QSystemTrayIcon | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._settings.value(NOTIFY_SETTING, True, bool))

    def set_enabled(self, enabled: bool) -> None:
        self._settings.setValue(NOTIFY_SETTING, enabled)
        if not enabled:
            self.hide()

    def notify(self, count: int, icon: QIcon) -> bool:
        """Say that ``count`` theories are due; whether a notification went out."""
        if count <= 0 or not self.enabled or not tray_available():
            return False
        text = due_text(count)
        if self.icon is None:
            self.icon = self._make_icon(icon, self)
            self.icon.messageClicked.connect(self.activated)
            self.icon.activated.connect(self._icon_activated)
        self.icon.setIcon(icon)
        self.icon.setToolTip(f"{APP_TITLE}: {text}")
        self.icon.show()
        self.icon.showMessage(APP_TITLE, text, icon, MESSAGE_MS)
        return True

    def hide(self) -> None:
        """Take the tray icon away (nothing is due, or notifications were turned off)."""
        if self.icon is not None:
            self.icon.hide()

    def _icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.activated.emit()
