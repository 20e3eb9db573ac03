"""The main window: tabs, menus, shortcuts, status bar, remembered geometry.

It is built and painted before the database layer is imported; :meth:`attach` fills it in
once the journal is open.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from etoile_app import __version__
from etoile_app.ui.fmt import long_date

if TYPE_CHECKING:
    from etoile_app.ui.store import Store

APP_TITLE = "Étoile Theory Journal"
TAB_NAMES = ("Status", "Cast", "Theory board", "Track record")


class MainWindow(QMainWindow):
    #: Emitted once, just after the window first painted.
    firstPainted = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store: Store | None = None
        self._painted = False
        self.setWindowTitle(APP_TITLE)
        self.setMinimumSize(960, 640)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        for name in TAB_NAMES:
            waiting = QLabel("Opening your journal…")
            waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(waiting, name)
        self._build_menus()
        self.counts = QLabel()
        self.statusBar().addPermanentWidget(self.counts)
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
        self.backup_action = self._action("&Back up now", None, self._backup_now)
        self.restore_action = self._action("&Restore from backup…", None, self._restore)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.adopt_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.load_pack_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("&Edit")
        self.find_action = self._action("&Find theories", QKeySequence.StandardKey.Find, self._find)
        self.edit_menu.addAction(self.find_action)

        help_menu = bar.addMenu("&Help")
        about = self._action(f"&About {APP_TITLE}", None, self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        for action in self._journal_actions():
            action.setEnabled(False)

    def _journal_actions(self) -> tuple[QAction, ...]:
        """Actions that need an open journal: disabled until it is attached."""
        return (
            self.new_action,
            self.adopt_action,
            self.import_action,
            self.export_action,
            self.load_pack_action,
            self.backup_action,
            self.restore_action,
            self.find_action,
        )

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | None, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    # --- filling in ------------------------------------------------------------------------

    def attach(self, store: Store, database_path: Path | None) -> None:
        """Build the real tabs on an open journal."""
        from etoile_app.ui.board_tab import BoardTab
        from etoile_app.ui.cast_tab import CastTab
        from etoile_app.ui.status_tab import StatusTab
        from etoile_app.ui.track_tab import TrackTab

        self.store = store
        self.database_path = database_path
        self.status_tab = StatusTab(store, self)
        self.cast_tab = CastTab(store, self)
        self.board_tab = BoardTab(store, self)
        self.track_tab = TrackTab(store, self)
        current = self.settings.value("window/tab", 0, int)
        self.tabs.blockSignals(True)
        while self.tabs.count():
            old = self.tabs.widget(0)
            self.tabs.removeTab(0)
            old.deleteLater()
        for tab, name in zip(self._tabs(), TAB_NAMES, strict=True):
            self.tabs.addTab(tab, name)
        self.tabs.blockSignals(False)
        self.tabs.setCurrentIndex(current if 0 <= current < self.tabs.count() else 0)

        undo = store.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        redo = store.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence(QKeySequence.StandardKey.Redo))
        first = self.edit_menu.actions()[0]
        self.edit_menu.insertAction(first, undo)
        self.edit_menu.insertAction(first, redo)
        self.edit_menu.insertSeparator(first)
        self.undo_action, self.redo_action = undo, redo

        store.theoriesChanged.connect(self._update_counts)
        store.failed.connect(lambda message: QMessageBox.warning(self, APP_TITLE, message))
        store.showCharacterOnBoard.connect(self._show_board)
        store.showTheory.connect(self._show_board)
        for action in self._journal_actions():
            action.setEnabled(True)
        # On a database server backups are the server's business.
        for action in (self.backup_action, self.restore_action):
            action.setVisible(store.journal.backups.supported)
        for tab in self._tabs():
            tab.restore_state(self.settings)
        self._update_counts()
        self.statusBar().showMessage("Ready", 3000)

    def _tabs(self) -> tuple[QWidget, ...]:
        return (self.status_tab, self.cast_tab, self.board_tab, self.track_tab)

    def _update_counts(self, *_: object) -> None:
        if self.store is None:
            return
        from etoile_app.domain.enums import TheoryStatus
        from etoile_app.domain.models import TheoryQuery

        board = self.store.board
        total = board.count(TheoryQuery())
        open_ = board.count(TheoryQuery(statuses=frozenset({TheoryStatus.OPEN})))
        noun = "theory" if total == 1 else "theories"
        self.counts.setText(f"{total:,} {noun} · {open_:,} open · {total - open_:,} resolved")

    # --- actions ---------------------------------------------------------------------------

    def _show_board(self, *_: object) -> None:
        self.tabs.setCurrentWidget(self.board_tab)

    def _new_theory(self) -> None:
        self.tabs.setCurrentWidget(self.board_tab)
        self.board_tab.new_theory()

    def _adopt_starters(self) -> None:
        from etoile_app.ui.starter_dialog import StarterDialog

        if self.store is not None:
            StarterDialog(self.store, self).exec()

    def _load_pack(self) -> None:
        from etoile_app.ui.canon_pack_dialog import choose_pack_file

        if self.store is not None:
            choose_pack_file(self.store, self)

    def _import(self) -> None:
        from etoile_app.ui.transfer_actions import choose_import

        if self.store is not None:
            choose_import(self.store, self)

    def _export(self) -> None:
        from etoile_app.ui.transfer_actions import choose_export

        if self.store is not None:
            choose_export(self.store, self)

    def _backup_now(self) -> None:
        from etoile_app.ui.transfer_actions import backup_now

        if self.store is not None:
            backup_now(self.store, self)

    def _restore(self) -> None:
        from etoile_app.ui.transfer_actions import open_restore

        if self.store is not None:
            open_restore(self.store, self)

    def _find(self) -> None:
        self.tabs.setCurrentWidget(self.board_tab)
        self.board_tab.focus_search()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_TITLE}")
        icon = self.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(96, 96))
        box.setTextFormat(Qt.TextFormat.PlainText)
        lines = [f"{APP_TITLE} {__version__}", "", "A journal for fan theories about Étoile."]
        if self.store is not None:
            as_of = self.store.canon.pack_as_of()
            version = self.store.canon.pack_version()
            lines += [
                "",
                f"Canon pack: edition {version}, as of {long_date(as_of) if as_of else 'unknown'}",
                f"Data file: {self.database_path or 'a database server'}",
            ]
        box.setText("\n".join(lines))
        box.exec()

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

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)
