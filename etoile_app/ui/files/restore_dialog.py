"""File → Restore from backup…: pick a backup and bring the journal back to it.

Restoring replaces what is in the journal, so the dialog says what happens before it does
it, and the service backs up the journal as it is first: a restore can itself be undone.
The restore runs as a long job on the writer thread; it cannot be cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.errors import JournalError
from etoile_app.services.backups import KEEP, REASON_LABELS, BackupInfo
from etoile_app.ui.common.fmt import local_datetime
from etoile_app.ui.common.jobs import JobProgress
from etoile_app.ui.common.roles import RECORD_ROLE
from etoile_app.ui.common.widgets import PlainLabel, error_label, muted, plain_tooltip, set_error

if TYPE_CHECKING:
    from etoile_app.ui.common.store import Store

WHEN, KIND, SIZE = range(3)
#: Under the restore's progress: why it has no Cancel button.
NOT_CANCELLABLE = (
    "A restore cannot be cancelled: stopped half-way, your journal would be neither "
    "what it was nor the backup."
)


INTRO_FILE = (
    "Choose a backup. Everything in your journal is replaced by what the backup holds. "
    "Nothing is lost: your journal as it is now is backed up first (as “Before a "
    "restore”), so you can come back to it the same way."
)
#: On a server a backup is brought into a new, empty database, never over one in use.
INTRO_SERVER = (
    "Choose a backup. This journal is on a database server, which others may share, so a "
    "backup is restored only into a new, empty database: create one on the server, open it "
    "with the app and restore the backup there. A journal that holds theories is left as it is."
)


def size_text(size: int) -> str:
    """``84 KB``, ``3.2 MB``: file sizes the way a file manager shows them."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1000 or unit == "GB":
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} bytes"  # pragma: no cover


def policy_text() -> str:
    return (
        f"a daily one (the last {KEEP['daily']} are kept), and one before every app update "
        f"({KEEP['before-upgrade']}), import ({KEEP['before-import']}) and restore "
        f"({KEEP['before-restore']})"
    )


class BackupList(QTreeWidget):
    """Backups, newest first: when (local time), what kind, how big."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["Made", "Kind", "Size"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Backups")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SIZE, QHeaderView.ResizeMode.ResizeToContents)

    def set_backups(self, backups: Sequence[BackupInfo]) -> None:
        self.clear()
        for info in backups:
            item = QTreeWidgetItem(
                [
                    local_datetime(info.created_at),
                    REASON_LABELS.get(info.reason, info.reason),
                    size_text(info.size),
                ]
            )
            item.setTextAlignment(SIZE, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(WHEN, plain_tooltip(str(info.path)))
            item.setData(WHEN, RECORD_ROLE, info)
            self.addTopLevelItem(item)
        if backups:
            self.setCurrentItem(self.topLevelItem(0))

    def selected(self) -> BackupInfo | None:
        item = self.currentItem()
        return item.data(WHEN, RECORD_ROLE) if item is not None and item.isSelected() else None

    def select(self, path) -> None:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(WHEN, RECORD_ROLE).path == path:
                self.setCurrentItem(item)
                return


class RestoreDialog(QDialog):
    """Lists the journal's backups; Restore brings the chosen one back.

    The restore runs as a long job through ``store`` (its progress shown if it takes a moment).
    It cannot be cancelled, so the progress has no Cancel button and the dialog stays disabled,
    and cannot be closed, until it has ended.
    """

    #: The journal was restored; carries the backup made of it just before (``BackupInfo``).
    restored = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.backups = store.journal.backups
        self.before: BackupInfo | None = None
        #: The restore under way, if one is.
        self.progress: JobProgress | None = None
        self.setWindowTitle("Restore from a backup")
        self.setMinimumWidth(620)
        self.resize(660, 420)

        heading = QLabel("Bring your journal back to an earlier state")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(INTRO_SERVER if getattr(self.backups, "on_server", False) else INTRO_FILE)
        intro.setWordWrap(True)

        self.backup_list = BackupList()
        self.empty = muted(QLabel("There are no backups of this journal yet."))
        self.where = muted(PlainLabel())
        self.error = error_label()

        self.buttons = QDialogButtonBox()
        self.restore_button = QPushButton("Restore this backup")
        self.restore_button.setDefault(True)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button.clicked.connect(self.reject)
        self.backup_list.itemSelectionChanged.connect(self._update_buttons)
        self.backup_list.itemDoubleClicked.connect(lambda *_: self.restore_selected())

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.backup_list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.where)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.refresh()

    def refresh(self) -> None:
        if not self.backups.supported:
            self.backup_list.hide()
            self.empty.setText(
                "This journal is held in memory, not in a file or on a database server: it has no backups."
            )
            self.where.hide()
            self.restore_button.hide()
            return
        found = self.backups.list()
        self.backup_list.set_backups(found)
        self.backup_list.setVisible(bool(found))
        self.empty.setVisible(not found)
        self.where.setText(f"Backups are kept in {self.backups.folder}: {policy_text()}.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.backup_list.selected() is not None)

    def restoring(self) -> bool:
        return self.progress is not None

    def restore_selected(self) -> JobProgress | None:
        """Restore the chosen backup in the background; the dialog waits, disabled, for it."""
        info = self.backup_list.selected()
        if info is None or self.restoring():
            return None
        set_error(self.error, "")
        progress = JobProgress(
            self.store.ops,
            "Restore",
            f"Restoring the backup of {local_datetime(info.created_at)}",
            self,
            cancellable=False,
            note=NOT_CANCELLABLE,
        )
        self.progress = progress
        self._set_busy(True)
        progress.ended.connect(self._ended)  # however it ended, a bug too: the dialog is free

        def done(before: BackupInfo) -> None:
            progress.finish()
            self.before = before
            self.restored.emit(before)
            self.accept()

        def failed(exc: JournalError) -> None:
            progress.finish()
            set_error(self.error, str(exc))
            self.refresh()
            self.backup_list.select(info.path)

        progress.follow(self.store.start_restore(info, done=done, failed=failed, cancelled=progress.finish))
        return progress

    def _ended(self) -> None:
        self.progress = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        # The list and the buttons, not the dialog: its progress, a child window, would grey too.
        self.backup_list.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    def reject(self) -> None:
        if not self.restoring():  # Escape waits for the restore: it cannot be stopped
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.restoring():
            event.ignore()
            return
        super().closeEvent(event)
