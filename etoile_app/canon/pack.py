"""Load and validate a canon pack file into domain records.

A pack is a JSON document (see ``docs/CANON_PACK.md``). Validation is strict and complete
before anything is returned, and every error names the entry at fault, e.g.
``facts[4] (key 'release-late-2026'): "status" 'maybe' is not one of …``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from etoile_app.domain import rules
from etoile_app.domain.enums import Category, Company, FactStatus, RoleKind, Topic
from etoile_app.domain.errors import CanonPackError, ValidationError
from etoile_app.domain.models import (
    CanonPack,
    PackCharacter,
    PackFact,
    PackSource,
    StarterTheory,
)

FORMAT = "etoile-canon-pack"
SCHEMA_VERSION = 1
MAX_PACK_BYTES = 5_000_000
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_T = TypeVar("_T")


class _Entry:
    """Reads one JSON object, prefixing every error with where the object sits."""

    def __init__(self, where: str, data: object) -> None:
        self.where = where
        if not isinstance(data, dict):
            raise CanonPackError(f"{where}: expected an object, found {type(data).__name__}.")
        self.data: dict[str, Any] = data

    def fail(self, message: str) -> CanonPackError:
        return CanonPackError(f"{self.where}: {message}")

    def named(self) -> _Entry:
        key = self.data.get("key")
        if isinstance(key, str):
            self.where = f"{self.where} (key {key!r})"
        return self

    def get(self, name: str, kind: type[_T], *, required: bool = True, default: _T | None = None) -> _T:
        if name not in self.data or self.data[name] is None:
            if required:
                raise self.fail(f'"{name}" is missing.')
            return default  # type: ignore[return-value]
        value = self.data[name]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise self.fail(f'"{name}" must be {kind.__name__}, found {type(value).__name__}.')
        return value

    def text(self, name: str, *, max_len: int, required: bool = True, multiline: bool = False) -> str:
        value = self.get(name, str, required=required, default="")
        try:
            return rules.clean_text(
                value, f'"{name}"', field=name, max_len=max_len, required=required, multiline=multiline
            )
        except ValidationError as exc:
            raise self.fail(exc.message) from None

    def key(self) -> str:
        key = self.get("key", str)
        if not _KEY.match(key) or len(key) > 80:
            raise self.fail(f"key {key!r} must be lower-case letters, digits and single hyphens.")
        return key

    def day(self, name: str, *, required: bool = True) -> date | None:
        raw = self.get(name, str, required=required)
        if raw is None:
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise self.fail(f'"{name}" {raw!r} is not a date written as YYYY-MM-DD.') from None
        if not 1900 <= value.year <= 2200:
            raise self.fail(f'"{name}" {raw} is out of range.')
        return value

    def choice(self, name: str, enum: Callable[[str], _T]) -> _T:
        raw = self.get(name, str)
        try:
            return enum(raw)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)  # type: ignore[attr-defined]
            raise self.fail(f'"{name}" {raw!r} is not one of: {allowed}.') from None

    def keys(self, name: str, known: set[str], what: str) -> tuple[str, ...]:
        raw = self.get(name, list, required=False, default=[])
        out: list[str] = []
        for item in raw:
            if not isinstance(item, str) or item not in known:
                raise self.fail(f'"{name}" names {item!r}, which is not a known {what}.')
            if item not in out:
                out.append(item)
        return tuple(out)


def load_pack(path: Path) -> CanonPack:
    """Read and validate the pack at ``path``."""
    try:
        size = path.stat().st_size
        if size > MAX_PACK_BYTES:
            raise CanonPackError(
                f"{path.name} is {size:,} bytes; a canon pack may be at most {MAX_PACK_BYTES:,}."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CanonPackError(f"Cannot read the canon pack {path}: {exc.strerror or exc}.") from None
    return parse_pack(raw, name=path.name)


def parse_pack(raw: bytes | str, name: str = "canon pack") -> CanonPack:
    """Validate a pack given as JSON text or bytes."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise CanonPackError(f"{name} is not UTF-8 text (byte {exc.start}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CanonPackError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise CanonPackError(f"{name} is nested too deeply to be a canon pack.") from None
    return _validate(data, name)


def _validate(data: object, name: str) -> CanonPack:
    top = _Entry(name, data)
    if top.get("format", str) != FORMAT:
        raise top.fail(f'"format" must be {FORMAT!r}; this is not an Étoile canon pack.')
    schema = top.get("schema_version", int)
    if schema > SCHEMA_VERSION:
        raise top.fail(
            f"schema version {schema} is newer than this app understands ({SCHEMA_VERSION}); "
            "update the app to load it."
        )
    if schema < 1:
        raise top.fail(f"schema version {schema} is not valid.")
    version = top.get("version", int)
    if version < 1:
        raise top.fail('"version" must be 1 or more.')

    sources = _sources(top.get("sources", list))
    source_by_key = {s.key: s for s in sources}
    characters = _characters(top.get("characters", list), source_by_key)
    facts = _facts(top.get("facts", list), source_by_key, {c.key for c in characters})
    starters = _starters(
        top.get("starters", list, required=False, default=[]), source_by_key, {c.key for c in characters}
    )
    return CanonPack(
        schema_version=schema,
        version=version,
        as_of=top.day("as_of"),  # type: ignore[arg-type]
        title=top.text("title", max_len=rules.SHORT_TEXT_MAX),
        sources=sources,
        characters=characters,
        facts=facts,
        starters=starters,
    )


def _unique(entry: _Entry, key: str, seen: set[str]) -> str:
    if key in seen:
        raise entry.fail(f"key {key!r} is used twice.")
    seen.add(key)
    return key


def _cite(entry: _Entry, sources: dict[str, PackSource]) -> tuple[str, PackSource]:
    """The readable citation of an entry: the source's name, plus ``§ section`` for an article."""
    key = entry.get("source", str)
    if key not in sources:
        raise entry.fail(f'"source" {key!r} is not listed under "sources".')
    source = sources[key]
    section = entry.text("section", max_len=rules.SHORT_TEXT_MAX, required=False)
    citation = f"{source.name}, § {section}" if section else source.name
    return citation, source


def _sources(items: list[Any]) -> tuple[PackSource, ...]:
    out, seen = [], set()
    for i, item in enumerate(items):
        e = _Entry(f"sources[{i}]", item).named()
        out.append(
            PackSource(
                key=_unique(e, e.key(), seen),
                name=e.text("name", max_len=rules.SHORT_TEXT_MAX),
                date=e.day("date"),  # type: ignore[arg-type]
                note=e.text("note", max_len=rules.NOTE_MAX, required=False),
            )
        )
    if not out:
        raise CanonPackError('"sources" is empty; every fact needs a source.')
    return tuple(out)


def _characters(items: list[Any], sources: dict[str, PackSource]) -> tuple[PackCharacter, ...]:
    out, seen = [], set()
    for i, item in enumerate(items):
        e = _Entry(f"characters[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        citation, _ = _cite(e, sources)
        out.append(
            PackCharacter(
                key=key,
                name=e.text("name", max_len=rules.SHORT_TEXT_MAX),
                actor=e.text("actor", max_len=rules.SHORT_TEXT_MAX, required=False) or None,
                company=e.choice("company", Company),
                role=e.choice("role", RoleKind),
                description=e.text("description", max_len=rules.STATEMENT_MAX),
                season1_arc=e.text("season1_arc", max_len=rules.NOTE_MAX, required=False, multiline=True),
                arc_source=citation,
            )
        )
    return tuple(out)


def _facts(items: list[Any], sources: dict[str, PackSource], characters: set[str]) -> tuple[PackFact, ...]:
    out: list[PackFact] = []
    seen: set[str] = set()
    entries: list[_Entry] = []
    for i, item in enumerate(items):
        e = _Entry(f"facts[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        if key.startswith("user-"):
            raise e.fail("keys starting with 'user-' are kept for facts people add themselves.")
        citation, source = _cite(e, sources)
        as_of = e.day("as_of", required=False) or source.date
        out.append(
            PackFact(
                key=key,
                topic=e.choice("topic", Topic),
                statement=e.text("statement", max_len=rules.STATEMENT_MAX),
                status=e.choice("status", FactStatus),
                source=citation,
                as_of=as_of,
                supersedes=e.get("supersedes", str, required=False),
                characters=e.keys("characters", characters, "character"),
            )
        )
        entries.append(e)
    by_key = {f.key: f for f in out}
    superseded_by: dict[str, str] = {}
    for fact, e in zip(out, entries, strict=True):
        if fact.supersedes is None:
            continue
        older = by_key.get(fact.supersedes)
        if older is None:
            raise e.fail(f'"supersedes" names {fact.supersedes!r}, which is not a fact in this pack.')
        if older.key == fact.key:
            raise e.fail("a fact cannot supersede itself.")
        if older.as_of > fact.as_of:
            raise e.fail(
                f"it supersedes {older.key!r} dated {older.as_of}, "
                f"which is newer than its own date {fact.as_of}."
            )
        if older.key in superseded_by:
            raise e.fail(f"{older.key!r} is already superseded by {superseded_by[older.key]!r}.")
        superseded_by[older.key] = fact.key
    for fact, e in zip(out, entries, strict=True):
        walked, key = {fact.key}, fact.supersedes
        while key is not None:
            if key in walked:
                raise e.fail('its "supersedes" chain loops back on itself.')
            walked.add(key)
            key = by_key[key].supersedes
    return tuple(out)


def _starters(
    items: list[Any], sources: dict[str, PackSource], characters: set[str]
) -> tuple[StarterTheory, ...]:
    out, seen = [], set()
    for i, item in enumerate(items):
        e = _Entry(f"starters[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        citation, _ = _cite(e, sources)
        try:
            title = rules.clean_title(e.get("title", str))
            body = rules.clean_body(e.get("body", str, required=False, default=""))
            tags = rules.clean_tags(e.get("tags", list, required=False, default=[]))
        except ValidationError as exc:
            raise e.fail(exc.message) from None
        out.append(
            StarterTheory(
                key=key,
                title=title,
                body=body,
                category=e.choice("category", Category),
                characters=e.keys("characters", characters, "character"),
                tags=tuple(tags),
                source=citation,
            )
        )
    return tuple(out)
