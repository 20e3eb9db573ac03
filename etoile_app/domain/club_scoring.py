"""A club's members scored side by side, as Good Judgment Open does: a leaderboard, the club's
median forecast, and each member's score relative to the club.

Pure maths over plain records, standard library only. The club-record service picks each
member's forecasts in force at resolution in SQL and hands them here as :class:`ClubQuestion`
values; the single-forecast maths is :mod:`etoile_app.domain.scoring`.

Conventions, so the numbers mean the same everywhere:

- **One scale for every question.** The leaderboard scores yes/no and multiple-choice questions
  alike, as Good Judgment Open does: a yes/no question is a question of two options (yes at p,
  no at 1 − p), so its Brier score runs from 0 to 2 (twice :func:`scoring.brier`) like a
  multiple-choice one (:func:`scoring.choice_brier`), and one mean covers both. The log score is
  the natural log of the probability given to what happened, on either kind. (A member's own
  track record keeps yes/no on the 0–1 scale and multiple choice apart; halve the leaderboard's
  Brier of a yes/no-only member to compare.)
- **Complete forecasts only.** A member's forecast on a multiple-choice question counts only
  if they gave every option a confidence before resolution; otherwise the question is left out
  for them (``None`` in :attr:`MemberForecast.confidences`).
- **The club median forecast** on a question is, option by option, the median of the
  probabilities of the members whose forecast counts (the mean of the middle two for an even
  number), renormalised to sum to 1. On a yes/no question that is simply the median
  P(yes): the medians of p and of 1 − p already sum to 1. It is scored like a member's forecast
  and shown as the "Club median" row. On the calibration chart its calls are rounded to whole
  percent.
- **Relative Brier.** On each question forecast by two members or more, the median of their
  Brier scores is the club's; a member's relative Brier is the mean, over those of *their*
  questions, of (their Brier − the club's). Negative is better than the club. A question only
  one member forecast is left out of it: there is no club to be compared with (counting it as 0
  would pull a prolific lone forecaster towards "as good as the club" on no evidence). The
  club median's own relative Brier compares the median forecast's Brier with the same medians.
- Calibration counts a yes/no question as one call (its P(yes)) and a multiple-choice one
  option by option, as the track record does (:meth:`scoring.ChoiceForecast.as_calls`).
- Means over nothing are ``None``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from etoile_app.domain import scoring
from etoile_app.domain.scoring import CalibrationBin, ChoiceForecast, Forecast

CLUB_MEDIAN = "Club median"

LEADERBOARD_BRIER_EXPLANATION = (
    "Mean Brier score on Good Judgment Open's 0–2 scale, over yes/no and multiple-choice questions "
    "alike: a yes/no question counts as two options (yes and no), so its score is twice the 0–1 "
    "Brier score of your own track record. 0 is perfect, 0.5 is what always saying 50 % on yes/no "
    "questions earns, 2 is certain and wrong. Lower is better."
)
LEADERBOARD_LOG_EXPLANATION = (
    "Mean log score: the natural log of the probability given to what happened. 0 is perfect, "
    "−0.69 is 50 % on what happened; closer to 0 is better."
)
RELATIVE_EXPLANATION = (
    "Brier score against the club: on each question two members or more forecast, the member's "
    "Brier score minus the median of those members' scores, averaged over the member's questions. "
    "Below 0 is better than the club, above 0 worse. Questions only one member forecast are left out."
)
MEDIAN_EXPLANATION = (
    "The club median: on each question, the median of the members' probabilities, option by "
    "option, rescaled to add up to 100 %, scored as if it were one more member's forecast."
)
QUESTIONS_EXPLANATION = (
    "Questions resolved as confirmed or busted (multiple choice: settled by an option) on which "
    "the member's forecast was in force at resolution. A multiple-choice question counts only if "
    "every option had a confidence by then."
)


# --- what goes in --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClubMember:
    """Someone in the club (a row of ``forecasters``)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class MemberForecast:
    """One member's confidences in force at resolution: yes/no, ``(P(yes),)``; multiple choice,
    one per option in the options' order, ``None`` for an option they never forecast by then."""

    member_id: int
    confidences: tuple[int | None, ...]

    @property
    def complete(self) -> bool:
        return all(c is not None for c in self.confidences)


@dataclass(frozen=True, slots=True)
class ClubQuestion:
    """A resolved question and every member's forecast on it.

    ``options`` is 0 for a yes/no question, else how many options it has. ``happened`` is, for
    yes/no, 1 confirmed and 0 busted; for multiple choice, the index of the option that happened.
    """

    theory_id: int
    happened: int
    forecasts: tuple[MemberForecast, ...]
    options: int = 0

    def __post_init__(self) -> None:
        width = self.options or 1
        if self.options == 1 or self.options < 0:
            raise ValueError(f"A multiple-choice question has two options or more, not {self.options}.")
        if not 0 <= self.happened < (self.options or 2):
            raise ValueError(f"Question {self.theory_id} has no outcome {self.happened}.")
        seen: set[int] = set()
        for f in self.forecasts:
            if f.member_id in seen:
                raise ValueError(f"Member {f.member_id} forecasts question {self.theory_id} twice.")
            seen.add(f.member_id)
            if len(f.confidences) != width:
                raise ValueError(
                    f"A forecast on question {self.theory_id} needs {width} confidence(s), "
                    f"not {len(f.confidences)}."
                )
            for c in f.confidences:
                if c is not None and not 0 < c < 100:
                    raise ValueError(f"A confidence is between 1 and 99, not {c}.")

    @classmethod
    def yes_no(cls, theory_id: int, confirmed: bool, forecasts: Mapping[int, int]) -> ClubQuestion:
        """A yes/no question from ``{member id: confidence in yes}``."""
        return cls(
            theory_id,
            1 if confirmed else 0,
            tuple(MemberForecast(m, (c,)) for m, c in forecasts.items()),
        )

    @classmethod
    def choice(
        cls, theory_id: int, happened: int, forecasts: Mapping[int, Sequence[int | None]], options: int
    ) -> ClubQuestion:
        """A multiple-choice question from ``{member id: confidences per option}``."""
        return cls(
            theory_id,
            happened,
            tuple(MemberForecast(m, tuple(c)) for m, c in forecasts.items()),
            options,
        )

    @property
    def is_choice(self) -> bool:
        return self.options > 0

    @property
    def counted(self) -> tuple[MemberForecast, ...]:
        """The forecasts that count: complete ones."""
        return tuple(f for f in self.forecasts if f.complete)

    def probabilities(self, forecast: MemberForecast) -> tuple[float, ...]:
        """A complete forecast as probabilities per option (yes/no: ``(p, 1 − p)``)."""
        ps = tuple(scoring.probability(c) for c in forecast.confidences if c is not None)
        return ps if self.is_choice else (ps[0], 1.0 - ps[0])

    @property
    def happened_index(self) -> int:
        """The option that happened among :meth:`probabilities` (yes/no: 0 yes, 1 no)."""
        return self.happened if self.is_choice else 1 - self.happened

    def calls(self, forecast: MemberForecast) -> list[Forecast]:
        """A complete forecast as calibration calls: one for yes/no, one per option otherwise."""
        confidences = tuple(c for c in forecast.confidences if c is not None)
        if not self.is_choice:
            return [Forecast(self.theory_id, confidences[0], self.happened == 1)]
        return ChoiceForecast(self.theory_id, confidences, self.happened).as_calls()


# --- one question --------------------------------------------------------------------------


def question_brier(probabilities: Sequence[float], happened: int) -> float:
    """The Brier score on the 0–2 scale (see the module's conventions)."""
    return scoring.choice_brier(probabilities, happened)


def question_log_score(probabilities: Sequence[float], happened: int) -> float:
    return scoring.choice_log_score(probabilities, happened)


def median_forecast(question: ClubQuestion) -> tuple[float, ...] | None:
    """The club's median probabilities per option (yes/no: ``(p, 1 − p)``), summing to 1;
    ``None`` when no member's forecast counts."""
    counted = [question.probabilities(f) for f in question.counted]
    if not counted:
        return None
    medians = [statistics.median(column) for column in zip(*counted, strict=True)]
    total = math.fsum(medians)
    return tuple(m / total for m in medians)


def _median_calls(question: ClubQuestion, probabilities: Sequence[float]) -> list[Forecast]:
    # Calibration bins take whole percent; the scores keep the exact median.
    confidences = tuple(min(max(math.floor(p * 100 + 0.5), 0), 100) for p in probabilities)
    if not question.is_choice:
        return [Forecast(question.theory_id, confidences[0], question.happened == 1)]
    return [Forecast(question.theory_id, c, i == question.happened) for i, c in enumerate(confidences)]


@dataclass(frozen=True, slots=True)
class QuestionScores:
    """Scores on one question: each counted member's, the club median forecast's, and the
    median of the members' Brier scores (``None`` unless two members or more count)."""

    theory_id: int
    is_choice: bool
    brier: Mapping[int, float]
    log_score: Mapping[int, float]
    median_brier: float | None
    median_log_score: float | None
    club_brier: float | None

    @property
    def compared(self) -> bool:
        return self.club_brier is not None


def score_question(question: ClubQuestion) -> QuestionScores:
    happened = question.happened_index
    brier: dict[int, float] = {}
    log: dict[int, float] = {}
    for f in question.counted:
        ps = question.probabilities(f)
        brier[f.member_id] = question_brier(ps, happened)
        log[f.member_id] = question_log_score(ps, happened)
    median = median_forecast(question)
    return QuestionScores(
        theory_id=question.theory_id,
        is_choice=question.is_choice,
        brier=brier,
        log_score=log,
        median_brier=None if median is None else question_brier(median, happened),
        median_log_score=None if median is None else question_log_score(median, happened),
        club_brier=statistics.median(brier.values()) if len(brier) >= 2 else None,
    )


# --- the leaderboard -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One member's figures, or the club median's (``member_id`` ``None``).

    ``questions`` counts the questions behind the means (``yes_no`` of them yes/no);
    ``compared`` those behind ``relative_brier`` (forecast by two members or more).
    """

    member_id: int | None
    name: str
    questions: int
    yes_no: int
    mean_brier: float | None  # 0–2 scale
    mean_log_score: float | None
    relative_brier: float | None
    compared: int

    @property
    def choices(self) -> int:
        return self.questions - self.yes_no

    @property
    def is_club_median(self) -> bool:
        return self.member_id is None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """Every member in the order given (none left out, even with nothing scored), and the club
    median. Sorting is the viewer's business."""

    members: tuple[LeaderboardRow, ...]
    club_median: LeaderboardRow

    @property
    def rows(self) -> tuple[LeaderboardRow, ...]:
        return (*self.members, self.club_median)


class _Tally:
    def __init__(self) -> None:
        self.brier: list[float] = []
        self.log: list[float] = []
        self.relative: list[float] = []
        self.yes_no = 0

    def add(self, brier: float, log: float, is_choice: bool, club: float | None) -> None:
        self.brier.append(brier)
        self.log.append(log)
        self.yes_no += not is_choice
        if club is not None:
            self.relative.append(brier - club)

    def row(self, member_id: int | None, name: str) -> LeaderboardRow:
        return LeaderboardRow(
            member_id=member_id,
            name=name,
            questions=len(self.brier),
            yes_no=self.yes_no,
            mean_brier=scoring.mean(self.brier),
            mean_log_score=scoring.mean(self.log),
            relative_brier=scoring.mean(self.relative),
            compared=len(self.relative),
        )


def leaderboard(members: Iterable[ClubMember], questions: Iterable[ClubQuestion]) -> Leaderboard:
    """Each member's and the club median's scores over ``questions``. A forecast by someone not
    among ``members`` is an error: they would sway the medians unseen."""
    people = list(members)
    known = {m.id for m in people}
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    club = _Tally()
    for question in questions:
        strangers = {f.member_id for f in question.forecasts} - known
        if strangers:
            raise ValueError(
                f"Question {question.theory_id} has forecasts by non-members {sorted(strangers)}."
            )
        scores = score_question(question)
        for member_id, brier in scores.brier.items():
            tallies[member_id].add(brier, scores.log_score[member_id], scores.is_choice, scores.club_brier)
        if scores.median_brier is not None and scores.median_log_score is not None:
            club.add(scores.median_brier, scores.median_log_score, scores.is_choice, scores.club_brier)
    return Leaderboard(
        members=tuple(tallies[m.id].row(m.id, m.name) for m in people),
        club_median=club.row(None, CLUB_MEDIAN),
    )


# --- calibration ---------------------------------------------------------------------------


def calls(questions: Iterable[ClubQuestion], member_id: int | None) -> list[Forecast]:
    """The calibration calls of one member, or of the club median forecast (``None``)."""
    out: list[Forecast] = []
    for question in questions:
        if member_id is None:
            median = median_forecast(question)
            if median is not None:
                out += _median_calls(question, median)
            continue
        for f in question.counted:
            if f.member_id == member_id:
                out += question.calls(f)
    return out


def calibration(questions: Iterable[ClubQuestion], member_id: int | None) -> tuple[CalibrationBin, ...]:
    """The non-empty calibration bins of one member, or of the club median (``None``)."""
    return scoring.calibration(calls(questions, member_id))
