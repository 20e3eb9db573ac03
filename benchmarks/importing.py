"""Import of a JSON export against raw ``sqlite3`` ``executemany`` of the same rows.

The JSON file is the app's own export of a generated journal (``TransferService.export_json``),
so the harness follows whatever format the transfer module writes. Each run imports it into a
fresh copy of a migrated, seeded, empty journal with ``TransferService.import_file`` (read,
parse, check, plan, write, commit: everything a person waits for). The floor inserts the same
rows (theories, tags, their links, confidence history, evidence), read beforehand from the
source journal, into another fresh copy with ``executemany`` in one transaction, so the FTS5
triggers fire the same way. Runs alternate between the two.

    .venv/bin/python -m benchmarks.importing [SIZE]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import Stats, interleave

#: Tables written by an import of theories, parents first.
TABLES = ("tags", "theories", "theory_tags", "theory_characters", "forecasts", "evidence")


@dataclass(frozen=True)
class ImportFigures:
    size: int
    file_bytes: int
    app: Stats
    floor: Stats


def transfer_service():
    """The app's ``TransferService`` class, or ``None`` while the module is not there yet."""
    try:
        from etoile_app.services.transfer import TransferService
    except ImportError:
        return None
    return TransferService if hasattr(TransferService, "import_file") else None


def _empty_journal(path: Path) -> None:
    from etoile_app import paths
    from etoile_app.canon.pack import load_pack
    from etoile_app.services.canon import CanonService
    from etoile_app.storage.database import open_database

    db = open_database(path, backups=False)
    try:
        CanonService(db.sessions).apply_pack(load_pack(paths.canon_pack_path()))
    finally:
        db.dispose()


def _rows(source: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        out = {}
        for name in TABLES:
            cursor = conn.execute(f"SELECT * FROM {name}")
            out[name] = ([d[0] for d in cursor.description], cursor.fetchall())
        return out
    finally:
        conn.close()


def _raw_insert(target: Path, rows: dict[str, tuple[list[str], list[tuple]]]) -> float:
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        started = time.perf_counter()
        conn.execute("BEGIN")
        for name in TABLES:
            columns, values = rows[name]
            marks = ", ".join("?" * len(columns))
            conn.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", values)
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def measure(journal: Path, rounds: int = 5) -> ImportFigures | None:
    service_class = transfer_service()
    if service_class is None:
        return None
    from etoile_app.storage.database import open_database

    with tempfile.TemporaryDirectory(prefix="etoile-import-") as tmp:
        base = Path(tmp)
        source, exported = export_copy(journal, base, service_class)
        template = base / "empty.sqlite3"
        _empty_journal(template)
        rows = _rows(source)
        size = len(rows["theories"][1])
        counter = iter(range(10**6))

        def app() -> float:
            target = base / f"app-{next(counter)}.sqlite3"
            shutil.copyfile(template, target)
            db = open_database(target, backups=False)
            try:
                service = service_class(db.sessions)
                started = time.perf_counter()
                service.import_file(exported)
                return time.perf_counter() - started
            finally:
                db.dispose()
                target.unlink()

        def floor() -> float:
            target = base / f"raw-{next(counter)}.sqlite3"
            shutil.copyfile(template, target)
            try:
                return _raw_insert(target, rows)
            finally:
                target.unlink()
                for extra in target.parent.glob(target.name + "-*"):
                    extra.unlink()

        runs = interleave({"app": app, "floor": floor}, rounds)
        return ImportFigures(size, exported.stat().st_size, Stats.of(runs["app"]), Stats.of(runs["floor"]))


def main(size: int = 10_000) -> None:
    from benchmarks.generate import cached_journal

    figures = measure(cached_journal(size))
    if figures is None:
        print("import: not available yet (etoile_app.services.transfer.TransferService.import_file)")
        return
    print(f"import of {figures.size:,} theories ({figures.file_bytes / 2**20:.1f} MiB of JSON)")
    for name in ("app", "floor"):
        s = getattr(figures, name)
        print(f"{name:6} median {s.median:.2f} s   p95 {s.p95:.2f} s   n={s.n}")
    print(f"ratio {figures.app.median / figures.floor.median:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)


def export_copy(journal: Path, folder: Path, service_class) -> tuple[Path, Path]:
    """A copy of ``journal`` in ``folder`` (opened, so at the app's schema) and the app's JSON
    export of it; the cached journal itself is left as it is."""
    from etoile_app.storage.database import open_database

    source = folder / "source.sqlite3"
    shutil.copyfile(journal, source)
    db = open_database(source, backups=False)
    try:
        exported = folder / "export.json"
        exported.write_bytes(service_class(db.sessions).export_json())
    finally:
        db.dispose()
    return source, exported
