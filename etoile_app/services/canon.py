"""Canon: the Status tab's topic cards, the fact list for evidence, user news, and canon packs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from etoile_app.canon import pack_edition
from etoile_app.domain import rules
from etoile_app.domain.enums import STATUS_TOPICS, FactOrigin, FactStatus, TheoryStatus, Topic
from etoile_app.domain.errors import ChoiceError, DateError, InvalidStateError
from etoile_app.domain.models import (
    CanonPack,
    CharacterRef,
    CitingTheory,
    Fact,
    FactDetail,
    NewsDraft,
    PackChanges,
    TopicCard,
)
from etoile_app.services.base import Progress, Service, load_characters, load_fact, no_progress
from etoile_app.storage import mapping, search_columns
from etoile_app.storage.migrate import take_setup_lock
from etoile_app.storage.models import (
    CanonPackRecord,
    CharacterRecord,
    DreamCastRecord,
    EvidenceRecord,
    FactRecord,
    PersonRecord,
    StarterRecord,
    TheoryRecord,
)

USER_KEY_PREFIX = "user-"
#: The statuses a person can give news; "superseded" and "contradicted" come from the timeline.
NEWS_STATUSES = (FactStatus.CONFIRMED, FactStatus.REPORTED, FactStatus.RUMOURED, FactStatus.SPECULATION)
#: The steps :meth:`CanonService.load_pack_file` reports: read and check the file, compare the
#: editions, then the characters, the facts, the starter theories and the theories to review.
PACK_STEPS = 6


def all_facts(session: Session, *, retracted: bool = True) -> list[Fact]:
    """Every fact, newest first, with its timeline links (those from retracted news left out)."""
    records = session.scalars(
        select(FactRecord)
        .options(selectinload(FactRecord.characters))
        .order_by(FactRecord.as_of.desc(), FactRecord.id.desc())
    ).all()
    gone = {r.id for r in records if r.retracted_at is not None}
    supersedes: dict[int, list[int]] = defaultdict(list)
    contradicts: dict[int, list[int]] = defaultdict(list)
    for r in records:
        if r.superseded_by_id is not None and r.superseded_by_id not in gone:
            supersedes[r.superseded_by_id].append(r.id)
        if r.contradicted_by_id is not None and r.contradicted_by_id not in gone:
            contradicts[r.contradicted_by_id].append(r.id)
    return [
        mapping.fact(r, tuple(supersedes[r.id]), tuple(contradicts[r.id]), gone)
        for r in records
        if retracted or r.id not in gone
    ]


def current_of(facts: list[Fact]) -> Fact | None:
    """The state among ``facts``: the newest live fact of the firmest kind, so a later rumour
    never buries a reported fact; failing that, the newest fact."""
    live = [f for f in facts if f.is_live]
    if live:
        return max(live, key=lambda f: (f.status.strength, f.as_of, f.id))
    shown = [f for f in facts if not f.is_retracted]
    return max(shown, key=lambda f: (f.as_of, f.id)) if shown else None


def _newer_talk(facts: list[Fact], current: Fact | None) -> tuple[Fact, ...]:
    if current is None:
        return ()
    return tuple(
        f
        for f in facts
        if f.is_live
        and f is not current
        and f.status.strength < current.status.strength
        and f.as_of >= current.as_of
    )


class CanonService(Service):
    def facts(self, topic: Topic | None = None, text: str = "", *, retracted: bool = False) -> list[Fact]:
        """Canon facts, newest first, optionally of one topic and holding every word of ``text``
        (in the statement, headline or source). Retracted news is left out unless asked for."""
        words = [w.casefold() for w in text.split()]
        with self._sessions() as s:
            out = all_facts(s, retracted=retracted)
        return [
            f for f in out if (topic is None or f.topic is topic) and all(w in f.search_text for w in words)
        ]

    def fact(self, fact_id: int) -> Fact:
        with self._sessions() as s:
            load_fact(s, fact_id)
            return next(f for f in all_facts(s) if f.id == fact_id)

    def detail(self, fact_id: int) -> FactDetail:
        """A fact with its whole timeline and the theories that cite it."""
        with self._sessions() as s:
            load_fact(s, fact_id)
            by_id = {f.id: f for f in all_facts(s)}
            fact = by_id[fact_id]
            citing = s.execute(
                select(TheoryRecord.id, TheoryRecord.title, TheoryRecord.status, EvidenceRecord.stance)
                .join(EvidenceRecord, EvidenceRecord.theory_id == TheoryRecord.id)
                .where(EvidenceRecord.fact_id == fact_id, TheoryRecord.deleted_at.is_(None))
                .order_by(TheoryRecord.title_key, TheoryRecord.id)
            ).all()
            characters = s.execute(
                select(CharacterRecord.id, CharacterRecord.name)
                .where(CharacterRecord.id.in_(fact.character_ids))
                .order_by(CharacterRecord.name)
            ).all()
        return FactDetail(
            fact=fact,
            supersedes=tuple(by_id[i] for i in fact.supersedes_ids),
            superseded_by=by_id.get(fact.superseded_by_id) if fact.superseded_by_id else None,
            contradicts=tuple(by_id[i] for i in fact.contradicts_ids),
            contradicted_by=by_id.get(fact.contradicted_by_id) if fact.contradicted_by_id else None,
            citing=tuple(CitingTheory(r.id, r.title, r.status, r.stance) for r in citing),
            characters=tuple(CharacterRef(r.id, r.name) for r in characters),
        )

    def citing_counts(self) -> dict[int, int]:
        """How many live theories cite each fact (facts no theory cites are left out)."""
        with self._sessions() as s:
            return dict(
                s.execute(
                    select(EvidenceRecord.fact_id, func.count())
                    .join(TheoryRecord, TheoryRecord.id == EvidenceRecord.theory_id)
                    .where(TheoryRecord.deleted_at.is_(None))
                    .group_by(EvidenceRecord.fact_id)
                ).all()
            )

    def status_board(self) -> list[TopicCard]:
        """One card per status topic: its current state, the earlier states, and open theories citing it."""
        with self._sessions() as s:
            facts = all_facts(s, retracted=False)
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
            current = current_of(topic_facts)
            talk = _newer_talk(topic_facts, current)
            history = tuple(f for f in topic_facts if f is not current and f not in talk)
            cards.append(TopicCard(topic, current, history, open_counts.get(topic, 0), talk))
        return cards

    # --- user news -------------------------------------------------------------------------

    def add_news(self, draft: NewsDraft) -> Fact:
        """Record a fact the user has read somewhere. It supersedes an older fact only when the
        draft names one, and never a firmer one than itself."""
        values = self._clean_news(draft)
        with self._sessions.begin() as s:
            record = FactRecord(
                key=f"{USER_KEY_PREFIX}{uuid.uuid4().hex[:16]}",
                origin=FactOrigin.USER,
                created_at=self._now(),
                verified=True,
                characters=load_characters(s, draft.character_ids),
                **values,
            )
            s.add(record)
            s.flush()
            self._link_superseded(s, record, draft.supersedes_id)
            s.flush()
            return self._one(s, record.id)

    def edit_news(self, fact_id: int, draft: NewsDraft) -> Fact:
        """Change news the user recorded (canon pack facts are not theirs to edit)."""
        values = self._clean_news(draft)
        with self._sessions.begin() as s:
            record = self._user_fact(s, fact_id, "edit")
            for name, value in values.items():
                setattr(record, name, value)
            record.characters = load_characters(s, draft.character_ids)
            record.updated_at = self._now()
            self._link_superseded(s, record, draft.supersedes_id)
            s.flush()
            return self._one(s, record.id)

    def retract_news(self, fact_id: int) -> Fact:
        """Withdraw news the user recorded: it leaves the Status tab and the evidence lists, and
        whatever it superseded is current again. Theories that cite it keep the link."""
        with self._sessions.begin() as s:
            record = self._user_fact(s, fact_id, "retract")
            if record.retracted_at is None:
                record.retracted_at = self._now()
            s.flush()
            return self._one(s, record.id)

    def restore_news(self, fact_id: int) -> Fact:
        """Take a retraction back."""
        with self._sessions.begin() as s:
            record = self._user_fact(s, fact_id, "restore")
            record.retracted_at = None
            s.flush()
            return self._one(s, record.id)

    def _one(self, s: Session, fact_id: int) -> Fact:
        return next(f for f in all_facts(s) if f.id == fact_id)

    def _user_fact(self, s: Session, fact_id: int, verb: str) -> FactRecord:
        record = load_fact(s, fact_id)
        if record.origin is not FactOrigin.USER:
            raise InvalidStateError(
                f"Only news you added can be {verb}ed; canon pack facts change with a newer pack."
                if verb != "edit"
                else "Only news you added can be edited; canon pack facts change with a newer pack."
            )
        return record

    def _clean_news(self, draft: NewsDraft) -> dict[str, object]:
        topic = rules.clean_choice(draft.topic, Topic, "topic")
        status = rules.clean_choice(draft.status, FactStatus, "status")
        if status not in NEWS_STATUSES:
            raise ChoiceError(
                f"News cannot be recorded as {status.value}; that comes from the timeline, "
                "when a newer fact overtakes or a better source contradicts it.",
                "status",
            )
        statement = rules.clean_text(
            draft.statement, "What happened", field="statement", max_len=rules.STATEMENT_MAX, required=True
        )
        as_of = rules.clean_date(draft.as_of, "The date")
        if as_of is None:
            raise DateError("Give the date of the news.", "as_of")
        if as_of > self._today():
            raise DateError(f"The news cannot be dated in the future ({as_of.isoformat()}).", "as_of")
        return {
            "topic": topic,
            "status": status,
            "statement": statement,
            "headline": rules.clean_text(
                draft.headline, "The headline", field="headline", max_len=rules.HEADLINE_MAX
            ),
            "source": rules.clean_text(draft.source, "The source", field="source", required=True),
            "source_title": rules.clean_text(
                draft.source_title, "The title of the piece", field="source_title", max_len=400
            ),
            "source_url": rules.clean_url(draft.source_url),
            "source_date": as_of,
            "section": "",
            "as_of": as_of,
        }

    def _link_superseded(self, s: Session, record: FactRecord, older_id: int | None) -> None:
        """Make ``record`` supersede ``older_id`` (or nothing), undoing any link it had before."""
        for previous in s.scalars(select(FactRecord).where(FactRecord.superseded_by_id == record.id)):
            if previous.id != older_id:
                previous.superseded_by_id = None
        if older_id is None:
            return
        older = load_fact(s, older_id)
        if older.id == record.id:
            raise ChoiceError("News cannot supersede itself.", "supersedes")
        if older.as_of > record.as_of:
            raise DateError(
                f"News dated {record.as_of.isoformat()} cannot supersede "
                f"a fact dated {older.as_of.isoformat()}.",
                "as_of",
            )
        if record.status.is_guess and not older.status.is_guess:
            raise ChoiceError(
                f"A {record.status.label.lower()} cannot supersede a {older.status.label.lower()} fact; "
                "record it without superseding anything, or as reported if an outlet reports it.",
                "supersedes",
            )
        holder = s.get(FactRecord, older.superseded_by_id) if older.superseded_by_id is not None else None
        if holder is not None and holder.id != record.id and holder.retracted_at is None:
            raise ChoiceError(
                f"That fact is already superseded by “{holder.headline or holder.statement}” "
                f"({holder.as_of.isoformat()}); pick that one instead.",
                "supersedes",
            )
        walked, step = {record.id}, older
        while step is not None:
            if step.id in walked:
                raise ChoiceError("That would make the timeline loop back on itself.", "supersedes")
            walked.add(step.id)
            step = s.get(FactRecord, step.superseded_by_id) if step.superseded_by_id is not None else None
        older.superseded_by_id = record.id

    # --- canon packs -----------------------------------------------------------------------

    def pack_version(self) -> int | None:
        with self._sessions() as s:
            return s.scalar(select(func.max(CanonPackRecord.version)))

    def pack_as_of(self) -> date | None:
        with self._sessions() as s:
            return s.scalar(select(CanonPackRecord.as_of).order_by(CanonPackRecord.version.desc()).limit(1))

    def load_pack_file(self, path: Path, *, progress: Progress = no_progress) -> PackChanges:
        """Validate the pack file at ``path`` like the bundled one, then apply it if it is newer.

        ``progress`` hears each step; if it raises :class:`CancelledError`, nothing is written."""
        from etoile_app.canon.pack import load_pack  # the checks are needed only here

        progress(0, PACK_STEPS, f"Reading {path.name}")
        return self.apply_pack(load_pack(path), progress=progress)

    def apply_pack_file(self, path: Path) -> PackChanges:
        """Apply the bundled pack at ``path`` at start-up if it is newer than the journal's.

        Its edition is read first: when the journal holds it already (every start but the
        first after an update) the pack is neither read in full nor checked."""
        edition, current = pack_edition(path), self.pack_version()
        if edition is not None and current is not None and edition <= current:
            return PackChanges(version=edition, applied=False)
        return self.load_pack_file(path)

    def apply_pack(self, pack: CanonPack, *, progress: Progress = no_progress) -> PackChanges:
        """Write a validated pack if it is newer than the one applied; user data is never touched.

        All of it is one transaction: ``progress`` (told each step, the last one before the
        commit) may stop it by raising, and then nothing was written. On a server, clients apply
        packs one at a time (the setup lock): one that waited finds the pack applied already."""
        with self._sessions.begin() as s:
            take_setup_lock(s.connection())
            progress(1, PACK_STEPS, f"Comparing edition {pack.version} with your canon")
            current = s.scalar(select(func.max(CanonPackRecord.version)))
            if current is not None and pack.version <= current:
                return PackChanges(version=pack.version, applied=False)
            return _PackWriter(s, pack, self._now(), progress).write()


class _PackWriter:
    def __init__(self, session: Session, pack: CanonPack, now, progress: Progress = no_progress) -> None:
        self.s, self.pack, self.now, self.progress = session, pack, now, progress

    def write(self) -> PackChanges:
        self.progress(2, PACK_STEPS, "Updating the characters")
        merged, renamed = self._merge_characters()
        chars_added, chars_changed, more_renamed = self._characters()
        renamed |= more_renamed
        self.progress(3, PACK_STEPS, "Updating the facts")
        added, changed, newly_superseded, newly_contradicted = self._facts()
        self.progress(4, PACK_STEPS, "Updating the starter theories")
        starters_added = self._starters()
        for theory in renamed:
            theory.characters_text = search_columns.characters_text(c.name for c in theory.characters)
        self.s.add(
            CanonPackRecord(
                version=self.pack.version, as_of=self.pack.as_of, title=self.pack.title, applied_at=self.now
            )
        )
        self.s.flush()
        # The last step that may stop it: after this the transaction commits.
        self.progress(5, PACK_STEPS, "Finding the theories to review")
        touched = set(changed) | set(newly_superseded) | set(newly_contradicted)
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
            contradicted=tuple(newly_contradicted),
            characters_added=tuple(chars_added),
            characters_changed=tuple(chars_changed),
            characters_merged=tuple(merged),
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

    def _merge_characters(self) -> tuple[list[tuple[str, str]], set[TheoryRecord]]:
        """Fold characters an older edition had by mistake into the one the pack says they are:
        theories, facts and dream casting that named the old one name the new one."""
        existing = {c.key: c for c in self.s.scalars(select(CharacterRecord))}
        merged: list[tuple[str, str]] = []
        renamed: set[TheoryRecord] = set()
        for pc in self.pack.characters:
            for old_key in pc.replaces:
                old = existing.get(old_key)
                if old is None:
                    continue
                new = existing.get(pc.key)
                if new is None:
                    # The character is new in this edition: the old record becomes it.
                    old.key = pc.key
                    existing[pc.key] = old
                    del existing[old_key]
                    merged.append((old_key, pc.key))
                    continue
                for theory in self.s.scalars(
                    select(TheoryRecord).where(TheoryRecord.characters.contains(old))
                ):
                    if new not in theory.characters:
                        theory.characters.append(new)
                    theory.characters.remove(old)
                    renamed.add(theory)
                for fact in self.s.scalars(select(FactRecord).where(FactRecord.characters.contains(old))):
                    if new not in fact.characters:
                        fact.characters.append(new)
                    fact.characters.remove(old)
                for dream in self.s.scalars(
                    select(DreamCastRecord).where(DreamCastRecord.character_id == old.id)
                ):
                    dream.character_id = new.id
                for starter in self.s.scalars(select(StarterRecord)):
                    if old_key in starter.character_keys:
                        keys = [pc.key if k == old_key else k for k in starter.character_keys]
                        starter.character_keys = list(dict.fromkeys(keys))
                self.s.flush()
                self.s.delete(old)
                del existing[old_key]
                merged.append((old_key, pc.key))
        self.s.flush()
        return merged, renamed

    def _characters(self) -> tuple[list[str], list[str], set[TheoryRecord]]:
        people = {p.name: p for p in self.s.scalars(select(PersonRecord))}
        existing = {c.key: c for c in self.s.scalars(select(CharacterRecord))}
        added, changed, renamed = [], [], set()
        for pc in self.pack.characters:
            record = existing.get(pc.key)
            values = {
                "name": pc.name,
                "full_name": pc.full_name,
                "actor": self._person(pc.actor, people),
                "actor_note": pc.actor_note,
                "company": pc.company,
                "role": pc.role,
                "description": pc.description,
                "season1_arc": pc.season1_arc,
                "sources": [mapping.source_data(ref) for ref in pc.sources],
                "verified": pc.verified,
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

    def _facts(self) -> tuple[list[str], list[str], list[str], list[str]]:
        characters = {c.key: c for c in self.s.scalars(select(CharacterRecord))}
        existing = {
            f.key: f for f in self.s.scalars(select(FactRecord).options(selectinload(FactRecord.characters)))
        }
        added, changed = [], []
        for pf in self.pack.facts:
            record = existing.get(pf.key)
            ref = pf.source
            values = {
                "topic": pf.topic,
                "statement": pf.statement,
                "headline": pf.headline,
                "status": pf.status,
                "source": ref.outlet,
                "source_title": ref.title,
                "source_url": ref.url,
                "source_date": ref.published,
                "section": ref.section,
                "verified": pf.verified,
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
        by_id = {r.id: r for r in existing.values()}
        superseder = {older: pf.key for pf in self.pack.facts for older in pf.supersedes}
        corrector = {older: pf.key for pf in self.pack.facts for older in pf.contradicts}
        newly_superseded: list[str] = []
        newly_contradicted: list[str] = []
        for pf in self.pack.facts:
            record = existing[pf.key]
            if record.origin is not FactOrigin.PACK:
                continue
            for column, wanted, newly in (
                ("superseded_by_id", superseder.get(pf.key), newly_superseded),
                ("contradicted_by_id", corrector.get(pf.key), newly_contradicted),
            ):
                now_id = getattr(record, column)
                holder = by_id.get(now_id) if now_id is not None else None
                if holder is not None and holder.origin is FactOrigin.USER:
                    continue  # the person's own news overtook it; their timeline stands
                target = existing[wanted].id if wanted else None
                if now_id != target:
                    setattr(record, column, target)
                    if pf.key in added:
                        continue
                    if target is not None:
                        newly.append(pf.key)  # listed as superseded or contradicted, not as changed
                    elif pf.key not in changed:
                        changed.append(pf.key)
        self.s.flush()
        return added, changed, newly_superseded, newly_contradicted

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
