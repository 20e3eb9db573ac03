"""The main window: tabs, menus, shortcuts, status bar, remembered geometry.

It is built and painted before the database layer is imported; :meth:`attach` fills it in
once the journal is open.
"""

from __future__ import annotations

import gc
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from etoile_app import APP_TITLE, __version__
from etoile_app.ui.common.due import DueButton, DueTray, DueWatch
from etoile_app.ui.common.fmt import long_date
from etoile_app.ui.common.spoilers import ACTION_TEXT, ACTION_TIP, SpoilerGuard
from etoile_app.ui.common.widgets import after_first_paint, read_only_reason, tell_refusal

if TYPE_CHECKING:
    from datetime import date

    from etoile_app.domain.errors import JournalError
    from etoile_app.ui.board.tab import BoardTab
    from etoile_app.ui.canon.browser import CanonBrowser
    from etoile_app.ui.cast.tab import CastTab
    from etoile_app.ui.common.changes import TheoryChanges
    from etoile_app.ui.common.live import LiveUpdates
    from etoile_app.ui.common.store import Store
    from etoile_app.ui.status.tab import StatusTab
    from etoile_app.ui.track.tab import TrackTab

TAB_NAMES = ("Status", "Cast", "Theory board", "Track record")
#: The latest the tabs not in front are built after the window is filled in.
BUILD_ALL_LATEST_MS = 3000
STATUS, CAST, BOARD, TRACK = range(len(TAB_NAMES))
#: The board's actions listed in the Edit menu, when the board has them.
BOARD_ACTIONS = (
    "edit_action",
    "forecast_action",
    "resolve_action",
    "void_action",
    "reopen_action",
    "tag_action",
    "copy_action",
    "delete_action",
    "rate_action",
    "quick_entry_action",
)
#: The status bar's word when the journal cannot be changed (its tooltip says why).
READ_ONLY_TEXT = "Read only: changes cannot be saved"
#: The status bar's word while other members' changes cannot be heard (a journal on a server).
LIVE_PAUSED_TEXT = "Live updates paused: reconnecting…"


class StepAction(QAction):
    """Undo or Redo, named after the step it takes ("&Undo Delete “…”"). The store takes the
    step once the changes under way have pushed theirs; during a long job it is disabled."""

    def __init__(self, word: str, shortcut: QKeySequence.StandardKey, store: Store, parent: QObject) -> None:
        super().__init__(word, parent)
        self._word, self._store = word, store
        self.setShortcut(QKeySequence(shortcut))
        stack = store.undo_stack
        if word == "&Undo":
            self.triggered.connect(store.undo)
            stack.canUndoChanged.connect(self._enable)
            stack.undoTextChanged.connect(self._name)
            self._enable(stack.canUndo())
            self._name(stack.undoText())
        else:
            self.triggered.connect(store.redo)
            stack.canRedoChanged.connect(self._enable)
            stack.redoTextChanged.connect(self._name)
            self._enable(stack.canRedo())
            self._name(stack.redoText())

    def _enable(self, can: bool) -> None:
        # A journal that cannot be changed has nothing to undo or redo there.
        self.setEnabled(can and not self._store.ops.job_running() and read_only_reason(self._store) is None)

    def _name(self, step: str) -> None:
        # A title's "&" is a character, not a shortcut mark.
        self.setText(f"{self._word} {step.replace('&', '&&')}" if step else self._word)


class MainWindow(QMainWindow):
    #: Emitted once, just after the window first painted.
    firstPainted = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store: Store | None = None
        self._painted = False
        self.board_actions_added = False
        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(960, 640)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setAccessibleName("Main tabs")
        self.setCentralWidget(self.tabs)
        for name in TAB_NAMES:
            waiting = QLabel("Opening your journal…")
            waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(waiting, name)
        #: Whether Season 1 story shows, in every tab and dialog of this window (they find it here).
        self.spoilers = SpoilerGuard(settings, self)
        self._build_menus()
        self._build_tab_shortcuts()
        self.counts = QLabel()
        self._counts: tuple[int, int] | None = None  # theories, open ones
        self._counts_reading = False
        self.statusBar().addPermanentWidget(self.counts)
        #: Says, for as long as the window is open, that the journal cannot be changed.
        self.read_only_label = QLabel(READ_ONLY_TEXT)
        self.read_only_label.setAccessibleName("Read only")
        self.read_only_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.read_only_label)
        #: Other members' changes as they commit (a journal on a server), from attach to close.
        self.live: LiveUpdates | None = None
        self.live_label = QLabel(LIVE_PAUSED_TEXT)
        self.live_label.setAccessibleName("Live updates paused")
        self.live_label.setToolTip(
            "The database server cannot be reached: other members' changes will show once it answers."
        )
        self.live_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.live_label)
        self._build_due_reminders()
        self.statusBar().showMessage("Opening your journal…")
        self.resize(1280, 800)
        self._restore_geometry()

    # --- menus -----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action("&New theory…", QKeySequence.StandardKey.New, self._new_theory)
        self.adopt_action = self._action("&Adopt starter theories…", None, self._adopt_starters)
        self.load_pack_action = self._action("&Load canon pack…", None, self._load_pack)
        self.import_action = self._action("&Import…", None, self._import)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.export_action = self._action("&Export…", None, self._export)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.push_action = self._action("&Push a journal of mine into the club…", None, self._push)
        self.push_action.setToolTip("Bring a journal of one (a .sqlite3 file) into the club as yours")
        self.take_home_action = self._action("&Take my part home…", None, self._take_home)
        self.take_home_action.setToolTip("Write your theories and forecasts in the club to a journal of one")
        # In a club only (see attach).
        self.push_action.setVisible(False)
        self.take_home_action.setVisible(False)
        self.backup_action = self._action("&Back up now", None, self._backup_now)
        self.restore_action = self._action("&Restore from backup…", None, self._restore)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.adopt_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.push_action)
        file_menu.addAction(self.take_home_action)
        file_menu.addAction(self.load_pack_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("&Edit")
        self.find_action = self._action("&Find theories", QKeySequence.StandardKey.Find, self._find)
        self.edit_menu.addAction(self.find_action)

        view_menu = bar.addMenu("&View")
        self.canon_browser_action = self._action("&Canon browser…", None, self.open_canon_browser)
        self.canon_browser_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        view_menu.addAction(self.canon_browser_action)
        self.add_news_action = self._action("Add &news…", None, self._add_news)
        self.add_news_action.setToolTip("Record news about Étoile as it breaks")
        view_menu.addSeparator()
        self.tab_actions: list[QAction] = []
        for index, name in enumerate(TAB_NAMES):
            # The shortcuts themselves are window-wide QShortcuts (see _build_tab_shortcuts);
            # the menu only names them, after a tab, as menus show a shortcut. An action holding
            # the same keys would make them ambiguous while the menu bar has the focus.
            action = QAction(f"{name}\tCtrl+{index + 1}", self)
            action.triggered.connect(lambda _=False, i=index: self.go_to_tab(i))
            view_menu.addAction(action)
            self.tab_actions.append(action)
        view_menu.addSeparator()
        self.spoilers_action = QAction(ACTION_TEXT, self)
        self.spoilers_action.setCheckable(True)
        self.spoilers_action.setChecked(self.spoilers.shown())
        self.spoilers_action.setToolTip(ACTION_TIP)
        self.spoilers_action.toggled.connect(self.spoilers.set_shown)
        self.spoilers.changed.connect(self.spoilers_action.setChecked)
        view_menu.addAction(self.spoilers_action)

        help_menu = bar.addMenu("&Help")
        about = self._action(f"&About {APP_TITLE}", None, self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        for action in self._journal_actions():
            action.setEnabled(False)

    def _build_tab_shortcuts(self) -> None:
        """Ctrl+1…4 pick a tab, Ctrl+Tab and Ctrl+Shift+Tab cycle through them, from anywhere in
        the window: as window shortcuts they reach the window before the focused widget (the
        board's table would otherwise take Ctrl+Tab for itself)."""
        self.tab_shortcuts: list[QShortcut] = []

        def add(keys: str, slot) -> None:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self.tab_shortcuts.append(shortcut)

        for index in range(len(TAB_NAMES)):
            add(f"Ctrl+{index + 1}", lambda i=index: self.go_to_tab(i))
        add("Ctrl+Tab", lambda: self._cycle_tab(1))
        # X11 sends Ctrl+Shift+Tab as Ctrl+Shift+Backtab, which this sequence matches too: a
        # second shortcut for "Ctrl+Backtab" would make both ambiguous, and neither would fire.
        add("Ctrl+Shift+Tab", lambda: self._cycle_tab(-1))

    def _cycle_tab(self, step: int) -> None:
        self.go_to_tab((self.tabs.currentIndex() + step) % self.tabs.count())

    def go_to_tab(self, index: int) -> None:
        """Show tab ``index`` and put the keyboard focus in it (its main list, or its first
        control), so that the next key acts on the tab rather than on the tab bar."""
        self.tabs.setCurrentIndex(index)
        self._focus_page(self.tabs.currentWidget())

    @staticmethod
    def _focus_page(page: QWidget) -> None:
        target = getattr(page, "focus_widget", None)
        widget = target() if callable(target) else _first_focusable(page)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _name_step(self, action: QAction, word: str) -> None:
        if not shiboken6.isValid(action) or not shiboken6.isValid(self):
            return  # the window is closing and took its actions with it
        text = re.sub("&(.)", r"\1", action.text())  # the shortcut marks out, "&&" back to "&"
        tip = text if action.isEnabled() else self.read_only_reason or f"Nothing to {word.lower()}"
        if action.toolTip() != tip:
            action.setToolTip(tip)

    def _build_toolbar(self) -> None:
        """The main actions where they can be seen, reusing the menus' actions."""
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolbar")  # saveState() needs a name
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.add_news_action, self.canon_browser_action):
            bar.addAction(action)
        bar.addSeparator()
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)
        bar.addSeparator()
        bar.addAction(self.import_action)
        bar.addAction(self.export_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    def _job_running(self, running: bool) -> None:
        """While an import, export or backup runs, what would change the journal waits."""
        writable = self.read_only_reason is None
        writing = set(self._writing_actions())
        for action in self._changing_actions():
            action.setEnabled(not running and (writable or action not in writing))
        stack = self.store.undo_stack
        self.undo_action.setEnabled(writable and not running and stack.canUndo())
        self.redo_action.setEnabled(writable and not running and stack.canRedo())

    def _changing_actions(self) -> tuple[QAction, ...]:
        """Actions that change the journal (or read all of it, like an export)."""
        return (
            self.new_action,
            self.add_news_action,
            self.adopt_action,
            self.import_action,
            self.export_action,
            self.push_action,
            self.take_home_action,
            self.load_pack_action,
            self.backup_action,
            self.restore_action,
        )

    def _writing_actions(self) -> tuple[QAction, ...]:
        """Actions that write to the journal: a journal that cannot be changed has them disabled
        (an export or a backup only reads it, and stays)."""
        return (
            self.new_action,
            self.add_news_action,
            self.adopt_action,
            self.import_action,
            self.push_action,
            self.load_pack_action,
            self.restore_action,
        )

    @property
    def read_only_reason(self) -> str | None:
        """Why the open journal cannot be changed (a login on a server that may only read it),
        or ``None`` when it can, or none is open."""
        return read_only_reason(self.store) if self.store is not None else None

    def _journal_actions(self) -> tuple[QAction, ...]:
        """Actions that need an open journal: disabled until it is attached."""
        return (*self._changing_actions(), self.find_action, self.canon_browser_action)

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | None, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    # --- filling in ------------------------------------------------------------------------

    def attach(self, store: Store, database_path: Path | None) -> None:
        """Fill the window in on an open journal.

        Only the tab in front is built here; the others are built just after it has painted
        (or when first asked for), so the rows a person came for show up without waiting for
        tabs they cannot see yet.
        """
        self.store = store
        self.database_path = database_path
        club = store.journal.identity.club
        self.push_action.setVisible(club)
        self.take_home_action.setVisible(club)
        # First: the sooner it listens, the fewer changes slip in between the tabs' reads and it.
        self._start_live(store)
        self._built: dict[int, QWidget] = {}
        current = self.settings.value("window/tab", 0, int)
        current = current if 0 <= current < self.tabs.count() else 0
        self.tabs.setCurrentIndex(current)
        front = self._tab(current)
        self.tabs.currentChanged.connect(self._tab)
        # The other tabs are built once the one in front has painted and its rows have come
        # (or a little later at the latest, should the journal stay busy).
        after_first_paint(front, lambda: store.ops.when_idle(self._build_all))
        QTimer.singleShot(BUILD_ALL_LATEST_MS, self, self._build_all)
        # The keys act on the tab in front from the start (F2, Delete, Ctrl+R on the board).
        self._focus_page(front)

        undo = StepAction("&Undo", QKeySequence.StandardKey.Undo, store, self)
        redo = StepAction("&Redo", QKeySequence.StandardKey.Redo, store, self)
        first = self.edit_menu.actions()[0]
        self.edit_menu.insertAction(first, undo)
        self.edit_menu.insertAction(first, redo)
        self.edit_menu.insertSeparator(first)
        self.undo_action, self.redo_action = undo, redo
        # The menu names the step ("Undo Delete “…”"); on the toolbar a short word, with the
        # step in the tooltip, keeps the bar from growing with every title.
        for action, word in ((undo, "Undo"), (redo, "Redo")):
            action.setIconText(word)
            action.setToolTip(word)
            action.changed.connect(lambda a=action, w=word: self._name_step(a, w))
        self._build_toolbar()

        store.changed.connect(self._update_counts)
        self._watch_due(store)
        store.ops.jobRunning.connect(self._job_running)
        store.failed.connect(self.show_refusal)
        store.showCharacterOnBoard.connect(self._show_character)
        store.showTheory.connect(self._show_theory)
        for action in self._journal_actions():
            action.setEnabled(True)
        # Backups need a journal that can be copied: a SQLite file (SQLite's online backup) or a
        # server's database (a JSON export); a journal held in memory has none.
        for action in (self.backup_action, self.restore_action):
            action.setVisible(store.journal.backups.supported)
        self._show_read_only()
        self._update_counts()
        self.statusBar().showMessage("Ready", 3000)

    def _start_live(self, store: Store) -> None:
        """On a server, other members' changes show here as they commit; while the server
        cannot be reached the status bar says so."""
        from etoile_app.ui.common.live import LiveUpdates, tell_views

        self.live = LiveUpdates.start(store)
        if self.live is not None:
            self.live.changed.connect(lambda tables: tell_views(store, tables))
            self.live.connectedChanged.connect(self._show_live_state)

    def _show_live_state(self, connected: bool) -> None:
        self.live_label.setVisible(not connected)

    def _show_read_only(self) -> None:
        """A journal that cannot be changed says so in the title and the status bar (the reason
        in its tooltip), and what would change it is disabled, its tooltip giving the reason.
        The tabs disable their own changes (see each tab)."""
        reason = self.read_only_reason
        self.read_only_label.setVisible(reason is not None)
        if reason is None:
            return
        self.setWindowTitle(f"{APP_TITLE} — read only")
        self.read_only_label.setToolTip(reason)
        self.read_only_label.setAccessibleDescription(reason)
        for action in (*self._writing_actions(), self.undo_action, self.redo_action):
            action.setEnabled(False)
            action.setToolTip(reason)

    def show_refusal(self, error: JournalError | str) -> QMessageBox:
        """The window's message for a refusal nobody else showed: its words, and a database
        server's own words behind Show Details when it has them (never a traceback)."""
        return tell_refusal(self, APP_TITLE, error)

    def _tab(self, index: int) -> QWidget:
        """The real tab at ``index``, built (and put in place of its placeholder) on first use."""
        built = self._built.get(index)
        if built is not None:
            return built
        tab = self._make_tab(index)
        tab.restore_state(self.settings)
        self._built[index] = tab
        if index == BOARD:
            self._add_board_actions(tab)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        placeholder = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, tab, TAB_NAMES[index])
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()
        return tab

    def _add_board_actions(self, board: QWidget) -> None:
        """The board's own actions (edit, resolve, reopen, delete) in the Edit menu, for those
        the board offers; a board without them leaves the menu as it is."""
        actions = [
            a for a in (getattr(board, name, None) for name in BOARD_ACTIONS) if isinstance(a, QAction)
        ]
        if not actions or self.board_actions_added:
            return
        self.edit_menu.addSeparator()
        for action in actions:
            self.edit_menu.addAction(action)
        self.board_actions_added = True

    def _make_tab(self, index: int) -> QWidget:
        assert self.store is not None
        if index == STATUS:
            from etoile_app.ui.status.tab import StatusTab

            return StatusTab(self.store, self)
        if index == CAST:
            from etoile_app.ui.cast.tab import CastTab

            return CastTab(self.store, self, spoilers=self.spoilers)
        if index == BOARD:
            from etoile_app.ui.board.tab import BoardTab

            return BoardTab(self.store, self)
        from etoile_app.ui.track.tab import TrackTab

        return TrackTab(self.store, self)

    def _build_all(self) -> None:
        """Build the tabs not built yet, one per turn of the event loop, so input is not held up."""
        missing = [i for i in range(len(TAB_NAMES)) if i not in self._built]
        if missing:
            self._tab(missing[0])
            QTimer.singleShot(0, self, self._build_all)
            return
        # Everything made so far (Qt wrappers, the ORM's mappers and caches, the tabs) lives as
        # long as the window. Frozen, the cycle collector stops walking it on every full
        # collection, which otherwise pauses the app for 100 ms at 100,000 theories.
        gc.freeze()

    @property
    def status_tab(self) -> StatusTab:
        return self._tab(STATUS)  # type: ignore[return-value]

    @property
    def cast_tab(self) -> CastTab:
        return self._tab(CAST)  # type: ignore[return-value]

    @property
    def board_tab(self) -> BoardTab:
        return self._tab(BOARD)  # type: ignore[return-value]

    @property
    def track_tab(self) -> TrackTab:
        return self._tab(TRACK)  # type: ignore[return-value]

    def _tabs(self) -> tuple[QWidget, ...]:
        """The tabs built so far (a tab not built yet has no state to save)."""
        return tuple(self._built[i] for i in sorted(self._built))

    def _update_counts(self, changes: TheoryChanges | None = None) -> None:
        """The status bar's counts: read once (and after a change to everything), then moved
        by each change's own figures."""
        if self.store is None:
            return
        # A count still being read may or may not hold this change: read it again instead.
        reading = self._counts_reading
        if changes is not None and not changes.everything and self._counts is not None and not reading:
            total, open_ = self._counts
            self._show_counts(total + changes.live, open_ + changes.open)
            return
        from etoile_app.domain.enums import TheoryStatus
        from etoile_app.domain.models import TheoryQuery

        board = self.store.board

        def count() -> tuple[int, int]:
            return board.count(TheoryQuery()), board.count(
                TheoryQuery(statuses=frozenset({TheoryStatus.OPEN}))
            )

        self._counts_reading = True
        self.store.ops.read(count, lambda found: self._show_counts(*found), key="window.counts")

    def _show_counts(self, total: int, open_: int) -> None:
        self._counts_reading = False
        self._counts = (total, open_)
        noun = "theory" if total == 1 else "theories"
        self.counts.setText(f"{total:,} {noun} · {open_:,} open · {total - open_:,} resolved")

    # --- due reminders ---------------------------------------------------------------------

    def _build_due_reminders(self) -> None:
        """The status bar's "3 due", the desktop notification, and the View menu's check that
        turns notifications off (remembered in the settings)."""
        self.due_button = DueButton(self)
        self.due_button.showOnBoard.connect(self.show_due_on_board)
        self.due_button.showReadyList.connect(self.show_ready_to_resolve)
        self.statusBar().addPermanentWidget(self.due_button)
        self.due_tray = DueTray(self.settings, self)
        self.due_tray.activated.connect(self._due_notice_clicked)
        self.notify_due_action = QAction("&Notify when theories are due", self)
        self.notify_due_action.setCheckable(True)
        self.notify_due_action.setChecked(self.due_tray.enabled)
        self.notify_due_action.setToolTip(
            "A desktop notification when theories pass their resolve-by date (where the desktop has a tray)"
        )
        self.notify_due_action.toggled.connect(self.due_tray.set_enabled)
        view_menu = next(a.menu() for a in self.menuBar().actions() if a.text() == "&View")
        last = view_menu.actions()[-1] if view_menu.actions() else None
        if last is not None and not last.isCheckable():  # beside the menu's other switches
            view_menu.addSeparator()
        view_menu.addAction(self.notify_due_action)

    def _watch_due(self, store: Store) -> None:
        self.due_watch = due = DueWatch.of(store)
        due.counted.connect(self._due_counted)
        due.checked.connect(self._due_checked)
        if due.count is not None:
            self._due_counted(due.count)

    def _due_counted(self, count: int) -> None:
        self.due_button.set_count(count)
        if count == 0:
            self.due_tray.hide()

    def _due_checked(self, before: int, count: int) -> None:
        """At launch and on a new day: a notification when more theories are due than before."""
        if count > before:
            icon = QApplication.windowIcon()
            if icon.isNull():
                icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.due_tray.notify(count, icon)

    def _due_notice_clicked(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self.show_due_on_board()

    def show_due_on_board(self) -> None:
        """The board with only the Due filter on (the search cleared too), the table focused."""
        if self.store is None:
            return
        board = self.board_tab
        self.go_to_tab(BOARD)
        board.search.clear()
        board.filters.show_only_due()

    def show_ready_to_resolve(self) -> None:
        """The Track record tab's Ready to resolve list, with the keyboard focus in it."""
        if self.store is None:
            return
        track = self.track_tab
        self.go_to_tab(TRACK)
        track.show_ready_to_resolve()

    # --- actions ---------------------------------------------------------------------------

    # A board built while one of these signals is being delivered missed it: pass it on.
    def _show_theory(self, theory_id: int) -> None:
        fresh = BOARD not in self._built
        if fresh:
            self.board_tab.select_theory(theory_id)
        self.tabs.setCurrentWidget(self.board_tab)

    def _show_character(self, character_id: int) -> None:
        fresh = BOARD not in self._built
        if fresh:
            self.board_tab.show_character(character_id)
        self.tabs.setCurrentWidget(self.board_tab)

    def _new_theory(self) -> None:
        self.tabs.setCurrentWidget(self.board_tab)
        self.board_tab.new_theory()

    def _add_news(self) -> None:
        self.tabs.setCurrentWidget(self.status_tab)
        self.status_tab.open_news_dialog()

    def _adopt_starters(self) -> None:
        from etoile_app.ui.board.starter_dialog import open_starter_dialog

        if self.store is not None:
            open_starter_dialog(self.store, self)

    def _load_pack(self) -> None:
        from etoile_app.ui.common.widgets import refuse_unless_owner
        from etoile_app.ui.files.canon_pack_dialog import choose_pack_file

        if self.store is not None and not refuse_unless_owner(self.store, self, "loads canon packs"):
            choose_pack_file(self.store, self)

    def _push(self) -> None:
        from etoile_app.ui.files.transfer import choose_push

        if self.store is not None:
            choose_push(self.store, self)

    def _take_home(self) -> None:
        from etoile_app.ui.files.transfer import choose_take_home

        if self.store is not None:
            choose_take_home(self.store, self)

    def _import(self) -> None:
        from etoile_app.ui.files.transfer import choose_import

        if self.store is not None:
            choose_import(self.store, self)

    def _export(self) -> None:
        from etoile_app.ui.files.transfer import choose_export

        if self.store is not None:
            choose_export(self.store, self)

    def _backup_now(self) -> None:
        from etoile_app.ui.files.transfer import backup_now

        if self.store is not None:
            backup_now(self.store, self)

    def _restore(self) -> None:
        from etoile_app.ui.files.transfer import open_restore

        if self.store is not None:
            open_restore(self.store, self)

    def open_canon_browser(self) -> CanonBrowser | None:
        from etoile_app.ui.canon.browser import open_canon_browser

        return open_canon_browser(self.store, self) if self.store is not None else None

    def _find(self) -> None:
        self.tabs.setCurrentWidget(self.board_tab)
        self.board_tab.focus_search()

    def show_about(self) -> None:
        """The app's version and, with a journal open, its canon pack and data file: the pack's
        edition and date are read off the GUI thread, and the box opens (not exec) once they come."""
        if self.store is None:
            self._open_about(None)
            return
        canon = self.store.canon

        def opened(pack: tuple[int | None, date | None]) -> None:
            if shiboken6.isValid(self):
                self._open_about(pack)

        self.store.ops.read(lambda: (canon.pack_version(), canon.pack_as_of()), opened, key="window.about")

    def _open_about(self, pack: tuple[int | None, date | None] | None) -> None:
        box = QMessageBox(self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowTitle(f"About {APP_TITLE}")
        icon = self.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(96, 96))
        box.setTextFormat(Qt.TextFormat.PlainText)
        lines = [f"{APP_TITLE} {__version__}", "", "A journal for fan theories about Étoile."]
        if pack is not None:
            version, as_of = pack
            lines += [
                "",
                f"Canon pack: edition {version}, as of {long_date(as_of) if as_of else 'unknown'}",
                f"Data file: {self.database_path or 'a database server'}",
            ]
        box.setText("\n".join(lines))
        box.open()

    # --- window state ----------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.store is not None:
            self.settings.setValue("window/tab", self.tabs.currentIndex())
            for tab in self._tabs():
                tab.save_state(self.settings)
        self.settings.sync()

    def unsaved_editor(self) -> QWidget | None:
        """An open theory editor holding changes nobody saved, if there is one."""
        module = sys.modules.get("etoile_app.ui.board.editor")  # no editor was ever opened
        if module is None:
            return None
        for editor in self.findChildren(module.TheoryEditor):
            if editor.isVisible() and editor.is_changed():
                return editor
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        # A draft is never thrown away without asking: quitting stops at an editor with changes,
        # which comes forward and asks; once it is saved or discarded, quitting goes on.
        editor = self.unsaved_editor()
        if editor is not None:
            event.ignore()
            editor.raise_()
            editor.activateWindow()
            editor.ask_to_discard()  # type: ignore[attr-defined]
            return
        self.save_state()
        # Quitting closes the journal: SQLite moves its -wal file into the main file, so the
        # file alone then holds every save (copy it, sync it, back it up by hand).
        daily = getattr(self, "daily_backups", None)
        if daily is not None:
            daily.stop()
        if self.live is not None:
            self.live.stop()
        if self.store is not None:
            # A job under way (an import) is cancelled, which writes nothing; the writes asked
            # for before it finish first.
            self.store.ops.cancel_jobs()
            self.store.close()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)


def _first_focusable(page: QWidget) -> QWidget | None:
    """The first control inside ``page`` that Tab would reach."""
    widget = page.nextInFocusChain()
    while widget is not page and widget is not None:
        if (
            page.isAncestorOf(widget)
            and widget.isVisibleTo(page)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None
