"""The track record: how good the calls were, read fresh from the database on every call.

Which theories count is decided here, in SQL; the maths is :mod:`etoile_app.domain.scoring`.
A theory is scored with the confidence *in force at resolution*: the last forecast at or
before ``resolved_at`` (ties by id), else its current confidence. Deleted theories never count.
A multiple-choice theory settled by an option is scored apart (its Brier runs from 0 to 2), and
each of its options is a call on the calibration chart. A conditional theory counts only if
its condition held (was confirmed). Nothing is cached, so resolving, reopening or re-rating
shows up on the next call.

Made for one member of a club (``forecaster_id``), it is that member's record: the confidence in
force is their own last forecast at or before resolution, with no fallback to the theory's
confidence (which may be another member's), and a theory they never forecast by then is left
out of the scores, the calibration, the bold calls and the multiple-choice ones. The void and
open counts, and the conditional ones, are of the theories they forecast.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from etoile_app.domain import rules, scoring
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.models import CharacterRef
from etoile_app.domain.scoring import (
    BoldCall,
    CalibrationBin,
    CalibrationRanking,
    ChoiceForecast,
    DueTheory,
    Forecast,
    TrackSummary,
)
from etoile_app.services.base import Clock, Service, load_characters, system_clock
from etoile_app.storage.models import (
    CharacterRecord,
    ConditionRecord,
    ForecastRecord,
    OptionRecord,
    TagRecord,
    TheoryRecord,
    theory_characters,
    theory_tags,
)
from etoile_app.storage.theory_queries import tag_condition

T = TheoryRecord
H = ForecastRecord
SCORED = (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED)


def _in_force(forecaster_id: int | None = None) -> ColumnElement[int]:
    """The confidence in force when ``T`` was resolved, as a correlated SQL expression: the
    journal's (else the theory's current confidence), or one member's (else NULL)."""
    last = (
        select(H.confidence)
        .where(
            H.theory_id == T.id,
            H.option_id.is_(None),
            H.changed_at <= T.resolved_at,
            *_by(forecaster_id),
        )
        .order_by(H.changed_at.desc(), H.id.desc())
        .limit(1)
        .correlate(T)
        .scalar_subquery()
    )
    return last if forecaster_id is not None else func.coalesce(last, T.confidence)


def _by(forecaster_id: int | None) -> list[ColumnElement[bool]]:
    """Forecasts by ``forecaster_id``, or everyone's."""
    return [] if forecaster_id is None else [H.forecaster_id == forecaster_id]


def _forecast_by(forecaster_id: int) -> ColumnElement[bool]:
    """``T`` has a forecast by the member: before its resolution, or at all while it is open."""
    return exists(
        select(1)
        .where(
            H.theory_id == T.id,
            H.forecaster_id == forecaster_id,
            or_(T.resolved_at.is_(None), H.changed_at <= T.resolved_at),
        )
        .correlate(T)
    )


def is_choice() -> ColumnElement[bool]:
    """``T`` is a multiple-choice theory."""
    option = aliased(OptionRecord)
    return exists(select(1).where(option.theory_id == T.id).correlate(T))


def condition_held() -> ColumnElement[bool]:
    """No condition, or a condition that was confirmed."""
    condition = aliased(TheoryRecord)
    unheld = (
        select(1)
        .select_from(ConditionRecord)
        .join(condition, condition.id == ConditionRecord.condition_id)
        .where(ConditionRecord.theory_id == T.id, condition.status != TheoryStatus.CONFIRMED)
        .correlate(T)
    )
    return ~exists(unheld)


def _scored_conditions() -> list[ColumnElement[bool]]:
    return [T.deleted_at.is_(None), T.status.in_(SCORED), ~is_choice(), condition_held()]


class TrackRecordService(Service):
    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock = system_clock, forecaster_id: int | None = None
    ) -> None:
        super().__init__(sessions, clock)
        #: Whose record this is: a club member's, or (``None``) the whole journal's.
        self.forecaster_id = forecaster_id

    def _mine(self) -> list[ColumnElement[bool]]:
        """Theories the member forecast (nothing to add for the whole journal)."""
        return [] if self.forecaster_id is None else [_forecast_by(self.forecaster_id)]

    def _forecast(self, in_force: ColumnElement[int]) -> list[ColumnElement[bool]]:
        """A member's record leaves out what they had not forecast by resolution (the
        journal's confidence in force is never NULL: nothing to add)."""
        return [] if self.forecaster_id is None else [in_force.is_not(None)]

    # --- scores ----------------------------------------------------------------------------

    def summary(self) -> TrackSummary:
        """Mean Brier and log scores overall and by category, tag and character, with counts."""
        with self._sessions() as s:
            forecasts = self._forecasts(s, [], details=True)
            choices = self._choices(s, [])
            counts = dict(
                s.execute(
                    select(T.status, func.count())
                    .where(T.deleted_at.is_(None), *self._mine())
                    .group_by(T.status)
                ).all()
            )
            conditional = and_(
                T.deleted_at.is_(None),
                T.status.in_(SCORED),
                exists(select(1).where(ConditionRecord.theory_id == T.id)),
                *self._mine(),
            )
            # Grouped outside the per-theory look-up: PostgreSQL refuses to group by an
            # expression that reads the outer row.
            flags = select(condition_held().label("held")).where(conditional).subquery()
            held = dict(s.execute(select(flags.c.held, func.count()).group_by(flags.c.held)).all())
        return TrackSummary(
            overall=scoring.summarize(forecasts),
            void_count=counts.get(TheoryStatus.VOID, 0),
            open_count=counts.get(TheoryStatus.OPEN, 0),
            by_category=scoring.by_category(forecasts),
            by_tag=scoring.by_tag(forecasts),
            by_character=scoring.by_character(forecasts),
            choices=scoring.summarize_choices(choices),
            conditional_counted=held.get(True, 0),
            conditional_left_out=held.get(False, 0),
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
            forecasts += [call for choice in self._choices(s, conditions) for call in choice.as_calls()]
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
        in_force = _in_force(self.forecaster_id).label("in_force")
        stmt = (
            select(T.id, T.title, T.category, in_force, T.juiciness, T.resolved_on, T.resolved_at)
            .where(
                T.deleted_at.is_(None),
                T.status == TheoryStatus.CONFIRMED,
                ~is_choice(),
                *self._forecast(in_force),
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

    def choices(self) -> list[ChoiceForecast]:
        """The multiple-choice theories settled by an option, as scoring sees them."""
        with self._sessions() as s:
            return self._choices(s, [])

    # --- helpers ---------------------------------------------------------------------------

    def _choices(self, s: Session, conditions: list[ColumnElement[bool]]) -> list[ChoiceForecast]:
        """Multiple-choice theories confirmed with an option (their condition held), each
        option's confidence in force at resolution, in the options' order."""
        where = and_(
            T.deleted_at.is_(None),
            T.status == TheoryStatus.CONFIRMED,
            is_choice(),
            condition_held(),
            *conditions,
        )
        in_force = (
            select(H.confidence)
            .where(H.option_id == OptionRecord.id, H.changed_at <= T.resolved_at, *_by(self.forecaster_id))
            .order_by(H.changed_at.desc(), H.id.desc())
            .limit(1)
            .correlate(OptionRecord, T)
            .scalar_subquery()
        )
        rows = s.execute(
            select(T.id, T.category, OptionRecord.happened, in_force)
            .join(OptionRecord, OptionRecord.theory_id == T.id)
            .where(where)
            .order_by(T.id, OptionRecord.position)
        ).all()
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row)
        out = []
        for ident, options in grouped.items():
            happened = [i for i, r in enumerate(options) if r[2]]
            if len(happened) != 1 or any(r[3] is None for r in options):
                continue  # not settled by one option, or an option never forecast before it
            out.append(ChoiceForecast(ident, tuple(r[3] for r in options), happened[0], options[0][1]))
        return out

    def _forecasts(
        self, s: Session, conditions: list[ColumnElement[bool]], *, details: bool
    ) -> list[Forecast]:
        """Scored theories matching ``conditions``; with ``details``, their tags and characters."""
        in_force = _in_force(self.forecaster_id)
        where = and_(*_scored_conditions(), *self._forecast(in_force), *conditions)
        rows = s.execute(select(T.id, in_force, T.status, T.category).where(where).order_by(T.id)).all()
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
