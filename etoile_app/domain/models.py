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
    SourceKind,
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
    #: Multiple choice: 2–12 options whose confidences sum to 100 (none: a yes/no theory, and
    #: ``confidence`` is how sure one is that it comes true).
    options: tuple[OptionDraft, ...] = ()
    #: The theory this one depends on, if any.
    condition_id: int | None = None
    #: Saving over a theory: the ``Theory.version`` the draft was made from. Someone else's
    #: change since then makes the save refused (``StaleEditError``); ``None`` saves regardless.
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CharacterRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """A probability given at a time, with an optional note: that a yes/no theory comes true,
    or (``option``, by name) that a multiple-choice theory's option is what happens."""

    confidence: int
    changed_at: datetime
    note: str = ""
    option: str | None = None


@dataclass(frozen=True, slots=True)
class TheoryOption:
    """One answer of a multiple-choice theory, with its current probability."""

    name: str
    confidence: int
    happened: bool = False


@dataclass(frozen=True, slots=True)
class OptionDraft:
    """An option as a person fills it in: its name and how likely it is (percent)."""

    name: str
    confidence: int


@dataclass(frozen=True, slots=True)
class TheoryRef:
    """Another theory, named: the condition a theory depends on."""

    id: int
    title: str
    status: TheoryStatus


@dataclass(frozen=True, slots=True)
class EarlierResolution:
    """A resolution a theory had until it was reopened (or resolved again another way)."""

    status: TheoryStatus
    resolved_on: date
    resolved_at: datetime
    note: str
    reopened_at: datetime
    #: For a multiple-choice theory confirmed: the option that happened.
    option: str | None = None


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
    #: The title of the theory this one depends on, if any.
    condition: str | None = None
    #: Multiple choice: the option with the highest confidence (``confidence`` is its), and
    #: once resolved, the option that happened.
    leading_option: str | None = None
    happened_option: str | None = None
    #: In a club (all ``None`` in a journal of one; see ``TheoryQuery.club``): who wrote it;
    #: the board's member's latest confidence (multiple choice: on the option they rate
    #: highest, ``yours_option``); the median of each member's latest (multiple choice: per
    #: option, the option with the highest median, ``club_option``); how many members forecast it.
    author_id: int | None = None
    author: str | None = None
    yours: int | None = None
    yours_option: str | None = None
    club_median: float | None = None
    club_option: str | None = None
    forecasters: int | None = None


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
    history: tuple[Forecast, ...] = ()
    earlier_resolutions: tuple[EarlierResolution, ...] = ()  # oldest first
    #: Multiple choice: its options in order, with their current confidence (none: yes/no).
    options: tuple[TheoryOption, ...] = ()
    condition: TheoryRef | None = None
    #: Counts the theory's changes (a save made from an older one is refused). Not part of
    #: what the theory says: two copies that differ only here are equal.
    version: int = field(default=0, compare=False)
    #: In a club, the member who wrote it (its confidences and history are theirs); ``None``
    #: in a journal of one.
    author_id: int | None = None
    author: str | None = None

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.options)

    @property
    def option_happened(self) -> str | None:
        """The option that happened, once a multiple-choice theory is resolved as confirmed."""
        return next((o.name for o in self.options if o.happened), None)

    @property
    def character_ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.characters)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def as_draft(self) -> TheoryDraft:
        """The draft that would write this theory as it stands, evidence included."""
        return TheoryDraft(
            title=self.title,
            body=self.body,
            category=self.category,
            character_ids=self.character_ids,
            tags=self.tags,
            confidence=self.confidence,
            juiciness=self.juiciness,
            resolve_by=self.resolve_by,
            evidence=tuple(EvidenceDraft(e.fact_id, e.stance, e.note) for e in self.evidence),
            options=tuple(OptionDraft(o.name, o.confidence) for o in self.options),
            condition_id=self.condition.id if self.condition is not None else None,
        )


@dataclass(frozen=True, slots=True)
class TheorySnapshot:
    """A theory as it stood, with what undo needs to put it back exactly.

    ``evidence_rows`` pairs each item of ``theory.evidence`` with its row id and when it was
    linked; ``history_ids`` are the row ids of ``theory.history``, in the same order. Putting
    the rows back under their own ids keeps their order, their dates and the export unchanged.
    """

    theory: Theory
    evidence_rows: tuple[tuple[int, datetime], ...] = ()
    history_ids: tuple[int, ...] = ()
    #: The row ids of ``theory.options``, in the same order.
    option_ids: tuple[int, ...] = ()

    @property
    def id(self) -> int:
        return self.theory.id


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
    #: Only open theories whose resolve-by date is before this day (the "Due" filter: before
    #: today), or ``None`` for all.
    due_before: date | None = None
    deleted: bool = False
    sort: SortKey = SortKey.UPDATED
    descending: bool = True
    #: A club's board: its rows carry the club's figures (see :class:`TheoryRow`), as seen by
    #: the member ``member_id`` (``None``: one without a name yet, or a viewer).
    club: bool = False
    member_id: int | None = None
    #: Only theories ``member_id`` has no forecast on (in a club: "Not forecast by me").
    not_forecast_by_me: bool = False


@dataclass(frozen=True, slots=True)
class TagCount:
    name: str
    count: int


# --- canon ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where something comes from: an outlet's piece, with its title, date and address."""

    outlet: str
    title: str = ""
    published: date | None = None
    url: str = ""
    section: str = ""
    kind: SourceKind = SourceKind.NEWS
    note: str = ""

    @property
    def citation(self) -> str:
        """``Deadline, “Title” (6 Jun 2025)``; the section of a long article after a §."""
        text = self.outlet
        if self.title:
            text += f", “{self.title}”"
        if self.section:
            text += f", § {self.section}"
        if self.published is not None:
            text += f" ({self.published.day} {self.published:%b %Y})"
        return text


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
    superseded_by_id: int | None
    contradicted_by_id: int | None = None
    character_ids: tuple[int, ...] = ()
    headline: str = ""
    source_title: str = ""
    source_url: str = ""
    source_date: date | None = None
    section: str = ""
    verified: bool = True
    retracted_at: datetime | None = None
    #: The facts this one supersedes and contradicts (their ids).
    supersedes_ids: tuple[int, ...] = ()
    contradicts_ids: tuple[int, ...] = ()

    @property
    def shown_status(self) -> FactStatus:
        """What the badge says: a fact shown wrong is contradicted, one overtaken by newer news
        is superseded, whatever it said of itself."""
        if self.contradicted_by_id is not None:
            return FactStatus.CONTRADICTED
        if self.superseded_by_id is not None:
            return FactStatus.SUPERSEDED
        return self.status

    @property
    def is_live(self) -> bool:
        """Neither overtaken, shown wrong nor retracted: a candidate for the current state."""
        return self.superseded_by_id is None and self.contradicted_by_id is None and not self.is_retracted

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    @property
    def supersedes_id(self) -> int | None:
        """The one fact a piece of user news overtakes (news supersedes at most one)."""
        return self.supersedes_ids[0] if self.supersedes_ids else None

    @property
    def source_ref(self) -> SourceRef:
        return SourceRef(
            outlet=self.source,
            title=self.source_title,
            published=self.source_date,
            url=self.source_url,
            section=self.section,
            kind=SourceKind.ARTICLE if not self.verified else SourceKind.NEWS,
        )

    @property
    def title_line(self) -> str:
        """The state in plain words: the headline, or the statement where there is none."""
        return self.headline or self.statement

    def as_news_draft(self) -> NewsDraft:
        """The draft that would record this fact as it stands (news supersedes at most one fact)."""
        return NewsDraft(
            topic=self.topic,
            statement=self.statement,
            status=self.status,
            source=self.source,
            as_of=self.as_of,
            supersedes_id=self.supersedes_id,
            character_ids=self.character_ids,
            headline=self.headline,
            source_title=self.source_title,
            source_url=self.source_url,
        )

    @property
    def search_text(self) -> str:
        """What a search over facts looks in, folded for case."""
        parts = (
            self.headline,
            self.statement,
            self.source,
            self.source_title,
            self.section,
            self.topic.label,
        )
        return " ".join(parts).casefold()


@dataclass(frozen=True, slots=True)
class NewsDraft:
    """A fact a person records when news breaks. It supersedes nothing unless asked to."""

    topic: Topic
    statement: str
    status: FactStatus
    source: str
    as_of: date
    supersedes_id: int | None = None
    character_ids: tuple[int, ...] = ()
    headline: str = ""
    source_title: str = ""
    source_url: str = ""


@dataclass(frozen=True, slots=True)
class TopicCard:
    """One card of the Status tab: the state of a topic and what came before.

    ``current`` is the newest live fact of the firmest kind (a rumour never buries a reported
    fact); ``newer_talk`` are live rumours and guesses dated after it.
    """

    topic: Topic
    current: Fact | None
    history: tuple[Fact, ...]
    open_theories: int
    newer_talk: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class CitingTheory:
    id: int
    title: str
    status: TheoryStatus
    stance: Stance


@dataclass(frozen=True, slots=True)
class FactDetail:
    """One fact with its timeline: what it overtook or corrected, and what overtook or corrected it."""

    fact: Fact
    supersedes: tuple[Fact, ...]
    superseded_by: Fact | None
    contradicts: tuple[Fact, ...]
    contradicted_by: Fact | None
    citing: tuple[CitingTheory, ...]
    characters: tuple[CharacterRef, ...]


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
    return_status: Fact | None
    theory_count: int
    open_theory_count: int
    full_name: str = ""
    actor_note: str = ""
    sources: tuple[SourceRef, ...] = ()
    verified: bool = True

    @property
    def display_name(self) -> str:
        return self.full_name or self.name


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
    date: date | None
    note: str = ""
    kind: SourceKind = SourceKind.NEWS
    title: str = ""
    url: str = ""

    def ref(self, section: str = "") -> SourceRef:
        return SourceRef(self.name, self.title, self.date, self.url, section, self.kind, self.note)


@dataclass(frozen=True, slots=True)
class PackCharacter:
    key: str
    name: str
    actor: str | None
    company: Company
    role: RoleKind
    description: str
    season1_arc: str
    sources: tuple[SourceRef, ...]
    full_name: str = ""
    actor_note: str = ""
    #: Keys of characters of an older edition that turned out to be this one.
    replaces: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return any(s.kind is not SourceKind.ARTICLE for s in self.sources)


@dataclass(frozen=True, slots=True)
class PackFact:
    key: str
    topic: Topic
    statement: str
    status: FactStatus
    source: SourceRef
    as_of: date
    supersedes: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()
    headline: str = ""

    @property
    def verified(self) -> bool:
        """A guess is the source's own; any other claim needs a source beyond the article."""
        return self.source.kind is not SourceKind.ARTICLE or self.status is FactStatus.SPECULATION


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


#: The highest edition a canon pack may have (the export carries it, the import reads it back).
PACK_VERSION_MAX = 2**31


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
    #: Facts a better source now shows to be wrong.
    contradicted: tuple[str, ...] = ()
    #: Older character keys folded into the character that replaces them: (old, new).
    characters_merged: tuple[tuple[str, str], ...] = ()
    characters_added: tuple[str, ...] = ()
    characters_changed: tuple[str, ...] = ()
    starters_added: tuple[str, ...] = ()
    affected_theory_ids: tuple[int, ...] = field(default=())
