"""The journal's files: JSON (complete), CSV in Fatebook's export layout, and Markdown.

Pure parsing, validation and formatting, standard library only; the transfer service reads and
writes the database. Every check on an import happens here, before anything is written, and
each error names where it is: the field path in JSON (``theories[3].tags[1]``) or the line in
CSV. ``docs/IMPORT_EXPORT.md`` describes the formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation, Overflow
from typing import Any, TypeVar

from etoile_app.domain import rules
from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import JournalError, ValidationError
from etoile_app.domain.models import ConfidencePoint
from etoile_app.domain.scoring import brier, in_force_confidence

FORMAT = "etoile-journal"
FORMAT_VERSION = 1
#: The largest file an import reads; the size is checked before reading.
MAX_IMPORT_BYTES = 50_000_000
USER_FACT_PREFIX = "user-"
#: Dates in a file may lie this far after today (time zones differ); later ones are refused.
FUTURE_SLACK = timedelta(days=1)

_E = TypeVar("_E", Category, FactStatus, Stance, TheoryStatus, Topic)


class ImportFileError(JournalError):
    """A file that cannot be imported. ``line`` (CSV) or ``field`` (JSON) says where."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        where = field or (f"line {line}" if line is not None else "")
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message
        self.line = line
        self.field = field


class ExportFileError(JournalError):
    """An export that cannot be written (a missing folder, no permission, a full disk)."""


# --- what a file holds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    fact: str  # the fact's key
    stance: Stance
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TheoryEntry:
    """A theory as files carry it: characters and facts by key, lists in a fixed order."""

    uid: str
    title: str
    body: str
    category: Category
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
    tags: tuple[str, ...] = ()  # sorted
    characters: tuple[str, ...] = ()  # character keys, sorted
    evidence: tuple[EvidenceEntry, ...] = ()  # in the order it was cited
    history: tuple[ConfidencePoint, ...] = ()  # in time order


@dataclass(frozen=True, slots=True)
class DreamCastEntry:
    role_idea: str
    actor: str
    note: str
    rating: int | None
    character: str | None  # character key
    created_at: datetime
    updated_at: datetime

    @property
    def match_key(self) -> tuple[str, str, datetime]:
        """Dream casting has no id of its own; an entry is the same one by role, actor and creation."""
        return (self.role_idea, self.actor, self.created_at)


@dataclass(frozen=True, slots=True)
class UserFactEntry:
    key: str
    topic: Topic
    statement: str
    status: FactStatus
    source: str
    as_of: date
    supersedes: str | None  # a fact key
    characters: tuple[str, ...]  # character keys, sorted
    created_at: datetime


@dataclass(frozen=True, slots=True)
class JournalFile:
    """Everything a JSON export holds."""

    theories: tuple[TheoryEntry, ...] = ()
    dream_casting: tuple[DreamCastEntry, ...] = ()
    user_facts: tuple[UserFactEntry, ...] = ()
    app_version: str = ""
    exported_at: datetime | None = None
    canon_pack_version: int | None = None


@dataclass(frozen=True, slots=True)
class KnownFact:
    as_of: date
    supersedes: str | None
    user: bool


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the journal already holds that a file may refer to: character and fact keys."""

    characters: frozenset[str] = frozenset()
    facts: Mapping[str, KnownFact] = field(default_factory=dict)
    today: date | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    format: str
    theories_created: int = 0
    theories_updated: int = 0
    theories_unchanged: int = 0
    forecasts_added: int = 0
    tags_created: int = 0
    dream_casting_created: int = 0
    dream_casting_updated: int = 0
    user_facts_created: int = 0
    user_facts_updated: int = 0
    rows_skipped: int = 0  # CSV rows of multiple-choice questions

    @property
    def changed(self) -> bool:
        return any(
            (
                self.theories_created,
                self.theories_updated,
                self.dream_casting_created,
                self.dream_casting_updated,
                self.user_facts_created,
                self.user_facts_updated,
            )
        )

    def summary(self) -> str:
        text = (
            f"{self.theories_created} new, {self.theories_updated} updated, "
            f"{self.theories_unchanged} unchanged"
        )
        if self.rows_skipped:
            rows = "row" if self.rows_skipped == 1 else "rows"
            text += f" ({self.rows_skipped} multiple-choice {rows} skipped)"
        return text


@dataclass(frozen=True, slots=True)
class ExportReport:
    format: str
    theories: int


def guess_format(name: str, head: bytes) -> str:
    """``json`` or ``csv`` from the file name, else from the first character."""
    suffix = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if suffix in ("json", "csv"):
        return suffix
    if suffix in ("md", "markdown"):
        raise ImportFileError("A Markdown export is for reading; import the JSON or CSV export instead.")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in (b"{", b"[") else "csv"


# --- shared helpers --------------------------------------------------------------------------


def _show(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _NonFinite:
    def __init__(self, name: str) -> None:
        self.name = name


class _BigInt:
    def __init__(self, digits: str) -> None:
        self.digits = digits


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers a key it held twice."""

    duplicate: str | None = None


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    out = _Object()
    for key, value in pairs:
        if key in out and out.duplicate is None:
            out.duplicate = key
        out[key] = value
    return out


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | _BigInt):
        return "a whole number"
    if isinstance(value, Decimal):
        return "a decimal number"
    if isinstance(value, _NonFinite):
        return value.name
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def iso_moment(moment: datetime) -> str:
    """``2026-03-01T12:00:00Z`` (microseconds only when there are some)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _in_range(year: int) -> bool:
    return 1900 <= year <= 2200


# --- reading JSON ----------------------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY_MAX = 80


class _Node:
    """One JSON object of the file; every error it raises names the object's path."""

    def __init__(self, path: str, data: object, fields: Collection[str], what: str) -> None:
        self.path = path
        if not isinstance(data, dict):
            raise self.fail(f"must be an object ({{…}}) describing {what}, found {_kind(data)}.", path)
        self.data: dict[str, Any] = data
        duplicate = getattr(data, "duplicate", None)
        if duplicate is not None:
            raise self.fail(f"the field {_show(duplicate)} appears twice.", path)
        for key in data:
            if key not in fields:
                raise self.fail(
                    f"{what.capitalize()} has no field {_show(key)}; the fields are: {', '.join(fields)}.",
                    self.at(key) if isinstance(key, str) and key.isidentifier() else path,
                )

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    @staticmethod
    def fail(message: str, path: str) -> ImportFileError:
        return ImportFileError(message, field=path or "(top level)")

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str, *, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            missing = "is missing" if name not in self.data else "cannot be null"
            raise self.fail(f"{missing}; it is required.", self.at(name))
        return value

    def typed(self, name: str, kind: type, what: str, *, required: bool) -> Any:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise self.fail(f"must be {what}, found {_kind(value)}.", self.at(name))
        return value

    def clean(self, name: str, cleaner: Callable[[Any], Any], *, required: bool = True) -> Any:
        """Apply one of the app's own rules (``rules.clean_*``) to a text field."""
        value = self.typed(name, str, "text", required=required)
        try:
            return cleaner(value)
        except ValidationError as exc:
            raise self.fail(exc.message, self.at(name)) from None

    def text(
        self, name: str, what: str, *, max_len: int, required: bool = False, multiline: bool = False
    ) -> str:
        value = self.typed(name, str, "text", required=required)
        if value is not None and len(value) > 4 * max_len + 1000:  # no need to scan megabytes
            raise self.fail(
                f"{what} is {len(value):,} characters long; the limit is {max_len:,}.", self.at(name)
            )
        try:
            return rules.clean_text(
                value, what, field=name, max_len=max_len, required=required, multiline=multiline
            )
        except ValidationError as exc:
            raise self.fail(exc.message, self.at(name)) from None

    def whole(self, name: str, low: int, high: int, *, required: bool) -> int | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if isinstance(value, _BigInt):
            raise self.fail(
                f"must be from {low} to {high}, found a {len(value.digits)}-digit number.", self.at(name)
            )
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(
                f"must be a whole number from {low} to {high}, found {_kind(value)}.", self.at(name)
            )
        if not low <= value <= high:
            raise self.fail(f"must be from {low} to {high}, found {value}.", self.at(name))
        return value

    def choice(self, name: str, enum: type[_E], *, default: _E | None = None) -> _E:
        value = self.typed(name, str, "text", required=default is None)
        if value is None:
            return default  # type: ignore[return-value]
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise self.fail(f"{_show(value)} is not one of: {allowed}.", self.at(name)) from None

    def key(self, name: str, *, required: bool = True) -> str | None:
        value = self.typed(name, str, "text", required=required)
        if value is not None and (len(value) > _KEY_MAX or not _KEY.match(value)):
            raise self.fail(
                f"{_show(value)} is not a key (lower-case letters, digits and single hyphens).", self.at(name)
            )
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.typed(name, str, "a date written YYYY-MM-DD", required=required)
        if value is None:
            return None
        try:
            if not _DAY.match(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{_show(value)} is not a date written YYYY-MM-DD.", self.at(name)) from None
        if not _in_range(day.year):
            raise self.fail(f"{value} is out of range (years 1900 to 2200).", self.at(name))
        return day

    def moment(self, name: str, *, required: bool = True) -> datetime | None:
        value = self.typed(name, str, "a time written like 2026-03-01T12:00:00Z", required=required)
        if value is None:
            return None
        try:
            if not _MOMENT.match(value):
                raise ValueError
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"{_show(value)} is not a time written like 2026-03-01T12:00:00Z (UTC, or with an offset).",
                self.at(name),
            ) from None
        if not _in_range(moment.year):
            raise self.fail(f"{value} is out of range (years 1900 to 2200).", self.at(name))
        return moment.astimezone(UTC)

    def items(self, name: str, what: str) -> list[tuple[str, Any]]:
        """The elements of an optional list field, each with its path."""
        value = self.typed(name, list, f"a list of {what}", required=False) or []
        return [(f"{self.at(name)}[{i}]", item) for i, item in enumerate(value)]


def _check_today(node: _Node, name: str, day: date | None, today: date | None, what: str) -> None:
    if day is not None and today is not None and day > today + FUTURE_SLACK:
        raise node.fail(f"{what} {day.isoformat()} is in the future.", node.at(name))


def decode_text(raw: bytes, what: str) -> str:
    """UTF-8 (a leading byte-order mark is allowed); an error names the line of the bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            f"the file is not UTF-8 text (byte {exc.start + 1} is not valid); "
            f"save the {what} as UTF-8 and import it again.",
            line=line,
        ) from None


def parse_json(raw: bytes, catalogue: Catalogue | None = None) -> JournalFile:
    """Read and check a JSON export. With a ``catalogue`` every character and fact key is checked too."""
    text = decode_text(raw, "JSON file")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=Decimal,
            parse_int=lambda s: int(s) if len(s) <= 30 else _BigInt(s),
            parse_constant=_NonFinite,
        )
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"this is not valid JSON: {exc.msg} (column {exc.colno}).", line=exc.lineno
        ) from None
    except RecursionError:
        raise ImportFileError("the JSON is nested too deeply to be a journal export.") from None
    except ValueError as exc:  # e.g. a number too long to convert
        raise ImportFileError(f"this is not a JSON file the journal can read: {exc}.") from None
    return _JsonReader(catalogue).read(data)


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


# A file's objects have exactly the fields of these records, in the same order.
_TOP_FIELDS = ("format", "format_version", *_names(JournalFile))
_THEORY_FIELDS = _names(TheoryEntry)
_REF_FIELDS = ("key", "name")
_EVIDENCE_FIELDS = _names(EvidenceEntry)
_HISTORY_FIELDS = _names(ConfidencePoint)
_DREAM_FIELDS = _names(DreamCastEntry)
_FACT_FIELDS = _names(UserFactEntry)


class _JsonReader:
    def __init__(self, catalogue: Catalogue | None) -> None:
        self.catalogue = catalogue
        self.file_facts: dict[str, UserFactEntry] = {}

    def read(self, data: object) -> JournalFile:
        top = _Node("", data, _TOP_FIELDS, "a journal export")
        fmt = top.typed("format", str, "text", required=True)
        if fmt != FORMAT:
            raise top.fail(
                f"is {_show(fmt)}, not {FORMAT!r}: this is not an Étoile Theory Journal export.", "format"
            )
        version = top.raw("format_version", required=True)
        if isinstance(version, bool) or not isinstance(version, int | _BigInt):
            raise top.fail(f"must be a whole number, found {_kind(version)}.", "format_version")
        if isinstance(version, _BigInt) or version > FORMAT_VERSION:
            shown = version.digits[:12] + "…" if isinstance(version, _BigInt) else version
            raise top.fail(
                f"the file was made by a newer version of the Étoile Theory Journal (format version "
                f"{shown}; this app reads version {FORMAT_VERSION}). Update the app to import it.",
                "format_version",
            )
        if version < 1:
            raise top.fail(f"{version} is not a valid format version.", "format_version")
        app_version = top.text("app_version", "The app version", max_len=rules.SHORT_TEXT_MAX)
        exported_at = top.moment("exported_at", required=False)
        pack_version = top.whole("canon_pack_version", 0, 2**31, required=False)

        user_facts = self._facts(top.items("user_facts", "user facts"))
        theories = self._theories(top.items("theories", "theories"))
        dreams = tuple(self._dream(path, item) for path, item in top.items("dream_casting", "dream casting"))
        return JournalFile(
            theories=theories,
            dream_casting=dreams,
            user_facts=user_facts,
            app_version=app_version,
            exported_at=exported_at,
            canon_pack_version=pack_version,
        )

    # --- references ----------------------------------------------------------------------

    def _character(self, path: str, item: object) -> str:
        """A character reference: ``{"key": …, "name": …}`` (the name is there for people)."""
        node = _Node(path, item, _REF_FIELDS, "a character")
        key: str = node.key("key")  # type: ignore[assignment]
        node.typed("name", str, "text", required=False)
        if self.catalogue is not None and key not in self.catalogue.characters:
            raise node.fail(
                f"{key!r} is not a character in this journal's canon; load the canon pack the file "
                "was made with, then import again.",
                node.at("key"),
            )
        return key

    def _characters(self, node: _Node) -> tuple[str, ...]:
        return tuple(sorted({self._character(p, item) for p, item in node.items("characters", "characters")}))

    def _fact_known(self, key: str) -> bool:
        return key in self.file_facts or (self.catalogue is not None and key in self.catalogue.facts)

    # --- user facts ----------------------------------------------------------------------

    def _facts(self, items: list[tuple[str, Any]]) -> tuple[UserFactEntry, ...]:
        nodes: list[_Node] = []
        for path, item in items:
            node = _Node(path, item, _FACT_FIELDS, "a user fact")
            key: str = node.key("key")  # type: ignore[assignment]
            if not key.startswith(USER_FACT_PREFIX):
                raise node.fail(
                    f"{key!r} is not a key of a fact you added; those start with {USER_FACT_PREFIX!r}.",
                    node.at("key"),
                )
            if key in self.file_facts:
                raise node.fail(f"the fact {key!r} is listed twice.", node.at("key"))
            if (
                self.catalogue is not None
                and key in self.catalogue.facts
                and not self.catalogue.facts[key].user
            ):
                raise node.fail(f"{key!r} is a canon pack fact in this journal.", node.at("key"))
            status = node.choice("status", FactStatus)
            if status is FactStatus.SUPERSEDED:
                raise node.fail(
                    "a fact you added cannot be marked superseded; a newer fact supersedes it instead.",
                    node.at("status"),
                )
            as_of: date = node.day("as_of", required=True)  # type: ignore[assignment]
            _check_today(node, "as_of", as_of, self.catalogue.today if self.catalogue else None, "The date")
            self.file_facts[key] = UserFactEntry(
                key=key,
                topic=node.choice("topic", Topic),
                statement=node.text("statement", "What happened", max_len=rules.STATEMENT_MAX, required=True),
                status=status,
                source=node.text("source", "The source", max_len=rules.SHORT_TEXT_MAX, required=True),
                as_of=as_of,
                supersedes=node.key("supersedes", required=False),
                characters=self._characters(node),
                created_at=node.moment("created_at"),  # type: ignore[arg-type]
            )
            nodes.append(node)
        for node in nodes:
            self._check_supersedes(node, self.file_facts[node.data["key"]])
        return tuple(sorted(self.file_facts.values(), key=lambda f: (f.created_at, f.key)))

    def _supersedes_of(self, key: str) -> tuple[str | None, date | None]:
        if key in self.file_facts:
            return self.file_facts[key].supersedes, self.file_facts[key].as_of
        if self.catalogue is not None and key in self.catalogue.facts:
            known = self.catalogue.facts[key]
            return known.supersedes, known.as_of
        return None, None

    def _check_supersedes(self, node: _Node, fact: UserFactEntry) -> None:
        older = fact.supersedes
        if older is None:
            return
        where = node.at("supersedes")
        if older == fact.key:
            raise node.fail("a fact cannot supersede itself.", where)
        if self.catalogue is not None and not self._fact_known(older):
            raise node.fail(f"{older!r} is not a fact in this journal or in the file.", where)
        _, older_as_of = self._supersedes_of(older)
        if older_as_of is not None and older_as_of > fact.as_of:
            raise node.fail(
                f"news dated {fact.as_of.isoformat()} cannot supersede {older!r}, "
                f"dated {older_as_of.isoformat()}.",
                where,
            )
        seen = {fact.key}
        key: str | None = older
        while key is not None:
            if key in seen:
                raise node.fail("its chain of superseded facts loops back on itself.", where)
            seen.add(key)
            key, _ = self._supersedes_of(key)

    # --- theories ------------------------------------------------------------------------

    def _theories(self, items: list[tuple[str, Any]]) -> tuple[TheoryEntry, ...]:
        out: list[TheoryEntry] = []
        uids: dict[str, str] = {}
        for path, item in items:
            theory = self._theory(_Node(path, item, _THEORY_FIELDS, "a theory"))
            if theory.uid in uids:
                raise _Node.fail(f"the same uid as {uids[theory.uid]}.", f"{path}.uid")
            uids[theory.uid] = path
            out.append(theory)
        return tuple(sorted(out, key=lambda t: (t.created_at, t.uid)))

    def _theory(self, node: _Node) -> TheoryEntry:
        uid: str = node.typed("uid", str, "text", required=True)
        try:
            canonical = str(uuid.UUID(uid))
        except ValueError:
            canonical = ""
        if canonical != uid:
            raise node.fail(
                f"{_show(uid)} is not a uid (written like 1b4e28ba-2fa1-11d2-883f-0016d3cca427).",
                node.at("uid"),
            )
        title = node.clean("title", rules.clean_title)
        body = node.clean("body", rules.clean_body, required=False)
        category = node.choice("category", Category, default=Category.OTHER)
        today = self.catalogue.today if self.catalogue is not None else None
        status = node.choice("status", TheoryStatus)
        resolved_on = node.day("resolved_on")
        resolved_at = node.moment("resolved_at", required=False)
        resolution_note = node.text(
            "resolution_note", "The resolution note", max_len=rules.NOTE_MAX, multiline=True
        )
        if status.is_resolved:
            for name, value in (("resolved_on", resolved_on), ("resolved_at", resolved_at)):
                if value is None:
                    raise node.fail(f"a {status.value} theory needs {name}.", node.at(name))
            _check_today(node, "resolved_on", resolved_on, today, "The resolution date")
        else:
            for name in ("resolved_on", "resolved_at", "resolution_note"):
                if node.has(name) and node.data[name] != "":
                    raise node.fail(f"an open theory has no {name}; leave it null.", node.at(name))
        history = self._history(node)
        confidence: int = node.whole("confidence", rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX, required=True)  # type: ignore[assignment]
        if history[-1].confidence != confidence:
            raise node.fail(
                f"{confidence} is not the latest confidence in its history ({history[-1].confidence}).",
                node.at("confidence"),
            )
        created_at: datetime = node.moment("created_at")  # type: ignore[assignment]
        tags: dict[str, None] = {}
        for path, raw in node.items("tags", "tags"):
            if not isinstance(raw, str):
                raise node.fail(f"a tag must be text, found {_kind(raw)}.", path)
            try:
                tags.setdefault(rules.normalise_tag(raw), None)
            except ValidationError as exc:
                raise node.fail(exc.message, path) from None
        return TheoryEntry(
            uid=uid,
            title=title,
            body=body,
            category=category,
            confidence=confidence,
            juiciness=node.whole("juiciness", rules.RATING_MIN, rules.RATING_MAX, required=False),
            status=status,
            resolve_by=node.day("resolve_by"),
            resolved_on=resolved_on if status.is_resolved else None,
            resolved_at=resolved_at if status.is_resolved else None,
            resolution_note=resolution_note if status.is_resolved else "",
            created_at=created_at,
            updated_at=node.moment("updated_at", required=False) or created_at,
            deleted_at=node.moment("deleted_at", required=False),
            starter_key=node.key("starter_key", required=False),
            tags=tuple(sorted(tags)),
            characters=self._characters(node),
            evidence=self._evidence(node, created_at),
            history=history,
        )

    def _history(self, node: _Node) -> tuple[ConfidencePoint, ...]:
        items = node.items("history", "confidence changes")
        if not items:
            raise node.fail("a theory needs at least one confidence in its history.", node.at("history"))
        points = []
        for path, item in items:
            entry = _Node(path, item, _HISTORY_FIELDS, "a confidence change")
            points.append(
                ConfidencePoint(
                    confidence=entry.whole(  # type: ignore[arg-type]
                        "confidence", rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX, required=True
                    ),
                    changed_at=entry.moment("changed_at"),  # type: ignore[arg-type]
                    note=entry.text("note", "The note", max_len=rules.NOTE_MAX),
                )
            )
        return tuple(sorted(points, key=lambda p: p.changed_at))  # stable: same times keep file order

    def _evidence(self, node: _Node, created_at: datetime) -> tuple[EvidenceEntry, ...]:
        cited: dict[str, EvidenceEntry] = {}
        for path, item in node.items("evidence", "evidence"):
            entry = _Node(path, item, _EVIDENCE_FIELDS, "a piece of evidence")
            key: str = entry.key("fact")  # type: ignore[assignment]
            if self.catalogue is not None and not self._fact_known(key):
                raise entry.fail(
                    f"{key!r} is not a canon fact in this journal or a fact in the file.", entry.at("fact")
                )
            cited[key] = EvidenceEntry(
                fact=key,
                stance=entry.choice("stance", Stance),
                note=entry.text("note", "The evidence note", max_len=rules.NOTE_MAX, multiline=True),
                created_at=entry.moment("created_at", required=False) or created_at,
            )
        return tuple(cited.values())  # the order it was cited in; a repeat updates the first

    def _dream(self, path: str, item: object) -> DreamCastEntry:
        node = _Node(path, item, _DREAM_FIELDS, "a dream casting entry")
        character = None
        if node.has("character"):
            character = self._character(node.at("character"), node.data["character"])
        created_at: datetime = node.moment("created_at")  # type: ignore[assignment]
        return DreamCastEntry(
            role_idea=node.text("role_idea", "The role", max_len=rules.SHORT_TEXT_MAX, required=True),
            actor=node.text("actor", "The actor", max_len=rules.SHORT_TEXT_MAX, required=True),
            note=node.text("note", "The note", max_len=rules.NOTE_MAX, multiline=True),
            rating=node.whole("rating", rules.RATING_MIN, rules.RATING_MAX, required=False),
            character=character,
            created_at=created_at,
            updated_at=node.moment("updated_at", required=False) or created_at,
        )


# --- writing JSON ----------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return iso_moment(value) if value is not None else None


def dump_json(data: JournalFile, names: Mapping[str, str]) -> bytes:
    """The JSON export: fields in a fixed order, lists sorted, so equal data gives equal bytes.

    ``names`` maps character keys to names, written beside each key for people to read.
    """

    def ref(key: str) -> dict[str, str]:
        return {"key": key, "name": names.get(key, key)}

    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": data.app_version,
        "exported_at": _moment(data.exported_at),
        "canon_pack_version": data.canon_pack_version,
        "theories": [
            {
                "uid": t.uid,
                "title": t.title,
                "body": t.body,
                "category": t.category.value,
                "confidence": t.confidence,
                "juiciness": t.juiciness,
                "status": t.status.value,
                "resolve_by": _day(t.resolve_by),
                "resolved_on": _day(t.resolved_on),
                "resolved_at": _moment(t.resolved_at),
                "resolution_note": t.resolution_note,
                "created_at": _moment(t.created_at),
                "updated_at": _moment(t.updated_at),
                "deleted_at": _moment(t.deleted_at),
                "starter_key": t.starter_key,
                "tags": list(t.tags),
                "characters": [ref(k) for k in t.characters],
                "evidence": [
                    {
                        "fact": e.fact,
                        "stance": e.stance.value,
                        "note": e.note,
                        "created_at": _moment(e.created_at),
                    }
                    for e in t.evidence
                ],
                "history": [
                    {"confidence": h.confidence, "changed_at": _moment(h.changed_at), "note": h.note}
                    for h in t.history
                ],
            }
            for t in data.theories
        ],
        "dream_casting": [
            {
                "role_idea": d.role_idea,
                "actor": d.actor,
                "note": d.note,
                "rating": d.rating,
                "character": ref(d.character) if d.character is not None else None,
                "created_at": _moment(d.created_at),
                "updated_at": _moment(d.updated_at),
            }
            for d in data.dream_casting
        ],
        "user_facts": [
            {
                "key": f.key,
                "topic": f.topic.value,
                "statement": f.statement,
                "status": f.status.value,
                "source": f.source,
                "as_of": f.as_of.isoformat(),
                "supersedes": f.supersedes,
                "characters": [ref(k) for k in f.characters],
                "created_at": _moment(f.created_at),
            }
            for f in data.user_facts
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


# --- CSV in Fatebook's layout ----------------------------------------------------------------

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
            f'"{column}" {_show(text)} is not a date and time written YYYY-MM-DD HH:MM:SS.', line=line
        ) from None
    if not _in_range(moment.year):
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
            f"{column} {_show(text)} is not a probability between 0 and 1.", line=line
        ) from None
    except DecimalException:
        raise ImportFileError(f"{column} {_show(text)} is not a number.", line=line) from None
    if not 0 <= value <= 100:
        raise ImportFileError(f"{column} {_show(text)} is not a probability between 0 and 1.", line=line)
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
        names = ", ".join(sorted(_show(n, 30) for n in forecasters))
        raise ImportFileError(
            f"the question {_show(title, 60)} has forecasts by several people ({names}); the journal "
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
            f'"Resolution" {_show(first["Resolution"])} is not YES, NO, AMBIGUOUS or empty.', line=first.line
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


# --- Markdown --------------------------------------------------------------------------------

MARKDOWN_ORDER = (TheoryStatus.OPEN, TheoryStatus.CONFIRMED, TheoryStatus.BUSTED, TheoryStatus.VOID)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SPACES = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """User text as literal Markdown: one line, with every character that could format it escaped."""
    text = _SPACES.sub(" ", text).strip()
    return _MD_SPECIAL.sub(r"\\\1", _MD_ENTITY.sub("&amp;", text))


def format_markdown(theories: Iterable[TheoryEntry], names: Mapping[str, str], exported_on: date) -> str:
    """A list to paste into a forum post, grouped by status; binned theories are left out."""
    live = [t for t in theories if t.deleted_at is None]
    count = Counter(t.status for t in live)
    noun = "theory" if len(live) == 1 else "theories"
    lines = [
        "# My Étoile theories",
        "",
        f"{len(live)} {noun} from the Étoile Theory Journal, {exported_on.isoformat()}.",
    ]
    for status in MARKDOWN_ORDER:
        if not count[status]:
            continue
        lines += ["", f"## {status.label} ({count[status]})", ""]
        for t in live:
            if t.status is status:
                lines += _markdown_theory(t, names)
    return "\n".join(lines) + "\n"


def _markdown_theory(t: TheoryEntry, names: Mapping[str, str]) -> list[str]:
    details = [f"Category: {t.category.label}"]
    if t.characters:
        shown = sorted((names.get(k, k) for k in t.characters), key=str.casefold)
        details.append("Characters: " + ", ".join(escape_markdown(n) for n in shown))
    if t.tags:
        details.append("Tags: " + ", ".join(escape_markdown(tag) for tag in t.tags))
    if t.status.is_resolved and t.resolved_on is not None:
        note = f": {escape_markdown(t.resolution_note)}" if t.resolution_note else ""
        details.append(f"Resolved on {t.resolved_on.isoformat()}{note}")
    elif t.resolve_by is not None:
        details.append(f"Resolve by: {t.resolve_by.isoformat()}")
    # Sub-items indented by four spaces nest under the item in every common Markdown dialect.
    return [f"- **{escape_markdown(t.title)}** — {t.confidence} %"] + [f"    - {d}" for d in details]
