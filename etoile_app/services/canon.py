"""Canon: the Status tab's topic cards, the fact list for evidence, user news, and canon packs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from etoile_app.canon.pack import load_pack
from etoile_app.domain import rules
from etoile_app.domain.enums import STATUS_TOPICS, FactOrigin, FactStatus, TheoryStatus, Topic
from etoile_app.domain.errors import ChoiceError, DateError
from etoile_app.domain.models import CanonPack, Fact, NewsDraft, PackChanges, TopicCard
from etoile_app.services.base import Service, load_characters, load_fact
from etoile_app.storage import mapping
from etoile_app.storage.models import (
    CanonPackRecord,
    CharacterRecord,
    EvidenceRecord,
    FactRecord,
    PersonRecord,
    StarterRecord,
    TheoryRecord,
)

USER_KEY_PREFIX = "user-"


def superseded_by(session: Session) -> dict[int, int]:
    """For every superseded fact, the newest fact that supersedes it."""
    rows = session.execute(
        select(FactRecord.supersedes_id, FactRecord.id)
        .where(FactRecord.supersedes_id.is_not(None))
        .order_by(FactRecord.as_of, FactRecord.id)
    )
    return dict(rows.all())


def all_facts(session: Session) -> list[Fact]:
    newer = superseded_by(session)
    records = session.scalars(
        select(FactRecord)
        .options(selectinload(FactRecord.characters))
        .order_by(FactRecord.as_of.desc(), FactRecord.id.desc())
    )
    return [mapping.fact(r, newer.get(r.id)) for r in records]


def newest(facts: list[Fact]) -> Fact | None:
    """The current state among ``facts`` (newest first): the newest one nothing supersedes."""
    for fact in facts:
        if fact.superseded_by_id is None:
            return fact
    return facts[0] if facts else None


class CanonService(Service):
    def facts(self, topic: Topic | None = None, text: str = "") -> list[Fact]:
        """Canon facts, newest first, optionally of one topic and holding every word of ``text``."""
        words = [w.casefold() for w in text.split()]
        with self._sessions() as s:
            out = all_facts(s)
        return [
            f
            for f in out
            if (topic is None or f.topic is topic)
            and all(w in f"{f.statement} {f.source}".casefold() for w in words)
        ]

    def fact(self, fact_id: int) -> Fact:
        with self._sessions() as s:
            record = load_fact(s, fact_id)
            return mapping.fact(record, superseded_by(s).get(record.id))

    def status_board(self) -> list[TopicCard]:
        """One card per status topic: its current state, the earlier states, and open theories citing it."""
        with self._sessions() as s:
            facts = all_facts(s)
            by_topic: dict[Topic, list[Fact]] = defaultdict(list)
            for f in facts:
                by_topic[f.topic].append(f)
            open_counts = dict(
                s.execute(
                    select(FactRecord.topic, func.count(func.distinct(TheoryRecord.id)))
                    .join(EvidenceRecord, EvidenceRecord.fact_id == FactRecord.id)
                    .join(TheoryRecord, TheoryRecord.id == EvidenceRecord.theory_id)
                    .where(TheoryRecord.status == TheoryStatus.OPEN, TheoryRecord.deleted_at.is_(None))
                    .group_by(FactRecord.topic)
                ).all()
            )
        cards = []
        for topic in STATUS_TOPICS:
            topic_facts = by_topic.get(topic, [])
            current = newest(topic_facts)
            history = tuple(f for f in topic_facts if f is not current)
            cards.append(TopicCard(topic, current, history, open_counts.get(topic, 0)))
        return cards

    def add_news(self, draft: NewsDraft) -> Fact:
        """Record a fact the user has read somewhere; it may supersede an older fact."""
        topic = rules.clean_choice(draft.topic, Topic, "topic")
        status = rules.clean_choice(draft.status, FactStatus, "status")
        if status is FactStatus.SUPERSEDED:
            raise ChoiceError(
                "New news cannot start out superseded; record the newer fact and let it supersede this one.",
                "status",
            )
        statement = rules.clean_text(
            draft.statement, "What happened", field="statement", max_len=rules.STATEMENT_MAX, required=True
        )
        source = rules.clean_text(draft.source, "The source", field="source", required=True)
        as_of = rules.clean_date(draft.as_of, "The date")
        if as_of is None:
            raise DateError("Give the date of the news.", "as_of")
        if as_of > self._today():
            raise DateError(f"The news cannot be dated in the future ({as_of.isoformat()}).", "as_of")
        with self._sessions.begin() as s:
            older = load_fact(s, draft.supersedes_id) if draft.supersedes_id is not None else None
            if older is not None and older.as_of > as_of:
                raise DateError(
                    f"News dated {as_of.isoformat()} cannot supersede "
                    f"a fact dated {older.as_of.isoformat()}.",
                    "as_of",
                )
            record = FactRecord(
                key=f"{USER_KEY_PREFIX}{uuid.uuid4().hex[:16]}",
                topic=topic,
                statement=statement,
                status=status,
                source=source,
                as_of=as_of,
                supersedes_id=older.id if older is not None else None,
                origin=FactOrigin.USER,
                created_at=self._now(),
                characters=load_characters(s, draft.character_ids),
            )
            s.add(record)
            s.flush()
            return mapping.fact(record, None)

    # --- canon packs -----------------------------------------------------------------------

    def pack_version(self) -> int | None:
        with self._sessions() as s:
            return s.scalar(select(func.max(CanonPackRecord.version)))

    def pack_as_of(self) -> date | None:
        with self._sessions() as s:
            return s.scalar(select(CanonPackRecord.as_of).order_by(CanonPackRecord.version.desc()).limit(1))

    def load_pack_file(self, path: Path) -> PackChanges:
        """Validate the pack file at ``path`` like the bundled one, then apply it if it is newer."""
        return self.apply_pack(load_pack(path))

    def apply_pack(self, pack: CanonPack) -> PackChanges:
        """Write a validated pack if it is newer than the one applied; user data is never touched."""
        with self._sessions.begin() as s:
            current = s.scalar(select(func.max(CanonPackRecord.version)))
            if current is not None and pack.version <= current:
                return PackChanges(version=pack.version, applied=False)
            return _PackWriter(s, pack, self._now()).write()


class _PackWriter:
    def __init__(self, session: Session, pack: CanonPack, now) -> None:
        self.s, self.pack, self.now = session, pack, now

    def write(self) -> PackChanges:
        chars_added, chars_changed, renamed = self._characters()
        added, changed, newly_superseded = self._facts()
        starters_added = self._starters()
        for theory in renamed:
            theory.characters_text = mapping.LIST_SEPARATOR.join(sorted(c.name for c in theory.characters))
        self.s.add(
            CanonPackRecord(
                version=self.pack.version, as_of=self.pack.as_of, title=self.pack.title, applied_at=self.now
            )
        )
        self.s.flush()
        touched = set(changed) | set(newly_superseded)
        affected: list[int] = []
        if touched:
            affected = list(
                self.s.scalars(
                    select(TheoryRecord.id)
                    .join(EvidenceRecord, EvidenceRecord.theory_id == TheoryRecord.id)
                    .join(FactRecord, FactRecord.id == EvidenceRecord.fact_id)
                    .where(
                        FactRecord.key.in_(sorted(touched)),
                        TheoryRecord.status == TheoryStatus.OPEN,
                        TheoryRecord.deleted_at.is_(None),
                    )
                    .distinct()
                    .order_by(TheoryRecord.id)
                )
            )
        return PackChanges(
            version=self.pack.version,
            applied=True,
            added=tuple(added),
            changed=tuple(changed),
            superseded=tuple(newly_superseded),
            characters_added=tuple(chars_added),
            characters_changed=tuple(chars_changed),
            starters_added=tuple(starters_added),
            affected_theory_ids=tuple(affected),
        )

    def _person(self, name: str | None, cache: dict[str, PersonRecord]) -> PersonRecord | None:
        if not name:
            return None
        if name not in cache:
            cache[name] = PersonRecord(name=name)
            self.s.add(cache[name])
        return cache[name]

    def _characters(self) -> tuple[list[str], list[str], set[TheoryRecord]]:
        people = {p.name: p for p in self.s.scalars(select(PersonRecord))}
        existing = {c.key: c for c in self.s.scalars(select(CharacterRecord))}
        added, changed, renamed = [], [], set()
        for pc in self.pack.characters:
            record = existing.get(pc.key)
            values = {
                "name": pc.name,
                "actor": self._person(pc.actor, people),
                "company": pc.company,
                "role": pc.role,
                "description": pc.description,
                "season1_arc": pc.season1_arc,
                "arc_source": pc.arc_source,
            }
            if record is None:
                self.s.add(CharacterRecord(key=pc.key, **values))
                added.append(pc.key)
                continue
            if any(getattr(record, k) != v for k, v in values.items()):
                if record.name != pc.name:
                    renamed.update(
                        self.s.scalars(select(TheoryRecord).where(TheoryRecord.characters.contains(record)))
                    )
                for k, v in values.items():
                    setattr(record, k, v)
                changed.append(pc.key)
        self.s.flush()
        return added, changed, renamed

    def _facts(self) -> tuple[list[str], list[str], list[str]]:
        characters = {c.key: c for c in self.s.scalars(select(CharacterRecord))}
        existing = {
            f.key: f for f in self.s.scalars(select(FactRecord).options(selectinload(FactRecord.characters)))
        }
        before = {f.key: f.supersedes_id for f in existing.values()}
        added, changed = [], []
        for pf in self.pack.facts:
            record = existing.get(pf.key)
            values = {
                "topic": pf.topic,
                "statement": pf.statement,
                "status": pf.status,
                "source": pf.source,
                "as_of": pf.as_of,
            }
            chars = [characters[k] for k in pf.characters]
            if record is None:
                record = FactRecord(
                    key=pf.key, origin=FactOrigin.PACK, created_at=self.now, characters=chars, **values
                )
                record.pack_version = self.pack.version
                self.s.add(record)
                existing[pf.key] = record
                added.append(pf.key)
            elif record.origin is FactOrigin.PACK and (
                any(getattr(record, k) != v for k, v in values.items())
                or {c.key for c in record.characters} != set(pf.characters)
            ):
                for k, v in values.items():
                    setattr(record, k, v)
                record.characters = chars
                record.pack_version = self.pack.version
                changed.append(pf.key)
        self.s.flush()
        superseded_now: list[str] = []
        for pf in self.pack.facts:
            record = existing[pf.key]
            if record.origin is not FactOrigin.PACK:
                continue
            target = existing[pf.supersedes].id if pf.supersedes else None
            if record.supersedes_id != target:
                record.supersedes_id = target
                if pf.key not in added and pf.key not in changed:
                    changed.append(pf.key)
            if target is not None and before.get(pf.key) != target and pf.supersedes not in added:
                superseded_now.append(pf.supersedes)
        self.s.flush()
        return added, changed, superseded_now

    def _starters(self) -> list[str]:
        existing = {r.key: r for r in self.s.scalars(select(StarterRecord))}
        added = []
        for position, st in enumerate(self.pack.starters):
            values = {
                "title": st.title,
                "body": st.body,
                "category": st.category,
                "character_keys": list(st.characters),
                "tags": list(st.tags),
                "source": st.source,
                "position": position,
            }
            record = existing.get(st.key)
            if record is None:
                self.s.add(StarterRecord(key=st.key, **values))
                added.append(st.key)
            else:
                for k, v in values.items():
                    setattr(record, k, v)
        return added
