"""Plain, immutable records that cross from the services to whoever called them.

No ORM object ever leaves the storage layer; these are what the GUI and the tests see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from etoile_app.domain.enums import (
    Category,
    Company,
    FactOrigin,
    FactStatus,
    RoleKind,
    Stance,
    TheoryStatus,
    Topic,
)

# --- theories ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceDraft:
    """A canon fact cited for (supports) or against (contradicts) a theory."""

    fact_id: int
    stance: Stance
    note: str = ""


@dataclass(frozen=True, slots=True)
class TheoryDraft:
    """What a person fills in to write or edit a theory.

    ``evidence`` replaces the theory's evidence when given; ``None`` leaves it as it is.
    """

    title: str
    body: str = ""
    category: Category = Category.OTHER
    character_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    confidence: int = 50
    juiciness: int | None = None
    resolve_by: date | None = None
    evidence: tuple[EvidenceDraft, ...] | None = None


@dataclass(frozen=True, slots=True)
class CharacterRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ConfidencePoint:
    confidence: int
    changed_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    fact_id: int
    stance: Stance
    note: str
    statement: str
    topic: Topic
    fact_status: FactStatus
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class TheoryRow:
    """One line of the theory board."""

    id: int
    title: str
    category: Category
    characters: tuple[str, ...]
    tags: tuple[str, ...]
    confidence: int
    juiciness: int | None
    status: TheoryStatus
    resolve_by: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Theory:
    """A theory with everything about it."""

    id: int
    uid: str
    title: str
    body: str
    category: Category
    characters: tuple[CharacterRef, ...]
    tags: tuple[str, ...]
    confidence: int
    juiciness: int | None
    status: TheoryStatus
    resolve_by: date | None
    resolved_on: date | None
    resolved_at: datetime | None
    resolution_note: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    starter_key: str | None
    evidence: tuple[Evidence, ...] = ()
    history: tuple[ConfidencePoint, ...] = ()

    @property
    def character_ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.characters)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# --- searching the board -------------------------------------------------------------------


class SortKey(StrEnum):
    TITLE = "title"
    CATEGORY = "category"
    CHARACTERS = "characters"
    TAGS = "tags"
    CONFIDENCE = "confidence"
    JUICINESS = "juiciness"
    STATUS = "status"
    RESOLVE_BY = "resolve_by"
    CREATED = "created"
    UPDATED = "updated"
    RELEVANCE = "relevance"


@dataclass(frozen=True, slots=True)
class TheoryQuery:
    """Which theories to show, and in what order.

    Within one facet any chosen value matches (two categories: either); facets combine with
    AND. A tag matches itself and its children (``romance`` matches ``romance/jack-cheyenne``).
    """

    text: str = ""
    statuses: frozenset[TheoryStatus] = frozenset()
    categories: frozenset[Category] = frozenset()
    character_ids: frozenset[int] = frozenset()
    tags: frozenset[str] = frozenset()
    confidence_min: int = 1
    confidence_max: int = 99
    deleted: bool = False
    sort: SortKey = SortKey.UPDATED
    descending: bool = True


@dataclass(frozen=True, slots=True)
class TagCount:
    name: str
    count: int


# --- canon ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    key: str | None
    topic: Topic
    statement: str
    status: FactStatus
    source: str
    as_of: date
    origin: FactOrigin
    supersedes_id: int | None
    superseded_by_id: int | None
    character_ids: tuple[int, ...] = ()

    @property
    def shown_status(self) -> FactStatus:
        """What the badge says: a fact overtaken by a newer one is superseded, whatever it was."""
        return FactStatus.SUPERSEDED if self.superseded_by_id is not None else self.status


@dataclass(frozen=True, slots=True)
class NewsDraft:
    """A fact a person records when news breaks."""

    topic: Topic
    statement: str
    status: FactStatus
    source: str
    as_of: date
    supersedes_id: int | None = None
    character_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicCard:
    """One card of the Status tab: the newest state of a topic and what came before."""

    topic: Topic
    current: Fact | None
    history: tuple[Fact, ...]
    open_theories: int


# --- cast ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Character:
    id: int
    key: str
    name: str
    actor: str | None
    company: Company
    role: RoleKind
    description: str
    season1_arc: str
    arc_source: str
    return_status: Fact | None
    theory_count: int
    open_theory_count: int


@dataclass(frozen=True, slots=True)
class DreamCastDraft:
    role_idea: str
    actor: str
    note: str = ""
    rating: int | None = None
    character_id: int | None = None


@dataclass(frozen=True, slots=True)
class DreamCast:
    id: int
    role_idea: str
    actor: str
    note: str
    rating: int | None
    character_id: int | None
    character_name: str | None
    created_at: datetime
    updated_at: datetime


# --- canon pack ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackSource:
    key: str
    name: str
    date: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class PackCharacter:
    key: str
    name: str
    actor: str | None
    company: Company
    role: RoleKind
    description: str
    season1_arc: str
    arc_source: str


@dataclass(frozen=True, slots=True)
class PackFact:
    key: str
    topic: Topic
    statement: str
    status: FactStatus
    source: str
    as_of: date
    supersedes: str | None = None
    characters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StarterTheory:
    key: str
    title: str
    body: str
    category: Category
    characters: tuple[str, ...]
    tags: tuple[str, ...]
    source: str
    adopted: bool = False


@dataclass(frozen=True, slots=True)
class CanonPack:
    """A validated canon pack, ready to be written to the database."""

    schema_version: int
    version: int
    as_of: date
    title: str
    sources: tuple[PackSource, ...]
    characters: tuple[PackCharacter, ...]
    facts: tuple[PackFact, ...]
    starters: tuple[StarterTheory, ...]


@dataclass(frozen=True, slots=True)
class PackChanges:
    """What applying a canon pack did, by fact key."""

    version: int
    applied: bool
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    superseded: tuple[str, ...] = ()
    characters_added: tuple[str, ...] = ()
    characters_changed: tuple[str, ...] = ()
    starters_added: tuple[str, ...] = ()
    affected_theory_ids: tuple[int, ...] = field(default=())
