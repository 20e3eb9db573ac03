"""When the journal cannot be opened: say why, name the file, and offer what makes sense.

- damaged, not a database, another app's database: open a backup of it (a copy of the backup
  is made as a new file beside it, never over it), start a new journal elsewhere, or quit;
- read-only, or a folder that cannot be made: start a new journal elsewhere, or quit;
- written by a newer version: quit (and update the app).

The file that could not be opened is never written to. :func:`ask` runs the dialog and
returns the file to open instead; tests drive the dialog with ``open()`` and :attr:`chosen`.

A journal on a database server is no file: the dialog names the server (``host:port/database``,
never the password), says what went wrong in words about servers, shows the server's own
message as a detail line, and offers Retry (a server that was down may be up now) or Quit.
:func:`ask_server` runs it and says whether to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from etoile_app import __version__
from etoile_app.domain.errors import (
    ConnectionLostError,
    DamagedDatabaseError,
    DatabaseError,
    FolderError,
    ForeignDatabaseError,
    JournalError,
    JournalInUseError,
    LoginFailedError,
    NotADatabaseError,
    PermissionDeniedError,
    ReadOnlyDatabaseError,
    SchemaTooNewError,
    ServerDatabaseMissingError,
    ServerError,
    ServerUnavailableError,
)
from etoile_app.services.backups import BackupInfo, backups_of, restore_as_new_file, restored_name
from etoile_app.ui.common.widgets import PlainLabel, documents_folder, error_label, muted, set_error
from etoile_app.ui.files.restore_dialog import BackupList

JOURNAL_FILTER = "Étoile journals (*.sqlite3);;All files (*)"


class Action(Enum):
    BACKUP = "backup"  # open a copy of a backup
    NEW = "new"  # start (or open) a journal at another path
    RETRY = "retry"  # open the same journal again (a server that was down may be up now)
    QUIT = "quit"


@dataclass(frozen=True)
class OpenChoice:
    action: Action
    path: Path | None = None


def _texts(error: DatabaseError) -> tuple[str, str]:
    """A heading and a plain explanation for the dialog (the error's message becomes the details)."""
    for kind, heading, explanation in (
        (
            DamagedDatabaseError,
            "Your journal file is damaged",
            "SQLite's check found damage in this file, so the app did not open it. "
            "It was left exactly as it is: nothing was written to it.",
        ),
        (
            NotADatabaseError,
            "This file is not a journal",
            "This file is not an Étoile Theory Journal, nor any other database. It was left as it is.",
        ),
        (
            ForeignDatabaseError,
            "This file belongs to another app",
            "This file is a database, but not an Étoile Theory Journal. It was left as it is.",
        ),
        (
            SchemaTooNewError,
            "This journal needs a newer version of the app",
            f"It was written by a newer version of Étoile Theory Journal than this one ({__version__}). "
            "Install the newest version and open it with that. This version left the file exactly "
            "as it was.",
        ),
        (
            ReadOnlyDatabaseError,
            "Your journal cannot be written",
            "The app needs to write to your journal, but the file or its folder is read-only. Make "
            "them writable and start the app again, or start a new journal in a folder you can write to.",
        ),
        (
            FolderError,
            "The folder for your journal cannot be made",
            "The folder the journal should go in is missing and cannot be created.",
        ),
        (
            JournalInUseError,
            "This journal is open elsewhere",
            "Another Étoile Theory Journal, or an import, is writing to this file.",
        ),
    ):
        if isinstance(error, kind):
            return heading, explanation
    return "Your journal cannot be opened", "The app could not open this journal."


def _server_texts(error: JournalError) -> tuple[str, str]:
    """A heading and an explanation for a journal on a database server: no word of files."""
    for kind, heading, explanation in (
        (
            ServerUnavailableError,
            "The journal's server cannot be reached",
            "No database server answered. It may be stopped or starting up, or the address may be "
            "wrong. Once it is running, choose Retry.",
        ),
        (
            LoginFailedError,
            "The server turned the login away",
            "The server did not accept the login in the journal's address.",
        ),
        (
            ServerDatabaseMissingError,
            "The journal's database is not on the server",
            "The server has no database of this name. Once it has been created, choose Retry: "
            "the app then makes the journal in it.",
        ),
        (
            PermissionDeniedError,
            "The server does not let this login open the journal",
            "The login lacks a right the app needs on this database.",
        ),
        (
            ConnectionLostError,
            "The connection to the server was lost",
            "The server may have restarted, or the network dropped. Choose Retry to connect again.",
        ),
        (
            SchemaTooNewError,
            "This journal needs a newer version of the app",
            f"It was written by a newer version of Étoile Theory Journal than this one ({__version__}). "
            "Install the newest version and open it with that. This version left the journal on the "
            "server exactly as it was.",
        ),
        (
            ForeignDatabaseError,
            "This database belongs to another app",
            "The database holds other data and is not an Étoile Theory Journal. It was left as it is.",
        ),
    ):
        if isinstance(error, kind):
            return heading, explanation
    return "Your journal cannot be opened", "The app could not open the journal on the database server."


def is_server(target: object, error: JournalError | None = None) -> bool:
    """Whether ``target`` (a path, a URL or its text; else what ``error`` names) is a journal
    on a database server rather than a SQLite file."""
    if target is None and error is not None:
        if isinstance(error, ServerError):
            return True
        target = getattr(error, "path", None)
    if target is None or isinstance(target, Path):
        return False
    text = str(target)
    return "://" in text and not text.lower().startswith("sqlite")


def server_name(target: object, error: JournalError) -> str:
    """The server as ``host:port/database``: never the login or the password."""
    named = getattr(error, "server", None)
    if isinstance(named, str) and named:
        return named
    try:
        from sqlalchemy import make_url

        url = make_url(str(target if target is not None else getattr(error, "path", "")))
    except Exception:  # not a URL after all: say nothing rather than something wrong
        return ""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def server_detail(error: JournalError) -> str:
    """What the server (or the driver) said, on one line; else the app's own message."""
    detail = getattr(error, "detail", None)
    text = detail if isinstance(detail, str) and detail else str(error)
    # An error from the checks made on files names "the file"; here it is a database.
    return " ".join(text.split()).replace("the file", "the database").replace("The file", "The database")


def server_detail_message(error: JournalError) -> str:
    """The app's own message about a server's journal, in words about servers."""
    return str(error).replace("the file", "the database").replace("The file", "The database")


def offers_backups(error: DatabaseError) -> bool:
    """A backup helps when the file's content is the problem, not the folder or the app version."""
    return not isinstance(error, SchemaTooNewError | ReadOnlyDatabaseError | FolderError | JournalInUseError)


def offers_new_file(error: DatabaseError) -> bool:
    # A newer file is fine, the app is old: starting afresh elsewhere would hide the real fix.
    return not isinstance(error, SchemaTooNewError)


class OpenProblemDialog(QDialog):
    """Why the journal did not open, and the ways on. :attr:`choice` holds what was picked."""

    #: The person chose; carries an :class:`OpenChoice`.
    chosen = Signal(object)

    def __init__(self, error: JournalError, parent: QWidget | None = None, *, target: object = None) -> None:
        super().__init__(parent)
        self.error = error
        #: A journal on a database server: server wording, Retry, no file or backup offers.
        self.server = is_server(target, error)
        path = getattr(error, "path", None)
        self.path = Path(path) if isinstance(path, str | Path) and not self.server else None
        self.choice: OpenChoice | None = None
        self.backups: list[BackupInfo] = (
            backups_of(self.path)
            if self.path is not None and isinstance(error, DatabaseError) and offers_backups(error)
            else []
        )
        self.setWindowTitle("Étoile Theory Journal")
        self.setMinimumWidth(640)

        icon = QLabel()
        kind = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if isinstance(error, SchemaTooNewError | ReadOnlyDatabaseError)
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        icon.setPixmap(self.style().standardIcon(kind).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        if self.server:
            heading, explanation = _server_texts(error)
        else:
            assert isinstance(error, DatabaseError)
            heading, explanation = _texts(error)
        self.heading = QLabel(heading)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(self.heading)
        if self.path is not None:
            self.file = PlainLabel(str(self.path))
            self.file.setAccessibleName("File")
            file_font = self.file.font()
            file_font.setBold(True)
            self.file.setFont(file_font)
            text.addWidget(self.file)
        self.server_line: QLabel | None = None
        if self.server:
            where = server_name(target, error)
            if where:
                self.server_line = PlainLabel(f"Server: {where}")
                self.server_line.setAccessibleName("Server")
                bold = self.server_line.font()
                bold.setBold(True)
                self.server_line.setFont(bold)
                text.addWidget(self.server_line)
        self.explanation = PlainLabel(explanation)
        text.addWidget(self.explanation)
        self.advice: QLabel | None = None
        if self.server and getattr(error, "detail", None):
            # The app's message says what to do; the server's own words are the details.
            self.advice = PlainLabel(server_detail_message(error))
            text.addWidget(self.advice)
            self.message = muted(PlainLabel(f"The server said: {server_detail(error)}"))
        elif self.server:
            self.message = muted(PlainLabel(f"Details: {server_detail(error)}"))
        else:
            # The message the command line prints, for the curious and for asking for help.
            self.message = muted(PlainLabel(f"Details: {error}"))
        self.message.setAccessibleName("Details")
        text.addWidget(self.message)
        text.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon)
        top.addLayout(text, 1)

        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addLayout(top)
        self.backup_box: QGroupBox | None = None
        if self.path is not None and isinstance(error, DatabaseError) and offers_backups(error):
            if self.backups:
                self.backup_box = self._backup_box()
                layout.addWidget(self.backup_box, 1)
            else:
                folder = self.path.parent / "backups"
                self.no_backups = muted(PlainLabel(f"There are no backups of {self.path.name} in {folder}."))
                layout.addWidget(self.no_backups)
        if self.backup_box is None:
            layout.addStretch(1)

        self.error_line = error_label()
        layout.addWidget(self.error_line)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("Start a new journal elsewhere…")
        self.new_button.clicked.connect(self.start_elsewhere)
        self.new_button.setVisible(
            not self.server and isinstance(error, DatabaseError) and offers_new_file(error)
        )
        self.retry_button = QPushButton("&Retry")
        self.retry_button.setToolTip("Try to open the journal on the server again")
        self.retry_button.clicked.connect(lambda: self._choose(OpenChoice(Action.RETRY)))
        self.retry_button.setVisible(self.server and not isinstance(error, SchemaTooNewError))
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(lambda: self._choose(OpenChoice(Action.QUIT)))
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.quit_button)
        layout.addLayout(buttons)

        # Wrapped labels ask for height at a narrow width; size the dialog for its real width.
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, layout.totalHeightForWidth(width))

        if self.backups:
            self.open_backup_button.setDefault(True)
        elif self.server:
            (self.retry_button if self.retry_button.isVisibleTo(self) else self.quit_button).setDefault(True)
        elif isinstance(error, DatabaseError) and offers_new_file(error):
            self.new_button.setDefault(True)
        else:
            self.quit_button.setDefault(True)

    # --- building --------------------------------------------------------------------------

    def _backup_box(self) -> QGroupBox:
        assert self.path is not None
        box = QGroupBox("Open a backup")
        inner = QVBoxLayout(box)
        self.backup_list = BackupList()
        self.open_backup_button = QPushButton("Open this backup")
        self.open_backup_button.clicked.connect(lambda: self.open_backup())
        self.copy_elsewhere_button = QPushButton("Choose where the copy goes…")
        self.copy_elsewhere_button.clicked.connect(self.open_backup_elsewhere)
        example = restored_name(self.path, datetime.now(UTC)).name
        explain = PlainLabel(
            f"The backup is copied to a new file beside this one (like {example}) and opened. "
            "The backup and the file that failed stay as they are."
        )
        self.backup_list.set_backups(self.backups)
        self.backup_list.setMinimumHeight(self.backup_list.sizeHintForRow(0) * 5 + 30)
        self.backup_list.itemSelectionChanged.connect(self._update_buttons)
        self.backup_list.itemDoubleClicked.connect(lambda *_: self.open_backup())
        row = QHBoxLayout()
        row.addWidget(self.open_backup_button)
        row.addWidget(self.copy_elsewhere_button)
        row.addStretch(1)
        inner.addWidget(explain)
        inner.addWidget(self.backup_list, 1)
        inner.addLayout(row)
        return box

    def _update_buttons(self) -> None:
        chosen = self.backup_list.selected() is not None
        self.open_backup_button.setEnabled(chosen)
        self.copy_elsewhere_button.setEnabled(chosen)

    # --- the ways on -----------------------------------------------------------------------

    def open_backup(self, target: Path | None = None) -> bool:
        """Copy the selected backup to a new file (``target``, or beside the journal) and pick it."""
        info = self.backup_list.selected() if self.backup_box is not None else None
        if info is None or self.path is None:
            return False
        set_error(self.error_line, "")
        try:
            copy = restore_as_new_file(info, self.path, target)
        except JournalError as exc:
            set_error(self.error_line, str(exc))
            return False
        self._choose(OpenChoice(Action.BACKUP, copy))
        return True

    def open_backup_elsewhere(self) -> bool:
        info = self.backup_list.selected()
        if info is None or self.path is None:
            return False
        suggested = documents_folder() / restored_name(self.path, datetime.now(UTC)).name
        target = self._ask_path("Where should the copy of the backup go?", suggested)
        if target is None:
            return False
        if target.exists():
            set_error(self.error_line, f"{target} already exists; choose a new name for the copy.")
            return False
        return self.open_backup(target)

    def start_elsewhere(self) -> bool:
        folder = self.path.parent if self.path is not None else documents_folder()
        if isinstance(self.error, ReadOnlyDatabaseError | FolderError) or not folder.is_dir():
            folder = documents_folder()
        stem = self.path.stem if self.path is not None else "journal"
        target = self._ask_path("Start a new journal", folder / f"{stem}-new.sqlite3")
        if target is None:
            return False
        if self.path is not None and target == self.path.resolve():
            set_error(self.error_line, "That is the file that cannot be opened; choose another name.")
            return False
        self._choose(OpenChoice(Action.NEW, target))
        return True

    def _ask_path(self, caption: str, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            caption,
            str(suggested),
            JOURNAL_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not name:
            return None
        path = Path(name).expanduser()
        if not path.suffix:
            path = path.with_suffix(".sqlite3")
        return path.resolve()

    def _choose(self, choice: OpenChoice) -> None:
        if self.choice is not None:
            return
        self.choice = choice
        self.chosen.emit(choice)
        self.done(
            QDialog.DialogCode.Rejected if choice.action is Action.QUIT else QDialog.DialogCode.Accepted
        )

    def reject(self) -> None:
        # Escape, or the window's close button: quitting is the only safe default.
        self._choose(OpenChoice(Action.QUIT))
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._choose(OpenChoice(Action.QUIT))
        super().closeEvent(event)


def ask(error: DatabaseError, parent: QWidget | None = None) -> Path | None:
    """Show the dialog and wait; the file to open instead, or ``None`` to quit."""
    dialog = OpenProblemDialog(error, parent)
    dialog.exec()
    choice = dialog.choice or OpenChoice(Action.QUIT)
    dialog.deleteLater()
    return choice.path if choice.action is not Action.QUIT else None


def ask_server(error: JournalError, parent: QWidget | None = None, *, target: object = None) -> bool:
    """Show the dialog for a journal on a database server and wait; whether to try again."""
    dialog = OpenProblemDialog(error, parent, target=target)
    dialog.exec()
    choice = dialog.choice or OpenChoice(Action.QUIT)
    dialog.deleteLater()
    return choice.action is Action.RETRY
