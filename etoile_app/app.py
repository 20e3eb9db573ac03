"""Composition root: paths, Qt application, window, journal — in the order that paints first.

1. Before any window exists, the app takes hold of the journal file (:mod:`etoile_app.instance`,
   a QtCore lock file): a second launch on the same file asks the first to come forward and
   exits.
2. The window is shown before anything from the database layer is imported.
3. Just after the first paint the app sets its icon, starts listening for later launches,
   opens the journal (checked, migrated, seeded) and the tabs fill in. A file that cannot be
   opened gets a dialog that says why and offers a way on (open a backup, start a new journal
   elsewhere, quit); the file itself is left alone. A journal on a database server that cannot
   be opened gets the same dialog in words about servers, with Retry (opened again, on the
   opening thread as the first time) or Quit.
4. While the app runs, a timer keeps the rolling daily backup. SQLite's full integrity check
   runs on a thread once the rows show ("Checking the journal…" in the status bar meanwhile);
   writes wait for it, and a file that fails it gets the same dialog as one that failed to
   open. A journal upgraded at open (backed up first) is said in the status bar.
5. On quit the journal is checkpointed into its one file and closed.

Any failure nobody caught goes to the log file and a dialog (:mod:`etoile_app.ui.common.crash`), with
``--screenshot`` to one line on stderr and exit status 1: never a traceback, never a hang.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from etoile_app import __version__, paths

ORGANISATION = "EtoileJournal"
APPLICATION = "Etoile Theory Journal"
SCREENSHOT_SIZE = (1280, 800)
#: The journal file the person chose when the default one could not be opened (QSettings key).
CHOSEN_FILE_KEY = "journal/file"
HOUR_MS = 60 * 60 * 1000
#: The start-up check for the daily backup waits until the board has shown its rows.
FIRST_DAILY_CHECK_MS = 3_000
#: In the status bar while SQLite's full integrity check runs after the rows show.
CHECKING = "Checking the journal…"
#: How long the status bar says that the journal was upgraded at open.
UPGRADE_NOTE_MS = 60_000


def _settings():
    from PySide6.QtCore import QSettings

    # An INI file in the platform's config folder, for window state only.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def _scratch_settings():
    import tempfile

    from PySide6.QtCore import QSettings

    folder = tempfile.mkdtemp(prefix="etoile-screenshot-")
    return QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)


def app_icon():
    """The app icon from its PNG renderings: no image plugin needed, crisp at every size."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for file in paths.icon_files():
        if file.is_file():
            icon.addFile(str(file))
    return icon


def journal_target(db: str | None, settings: Any = None) -> str | Path:
    """``--db``; else the file chosen after the default one failed to open (if it is there);
    else the default file in the user data folder."""
    if db:
        return db
    if settings is not None:
        chosen = settings.value(CHOSEN_FILE_KEY, "", str)
        if chosen and Path(chosen).is_file():
            return Path(chosen)
    return paths.default_database_path()


class DailyBackups(QObject):
    """The rolling daily backup: checked at start-up and then every hour while the app runs.

    The check is cheap (it lists the backup folder); the backup is made only when the newest
    daily one is 24 hours old, so a laptop that slept or an app left open for days still gets
    one a day.
    """

    #: A daily backup was made (``BackupInfo``).
    made = Signal(object)
    #: It could not be made; the message says why (the app retries at the next check).
    failed = Signal(str)

    def __init__(
        self,
        backups: Any,
        parent: QObject | None = None,
        *,
        interval_ms: int = HOUR_MS,
        first_check_ms: int = FIRST_DAILY_CHECK_MS,
    ) -> None:
        super().__init__(parent)
        self.backups = backups
        self.first_check_ms = first_check_ms
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        # A timer of its own, so that stopping (the journal closing) stops the first check too.
        self.first_timer = QTimer(self)
        self.first_timer.setSingleShot(True)
        self.first_timer.timeout.connect(self.check)

    def start(self) -> None:
        if not self.backups.supported:
            return
        self.first_timer.start(self.first_check_ms)
        self.timer.start()

    def stop(self) -> None:
        self.first_timer.stop()
        self.timer.stop()

    def check(self) -> Any:
        """Make the daily backup if it is due; return it, or ``None``."""
        try:
            made = self.backups.backup_if_due()
        except Exception as exc:  # a full disk must not take the app down; say it and retry
            self.failed.emit(f"The daily backup could not be made: {exc}")
            return None
        if made is not None:
            self.made.emit(made)
        return made


def bring_to_front(window) -> None:
    """Show ``window`` (and any dialog it has open) above other windows: a later launch asked."""
    from PySide6.QtWidgets import QApplication

    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    modal = QApplication.activeModalWidget()
    if modal is not None and modal is not window:
        modal.raise_()
        modal.activateWindow()


def close_journal(window) -> None:
    """Stop the daily backups and close the window's journal (checkpointed into its one file)."""
    daily = getattr(window, "daily_backups", None)
    if daily is not None:
        daily.stop()
    store = getattr(window, "store", None)
    if store is not None:
        store.close()


def launch(db: str | None = None, screenshot_dir: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from etoile_app import instance
    from etoile_app.ui.common import crash

    crash.install(interactive=screenshot_dir is None)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from etoile_app.ui.common.collector import GuiCollector

    # Cycles are collected on the GUI thread, never on a database thread (see the module).
    GuiCollector.install(app)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Étoile Theory Journal")
    app.setApplicationVersion(__version__)
    # Matches resources/etoile-journal.desktop, so docks and task bars show the right entry.
    app.setDesktopFileName(paths.ICON_NAME)

    # Screenshots start from a blank window state, so they come out the same on every machine.
    interactive = screenshot_dir is None
    settings = _settings() if interactive else _scratch_settings()
    target = journal_target(db, settings if interactive else None)

    # One writer per file, decided before any window is built.
    guard = None
    file = instance.database_file(target)
    if file is not None:
        guard = instance.SingleInstance(file)
        if not guard.acquire():
            return instance.hand_over(file, bring_forward=interactive)

    from etoile_app.ui.main_window import MainWindow

    window = MainWindow(settings)
    if guard is not None:
        guard.raiseRequested.connect(lambda: bring_to_front(window))
    if screenshot_dir is not None:
        window.resize(*SCREENSHOT_SIZE)
    window.show()
    outcome = {"code": 0}

    def fill_in() -> None:
        # After the first paint: the icon (eight PNGs) and the ear for later launches, which
        # keep knocking for a moment if they come before it listens.
        try:
            app.setWindowIcon(app_icon())
            if guard is not None:
                guard.listen()
            code = open_journal(
                window,
                target,
                guard=guard,
                remember=settings if interactive and not db else None,
                interactive=interactive,
            )
            if code:
                outcome["code"] = code
                app.exit(code)
            elif screenshot_dir is not None:
                from etoile_app.ui.screenshots import save_screenshots

                for path in save_screenshots(window, screenshot_dir):
                    print(path)
                window.close()
                app.quit()
        except Exception as exc:  # whatever it was, say it and end: never a half-open window
            from etoile_app import logs

            logs.report(exc, crash.show if interactive else None)
            outcome["code"] = 1
            close_journal(window)
            app.exit(1)

    window.firstPainted.connect(fill_in)
    app.aboutToQuit.connect(lambda: close_journal(window))
    try:
        code = app.exec()
    finally:
        close_journal(window)
        if guard is not None:
            guard.release()
    return outcome["code"] or code


def open_journal(
    window,
    db: str | Path | None,
    *,
    guard: Any = None,
    remember: Any = None,
    interactive: bool = True,
) -> int:
    """Open the journal into ``window`` and start its daily backups; return an exit code.

    When the file cannot be opened, one line naming it goes to stderr and (``interactive``)
    the open-problem dialog offers a way on; the file chosen there is opened instead, held
    by ``guard`` and, for the default journal, remembered in ``remember`` (QSettings).
    """
    from PySide6.QtWidgets import QMessageBox

    from etoile_app.domain.errors import DatabaseError, JournalError
    from etoile_app.services.journal import Journal
    from etoile_app.storage.engine import sqlite_file, to_url
    from etoile_app.ui.common.store import Store

    target = db or paths.default_database_path()
    while True:
        try:
            if interactive:
                journal = open_in_background(window, Journal, target)
            else:
                journal = Journal.open(target, pack=paths.canon_pack_path(), check="full")
        except DatabaseError as exc:
            print(f"etoile-journal: {exc}", file=sys.stderr, flush=True)
            if not interactive:
                return 1
            if on_server(target):
                if _retry_server(window, exc, target):
                    continue
                return 1
            from etoile_app.ui.files.open_problem_dialog import ask

            chosen = ask(exc, window)
            if chosen is None:
                return 1
            if guard is not None and not guard.switch(chosen):
                QMessageBox.warning(
                    window,
                    "Étoile Theory Journal",
                    f"{chosen} is open in another Étoile Theory Journal window. Choose another file.",
                )
                continue
            target = chosen
            if remember is not None:
                remember.setValue(CHOSEN_FILE_KEY, str(chosen))
                remember.sync()
            continue
        except JournalError as exc:
            print(f"etoile-journal: {exc}", file=sys.stderr, flush=True)
            if interactive and on_server(target):
                if _retry_server(window, exc, target):
                    continue
                return 1
            if interactive:
                QMessageBox.critical(window, "Cannot open the journal", str(exc))
            return 1
        break

    window.attach(Store(journal, window), sqlite_file(to_url(target)))
    _tell_upgrade(window, journal.database)
    if interactive:
        _ask_member_name(window)
    gate = journal.database.gate
    if gate is not None:
        watcher = IntegrityWatcher(window)
        watcher.damaged.connect(lambda error: _damage_found(window, error, guard=guard, remember=remember))
        window.integrity_watcher = watcher
        if not gate.done:
            # Shown until the check ends; if it fails, the open-problem dialog says so.
            note = status_note(window, CHECKING)
            watcher.ended.connect(lambda: remove_status_note(window, note))
        gate.when_done(watcher.report)
    if interactive:
        daily = DailyBackups(journal.backups, window)
        daily.made.connect(
            lambda info: window.statusBar().showMessage(f"Daily backup saved in {info.path.parent}", 5000)
        )
        daily.failed.connect(lambda message: _warn(window, message))
        daily.start()
        window.daily_backups = daily
    return 0


def on_server(target: Any) -> bool:
    """Whether ``target`` (``--db``, a path or a URL) is a journal on a database server."""
    from etoile_app.storage.engine import to_url

    return to_url(target).get_backend_name() != "sqlite"


def _retry_server(window, error: Any, target: Any) -> bool:
    """The open-problem dialog for a journal on a server; whether the person chose Retry."""
    from etoile_app.ui.files.open_problem_dialog import ask_server

    return ask_server(error, window, target=target)


class _OpenRelay(QObject):
    """Carries an open's steps and its end from the opening thread to the GUI thread."""

    step = Signal(int, int, str)
    ended = Signal()


def open_in_background(window, journal_class: Any, target: str | Path) -> Any:
    """``Journal.open`` on a thread of its own, the window answering meanwhile; returns the
    journal or raises what the open raised.

    Opening is quick, but upgrading a big journal (its full check, the backup before, the
    migration) takes seconds: if it takes more than a moment, a window-modal progress dialog
    says which step it is at. It has no Cancel: an upgrade stopped half-way is not worth its
    saving, and it is one transaction either way. Quitting meanwhile lets the open end first.
    """
    from concurrent.futures import ThreadPoolExecutor

    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    from etoile_app.ui.common.jobs import SHOW_AFTER_MS

    relay = _OpenRelay(window)
    dialog = QProgressDialog("Opening the journal…", "", 0, 0, window)
    dialog.setWindowTitle("Opening the journal")
    dialog.setCancelButton(None)  # type: ignore[arg-type]
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)  # starts the clock of the minimum duration

    def shown(step: int, total: int, text: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(step)
        dialog.setLabelText(f"{text}…")

    relay.step.connect(shown, Qt.ConnectionType.QueuedConnection)
    loop = QEventLoop()
    relay.ended.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    window.opening_dialog = dialog
    with ThreadPoolExecutor(1, thread_name_prefix="etoile-open") as pool:
        future = pool.submit(
            journal_class.open,
            target,
            pack=paths.canon_pack_path(),
            check="background",
            progress=lambda step, total, text: relay.step.emit(step, total, text),
        )
        future.add_done_callback(lambda _future: relay.ended.emit())
        if not future.done():
            loop.exec()
    dialog.reset()
    dialog.close()
    dialog.deleteLater()
    window.opening_dialog = None
    relay.deleteLater()
    return future.result()


class IntegrityWatcher(QObject):
    """Carries the end of the background integrity check to the GUI thread."""

    #: The check ended, whether it passed or not.
    ended = Signal()
    #: The check found damage (a ``DatabaseError``).
    damaged = Signal(object)

    def report(self, error: Any) -> None:  # called on the checking thread
        self.ended.emit()
        if error is not None:
            self.damaged.emit(error)


def status_note(window, text: str, *, lasts_ms: int = 0) -> Any:
    """A note in the window's status bar that outlasts passing messages (a daily backup's):
    they cover it while they show, then it is back. It goes after ``lasts_ms`` (0: when
    :func:`remove_status_note` takes it away)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    bar = window.statusBar()
    bar.clearMessage()  # "Ready" would cover the note for its first seconds
    note = QLabel(text)
    note.setTextFormat(Qt.TextFormat.PlainText)  # it may name a file
    bar.addWidget(note, 1)
    if lasts_ms:
        QTimer.singleShot(lasts_ms, note, lambda: remove_status_note(window, note))
    return note


def remove_status_note(window, note: Any) -> None:
    import shiboken6

    if shiboken6.isValid(note) and shiboken6.isValid(window):
        window.statusBar().removeWidget(note)
        note.deleteLater()


def upgrade_message(db: Any) -> str | None:
    """What to tell a person whose journal was upgraded at open (``None``: it was not)."""
    if db.upgraded_from is None:
        return None
    text = f"Upgraded your journal from an earlier version of the app (schema {db.upgraded_from})."
    if db.backups:
        text += (
            f" The journal as it was is kept in the backup {db.backups[-1].name} "
            "(File → Restore from backup…)."
        )
    return text


def _tell_upgrade(window, db: Any) -> None:
    """The upgrade ran before the window had its journal; say so once the window shows it."""
    text = upgrade_message(db)
    if text is None:
        return
    import logging

    logging.getLogger("etoile_app").info("upgraded %s from schema %s", db.path, db.upgraded_from)
    window.upgrade_note = status_note(window, text, lasts_ms=UPGRADE_NOTE_MS)


def _ask_member_name(window) -> None:
    """A club's login with no display name yet chooses one as soon as the window shows the
    journal (it writes nothing without one); put off, the status bar says it is needed."""
    from etoile_app.ui.common.member_dialog import NAME_NEEDED, ask_member_name

    dialog = ask_member_name(window, window.store)
    if dialog is None:
        return
    window.member_dialog = dialog
    dialog.joined.connect(
        lambda identity: window.statusBar().showMessage(f"Welcome to the club, {identity.member.name}.", 5000)
    )
    dialog.rejected.connect(lambda: setattr(window, "name_note", status_note(window, NAME_NEEDED)))
    dialog.finished.connect(lambda _result: setattr(window, "member_dialog", None))


def _damage_found(window, error, *, guard: Any = None, remember: Any = None) -> None:
    """The full check failed after the rows showed: nothing was written (writes waited for it).
    Close the journal, say so, and open what the person chooses in a fresh window."""
    from PySide6.QtWidgets import QApplication

    from etoile_app.ui.files.open_problem_dialog import ask
    from etoile_app.ui.main_window import MainWindow

    print(f"etoile-journal: {error}", file=sys.stderr, flush=True)
    close_journal(window)
    window.store = None
    chosen = ask(error, window)
    app = QApplication.instance()
    if chosen is None:
        window.close()
        if app is not None:
            app.exit(1)
        return
    if guard is not None and not guard.switch(chosen):
        window.close()
        if app is not None:
            app.exit(1)
        return
    if remember is not None:
        remember.setValue(CHOSEN_FILE_KEY, str(chosen))
        remember.sync()
    fresh = MainWindow(window.settings)
    fresh.resize(window.size())
    fresh.show()
    window.replacement = fresh
    window.hide()
    if open_journal(fresh, chosen, guard=guard, remember=remember) and app is not None:
        app.exit(1)


def _warn(window, message: str) -> None:
    print(f"etoile-journal: {message}", file=sys.stderr, flush=True)
    window.statusBar().showMessage(message)
