"""Turn ORM records into the domain's plain records, inside the session that loaded them."""

from __future__ import annotations

from etoile_app.domain.models import (
    CharacterRef,
    ConfidencePoint,
    DreamCast,
    Evidence,
    Fact,
    StarterTheory,
    Theory,
    TheoryRow,
)
from etoile_app.storage.models import (
    DreamCastRecord,
    FactRecord,
    StarterRecord,
    TheoryRecord,
)

LIST_SEPARATOR = "\n"


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(LIST_SEPARATOR) if part)


def fact(record: FactRecord, superseded_by_id: int | None) -> Fact:
    return Fact(
        id=record.id,
        key=record.key,
        topic=record.topic,
        statement=record.statement,
        status=record.status,
        source=record.source,
        as_of=record.as_of,
        origin=record.origin,
        supersedes_id=record.supersedes_id,
        superseded_by_id=superseded_by_id,
        character_ids=tuple(c.id for c in record.characters),
    )


def theory(record: TheoryRecord, superseded: set[int] | frozenset[int] = frozenset()) -> Theory:
    """``superseded`` holds the ids of cited facts that a newer fact has overtaken."""
    from etoile_app.domain.enums import FactStatus

    evidence = tuple(
        Evidence(
            fact_id=e.fact_id,
            stance=e.stance,
            note=e.note,
            statement=e.fact.statement,
            topic=e.fact.topic,
            fact_status=FactStatus.SUPERSEDED if e.fact_id in superseded else e.fact.status,
            source=e.fact.source,
            as_of=e.fact.as_of,
        )
        for e in record.evidence
    )
    return Theory(
        id=record.id,
        uid=record.uid,
        title=record.title,
        body=record.body,
        category=record.category,
        characters=tuple(
            CharacterRef(c.id, c.name) for c in sorted(record.characters, key=lambda c: c.name.casefold())
        ),
        tags=tuple(sorted(t.name for t in record.tags)),
        confidence=record.confidence,
        juiciness=record.juiciness,
        status=record.status,
        resolve_by=record.resolve_by,
        resolved_on=record.resolved_on,
        resolved_at=record.resolved_at,
        resolution_note=record.resolution_note,
        created_at=record.created_at,
        updated_at=record.updated_at,
        deleted_at=record.deleted_at,
        starter_key=record.starter_key,
        evidence=evidence,
        history=tuple(ConfidencePoint(h.confidence, h.changed_at, h.note) for h in record.history),
    )


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
