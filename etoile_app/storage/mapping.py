"""Turn ORM records into the domain's plain records, inside the session that loaded them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from etoile_app.domain.enums import FactStatus, SourceKind
from etoile_app.domain.models import (
    CharacterRef,
    DreamCast,
    EarlierResolution,
    Evidence,
    Fact,
    Forecast,
    SourceRef,
    StarterTheory,
    Theory,
    TheoryOption,
    TheoryRef,
    TheoryRow,
)
from etoile_app.storage.models import (
    THEORY_COLUMNS,
    DreamCastRecord,
    FactRecord,
    ForecastRecord,
    StarterRecord,
    TheoryRecord,
)
from etoile_app.storage.search_columns import split_list


def fact(
    record: FactRecord,
    supersedes: tuple[int, ...] = (),
    contradicts: tuple[int, ...] = (),
    retracted: set[int] | frozenset[int] = frozenset(),
) -> Fact:
    """``retracted`` holds the ids of retracted facts: a link from one of them no longer counts."""
    superseded_by = record.superseded_by_id if record.superseded_by_id not in retracted else None
    contradicted_by = record.contradicted_by_id if record.contradicted_by_id not in retracted else None
    return Fact(
        id=record.id,
        key=record.key,
        topic=record.topic,
        statement=record.statement,
        status=record.status,
        source=record.source,
        as_of=record.as_of,
        origin=record.origin,
        superseded_by_id=superseded_by,
        contradicted_by_id=contradicted_by,
        character_ids=tuple(c.id for c in record.characters),
        headline=record.headline,
        source_title=record.source_title,
        source_url=record.source_url,
        source_date=record.source_date,
        section=record.section,
        verified=record.verified,
        retracted_at=record.retracted_at,
        supersedes_ids=supersedes,
        contradicts_ids=contradicts,
    )


def source_ref(data: dict[str, str]) -> SourceRef:
    """A character's source, as the pack writer stores it (see :func:`source_data`)."""
    from datetime import date

    published = data.get("date")
    return SourceRef(
        outlet=data.get("outlet", ""),
        title=data.get("title", ""),
        published=date.fromisoformat(published) if published else None,
        url=data.get("url", ""),
        section=data.get("section", ""),
        kind=SourceKind(data.get("kind", SourceKind.NEWS.value)),
        note=data.get("note", ""),
    )


def source_data(ref: SourceRef) -> dict[str, str]:
    return {
        "outlet": ref.outlet,
        "title": ref.title,
        "date": ref.published.isoformat() if ref.published else "",
        "url": ref.url,
        "section": ref.section,
        "kind": ref.kind.value,
        "note": ref.note,
    }


def theory_columns(source: object) -> dict[str, Any]:
    """The :data:`~etoile_app.storage.models.THEORY_COLUMNS` of a theory record, a Core row of
    the theories table or a ``TheoryEntry``, by name."""
    return {name: getattr(source, name) for name in THEORY_COLUMNS}


def theory(record: TheoryRecord, shown: dict[int, FactStatus] | None = None) -> Theory:
    """``shown`` holds the badge of cited facts that a newer fact overtook or a source contradicted."""
    shown = shown or {}
    evidence = tuple(
        Evidence(
            fact_id=e.fact_id,
            stance=e.stance,
            note=e.note,
            statement=e.fact.statement,
            topic=e.fact.topic,
            fact_status=shown.get(e.fact_id, e.fact.status),
            source=e.fact.source,
            as_of=e.fact.as_of,
        )
        for e in record.evidence
    )
    return Theory(
        id=record.id,
        **theory_columns(record),
        characters=tuple(
            CharacterRef(c.id, c.name) for c in sorted(record.characters, key=lambda c: c.name.casefold())
        ),
        tags=tuple(sorted(t.name for t in record.tags)),
        evidence=evidence,
        history=tuple(
            Forecast(h.confidence, h.changed_at, h.note, h.option.name if h.option is not None else None)
            for h in own_history(record)
        ),
        earlier_resolutions=tuple(earlier_resolution(r) for r in record.earlier_resolutions),
        options=options(record),
        condition=condition(record),
        version=record.version,
    )


def own_history(record: TheoryRecord) -> list[ForecastRecord]:
    """The theory's own forecasts: its author's (in a journal of one, every forecast, as the
    author and every forecaster are nobody). Other members' forecasts are theirs, not its."""
    return [h for h in record.history if h.forecaster_id == record.author_id]


def options(record: TheoryRecord) -> tuple[TheoryOption, ...]:
    """A multiple-choice theory's options, each with its author's latest confidence."""
    if not record.options:
        return ()
    latest: dict[int, int] = {}
    for h in own_history(record):  # oldest first: the last one given stays
        if h.option_id is not None:
            latest[h.option_id] = h.confidence
    return tuple(TheoryOption(o.name, latest.get(o.id, 0), o.happened) for o in record.options)


def condition(record: TheoryRecord) -> TheoryRef | None:
    link = record.condition_link
    if link is None:
        return None
    return TheoryRef(link.condition.id, link.condition.title, link.condition.status)


def earlier_resolution(row: object) -> EarlierResolution:
    """From a :class:`ResolutionRecord` or a Core row of its table: the fields share their names."""
    return EarlierResolution(**{f.name: getattr(row, f.name) for f in fields(EarlierResolution)})


def theory_row(row: object) -> TheoryRow:
    """From a Core row holding the board's columns (see ``theory_queries.ROW_COLUMNS``)."""
    r = row._mapping  # type: ignore[attr-defined]
    return TheoryRow(
        id=r["id"],
        title=r["title"],
        category=r["category"],
        characters=split_list(r["characters_text"]),
        tags=split_list(r["tags_text"]),
        confidence=r["confidence"],
        juiciness=r["juiciness"],
        status=r["status"],
        resolve_by=r["resolve_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        condition=r["condition_title"],
        leading_option=r["leading_option"],
        happened_option=r["happened_option"],
    )


def dream_cast(record: DreamCastRecord) -> DreamCast:
    return DreamCast(
        id=record.id,
        role_idea=record.role_idea,
        actor=record.actor,
        note=record.note,
        rating=record.rating,
        character_id=record.character_id,
        character_name=record.character.name if record.character else None,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def starter(record: StarterRecord, adopted: bool) -> StarterTheory:
    return StarterTheory(
        key=record.key,
        title=record.title,
        body=record.body,
        category=record.category,
        characters=tuple(record.character_keys),
        tags=tuple(record.tags),
        source=record.source,
        adopted=adopted,
    )
