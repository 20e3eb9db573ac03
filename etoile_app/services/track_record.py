"""The track record: how good the calls were, read fresh from the database on every call.

Which theories count is decided here, in SQL; the maths is :mod:`etoile_app.domain.scoring`.
A theory is scored with the confidence *in force at resolution*: the last history entry at or
before ``resolved_at`` (ties by id), else its current confidence. Deleted theories never count.
Nothing is cached, so resolving, reopening or re-rating shows up on the next call.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from etoile_app.domain import rules, scoring
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import CharacterRef
from etoile_app.domain.scoring import (
    BoldCall,
    CalibrationBin,
    CalibrationRanking,
    DueTheory,
    Forecast,
    TrackSummary,
)
from etoile_app.services.base import Service, load_characters
from etoile_app.storage.models import (
    CharacterRecord,
    ForecastRecord,
    TagRecord,
    TheoryRecord,
    theory_characters,
    theory_tags,
)
from etoile_app.storage.theory_queries import tag_condition

T = TheoryRecord
H = ForecastRecord
SCORED = (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED)


def _in_force() -> ColumnElement[int]:
    """The confidence in force when ``T`` was resolved, as a correlated SQL expression."""
    last = (
        select(H.confidence)
        .where(H.theory_id == T.id, H.changed_at <= T.resolved_at)
        .order_by(H.changed_at.desc(), H.id.desc())
        .limit(1)
        .correlate(T)
        .scalar_subquery()
    )
    return func.coalesce(last, T.confidence)


def _scored_conditions() -> list[ColumnElement[bool]]:
    return [T.deleted_at.is_(None), T.status.in_(SCORED)]


class TrackRecordService(Service):
    # --- scores ----------------------------------------------------------------------------

    def summary(self) -> TrackSummary:
        """Mean Brier and log scores overall and by category, tag and character, with counts."""
        with self._sessions() as s:
            forecasts = self._forecasts(s, [], details=True)
            counts = dict(
                s.execute(
                    select(T.status, func.count()).where(T.deleted_at.is_(None)).group_by(T.status)
                ).all()
            )
        return TrackSummary(
            overall=scoring.summarize(forecasts),
            void_count=counts.get(TheoryStatus.VOID, 0),
            open_count=counts.get(TheoryStatus.OPEN, 0),
            by_category=scoring.by_category(forecasts),
            by_tag=scoring.by_tag(forecasts),
            by_character=scoring.by_character(forecasts),
        )

    # --- calibration -----------------------------------------------------------------------

    def calibration(
        self,
        *,
        category: Category | str | None = None,
        tag: str | None = None,
        character_id: int | None = None,
    ) -> tuple[CalibrationBin, ...]:
        """The non-empty confidence bins, lowest first, optionally for one category, one tag
        (with its children: ``romance`` takes in ``romance/jack-cheyenne``) or one character;
        given together, the filters combine with AND."""
        conditions: list[ColumnElement[bool]] = []
        if category is not None:
            conditions.append(T.category == rules.clean_choice(category, Category, "category"))
        if tag is not None:
            conditions.append(tag_condition(frozenset([rules.normalise_tag(tag)])))
        with self._sessions() as s:
            if character_id is not None:
                load_characters(s, [character_id])  # an unknown character is an error, not "no data"
                conditions.append(
                    exists(
                        select(1).where(
                            theory_characters.c.theory_id == T.id,
                            theory_characters.c.character_id == character_id,
                        )
                    )
                )
            forecasts = self._forecasts(s, conditions, details=False)
        return scoring.calibration(forecasts)

    def category_ranking(
        self,
        min_resolved: int = scoring.MIN_RESOLVED_PER_CATEGORY,
        limit: int = scoring.RANKED_CATEGORIES_SHOWN,
    ) -> CalibrationRanking:
        """The most and least calibrated categories among those with ``min_resolved`` scored
        theories; empty lists when none has that many."""
        with self._sessions() as s:
            forecasts = self._forecasts(s, [], details=False)
        return scoring.rank_categories(forecasts, min_resolved, limit)

    # --- lists -----------------------------------------------------------------------------

    def ready_to_resolve(self) -> list[DueTheory]:
        """Open theories whose resolve-by date is before today, oldest deadline first."""
        today = self.today()
        stmt = (
            select(T.id, T.title, T.category, T.confidence, T.juiciness, T.resolve_by)
            .where(T.deleted_at.is_(None), T.status == TheoryStatus.OPEN, T.resolve_by < today)
            .order_by(T.resolve_by.asc(), T.id.asc())
        )
        with self._sessions() as s:
            rows = s.execute(stmt).all()
        return [
            DueTheory(
                theory_id=r.id,
                title=r.title,
                category=r.category,
                confidence=r.confidence,
                juiciness=r.juiciness,
                resolve_by=r.resolve_by,
                days_overdue=(today - r.resolve_by).days,
            )
            for r in rows
        ]

    def bold_calls(self) -> list[BoldCall]:
        """Confirmed theories called at ≤ 30 % or rated ≥ 4 stars: lowest confidence first,
        then juiciest, then most recently resolved."""
        in_force = _in_force().label("in_force")
        stmt = (
            select(T.id, T.title, T.category, in_force, T.juiciness, T.resolved_on, T.resolved_at)
            .where(
                T.deleted_at.is_(None),
                T.status == TheoryStatus.CONFIRMED,
                or_(in_force <= scoring.BOLD_MAX_CONFIDENCE, T.juiciness >= scoring.BOLD_MIN_JUICINESS),
            )
            .order_by(
                in_force.asc(),
                T.juiciness.desc().nulls_last(),
                T.resolved_at.desc().nulls_last(),
                T.id.asc(),
            )
        )
        with self._sessions() as s:
            rows = s.execute(stmt).all()
        return [
            BoldCall(
                theory_id=r.id,
                title=r.title,
                category=r.category,
                confidence=r.in_force,
                juiciness=r.juiciness,
                resolved_on=r.resolved_on,
                resolved_at=r.resolved_at,
            )
            for r in rows
        ]

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _forecasts(s: Session, conditions: list[ColumnElement[bool]], *, details: bool) -> list[Forecast]:
        """Scored theories matching ``conditions``; with ``details``, their tags and characters."""
        where = and_(*_scored_conditions(), *conditions)
        rows = s.execute(select(T.id, _in_force(), T.status, T.category).where(where).order_by(T.id)).all()
        tags: dict[int, list[str]] = defaultdict(list)
        characters: dict[int, list[CharacterRef]] = defaultdict(list)
        if details and rows:
            # Sub-selects, not id lists: SQLite caps bound parameters, and journals grow.
            ids = select(T.id).where(where)
            tag_rows: Any = s.execute(
                select(theory_tags.c.theory_id, TagRecord.name)
                .join(TagRecord, TagRecord.id == theory_tags.c.tag_id)
                .where(theory_tags.c.theory_id.in_(ids))
                .order_by(TagRecord.name)
            )
            for theory_id, name in tag_rows:
                tags[theory_id].append(name)
            character_rows: Any = s.execute(
                select(theory_characters.c.theory_id, CharacterRecord.id, CharacterRecord.name)
                .join(CharacterRecord, CharacterRecord.id == theory_characters.c.character_id)
                .where(theory_characters.c.theory_id.in_(ids))
                .order_by(CharacterRecord.name)
            )
            for theory_id, ident, name in character_rows:
                characters[theory_id].append(CharacterRef(ident, name))
        return [
            Forecast(
                theory_id=ident,
                confidence=confidence,
                confirmed=status is TheoryStatus.CONFIRMED,
                category=category,
                tags=tuple(tags.get(ident, ())),
                characters=tuple(characters.get(ident, ())),
            )
            for ident, confidence, status, category in rows
        ]
