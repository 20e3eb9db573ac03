"""Small helpers shared by the tests: a fake clock, database dumps, and look-ups by key."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from etoile_app.domain.models import Theory, TheoryDraft, TheoryQuery
from etoile_app.services.board import BoardService
from etoile_app.services.journal import Journal
from etoile_app.storage.models import Base, CharacterRecord, FactRecord

DATA_DIR = Path(__file__).resolve().parent / "data"
MINI_PACK = DATA_DIR / "mini-pack.json"
#: The same test canon in the first pack layout (schema 1), which the app still reads.
MINI_PACK_V1 = DATA_DIR / "mini-pack-v1.json"
#: The bundled canon pack as it shipped in edition 1, for the upgrade to edition 2.
CANON_V1 = DATA_DIR / "etoile-canon-v1.json"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand; it always answers aware UTC datetimes."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now


def mini_pack_data() -> dict[str, Any]:
    """A fresh, mutable copy of the mini pack."""
    return json.loads(MINI_PACK.read_text(encoding="utf-8"))


def db_snapshot(journal: Journal) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model table, ordered by primary key: equal dumps mean nothing was written.

    A theory's ``version`` is left out: it only ever goes up, so undoing a change puts every
    other column back but not that one."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with journal.database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            columns = [c for c in table.columns if not (table.name == "theories" and c.name == "version")]
            dump[table.name] = [tuple(row) for row in conn.execute(select(*columns).order_by(*order))]
    return dump


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecar_files(path: Path) -> list[Path]:
    """SQLite's -wal, -shm and -journal files next to ``path`` that exist."""
    return [p for p in (Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal")) if p.exists()]


def fact_id(journal: Journal, key: str) -> int:
    with journal.database.sessions() as s:
        return s.scalars(select(FactRecord.id).where(FactRecord.key == key)).one()


def character_id(journal: Journal, key: str) -> int:
    with journal.database.sessions() as s:
        return s.scalars(select(CharacterRecord.id).where(CharacterRecord.key == key)).one()


def listed(board: BoardService, query: TheoryQuery | None = None) -> list[int]:
    """The ids of every theory the board lists for ``query``, in its order (one page holds them)."""
    return [row.id for row in board.page(query or TheoryQuery(), 0, 1_000_000)]


def write(journal: Journal, title: str = "A theory", **fields: Any) -> Theory:
    """Create a theory with the given draft fields."""
    return journal.theories.create(TheoryDraft(title=title, **fields))


def write_full_theory(journal: Journal, category: Any = None) -> Theory:
    """A theory with every field filled in and two pieces of evidence (the mini pack's facts)."""
    from datetime import date

    from etoile_app.domain.enums import Category, Stance
    from etoile_app.domain.models import EvidenceDraft

    return write(
        journal,
        "Mishi turns villain",
        body="She sabotages the gala.",
        category=category or Category.VILLAIN_ARC,
        character_ids=(character_id(journal, "mishi"),),
        tags=("villain", "gala"),
        confidence=40,
        juiciness=4,
        resolve_by=date(2026, 12, 31),
        evidence=(
            EvidenceDraft(fact_id(journal, "renewal-order"), Stance.SUPPORTS, "ordered"),
            EvidenceDraft(fact_id(journal, "release-none"), Stance.CONTRADICTS, "no date"),
        ),
    )
