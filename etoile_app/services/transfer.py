"""Import and export: the journal to and from JSON, Fatebook-style CSV and Markdown.

The formats live in :mod:`etoile_app.domain.transfer`; this module reads the database into
them and writes them back. An import checks the whole file first, then (if anything would
change) calls ``before_write`` so the caller can back the database up, then writes everything in
one transaction: a bad file changes nothing. Theories are read and written with Core statements
in bulk, so that a large import costs a few statements per table rather than one per row.

In a club the file names who wrote and forecast what, by member key (their login). The owner's
import brings everything in, adding members the club lacks; a member's brings in only their own
part (:func:`~etoile_app.domain.transfer.own_part`), and a journal of one takes one member's part
(:func:`~etoile_app.domain.transfer.solo_part`).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from etoile_app import __version__
from etoile_app.domain.club import Identity, MemberRole
from etoile_app.domain.enums import Category, FactOrigin, TheoryStatus
from etoile_app.domain.errors import ClubError
from etoile_app.domain.models import EarlierResolution, Forecast
from etoile_app.domain.transfer import (
    MAX_IMPORT_BYTES,
    OPTIONS_VERSION,
    Catalogue,
    CsvFile,
    CsvQuestion,
    DreamCastEntry,
    EvidenceEntry,
    ExportFileError,
    ExportReport,
    ForecastEntry,
    ImportFileError,
    ImportReport,
    JournalFile,
    KnownFact,
    MemberEntry,
    OptionEntry,
    Part,
    TheoryEntry,
    UserFactEntry,
    choose_member,
    dump_json,
    format_csv,
    format_markdown,
    guess_format,
    own_part,
    parse_csv,
    parse_json,
    solo_part,
)
from etoile_app.services.base import Progress, Service, no_progress
from etoile_app.storage import club, mapping, search_columns, sort_keys
from etoile_app.storage.models import (
    CanonPackRecord,
    CharacterRecord,
    ConditionRecord,
    DreamCastRecord,
    EvidenceRecord,
    FactRecord,
    ForecasterRecord,
    ForecastRecord,
    OptionRecord,
    ResolutionRecord,
    TagRecord,
    TheoryRecord,
    theory_characters,
    theory_tags,
)

EXPORT_FORMATS = ("json", "csv", "md")
IMPORT_FORMATS = ("json", "csv")
_CHUNK = 500  # ids per IN (…): well under every database's limit on bound parameters
#: Theories an import writes between two reports of its progress.
WRITE_BATCH = 1000


T = TheoryRecord
H = ForecastRecord
E = EvidenceRecord
R = ResolutionRecord
P = OptionRecord
C = ConditionRecord


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _rows(s: Session, stmt: Select[Any], column: Any, ids: Sequence[int] | None) -> Iterator[Any]:
    """``stmt``'s rows, all of them or only where ``column`` is one of ``ids``."""
    if ids is None:
        yield from s.execute(stmt)
        return
    for chunk in _chunks(ids):
        yield from s.execute(stmt.where(column.in_(chunk)))


def member_keys(s: Session) -> dict[int, str]:
    """Each member's key in files, by id: their login (a member without one, which a club does
    not make, by id)."""
    rows = s.execute(select(ForecasterRecord.id, ForecasterRecord.login))
    return {r.id: r.login or f"member-{r.id}" for r in rows}


def read_theories(s: Session, ids: Sequence[int] | None = None) -> dict[int, TheoryEntry]:
    """Theories (all, or those with ``ids``) as file entries, by database id."""
    keys = member_keys(s)
    history: dict[int, list[Forecast]] = defaultdict(list)
    stmt = (
        select(H.theory_id, H.confidence, H.changed_at, H.note, P.name, H.forecaster_id)
        .outerjoin(P, P.id == H.option_id)
        .order_by(H.theory_id, H.changed_at, H.id)
    )
    for r in _rows(s, stmt, H.theory_id, ids):
        by = keys.get(r.forecaster_id) if r.forecaster_id is not None else None
        history[r.theory_id].append(ForecastEntry(r.confidence, r.changed_at, r.note, r.name, by))
    options: dict[int, list[OptionEntry]] = defaultdict(list)
    stmt = select(P.theory_id, P.name, P.happened).order_by(P.theory_id, P.position, P.id)
    for r in _rows(s, stmt, P.theory_id, ids):
        options[r.theory_id].append(OptionEntry(r.name, r.happened))
    condition = aliased(TheoryRecord)
    stmt = select(C.theory_id, condition.uid).join(condition, condition.id == C.condition_id)
    conditions: dict[int, str] = {r.theory_id: r.uid for r in _rows(s, stmt, C.theory_id, ids)}
    earlier: dict[int, list[EarlierResolution]] = defaultdict(list)
    stmt = select(
        R.theory_id, R.status, R.resolved_on, R.resolved_at, R.note, R.reopened_at, R.option
    ).order_by(R.theory_id, R.resolved_at, R.id)
    for r in _rows(s, stmt, R.theory_id, ids):
        earlier[r.theory_id].append(mapping.earlier_resolution(r))
    tags: dict[int, list[str]] = defaultdict(list)
    stmt = select(theory_tags.c.theory_id, TagRecord.name).join(
        TagRecord, TagRecord.id == theory_tags.c.tag_id
    )
    for r in _rows(s, stmt, theory_tags.c.theory_id, ids):
        tags[r.theory_id].append(r.name)
    characters: dict[int, list[str]] = defaultdict(list)
    stmt = select(theory_characters.c.theory_id, CharacterRecord.key).join(
        CharacterRecord, CharacterRecord.id == theory_characters.c.character_id
    )
    for r in _rows(s, stmt, theory_characters.c.theory_id, ids):
        characters[r.theory_id].append(r.key)
    evidence: dict[int, list[EvidenceEntry]] = defaultdict(list)
    stmt = (
        select(E.theory_id, FactRecord.key, E.stance, E.note, E.created_at)
        .join(FactRecord, FactRecord.id == E.fact_id)
        .order_by(E.theory_id, E.id)
    )
    for r in _rows(s, stmt, E.theory_id, ids):
        evidence[r.theory_id].append(EvidenceEntry(r.key, r.stance, r.note, r.created_at))

    out: dict[int, TheoryEntry] = {}
    table = T.__table__
    for t in _rows(s, select(table), table.c.id, ids):
        out[t.id] = TheoryEntry(
            **mapping.theory_columns(t),
            tags=tuple(sorted(tags[t.id])),
            characters=tuple(sorted(characters[t.id])),
            evidence=tuple(evidence[t.id]),
            history=tuple(history[t.id]),
            earlier_resolutions=tuple(earlier[t.id]),
            options=tuple(options[t.id]),
            condition=conditions.get(t.id),
            author=keys.get(t.author_id) if t.author_id is not None else None,
        )
    return out


def superseded_keys(s: Session) -> dict[int, str]:
    """For each fact that supersedes another, the key of the one it supersedes (news overtakes
    at most one; of a pack fact that overtakes several, the first by key)."""
    rows = s.execute(
        select(FactRecord.superseded_by_id, FactRecord.key)
        .where(FactRecord.superseded_by_id.is_not(None))
        .order_by(FactRecord.key.desc())
    ).all()
    return dict(rows)


def _fact_entry(record: FactRecord, supersedes: dict[int, str]) -> UserFactEntry:
    return UserFactEntry(
        key=record.key,
        topic=record.topic,
        statement=record.statement,
        status=record.status,
        source=record.source,
        as_of=record.as_of,
        supersedes=supersedes.get(record.id),
        characters=tuple(sorted(c.key for c in record.characters)),
        created_at=record.created_at,
        headline=record.headline,
        source_title=record.source_title,
        source_url=record.source_url,
        retracted_at=record.retracted_at,
    )


def _dream_entry(record: DreamCastRecord, keys: dict[int, str]) -> DreamCastEntry:
    return DreamCastEntry(
        role_idea=record.role_idea,
        actor=record.actor,
        note=record.note,
        rating=record.rating,
        character=record.character.key if record.character is not None else None,
        created_at=record.created_at,
        updated_at=record.updated_at,
        author=keys.get(record.author_id) if record.author_id is not None else None,
    )


def _new_points(old: Iterable[Forecast], new: Iterable[Forecast]) -> int:
    """How many entries of ``new`` are not in ``old`` (counting repeats); an option's forecast
    is the same under other capitals, as the option is."""

    def key(p: Forecast) -> tuple[object, ...]:
        option = p.option.casefold() if p.option is not None else None
        return (p.confidence, p.changed_at, p.note, option, getattr(p, "by", None))

    return sum((Counter(map(key, new)) - Counter(map(key, old))).values())


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a complete file or nothing: a temporary file beside it, synced, then renamed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_import_file(path: Path) -> bytes:
    """The bytes of ``path``, refusing a file over :data:`MAX_IMPORT_BYTES` before reading it."""
    limit = f"an import may be at most {MAX_IMPORT_BYTES:,} bytes ({MAX_IMPORT_BYTES // 1_000_000} MB)"
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path.name} is {size:,} bytes; {limit}.")
        with path.open("rb") as source:
            raw = source.read(MAX_IMPORT_BYTES + 1)  # a file may grow, or be a device
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{path.name} is larger than {MAX_IMPORT_BYTES:,} bytes; {limit}.")
    return raw


@dataclass
class _Plan:
    """What an import will write, worked out before anything is written."""

    create: list[TheoryEntry] = field(default_factory=list)
    update: list[tuple[int, TheoryEntry]] = field(default_factory=list)
    facts: list[tuple[FactRecord | None, UserFactEntry]] = field(default_factory=list)
    dreams: list[tuple[DreamCastRecord | None, DreamCastEntry]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    #: Members the club does not have yet (the owner's import adds them).
    members: list[MemberEntry] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(self.create or self.update or self.facts or self.dreams or self.members)


@dataclass
class _Who:
    """Whose rows an import writes: in a club (``club``), member ids by key, the importer's id
    (for what names nobody), and for a member who is not the owner (``restricted``) their own
    key; in a journal of one, nobody (``named`` only for a restore of a club's backup, which
    brings every member back)."""

    ids: dict[str, int] = field(default_factory=dict)
    me: int | None = None
    key: str | None = None
    restricted: bool = False
    club: bool = False
    named: bool = False
    #: The file speaks for the importer alone (a member's import, or a file without members,
    #: which is one person's): only their forecasts and dream casting are touched, and another
    #: member's theory keeps its author and confidence.
    mine_only: bool = False

    def id_of(self, key: str | None) -> int | None:
        return self.me if key is None else self.ids[key]


def _only(theory: TheoryEntry, key: str | None) -> TheoryEntry:
    """``theory`` with only the forecasts of the member ``key``."""
    return replace(theory, history=tuple(h for h in theory.history if getattr(h, "by", None) == key))


class TransferService(Service):
    # --- export ----------------------------------------------------------------------------

    def snapshot(self, *, exported_at: datetime | None = None) -> tuple[JournalFile, dict[str, str]]:
        """Everything the JSON export holds, read in one transaction, and the characters' names."""
        with self._sessions() as s:
            names = dict(s.execute(select(CharacterRecord.key, CharacterRecord.name)).all())
            supersedes = superseded_keys(s)
            facts = s.scalars(
                select(FactRecord)
                .where(FactRecord.origin == FactOrigin.USER)
                .options(selectinload(FactRecord.characters))
            )
            user_facts = sorted(
                (_fact_entry(f, supersedes) for f in facts), key=lambda f: (f.created_at, f.key)
            )
            keys = member_keys(s)
            dreams = sorted(
                (_dream_entry(d, keys) for d in s.scalars(select(DreamCastRecord))),
                key=lambda d: (d.created_at, d.role_idea, d.actor, d.updated_at, d.note, d.rating or 0),
            )
            theories = sorted(read_theories(s).values(), key=lambda t: (t.created_at, t.uid))
            pack = s.scalar(select(func.max(CanonPackRecord.version)))
            rows = s.execute(select(ForecasterRecord.id, ForecasterRecord.name)).all()
            members = sorted((MemberEntry(keys[r.id], r.name) for r in rows), key=lambda m: m.key)
        data = JournalFile(
            members=tuple(members),
            theories=tuple(theories),
            dream_casting=tuple(dreams),
            user_facts=tuple(user_facts),
            app_version=__version__,
            exported_at=exported_at or self.now(),
            canon_pack_version=pack,
        )
        return data, names

    def export_json(self, *, exported_at: datetime | None = None) -> bytes:
        """The complete journal. ``exported_at`` defaults to now; it is the only part not from the data."""
        data, names = self.snapshot(exported_at=exported_at)
        return dump_json(data, names)

    def export_file(
        self,
        path: str | Path,
        fmt: str,
        *,
        exported_at: datetime | None = None,
        progress: Progress = no_progress,
    ) -> ExportReport:
        """Write an export to ``path`` (whole or not at all); binned theories go only into JSON.
        ``progress`` may stop it (by raising) until the file is written."""
        if fmt not in EXPORT_FORMATS:
            raise ExportFileError(
                f"{fmt!r} is not an export format; choose one of: {', '.join(EXPORT_FORMATS)}."
            )
        progress(0, 2, "Reading the journal")
        data, names = self.snapshot(exported_at=exported_at)
        progress(1, 2, f"Writing {Path(path).name}")
        if fmt == "json":
            payload, count = dump_json(data, names), len(data.theories)
        else:
            live = [t for t in data.theories if t.deleted_at is None]
            count = len(live)
            if fmt == "csv":
                payload = format_csv(live).encode("utf-8")
            else:
                day = (data.exported_at or self.now()).astimezone().date()
                payload = format_markdown(data.theories, names, day).encode("utf-8")
        target = Path(path)
        progress(1, 2, f"Writing {target.name}")
        try:
            _write_atomically(target, payload)
        except OSError as exc:
            raise ExportFileError(f"Cannot write {target}: {exc.strerror or exc}.") from None
        progress(2, 2, f"Wrote {target.name}")
        return ExportReport(fmt, count)

    # --- import ----------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        before_write: Callable[[], object] | None = None,
        forecaster: str | None = None,
        progress: Progress = no_progress,
    ) -> ImportReport:
        """Import a JSON export or a Fatebook-style CSV, all or nothing.

        ``fmt`` (``json`` or ``csv``) defaults to the file's suffix, else its first character.
        ``before_write`` is called once, after the whole file has been checked and only if the
        import will change something, before anything is written (the app backs up there).
        ``forecaster`` names the person whose forecasts to import from a file with forecasts by
        several people: in a CSV, without it the file's likeliest owner is taken, and the report
        says whom (``ImportReport.forecaster``, ``forecaster_guessed``); in a club's JSON
        imported into a journal of one, the member (by key or name) whose part to take, which
        may be left out only when the file has one member. ``progress`` is told how far it has
        got; if it raises :class:`CancelledError`, nothing is written.
        """
        source = Path(path)
        progress(0, 1, f"Reading {source.name}")
        raw = read_import_file(source)
        return self.import_bytes(
            raw,
            fmt or guess_format(source.name, raw[:64]),
            before_write=before_write,
            forecaster=forecaster,
            progress=progress,
        )

    def import_bytes(
        self,
        raw: bytes,
        fmt: str,
        *,
        before_write: Callable[[], object] | None = None,
        forecaster: str | None = None,
        progress: Progress = no_progress,
        whole: bool = False,
    ) -> ImportReport:
        """:meth:`import_file` for bytes. ``whole`` (a restore of a club's backup into a new
        database) brings a club's file into a journal that is not a club with every member, as
        the club's owner would, instead of one member's part."""
        if fmt not in IMPORT_FORMATS:
            raise ImportFileError(
                f"{fmt!r} is not an import format; choose one of: {', '.join(IMPORT_FORMATS)}."
            )
        if len(raw) > MAX_IMPORT_BYTES:
            raise ImportFileError(
                f"the file is larger than {MAX_IMPORT_BYTES:,} bytes, the most an import takes."
            )
        csv_counts: dict[str, Any] = {}
        with self._sessions.begin() as s:
            progress(0, 1, "Checking the file")
            who = self._who(s, whole=whole)
            if fmt == "json":
                catalogue = self._catalogue(s)
                data = parse_json(raw, catalogue)
                who.mine_only = who.club and (who.restricted or not data.members)
                part: Part | None = None
                if not who.named and data.members:
                    part = solo_part(data, choose_member(data.members, forecaster), catalogue)
                elif who.restricted:
                    part = own_part(data, self._me(s, who), catalogue)
                if part is not None:
                    data = part.data
                    csv_counts = {
                        "member": part.member.name if not who.club else "",
                        "theories_left_out": part.theories_left_out,
                        "forecasts_left_out": part.forecasts_left_out,
                        "dream_casting_left_out": part.dream_casting_left_out,
                        "news_left_out": part.news_left_out,
                        "evidence_left_out": part.evidence_left_out,
                    }
                plan = self._plan_json(s, data, who)
            else:
                table = parse_csv(raw, today=self.today(), forecaster=forecaster)
                who.mine_only = who.club
                plan = self._plan_csv(s, table, who)
                csv_counts = {
                    "forecasts_skipped": table.forecasts_skipped,
                    "questions_skipped": table.questions_skipped,
                    "forecaster": table.forecaster,
                    "forecaster_guessed": table.forecaster_guessed,
                    "titles_shortened": table.titles_shortened,
                }
            if plan.writes:
                if before_write is not None:
                    progress(0, 1, "Backing up the journal first")
                    before_write()
                _Writer(s, progress, who, self.now()).write(plan)
            c = plan.counts
            return ImportReport(
                format=fmt,
                theories_created=len(plan.create),
                theories_updated=len(plan.update),
                theories_unchanged=c["unchanged"],
                forecasts_added=c["forecasts"],
                tags_created=c["tags"],
                dream_casting_created=c["dreams_created"],
                dream_casting_updated=c["dreams_updated"],
                user_facts_created=c["facts_created"],
                user_facts_updated=c["facts_updated"],
                rows_skipped=c["skipped"],
                members_created=len(plan.members),
                # Of other members, in the file or (same uid) in the club.
                theories_left_out=csv_counts.pop("theories_left_out", 0) + c["not_mine"],
                **csv_counts,
            )

    def _who(self, s: Session, *, whole: bool = False) -> _Who:
        """Whose rows the import writes (see :class:`_Who`)."""
        identity: Identity = club.identity(s.connection())
        if not identity.club:
            keys = member_keys(s) if whole else {}
            return _Who(ids={key: ident for ident, key in keys.items()}, named=whole)
        if identity.role is MemberRole.VIEWER:
            raise ClubError("You are a viewer of this club: you may read its journal but not import into it.")
        if identity.member is None:
            raise ClubError("Choose your display name in this club before you import.")
        keys = member_keys(s)
        return _Who(
            ids={key: ident for ident, key in keys.items()},
            me=identity.member.id,
            key=keys[identity.member.id],
            restricted=identity.role is not MemberRole.OWNER,
            club=True,
            named=True,
        )

    @staticmethod
    def _me(s: Session, who: _Who) -> MemberEntry:
        name = s.scalar(select(ForecasterRecord.name).where(ForecasterRecord.id == who.me))
        return MemberEntry(who.key or "", name or "")

    def _catalogue(self, s: Session) -> Catalogue:
        rows = s.execute(select(FactRecord.id, FactRecord.key, FactRecord.as_of, FactRecord.origin)).all()
        supersedes = superseded_keys(s)
        dependant, condition = aliased(TheoryRecord), aliased(TheoryRecord)
        conditions = s.execute(
            select(dependant.uid, condition.uid)
            .select_from(C)
            .join(dependant, dependant.id == C.theory_id)
            .join(condition, condition.id == C.condition_id)
        ).all()
        return Catalogue(
            characters=frozenset(s.scalars(select(CharacterRecord.key))),
            facts={
                r.key: KnownFact(r.as_of, supersedes.get(r.id), r.origin is FactOrigin.USER) for r in rows
            },
            today=self.today(),
            theories=frozenset(s.scalars(select(T.uid))),
            conditions=dict(conditions),  # type: ignore[arg-type]
        )

    def _plan_json(self, s: Session, data: JournalFile, who: _Who) -> _Plan:
        plan = _Plan()
        if who.named:
            data = _owned(data, who.key)
            plan.members = [m for m in data.members if m.key not in who.ids]
        found: dict[str, int] = {}
        for chunk in _chunks([t.uid for t in data.theories]):
            found.update(s.execute(select(T.uid, T.id).where(T.uid.in_(chunk))).all())
        existing = read_theories(s, sorted(found.values()))
        for theory in data.theories:
            ident = found.get(theory.uid)
            if who.restricted and ident is not None and existing[ident].author != who.key:
                plan.counts["not_mine"] += 1  # another member's in the club: theirs to change
                continue
            if theory.earlier_resolutions is None:  # an older file: keep the journal's own
                kept = existing[ident].earlier_resolutions if ident is not None else ()
                theory = replace(theory, earlier_resolutions=kept)
            if data.format_version < OPTIONS_VERSION and ident is not None:
                theory = _keep_choices(theory, existing[ident])
            have = None
            if who.mine_only and ident is not None:
                # The others' forecasts stay as they are, and another member's theory stays
                # theirs, with their confidence (the owner may change the rest of it).
                have = _only(existing[ident], who.key)
                theory = _only(theory, who.key)
                if existing[ident].author != who.key:
                    theory = replace(
                        theory, author=existing[ident].author, confidence=existing[ident].confidence
                    )
            if ident is None:
                plan.create.append(theory)
                plan.counts["forecasts"] += len(theory.history)
            elif (have or existing[ident]) == theory:
                plan.counts["unchanged"] += 1
            else:
                plan.update.append((ident, theory))
                plan.counts["forecasts"] += _new_points((have or existing[ident]).history, theory.history)
        self._plan_facts(s, data.user_facts, plan)
        self._plan_dreams(s, data.dream_casting, plan, who)
        return plan

    def _plan_facts(self, s: Session, facts: Sequence[UserFactEntry], plan: _Plan) -> None:
        if not facts:
            return
        supersedes = superseded_keys(s)
        mine = {
            f.key: f
            for f in s.scalars(
                select(FactRecord)
                .where(FactRecord.key.in_([f.key for f in facts]))
                .options(selectinload(FactRecord.characters))
            )
        }
        for entry in facts:
            record = mine.get(entry.key)
            if record is None:
                plan.facts.append((None, entry))
                plan.counts["facts_created"] += 1
            elif _fact_entry(record, supersedes) != entry:
                plan.facts.append((record, entry))
                plan.counts["facts_updated"] += 1

    def _plan_dreams(self, s: Session, dreams: Sequence[DreamCastEntry], plan: _Plan, who: _Who) -> None:
        if not dreams:
            return
        keys = member_keys(s)
        have: dict[tuple[str, str, datetime], list[DreamCastRecord]] = defaultdict(list)
        query = select(DreamCastRecord).order_by(DreamCastRecord.id)
        if who.mine_only:  # the importer's entry is never another member's
            query = query.where(DreamCastRecord.author_id == who.me)
        for record in s.scalars(query):
            have[_dream_entry(record, keys).match_key].append(record)
        for entry in dreams:
            same = have.get(entry.match_key)
            record = same.pop(0) if same else None
            if record is None:
                plan.dreams.append((None, entry))
                plan.counts["dreams_created"] += 1
            elif _dream_entry(record, keys) != entry:
                plan.dreams.append((record, entry))
                plan.counts["dreams_updated"] += 1

    def _plan_csv(self, s: Session, table: CsvFile, who: _Who) -> _Plan:
        plan = _Plan()
        plan.counts["skipped"] = table.rows_skipped
        match: dict[tuple[str, datetime], list[int]] = defaultdict(list)
        titles = sorted({q.title for q in table.questions})
        for chunk in _chunks(titles):
            for r in s.execute(select(T.id, T.title, T.created_at).where(T.title.in_(chunk)).order_by(T.id)):
                match[(r.title, r.created_at.replace(microsecond=0))].append(r.id)
        existing = read_theories(s, sorted({i for ids in match.values() for i in ids}))
        used: set[int] = set()
        now = self.now()
        for question in table.questions:
            # The first theory of that title and creation not matched yet, of the same kind (a
            # yes/no theory and a multiple-choice question are not the same call).
            ident = next(
                (
                    i
                    for i in match.get(question.match_key, ())
                    if i not in used and bool(existing[i].options) == question.is_multiple_choice
                ),
                None,
            )
            if ident is None:
                theory, added = question_to_theory(question, None, now)
                plan.create.append(theory)
            elif who.restricted and existing[ident].author != who.key:
                used.add(ident)  # another member's theory: they change it, this one does not
                plan.counts["not_mine"] += 1
                continue
            else:
                used.add(ident)
                theory, added = question_to_theory(question, existing[ident], now)
                if theory == existing[ident]:
                    plan.counts["unchanged"] += 1
                else:
                    plan.update.append((ident, theory))
            plan.counts["forecasts"] += added
        return plan


def _owned(data: JournalFile, key: str | None) -> JournalFile:
    """``data`` with what names nobody made the importer's (``key``): in a club, a journal of
    one's file becomes the member's who brings it in."""

    def theory(t: TheoryEntry) -> TheoryEntry:
        history = tuple(h if getattr(h, "by", None) else _by(h, key) for h in t.history)
        return replace(t, author=t.author or key, history=history)

    return replace(
        data,
        theories=tuple(map(theory, data.theories)),
        dream_casting=tuple(replace(d, author=d.author or key) for d in data.dream_casting),
    )


def _by(h: Forecast, key: str | None) -> ForecastEntry:
    return ForecastEntry(h.confidence, h.changed_at, h.note, h.option, key)


def _keep_choices(theory: TheoryEntry, own: TheoryEntry) -> TheoryEntry:
    """``theory`` as a file older than format 4 gives it (it knows nothing of options and
    conditions), over ``own``, the journal's: the condition stays the journal's. If the
    journal's theory has become multiple choice since, it keeps its options with their forecasts,
    and its resolution, which the file's yes/no history and resolution cannot describe."""
    theory = replace(theory, condition=own.condition)
    if not own.options:
        return theory
    return replace(
        theory,
        options=own.options,
        history=own.history,
        confidence=own.confidence,
        status=own.status,
        resolved_on=own.resolved_on,
        resolved_at=own.resolved_at,
        resolution_note=own.resolution_note,
        earlier_resolutions=own.earlier_resolutions,
    )


def _merge_history(
    old: tuple[Forecast, ...], question: CsvQuestion, names: dict[str, str]
) -> tuple[tuple[Forecast, ...], int]:
    """The history with the question's forecasts added, matching them to the second (CSV
    precision) and by option; ``names`` gives each option's name in the journal by its name
    folded to lower case."""
    pool = Counter((p.changed_at.replace(microsecond=0), p.confidence, p.option) for p in old)
    added = []
    for forecast in question.forecasts:
        option = names[forecast.option.casefold()] if forecast.option is not None else None
        key = (forecast.at.replace(microsecond=0), forecast.confidence, option)
        if pool[key] > 0:
            pool[key] -= 1
        else:
            added.append(Forecast(forecast.confidence, forecast.at, "", option))
    return tuple(sorted(old + tuple(added), key=lambda p: p.changed_at)), len(added)


def _question_options(question: CsvQuestion, existing: TheoryEntry | None) -> tuple[OptionEntry, ...]:
    """A theory's options with the question's: those the journal has keep their name and order,
    new ones follow. Which one happened follows the question where the file says how it was
    resolved, else stays the journal's."""
    options = list(existing.options) if existing is not None else []
    known = {o.name.casefold() for o in options}
    options += [OptionEntry(name) for name in question.options if name.casefold() not in known]
    if "status" not in question.provided:
        return tuple(options)
    happened = question.happened.casefold() if question.happened is not None else None
    return tuple(OptionEntry(o.name, o.name.casefold() == happened) for o in options)


def question_to_theory(
    question: CsvQuestion, existing: TheoryEntry | None, now: datetime
) -> tuple[TheoryEntry, int]:
    """The theory a CSV question becomes (or makes of ``existing``), and how many forecasts it adds.

    The CSV carries the title, notes, resolve-by date, resolution, tags, forecasts and a
    multiple-choice question's options; a column the file lacks leaves that field of an existing
    theory alone, and whatever a CSV cannot say (category, characters, evidence, juiciness, notes
    on confidences, a condition) is kept. Times in a CSV have whole seconds: a time equal to the
    second keeps the journal's own.
    """
    options = _question_options(question, existing) if question.is_multiple_choice else ()
    names = {o.name.casefold(): o.name for o in options}
    history, added = _merge_history(existing.history if existing else (), question, names)
    fields: dict[str, Any] = {"confidence": history[-1].confidence, "history": history, "options": options}
    if options:  # a multiple-choice theory's confidence is its likeliest option's
        fields["confidence"] = max({p.option: p.confidence for p in history}.values())
    given = question.provided
    for name in ("body", "tags", "resolve_by"):
        if name in given:
            fields[name] = getattr(question, name)
    if "status" in given:
        fields.update(_resolution(question, existing))
    if existing is not None:
        theory = replace(existing, **fields)
        return (theory if theory == existing else replace(theory, updated_at=now)), added
    defaults: dict[str, Any] = {
        "body": "",
        "tags": (),
        "resolve_by": None,
        "status": TheoryStatus.OPEN,
        "resolved_on": None,
        "resolved_at": None,
        "resolution_note": "",
    }
    fields = defaults | fields
    times = [question.created_at, *(p.changed_at for p in history)]
    if fields["resolved_at"] is not None:
        times.append(fields["resolved_at"])
    theory = TheoryEntry(
        uid=str(uuid.uuid4()),
        title=question.title,
        category=Category.OTHER,
        juiciness=None,
        created_at=question.created_at,
        updated_at=max(times),
        deleted_at=None,
        starter_key=None,
        **fields,
    )
    return theory, added


def _resolution(question: CsvQuestion, existing: TheoryEntry | None) -> dict[str, Any]:
    """Status, resolution dates and note from the question (the journal's own where they agree)."""
    if not question.status.is_resolved or question.resolved_at is None:
        return {"status": TheoryStatus.OPEN, "resolved_on": None, "resolved_at": None, "resolution_note": ""}
    out: dict[str, Any] = {
        "status": question.status,
        "resolved_at": question.resolved_at,
        "resolved_on": question.resolved_at.date(),
    }
    if (
        existing is not None
        and existing.status is question.status
        and existing.resolved_at is not None
        and (
            "resolved_at" not in question.provided
            or existing.resolved_at.replace(microsecond=0) == question.resolved_at.replace(microsecond=0)
        )
    ):
        out["resolved_at"], out["resolved_on"] = existing.resolved_at, existing.resolved_on
    if "resolution_note" in question.provided:
        out["resolution_note"] = question.resolution_note
    elif existing is None or existing.status is not question.status:
        out["resolution_note"] = ""
    return out


def _same_forecast(row: Any, forecast: Forecast, option_id: int | None) -> bool:
    """Whether the forecasts table's ``row`` holds ``forecast``, whose option (if it has one) is
    the row ``option_id`` (``None``: an option not written yet)."""
    if forecast.option is not None and option_id is None:
        return False
    return (row.option_id, row.confidence, row.changed_at, row.note) == (
        option_id,
        forecast.confidence,
        forecast.changed_at,
        forecast.note,
    )


class _Writer:
    """Writes a checked plan inside the import's transaction."""

    def __init__(
        self, s: Session, progress: Progress, who: _Who | None = None, now: datetime | None = None
    ) -> None:
        self.s = s
        self.now = now
        self.progress = progress
        self.who = who or _Who()
        self.characters = {c.key: c for c in s.scalars(select(CharacterRecord))}

    def write(self, plan: _Plan) -> None:
        self._members(plan.members)
        self._facts(plan.facts)
        self._dreams(plan.dreams)
        self.s.flush()
        self._theories(plan)

    def _members(self, members: list[MemberEntry]) -> None:
        """Add the members the club does not have yet: their key is their login, so a login of
        that name, once the owner creates it (``club add-member``), is that member."""
        if not members:
            return
        now = self.now or datetime.now(UTC)
        stmt = insert(ForecasterRecord).returning(ForecasterRecord.id, sort_by_parameter_order=True)
        rows = [{"name": m.name, "login": m.key, "created_at": now} for m in members]
        for m, ident in zip(members, self.s.scalars(stmt, rows), strict=True):
            self.who.ids[m.key] = ident

    def _facts(self, items: list[tuple[FactRecord | None, UserFactEntry]]) -> None:
        if not items:
            return
        records = []
        for record, entry in items:
            if record is None:
                record = FactRecord(key=entry.key, origin=FactOrigin.USER)
                self.s.add(record)
            record.topic, record.statement, record.status = entry.topic, entry.statement, entry.status
            record.source, record.as_of, record.created_at = entry.source, entry.as_of, entry.created_at
            record.headline, record.source_title = entry.headline, entry.source_title
            record.source_url, record.source_date = entry.source_url, entry.as_of
            record.retracted_at = entry.retracted_at
            record.characters = [self.characters[k] for k in entry.characters]
            records.append((record, entry))
        self.s.flush()
        by_key = {f.key: f for f in self.s.scalars(select(FactRecord))}
        for record, entry in records:
            for older in self.s.scalars(select(FactRecord).where(FactRecord.superseded_by_id == record.id)):
                if older.key != entry.supersedes:
                    older.superseded_by_id = None
            if entry.supersedes is not None:
                by_key[entry.supersedes].superseded_by_id = record.id

    def _dreams(self, items: list[tuple[DreamCastRecord | None, DreamCastEntry]]) -> None:
        for record, entry in items:
            if record is None:
                record = DreamCastRecord(
                    role_idea=entry.role_idea, actor=entry.actor, created_at=entry.created_at
                )
                self.s.add(record)
            record.note, record.rating, record.updated_at = entry.note, entry.rating, entry.updated_at
            record.character = self.characters[entry.character] if entry.character is not None else None
            if self.who.named:
                record.author_id = self.who.id_of(entry.author)

    def _theories(self, plan: _Plan) -> None:
        s = self.s
        entries = plan.create + [t for _, t in plan.update]
        if not entries:
            return
        names = {k: c.name for k, c in self.characters.items()}
        tag_ids = self._tag_ids({tag for t in entries for tag in t.tags}, plan)
        fact_ids = dict(s.execute(select(FactRecord.key, FactRecord.id)).all())

        def row(t: TheoryEntry) -> dict[str, Any]:
            values = mapping.theory_columns(t)
            if t.status is TheoryStatus.OPEN:  # an open theory has no resolution dates
                values["resolved_on"] = values["resolved_at"] = None
            values["tags_text"] = search_columns.tags_text(t.tags)
            values["characters_text"] = search_columns.characters_text(names[k] for k in t.characters)
            values["title_key"] = sort_keys.title_key(t.title)
            if self.who.named:  # in a journal of one nobody is named
                values["author_id"] = self.who.id_of(t.author)
            return values

        # In batches, saying how far it has got after each: a cancel between two batches rolls
        # the whole import back.
        total, done = len(entries), 0
        self.progress(done, total, f"Writing {total:,} theories")
        for start in range(0, len(plan.create), WRITE_BATCH):
            batch = plan.create[start : start + WRITE_BATCH]
            # A plain executemany on the table, then the new ids by uid: INSERT … RETURNING
            # over many rows is several times slower on SQLite (each batch is re-sorted to
            # match the rows). On the table, not through the ORM, whose bulk insert splits the
            # rows into small groups (by which columns it leaves to their defaults): on a
            # server each group is a round trip.
            s.execute(insert(T.__table__), [{"version": 1, **row(t)} for t in batch])
            new_ids: dict[str, int] = {}
            uids = [t.uid for t in batch]
            for chunk in _chunks(uids):
                new_ids.update(
                    (uid, ident) for uid, ident in s.execute(select(T.uid, T.id).where(T.uid.in_(chunk)))
                )
            self._children([new_ids[u] for u in uids], batch, tag_ids, fact_ids)
            done += len(batch)
            self.progress(done, total, f"Writing {total:,} theories")
        for start in range(0, len(plan.update), WRITE_BATCH):
            pairs = plan.update[start : start + WRITE_BATCH]
            updated = [ident for ident, _ in pairs]
            # On the table, not through the ORM (whose version counter wants each row's current
            # version): the version goes up, so a copy read before the import no longer saves
            # over it.
            table = T.__table__
            s.execute(
                update(table).where(table.c.id == bindparam("_id")).values(version=table.c.version + 1),
                [{"_id": ident, **row(t)} for ident, t in pairs],
            )
            for table, column in (
                (E.__table__, E.__table__.c.theory_id),
                (R.__table__, R.__table__.c.theory_id),
                (theory_tags, theory_tags.c.theory_id),
                (theory_characters, theory_characters.c.theory_id),
            ):
                for chunk in _chunks(updated):
                    s.execute(delete(table).where(column.in_(chunk)))
            self._children(updated, [t for _, t in pairs], tag_ids, fact_ids)
            done += len(pairs)
            self.progress(done, total, f"Writing {total:,} theories")
        self._conditions(plan)

    def _conditions(self, plan: _Plan) -> None:
        """Each theory written depends on the theory its entry names (by uid), or on none;
        written last, since a condition may be a theory the import has just created."""
        s = self.s
        for chunk in _chunks([ident for ident, _ in plan.update]):
            s.execute(delete(C).where(C.theory_id.in_(chunk)))
        wanted = [t for t in plan.create + [t for _, t in plan.update] if t.condition is not None]
        if not wanted:
            return
        ids: dict[str, int] = {}
        for chunk in _chunks(sorted({u for t in wanted for u in (t.uid, t.condition)})):  # type: ignore[misc]
            ids.update(s.execute(select(T.uid, T.id).where(T.uid.in_(chunk))).all())  # type: ignore[arg-type]
        s.execute(
            insert(C),
            [{"theory_id": ids[t.uid], "condition_id": ids[t.condition]} for t in wanted],  # type: ignore[index]
        )

    def _children(
        self, ids: list[int], entries: list[TheoryEntry], tag_ids: dict[str, int], fact_ids: dict[str, int]
    ) -> None:
        """The options, forecasts, evidence, earlier resolutions, tags and characters of the
        theories just written under ``ids``."""
        self._options_and_forecasts(ids, entries)
        children: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for ident, t in zip(ids, entries, strict=True):
            children[E.__table__] += [
                {
                    "theory_id": ident,
                    "fact_id": fact_ids[e.fact],
                    "stance": e.stance,
                    "note": e.note,
                    "created_at": e.created_at,
                }
                for e in t.evidence
            ]
            children[R.__table__] += [
                {
                    "theory_id": ident,
                    "status": r.status,
                    "resolved_on": r.resolved_on,
                    "resolved_at": r.resolved_at,
                    "note": r.note,
                    "reopened_at": r.reopened_at,
                    "option": r.option,
                }
                for r in t.earlier_resolutions or ()
            ]
            children[theory_tags] += [{"theory_id": ident, "tag_id": tag_ids[name]} for name in t.tags]
            children[theory_characters] += [
                {"theory_id": ident, "character_id": self.characters[k].id} for k in t.characters
            ]
        for table, rows in children.items():
            if rows:
                self.s.execute(insert(table), rows)

    def _options_and_forecasts(self, ids: list[int], entries: list[TheoryEntry]) -> None:
        """Bring the options and forecasts of the theories under ``ids`` to their entries'.

        A theory that was already there keeps each option the entry names (matched by name,
        capitals aside) under its own id, and each forecaster's forecasts up to the first one
        that differs from the entry's forecasts by them; the rest go, and the entry's remaining
        ones are added (a theory just created has none to keep). So an import that only adds
        forecasts leaves the rows of those already there alone. A member who is not the club's
        owner touches only their own forecasts.
        """
        s = self.s
        have_options: dict[int, list[Any]] = defaultdict(list)
        have_forecasts: dict[int, list[Any]] = defaultdict(list)
        for chunk in _chunks(ids):
            stmt = select(P.id, P.theory_id, P.name, P.position, P.happened).where(P.theory_id.in_(chunk))
            for r in s.execute(stmt.order_by(P.theory_id, P.position, P.id)):
                have_options[r.theory_id].append(r)
            stmt = select(H.id, H.theory_id, H.option_id, H.confidence, H.changed_at, H.note, H.forecaster_id)
            for r in s.execute(stmt.where(H.theory_id.in_(chunk)).order_by(H.theory_id, H.changed_at, H.id)):
                have_forecasts[r.theory_id].append(r)
        option_ids: dict[tuple[int, str], int] = {}  # (theory id, option name): the option's row id
        new_options: list[dict[str, Any]] = []
        changed_options: list[dict[str, Any]] = []
        gone_options: list[int] = []
        gone_forecasts: list[int] = []
        new_forecasts: list[tuple[int, int | None, Forecast]] = []
        for ident, t in zip(ids, entries, strict=True):
            by_name: dict[str, Any] = {}
            for r in have_options[ident]:
                by_name.setdefault(r.name.casefold(), r)
            kept: set[int] = set()
            for position, o in enumerate(t.options):
                values = {"name": o.name, "position": position, "happened": o.happened}
                r = by_name.get(o.name.casefold())
                if r is None:
                    new_options.append({"theory_id": ident, **values})
                    continue
                kept.add(r.id)
                option_ids[(ident, o.name)] = r.id
                if (r.name, r.position, r.happened) != (o.name, position, o.happened):
                    changed_options.append({"id": r.id, **values})
            gone_options += [r.id for r in have_options[ident] if r.id not in kept]
            rows_by: dict[int | None, list[Any]] = defaultdict(list)
            for r in have_forecasts[ident]:
                rows_by[r.forecaster_id].append(r)
            wanted_by: dict[int | None, list[Forecast]] = defaultdict(list)
            for p in t.history:
                wanted_by[self.who.id_of(getattr(p, "by", None))].append(p)
            whose = [self.who.me] if self.who.mine_only else list(dict.fromkeys([*rows_by, *wanted_by]))
            for forecaster in whose:
                rows, wanted = rows_by[forecaster], wanted_by[forecaster]
                same = 0
                while same < min(len(rows), len(wanted)) and _same_forecast(
                    rows[same], wanted[same], option_ids.get((ident, wanted[same].option or ""))
                ):
                    same += 1
                gone_forecasts += [r.id for r in rows[same:]]
                new_forecasts += [(ident, forecaster, p) for p in wanted[same:]]
        for chunk in _chunks(gone_forecasts):
            s.execute(delete(H).where(H.id.in_(chunk)))
        for chunk in _chunks(gone_options):
            s.execute(delete(P).where(P.id.in_(chunk)))
        if changed_options:
            s.execute(update(P), changed_options)
        if new_options:
            stmt = insert(P).returning(P.id, sort_by_parameter_order=True)
            for values, row_id in zip(new_options, s.scalars(stmt, new_options), strict=True):
                option_ids[(values["theory_id"], values["name"])] = row_id
        if new_forecasts:
            # In a journal of one nobody is named: the column keeps its default (none).
            named = self.who.named
            s.execute(
                insert(H),
                [
                    {
                        "theory_id": ident,
                        "option_id": option_ids[(ident, p.option)] if p.option is not None else None,
                        "confidence": p.confidence,
                        "changed_at": p.changed_at,
                        "note": p.note,
                        **({"forecaster_id": forecaster} if named else {}),
                    }
                    for ident, forecaster, p in new_forecasts
                ],
            )

    def _tag_ids(self, names: set[str], plan: _Plan) -> dict[str, int]:
        """The ids of the tags called ``names``, those not there yet created; safe while a member
        creates the same tag at the same time (see ``services.base.ensure_tags``)."""
        from etoile_app.services.base import ensure_tags

        found, created = ensure_tags(self.s, names)
        plan.counts["tags"] = len(created)
        return found
