"""Load and validate a canon pack file into domain records.

A pack is a JSON document (see ``docs/CANON_PACK.md``), read field by field through
:mod:`etoile_app.domain.json_checks`, as strictly as a journal export. Validation is complete
before anything is returned, and every error names the file, the field and the entry at fault,
e.g. ``etoile-canon.json: facts[4].status (key 'release-late-2026'): 'maybe' is not one of …``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from etoile_app.domain import json_checks, rules
from etoile_app.domain.enums import Category, Company, FactStatus, RoleKind, SourceKind, Topic
from etoile_app.domain.errors import CanonPackError
from etoile_app.domain.json_checks import JsonFieldError, JsonObject, JsonTextError, brief, is_key, kind_of
from etoile_app.domain.models import (
    PACK_VERSION_MAX,
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

# The fields each object may hold, by schema where the schemas differ.
_TOP_FIELDS = (
    "format",
    "schema_version",
    "version",
    "as_of",
    "title",
    "sources",
    "characters",
    "facts",
    "starters",
)
#: Schema 1 named a source by one string; schema 2 gives its kind, outlet, title and address.
_SOURCE_FIELDS = {
    1: ("key", "name", "date", "note"),
    2: ("key", "kind", "outlet", "title", "date", "url", "note"),
}
_CHARACTER_FIELDS = (
    "key",
    "name",
    "full_name",
    "actor",
    "actor_note",
    "company",
    "role",
    "description",
    "season1_arc",
)
#: Schema 1 cited one source for a character, schema 2 a list of them.
_CHARACTER_SOURCE_FIELDS = {1: ("source", "section", "replaces"), 2: ("sources", "section", "replaces")}
_FACT_FIELDS = (
    "key",
    "topic",
    "headline",
    "statement",
    "status",
    "source",
    "section",
    "as_of",
    "supersedes",
    "contradicts",
    "characters",
)
_STARTER_FIELDS = ("key", "title", "body", "category", "characters", "tags", "source", "section")


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
        data = json_checks.loads(text, "a canon pack")
    except JsonTextError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line is not None else ""
        raise CanonPackError(f"{name}: {exc.reason}{where}.") from None
    try:
        return _validate(data)
    except JsonFieldError as exc:
        where = exc.path + (f" ({exc.note})" if exc.note else "")
        raise CanonPackError(f"{name}: {where}: {exc.reason}" if where else f"{name}: {exc.reason}") from None


def _validate(data: object) -> CanonPack:
    top = JsonObject("", data, "a canon pack")
    found = top.typed("format", str, "text", required=True)
    if found != FORMAT:
        raise top.fail(f"is {brief(found)}, not {FORMAT!r}: this is not an Étoile canon pack.", "format")
    schema = top.version(
        "schema_version",
        SCHEMA_VERSION,
        "schema version",
        f"schema version {{found}} is newer than this app understands ({SCHEMA_VERSION}); "
        "update the app to load it.",
    )
    top.only(_TOP_FIELDS)
    version: int = top.whole("version", 1, PACK_VERSION_MAX, required=True)  # type: ignore[assignment]

    sources = _sources(top, schema)
    source_by_key = {s.key: s for s in sources}
    characters = _characters(top, source_by_key, schema)
    character_keys = {c.key for c in characters}
    facts = _facts(top, source_by_key, character_keys, strict=schema >= 2)
    starters = _starters(top, source_by_key, character_keys)
    return CanonPack(
        schema_version=schema,
        version=version,
        as_of=top.day("as_of", required=True),  # type: ignore[arg-type]
        title=top.text("title", "The title", max_len=rules.SHORT_TEXT_MAX, required=True),
        sources=sources,
        characters=characters,
        facts=facts,
        starters=starters,
    )


def _entries(top: JsonObject, name: str, what: str, fields: tuple[str, ...]) -> list[JsonObject]:
    """The objects of the list ``name``, each noting its key in errors (``facts[4] (key 'x')``).
    Every list but the starters is required."""
    out = []
    for path, item in top.items(name, name, required=name != "starters"):
        key = item.get("key") if isinstance(item, dict) else None
        out.append(JsonObject(path, item, what, fields, note=f"key {key!r}" if isinstance(key, str) else ""))
    return out


def _unique_key(e: JsonObject, seen: set[str]) -> str:
    key: str = e.key("key")  # type: ignore[assignment]
    if key in seen:
        raise e.fail(f"{key!r} is used twice.", "key")
    seen.add(key)
    return key


def _key_list(e: JsonObject, name: str) -> list[Any]:
    """A list of keys; a single key is taken as a list of one (schema 1 wrote one)."""
    raw = e.data.get(name)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if not isinstance(raw, list):
        raise e.fail(f"must be a key or a list of keys, found {kind_of(raw)}.", name)
    return raw


def _known_keys(e: JsonObject, name: str, known: set[str], what: str) -> tuple[str, ...]:
    out: list[str] = []
    for item in _key_list(e, name):
        if not isinstance(item, str) or item not in known:
            raise e.fail(f"names {brief(item)}, which is not a known {what}.", name)
        if item not in out:
            out.append(item)
    return tuple(out)


def _source(e: JsonObject, sources: dict[str, PackSource], key: object, field: str = "source") -> PackSource:
    if not isinstance(key, str) or key not in sources:
        raise e.fail(f'{brief(key)} is not listed under "sources".', field)
    return sources[key]


def _section(e: JsonObject) -> str:
    return e.text("section", "The section", max_len=rules.SHORT_TEXT_MAX)


def _cite(e: JsonObject, sources: dict[str, PackSource]) -> tuple[str, SourceRef]:
    """The readable citation of an entry and its source, with ``§ section`` for an article."""
    source = _source(e, sources, e.typed("source", str, "text", required=True))
    ref = source.ref(_section(e))
    citation = f"{source.name}, § {ref.section}" if ref.section else source.name
    return citation, ref


def _sources(top: JsonObject, schema: int) -> tuple[PackSource, ...]:
    out: list[PackSource] = []
    seen: set[str] = set()
    for e in _entries(top, "sources", "a source", _SOURCE_FIELDS[schema]):
        key = _unique_key(e, seen)
        if schema == 1:
            # Schema 1 named a source by one string; the article was the one whose key was "article".
            kind = SourceKind.ARTICLE if key == "article" else SourceKind.NEWS
            name = e.text("name", "The name", max_len=rules.SHORT_TEXT_MAX, required=True)
            title, url = "", ""
        else:
            kind = e.choice("kind", SourceKind)
            name = e.text("outlet", "The outlet", max_len=rules.SHORT_TEXT_MAX, required=True)
            title = e.text("title", "The title", max_len=rules.SHORT_TEXT_MAX)
            url = e.url("url")
        out.append(
            PackSource(
                key=key,
                name=name,
                # Schema 2 allows a source whose date is not shown; its facts then give their own.
                date=e.day("date", required=schema == 1),
                note=e.text("note", "The note", max_len=rules.NOTE_MAX),
                kind=kind,
                title=title,
                url=url,
            )
        )
    if not out:
        raise top.fail("is empty; every fact needs a source.", "sources")
    return tuple(out)


def _characters(top: JsonObject, sources: dict[str, PackSource], schema: int) -> tuple[PackCharacter, ...]:
    out: list[PackCharacter] = []
    seen: set[str] = set()
    entries = _entries(top, "characters", "a character", _CHARACTER_FIELDS + _CHARACTER_SOURCE_FIELDS[schema])
    for e in entries:
        key = _unique_key(e, seen)
        actor = e.text("actor", "The actor", max_len=rules.SHORT_TEXT_MAX) or None
        actor_note = e.text("actor_note", "The note on the actor", max_len=rules.SHORT_TEXT_MAX)
        if schema == 1:
            refs: tuple[SourceRef, ...] = (_cite(e, sources)[1],)
            actor_note = actor_note or ("" if actor else NO_ACTOR_NOTE)
        else:
            section = _section(e)
            keys = _key_list(e, "sources")
            if not keys:
                raise e.fail("is empty; name where the character and their arc come from.", "sources")
            picked = [_source(e, sources, k, "sources") for k in keys]
            refs = tuple(p.ref(section if p.kind is SourceKind.ARTICLE else "") for p in picked)
            if actor is None and not actor_note:
                raise e.fail(
                    'there is no "actor"; say why in "actor_note" (e.g. "Not credited in the sources read.").'
                )
        out.append(
            PackCharacter(
                key=key,
                name=e.text("name", "The name", max_len=rules.SHORT_TEXT_MAX, required=True),
                full_name=e.text("full_name", "The full name", max_len=rules.SHORT_TEXT_MAX),
                actor=actor,
                actor_note=actor_note,
                company=e.choice("company", Company),
                role=e.choice("role", RoleKind),
                description=e.text(
                    "description", "The description", max_len=rules.STATEMENT_MAX, required=True
                ),
                season1_arc=e.text("season1_arc", "The arc", max_len=rules.NOTE_MAX, multiline=True),
                sources=refs,
                replaces=tuple(_key_list(e, "replaces")),
            )
        )
    keys = {c.key for c in out}
    replaced: dict[str, str] = {}
    for c, e in zip(out, entries, strict=True):
        for old in c.replaces:
            if not is_key(old):
                raise e.fail(f"names {brief(old)}, not a key.", "replaces")
            if old in keys:
                raise e.fail(f"it replaces {old!r}, which is still a character of this pack.", "replaces")
            if old in replaced:
                raise e.fail(f"{old!r} is already replaced by {replaced[old]!r}.", "replaces")
            replaced[old] = c.key
    return tuple(out)


def _facts(
    top: JsonObject, sources: dict[str, PackSource], characters: set[str], *, strict: bool
) -> tuple[PackFact, ...]:
    """Facts and their timeline. ``strict`` (schema 2 on) adds the rules that keep canon honest:
    the article alone confirms nothing, a guess never overtakes a reported fact, and only a
    checked source contradicts."""
    out: list[PackFact] = []
    seen: set[str] = set()
    entries = _entries(top, "facts", "a fact", _FACT_FIELDS)
    for e in entries:
        key = _unique_key(e, seen)
        if key.startswith("user-"):
            raise e.fail("keys starting with 'user-' are kept for facts people add themselves.", "key")
        _, ref = _cite(e, sources)
        status = e.choice("status", FactStatus)
        if status is FactStatus.CONTRADICTED:
            raise e.fail(
                '"contradicted" is shown, not written: '
                'name this fact in the "contradicts" of its correction.',
                "status",
            )
        if strict and status is FactStatus.CONFIRMED and ref.kind is SourceKind.ARTICLE:
            raise e.fail(
                "the fan-site article alone cannot confirm a fact; cite a source that does, "
                "or give the article's claim as reported."
            )
        as_of = e.day("as_of") or ref.published
        if as_of is None:
            raise e.fail('its source shows no date, so the fact needs an "as_of" of its own.')
        out.append(
            PackFact(
                key=key,
                topic=e.choice("topic", Topic),
                statement=e.text("statement", "The statement", max_len=rules.STATEMENT_MAX, required=True),
                headline=e.text("headline", "The headline", max_len=rules.HEADLINE_MAX),
                status=status,
                source=ref,
                as_of=as_of,
                supersedes=tuple(_key_list(e, "supersedes")),
                contradicts=tuple(_key_list(e, "contradicts")),
                characters=_known_keys(e, "characters", characters, "character"),
            )
        )
    by_key = {f.key: f for f in out}
    superseded_by: dict[str, str] = {}
    contradicted_by: dict[str, str] = {}
    for fact, e in zip(out, entries, strict=True):
        for older_key in fact.supersedes:
            older = _linked(e, by_key, fact, older_key, "supersedes")
            if older.as_of > fact.as_of:
                raise e.fail(
                    f"it supersedes {older.key!r} dated {older.as_of}, "
                    f"which is newer than its own date {fact.as_of}.",
                    "supersedes",
                )
            if strict and fact.status.is_guess and not older.status.is_guess:
                raise e.fail(
                    f"a {fact.status.value} fact cannot supersede {older.key!r}, "
                    f"which is {older.status.value}: a guess never overtakes a reported fact.",
                    "supersedes",
                )
            if older.key in superseded_by:
                raise e.fail(
                    f"{older.key!r} is already superseded by {superseded_by[older.key]!r}.", "supersedes"
                )
            superseded_by[older.key] = fact.key
        for older_key in fact.contradicts:
            older = _linked(e, by_key, fact, older_key, "contradicts")
            if fact.status not in (FactStatus.CONFIRMED, FactStatus.REPORTED) or not fact.verified:
                raise e.fail(
                    f"only a confirmed or reported fact from a checked source can contradict {older.key!r}.",
                    "contradicts",
                )
            if older.status is FactStatus.CONFIRMED:
                raise e.fail(
                    f"it contradicts {older.key!r}, which is marked confirmed; "
                    "nothing a source contradicts may stay confirmed.",
                    "contradicts",
                )
            if older.key in contradicted_by:
                raise e.fail(
                    f"{older.key!r} is already contradicted by {contradicted_by[older.key]!r}.", "contradicts"
                )
            contradicted_by[older.key] = fact.key
    for fact, e in zip(out, entries, strict=True):
        _no_loop(e, fact.key, by_key, lambda f: f.supersedes, "supersedes")
        _no_loop(e, fact.key, by_key, lambda f: f.contradicts, "contradicts")
    return tuple(out)


def _linked(e: JsonObject, by_key: dict[str, PackFact], fact: PackFact, key: object, field: str) -> PackFact:
    if not isinstance(key, str) or key not in by_key:
        raise e.fail(f"names {brief(key)}, which is not a fact in this pack.", field)
    if key == fact.key:
        raise e.fail(f"a fact cannot {field.rstrip('s')} itself.", field)
    return by_key[key]


def _no_loop(
    e: JsonObject,
    start: str,
    by_key: dict[str, PackFact],
    links: Callable[[PackFact], tuple[str, ...]],
    field: str,
) -> None:
    waiting, walked = list(links(by_key[start])), set()
    while waiting:
        key = waiting.pop()
        if key == start:
            raise e.fail("its chain loops back on itself.", field)
        if key not in walked:
            walked.add(key)
            waiting.extend(links(by_key[key]))


def _starters(
    top: JsonObject, sources: dict[str, PackSource], characters: set[str]
) -> tuple[StarterTheory, ...]:
    out: list[StarterTheory] = []
    seen: set[str] = set()
    for e in _entries(top, "starters", "a starter theory", _STARTER_FIELDS):
        key = _unique_key(e, seen)
        citation, _ = _cite(e, sources)
        out.append(
            StarterTheory(
                key=key,
                title=e.clean("title", rules.clean_title),
                body=e.clean("body", rules.clean_body, required=False),
                category=e.choice("category", Category),
                characters=_known_keys(e, "characters", characters, "character"),
                tags=tuple(e.tags("tags")),
                source=citation,
            )
        )
    return tuple(out)
