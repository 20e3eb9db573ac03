"""The SQLAlchemy models. These never leave the storage and service layers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

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
from etoile_app.storage import sort_keys

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without an offset (SQLite has no time zones) and hands back aware UTC values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum(enum_cls: type, name: str) -> Enum:
    # Store the values ("villain_arc"), checked by a named constraint, portable to PostgreSQL.
    return Enum(
        enum_cls,
        name=name,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=24,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


theory_tags = Table(
    "theory_tags",
    Base.metadata,
    Column("theory_id", ForeignKey("theories.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

theory_characters = Table(
    "theory_characters",
    Base.metadata,
    Column("theory_id", ForeignKey("theories.id", ondelete="CASCADE"), primary_key=True),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True, index=True),
)

fact_characters = Table(
    "fact_characters",
    Base.metadata,
    Column("fact_id", ForeignKey("canon_facts.id", ondelete="CASCADE"), primary_key=True),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TheoryRecord(Base):
    __tablename__ = "theories"
    __table_args__ = (
        CheckConstraint("confidence BETWEEN 1 AND 99", name="confidence_range"),
        CheckConstraint("juiciness IS NULL OR juiciness BETWEEN 1 AND 5", name="juiciness_range"),
        CheckConstraint("length(title) BETWEEN 1 AND 200", name="title_length"),
        Index("ix_theories_live_updated", "deleted_at", "updated_at", "id"),
        # The board filters and sorts live theories: with deleted_at first, a count is read
        # from the index alone and the first page of a sort by the column is an index walk.
        Index("ix_theories_live_category", "deleted_at", "category"),
        Index("ix_theories_live_confidence", "deleted_at", "confidence"),
        Index("ix_theories_live_status", "deleted_at", "status"),
        # The Resolve-by column's order and the Due filter's count, read from an index.
        Index("ix_theories_live_resolve_by", "deleted_at", "resolve_by", "status"),
        # The board's title order (see storage.sort_keys), read from an index.
        Index("ix_theories_live_title_key", "deleted_at", "title_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(_enum(Category, "category"))
    confidence: Mapped[int] = mapped_column(Integer)
    juiciness: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[TheoryStatus] = mapped_column(_enum(TheoryStatus, "theory_status"))
    resolve_by: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starter_key: Mapped[str | None] = mapped_column(String(80), index=True)
    # Denormalised for full-text search and sorting; written only through storage.search_columns.
    tags_text: Mapped[str] = mapped_column(Text, default="")
    characters_text: Mapped[str] = mapped_column(Text, default="")
    #: The title as the board sorts it, set with the title (storage.sort_keys); byte order
    #: on PostgreSQL whatever the server's collation.
    title_key: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"), default="", server_default=""
    )
    #: Counts the theory's changes: an UPDATE from a stale copy matches no row and fails
    #: (SQLAlchemy's version counter), and the services refuse a save made from one.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The member who wrote it (``None`` in a journal of one). Left unset, a server fills in
    #: the login's member (migration 0010), and only that member may change it.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecasters.id"), index=True, server_default=FetchedValue()
    )

    tags: Mapped[list[TagRecord]] = relationship(
        secondary=theory_tags, order_by="TagRecord.name", passive_deletes=True
    )
    characters: Mapped[list[CharacterRecord]] = relationship(
        secondary=theory_characters, order_by="CharacterRecord.name", passive_deletes=True
    )
    evidence: Mapped[list[EvidenceRecord]] = relationship(
        back_populates="theory",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EvidenceRecord.id",
    )
    #: Its forecasts, oldest first; for a multiple-choice theory, each is one option's.
    history: Mapped[list[ForecastRecord]] = relationship(
        back_populates="theory",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ForecastRecord.changed_at, ForecastRecord.id)",
    )
    #: A multiple-choice theory's options, in order (none: a yes/no theory).
    options: Mapped[list[OptionRecord]] = relationship(
        back_populates="theory",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OptionRecord.position",
    )
    #: The theory this one depends on, if any (see :class:`ConditionRecord`).
    condition_link: Mapped[ConditionRecord | None] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="ConditionRecord.theory_id",
        back_populates="theory",
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @validates("title")
    def _keep_title_key(self, _key: str, title: str) -> str:
        self.title_key = sort_keys.title_key(title)
        return title

    earlier_resolutions: Mapped[list[ResolutionRecord]] = relationship(
        back_populates="theory",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ResolutionRecord.resolved_at, ResolutionRecord.id)",
    )


#: A theory's own columns, besides its id and the two derived list columns: the record, the
#: domain's ``Theory`` and a file's ``TheoryEntry`` all name them alike, and every copy from one
#: to another goes by this list (see ``mapping.theory_columns``). A new column joins it here.
THEORY_COLUMNS = (
    "uid",
    "title",
    "body",
    "category",
    "confidence",
    "juiciness",
    "status",
    "resolve_by",
    "resolved_on",
    "resolved_at",
    "resolution_note",
    "created_at",
    "updated_at",
    "deleted_at",
    "starter_key",
)


class TagRecord(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class PersonRecord(Base):
    """Someone who plays a character (or is dream-cast)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class CharacterRecord(Base):
    __tablename__ = "characters"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    company: Mapped[Company] = mapped_column(_enum(Company, "company"))
    role: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    season1_arc: Mapped[str] = mapped_column(Text, default="")
    full_name: Mapped[str] = mapped_column(String(200), default="")
    actor_note: Mapped[str] = mapped_column(String(200), default="")
    # Where the description and arc come from: a list of {outlet, title, date, url, section, kind}.
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)

    actor: Mapped[PersonRecord | None] = relationship(lazy="joined")


class FactRecord(Base):
    __tablename__ = "canon_facts"
    __table_args__ = (Index("ix_canon_facts_topic_as_of", "topic", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Pack facts keep the pack's key; user facts get a generated "user-…" key.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    topic: Mapped[Topic] = mapped_column(_enum(Topic, "topic"))
    statement: Mapped[str] = mapped_column(Text)
    # The state in plain words ("Cancelled after one season"); may be empty.
    headline: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[FactStatus] = mapped_column(_enum(FactStatus, "fact_status"))
    # The source: outlet, the piece's title, its address and date, and for a long article its section.
    source: Mapped[str] = mapped_column(String(400))
    source_title: Mapped[str] = mapped_column(String(400), default="")
    source_url: Mapped[str] = mapped_column(String(1000), default="")
    source_date: Mapped[date | None] = mapped_column(Date)
    section: Mapped[str] = mapped_column(String(400), default="")
    # False where the fact rests on the fan-site article alone.
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    as_of: Mapped[date] = mapped_column(Date)
    # The timeline lives on the older fact: each fact is overtaken by at most one newer fact
    # and shown wrong by at most one correction, while one fact may overtake many.
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("canon_facts.id", ondelete="SET NULL"), index=True
    )
    contradicted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("canon_facts.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[FactOrigin] = mapped_column(_enum(FactOrigin, "fact_origin"))
    pack_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    characters: Mapped[list[CharacterRecord]] = relationship(
        secondary=fact_characters, order_by="CharacterRecord.name", passive_deletes=True
    )


class EvidenceRecord(Base):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("theory_id", "fact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theory_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"))
    fact_id: Mapped[int] = mapped_column(ForeignKey("canon_facts.id", ondelete="CASCADE"), index=True)
    stance: Mapped[Stance] = mapped_column(_enum(Stance, "stance"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theory: Mapped[TheoryRecord] = relationship(back_populates="evidence")
    fact: Mapped[FactRecord] = relationship(lazy="joined")


class ForecasterRecord(Base):
    """Someone who forecasts. A journal of one has nobody here: its forecasts are its owner's
    (``forecaster_id`` NULL); a club's members each have a row."""

    __tablename__ = "forecasters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The database login that acts as this forecaster, where the journal has logins.
    login: Mapped[str | None] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OptionRecord(Base):
    """One named answer of a multiple-choice theory (Jack / Gael / nobody)."""

    __tablename__ = "theory_options"
    __table_args__ = (
        UniqueConstraint("theory_id", "name"),
        CheckConstraint("length(name) BETWEEN 1 AND 60", name="name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theory_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    #: The option that happened, once the theory is resolved as confirmed (one at most).
    happened: Mapped[bool] = mapped_column(Boolean, default=False)

    theory: Mapped[TheoryRecord] = relationship(back_populates="options")


class ConditionRecord(Base):
    """That a theory depends on another: "if Étoile returns, Cheyenne runs the Met" holds
    only if "Étoile returns" does. The condition busted or void, the theory is void."""

    __tablename__ = "theory_conditions"

    theory_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"), primary_key=True)
    condition_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"), index=True)

    theory: Mapped[TheoryRecord] = relationship(foreign_keys=[theory_id], back_populates="condition_link")
    condition: Mapped[TheoryRecord] = relationship(foreign_keys=[condition_id])


class ForecastRecord(Base):
    """A probability given at a time, with an optional note: for a yes/no theory, that it comes
    true; for a multiple-choice one, that its option (``option_id``) is what happens."""

    __tablename__ = "forecasts"
    __table_args__ = (
        CheckConstraint("confidence BETWEEN 1 AND 99", name="confidence_range"),
        # A member's forecasts: "theories I have not forecast yet", the club's scores.
        Index("ix_forecasts_forecaster_theory", "forecaster_id", "theory_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theory_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("theory_options.id", ondelete="CASCADE"), index=True
    )
    #: Who made it (``None``: the journal's owner). Left unset, a server fills in the login's
    #: member (migration 0010), and only that member may change it.
    forecaster_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecasters.id"), index=True, server_default=FetchedValue()
    )
    confidence: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    theory: Mapped[TheoryRecord] = relationship(back_populates="history")
    option: Mapped[OptionRecord | None] = relationship()


class ResolutionRecord(Base):
    """A resolution a theory had before it was reopened (or resolved again another way)."""

    __tablename__ = "earlier_resolutions"
    __table_args__ = (CheckConstraint("status <> 'open'", name="settled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theory_id: Mapped[int] = mapped_column(ForeignKey("theories.id", ondelete="CASCADE"), index=True)
    status: Mapped[TheoryStatus] = mapped_column(_enum(TheoryStatus, "theory_status"))
    resolved_on: Mapped[date] = mapped_column(Date)
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: For a multiple-choice theory confirmed: the name of the option that happened.
    option: Mapped[str | None] = mapped_column(String(60))

    theory: Mapped[TheoryRecord] = relationship(back_populates="earlier_resolutions")


class DreamCastRecord(Base):
    __tablename__ = "dream_casting"
    __table_args__ = (CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_idea: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    character_id: Mapped[int | None] = mapped_column(
        ForeignKey("characters.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The member who made it (``None`` in a journal of one); see ``TheoryRecord.author_id``.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecasters.id"), index=True, server_default=FetchedValue()
    )

    character: Mapped[CharacterRecord | None] = relationship(lazy="joined")


class StarterRecord(Base):
    """A starter theory from the canon pack, ready to be adopted."""

    __tablename__ = "starter_theories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(_enum(Category, "category"))
    character_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(Integer, default=0)


class CanonPackRecord(Base):
    """Each canon pack edition applied to this database."""

    __tablename__ = "canon_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    as_of: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
