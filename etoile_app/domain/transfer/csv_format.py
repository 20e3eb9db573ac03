"""CSV in Fatebook's export layout: writing it, and reading a Fatebook user's own export.

The layout is Fatebook's own exporter, ``lib/web/export.ts`` in github.com/Sage-Future/fatebook:
a header of bare column names, then one row per forecast; text cells always in double quotes
(a quote doubled), numbers, times and ``true``/``false`` bare, a missing value as an empty cell,
lines joined by ``\n``; tags joined by ``"; "``. "Your Brier score for this question" is
Fatebook's ``QuestionScore.absoluteScore`` (``lib/_scoring.ts``), reproduced by
:func:`fatebook_brier`.

Multiple choice, as the same exporter writes it: a forecast on a multiple-choice question is a
forecast on one of its options (Fatebook's ``Forecast.optionId``), and its row names that
option's text in "Multiple choice option"; "Resolution" and "Resolved at" are the option's own
where it has them, else the question's. Resolving a question whose answers exclude each other
(``lib/interactive_handlers/resolve.ts``) marks the option that happened YES and every other
NO; resolving it as "other" or as ambiguous marks them all NO. A question whose answers do not
exclude each other has each option resolved on its own (YES, NO or AMBIGUOUS), several of them
YES if need be.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation, Overflow
from typing import Any

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.json_checks import brief
from etoile_app.domain.transfer.records import (
    FUTURE_SLACK,
    ImportFileError,
    TheoryEntry,
    decode_text,
)

CSV_COLUMNS = (
    "Question title",
    "Multiple choice option",
    "Forecast created by",
    "Forecast (scale = 0-1)",
    "Forecast created at",
    "Question created by",
    "Question created at",
    "Question resolve by",
    "Resolution",
    "Resolved at",
    "Your Brier score for this question",
    "Your relative Brier score for this question",
    "Question notes",
    "Question shared with",
    "Question shared publicly",
    "Question comments",
    "Question tags",
)
CSV_REQUIRED = ("Question title", "Forecast (scale = 0-1)", "Forecast created at")
#: Older Fatebook exports name two columns differently.
CSV_ALIASES = {"question resolution": "Resolution", "question resolved at": "Resolved at"}
#: How Fatebook joins a question's tags (and its shared-with names and comments).
TAG_SEPARATOR = "; "
#: What a cell may not start with, or a spreadsheet may run it as a formula (OWASP, "CSV injection").
FORMULA_STARTS = "=+-@\t\r"
_NEEDS_GUARD = re.compile("^'*[=+\\-@\t\r]")
_GUARDED = re.compile("^'+[=+\\-@\t\r]")
RESOLUTIONS = {
    TheoryStatus.CONFIRMED: "YES",
    TheoryStatus.BUSTED: "NO",
    TheoryStatus.VOID: "AMBIGUOUS",
    TheoryStatus.OPEN: "",
}
_STATUS_OF = {v: k for k, v in RESOLUTIONS.items() if v}
_CSV_TIME = "%Y-%m-%d %H:%M:%S"
#: Comments on a question that is still open have no resolution note to go to; they join the body.
COMMENTS_HEADING = "Comments:"


def csv_moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_CSV_TIME)


def guard_formula(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a ``'`` before it (as OWASP recommends), so it is shown, not run.

    Text that already starts with quotes before such a character gets one more, so
    :func:`unguard_formula` gives back exactly what was written.
    """
    return "'" + text if _NEEDS_GUARD.match(text) else text


def unguard_formula(text: str) -> str:
    """The inverse of :func:`guard_formula`: one ``'`` before a formula character is removed."""
    return text[1:] if _GUARDED.match(text) else text


def _text_cell(text: str) -> str:
    """A text cell as Fatebook writes one: always in double quotes, a quote doubled; guarded."""
    return '"' + guard_formula(text).replace('"', '""') + '"'


def _probability_text(confidence: int) -> str:
    return f"{confidence / 100:.2f}".rstrip("0")


def js_number(value: float) -> str:
    """``value`` as JavaScript (and so Fatebook's exporter) prints a number: ``0.18000000000000005``,
    ``2``, ``1e-7``."""
    if value == 0:
        return "0"
    digits = Decimal(repr(value)).normalize()  # the shortest digits that read back as ``value``
    if 1e-6 <= abs(value) < 1e21:
        return f"{digits:f}"
    sign, numerals, exponent = digits.as_tuple()
    mantissa = "".join(map(str, numerals))
    power = exponent + len(mantissa) - 1
    text = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{text}e{'+' if power > 0 else '-'}{abs(power)}"


_DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ms(moment: datetime) -> int:
    """Milliseconds since 1970 of ``moment`` to the whole second (the precision a CSV carries)."""
    return (moment.astimezone(UTC).replace(microsecond=0) - _EPOCH) // timedelta(milliseconds=1)


def _js_sum(values: Iterable[float]) -> float:
    """Left to right, as JavaScript's ``reduce((a, b) => a + b, 0)`` adds."""
    total = 0.0
    for value in values:
        total = total + value
    return total


def _two_sided_brier(p: float, yes: bool) -> float:
    """Fatebook's Brier score of one forecast: both outcomes' squared errors, 0 (right) to 2."""
    truth = 1 if yes else 0
    a, b = p - truth, (1 - p) - (1 - truth)
    return a * a + b * b


def _interval_average(
    recent: float | None, inside: Sequence[tuple[int, float]], start: int, length: int
) -> float | None:
    """The forecast over one interval, weighted by how long each held (Fatebook's own arithmetic,
    quirks included: time before the first forecast counts for the last one of the interval)."""
    avg, weights = 0.0, 0.0
    if recent is not None and inside:
        weight = (inside[0][0] - start) / length
        weights = weights + weight
        avg = avg + weight * recent
    elif recent is not None:
        return recent
    elif not inside:
        return None
    for (at, p), (after, _) in itertools.pairwise(inside):
        weight = (after - at) / length
        weights = weights + weight
        avg = avg + weight * p
    return avg + (1 - weights) * inside[-1][1]


def fatebook_brier(
    created_at: datetime, resolved_at: datetime, yes: bool, forecasts: Iterable[tuple[datetime, float]]
) -> float | None:
    """Fatebook's "Your Brier score for this question" (``relativeBrierScoring`` in its
    ``lib/_scoring.ts``, the ``absoluteBrierScore`` it stores): the time from the question's
    creation to its resolution is cut into days (the last one partial); each day's forecast is
    the time-weighted average of the forecasts in force; each day scores the two-sided Brier
    score ``(p − o)² + ((1 − p) − (1 − o))²`` (0 is perfect, 2 is certain and wrong); the days
    are averaged (a last partial day weighs its fraction). ``None`` when Fatebook stores no
    score: no forecast before resolution, or a resolution not after creation.

    Times count to the whole second, so a file's score is the one its own rows give.
    """
    points = sorted(((_ms(at), p) for at, p in forecasts), key=lambda f: f[0])
    if not points:
        return None
    opened, closed = _ms(created_at), _ms(resolved_at)
    days = (closed - opened) / _DAY_MS
    whole, fraction = math.floor(days), days - math.floor(days)
    scores = []
    # Intervals only move forward, so three indexes into ``points`` do: the points up to
    # ``upto`` are at or before the interval's start, those from ``first`` to ``last`` inside it.
    upto = first = last = 0
    day = opened
    while day < opened + math.ceil(days) * _DAY_MS:
        stop = day + _DAY_MS if day + _DAY_MS < closed else closed
        start = day if day < closed else closed
        while upto < len(points) and points[upto][0] <= start:
            upto += 1
        while first < len(points) and points[first][0] < start:
            first += 1
        last = max(last, first)
        while last < len(points) and points[last][0] < stop:
            last += 1
        recent = points[upto - 1][1] if upto else None
        average = _interval_average(recent, points[first:last], start, stop - start)
        if average is not None:
            scores.append(_two_sided_brier(average, yes))
        day += _DAY_MS
    if not scores:
        return None
    if whole == 0:
        return _js_sum(scores) / 1
    if not abs(fraction - 0) < 0.0001:  # Fatebook's floatEquality
        return (_js_sum(scores[:-1]) + scores[-1] * fraction) / (whole + fraction)
    return _js_sum(scores) / whole


def brier_text(theory: TheoryEntry) -> str:
    """Fatebook's Brier score of a confirmed or busted yes/no theory (:func:`fatebook_brier`);
    else empty. Fatebook scores a multiple-choice question option by option and the export
    shows one of those scores, not one for the whole question, so one is not made up here."""
    if theory.status not in (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED) or theory.resolved_at is None:
        return ""
    if theory.options:
        return ""
    score = fatebook_brier(
        theory.created_at,
        theory.resolved_at,
        theory.status is TheoryStatus.CONFIRMED,
        ((p.changed_at, p.confidence / 100) for p in theory.history),
    )
    return "" if score is None else js_number(score)


def _option_resolution(theory: TheoryEntry, option: str) -> str:
    """What Fatebook writes in "Resolution" for an option's row: YES for the option that
    happened and NO for the others; AMBIGUOUS for each option of a void theory (as Fatebook
    writes for options resolved one by one as ambiguous)."""
    if theory.status is TheoryStatus.VOID:
        return RESOLUTIONS[TheoryStatus.VOID]
    return "YES" if option == theory.option_happened else "NO"


def format_csv(theories: Iterable[TheoryEntry]) -> str:
    """One row per forecast (each confidence in a theory's history), as Fatebook's exporter writes
    them (but for seconds with a leading zero: it writes ``09:15:0``); binned theories are left out.
    A multiple-choice theory's forecasts each name their option."""
    lines = [",".join(CSV_COLUMNS)]
    for t in theories:
        if t.deleted_at is not None:
            continue
        resolved = t.resolved_at is not None and t.status.is_resolved
        question = {
            "Question title": _text_cell(t.title),
            "Question created at": csv_moment(t.created_at),
            "Question resolve by": f"{t.resolve_by.isoformat()} 00:00:00" if t.resolve_by else "",
            "Resolution": _text_cell(RESOLUTIONS[t.status]) if t.status.is_resolved else "",
            "Resolved at": csv_moment(t.resolved_at) if resolved and t.resolved_at else "",
            "Your Brier score for this question": brier_text(t),
            "Question notes": _text_cell(t.body),
            "Question shared with": _text_cell(""),
            "Question shared publicly": "false",
            "Question comments": _text_cell(t.resolution_note),
            "Question tags": _text_cell(TAG_SEPARATOR.join(t.tags)),
        }
        for point in t.history:
            row = question | {
                "Forecast (scale = 0-1)": _probability_text(point.confidence),
                "Forecast created at": csv_moment(point.changed_at),
            }
            if point.option is not None:
                row["Multiple choice option"] = _text_cell(point.option)
                if t.status.is_resolved:
                    row["Resolution"] = _text_cell(_option_resolution(t, point.option))
            lines.append(",".join(row.get(name, "") for name in CSV_COLUMNS))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CsvForecast:
    confidence: int
    at: datetime
    line: int
    #: The option it is for, on a multiple-choice question.
    option: str | None = None


@dataclass(frozen=True, slots=True)
class CsvQuestion:
    """One question of a Fatebook-style CSV (yes/no or multiple choice), checked and mapped to
    the journal's fields."""

    line: int  # of its first row
    title: str
    created_at: datetime
    body: str
    resolve_by: date | None
    status: TheoryStatus
    resolved_at: datetime | None
    resolution_note: str
    tags: tuple[str, ...]
    forecasts: tuple[CsvForecast, ...]  # in time order
    #: Which of body, tags, resolve_by, status, resolved_at and resolution_note the file has a column for.
    provided: frozenset[str] = frozenset()
    #: The file's title was too long for the journal: ``title`` is its start, ``body`` starts with all of it.
    shortened: bool = False
    #: Multiple choice: the options in the order the file first names them (none: yes/no).
    options: tuple[str, ...] = ()
    #: The option that happened, when ``status`` is confirmed and the question is multiple choice.
    happened: str | None = None

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.options)

    @property
    def match_key(self) -> tuple[str, datetime]:
        return (self.title, self.created_at.replace(microsecond=0))


@dataclass(frozen=True, slots=True)
class CsvFile:
    questions: tuple[CsvQuestion, ...]
    #: Rows of multiple-choice questions the journal cannot hold (see :func:`parse_csv`).
    rows_skipped: int = 0
    #: Forecasts by other people than ``forecaster`` on the questions, and questions left out
    #: because none of their forecasts is ``forecaster``'s.
    forecasts_skipped: int = 0
    questions_skipped: int = 0
    #: Whose forecasts were read, when the file has forecasts by more than one person ("" if not).
    forecaster: str = ""
    #: True when the caller named nobody and ``forecaster`` was worked out from the file.
    forecaster_guessed: bool = False
    #: The titles that were longer than the journal's limit, as shortened (the full text starts the body).
    titles_shortened: tuple[str, ...] = ()


_CSV_MOMENT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _csv_time(text: str, line: int, column: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (seconds may be one digit, as Fatebook writes them), ISO 8601, or a date.

    Times without an offset are taken as UTC.
    """
    match = _CSV_MOMENT.match(text.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=UTC,
        )
        if offset and offset != "Z":
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if shift >= timedelta(hours=24):
                raise ValueError
            moment -= sign * shift
    except (ValueError, OverflowError):
        raise ImportFileError(
            f'"{column}" {brief(text)} is not a date and time written YYYY-MM-DD HH:MM:SS.', line=line
        ) from None
    if not rules.year_in_range(moment.year):
        raise ImportFileError(f'"{column}" {text.strip()} is out of range (years 1900 to 2200).', line=line)
    return moment


def _csv_confidence(text: str, line: int) -> int:
    """A forecast on the 0–1 scale (or ``70%``) as a whole percentage, rounded and kept within 1–99."""
    raw = text.strip()
    column = '"Forecast (scale = 0-1)"'
    try:
        value = Decimal(raw.removesuffix("%").strip())
        if not value.is_finite():
            raise InvalidOperation
        if not raw.endswith("%"):
            value = value.scaleb(2)  # exact: no rounding, no overflow within the range checked below
    except Overflow:
        raise ImportFileError(
            f"{column} {brief(text)} is not a probability between 0 and 1.", line=line
        ) from None
    except DecimalException:
        raise ImportFileError(f"{column} {brief(text)} is not a number.", line=line) from None
    if not 0 <= value <= 100:
        raise ImportFileError(f"{column} {brief(text)} is not a probability between 0 and 1.", line=line)
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(max(whole, rules.CONFIDENCE_MIN), rules.CONFIDENCE_MAX)


def fatebook_tag(raw: str) -> str:
    """A Fatebook tag as a journal tag ("U.S. politics" → ``u-s-politics``); ``""`` if nothing is left.

    Fatebook allows any text in a tag; characters a journal tag cannot hold become hyphens.
    """
    text = "".join(ch if ch.isalnum() or ch in rules.TAG_PUNCTUATION else " " for ch in raw)
    parts = [part.strip(" -_") for part in text.split("/")]
    parts = [part for part in parts if part]
    return rules.normalise_tag("/".join(parts)) if parts else ""


def _header(cells: list[str]) -> dict[str, int]:
    known = {c.casefold(): c for c in CSV_COLUMNS} | CSV_ALIASES
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = known.get(cell.strip().casefold())
        if name is None:
            continue  # columns Fatebook may add later are not needed
        if name in columns:
            raise ImportFileError(f'the column "{name}" appears twice in the header.', line=1)
        columns[name] = i
    for name in CSV_REQUIRED:
        if name not in columns:
            _refuse_other_separator(cells)
            raise ImportFileError(
                f'the header has no "{name}" column; a CSV import needs '
                + ", ".join(f'"{c}"' for c in CSV_REQUIRED)
                + " (the layout Fatebook exports).",
                line=1,
            )
    return columns


_SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}


def _refuse_other_separator(cells: list[str]) -> None:
    """A header whose columns are split by semicolons or tabs, as spreadsheets save CSV in some
    languages, is named as such (rather than as a missing column)."""
    line = ",".join(cells)
    for separator, name in _SEPARATORS.items():
        if separator not in line:
            continue
        try:
            split = next(csv.reader([line], delimiter=separator))
        except csv.Error:
            continue
        if {c.strip().casefold() for c in split} >= {c.casefold() for c in CSV_REQUIRED}:
            raise ImportFileError(
                f"the columns are separated by {name}, not commas. Some spreadsheet programs save "
                "CSV that way in some languages; Fatebook's CSV uses commas. Save the file again "
                'as CSV with "," as the field separator (and "." in numbers) and import it again.',
                line=1,
            )


class _Row:
    def __init__(self, cells: list[str], columns: dict[str, int], line: int) -> None:
        self.cells, self.columns, self.line = cells, columns, line

    def __getitem__(self, name: str) -> str:
        """The cell of column ``name`` ("" without that column), with a formula guard taken off."""
        index = self.columns.get(name)
        return unguard_formula(self.cells[index]) if index is not None else ""

    def check(self, cleaner: Callable[[str], Any], value: str) -> Any:
        try:
            return cleaner(value)
        except ValidationError as exc:
            raise ImportFileError(exc.message, line=self.line) from None


def _rows(text: str) -> Iterable[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("the file is empty; a CSV import needs a header line and rows.", line=1)
        columns = _header(header)
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ImportFileError(
                    f"this row has {len(cells)} cells but the header has {len(header)}.", line=line
                )
            yield _Row(cells, columns, line)
    except csv.Error as exc:
        raise ImportFileError(f"this is not valid CSV: {exc}.", line=end + 1) from None


def _person(name: str) -> str:
    """A forecaster's name as compared: white space folded, case ignored."""
    return " ".join(name.split()).casefold()


def _question_key(row: _Row) -> tuple[str, str]:
    return (" ".join(row["Question title"].split()), row["Question created at"].strip())


def _choose_forecaster(rows: list[_Row], forecaster: str | None) -> tuple[str | None, str, bool]:
    """Whose forecasts to read: ``(key, name, guessed)``; key ``None`` reads everyone's.

    A file with forecasts by one person (or by nobody named) is read whole. Of several people,
    ``forecaster`` is taken if given; else the person who made the most questions of the file
    ("Question created by"), or, if that person made no forecast here, the one who forecast on
    the most questions. Ties go to the name that comes first in the file.
    """
    if not rows or "Forecast created by" not in rows[0].columns:
        return None, "", False
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(_person(row["Forecast created by"]), " ".join(row["Forecast created by"].split()))
    if forecaster is not None and forecaster.strip():
        key = _person(forecaster)
        if key in names:
            return (key, names[key], False) if len(names) > 1 else (None, "", False)
        if set(names) == {""}:
            return None, "", False  # nobody is named: every forecast is the importer's
        listed = ", ".join(brief(n or "(no name)", 30) for n in list(names.values())[:8])
        raise ImportFileError(
            f"nobody named {brief(forecaster.strip(), 40)} made a forecast in this file; "
            f"its forecasts are by {listed}."
        )
    if len(names) <= 1:
        return None, "", False
    creators: Counter[str] = Counter()
    forecasters: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    pairs: set[tuple[tuple[str, str], str]] = set()
    for row in rows:
        question, person = _question_key(row), _person(row["Forecast created by"])
        if question not in seen and "Question created by" in row.columns:
            creators[_person(row["Question created by"])] += 1
        seen.add(question)
        if (question, person) not in pairs:
            pairs.add((question, person))
            forecasters[person] += 1
    ranked = [k for k, _ in creators.most_common() if k in names] + [k for k, _ in forecasters.most_common()]
    key = ranked[0]
    return key, names[key] or "(no name)", True


def shorten_title(title: str, limit: int = rules.TITLE_MAX) -> str:
    """A title (or an option's name) cut to ``limit``: at a space if one is near the end, then ``…``."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _full_title(row: _Row) -> str:
    """The question's title tidied as a title is, but of any length."""
    whole = row.check(
        lambda v: rules.clean_text(v, "The title", field="title", max_len=sys.maxsize), row["Question title"]
    )
    return whole if len(whole) > rules.TITLE_MAX else row.check(rules.clean_title, whole)


def _option_name(row: _Row) -> str:
    """The row's "Multiple choice option", tidied as typed text is, cut to the journal's limit."""
    whole = row.check(
        lambda v: rules.clean_text(v, "An option's name", field="options", max_len=sys.maxsize),
        row["Multiple choice option"],
    )
    return shorten_title(whole, rules.OPTION_NAME_MAX)


def _resolution_cell(row: _Row) -> str:
    value = row["Resolution"].strip().upper()
    if value and value not in _STATUS_OF:
        raise ImportFileError(
            f'"Resolution" {brief(row["Resolution"])} is not YES, NO, AMBIGUOUS or empty.', line=row.line
        )
    return value


@dataclass(frozen=True, slots=True)
class _Choices:
    """A multiple-choice question's options and how Fatebook settled it."""

    options: tuple[str, ...]
    status: TheoryStatus
    happened: str | None


def _choices(rows: list[_Row]) -> _Choices | None:
    """The options of a multiple-choice question (from everyone's rows, in the order first
    named) and its resolution from theirs: an option resolved YES and every other NO is the
    option that happened (confirmed); none YES (all NO, as Fatebook marks "other" and ambiguous,
    or AMBIGUOUS) is void; an option not resolved leaves the question open.

    ``None`` for a question the journal cannot hold: fewer than 2 or more than 12 options, two
    whose names differ only in capitals, or settled with several options YES (a Fatebook
    question whose answers do not exclude each other) or with one YES beside an AMBIGUOUS
    (whether only that one happened is not known).
    """
    names: dict[str, str] = {}
    resolutions: dict[str, str] = {}
    for row in rows:
        name = _option_name(row)
        if names.setdefault(name.casefold(), name) != name:
            return None
        resolutions.setdefault(name, _resolution_cell(row))
    if not rules.OPTIONS_MIN <= len(names) <= rules.OPTIONS_MAX:
        return None
    options = tuple(names.values())
    if "" in resolutions.values():
        return _Choices(options, TheoryStatus.OPEN, None)
    yes = [n for n, r in resolutions.items() if r == "YES"]
    if not yes:
        return _Choices(options, TheoryStatus.VOID, None)
    if len(yes) == 1 and all(r in ("YES", "NO") for r in resolutions.values()):
        return _Choices(options, TheoryStatus.CONFIRMED, yes[0])
    return None


def parse_csv(raw: bytes, today: date | None = None, *, forecaster: str | None = None) -> CsvFile:
    """Read and check a Fatebook-style CSV: rows of one question become its confidence history.

    Rows with a multiple-choice option make a multiple-choice question, each forecast one
    option's (see :func:`_choices`); the rows of one the journal cannot hold are skipped and
    counted. Of a file with forecasts by several people only one person's are read (see
    :func:`_choose_forecaster`); a question without any of theirs is left out (and counted).
    """
    text = decode_text(raw, "CSV file")
    rows = list(_rows(text))
    chosen, name, guessed = _choose_forecaster(rows, forecaster)
    groups: dict[tuple[str, datetime | None, bool], list[_Row]] = {}
    for row in rows:
        title = _full_title(row)
        created = row["Question created at"].strip()
        created_at = _csv_time(created, row.line, "Question created at") if created else None
        choice = bool(row["Multiple choice option"].strip())
        groups.setdefault((title, created_at, choice), []).append(row)
    questions, others, left_out, skipped = [], 0, 0, 0
    for (title, created_at, choice), group in groups.items():
        choices = _choices(group) if choice else None
        if choice and choices is None:
            skipped += len(group)
            continue
        mine = [r for r in group if chosen is None or _person(r["Forecast created by"]) == chosen]
        others += len(group) - len(mine)
        if not mine:
            left_out += 1
            continue
        questions.append(_question(title, created_at, group, mine, today, choices))
    return CsvFile(
        tuple(questions),
        rows_skipped=skipped,
        forecasts_skipped=others,
        questions_skipped=left_out,
        forecaster=name if chosen is not None else "",
        forecaster_guessed=guessed and chosen is not None,
        titles_shortened=tuple(q.title for q in questions if q.shortened),
    )


def _tags(cell: str) -> set[str]:
    """Fatebook joins tags with ``"; "``; a cell without a semicolon is split on commas, as this
    app's exports before version 0.2 joined them."""
    parts = cell.split(";") if ";" in cell else cell.split(",")
    return {fatebook_tag(t) for t in parts} - {""}


def _question(
    full_title: str,
    created_at: datetime | None,
    rows: list[_Row],
    mine: list[_Row],
    today: date | None,
    choices: _Choices | None = None,
) -> CsvQuestion:
    """The question of ``rows`` (everyone's), with the forecasts of ``mine``; ``choices`` for
    a multiple-choice one."""
    first = rows[0]
    has = first.columns.__contains__
    forecasts = []
    for row in mine:
        cell, at = row["Forecast (scale = 0-1)"], row["Forecast created at"]
        for column, value in (("Forecast (scale = 0-1)", cell), ("Forecast created at", at)):
            if not value.strip():
                raise ImportFileError(f'"{column}" is empty.', line=row.line)
        moment = _csv_time(at, row.line, "Forecast created at")
        option = _option_name(row) if choices is not None else None
        forecasts.append(CsvForecast(_csv_confidence(cell, row.line), moment, row.line, option))
    forecasts.sort(key=lambda f: f.at)

    if choices is not None:
        status = choices.status
    else:
        status = _STATUS_OF.get(_resolution_cell(first), TheoryStatus.OPEN)
    resolved_at = None
    if status.is_resolved:
        # The options of a multiple-choice question each carry when they were settled: the
        # question was settled with the last of them.
        settled = [(r, r["Resolved at"].strip()) for r in (rows if choices is not None else [first])]
        times = [(_csv_time(cell, r.line, "Resolved at"), r) for r, cell in settled if cell]
        resolved_at, last = max(times, key=lambda t: t[0]) if times else (forecasts[-1].at, first)
        if today is not None and resolved_at.date() > today + FUTURE_SLACK:
            cell = last["Resolved at"].strip()
            raise ImportFileError(f'"Resolved at" {cell} is in the future.', line=last.line)
    comments = first["Question comments"].strip()
    notes = first["Question notes"]
    title = shorten_title(full_title)
    if title != full_title:  # the whole title leads the body
        notes = f"{full_title}\n\n{notes}" if notes.strip() else full_title
    if comments and not status.is_resolved:
        notes = f"{notes.rstrip()}\n\n{COMMENTS_HEADING} {comments}".lstrip()
    note = ""
    if status.is_resolved:
        note = first.check(
            lambda v: rules.clean_text(
                v, "The resolution note", field="note", max_len=rules.NOTE_MAX, multiline=True
            ),
            comments,
        )
    resolve_by = None
    if first["Question resolve by"].strip():
        resolve_by = _csv_time(first["Question resolve by"], first.line, "Question resolve by").date()
    tags = first.check(_tags, first["Question tags"])
    # What the file says nothing about (a column it lacks) leaves an existing theory's field alone.
    provided = {
        "body": has("Question notes")
        or title != full_title
        or (has("Question comments") and "Comments" in notes),
        "tags": has("Question tags"),
        "resolve_by": has("Question resolve by"),
        "status": has("Resolution"),
        "resolved_at": has("Resolved at"),
        "resolution_note": has("Question comments"),
    }
    return CsvQuestion(
        line=first.line,
        title=title,
        created_at=created_at or forecasts[0].at,
        body=first.check(rules.clean_body, notes),
        resolve_by=resolve_by,
        status=status,
        resolved_at=resolved_at,
        resolution_note=note,
        tags=tuple(sorted(tags)),
        forecasts=tuple(forecasts),
        provided=frozenset(k for k, v in provided.items() if v),
        shortened=title != full_title,
        options=choices.options if choices is not None else (),
        happened=choices.happened if choices is not None else None,
    )
