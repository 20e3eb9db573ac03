"""Reading a JSON export: every field checked, every error naming its path."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Collection
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from etoile_app.domain import rules
from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import ConfidencePoint, EarlierResolution
from etoile_app.domain.transfer.records import (
    FORMAT,
    FORMAT_VERSION,
    FUTURE_SLACK,
    USER_FACT_PREFIX,
    Catalogue,
    DreamCastEntry,
    EvidenceEntry,
    ImportFileError,
    JournalFile,
    TheoryEntry,
    UserFactEntry,
    brief,
    decode_text,
    year_in_range,
)


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


_E = TypeVar("_E", Category, FactStatus, Stance, TheoryStatus, Topic)
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
            raise self.fail(f"the field {brief(duplicate)} appears twice.", path)
        for key in data:
            if key not in fields:
                raise self.fail(
                    f"{what.capitalize()} has no field {brief(key)}; the fields are: {', '.join(fields)}.",
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
            raise self.fail(f"{brief(value)} is not one of: {allowed}.", self.at(name)) from None

    def key(self, name: str, *, required: bool = True) -> str | None:
        value = self.typed(name, str, "text", required=required)
        if value is not None and (len(value) > _KEY_MAX or not _KEY.match(value)):
            raise self.fail(
                f"{brief(value)} is not a key (lower-case letters, digits and single hyphens).", self.at(name)
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
            raise self.fail(f"{brief(value)} is not a date written YYYY-MM-DD.", self.at(name)) from None
        if not year_in_range(day.year):
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
                f"{brief(value)} is not a time written like 2026-03-01T12:00:00Z (UTC, or with an offset).",
                self.at(name),
            ) from None
        if not year_in_range(moment.year):
            raise self.fail(f"{value} is out of range (years 1900 to 2200).", self.at(name))
        return moment.astimezone(UTC)

    def items(self, name: str, what: str) -> list[tuple[str, Any]]:
        """The elements of an optional list field, each with its path."""
        value = self.typed(name, list, f"a list of {what}", required=False) or []
        return [(f"{self.at(name)}[{i}]", item) for i, item in enumerate(value)]


def _check_today(node: _Node, name: str, day: date | None, today: date | None, what: str) -> None:
    if day is not None and today is not None and day > today + FUTURE_SLACK:
        raise node.fail(f"{what} {day.isoformat()} is in the future.", node.at(name))


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
        line, column = _too_deep_at(text)
        raise ImportFileError(
            f"the JSON is nested too deeply to be a journal export (more than {NESTING_SHOWN} "
            f"levels of brackets by column {column}).",
            line=line,
        ) from None
    except ValueError as exc:  # e.g. a number too long to convert
        raise ImportFileError(f"this is not a JSON file the journal can read: {exc}.") from None
    return _JsonReader(catalogue).read(data)


#: A journal export nests a handful of levels; past this many the position is reported.
NESTING_SHOWN = 100


def _too_deep_at(text: str) -> tuple[int, int]:
    """The line and column (from 1) where ``text`` opens its bracket number ``NESTING_SHOWN + 1``
    (brackets inside strings do not count); the end of the text if it never does."""
    depth, in_string, escaped, line, start = 0, False, False, 1, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            line, start = line + 1, i + 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > NESTING_SHOWN:
                return line, i - start + 1
        elif ch in "]}":
            depth -= 1
    return line, len(text) - start + 1


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


# A file's objects have exactly the fields of these records, in the same order.
_TOP_FIELDS = ("format", "format_version", *_names(JournalFile))
_THEORY_FIELDS = _names(TheoryEntry)
_REF_FIELDS = ("key", "name")
_EVIDENCE_FIELDS = _names(EvidenceEntry)
_HISTORY_FIELDS = _names(ConfidencePoint)
_EARLIER_FIELDS = _names(EarlierResolution)
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
                f"is {brief(fmt)}, not {FORMAT!r}: this is not an Étoile Theory Journal export.", "format"
            )
        version = top.raw("format_version", required=True)
        if isinstance(version, bool) or not isinstance(version, int | _BigInt):
            raise top.fail(f"must be a whole number, found {_kind(version)}.", "format_version")
        if isinstance(version, _BigInt) or version > FORMAT_VERSION:
            found = version.digits[:12] + "…" if isinstance(version, _BigInt) else version
            raise top.fail(
                f"the file was made by a newer version of the Étoile Theory Journal (format version "
                f"{found}; this app reads version {FORMAT_VERSION}). Update the app to import it.",
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
            if status in (FactStatus.SUPERSEDED, FactStatus.CONTRADICTED):
                raise node.fail(
                    f"a fact you added cannot be marked {status.value}; "
                    "that comes from a newer fact that supersedes it, or a better one that contradicts it.",
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
                headline=node.text("headline", "The headline", max_len=rules.HEADLINE_MAX),
                source_title=node.text("source_title", "The title of the piece", max_len=400),
                source_url=self._url(node),
                retracted_at=node.moment("retracted_at", required=False),
            )
            nodes.append(node)
        for node in nodes:
            self._check_supersedes(node, self.file_facts[node.data["key"]])
        return tuple(sorted(self.file_facts.values(), key=lambda f: (f.created_at, f.key)))

    @staticmethod
    def _url(node: _Node) -> str:
        value = node.text("source_url", "The address", max_len=rules.URL_MAX)
        try:
            return rules.clean_url(value)
        except ValidationError as exc:
            raise node.fail(exc.message, node.at("source_url")) from None

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
                f"{brief(uid)} is not a uid (written like 1b4e28ba-2fa1-11d2-883f-0016d3cca427).",
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
            earlier_resolutions=self._earlier(node, today) if node.has("earlier_resolutions") else None,
        )

    def _earlier(self, node: _Node, today: date | None) -> tuple[EarlierResolution, ...]:
        out = []
        for path, item in node.items("earlier_resolutions", "earlier resolutions"):
            entry = _Node(path, item, _EARLIER_FIELDS, "an earlier resolution")
            status = entry.choice("status", TheoryStatus)
            if not status.is_resolved:
                raise entry.fail("an earlier resolution is confirmed, busted or void.", entry.at("status"))
            resolved_on: date | None = entry.day("resolved_on", required=True)
            _check_today(entry, "resolved_on", resolved_on, today, "The resolution date")
            resolved_at: datetime = entry.moment("resolved_at")  # type: ignore[assignment]
            reopened_at: datetime = entry.moment("reopened_at")  # type: ignore[assignment]
            if reopened_at < resolved_at:
                raise entry.fail("it was reopened before it was resolved.", entry.at("reopened_at"))
            out.append(
                EarlierResolution(
                    status=status,
                    resolved_on=resolved_on,  # type: ignore[arg-type]
                    resolved_at=resolved_at,
                    note=entry.text("note", "The resolution note", max_len=rules.NOTE_MAX, multiline=True),
                    reopened_at=reopened_at,
                )
            )
        return tuple(sorted(out, key=lambda r: r.resolved_at))

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
