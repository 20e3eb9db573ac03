"""What every service shares: the session factory, the clock, and record look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from etoile_app.domain.enums import FactStatus
from etoile_app.domain.errors import CharacterNotFoundError, FactNotFoundError
from etoile_app.storage.models import CharacterRecord, FactRecord, TagRecord

Clock = Callable[[], datetime]

#: ``progress(done, total, what)``: how far a long job has got. It may raise
#: :class:`~etoile_app.domain.errors.CancelledError` to stop the job where stopping is safe
#: (an import or a canon pack then writes nothing).
Progress = Callable[[int, int, str], None]


def no_progress(_done: int, _total: int, _what: str) -> None:
    return None


def system_clock() -> datetime:
    return datetime.now(UTC)


class Service:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    _now = now

    def today(self) -> date:
        """Today where the person is, for dates they see (resolved on, as of)."""
        return self._clock().astimezone().date()

    _today = today


def load_characters(session: Session, ids: Iterable[int]) -> list[CharacterRecord]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = {c.id: c for c in session.scalars(select(CharacterRecord).where(CharacterRecord.id.in_(wanted)))}
    for ident in wanted:
        if ident not in found:
            raise CharacterNotFoundError(ident)
    return [found[i] for i in wanted]


def load_fact(session: Session, fact_id: int) -> FactRecord:
    record = session.get(FactRecord, fact_id)
    if record is None:
        raise FactNotFoundError(fact_id)
    return record


#: Ids per ``IN (…)``: well under every database's limit on bound parameters.
_IDS_PER_QUERY = 500


def shown_statuses(session: Session, fact_ids: Iterable[int]) -> dict[int, FactStatus]:
    """The badge of each of ``fact_ids`` that a live fact contradicted or superseded (a link from
    retracted news no longer counts); facts not in the result show their own status."""
    wanted = list(dict.fromkeys(fact_ids))
    if not wanted:
        return {}
    rows = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        rows += session.execute(
            select(FactRecord.id, FactRecord.contradicted_by_id, FactRecord.superseded_by_id).where(
                FactRecord.id.in_(wanted[start : start + _IDS_PER_QUERY]),
                (FactRecord.contradicted_by_id.is_not(None)) | (FactRecord.superseded_by_id.is_not(None)),
            )
        ).all()
    linked = list({i for r in rows for i in (r.contradicted_by_id, r.superseded_by_id) if i is not None})
    retracted: set[int] = set()
    for start in range(0, len(linked), _IDS_PER_QUERY):
        retracted.update(
            session.scalars(
                select(FactRecord.id).where(
                    FactRecord.id.in_(linked[start : start + _IDS_PER_QUERY]),
                    FactRecord.retracted_at.is_not(None),
                )
            )
        )
    out: dict[int, FactStatus] = {}
    for r in rows:
        if r.contradicted_by_id is not None and r.contradicted_by_id not in retracted:
            out[r.id] = FactStatus.CONTRADICTED
        elif r.superseded_by_id is not None and r.superseded_by_id not in retracted:
            out[r.id] = FactStatus.SUPERSEDED
    return out


#: How often :func:`ensure_tags` looks again for a tag that another transaction was deleting.
_TAG_ATTEMPTS = 5


def ensure_tags(session: Session, names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """The ids of the tags called ``names`` (already normalised), each created where it is new,
    and the names this created, in name order.

    Two members tagging theories with the same new tag at once both get the one tag: a name
    already there is skipped (``INSERT … ON CONFLICT (name) DO NOTHING``, which on PostgreSQL
    waits for the other transaction to end) and the ids are read after. The tags are read with a
    share lock on PostgreSQL, so a tag this links to cannot be deleted as unused before the link
    is made; one found deleted meanwhile is made again. Names go in order, so two writers never
    wait for each other's tags crosswise.
    """
    wanted = sorted(set(names))
    found: dict[str, int] = {}
    created: list[str] = []
    lock = session.get_bind().dialect.name == "postgresql"
    missing = wanted
    for _attempt in range(_TAG_ATTEMPTS):
        for start in range(0, len(missing), _IDS_PER_QUERY):
            chunk = missing[start : start + _IDS_PER_QUERY]
            stmt = select(TagRecord.name, TagRecord.id).where(TagRecord.name.in_(chunk))
            if lock:
                stmt = stmt.order_by(TagRecord.name).with_for_update(key_share=True, read=True)
            found.update(session.execute(stmt).all())
        missing = [name for name in missing if name not in found]
        if not missing:
            break
        for start in range(0, len(missing), _IDS_PER_QUERY):
            chunk = missing[start : start + _IDS_PER_QUERY]
            stmt = (
                _insert(session, TagRecord)
                .values([{"name": name} for name in chunk])
                .on_conflict_do_nothing(index_elements=[TagRecord.name])
                .returning(TagRecord.name, TagRecord.id)
            )
            made = dict(session.execute(stmt).all())
            found.update(made)
            created += made
        missing = [name for name in missing if name not in found]
        if not missing:
            break
    else:
        raise RuntimeError(f"tags {missing!r} could not be created")
    return {name: found[name] for name in wanted}, sorted(created)


def _insert(session: Session, model: type):  # -> postgresql.Insert | sqlite.Insert
    """``INSERT`` with ``ON CONFLICT`` for the session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {dialect}")
