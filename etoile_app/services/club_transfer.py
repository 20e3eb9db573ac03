"""Moving between a journal of one and a club: push one's own journal into the club, and take
one's part of the club home as a journal of one.

Both go through the JSON format (format 5 names who made what), so they follow the import's
rules: all or nothing, matched by uid (pushing the same journal again updates it, never adds it
twice), and a member brings in only what is theirs (see :mod:`etoile_app.services.transfer`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from etoile_app.domain.errors import ClubError, JournalError
from etoile_app.domain.transfer import ImportReport
from etoile_app.services.backups import BEFORE_IMPORT
from etoile_app.services.base import Progress, no_progress
from etoile_app.services.journal import Journal
from etoile_app.services.transfer import TransferService

#: What SQLite keeps beside a journal file while it is open.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def push(source: str | Path, club: Journal, *, progress: Progress = no_progress) -> ImportReport:
    """Import the journal of one in the file ``source`` into ``club`` as its login's member,
    reading ``source`` without writing to it: its theories, forecasts and dream casting become
    theirs; what the club keeps apart (news, for a member who is not the owner) is left out and
    counted in the report. The club is backed up first when the push changes something."""
    if not club.identity.club:
        raise ClubError(
            "The journal to push into is not a club's: push into the club's database "
            "(a PostgreSQL address), or import a JSON export into a journal of one."
        )
    progress(0, 1, f"Reading {Path(source).name}")
    mine = Journal.open(source, read_only=True, clock=club.clock)
    try:
        if mine.identity.club:
            raise ClubError("The journal to push is a club's; push a journal of one (a .sqlite3 file).")
        raw = mine.transfer.export_json()
    finally:
        mine.close()
    importer = TransferService(club.database.writer_sessions(), club.clock)
    report = importer.import_bytes(
        raw, "json", before_write=lambda: club.backups.backup(BEFORE_IMPORT), progress=progress
    )
    if report.changed:
        club.database.checkpoint()
    return report


def take_home(
    club: Journal, out: str | Path, *, pack: Path | None = None, progress: Progress = no_progress
) -> ImportReport:
    """Write the login's own part of ``club`` to the new journal of one ``out`` (refused if it
    exists): the theories they wrote or forecast on, with only their forecasts, their dream
    casting, and the club's news. ``pack`` is the canon pack the new journal starts with (the
    theories' characters and evidence refer to it). The file appears whole or not at all."""
    target = Path(out)
    if any(Path(f"{target}{suffix}").exists() for suffix in ("", *_SIDE_FILES)):
        raise JournalError(f"{target} already exists; choose a new file for your journal.")
    who = club.identity
    if not who.club:
        raise ClubError("This journal is not a club's: it is yours already (export it to copy it).")
    if who.member is None or who.login is None:
        raise ClubError(
            "You have no part in this club yet: open its journal and choose your display name first."
        )
    progress(0, 1, "Reading the club's journal")
    raw = club.transfer.export_json()
    partial = target.with_name(f".{target.name}.partial")
    _remove(partial)
    try:
        home = Journal.open(partial, pack=pack, backups=False, clock=club.clock)
        try:
            importer = TransferService(home.database.writer_sessions(), home.clock)
            report = importer.import_bytes(raw, "json", forecaster=who.login, progress=progress)
        finally:
            home.close()
        _place(partial, target)
    except BaseException:
        _remove(partial)
        raise
    return report


def _place(partial: Path, target: Path) -> None:
    """Give the finished journal its name, never over a file that appeared meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise JournalError(f"{target} already exists; choose a new file for your journal.") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise JournalError(f"{target} already exists; choose a new file for your journal.") from None
        os.replace(partial, target)
        return
    partial.unlink()


def _remove(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()
