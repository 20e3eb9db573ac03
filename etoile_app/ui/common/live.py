"""Other members' changes to a journal on a server, shown in this window as they commit.

The listener (:mod:`etoile_app.services.live`) hears them on a thread of its own; its calls
come to the GUI thread by a queued signal. Changes that come close together (one save
writes several tables, a quick typist saves twice) are gathered for :data:`GATHER_MS` and
told once, as :attr:`LiveUpdates.changed` with the tables changed. :func:`tell_views` then
has the store announce them as it announces an import: every view reads what it shows again.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from etoile_app.services import live
from etoile_app.ui.common.changes import EVERYTHING as ALL_THEORIES
from etoile_app.ui.common.store import Store

#: How long changes are gathered before the views hear of them.
GATHER_MS = 150
#: In a set of changed tables: anything may have changed (some news was missed).
EVERYTHING = live.EVERYTHING

#: Tables that say what a theory is: its rows on the board, the detail pane, the counts.
THEORY_TABLES = frozenset(
    {
        "theories",
        "theory_tags",
        "tags",
        "theory_characters",
        "evidence",
        "theory_options",
        "theory_conditions",
        "earlier_resolutions",
        "forecasts",
        "forecasters",
    }
)
#: Canon facts: the Status tab, the canon browser; news changes characters' statuses too.
CANON_TABLES = frozenset({"canon_facts", "fact_characters"})
#: The Cast tab's own: dream casting.
CAST_TABLES = frozenset({"dream_casting"})
#: Read only when their dialog opens: nothing on screen to refresh.
QUIET_TABLES = frozenset({"starter_theories"})
# Anything else (a canon pack, characters and actors, a table newer than this code) changes
# what every view shows, as a canon pack does.


class LiveUpdates(QObject):
    """The listener of one store's journal, from :meth:`start` until :meth:`stop`."""

    #: Tables other clients changed (a frozenset of names; :data:`EVERYTHING` among them: all).
    changed = Signal(object)
    #: Whether other clients' changes are being heard (False: the server went away; it is
    #: being reached again).
    connectedChanged = Signal(bool)

    # The listener's thread calls these; they cross to the GUI thread.
    _heard = Signal(object)
    _state = Signal(bool)

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._tables: set[str] = set()
        self._stopped = False
        #: The last state the listener told (``None``: it has not connected or failed yet).
        self.connected: bool | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(GATHER_MS)
        self._timer.timeout.connect(self._flush)
        queued = Qt.ConnectionType.QueuedConnection
        self._heard.connect(self._gather, queued)
        self._state.connect(self._connected, queued)
        self.listener = listener = live.listener(store.journal, self._heard.emit, self._state.emit)
        if listener is not None:
            # Should this go without stop() (its store deleted), the thread must not call it.
            self.destroyed.connect(lambda *_: listener.stop(timeout=0))

    @classmethod
    def start(cls, store: Store) -> LiveUpdates | None:
        """Start hearing other clients' changes to ``store``'s journal; ``None`` where nobody
        else writes to it (a SQLite file). A listener started before for the store stops."""
        old = cls.of(store)
        if old is not None:
            old.stop()
            old.deleteLater()
        made = cls(store)
        if made.listener is None:
            made.deleteLater()
            return None
        made.listener.start()
        return made

    @classmethod
    def of(cls, store: Store) -> LiveUpdates | None:
        """The store's running listener, if it has one (an editor follows it)."""
        for found in store.findChildren(cls, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if isinstance(found, cls) and not found._stopped:
                return found
        return None

    def stop(self) -> None:
        """Stop listening: the thread ends (within a second) and nothing more is told."""
        self._stopped = True
        self._timer.stop()
        self._tables.clear()
        if self.listener is not None:
            self.listener.stop()

    def _gather(self, tables: frozenset[str]) -> None:
        if self._stopped:
            return
        self._tables |= tables
        # Not restarted by what comes meanwhile: a steady stream is still shown every GATHER_MS.
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        tables, self._tables = frozenset(self._tables), set()
        if tables and not self._stopped:
            self.changed.emit(tables)

    def _connected(self, connected: bool) -> None:
        if self._stopped or connected == self.connected:
            return
        self.connected = connected
        self.connectedChanged.emit(connected)


def touches_theories(tables: Collection[str]) -> bool:
    """Whether a change to ``tables`` may have changed a theory."""
    return any(t in THEORY_TABLES or _unknown(t) for t in tables)


def _unknown(table: str) -> bool:
    return table not in THEORY_TABLES | CANON_TABLES | CAST_TABLES | QUIET_TABLES


def tell_views(store: Store, tables: Collection[str]) -> None:
    """Have the store announce other clients' changes to ``tables`` as it announces its own
    import or undo, so that every view (the board and its counts, the detail pane, the
    Status, Cast and Track record tabs, the due count) reads again what it shows. The ids of
    the theories changed are not known: the views read everything they show again."""
    everything = any(_unknown(t) for t in tables)
    if everything or THEORY_TABLES.intersection(tables):
        store.changed.emit(ALL_THEORIES)
        store.theoriesChanged.emit(())
    if everything or CANON_TABLES.intersection(tables):
        store.canonChanged.emit()
    if everything or CANON_TABLES.intersection(tables) or CAST_TABLES.intersection(tables):
        store.castChanged.emit()
