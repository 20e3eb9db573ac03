"""Look at a SQLite file without changing it, and say plainly what is wrong with it.

Every check here reads through a read-only connection (see :func:`make_engine`), which adds
no ``-wal`` or ``-shm`` file and writes nothing: a damaged, foreign or newer file is left
byte for byte as it was. The problems are told apart so that each gets its own message and
its own way out (open a backup, start a new journal elsewhere, update the app):

- not a database at all: the first 16 bytes are not SQLite's signature;
- damaged: SQLite's own check fails (``integrity_check``; ``quick_check`` when the full check
  follows in the background, see :class:`etoile_app.storage.database.WriteGate`);
- foreign: tables, views, indexes or triggers, but no ``alembic_version`` table;
- newer: a schema revision this version does not know;
- read-only: the file or its folder cannot be written (``os.access``, before opening).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import exc as sa_exc

from etoile_app import __version__
from etoile_app.domain.errors import (
    DamagedDatabaseError,
    DatabaseError,
    ForeignDatabaseError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    SchemaTooNewError,
)
from etoile_app.storage import migrate
from etoile_app.storage.engine import make_engine
from etoile_app.storage.sqlite_errors import (  # noqa: F401  (re-exported for callers)
    SQLITE_CANTOPEN,
    SQLITE_CORRUPT,
    SQLITE_IOERR,
    SQLITE_NOTADB,
    SQLITE_PERM,
    SQLITE_READONLY,
    sqlite_code,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
#: At most this many problems are collected from SQLite's check; one is enough to refuse.
PROBLEMS_SHOWN = 3


def _has_signature(path: Path, what: str) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except IsADirectoryError:
        raise NotADatabaseError(
            f"{path} is a folder, not a readable journal file. Nothing in it was changed.", path
        ) from None
    except OSError as exc:
        raise DatabaseError(f"Cannot read {what} {path}: {exc.strerror}.", path) from None


def _one_line(detail: object, limit: int = 240) -> str:
    """SQLite's report on one line (the CLI prints one line), without its section headers."""
    lines = [line.strip() for line in str(detail).splitlines()]
    text = "; ".join(line for line in lines if line and not line.startswith("***"))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def damaged_error(path: Path, detail: object, what: str = "the journal") -> DamagedDatabaseError:
    detail = _one_line(detail)
    return DamagedDatabaseError(
        f"{what.capitalize()} {path} is damaged ({detail}). It was left exactly as it is.", path
    )


def inspect(
    path: Path, *, what: str = "the journal", thorough: bool = False, pages: bool = True
) -> str | None:
    """Check the SQLite file ``path`` and return its schema revision (``None``: no tables yet).

    ``what`` names the file in messages ("the journal", "the backup"). ``thorough`` runs the
    full ``integrity_check`` instead of the ``quick_check``; ``pages=False`` runs neither (the
    full check follows in the background, with writes held back until it passes).
    Raises :class:`NotADatabaseError`, :class:`DamagedDatabaseError`,
    :class:`ForeignDatabaseError` or :class:`DatabaseError`; never changes the file.
    """
    if not _has_signature(path, what):
        raise NotADatabaseError(
            f"{path} is not a readable journal: it is not a database file at all. It was left as it is.",
            path,
        )
    check = "integrity_check" if thorough else "quick_check"
    engine = make_engine(path, read_only=True)
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            problems = (
                [row[0] for row in cursor.execute(f"PRAGMA {check}({PROBLEMS_SHOWN})")] if pages else ["ok"]
            )
            if problems != ["ok"]:
                raise damaged_error(path, "SQLite's check found: " + "; ".join(problems), what)
            # Any object counts, not only tables: a file holding only a view is another app's.
            listed = cursor.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
            objects = {(row[0], row[1]) for row in listed}
            if ("table", migrate.VERSION_TABLE) not in objects:
                if objects:
                    raise ForeignDatabaseError(
                        f"{path} holds other data and is not an Étoile Theory Journal "
                        "(it may belong to another app). It was left as it is.",
                        path,
                    )
                return None
            rows = [row[0] for row in cursor.execute(f"SELECT version_num FROM {migrate.VERSION_TABLE}")]
        finally:
            raw.close()
    except (sqlite3.Error, sa_exc.DBAPIError) as exc:
        raise _classify(exc, path, what) from None
    finally:
        engine.dispose()
    if len(rows) != 1 or not isinstance(rows[0], str):
        raise damaged_error(path, "its schema version record is missing or doubled", what)
    return rows[0]


def full_check(path: Path, *, what: str = "the journal") -> None:
    """Run SQLite's full ``integrity_check`` read-only; raise :class:`DamagedDatabaseError`.

    ``quick_check`` skips what the full check adds: that every index matches its table. An
    index that no longer does gives wrong answers and, once written through, spreads damage.
    """
    engine = make_engine(path, read_only=True)
    try:
        raw = engine.raw_connection()
        try:
            problems = [row[0] for row in raw.cursor().execute(f"PRAGMA integrity_check({PROBLEMS_SHOWN})")]
        finally:
            raw.close()
    except (sqlite3.Error, sa_exc.DBAPIError) as exc:
        raise _classify(exc, path, what) from None
    finally:
        engine.dispose()
    if problems != ["ok"]:
        raise damaged_error(path, "SQLite's check found: " + "; ".join(problems), what)


def _classify(exc: BaseException, path: Path, what: str) -> DatabaseError:
    code = sqlite_code(exc)
    detail = str(getattr(exc, "orig", None) or exc)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        # The signature was right, so this is a database whose insides are broken.
        return damaged_error(path, detail, what)
    return DatabaseError(f"Cannot read {what} {path} ({detail}). It was left as it is.", path)


def check_known(revision: str | None, path: Path, *, what: str = "the journal") -> None:
    """Refuse a file written by a newer version of the app (a revision unknown here)."""
    try:
        migrate.check_not_newer(revision)
    except SchemaTooNewError:
        error = SchemaTooNewError(
            f"{what.capitalize()} {path} was written by a newer version of Étoile Theory Journal "
            f"(schema {revision!r}) than this one ({__version__}). Update the app to open it; "
            "the file was not changed.",
            path,
        )
        error.revision = revision
        raise error from None


def check_writable(path: Path) -> None:
    """Refuse early when the file or its folder cannot be written.

    SQLite in WAL mode writes two files beside the journal (``-wal``, ``-shm``), so the
    folder must be writable as well as the file. This runs before anything is opened for
    writing, so nothing is changed; SQLite's own refusals are caught later as well.
    """
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise ReadOnlyDatabaseError(
            f"The journal {path} is read-only, and Étoile Theory Journal needs to write to it. "
            "Make it writable, or start a new journal elsewhere.",
            path,
        )
    if not os.access(folder, os.W_OK):
        raise ReadOnlyDatabaseError(
            f"The journal {path} cannot be written: its folder {folder} is read-only, and SQLite "
            "keeps its change log beside the file. Make the folder writable, or start a new "
            "journal elsewhere.",
            path,
        )


def read_only_error(path: Path, detail: object) -> ReadOnlyDatabaseError:
    """The message for SQLite refusing to write (``attempt to write a readonly database``)."""
    return ReadOnlyDatabaseError(
        f"The journal {path} cannot be written ({detail}). Make the file and its folder writable, "
        "or start a new journal elsewhere.",
        path,
    )
