"""File → Import…, Export…, Back up now and Restore from backup…: the journal as a whole.

Each action asks for a file (or a backup), runs the work as a long job on the writer thread
(its progress in a dialog that shows if it takes a moment; import and export can be
cancelled, a backup and a restore cannot), and says how it went in a message box that does
not block the event loop (``open()``, not ``exec()``), so the outcome is shown the same way
to a person and to a test.
A refused or cancelled import says that nothing was written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from etoile_app.domain.errors import JournalError
from etoile_app.ui.common import fmt
from etoile_app.ui.common.jobs import JobProgress
from etoile_app.ui.common.store import Store

if TYPE_CHECKING:
    from etoile_app.domain.transfer import ExportReport, ImportReport
    from etoile_app.services.backups import BackupInfo
from etoile_app.ui.common.widgets import documents_folder, tell

#: The export formats, in the order the save dialog offers them: (format, filter, suffix).
EXPORT_CHOICES = (
    ("json", "Complete journal, JSON (*.json)", ".json"),
    ("csv", "Fatebook CSV (*.csv)", ".csv"),
    ("md", "Markdown to share (*.md)", ".md"),
)
IMPORT_FILTER = "Journal exports (*.json *.csv);;JSON export (*.json);;Fatebook CSV (*.csv);;All files (*)"


def _show_in_status_bar(parent: QWidget, text: str) -> None:
    bar = getattr(parent, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


# --- export ---------------------------------------------------------------------------------


def format_for(path: Path, chosen_filter: str = "") -> tuple[str, Path]:
    """The export format and the final path: the suffix decides, else the chosen filter
    (whose suffix is then added), else JSON."""
    by_suffix = {suffix: name for name, _, suffix in EXPORT_CHOICES} | {".markdown": "md"}
    known = by_suffix.get(path.suffix.lower())
    if known is not None:
        return known, path
    name, suffix = next(((n, s) for n, f, s in EXPORT_CHOICES if f == chosen_filter), ("json", ".json"))
    return name, path.with_name(path.name + suffix)


def export_to(store: Store, path: Path, export_format: str, parent: QWidget) -> JobProgress:
    """Write the export in the background; on failure say why (nothing is left half-written)."""
    progress = JobProgress(store.ops, "Export", f"Exporting to {path.name}", parent, cancellable=True)

    def done(report: ExportReport) -> None:
        progress.finish()
        _show_in_status_bar(parent, f"Exported {fmt.count(report.theories, 'theory', 'theories')} to {path}")

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Warning, "Export failed", f"Could not export to {path}.", str(exc))

    def cancelled() -> None:
        progress.finish()
        _show_in_status_bar(parent, f"Export cancelled; {path.name} was not written.")

    return progress.follow(
        store.start_export(path, export_format, done=done, failed=failed, cancelled=cancelled)
    )


def choose_export(store: Store, parent: QWidget) -> Path | None:
    """Ask where to export and in which format, then export; the path written, or ``None``."""
    suggested = documents_folder() / f"etoile-journal-{date.today().isoformat()}.json"
    filters = ";;".join(f for _, f, _ in EXPORT_CHOICES)
    name, chosen = QFileDialog.getSaveFileName(parent, "Export the journal", str(suggested), filters)
    if not name:
        return None
    export_format, path = format_for(Path(name), chosen)
    export_to(store, path, export_format, parent)
    return path


# --- import ---------------------------------------------------------------------------------


def import_from(store: Store, path: Path, parent: QWidget) -> JobProgress:
    """Import ``path`` in the background and say what it brought in, or why it was refused."""
    progress = JobProgress(store.ops, "Import", f"Importing {path.name}", parent, cancellable=True)

    def done(report: ImportReport) -> None:
        progress.finish()
        if not report.changed:
            tell(
                parent,
                QMessageBox.Icon.Information,
                "Nothing to import",
                f"Everything in {path.name} is already in your journal ({report.summary()}).",
            )
            return
        detail = "Your journal as it was is in a backup (File → Restore from backup…)."
        tell(parent, QMessageBox.Icon.Information, "Import done", f"{path.name}: {report.summary()}.", detail)

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(
            parent,
            QMessageBox.Icon.Warning,
            "Import refused",
            f"{path.name} was not imported: {exc}",
            "Nothing was written; your journal is as it was.",
        )

    def cancelled() -> None:
        progress.finish()
        tell(
            parent,
            QMessageBox.Icon.Information,
            "Import cancelled",
            f"{path.name} was not imported.",
            "Nothing was written; your journal is as it was.",
        )

    return progress.follow(store.start_import(path, done=done, failed=failed, cancelled=cancelled))


def choose_import(store: Store, parent: QWidget) -> JobProgress | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import theories", str(documents_folder()), IMPORT_FILTER)
    return import_from(store, Path(name), parent) if name else None


# --- a club ---------------------------------------------------------------------------------

JOURNAL_FILTER = "Étoile journals (*.sqlite3 *.db);;All files (*)"


def push_from(store: Store, path: Path, parent: QWidget) -> JobProgress:
    """Push the journal of one at ``path`` into the club as mine, and say what it brought in."""
    progress = JobProgress(store.ops, "Push into the club", f"Pushing {path.name}", parent, cancellable=True)

    def done(report: ImportReport) -> None:
        progress.finish()
        if not report.changed:
            text = f"Everything in {path.name} is already in the club ({report.summary()})."
            tell(parent, QMessageBox.Icon.Information, "Nothing to push", text)
            return
        detail = "The club's journal as it was is in a backup (File → Restore from backup…)."
        tell(parent, QMessageBox.Icon.Information, "Pushed", f"{path.name}: {report.summary()}.", detail)

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(
            parent,
            QMessageBox.Icon.Warning,
            "Push refused",
            f"{path.name} was not pushed: {exc}",
            "Nothing was written to the club; your file was only read.",
        )

    def cancelled() -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Information, "Push cancelled", f"{path.name} was not pushed.")

    return progress.follow(store.start_push(path, done=done, failed=failed, cancelled=cancelled))


def choose_push(store: Store, parent: QWidget) -> JobProgress | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Push a journal of mine into the club", str(documents_folder()), JOURNAL_FILTER
    )
    return push_from(store, Path(name), parent) if name else None


def take_home_to(store: Store, path: Path, parent: QWidget) -> JobProgress:
    """Write my part of the club to the new journal ``path`` and say what it holds."""
    progress = JobProgress(store.ops, "Take my part home", f"Writing {path.name}", parent, cancellable=True)

    def done(report: ImportReport) -> None:
        progress.finish()
        detail = f"Open it with: etoile-journal --db {path}"
        text = f"{path}: {report.summary()}."
        tell(parent, QMessageBox.Icon.Information, "Your part is home", text, detail)

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Warning, "Not written", f"{path.name} was not written: {exc}")

    def cancelled() -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Information, "Cancelled", f"{path.name} was not written.")

    return progress.follow(store.start_take_home(path, done=done, failed=failed, cancelled=cancelled))


def choose_take_home(store: Store, parent: QWidget) -> JobProgress | None:
    suggested = documents_folder() / f"etoile-journal-{date.today().isoformat()}.sqlite3"
    name, _ = QFileDialog.getSaveFileName(parent, "Take my part home", str(suggested), JOURNAL_FILTER)
    return take_home_to(store, Path(name), parent) if name else None


# --- backups --------------------------------------------------------------------------------


def backup_now(store: Store, parent: QWidget) -> JobProgress:
    """Back the journal up in the background and say where the backup is."""
    progress = JobProgress(store.ops, "Back up", "Backing up the journal", parent, cancellable=False)

    def done(made: BackupInfo | None) -> None:
        progress.finish()
        if made is not None:
            _show_in_status_bar(parent, f"Backup saved: {made.path}")

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Warning, "Backup failed", str(exc))

    return progress.follow(store.start_backup(done=done, failed=failed))


def open_restore(store: Store, parent: QWidget):
    """File → Restore from backup…: the dialog, open (window-modal); it deletes itself when closed.

    The restore runs as a job that cannot be cancelled; once it is done the status bar says
    where the journal as it was went (the store has cleared the undo history)."""
    from etoile_app.ui.files.restore_dialog import RestoreDialog

    dialog = RestoreDialog(store, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.restored.connect(
        lambda before: _show_in_status_bar(
            parent, f"Journal restored. It was backed up first, as {before.path.name}."
        )
    )
    dialog.open()
    return dialog
