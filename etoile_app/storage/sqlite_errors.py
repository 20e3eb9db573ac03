"""Turn what SQLite and the operating system say about the machine into messages for people.

Two failures are not about the journal at all and have a plain way out: a full disk (SQLite's
``SQLITE_FULL``, "database or disk is full"; ``ENOSPC`` from the OS; and the "disk I/O error"
SQLite reports when a write meets a disk with no bytes free) and a lock another program holds
longer than the busy timeout (``SQLITE_BUSY``, "database is locked"). :func:`translate` maps
them to :class:`DiskFullError` and :class:`JournalBusyError`; :func:`install` makes every
engine raise those instead of SQLAlchemy's wrapped errors.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

from etoile_app.domain.errors import DiskFullError, JournalBusyError, JournalError

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_PERM, SQLITE_BUSY, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 3, 5, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
#: Below this many free bytes, a "disk I/O error" on a write is taken for a full disk.
NEARLY_FULL = 1 << 20


def sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code behind ``error`` (a sqlite3 or SQLAlchemy error), if any."""
    orig = getattr(error, "orig", error) if isinstance(error, sa_exc.DBAPIError) else error
    code = getattr(orig, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(where: object) -> DiskFullError:
    return DiskFullError(
        f"The disk is full: {where} could not be written. Free some space and try again; nothing was lost.",
        where,
    )


def busy(where: object) -> JournalBusyError:
    return JournalBusyError(
        f"The journal {where} is being written by another program; try again when it has finished. "
        "Nothing was changed.",
        where,
    )


def translate(error: BaseException, path: Path | None) -> JournalError | None:
    """A :class:`DiskFullError` or :class:`JournalBusyError` for ``error``, or ``None``.

    ``path`` is the file being written (for the message, and to look at the free space).
    """
    where = path if path is not None else "the journal"
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return disk_full(error.filename or where)
    orig = getattr(error, "orig", error) if isinstance(error, sa_exc.DBAPIError) else error
    if not isinstance(orig, sqlite3.Error):
        return None
    code = sqlite_code(orig)
    text = str(orig).lower()
    if code == SQLITE_FULL or "database or disk is full" in text:
        return disk_full(where)
    if code == SQLITE_BUSY or text.startswith("database is locked"):
        return busy(where)
    if (code == SQLITE_IOERR or "disk i/o error" in text) and path is not None:
        free = _free_bytes(path.parent)
        if free is not None and free < NEARLY_FULL:
            return disk_full(where)
    return None


def install(engine: Engine, path: Path | None) -> None:
    """Make ``engine`` raise :func:`translate`'s errors in place of SQLAlchemy's."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> BaseException | None:
        return translate(context.original_exception, path)
