"""Backups of a journal on a database server: JSON exports kept in the user's backup folder.

A server's database cannot be copied page by page like a SQLite file, so its backups are the
app's own JSON export (format 4, which brings a journal back exactly when imported into an
empty one). They go to ``<user data folder>/backups/<server folder>/``, one folder per server
database, named from its host, port and database name only (never the user or the password),
as ``journal-YYYYmmdd-HHMMSS-ffffff-<reason>.json`` (the time in UTC). The kinds and how many
of each are kept are SQLite's (:data:`sqlite_backup.KEEP`).

A file is written under a ``.partial`` name, flushed to disk and renamed when complete, so a
file with a backup's name is always a whole export.

The export itself belongs to the services layer, above this one; it hands its writer in at
import (:func:`use_exporter`). Before a schema upgrade the server's database is still at its
old schema, which the export cannot read: its rows are copied into a database in memory at
the same schema, that copy is upgraded, and the export is made from it, so the server is only
read until the backup is safely written.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, MetaData, create_engine, inspect, select
from sqlalchemy.exc import SAWarning, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from etoile_app import paths
from etoile_app.domain.errors import BackupError
from etoile_app.storage import migrate, sqlite_backup
from etoile_app.storage.fulltext import is_search_table
from etoile_app.storage.sqlite_backup import STAMP_FORMAT, BackupInfo

SUFFIX = ".json"
PARTIAL_SUFFIX = ".partial"
STEM = "journal"
#: Rows copied per statement when a server's database is copied into memory.
COPY_BATCH = 2_000

_REASON = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
_NAME = re.compile(rf"^{STEM}-(\d{{8}}-\d{{6}}-\d{{6}})-([a-z]+(?:-[a-z]+)*){re.escape(SUFFIX)}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

#: Writes the JSON export of the journal behind an engine (at the newest schema).
Exporter = Callable[[Engine], bytes]
_exporter: list[Exporter] = []


def use_exporter(exporter: Exporter) -> None:
    """Make ``exporter`` the writer of every server backup (the services layer's JSON export)."""
    _exporter[:] = [exporter]


def is_server(url: URL) -> bool:
    return url.get_backend_name() != "sqlite"


def folder_name(url: URL) -> str:
    """A folder name for the database of ``url`` from its host, port and name, safe on every
    system. When characters had to be replaced, a short hash of the real values is added, so
    two databases never share a folder."""
    host = url.host or "localhost"
    port = str(url.port) if url.port is not None else "default"
    database = url.database or "default"
    raw = f"{host}-{port}-{database}"
    safe = _UNSAFE.sub("_", raw).strip("._-") or "server"
    if safe != raw:
        digest = hashlib.sha256(f"{host}\0{port}\0{database}".encode()).hexdigest()[:8]
        safe = f"{safe[:80]}-{digest}"
    return safe


def backup_folder(url: URL) -> Path:
    """``<user data folder>/backups/<server folder>``: where the backups of ``url``'s database go."""
    return paths.user_data_dir() / "backups" / folder_name(url)


def write(folder: Path, reason: str, payload: bytes, *, now: datetime | None = None) -> Path:
    """Write ``payload`` as a new backup made for ``reason`` in ``folder``; return its path."""
    if not _REASON.match(reason):
        raise ValueError(f"a backup reason is lower-case words joined by hyphens, not {reason!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_partials(folder)
    target = folder / f"{STEM}-{when.strftime(STAMP_FORMAT)}-{reason}{SUFFIX}"
    while target.exists():  # two backups within one tick of the clock keep distinct names
        when += timedelta(microseconds=1)
        target = folder / f"{STEM}-{when.strftime(STAMP_FORMAT)}-{reason}{SUFFIX}"
    partial = target.with_suffix(PARTIAL_SUFFIX)
    try:
        with open(partial, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)  # only complete exports carry the final name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _remove_partials(folder: Path) -> None:
    """Delete exports that a killed process left half-written."""
    pattern = re.compile(rf"^{STEM}-\d{{8}}-\d{{6}}-\d{{6}}-[a-z-]+{re.escape(PARTIAL_SUFFIX)}$")
    for path in folder.iterdir():
        if pattern.match(path.name):
            path.unlink(missing_ok=True)


def list_backups(folder: Path) -> list[BackupInfo]:
    """The complete backups in ``folder``, newest first."""
    return sqlite_backup.scan(folder, _NAME)


def prune(folder: Path, reason: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups made for ``reason``; return what was deleted."""
    mine = sorted((b for b in list_backups(folder) if b.reason == reason), key=lambda b: b.path.name)
    doomed = [b.path for b in (mine[:-keep] if keep > 0 else mine)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def export(engine: Engine) -> bytes:
    """The JSON export of the journal behind ``engine``, through the services' exporter."""
    if not _exporter:
        raise BackupError("The journal cannot be backed up here: no export is available.")
    return _exporter[0](engine)


def before_upgrade(engine: Engine, url: URL, revision: str, *, now: datetime | None = None) -> Path:
    """Back up the server database of ``engine``, at the older schema ``revision``, as a JSON
    export in its backup folder (kept as :data:`sqlite_backup.BEFORE_UPGRADE`); its path.

    Raises :class:`BackupError` when the backup cannot be made; the database is then only read.
    """
    from etoile_app.storage.sqlite_backup import BEFORE_UPGRADE, KEEP

    folder = backup_folder(url)
    where = url.render_as_string(hide_password=True)
    try:
        memory = head_copy(engine, revision)
        try:
            payload = export(memory)
        finally:
            memory.dispose()
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise BackupError(
            f"Could not back up {where} before upgrading it: {detail}. The journal was not upgraded.",
            folder,
        ) from None
    try:
        made = write(folder, BEFORE_UPGRADE, payload, now=now)
    except OSError as exc:
        raise BackupError(
            f"Could not write a backup of {where} to {folder} before upgrading it: "
            f"{exc.strerror or exc}. The journal was not upgraded.",
            folder,
        ) from None
    prune(folder, BEFORE_UPGRADE, KEEP[BEFORE_UPGRADE])
    return made


def head_copy(engine: Engine, revision: str) -> Engine:
    """A SQLite database in memory holding the rows of ``engine``'s database (at schema
    ``revision``), brought to the newest schema; the caller disposes of it."""
    from alembic import command
    from alembic.config import Config

    memory = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with memory.begin() as target:
            config = Config()
            config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
            config.attributes["connection"] = target
            command.upgrade(config, revision)
            with engine.connect() as source:
                if source.dialect.name == "postgresql":  # one snapshot for every table
                    source = source.execution_options(isolation_level="REPEATABLE READ")
                _copy_rows(source, target)
        migrate.upgrade_to_head(memory)
    except BaseException:
        memory.dispose()
        raise
    return memory


def _copy_rows(source: Connection, target: Connection) -> None:
    """Copy every row of the journal's tables from ``source`` into the same tables of ``target``
    (the columns both have; the search index fills itself through its triggers)."""
    theirs, ours = MetaData(), MetaData()
    with warnings.catch_warnings():
        # Indexes on expressions are not reflected; only the tables' columns are needed here.
        warnings.simplefilter("ignore", SAWarning)
        theirs.reflect(bind=source)
        names = [n for n in theirs.tables if n != migrate.VERSION_TABLE and not is_search_table(n)]
        present = inspect(target)
        ours.reflect(bind=target, only=[n for n in names if present.has_table(n)])
    for table in ours.sorted_tables:
        src = theirs.tables[table.name]
        columns = [c.name for c in table.columns if c.name in src.columns]
        result = source.execution_options(yield_per=COPY_BATCH).execute(
            select(*(src.c[name] for name in columns))
        )
        for rows in result.partitions(COPY_BATCH):
            target.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
