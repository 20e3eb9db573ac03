"""Writing, rating, linking, resolving and deleting theories."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, date, datetime

from sqlalchemy import delete, exists, or_, select, text, true
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from etoile_app.domain import rules
from etoile_app.domain.club import Who
from etoile_app.domain.enums import Stance, TheoryStatus
from etoile_app.domain.errors import (
    ClubError,
    DateError,
    InvalidStateError,
    NotYoursError,
    StaleEditError,
    StarterNotFoundError,
    TheoryNotFoundError,
)
from etoile_app.domain.models import (
    EarlierResolution,
    EvidenceDraft,
    Forecast,
    OptionDraft,
    StarterTheory,
    Theory,
    TheoryDraft,
    TheorySnapshot,
)
from etoile_app.services.base import (
    Clock,
    Service,
    ensure_tags,
    load_characters,
    load_fact,
    shown_statuses,
    system_clock,
)
from etoile_app.storage import mapping, search_columns
from etoile_app.storage.models import (
    THEORY_COLUMNS,
    CharacterRecord,
    ConditionRecord,
    EvidenceRecord,
    ForecasterRecord,
    ForecastRecord,
    OptionRecord,
    ResolutionRecord,
    StarterRecord,
    TagRecord,
    TheoryRecord,
    theory_tags,
)

RESOLVED = (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED, TheoryStatus.VOID)
#: Ids per ``IN (…)`` when many theories are loaded at once (well under SQLite's variable limit).
CHUNK = 500
#: The theory columns undo puts back: all but uid, created_at and starter_key, which never change.
_RESTORED = tuple(name for name in THEORY_COLUMNS if name not in ("uid", "created_at", "starter_key"))
_LOAD_ALL = (
    selectinload(TheoryRecord.tags),
    selectinload(TheoryRecord.characters),
    selectinload(TheoryRecord.evidence),
    selectinload(TheoryRecord.history).joinedload(ForecastRecord.option),
    selectinload(TheoryRecord.earlier_resolutions),
    selectinload(TheoryRecord.options),
    selectinload(TheoryRecord.condition_link).joinedload(ConditionRecord.condition),
)


class TheoryService(Service):
    """In a club (see :mod:`etoile_app.domain.club`), a theory and its first forecast are its
    author's, anyone may add their own forecasts to any open theory, and a member who is not
    the owner may change only their own theories; the server enforces the same rules."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock = system_clock, who: Who | None = None
    ) -> None:
        super().__init__(sessions, clock)
        self._who = who or Who()

    # --- reading ---------------------------------------------------------------------------

    def get(self, theory_id: int) -> Theory:
        with self._sessions() as s:
            return self._view(s, self._load(s, theory_id, live=False))

    def forecasts_by(self, theory_id: int) -> tuple[str | None, tuple[Forecast, ...]]:
        """Who wrote the theory (``None`` in a journal of one) and this member's own forecasts
        on it, oldest first (in a journal of one, all of them)."""
        me = self._who.identity.member_id
        with self._sessions() as s:
            author = s.execute(
                select(ForecasterRecord.name)
                .join(TheoryRecord, TheoryRecord.author_id == ForecasterRecord.id)
                .where(TheoryRecord.id == theory_id)
            ).scalar_one_or_none()
            stmt = (
                select(
                    ForecastRecord.confidence,
                    ForecastRecord.changed_at,
                    ForecastRecord.note,
                    OptionRecord.name,
                )
                .outerjoin(OptionRecord, OptionRecord.id == ForecastRecord.option_id)
                .where(ForecastRecord.theory_id == theory_id)
                .order_by(ForecastRecord.changed_at, ForecastRecord.id)
            )
            if self._who.identity.club:
                stmt = stmt.where(ForecastRecord.forecaster_id == me)
            rows = s.execute(stmt).all()
        return author, tuple(Forecast(r[0], r[1], r[2], r[3]) for r in rows)

    # --- writing ---------------------------------------------------------------------------

    def create(self, draft: TheoryDraft, *, note: str = "", starter_key: str | None = None) -> Theory:
        clean = rules.clean_draft(draft)
        note = rules.clean_text(note, "The note", field="note", max_len=rules.NOTE_MAX)
        now = self._now()
        with self._sessions.begin() as s:
            record = TheoryRecord(
                uid=str(uuid.uuid4()),
                status=TheoryStatus.OPEN,
                created_at=now,
                resolution_note="",
                starter_key=starter_key,
                author_id=self._author(),
            )
            self._apply(s, record, clean, now, note=note)
            s.add(record)
            s.flush()
            return self._view(s, record)

    def edit(self, theory_id: int, draft: TheoryDraft, *, confidence_note: str = "") -> Theory:
        """Replace every editable field; a new confidence is added to the history.

        A draft made from a copy read earlier carries that copy's version
        (``draft.expected_version``): when someone else has changed the theory since, nothing is
        written and :class:`StaleEditError` says so, with the theory as it stands now.
        """
        clean = rules.clean_draft(draft)
        note = rules.clean_text(confidence_note, "The note", field="note", max_len=rules.NOTE_MAX)
        with self._stale_refused(theory_id), self._sessions.begin() as s:
            record = self._load(s, theory_id, lock=True)
            if clean.expected_version is not None and record.version != clean.expected_version:
                raise StaleEditError(self._view(s, record))
            self._apply(s, record, clean, self._now(), note=note)
            return self._view(s, record)

    def set_tags(self, theory_id: int, tags: Iterable[str]) -> Theory:
        """Replace the theory's tags."""
        names = rules.clean_tags(list(tags))

        def change(s: Session, r: TheoryRecord) -> None:
            r.tags = _tags(s, names)
            search_columns.refresh(r)

        return self._change(theory_id, change)

    def set_confidence(self, theory_id: int, confidence: object, note: str = "") -> Theory:
        """A new confidence for a yes/no theory. In a club, on another member's theory, it is
        this member's own forecast (:meth:`forecast`)."""
        value = rules.clean_confidence(confidence)
        note = rules.clean_text(note, "The note", field="note", max_len=rules.NOTE_MAX)
        if self._who.identity.club and not self._is_mine(theory_id):
            return self.forecast(theory_id, value, note=note)

        def change(s: Session, r: TheoryRecord) -> None:
            self._check_open(r, "change its confidence")
            if value != r.confidence:
                r.confidence = value
                r.history.append(self._forecast_record(confidence=value, changed_at=self._now(), note=note))

        return self._change(theory_id, change)

    def forecast(
        self,
        theory_id: int,
        confidence: object = None,
        *,
        options: Mapping[str, object] | None = None,
        note: str = "",
    ) -> Theory:
        """Add this member's forecast to an open theory, anyone's: a ``confidence`` for a yes/no
        theory, or a confidence per option name (``options``, every option) for a multiple-choice
        one. Only values that differ from the member's last forecast are added. The theory's own
        confidence is its author's: it changes only when the author forecasts."""
        return self.forecast_added(theory_id, confidence, options=options, note=note)[0]

    def forecast_added(
        self,
        theory_id: int,
        confidence: object = None,
        *,
        options: Mapping[str, object] | None = None,
        note: str = "",
    ) -> tuple[Theory, tuple[int, ...]]:
        """:meth:`forecast`, and the ids of the forecasts it added (none when nothing differed),
        for :meth:`withdraw_forecasts` to take back."""
        note = rules.clean_text(note, "The note", field="note", max_len=rules.NOTE_MAX)
        who = self._who.identity
        if who.club and who.member is None:
            raise ClubError("Choose your display name in this club before you forecast.")
        me = who.member_id
        now = self._now()
        with self._stale_refused(theory_id), self._sessions.begin() as s:
            record = self._load(s, theory_id)
            self._check_open(record, "forecast on it")
            mine = [h for h in record.history if h.forecaster_id == me]
            added: list[ForecastRecord] = []
            if record.options:
                wanted = _option_confidences(record, options)
                latest = {h.option_id: h.confidence for h in mine if h.option_id is not None}
                for option in record.options:
                    value = wanted[option.id]
                    if latest.get(option.id) != value:
                        added.append(
                            self._forecast_record(
                                theory_id=record.id,
                                option_id=option.id,
                                confidence=value,
                                changed_at=now,
                                note=note,
                            )
                        )
            else:
                if options:
                    raise InvalidStateError(f"“{record.title}” is a yes/no question: it has no options.")
                value = rules.clean_confidence(confidence)
                latest_value = next((h.confidence for h in reversed(mine) if h.option_id is None), None)
                if latest_value != value:
                    added.append(
                        self._forecast_record(
                            theory_id=record.id, confidence=value, changed_at=now, note=note
                        )
                    )
            s.add_all(added)
            if added and record.author_id == me:
                # The author's forecast is the theory's own confidence too.
                if record.options:
                    record.confidence = max(wanted.values())
                else:
                    record.confidence = value
                record.updated_at = now
            s.flush()
            s.expire(record, ["history"])
            return self._view(s, record), tuple(f.id for f in added)

    def withdraw_forecasts(self, theory_id: int, forecast_ids: Iterable[int]) -> Theory:
        """Take back forecasts this member added (undo of :meth:`forecast`)."""
        ids = list(forecast_ids)
        with self._sessions.begin() as s:
            query = delete(ForecastRecord).where(
                ForecastRecord.id.in_(ids), ForecastRecord.theory_id == theory_id
            )
            if self._who.identity.club:
                query = query.where(ForecastRecord.forecaster_id == self._who.identity.member_id)
            s.execute(query)
            return self._view(s, self._load(s, theory_id, live=False))

    def set_juiciness(self, theory_id: int, stars: object) -> Theory:
        value = rules.clean_rating(stars)
        return self._change(theory_id, lambda s, r: setattr(r, "juiciness", value))

    def set_resolve_by(self, theory_id: int, when: date | None) -> Theory:
        value = rules.clean_date(when, "The resolve-by date")
        return self._change(theory_id, lambda s, r: setattr(r, "resolve_by", value))

    def link_evidence(self, theory_id: int, fact_id: int, stance: object, note: str = "") -> Theory:
        """Cite a canon fact for or against the theory; citing it again updates stance and note."""
        value = rules.clean_choice(stance, Stance, "stance")
        note = rules.clean_text(
            note, "The evidence note", field="note", max_len=rules.NOTE_MAX, multiline=True
        )

        def change(s: Session, r: TheoryRecord) -> None:
            fact = load_fact(s, fact_id)
            for e in r.evidence:
                if e.fact_id == fact.id:
                    e.stance, e.note = value, note
                    return
            r.evidence.append(EvidenceRecord(fact=fact, stance=value, note=note, created_at=self._now()))

        return self._change(theory_id, change)

    def unlink_evidence(self, theory_id: int, fact_id: int) -> Theory:
        def change(s: Session, r: TheoryRecord) -> None:
            load_fact(s, fact_id)
            r.evidence = [e for e in r.evidence if e.fact_id != fact_id]

        return self._change(theory_id, change)

    def resolve(
        self,
        theory_id: int,
        status: object,
        note: str = "",
        on: date | None = None,
        *,
        option: str | None = None,
    ) -> Theory:
        """Settle a theory: confirmed, busted, or void (it can never be settled). A
        multiple-choice theory is confirmed with the ``option`` that happened, or void.

        Busted or void, the theories that depend on it (and theirs) are void too, with a note
        naming their condition."""
        value, note, day = self._clean_resolution(status, note, on)

        def change(s: Session, r: TheoryRecord) -> None:
            self._check_open(r, "resolve it again")
            _settle(r, value, option)
            r.status, r.resolution_note = value, note
            r.resolved_on, r.resolved_at = day, self._now()
            self._void_dependants(s, [r], day)

        return self._change(theory_id, change)

    def dependants(self, theory_ids: Iterable[int]) -> list[int]:
        """The open theories that depend on any of ``theory_ids``, and on those, and so on."""
        found: list[int] = []
        frontier = list(dict.fromkeys(theory_ids))
        seen = set(frontier)
        with self._sessions() as s:
            while frontier:
                stmt = (
                    select(ConditionRecord.theory_id)
                    .join(TheoryRecord, TheoryRecord.id == ConditionRecord.theory_id)
                    .where(
                        ConditionRecord.condition_id.in_(frontier),
                        TheoryRecord.status == TheoryStatus.OPEN,
                        TheoryRecord.deleted_at.is_(None),
                    )
                )
                frontier = [i for i in s.scalars(stmt) if i not in seen]
                seen.update(frontier)
                found.extend(frontier)
        return found

    def _void_dependants(self, s: Session, settled: Sequence[TheoryRecord], day: date) -> list[TheoryRecord]:
        """Void the open theories whose condition among ``settled`` did not hold (busted or
        void), and theirs in turn; the note names the condition."""
        now = self._now()
        voided: list[TheoryRecord] = []
        frontier = [r for r in settled if r.status in (TheoryStatus.BUSTED, TheoryStatus.VOID)]
        if frontier and self._who.restricted:
            # Dependants may be other members' theories: the server voids them (migration 0010).
            s.flush()
            ids = list(
                s.scalars(
                    text("SELECT etoile_void_dependants(:day, :at)"),
                    {"day": day, "at": now.astimezone(UTC).replace(tzinfo=None)},
                )
            )
            for start in range(0, len(ids), CHUNK):
                stmt = (
                    select(TheoryRecord)
                    .where(TheoryRecord.id.in_(ids[start : start + CHUNK]))
                    .options(*_LOAD_ALL)
                    .order_by(TheoryRecord.id)
                    .execution_options(populate_existing=True)
                )
                voided.extend(s.scalars(stmt))
            return voided
        while frontier:
            s.flush()
            stmt = (
                select(TheoryRecord)
                .join(ConditionRecord, ConditionRecord.theory_id == TheoryRecord.id)
                .where(
                    ConditionRecord.condition_id.in_([r.id for r in frontier]),
                    TheoryRecord.status == TheoryStatus.OPEN,
                    TheoryRecord.deleted_at.is_(None),
                )
                .options(*_LOAD_ALL)
                .order_by(TheoryRecord.id)
                .with_for_update(of=TheoryRecord)
                .execution_options(populate_existing=True)
            )
            frontier = list(s.scalars(stmt))
            for d in frontier:
                condition = d.condition_link.condition  # type: ignore[union-attr]
                d.status, d.resolved_on, d.resolved_at, d.updated_at = TheoryStatus.VOID, day, now, now
                d.resolution_note = f"Void: its condition “{condition.title}” was {condition.status.value}."
            voided.extend(frontier)
        return voided

    def _clean_resolution(self, status: object, note: str, on: date | None) -> tuple[TheoryStatus, str, date]:
        value = rules.clean_choice(status, TheoryStatus, "resolution")
        if value not in RESOLVED:
            raise InvalidStateError(
                "A theory is resolved as confirmed, busted or void; use reopen to open it."
            )
        note = rules.clean_text(
            note, "The resolution note", field="note", max_len=rules.NOTE_MAX, multiline=True
        )
        day = rules.clean_date(on, "The resolution date") or self._today()
        if day > self._today():
            raise DateError(f"A theory cannot be resolved on a future date ({day.isoformat()}).")
        return value, note, day

    def reopen(self, theory_id: int) -> Theory:
        """Open a resolved theory again; its resolution stays in its earlier resolutions."""
        return self._change(theory_id, lambda s, r: _reopen(r, self._now()))

    def delete(self, theory_id: int) -> Theory:
        """Move a theory to the bin; :meth:`restore` brings it back with everything it had."""
        with self._sessions.begin() as s:
            record = self._load(s, theory_id, lock=True)
            record.deleted_at = self._now()
            return self._view(s, record)

    def restore(self, theory_id: int) -> Theory:
        with self._sessions.begin() as s:
            record = self._load(s, theory_id, live=False, lock=True)
            if record.deleted_at is None:
                raise InvalidStateError(f"“{record.title}” is not deleted.")
            record.deleted_at = None
            return self._view(s, record)

    # --- several theories at once: one transaction, all or nothing --------------------------

    def resolve_many(
        self, theory_ids: Iterable[int], status: object, note: str = "", on: date | None = None
    ) -> list[Theory]:
        """Resolve every one of ``theory_ids`` the same way with one note; resolved ones too
        (voiding a selection that holds a busted theory makes it void, and the busted
        resolution joins its earlier resolutions)."""
        value, note, day = self._clean_resolution(status, note, on)
        now = self._now()
        with self._sessions.begin() as s:
            records = self._load_many(s, theory_ids, lock=True)
            for r in records:
                _keep_resolution(r, now)
                _settle(r, value, None)
                r.status, r.resolution_note, r.resolved_on, r.resolved_at = value, note, day, now
                r.updated_at = now
            self._void_dependants(s, records, day)
            return self._views(s, records)

    def reopen_many(self, theory_ids: Iterable[int]) -> list[Theory]:
        """Open every one of ``theory_ids`` again; refused if one of them is open."""
        now = self._now()
        with self._sessions.begin() as s:
            records = self._load_many(s, theory_ids, lock=True)
            for r in records:
                _reopen(r, now)
                r.updated_at = now
            return self._views(s, records)

    def delete_many(self, theory_ids: Iterable[int]) -> list[Theory]:
        """Move every one of ``theory_ids`` to the bin."""
        now = self._now()
        with self._sessions.begin() as s:
            records = self._load_many(s, theory_ids, lock=True)
            for r in records:
                r.deleted_at = now
            return self._views(s, records)

    def restore_many(self, theory_ids: Iterable[int]) -> list[Theory]:
        """Bring every one of ``theory_ids`` back from the bin."""
        with self._sessions.begin() as s:
            records = self._load_many(s, theory_ids, live=False, lock=True)
            for r in records:
                if r.deleted_at is None:
                    raise InvalidStateError(f"“{r.title}” is not deleted.")
                r.deleted_at = None
            return self._views(s, records)

    def add_tag_many(self, theory_ids: Iterable[int], tag: str) -> list[Theory]:
        """Tag every one of ``theory_ids``; those that already carry the tag are left untouched."""
        name = rules.normalise_tag(tag)
        now = self._now()
        with self._sessions.begin() as s:
            records = self._load_many(s, theory_ids, lock=True)
            (record_tag,) = _tags(s, [name])
            for r in records:
                if all(t.name != name for t in r.tags):
                    r.tags.append(record_tag)
                    search_columns.refresh(r)
                    r.updated_at = now
            return self._views(s, records)

    # --- undo: a theory as it stood, and putting it back -----------------------------------

    def snapshot(self, theory_ids: Iterable[int]) -> list[TheorySnapshot]:
        """Each theory as it stands now, deleted ones too, for :meth:`put_back`."""
        with self._sessions() as s:
            records = self._load_many(s, theory_ids, live=False)
            return [
                TheorySnapshot(
                    theory=theory,
                    evidence_rows=tuple((e.id, e.created_at) for e in r.evidence),
                    history_ids=tuple(h.id for h in r.history),
                    option_ids=tuple(o.id for o in r.options),
                )
                for r, theory in zip(records, self._views(s, records), strict=True)
            ]

    def put_back(self, snapshots: Sequence[TheorySnapshot]) -> list[Theory]:
        """Return each theory to exactly how it stood in its snapshot, in one transaction.

        Every field, tag, character, piece of evidence and confidence point comes back, rows
        under their own ids where those are free; points and links added since are removed,
        and tags nothing carries any more go with them. Undo and redo both go through here.
        """
        with self._sessions.begin() as s:
            records = self._load_many(s, [snap.id for snap in snapshots], live=False, lock=True)
            dropped: set[str] = set()
            for record, snap in zip(records, snapshots, strict=True):
                dropped |= {t.name for t in record.tags} - set(snap.theory.tags)
                self._put_back(s, record, snap)
            s.flush()
            if dropped:
                _drop_unused_tags(s, dropped)
            return self._views(s, records)

    def _put_back(self, s: Session, record: TheoryRecord, snap: TheorySnapshot) -> None:
        was = snap.theory
        for name in _RESTORED:
            setattr(record, name, getattr(was, name))
        # Only what differs is looked up again: undoing a bulk change touches many theories.
        if {c.id for c in record.characters} != set(was.character_ids):
            record.characters = load_characters(s, was.character_ids)
        if {t.name for t in record.tags} != set(was.tags):
            record.tags = _tags(s, list(was.tags))
        search_columns.refresh(record)
        self._put_back_options(s, record, snap)
        # Rows that go are deleted first, so a link to the same fact can come back.
        wanted_evidence = {row_id for row_id, _ in snap.evidence_rows}
        wanted_history = set(snap.history_ids)
        evidence_kept = [e for e in record.evidence if e.id in wanted_evidence]
        history_kept = [h for h in record.history if h.id in wanted_history]
        if len(evidence_kept) < len(record.evidence) or len(history_kept) < len(record.history):
            record.evidence, record.history = evidence_kept, history_kept
            s.flush()
        evidence = {e.id: e for e in record.evidence}
        kept_evidence = []
        for item, (row_id, linked_at) in zip(was.evidence, snap.evidence_rows, strict=True):
            e = evidence.get(row_id) or EvidenceRecord(
                id=_free_id(s, EvidenceRecord, row_id), fact=load_fact(s, item.fact_id), created_at=linked_at
            )
            e.stance, e.note = item.stance, item.note
            kept_evidence.append(e)
        record.evidence = kept_evidence
        history = {h.id: h for h in record.history}
        options = {o.name: o for o in record.options}
        record.history = [
            history.get(row_id)
            or ForecastRecord(
                id=_free_id(s, ForecastRecord, row_id),
                confidence=point.confidence,
                changed_at=point.changed_at,
                note=point.note,
                option=options[point.option] if point.option is not None else None,
            )
            for point, row_id in zip(was.history, snap.history_ids, strict=True)
        ]
        wanted_condition = was.condition.id if was.condition is not None else None
        current_condition = record.condition_link.condition_id if record.condition_link is not None else None
        if wanted_condition != current_condition:
            record.condition_link = None
            s.flush()
            if wanted_condition is not None:
                record.condition_link = ConditionRecord(condition_id=wanted_condition)
        if [mapping.earlier_resolution(e) for e in record.earlier_resolutions] != list(
            was.earlier_resolutions
        ):
            record.earlier_resolutions = [_resolution_record(e) for e in was.earlier_resolutions]

    @staticmethod
    def _put_back_options(s: Session, record: TheoryRecord, snap: TheorySnapshot) -> None:
        """The options as the snapshot holds them, under their own ids where those are free;
        an option added since goes (its forecasts with it)."""
        wanted = dict(zip(snap.option_ids, snap.theory.options, strict=True))
        kept = [o for o in record.options if o.id in wanted]
        if len(kept) < len(record.options):
            _drop_options(record, kept)
            s.flush()
        existing = {o.id: o for o in record.options}
        options = []
        for position, (row_id, was) in enumerate(wanted.items()):
            option = existing.get(row_id) or OptionRecord(id=_free_id(s, OptionRecord, row_id))
            option.name, option.position, option.happened = was.name, position, was.happened
            options.append(option)
        record.options = options
        s.flush()

    # --- starter pack ----------------------------------------------------------------------

    def starters(self) -> list[StarterTheory]:
        with self._sessions() as s:
            adopted = self._adopted_keys(s)
            records = s.scalars(select(StarterRecord).order_by(StarterRecord.position, StarterRecord.id))
            return [mapping.starter(r, r.key in adopted) for r in records]

    def adopt_starters(self, keys: Sequence[str], confidence: int = 50) -> list[Theory]:
        """Add the chosen starter theories as the user's own, all at once.

        A starter already adopted (and not deleted) is not added twice; its theory is returned.
        """
        value = rules.clean_confidence(confidence)
        now = self._now()
        with self._sessions.begin() as s:
            chosen = {
                r.key: r for r in s.scalars(select(StarterRecord).where(StarterRecord.key.in_(list(keys))))
            }
            existing = {
                t.starter_key: t
                for t in s.scalars(
                    select(TheoryRecord).where(
                        TheoryRecord.starter_key.in_(list(keys)), TheoryRecord.deleted_at.is_(None)
                    )
                )
            }
            characters = {c.key: c for c in s.scalars(select(CharacterRecord))}
            out: list[TheoryRecord] = []
            for key in dict.fromkeys(keys):
                if key not in chosen:
                    raise StarterNotFoundError(key)
                if key in existing:
                    out.append(existing[key])
                    continue
                starter = chosen[key]
                record = TheoryRecord(
                    uid=str(uuid.uuid4()),
                    status=TheoryStatus.OPEN,
                    created_at=now,
                    resolution_note="",
                    starter_key=key,
                )
                draft = TheoryDraft(
                    title=starter.title,
                    body=starter.body,
                    category=starter.category,
                    tags=tuple(starter.tags),
                    confidence=value,
                )
                self._apply(s, record, rules.clean_draft(draft), now, note="Adopted from the starter pack")
                record.characters = [characters[k] for k in starter.character_keys if k in characters]
                search_columns.refresh(record)
                s.add(record)
                out.append(record)
            s.flush()
            return self._views(s, out)

    # --- helpers ---------------------------------------------------------------------------

    def _load(self, s: Session, theory_id: int, *, live: bool = True, lock: bool = False) -> TheoryRecord:
        """The theory with everything about it. ``lock``: for a change, its row is locked first
        (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction already lets one writer in)
        so what is read about it, its tags and characters above all, stays true until the
        change is committed.

        A club member who is not its owner may lock (and so change) only their own theories:
        another's is refused with :class:`NotYoursError` before the row is asked for."""
        if lock:
            self._check_mine(s, [theory_id])
        record = s.get(
            TheoryRecord,
            theory_id,
            options=list(_LOAD_ALL),
            with_for_update=True if lock else None,
            populate_existing=lock,
        )
        if record is None:
            raise TheoryNotFoundError(theory_id)
        if live and record.deleted_at is not None:
            raise InvalidStateError(f"“{record.title}” is in the bin; restore it first.")
        return record

    def _load_many(
        self, s: Session, theory_ids: Iterable[int], *, live: bool = True, lock: bool = False
    ) -> list[TheoryRecord]:
        """The theories of ``theory_ids`` in that order (each once), everything about them loaded.
        ``lock``: their rows are locked first, as :meth:`_load` does, in the order of their ids
        (two changes of many theories at once then never wait for each other crosswise)."""
        ids = list(dict.fromkeys(theory_ids))
        if lock:
            self._check_mine(s, ids)
        found: dict[int, TheoryRecord] = {}
        ordered = sorted(ids) if lock else ids
        for start in range(0, len(ordered), CHUNK):
            stmt = (
                select(TheoryRecord)
                .where(TheoryRecord.id.in_(ordered[start : start + CHUNK]))
                .options(*_LOAD_ALL)
            )
            if lock:
                stmt = (
                    stmt.order_by(TheoryRecord.id)
                    .with_for_update(of=TheoryRecord)
                    .execution_options(populate_existing=True)
                )
            found.update((r.id, r) for r in s.scalars(stmt))
        for ident in ids:
            record = found.get(ident)
            if record is None:
                raise TheoryNotFoundError(ident)
            if live and record.deleted_at is not None:
                raise InvalidStateError(f"“{record.title}” is in the bin; restore it first.")
        return [found[i] for i in ids]

    # --- a club ----------------------------------------------------------------------------

    def _author(self) -> int | None:
        """The author of a new theory: this member in a club (who must have a name by now)."""
        who = self._who.identity
        if who.club and who.member is None:
            raise ClubError("Choose your display name in this club before you write a theory.")
        return who.member_id

    def _forecast_record(self, **values: object) -> ForecastRecord:
        """A forecast by this member (in a journal of one, nobody's: the owner's)."""
        if self._who.identity.club:
            values["forecaster_id"] = self._who.identity.member_id
        return ForecastRecord(**values)

    def _is_mine(self, theory_id: int) -> bool:
        with self._sessions() as s:
            author = s.scalar(select(TheoryRecord.author_id).where(TheoryRecord.id == theory_id))
        return author == self._who.identity.member_id

    def _check_mine(self, s: Session, theory_ids: Sequence[int]) -> None:
        """Refuse, for a member who is not the owner, a change to another member's theory."""
        if not self._who.restricted:
            return
        me = self._who.identity.member_id
        others = true() if me is None else or_(TheoryRecord.author_id != me, TheoryRecord.author_id.is_(None))
        for start in range(0, len(theory_ids), CHUNK):
            rows = s.execute(
                select(TheoryRecord.title, ForecasterRecord.name)
                .outerjoin(ForecasterRecord, ForecasterRecord.id == TheoryRecord.author_id)
                .where(TheoryRecord.id.in_(theory_ids[start : start + CHUNK]), others)
                .order_by(TheoryRecord.id)
                .limit(1)
            ).first()
            if rows is not None:
                whose = f"{rows.name}'s" if rows.name else "not yours"
                raise NotYoursError(
                    f"“{rows.title}” is {whose}: only its author or the club's owner can change it. "
                    "You can add your own forecast to it."
                )

    @staticmethod
    def _check_open(record: TheoryRecord, action: str) -> None:
        if record.status is not TheoryStatus.OPEN:
            raise InvalidStateError(
                f"“{record.title}” is resolved as {record.status.value}; reopen it to {action}."
            )

    def _change(self, theory_id: int, change) -> Theory:  # change: (Session, TheoryRecord) -> None
        with self._stale_refused(theory_id), self._sessions.begin() as s:
            record = self._load(s, theory_id, lock=True)
            change(s, record)
            record.updated_at = self._now()
            return self._view(s, record)

    @contextmanager
    def _stale_refused(self, theory_id: int) -> Iterator[None]:
        """Turn the ORM's finding that a theory row changed under a change (its UPDATE matched
        no row of the version read) into :class:`StaleEditError`; nothing was written."""
        try:
            yield
        except StaleDataError:
            raise StaleEditError(self.get(theory_id)) from None

    def _apply(self, s: Session, record: TheoryRecord, clean: TheoryDraft, now, *, note: str = "") -> None:
        """Write a checked draft's fields; a new confidence (or option confidence) is a new
        forecast, with ``note``.

        The look-ups on the way (characters, tags, facts) do not flush what is already set: the
        theory's row is written once, so a save counts as one change in its version."""
        with s.no_autoflush:
            self._set_forecasts(record, clean, now, note)
            self._set_condition(s, record, clean.condition_id)
            record.title = clean.title
            record.body = clean.body
            record.category = clean.category
            record.juiciness = clean.juiciness
            record.resolve_by = clean.resolve_by
            record.characters = load_characters(s, clean.character_ids)
            record.tags = _tags(s, list(clean.tags))
            record.updated_at = now
            search_columns.refresh(record)
            if clean.evidence is not None:
                self._set_evidence(s, record, clean.evidence, now)

    def _set_forecasts(self, record: TheoryRecord, clean: TheoryDraft, now, note: str) -> None:
        """Bring the theory's options and confidences to the draft's: a yes/no theory gets a
        forecast when its confidence changes, a multiple-choice one for each option whose
        confidence changes (all of them when it is new). Options keep their forecasts while
        they keep their name; an option taken out goes with its forecasts."""
        is_new = record.id is None
        # The theory's own forecasts are its author's: this member's, past the check below.
        own = mapping.own_history(record)
        current = next((h.confidence for h in reversed(own) if h.option_id is None), None)
        latest = {h.option_id: h.confidence for h in own if h.option_id is not None}
        who = self._who.identity
        if not is_new and who.club and record.author_id != who.member_id:
            # The owner editing a member's theory: its confidences are its author's.
            same = (
                clean.confidence == (record.confidence if current is None else current)
                if not clean.options
                else [o.name for o in clean.options] == [o.name for o in record.options]
                and all(
                    latest.get(o.id) == c.confidence
                    for o, c in zip(record.options, clean.options, strict=True)
                )
            )
            if not same:
                raise InvalidStateError(
                    f"The confidences of “{record.title}” are its author's; add your own with Forecast…"
                )
            return
        if not clean.options:
            if record.options:
                self._check_open(record, "change its options")
                _drop_options(record, [])
            if is_new or clean.confidence != current:
                if not is_new:
                    self._check_open(record, "change its confidence")
                record.history.append(
                    self._forecast_record(confidence=clean.confidence, changed_at=now, note=note)
                )
            record.confidence = clean.confidence
            return
        by_name = {o.name.casefold(): o for o in record.options}
        wanted = [(by_name.get(o.name.casefold()), o) for o in clean.options]
        changed = any(existing is None or latest.get(existing.id) != o.confidence for existing, o in wanted)
        renamed = [o.name for o in record.options] != [o.name for o in clean.options]
        if (renamed or changed) and not is_new:
            self._check_open(record, "change its options")
        if not record.options and not is_new:
            # A yes/no theory becomes multiple choice: its yes/no forecasts no longer fit it.
            record.history = [h for h in record.history if h.option is not None]
        _drop_options(record, [existing for existing, _o in wanted if existing is not None])
        options = []
        for position, (existing, o) in enumerate(wanted):
            option = existing or OptionRecord(name=o.name, happened=False)
            option.name, option.position = o.name, position
            options.append(option)
        record.options = options
        for option, (existing, o) in zip(options, wanted, strict=True):
            if existing is None or latest.get(existing.id) != o.confidence:
                record.history.append(
                    self._forecast_record(option=option, confidence=o.confidence, changed_at=now, note=note)
                )
        record.confidence = max(o.confidence for o in clean.options)

    def _set_condition(self, s: Session, record: TheoryRecord, condition_id: int | None) -> None:
        """Make the theory depend on ``condition_id`` (or on nothing); refuses itself and loops."""
        current = record.condition_link.condition_id if record.condition_link is not None else None
        if condition_id == current:
            return
        if condition_id is None:
            record.condition_link = None
            return
        condition = s.get(TheoryRecord, condition_id)
        if condition is None:
            raise TheoryNotFoundError(condition_id)
        if condition.deleted_at is not None:
            raise InvalidStateError(f"“{condition.title}” is in the bin: it cannot be a condition.")
        seen = {record.id} if record.id is not None else set()
        step: TheoryRecord | None = condition
        while step is not None:
            if step.id in seen:
                raise InvalidStateError(
                    f"“{condition.title}” already depends on “{record.title or 'this theory'}”: "
                    "a theory cannot be a condition of its own condition."
                )
            seen.add(step.id)
            link = step.condition_link
            step = link.condition if link is not None else None
        if record.condition_link is None:
            record.condition_link = ConditionRecord(condition=condition)
        else:
            record.condition_link.condition = condition

    @staticmethod
    def _set_evidence(s: Session, record: TheoryRecord, wanted: tuple[EvidenceDraft, ...], now) -> None:
        current = {e.fact_id: e for e in record.evidence}
        kept = []
        for item in wanted:
            existing = current.get(item.fact_id)
            if existing is None:
                fact = load_fact(s, item.fact_id)
                kept.append(EvidenceRecord(fact=fact, stance=item.stance, note=item.note, created_at=now))
            else:
                existing.stance, existing.note = item.stance, item.note
                kept.append(existing)
        record.evidence = kept

    @staticmethod
    def _adopted_keys(s: Session) -> set[str]:
        stmt = select(TheoryRecord.starter_key).where(
            TheoryRecord.starter_key.is_not(None), TheoryRecord.deleted_at.is_(None)
        )
        return set(s.scalars(stmt))

    @staticmethod
    def _view(s: Session, record: TheoryRecord) -> Theory:
        return TheoryService._views(s, [record])[0]

    @staticmethod
    def _views(s: Session, records: Sequence[TheoryRecord]) -> list[Theory]:
        """The theories as records of their own, with one look at the badges of all the facts
        they cite (not two queries a theory: resolving a hundred theories at once read 600)
        and, in a club, one at their authors' names."""
        s.flush()
        shown = shown_statuses(s, [e.fact_id for r in records for e in r.evidence])
        views = [mapping.theory(r, shown) for r in records]
        authors = sorted({r.author_id for r in records if r.author_id is not None})
        if not authors:
            return views
        names = dict(
            s.execute(
                select(ForecasterRecord.id, ForecasterRecord.name).where(ForecasterRecord.id.in_(authors))
            ).all()
        )
        return [
            replace(v, author_id=r.author_id, author=names.get(r.author_id)) if r.author_id is not None else v
            for v, r in zip(views, records, strict=True)
        ]

    # --- rating several theories at once ----------------------------------------------------

    def rate_many(
        self,
        ratings: Iterable[tuple[int, int, int | None]],
        *,
        expected_versions: Mapping[int, int] | None = None,
    ) -> list[Theory]:
        """Set the confidence and juiciness of several theories in one transaction, each given as
        ``(theory id, confidence, juiciness or None)``; a theory given twice takes the last.

        A new confidence joins the theory's history, as :meth:`set_confidence` adds it. It is
        refused for a resolved theory and for a multiple-choice one (whose options carry the
        confidences); their juiciness can still change. All or nothing.

        ``expected_versions`` gives, by theory id, the version of the copy each rating was made
        from: when someone else has changed one of those theories since, nothing is written and
        :class:`StaleEditError` says so, with that theory as it stands now.
        """
        wanted: dict[int, tuple[int, int | None]] = {}
        for theory_id, confidence, juiciness in ratings:
            wanted[theory_id] = (rules.clean_confidence(confidence), rules.clean_rating(juiciness))
        now = self._now()
        expected = dict(expected_versions or {})
        with self._sessions.begin() as s:
            records = self._load_many(s, wanted, lock=True)
            for r in records:
                if r.id in expected and r.version != expected[r.id]:
                    raise StaleEditError(self._view(s, r))
            for r in records:
                confidence, juiciness = wanted[r.id]
                changed = False
                if confidence != r.confidence:
                    self._check_open(r, "change its confidence")
                    if r.options:
                        raise InvalidStateError(
                            f"“{r.title}” is multiple choice: give its options their confidences "
                            "in the editor."
                        )
                    r.confidence = confidence
                    r.history.append(self._forecast_record(confidence=confidence, changed_at=now, note=""))
                    changed = True
                if juiciness != r.juiciness:
                    r.juiciness = juiciness
                    changed = True
                if changed:
                    r.updated_at = now
            return self._views(s, records)


def _option_confidences(record: TheoryRecord, options: Mapping[str, object] | None) -> dict[int, int]:
    """A confidence for every option of ``record`` (by id) from ``options`` (by name)."""
    given = {name.casefold(): value for name, value in (options or {}).items()}
    names = {o.name.casefold() for o in record.options}
    unknown = [name for name in (options or {}) if name.casefold() not in names]
    if unknown:
        raise InvalidStateError(f"“{record.title}” has no option called “{unknown[0]}”.")
    missing = [o.name for o in record.options if o.name.casefold() not in given]
    if missing:
        raise InvalidStateError(
            f"Give every option of “{record.title}” a confidence (“{missing[0]}” has none)."
        )
    # Checked as the editor checks a multiple-choice draft: 1–98 % each, 100 % together.
    rules.clean_options([OptionDraft(o.name, given[o.name.casefold()]) for o in record.options])  # type: ignore[arg-type]
    return {o.id: rules.clean_confidence(given[o.name.casefold()]) for o in record.options}


def _tags(s: Session, names: list[str]) -> list[TagRecord]:
    """The tag records for ``names`` (already normalised), created where new, in the given order
    (see :func:`~etoile_app.services.base.ensure_tags`: safe when another member creates the
    same tag at the same time)."""
    if not names:
        return []
    ids, _created = ensure_tags(s, names)
    found = {t.name: t for t in s.scalars(select(TagRecord).where(TagRecord.id.in_(list(ids.values()))))}
    return [found[name] for name in names]


def _drop_unused_tags(s: Session, names: Iterable[str]) -> None:
    """Delete the tags called ``names`` that no theory carries any more. On PostgreSQL the tags
    are locked first and their use looked at after: a member linking one of them at this moment
    either keeps it (the link is seen) or, waiting for the lock, finds it gone and makes it again."""
    candidates = select(TagRecord.id).where(TagRecord.name.in_(sorted(names))).order_by(TagRecord.name)
    if s.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update()
    ids = list(s.scalars(candidates))
    if ids:
        unused = ~exists().where(theory_tags.c.tag_id == TagRecord.id)
        s.execute(delete(TagRecord).where(TagRecord.id.in_(ids), unused))


def _drop_options(record: TheoryRecord, kept: Sequence[OptionRecord]) -> None:
    """Keep only the options ``kept``; the others go with their forecasts (taken out of the
    history here, so the session deletes them itself rather than find them gone)."""
    gone = [o for o in record.options if o not in kept]
    if gone:
        record.history = [h for h in record.history if h.option is None or h.option not in gone]
        record.options = [o for o in record.options if o in kept]


def _free_id(s: Session, model: type, row_id: int) -> int | None:
    """``row_id`` when no row of ``model`` holds it, else ``None`` (the database picks one)."""
    return row_id if s.get(model, row_id) is None else None


def _keep_resolution(record: TheoryRecord, ended_at: datetime) -> None:
    """Add a resolved theory's resolution to its earlier ones, before it is replaced."""
    if record.status.is_resolved and record.resolved_on is not None and record.resolved_at is not None:
        record.earlier_resolutions.append(
            ResolutionRecord(
                status=record.status,
                resolved_on=record.resolved_on,
                resolved_at=record.resolved_at,
                note=record.resolution_note,
                reopened_at=ended_at,
                option=next((o.name for o in record.options if o.happened), None),
            )
        )
    for option in record.options:
        option.happened = False


def _settle(record: TheoryRecord, status: TheoryStatus, option: str | None) -> None:
    """Mark what happened on a multiple-choice theory confirmed with ``option``; refuse what
    does not fit its kind (busted multiple choice, an option for a yes/no theory)."""
    if not record.options:
        if option is not None:
            raise InvalidStateError(f"“{record.title}” is a yes/no theory: it has no options to choose from.")
        return
    if status is TheoryStatus.BUSTED:
        raise InvalidStateError(
            f"“{record.title}” is settled by the option that happened, or void: it cannot be busted."
        )
    if status is TheoryStatus.CONFIRMED:
        if option is None:
            raise InvalidStateError(f"Say which option of “{record.title}” happened.")
        chosen = next((o for o in record.options if o.name.casefold() == option.casefold()), None)
        if chosen is None:
            raise InvalidStateError(f"“{record.title}” has no option called “{option}”.")
        for o in record.options:
            o.happened = o is chosen


def _reopen(record: TheoryRecord, now: datetime) -> None:
    if record.status is TheoryStatus.OPEN:
        raise InvalidStateError(f"“{record.title}” is already open.")
    _keep_resolution(record, now)
    record.status, record.resolution_note = TheoryStatus.OPEN, ""
    record.resolved_on = record.resolved_at = None


def _resolution_record(e: EarlierResolution) -> ResolutionRecord:
    return ResolutionRecord(**asdict(e))
