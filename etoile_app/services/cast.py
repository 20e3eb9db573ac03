"""The Cast tab: characters with their canon and theory counts, and the user's dream casting."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from etoile_app.domain import rules
from etoile_app.domain.club import Who
from etoile_app.domain.enums import TheoryStatus, Topic
from etoile_app.domain.errors import DreamCastNotFoundError, NotYoursError
from etoile_app.domain.models import Character, DreamCast, DreamCastDraft, Fact
from etoile_app.services.base import Clock, Service, load_characters, system_clock
from etoile_app.services.canon import all_facts, current_of
from etoile_app.storage import mapping
from etoile_app.storage.models import (
    CharacterRecord,
    DreamCastRecord,
    ForecasterRecord,
    TheoryRecord,
    theory_characters,
)


def _return_status(facts_about: list[Fact], by_id: dict[int, Fact]) -> Fact | None:
    """The current cast fact about a character, followed to whatever overtook it."""
    fact = current_of(facts_about)
    seen: set[int] = set()
    while fact is not None and fact.superseded_by_id is not None and fact.id not in seen:
        seen.add(fact.id)
        fact = by_id.get(fact.superseded_by_id, fact)
    return fact


class CastService(Service):
    """In a club a dream casting is its author's: a member who is not the owner changes only
    their own (the server enforces it too)."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock = system_clock, who: Who | None = None
    ) -> None:
        super().__init__(sessions, clock)
        self._who = who or Who()

    def characters(self) -> list[Character]:
        """Every character, main cast first, then by name."""
        with self._sessions() as s:
            return self._characters(s)

    def _characters(self, s: Session) -> list[Character]:
        facts = all_facts(s, retracted=False)
        by_id = {f.id: f for f in facts}
        cast_facts: dict[int, list[Fact]] = defaultdict(list)
        for f in facts:
            if f.topic is Topic.CAST:
                for cid in f.character_ids:
                    cast_facts[cid].append(f)
        is_open = case((TheoryRecord.status == TheoryStatus.OPEN, 1), else_=0)
        counts = {
            cid: (total, open_)
            for cid, total, open_ in s.execute(
                select(theory_characters.c.character_id, func.count(), func.sum(is_open))
                .join(TheoryRecord, TheoryRecord.id == theory_characters.c.theory_id)
                .where(TheoryRecord.deleted_at.is_(None))
                .group_by(theory_characters.c.character_id)
            )
        }
        out = []
        for r in s.scalars(select(CharacterRecord)):
            total, open_ = counts.get(r.id, (0, 0))
            out.append(
                Character(
                    id=r.id,
                    key=r.key,
                    name=r.name,
                    actor=r.actor.name if r.actor else None,
                    company=r.company,
                    role=r.role,
                    description=r.description,
                    season1_arc=r.season1_arc,
                    full_name=r.full_name,
                    actor_note=r.actor_note,
                    sources=tuple(mapping.source_ref(d) for d in r.sources or ()),
                    verified=r.verified,
                    return_status=_return_status(cast_facts.get(r.id, []), by_id),
                    theory_count=total,
                    open_theory_count=int(open_ or 0),
                )
            )
        order = {"main": 0, "recurring": 1, "guest": 2}
        out.sort(key=lambda c: (order[c.role.value], c.name.casefold()))
        return out

    # --- dream casting ---------------------------------------------------------------------

    def dream_casting(self) -> list[DreamCast]:
        with self._sessions() as s:
            records = s.scalars(
                select(DreamCastRecord).order_by(
                    DreamCastRecord.rating.desc().nulls_last(), DreamCastRecord.id
                )
            )
            return [mapping.dream_cast(r) for r in records]

    def add_dream_cast(self, draft: DreamCastDraft) -> DreamCast:
        clean = _clean_dream(draft)
        now = self._now()
        with self._sessions.begin() as s:
            record = DreamCastRecord(created_at=now, updated_at=now)
            _fill_dream(s, record, clean)
            s.add(record)
            s.flush()
            return mapping.dream_cast(record)

    def edit_dream_cast(self, entry_id: int, draft: DreamCastDraft) -> DreamCast:
        clean = _clean_dream(draft)
        with self._sessions.begin() as s:
            record = self._load_own(s, entry_id)
            _fill_dream(s, record, clean)
            record.updated_at = self._now()
            s.flush()
            return mapping.dream_cast(record)

    def delete_dream_cast(self, entry_id: int) -> DreamCast:
        with self._sessions.begin() as s:
            record = self._load_own(s, entry_id)
            gone = mapping.dream_cast(record)
            s.delete(record)
            return gone

    def put_back_dream_cast(self, entry: DreamCast) -> DreamCast:
        """Return an entry to exactly how ``entry`` shows it, re-creating it if it was deleted.

        It comes back under its own id, so whatever refers to it (the undo history, the Cast
        tab's selection) still does; only if another entry took that id meanwhile does it get
        a new one, which the returned record carries.
        """
        draft = DreamCastDraft(entry.role_idea, entry.actor, entry.note, entry.rating, entry.character_id)
        with self._sessions.begin() as s:
            record = s.get(DreamCastRecord, entry.id)
            if record is not None:
                self._check_own(s, record)
            if record is None or record.created_at != entry.created_at:  # gone, or another's id now
                record = DreamCastRecord(id=None if record else entry.id)
                s.add(record)
            _fill_dream(s, record, draft)
            record.created_at, record.updated_at = entry.created_at, entry.updated_at
            s.flush()
            return mapping.dream_cast(record)

    def _load_own(self, s: Session, entry_id: int) -> DreamCastRecord:
        record = _load_dream(s, entry_id)
        self._check_own(s, record)
        return record

    def _check_own(self, s: Session, record: DreamCastRecord) -> None:
        if not self._who.restricted or record.author_id == self._who.identity.member_id:
            return
        name = None if record.author_id is None else s.get(ForecasterRecord, record.author_id)
        whose = f"{name.name}'s" if name is not None else "not yours"
        raise NotYoursError(
            f"The dream casting of {record.actor} as {record.role_idea} is {whose}: only they "
            "or the club's owner can change it."
        )


def _clean_dream(draft: DreamCastDraft) -> DreamCastDraft:
    return DreamCastDraft(
        role_idea=rules.clean_text(draft.role_idea, "The role", field="role_idea", required=True),
        actor=rules.clean_text(draft.actor, "The actor", field="actor", required=True),
        note=rules.clean_text(draft.note, "The note", field="note", max_len=rules.NOTE_MAX, multiline=True),
        rating=rules.clean_rating(draft.rating, "The rating"),
        character_id=draft.character_id,
    )


def _fill_dream(s: Session, record: DreamCastRecord, clean: DreamCastDraft) -> None:
    record.role_idea, record.actor, record.note, record.rating = (
        clean.role_idea,
        clean.actor,
        clean.note,
        clean.rating,
    )
    record.character = load_characters(s, [clean.character_id])[0] if clean.character_id is not None else None


def _load_dream(s: Session, entry_id: int) -> DreamCastRecord:
    record = s.get(DreamCastRecord, entry_id)
    if record is None:
        raise DreamCastNotFoundError(entry_id)
    return record
