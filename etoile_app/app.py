"""Composition root: paths, Qt application, window, journal — in the order that paints first.

The window is shown before anything from the database layer is imported; the journal is
opened (migrated, seeded) just after the first paint, and the tabs fill in.
"""

from __future__ import annotations

import sys
from pathlib import Path

from etoile_app import __version__, paths

ORGANISATION = "EtoileJournal"
APPLICATION = "Etoile Theory Journal"
SCREENSHOT_SIZE = (1280, 800)


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


def launch(db: str | None = None, screenshot_dir: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Étoile Theory Journal")
    app.setApplicationVersion(__version__)

    from etoile_app.ui.main_window import MainWindow

    # Screenshots start from a blank window state, so they come out the same on every machine.
    settings = _settings() if screenshot_dir is None else _scratch_settings()
    window = MainWindow(settings)
    if screenshot_dir is not None:
        window.resize(*SCREENSHOT_SIZE)
    window.show()
    outcome = {"code": 0}

    def fill_in() -> None:
        code = open_journal(window, db)
        if code:
            outcome["code"] = code
            app.exit(code)
        elif screenshot_dir is not None:
            from etoile_app.ui.screenshots import save_screenshots

            for path in save_screenshots(window, screenshot_dir):
                print(path)
            window.close()
            app.quit()

    window.firstPainted.connect(fill_in)
    code = app.exec()
    return outcome["code"] or code


def open_journal(window, db: str | None) -> int:
    """Open the journal into ``window``; on failure say why in a dialog and return an exit code."""
    from PySide6.QtWidgets import QMessageBox

    from etoile_app.domain.errors import JournalError
    from etoile_app.services.journal import Journal
    from etoile_app.storage.engine import sqlite_file, to_url
    from etoile_app.ui.store import Store

    target = db or paths.default_database_path()
    try:
        journal = Journal.open(target, pack=paths.canon_pack_path())
    except JournalError as exc:
        print(f"etoile-journal: {exc}", file=sys.stderr)
        QMessageBox.critical(window, "Cannot open the journal", str(exc))
        return 1
    window.attach(Store(journal, window), sqlite_file(to_url(target)))
    return 0
