"""A club's track record: every member's scores side by side, read fresh on every call.

Which forecasts count is decided here, in SQL; the maths is :mod:`etoile_app.domain.club_scoring`.
A member's forecast on a question is their last one at or before ``resolved_at`` (ties by id),
option by option on a multiple-choice question; there is no fallback to the theory's own
confidence, which is nobody's in particular. Only live theories count, resolved confirmed or
busted (multiple choice: confirmed with one option that happened), whose condition, if any,
held. Forecasts with no member (a solo journal's owner) are not a member's and never count here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from etoile_app.domain import club_scoring
from etoile_app.domain.club_scoring import ClubMember, ClubQuestion, Leaderboard
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.scoring import CalibrationBin
from etoile_app.services.base import Service
from etoile_app.services.track_record import SCORED, H, T, condition_held, is_choice
from etoile_app.storage.models import ForecasterRecord, OptionRecord


class ClubRecordService(Service):
    def has_club(self) -> bool:
        """Whether the journal has two members or more (a solo journal has none)."""
        with self._sessions() as s:
            found = s.scalars(select(ForecasterRecord.id).limit(2)).all()
        return len(found) >= 2

    def members(self) -> tuple[ClubMember, ...]:
        """Every member, by name."""
        with self._sessions() as s:
            return self._members(s)

    def leaderboard(self) -> Leaderboard:
        """Each member's number of questions, mean Brier (0–2) and log score, and Brier score
        relative to the club; and the same for the club median forecast."""
        with self._sessions() as s:
            # Forecasts first: a member who joins meanwhile is then in the list read after
            # (on a server each statement sees what was committed before it), never missing.
            questions = self._questions(s)
            members = self._members(s)
        return club_scoring.leaderboard(members, questions)

    def calibration(self, member_id: int | None) -> tuple[CalibrationBin, ...]:
        """The non-empty calibration bins of one member's calls, or of the club median forecast's
        (``None``). A member with nothing scored, or an id nobody has, has none."""
        with self._sessions() as s:
            questions = self._questions(s, member_id)
        return club_scoring.calibration(questions, member_id)

    def questions(self) -> list[ClubQuestion]:
        """Every scored question with each member's forecast in force at resolution."""
        with self._sessions() as s:
            return self._questions(s)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _members(s: Session) -> tuple[ClubMember, ...]:
        rows = s.execute(select(ForecasterRecord.id, ForecasterRecord.name)).all()
        return tuple(sorted((ClubMember(i, n) for i, n in rows), key=lambda m: (m.name.casefold(), m.id)))

    @staticmethod
    def _questions(s: Session, member_id: int | None = None) -> list[ClubQuestion]:
        """One query: each member's last forecast per theory (and option) at or before its
        resolution, with the option's place among the theory's options. With ``member_id``,
        only that member's (the club median needs everyone's)."""
        wanted = [H.forecaster_id == member_id] if member_id is not None else [H.forecaster_id.is_not(None)]
        # The scored theories first, so their conditions are checked once each, not per forecast.
        scored = (
            select(T.id, T.status, T.resolved_at, is_choice().label("choice"))
            .where(T.deleted_at.is_(None), T.status.in_(SCORED), condition_held())
            .subquery()
        )
        last = (
            select(
                H.theory_id,
                H.option_id,
                H.forecaster_id,
                H.confidence,
                scored.c.status,
                func.row_number()
                .over(
                    partition_by=(H.theory_id, H.option_id, H.forecaster_id),
                    order_by=(H.changed_at.desc(), H.id.desc()),
                )
                .label("recency"),
            )
            .join(scored, scored.c.id == H.theory_id)
            .where(
                *wanted,
                H.changed_at <= scored.c.resolved_at,
                or_(
                    and_(H.option_id.is_(None), ~scored.c.choice),
                    and_(H.option_id.is_not(None), scored.c.status == TheoryStatus.CONFIRMED),
                ),
            )
            .subquery()
        )
        # Every option of a settled multiple-choice theory, so that an option nobody forecast
        # still has its place and leaves the forecasts that skipped it incomplete.
        options = (
            select(
                OptionRecord.id,
                (
                    func.row_number().over(
                        partition_by=OptionRecord.theory_id, order_by=(OptionRecord.position, OptionRecord.id)
                    )
                    - 1
                ).label("place"),
                func.count().over(partition_by=OptionRecord.theory_id).label("count"),
                OptionRecord.happened,
            )
            .join(T, T.id == OptionRecord.theory_id)
            .where(T.deleted_at.is_(None), T.status == TheoryStatus.CONFIRMED)
            .subquery()
        )
        rows = s.execute(
            select(
                last.c.theory_id,
                last.c.status,
                last.c.forecaster_id,
                last.c.confidence,
                options.c.place,
                options.c.count,
                options.c.happened,
            )
            .select_from(last)
            .outerjoin(options, options.c.id == last.c.option_id)
            .where(last.c.recency == 1)
            .order_by(last.c.theory_id, last.c.forecaster_id, options.c.place)
        ).all()
        return _assemble(rows)


def _assemble(rows: list[Any]) -> list[ClubQuestion]:
    """Rows of (theory, status, member, confidence, place, count, happened) as questions."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.theory_id].append(row)
    out = []
    for theory_id, items in grouped.items():
        count = items[0].count
        if count is None:  # yes/no
            confirmed = items[0].status is TheoryStatus.CONFIRMED
            out.append(
                ClubQuestion.yes_no(theory_id, confirmed, {r.forecaster_id: r.confidence for r in items})
            )
            continue
        happened = {r.place for r in items if r.happened}
        if len(happened) != 1:
            continue  # not settled by one option, or nobody forecast the one that happened
        confidences: dict[int, list[int | None]] = {}
        for r in items:
            confidences.setdefault(r.forecaster_id, [None] * count)[r.place] = r.confidence
        out.append(ClubQuestion.choice(theory_id, happened.pop(), confidences, count))
    return out
