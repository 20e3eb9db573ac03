"""CSV in Fatebook's export layout: writing it, and reading a Fatebook user's own export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation, Overflow
from typing import Any

from etoile_app.domain import rules
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.scoring import brier, in_force_confidence
from etoile_app.domain.transfer.records import (
    FUTURE_SLACK,
    ImportFileError,
    TheoryEntry,
    brief,
    decode_text,
    year_in_range,
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
TAG_SEPARATOR = ", "
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


def _probability_text(confidence: int) -> str:
    return f"{confidence / 100:.2f}".rstrip("0")


def brier_text(theory: TheoryEntry) -> str:
    """The Brier score (0–1) of the confidence in force at resolution; empty if not scored."""
    if theory.status not in (TheoryStatus.CONFIRMED, TheoryStatus.BUSTED) or theory.resolved_at is None:
        return ""
    confidence = in_force_confidence(theory.history, theory.resolved_at, theory.confidence)
    score = brier(confidence / 100, theory.status is TheoryStatus.CONFIRMED)
    return f"{score:.4f}".rstrip("0").rstrip(".")


def format_csv(theories: Iterable[TheoryEntry]) -> str:
    """One row per forecast (each confidence in a theory's history); binned theories are left out."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for t in theories:
        if t.deleted_at is not None:
            continue
        question = {
            "Question created at": csv_moment(t.created_at),
            "Question resolve by": f"{t.resolve_by.isoformat()} 00:00:00" if t.resolve_by else "",
            "Resolution": RESOLUTIONS[t.status],
            "Resolved at": csv_moment(t.resolved_at) if t.resolved_at and t.status.is_resolved else "",
            "Your Brier score for this question": brier_text(t),
            "Question notes": t.body,
            "Question shared publicly": "false",
            "Question comments": t.resolution_note,
            "Question tags": TAG_SEPARATOR.join(t.tags),
        }
        for point in t.history:
            row = dict(question)
            row["Question title"] = t.title
            row["Forecast (scale = 0-1)"] = _probability_text(point.confidence)
            row["Forecast created at"] = csv_moment(point.changed_at)
            writer.writerow([row.get(name, "") for name in CSV_COLUMNS])
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class CsvForecast:
    confidence: int
    at: datetime
    line: int


@dataclass(frozen=True, slots=True)
class CsvQuestion:
    """One binary question of a Fatebook-style CSV, checked and mapped to the journal's fields."""

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

    @property
    def match_key(self) -> tuple[str, datetime]:
        return (self.title, self.created_at.replace(microsecond=0))


@dataclass(frozen=True, slots=True)
class CsvFile:
    questions: tuple[CsvQuestion, ...]
    rows_skipped: int = 0


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
    if not year_in_range(moment.year):
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
            raise ImportFileError(
                f'the header has no "{name}" column; a CSV import needs '
                + ", ".join(f'"{c}"' for c in CSV_REQUIRED)
                + " (the layout Fatebook exports).",
                line=1,
            )
    return columns


class _Row:
    def __init__(self, cells: list[str], columns: dict[str, int], line: int) -> None:
        self.cells, self.columns, self.line = cells, columns, line

    def __getitem__(self, name: str) -> str:
        index = self.columns.get(name)
        return self.cells[index] if index is not None else ""

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


def parse_csv(raw: bytes, today: date | None = None) -> CsvFile:
    """Read and check a Fatebook-style CSV: rows of one question become its confidence history.

    Rows with a multiple-choice option are skipped (and counted): the journal holds yes/no calls.
    """
    text = decode_text(raw, "CSV file")
    groups: dict[tuple[str, datetime | None], list[_Row]] = {}
    skipped = 0
    for row in _rows(text):
        if row["Multiple choice option"].strip():
            skipped += 1
            continue
        title = row.check(rules.clean_title, row["Question title"])
        created = row["Question created at"].strip()
        created_at = _csv_time(created, row.line, "Question created at") if created else None
        groups.setdefault((title, created_at), []).append(row)
    questions = [_question(title, created_at, rows, today) for (title, created_at), rows in groups.items()]
    return CsvFile(tuple(questions), skipped)


def _question(title: str, created_at: datetime | None, rows: list[_Row], today: date | None) -> CsvQuestion:
    first = rows[0]
    has = first.columns.__contains__
    forecasters = {r["Forecast created by"].strip() for r in rows} - {""}
    if len(forecasters) > 1:
        names = ", ".join(sorted(brief(n, 30) for n in forecasters))
        raise ImportFileError(
            f"the question {brief(title, 60)} has forecasts by several people ({names}); the journal "
            "keeps one person's confidence, so remove the other people's rows and import again.",
            line=first.line,
        )
    forecasts = []
    for row in rows:
        cell, at = row["Forecast (scale = 0-1)"], row["Forecast created at"]
        for name, value in (("Forecast (scale = 0-1)", cell), ("Forecast created at", at)):
            if not value.strip():
                raise ImportFileError(f'"{name}" is empty.', line=row.line)
        moment = _csv_time(at, row.line, "Forecast created at")
        forecasts.append(CsvForecast(_csv_confidence(cell, row.line), moment, row.line))
    forecasts.sort(key=lambda f: f.at)

    resolution = first["Resolution"].strip().upper()
    if resolution and resolution not in _STATUS_OF:
        raise ImportFileError(
            f'"Resolution" {brief(first["Resolution"])} is not YES, NO, AMBIGUOUS or empty.', line=first.line
        )
    status = _STATUS_OF.get(resolution, TheoryStatus.OPEN)
    resolved_at = None
    if status.is_resolved:
        cell = first["Resolved at"].strip()
        resolved_at = _csv_time(cell, first.line, "Resolved at") if cell else forecasts[-1].at
        if today is not None and resolved_at.date() > today + FUTURE_SLACK:
            raise ImportFileError(f'"Resolved at" {cell} is in the future.', line=first.line)
    comments = first["Question comments"].strip()
    notes = first["Question notes"]
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
    tags = first.check(lambda v: {fatebook_tag(t) for t in v.split(",")} - {""}, first["Question tags"])
    # What the file says nothing about (a column it lacks) leaves an existing theory's field alone.
    provided = {
        "body": has("Question notes") or (has("Question comments") and "Comments" in notes),
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
    )
