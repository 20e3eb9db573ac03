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
from etoile_app.domain.enums import Category, Company, FactStatus, RoleKind, SourceKind, Topic
from etoile_app.domain.errors import CanonPackError, ValidationError
from etoile_app.domain.models import (
    CanonPack,
    PackCharacter,
    PackFact,
    PackSource,
    SourceRef,
    StarterTheory,
)

FORMAT = "etoile-canon-pack"
SCHEMA_VERSION = 2
#: Said of a character whose actor no source names (schema 1 packs had no note of their own).
NO_ACTOR_NOTE = "Not credited in the sources read."
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

    def url(self, name: str) -> str:
        value = self.text(name, max_len=rules.URL_MAX, required=False)
        if value and not re.match(r"^https?://[^\s]+$", value):
            raise self.fail(f'"{name}" {value!r} is not a web address starting with http:// or https://.')
        return value

    def key_list(self, name: str) -> list[Any]:
        """A list of keys; a single key is taken as a list of one (schema 1 wrote one)."""
        raw = self.data.get(name)
        if raw is None:
            return []
        if isinstance(raw, str):
            return [raw]
        if not isinstance(raw, list):
            raise self.fail(f'"{name}" must be a key or a list of keys, found {type(raw).__name__}.')
        return raw

    def keys(self, name: str, known: set[str], what: str) -> tuple[str, ...]:
        raw = self.key_list(name)
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

    sources = _sources(top.get("sources", list), schema)
    source_by_key = {s.key: s for s in sources}
    characters = _characters(top.get("characters", list), source_by_key, schema)
    facts = _facts(top.get("facts", list), source_by_key, {c.key for c in characters}, strict=schema >= 2)
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


def _source(entry: _Entry, sources: dict[str, PackSource], key: object, field: str = "source") -> PackSource:
    if not isinstance(key, str) or key not in sources:
        raise entry.fail(f'"{field}" {key!r} is not listed under "sources".')
    return sources[key]


def _cite(entry: _Entry, sources: dict[str, PackSource]) -> tuple[str, SourceRef]:
    """The readable citation of an entry and its source, with ``§ section`` for an article."""
    source = _source(entry, sources, entry.get("source", str))
    ref = source.ref(entry.text("section", max_len=rules.SHORT_TEXT_MAX, required=False))
    citation = f"{source.name}, § {ref.section}" if ref.section else source.name
    return citation, ref


def _sources(items: list[Any], schema: int) -> tuple[PackSource, ...]:
    out, seen = [], set()
    for i, item in enumerate(items):
        e = _Entry(f"sources[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        if schema == 1:
            # Schema 1 named a source by one string; the article was the one whose key was "article".
            kind = SourceKind.ARTICLE if key == "article" else SourceKind.NEWS
            name, title, url = e.text("name", max_len=rules.SHORT_TEXT_MAX), "", ""
        else:
            kind = e.choice("kind", SourceKind)
            name = e.text("outlet", max_len=rules.SHORT_TEXT_MAX)
            title = e.text("title", max_len=rules.SHORT_TEXT_MAX, required=False)
            url = e.url("url")
        out.append(
            PackSource(
                key=key,
                name=name,
                # Schema 2 allows a source whose date is not shown; its facts then give their own.
                date=e.day("date", required=schema == 1),  # type: ignore[arg-type]
                note=e.text("note", max_len=rules.NOTE_MAX, required=False),
                kind=kind,
                title=title,
                url=url,
            )
        )
    if not out:
        raise CanonPackError('"sources" is empty; every fact needs a source.')
    return tuple(out)


def _characters(items: list[Any], sources: dict[str, PackSource], schema: int) -> tuple[PackCharacter, ...]:
    out, seen = [], set()
    for i, item in enumerate(items):
        e = _Entry(f"characters[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        actor = e.text("actor", max_len=rules.SHORT_TEXT_MAX, required=False) or None
        actor_note = e.text("actor_note", max_len=rules.SHORT_TEXT_MAX, required=False)
        if schema == 1:
            refs: tuple[SourceRef, ...] = (_cite(e, sources)[1],)
            actor_note = actor_note or ("" if actor else NO_ACTOR_NOTE)
        else:
            section = e.text("section", max_len=rules.SHORT_TEXT_MAX, required=False)
            keys = e.key_list("sources")
            if not keys:
                raise e.fail('"sources" is empty; name where the character and their arc come from.')
            picked = [_source(e, sources, k, "sources") for k in keys]
            refs = tuple(p.ref(section if p.kind is SourceKind.ARTICLE else "") for p in picked)
            if actor is None and not actor_note:
                raise e.fail(
                    'there is no "actor"; say why in "actor_note" (e.g. "Not credited in the sources read.").'
                )
        out.append(
            PackCharacter(
                key=key,
                name=e.text("name", max_len=rules.SHORT_TEXT_MAX),
                full_name=e.text("full_name", max_len=rules.SHORT_TEXT_MAX, required=False),
                actor=actor,
                actor_note=actor_note,
                company=e.choice("company", Company),
                role=e.choice("role", RoleKind),
                description=e.text("description", max_len=rules.STATEMENT_MAX),
                season1_arc=e.text("season1_arc", max_len=rules.NOTE_MAX, required=False, multiline=True),
                sources=refs,
                replaces=tuple(e.key_list("replaces")),
            )
        )
    keys = {c.key for c in out}
    replaced: dict[str, str] = {}
    for i, c in enumerate(out):
        for old in c.replaces:
            if not isinstance(old, str) or not _KEY.match(old):
                raise CanonPackError(f'characters[{i}] (key {c.key!r}): "replaces" names {old!r}, not a key.')
            if old in keys:
                raise CanonPackError(
                    f"characters[{i}] (key {c.key!r}): it replaces {old!r}, "
                    "which is still a character of this pack."
                )
            if old in replaced:
                raise CanonPackError(
                    f"characters[{i}] (key {c.key!r}): {old!r} is already replaced by {replaced[old]!r}."
                )
            replaced[old] = c.key
    return tuple(out)


def _facts(
    items: list[Any], sources: dict[str, PackSource], characters: set[str], *, strict: bool
) -> tuple[PackFact, ...]:
    """Facts and their timeline. ``strict`` (schema 2 on) adds the rules that keep canon honest:
    the article alone confirms nothing, a guess never overtakes a reported fact, and only a
    checked source contradicts."""
    out: list[PackFact] = []
    seen: set[str] = set()
    entries: list[_Entry] = []
    for i, item in enumerate(items):
        e = _Entry(f"facts[{i}]", item).named()
        key = _unique(e, e.key(), seen)
        if key.startswith("user-"):
            raise e.fail("keys starting with 'user-' are kept for facts people add themselves.")
        _, ref = _cite(e, sources)
        status = e.choice("status", FactStatus)
        if status is FactStatus.CONTRADICTED:
            raise e.fail(
                '"contradicted" is shown, not written: name this fact in the "contradicts" of its correction.'
            )
        if strict and status is FactStatus.CONFIRMED and ref.kind is SourceKind.ARTICLE:
            raise e.fail(
                "the fan-site article alone cannot confirm a fact; cite a source that does, "
                "or give the article's claim as reported."
            )
        as_of = e.day("as_of", required=False) or ref.published
        if as_of is None:
            raise e.fail('its source shows no date, so the fact needs an "as_of" of its own.')
        out.append(
            PackFact(
                key=key,
                topic=e.choice("topic", Topic),
                statement=e.text("statement", max_len=rules.STATEMENT_MAX),
                headline=e.text("headline", max_len=rules.HEADLINE_MAX, required=False),
                status=status,
                source=ref,
                as_of=as_of,  # type: ignore[arg-type]
                supersedes=tuple(e.key_list("supersedes")),
                contradicts=tuple(e.key_list("contradicts")),
                characters=e.keys("characters", characters, "character"),
            )
        )
        entries.append(e)
    by_key = {f.key: f for f in out}
    superseded_by: dict[str, str] = {}
    contradicted_by: dict[str, str] = {}
    for fact, e in zip(out, entries, strict=True):
        for older_key in fact.supersedes:
            older = _linked(e, by_key, fact, older_key, "supersedes")
            if older.as_of > fact.as_of:
                raise e.fail(
                    f"it supersedes {older.key!r} dated {older.as_of}, "
                    f"which is newer than its own date {fact.as_of}."
                )
            if strict and fact.status.is_guess and not older.status.is_guess:
                raise e.fail(
                    f"a {fact.status.value} fact cannot supersede {older.key!r}, "
                    f"which is {older.status.value}: a guess never overtakes a reported fact."
                )
            if older.key in superseded_by:
                raise e.fail(f"{older.key!r} is already superseded by {superseded_by[older.key]!r}.")
            superseded_by[older.key] = fact.key
        for older_key in fact.contradicts:
            older = _linked(e, by_key, fact, older_key, "contradicts")
            if fact.status not in (FactStatus.CONFIRMED, FactStatus.REPORTED) or not fact.verified:
                raise e.fail(
                    f"only a confirmed or reported fact from a checked source can contradict {older.key!r}."
                )
            if older.status is FactStatus.CONFIRMED:
                raise e.fail(
                    f"it contradicts {older.key!r}, which is marked confirmed; "
                    "nothing a source contradicts may stay confirmed."
                )
            if older.key in contradicted_by:
                raise e.fail(f"{older.key!r} is already contradicted by {contradicted_by[older.key]!r}.")
            contradicted_by[older.key] = fact.key
    for fact, e in zip(out, entries, strict=True):
        _no_loop(e, fact.key, by_key, lambda f: f.supersedes, "supersedes")
        _no_loop(e, fact.key, by_key, lambda f: f.contradicts, "contradicts")
    return tuple(out)


def _linked(e: _Entry, by_key: dict[str, PackFact], fact: PackFact, key: str, field: str) -> PackFact:
    if not isinstance(key, str) or key not in by_key:
        raise e.fail(f'"{field}" names {key!r}, which is not a fact in this pack.')
    if key == fact.key:
        raise e.fail(f"a fact cannot {field.rstrip('s')} itself.")
    return by_key[key]


def _no_loop(
    e: _Entry,
    start: str,
    by_key: dict[str, PackFact],
    links: Callable[[PackFact], tuple[str, ...]],
    field: str,
) -> None:
    waiting, walked = list(links(by_key[start])), set()
    while waiting:
        key = waiting.pop()
        if key == start:
            raise e.fail(f'its "{field}" chain loops back on itself.')
        if key not in walked:
            walked.add(key)
            waiting.extend(links(by_key[key]))


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
