"""How good were the calls: Brier and log scores, calibration bins, Wilson intervals, groupings.

Pure maths over plain records, standard library only. The track-record service picks the
theories in SQL and hands them here as :class:`Forecast` values; nothing here touches a database.

Conventions, so the numbers mean the same everywhere:

- A forecast is a theory resolved confirmed (outcome 1) or busted (outcome 0). Void and open
  theories are not forecasts; the service counts void ones separately.
- ``p`` is the confidence *in force at resolution* as a probability (confidence / 100).
- Calibration bins are 10 points wide over the whole 0–100 range (not folded at 50 %):
  [0, 10), [10, 20), …, [80, 90), [90, 100]. Only **non-empty** bins are returned.
- Means over nothing are ``None``, never a division by zero.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from etoile_app.domain.enums import Category
from etoile_app.domain.models import CharacterRef

BRIER_EXPLANATION = (
    "Brier score on a 0–1 scale: 0 is perfect, 0.25 is what always saying 50 % earns, "
    "1 is always certain and always wrong. Lower is better. Some sites (e.g. Good Judgment Open) "
    "use a 0–2 scale: double these to compare."
)
LOG_SCORE_EXPLANATION = (
    "Log score: the natural log of the probability you gave to what actually happened "
    "(ln p when confirmed, ln(1 − p) when busted). 0 is perfect, −0.69 (ln 0.5) is what always "
    "saying 50 % earns, and with confidences from 1 % to 99 % the worst a call can score is "
    "−4.61 (ln 0.01). Closer to 0 is better; confident misses cost far more than with Brier."
)
CALIBRATION_EXPLANATION = (
    "Calibration: your calls grouped by confidence, 10 points per group. A well-calibrated "
    "forecaster's 70 % calls come true about 70 % of the time, so the points sit on the diagonal. "
    "The bars show a 95 % Wilson interval: with few calls in a group, wide bars mean little is known yet."
)

#: z for a two-sided 95 % interval.
Z_95 = 1.959964

BIN_WIDTH = 10
BIN_COUNT = 10

#: Fewest resolved theories a category needs before it is ranked as most or least calibrated.
MIN_RESOLVED_PER_CATEGORY = 3
#: How many categories each of the "most" and "least" calibrated lists holds at most.
RANKED_CATEGORIES_SHOWN = 3

#: A confirmed call counts as bold at this in-force confidence or lower ...
BOLD_MAX_CONFIDENCE = 30
#: ... or at this juiciness (stars) or higher.
BOLD_MIN_JUICINESS = 4


# --- single forecasts ----------------------------------------------------------------------


def probability(confidence: int) -> float:
    """A confidence in percent (0–100) as a probability (0–1)."""
    if not 0 <= confidence <= 100:
        raise ValueError(f"A confidence is between 0 and 100, not {confidence}.")
    return confidence / 100


def brier(p: float, confirmed: bool) -> float:
    """``(p − o)²`` with o = 1 if confirmed else 0: 0 is perfect, 1 is certain and wrong."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"A probability is between 0 and 1, not {p}.")
    return (p - (1.0 if confirmed else 0.0)) ** 2


def log_score(p: float, confirmed: bool) -> float:
    """``ln p`` if confirmed else ``ln(1 − p)``: 0 is perfect, more negative is worse.

    Defined for 0 < p < 1 (the journal's 1–99 % keeps it at or above ln 0.01 ≈ −4.61).
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"The log score needs a probability strictly between 0 and 1, not {p}.")
    return math.log(p if confirmed else 1.0 - p)


@dataclass(frozen=True, slots=True)
class Forecast:
    """One resolved (confirmed or busted) theory, as scoring sees it."""

    theory_id: int
    confidence: int  # in force at resolution, 1–99
    confirmed: bool
    category: Category = Category.OTHER
    tags: tuple[str, ...] = ()
    characters: tuple[CharacterRef, ...] = ()

    @property
    def probability(self) -> float:
        return probability(self.confidence)

    @property
    def brier(self) -> float:
        return brier(self.probability, self.confirmed)

    @property
    def log_score(self) -> float:
        return log_score(self.probability, self.confirmed)


# --- multiple choice ---------------------------------------------------------------------

CHOICE_BRIER_EXPLANATION = (
    "Multiple choice: the Brier score adds up (p − outcome)² over every option, so it runs on a "
    "0–2 scale: 0 is perfect, 2 is certain of one option when another happened. The log score is "
    "the natural log of the probability given to the option that happened."
)


def choice_brier(probabilities: Sequence[float], happened: int) -> float:
    """The multi-class Brier score: Σ (pᵢ − oᵢ)² with oᵢ 1 for the option that happened, on a
    0–2 scale (a yes/no theory scored this way gets twice its 0–1 Brier score)."""
    if not 0 <= happened < len(probabilities):
        raise ValueError(f"No option {happened} among {len(probabilities)}.")
    return math.fsum((p - (1.0 if i == happened else 0.0)) ** 2 for i, p in enumerate(probabilities))


def choice_log_score(probabilities: Sequence[float], happened: int) -> float:
    """``ln p`` of the option that happened."""
    p = probabilities[happened]
    if not 0.0 < p <= 1.0:
        raise ValueError(f"The log score needs a probability above 0, not {p}.")
    return math.log(p)


@dataclass(frozen=True, slots=True)
class ChoiceForecast:
    """One multiple-choice theory settled by an option, as scoring sees it: each option's
    confidence in force at resolution, and which option happened."""

    theory_id: int
    confidences: tuple[int, ...]
    happened: int
    category: Category = Category.OTHER

    @property
    def probabilities(self) -> tuple[float, ...]:
        return tuple(probability(c) for c in self.confidences)

    @property
    def brier(self) -> float:
        return choice_brier(self.probabilities, self.happened)

    @property
    def log_score(self) -> float:
        return choice_log_score(self.probabilities, self.happened)

    def as_calls(self) -> list[Forecast]:
        """Each option as a call of its own (its confidence, whether it happened), for the
        calibration chart, as Metaculus and Fatebook count multiple-choice questions."""
        return [
            Forecast(self.theory_id, c, i == self.happened, self.category)
            for i, c in enumerate(self.confidences)
        ]


@dataclass(frozen=True, slots=True)
class ChoiceSummary:
    """Scores over multiple-choice theories (Brier on the 0–2 scale). ``None`` with none."""

    count: int
    mean_brier: float | None
    mean_log_score: float | None


def summarize_choices(forecasts: Iterable[ChoiceForecast]) -> ChoiceSummary:
    items = list(forecasts)
    return ChoiceSummary(
        count=len(items),
        mean_brier=mean([f.brier for f in items]),
        mean_log_score=mean([f.log_score for f in items]),
    )


# --- summaries -----------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    """The mean, or ``None`` for no values; kept within [min, max] despite rounding."""
    if not values:
        return None
    return min(max(math.fsum(values) / len(values), min(values)), max(values))


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """Scores over a set of forecasts. With ``count`` 0 every mean and share is ``None``."""

    count: int
    confirmed: int
    mean_brier: float | None
    mean_log_score: float | None
    mean_probability: float | None  # mean in-force confidence, 0–1
    share_confirmed: float | None  # confirmed / count

    @property
    def busted(self) -> int:
        return self.count - self.confirmed


def summarize(forecasts: Iterable[Forecast]) -> ScoreSummary:
    items = list(forecasts)
    confirmed = sum(1 for f in items if f.confirmed)
    return ScoreSummary(
        count=len(items),
        confirmed=confirmed,
        mean_brier=mean([f.brier for f in items]),
        mean_log_score=mean([f.log_score for f in items]),
        mean_probability=mean([f.probability for f in items]),
        share_confirmed=confirmed / len(items) if items else None,
    )


@dataclass(frozen=True, slots=True)
class GroupScore:
    """Scores of the forecasts in one category, tag or character (never empty).

    ``key`` is the :class:`Category` (a ``str``), the tag name, or the character id;
    ``label`` is what to show.
    """

    key: str | int
    label: str
    count: int
    confirmed: int
    mean_brier: float
    mean_log_score: float
    mean_probability: float
    share_confirmed: float


def _groups(
    forecasts: Iterable[Forecast], keys: Callable[[Forecast], Iterable[tuple[Hashable, str]]]
) -> tuple[GroupScore, ...]:
    members: dict[Hashable, list[Forecast]] = defaultdict(list)
    labels: dict[Hashable, str] = {}
    for f in forecasts:
        for key, label in dict(keys(f)).items():  # each forecast counts once per group
            members[key].append(f)
            labels[key] = label
    out = []
    for key, items in members.items():
        s = summarize(items)
        assert s.mean_brier is not None and s.mean_log_score is not None  # groups are never empty
        assert s.mean_probability is not None and s.share_confirmed is not None
        out.append(
            GroupScore(
                key=key,  # type: ignore[arg-type]
                label=labels[key],
                count=s.count,
                confirmed=s.confirmed,
                mean_brier=s.mean_brier,
                mean_log_score=s.mean_log_score,
                mean_probability=s.mean_probability,
                share_confirmed=s.share_confirmed,
            )
        )
    # Most forecasts first, then by name, so the order is stable.
    out.sort(key=lambda g: (-g.count, g.label.casefold(), str(g.key)))
    return tuple(out)


def tag_with_parents(tag: str) -> tuple[str, ...]:
    """``romance/jack-cheyenne`` → ``("romance", "romance/jack-cheyenne")``."""
    parts = tag.split("/")
    return tuple("/".join(parts[: i + 1]) for i in range(len(parts)))


def by_category(forecasts: Iterable[Forecast]) -> tuple[GroupScore, ...]:
    return _groups(forecasts, lambda f: [(f.category, f.category.label)])


def by_tag(forecasts: Iterable[Forecast]) -> tuple[GroupScore, ...]:
    """A tag's group holds its children too, as the tag filter does: ``romance`` includes
    ``romance/jack-cheyenne``. A forecast counts once in each group it belongs to."""
    return _groups(forecasts, lambda f: [(t, t) for tag in f.tags for t in tag_with_parents(tag)])


def by_character(forecasts: Iterable[Forecast]) -> tuple[GroupScore, ...]:
    return _groups(forecasts, lambda f: [(c.id, c.name) for c in f.characters])


# --- calibration ---------------------------------------------------------------------------


def bin_index(confidence: int) -> int:
    """0 for [0, 10), 1 for [10, 20), …, 9 for [90, 100] (100 joins the top bin)."""
    if not 0 <= confidence <= 100:
        raise ValueError(f"A confidence is between 0 and 100, not {confidence}.")
    return min(confidence // BIN_WIDTH, BIN_COUNT - 1)


def bin_bounds(index: int) -> tuple[int, int]:
    """The confidences a bin covers, ``(low, high)``: [low, high), the last one [90, 100]."""
    if not 0 <= index < BIN_COUNT:
        raise ValueError(f"There is no calibration bin {index}.")
    return index * BIN_WIDTH, (index + 1) * BIN_WIDTH


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a share ``successes / n``, clipped to [0, 1].

    With ``n`` = 0 nothing is known and the interval is the whole (0, 1) — the formula's limit.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"{successes} successes out of {n} is not a share.")
    if n == 0:
        return 0.0, 1.0
    share = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, min(centre - half, share))
    high = 1.0 if successes == n else min(1.0, max(centre + half, share))
    return low, high


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One non-empty confidence bin: plot ``share_confirmed`` against ``mean_probability``."""

    index: int  # 0–9
    low: int  # confidences in [low, high); the last bin is [90, 100]
    high: int
    count: int
    confirmed: int
    share_confirmed: float
    mean_probability: float  # mean in-force confidence of the bin's forecasts, 0–1
    interval_low: float  # 95 % Wilson interval of share_confirmed
    interval_high: float

    @property
    def label(self) -> str:
        closing = "]" if self.index == BIN_COUNT - 1 else ")"
        return f"[{self.low}, {self.high}{closing} %"


def calibration(forecasts: Iterable[Forecast], z: float = Z_95) -> tuple[CalibrationBin, ...]:
    """The non-empty bins, lowest first. Empty bins are left out (nothing to plot)."""
    bins: dict[int, list[Forecast]] = defaultdict(list)
    for f in forecasts:
        bins[bin_index(f.confidence)].append(f)
    out = []
    for index in sorted(bins):
        items = bins[index]
        confirmed = sum(1 for f in items if f.confirmed)
        low, high = bin_bounds(index)
        mean_p = mean([f.probability for f in items])
        assert mean_p is not None
        interval = wilson_interval(confirmed, len(items), z)
        out.append(
            CalibrationBin(
                index=index,
                low=low,
                high=high,
                count=len(items),
                confirmed=confirmed,
                share_confirmed=confirmed / len(items),
                mean_probability=mean_p,
                interval_low=interval[0],
                interval_high=interval[1],
            )
        )
    return tuple(out)


# --- most and least calibrated categories --------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryCalibration:
    """How far a category's confidence was from what came true.

    ``gap`` = |mean in-force probability − share confirmed|: 0 means the calls were as sure as
    they should have been on average.
    """

    category: Category
    label: str
    count: int
    confirmed: int
    mean_probability: float
    share_confirmed: float
    gap: float
    mean_brier: float


@dataclass(frozen=True, slots=True)
class CalibrationRanking:
    """``most``: smallest gap first; ``least``: largest gap first. The two never share a
    category: of k ranked categories, ``most`` takes the better half (rounded up) and ``least``
    the rest, each at most ``limit`` long. Both are empty when no category has ``min_resolved``."""

    most: tuple[CategoryCalibration, ...]
    least: tuple[CategoryCalibration, ...]
    ranked: tuple[CategoryCalibration, ...]  # every eligible category, most calibrated first
    min_resolved: int


def rank_categories(
    forecasts: Iterable[Forecast],
    min_resolved: int = MIN_RESOLVED_PER_CATEGORY,
    limit: int = RANKED_CATEGORIES_SHOWN,
) -> CalibrationRanking:
    ranked = [
        CategoryCalibration(
            category=g.key,  # type: ignore[arg-type]
            label=g.label,
            count=g.count,
            confirmed=g.confirmed,
            mean_probability=g.mean_probability,
            share_confirmed=g.share_confirmed,
            gap=abs(g.mean_probability - g.share_confirmed),
            mean_brier=g.mean_brier,
        )
        for g in by_category(forecasts)
        if g.count >= min_resolved
    ]
    # Ties on the gap go to the better Brier, then the larger sample, then the name.
    ranked.sort(key=lambda c: (c.gap, c.mean_brier, -c.count, c.label.casefold()))
    better = (len(ranked) + 1) // 2
    most = ranked[:better][:limit]
    least = list(reversed(ranked[better:]))[:limit]
    return CalibrationRanking(tuple(most), tuple(least), tuple(ranked), min_resolved)


# --- what the track-record service returns -------------------------------------------------
# (Kept here beside the maths they carry; they could move to domain/models.py.)


@dataclass(frozen=True, slots=True)
class TrackSummary:
    """Scores of every resolved theory, overall and by category, tag and character."""

    overall: ScoreSummary
    void_count: int  # resolved void: not scored
    open_count: int
    by_category: tuple[GroupScore, ...]
    by_tag: tuple[GroupScore, ...]
    by_character: tuple[GroupScore, ...]
    #: Multiple-choice theories settled by an option (scored apart: their Brier runs 0–2).
    choices: ChoiceSummary = ChoiceSummary(0, None, None)
    #: Resolved conditional theories counted (their condition held) and left out (it did not,
    #: or is not settled yet).
    conditional_counted: int = 0
    conditional_left_out: int = 0


@dataclass(frozen=True, slots=True)
class DueTheory:
    """An open theory whose resolve-by date has passed."""

    theory_id: int
    title: str
    category: Category
    confidence: int
    juiciness: int | None
    resolve_by: date
    days_overdue: int  # at least 1


@dataclass(frozen=True, slots=True)
class BoldCall:
    """A confirmed theory called at low confidence or rated juicy."""

    theory_id: int
    title: str
    category: Category
    confidence: int  # in force at resolution
    juiciness: int | None
    resolved_on: date | None
    resolved_at: datetime | None
