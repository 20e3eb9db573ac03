"""Reading a JSON export: every field checked (by :mod:`etoile_app.domain.json_checks`, as the
canon pack is), every error naming its path.

Files of every format version so far are read; each object may hold the fields of its version
and no others (format 4 added options, conditions, and the option a forecast or an earlier
resolution is about; format 5 a club's members and who made what).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from etoile_app.domain import json_checks, rules
from etoile_app.domain.club import NAME_MAX
from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.json_checks import JsonFieldError, JsonObject, JsonTextError, brief
from etoile_app.domain.models import PACK_VERSION_MAX, EarlierResolution
from etoile_app.domain.transfer.records import (
    FORMAT,
    FORMAT_VERSION,
    FUTURE_SLACK,
    MEMBERS_VERSION,
    OPTIONS_VERSION,
    USER_FACT_PREFIX,
    Catalogue,
    DreamCastEntry,
    EvidenceEntry,
    ForecastEntry,
    ImportFileError,
    JournalFile,
    MemberEntry,
    OptionEntry,
    TheoryEntry,
    UserFactEntry,
    decode_text,
)


def _check_today(node: JsonObject, name: str, day: date | None, today: date | None, what: str) -> None:
    if day is not None and today is not None and day > today + FUTURE_SLACK:
        raise node.fail(f"{what} {day.isoformat()} is in the future.", name)


def parse_json(raw: bytes, catalogue: Catalogue | None = None) -> JournalFile:
    """Read and check a JSON export. With a ``catalogue`` every character and fact key is checked too."""
    text = decode_text(raw, "JSON file")
    try:
        data = json_checks.loads(text, "a journal export")
    except JsonTextError as exc:
        where = f" (column {exc.column})" if exc.column is not None else ""
        raise ImportFileError(f"{exc.reason}{where}.", line=exc.line) from None
    try:
        return _JsonReader(catalogue).read(data)
    except JsonFieldError as exc:
        raise ImportFileError(exc.reason, field=exc.path or "(top level)") from None


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


# A file's objects have exactly the fields of these records, in the same order.
_TOP_FIELDS = ("format", *_names(JournalFile))
_REF_FIELDS = ("key", "name")
_EVIDENCE_FIELDS = _names(EvidenceEntry)
_OPTION_FIELDS = _names(OptionEntry)
_DREAM_FIELDS = _names(DreamCastEntry)
_FACT_FIELDS = _names(UserFactEntry)
#: Fields that files older than their format version do not have (an older file that has one
#: is refused, as for any unknown field).
_SINCE = {
    "options": OPTIONS_VERSION,
    "condition": OPTIONS_VERSION,
    "option": OPTIONS_VERSION,
    "members": MEMBERS_VERSION,
    "author": MEMBERS_VERSION,
    "by": MEMBERS_VERSION,
}
#: A member's key is their login: PostgreSQL's names, as logins are written (no quoting needed
#: for the ones ``club add-member`` makes; letters of either case, ``.``, ``-``, ``@`` and ``$``
#: for logins made by hand).
_MEMBER_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@$-]{0,62}")


def _fields_of(record: type | tuple[str, ...], version: int) -> tuple[str, ...]:
    """The fields of ``record`` that a file of format ``version`` has."""
    names = record if isinstance(record, tuple) else _names(record)
    return tuple(n for n in names if _SINCE.get(n, 0) <= version)


def _check_uid(node: JsonObject, name: str, *, required: bool) -> str | None:
    """A theory's uid in its canonical form (lower-case, hyphenated)."""
    uid: str | None = node.typed(name, str, "text", required=required)
    if uid is None:
        return None
    try:
        canonical = str(uuid.UUID(uid))
    except ValueError:
        canonical = ""
    if canonical != uid:
        raise node.fail(
            f"{brief(uid)} is not a uid (written like 1b4e28ba-2fa1-11d2-883f-0016d3cca427).", name
        )
    return uid


class _JsonReader:
    def __init__(self, catalogue: Catalogue | None) -> None:
        self.catalogue = catalogue
        self.file_facts: dict[str, UserFactEntry] = {}
        self.version = FORMAT_VERSION
        self.members: dict[str, MemberEntry] = {}

    def read(self, data: object) -> JournalFile:
        top = JsonObject("", data, "a journal export")
        fmt = top.typed("format", str, "text", required=True)
        if fmt != FORMAT:
            raise top.fail(
                f"is {brief(fmt)}, not {FORMAT!r}: this is not an Étoile Theory Journal export.", "format"
            )
        self.version = top.version(
            "format_version",
            FORMAT_VERSION,
            "format version",
            "the file was made by a newer version of the Étoile Theory Journal (format version "
            f"{{found}}; this app reads version {FORMAT_VERSION}). Update the app to import it.",
        )
        top.only(_fields_of(_TOP_FIELDS, self.version))
        members = self._members(top)
        app_version = top.text("app_version", "The app version", max_len=rules.SHORT_TEXT_MAX)
        exported_at = top.moment("exported_at", required=False)
        pack_version = top.whole("canon_pack_version", 0, PACK_VERSION_MAX, required=False)

        user_facts = self._facts(top.items("user_facts", "user facts"))
        theories = self._theories(top.items("theories", "theories"))
        dreams = tuple(self._dream(path, item) for path, item in top.items("dream_casting", "dream casting"))
        return JournalFile(
            format_version=self.version,
            members=members,
            theories=theories,
            dream_casting=dreams,
            user_facts=user_facts,
            app_version=app_version,
            exported_at=exported_at,
            canon_pack_version=pack_version,
        )

    # --- members -------------------------------------------------------------------------

    def _members(self, top: JsonObject) -> tuple[MemberEntry, ...]:
        """A club's members: each key once, each name as a display name is written."""
        for path, item in top.items("members", "members"):
            node = JsonObject(path, item, "a member", _REF_FIELDS)
            key: str = node.typed("key", str, "text", required=True)
            if not _MEMBER_KEY.fullmatch(key):
                raise node.fail(
                    f"{brief(key)} is not a member's key: their login, up to 63 letters, digits, "
                    "_ . - @ or $ (for example anna or m_dubois).",
                    "key",
                )
            if key in self.members:
                raise node.fail(f"the member {key!r} is listed twice.", "key")
            name = node.text("name", "The display name", max_len=NAME_MAX, required=True)
            self.members[key] = MemberEntry(key, name)
        return tuple(sorted(self.members.values(), key=lambda m: m.key))

    def _member(self, node: JsonObject, name: str) -> str | None:
        """The key of a member listed in the file's ``members``, or ``None`` (not given)."""
        key: str | None = node.typed(name, str, "text", required=False)
        if key is not None and key not in self.members:
            listed = ", ".join(self.members) if self.members else "the file lists none"
            raise node.fail(f"{brief(key)} is not one of the file's members ({listed}).", name)
        return key

    # --- references ----------------------------------------------------------------------

    def _character(self, path: str, item: object) -> str:
        """A character reference: ``{"key": …, "name": …}`` (the name is there for people)."""
        node = JsonObject(path, item, "a character", _REF_FIELDS)
        key: str = node.key("key")  # type: ignore[assignment]
        node.typed("name", str, "text", required=False)
        if self.catalogue is not None and key not in self.catalogue.characters:
            raise node.fail(
                f"{key!r} is not a character in this journal's canon; load the canon pack the file "
                "was made with, then import again.",
                "key",
            )
        return key

    def _characters(self, node: JsonObject) -> tuple[str, ...]:
        return tuple(sorted({self._character(p, item) for p, item in node.items("characters", "characters")}))

    def _fact_known(self, key: str) -> bool:
        return key in self.file_facts or (self.catalogue is not None and key in self.catalogue.facts)

    # --- user facts ----------------------------------------------------------------------

    def _facts(self, items: list[tuple[str, Any]]) -> tuple[UserFactEntry, ...]:
        nodes: list[JsonObject] = []
        for path, item in items:
            node = JsonObject(path, item, "a user fact", _FACT_FIELDS)
            key: str = node.key("key")  # type: ignore[assignment]
            if not key.startswith(USER_FACT_PREFIX):
                raise node.fail(
                    f"{key!r} is not a key of a fact you added; those start with {USER_FACT_PREFIX!r}.",
                    "key",
                )
            if key in self.file_facts:
                raise node.fail(f"the fact {key!r} is listed twice.", "key")
            if (
                self.catalogue is not None
                and key in self.catalogue.facts
                and not self.catalogue.facts[key].user
            ):
                raise node.fail(f"{key!r} is a canon pack fact in this journal.", "key")
            status = node.choice("status", FactStatus)
            if status in (FactStatus.SUPERSEDED, FactStatus.CONTRADICTED):
                raise node.fail(
                    f"a fact you added cannot be marked {status.value}; "
                    "that comes from a newer fact that supersedes it, or a better one that contradicts it.",
                    "status",
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
                source_url=node.url("source_url"),
                retracted_at=node.moment("retracted_at", required=False),
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

    def _check_supersedes(self, node: JsonObject, fact: UserFactEntry) -> None:
        older = fact.supersedes
        if older is None:
            return
        where = "supersedes"
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
        fields = _fields_of(TheoryEntry, self.version)
        for path, item in items:
            theory = self._theory(JsonObject(path, item, "a theory", fields))
            if theory.uid in uids:
                raise JsonFieldError(f"the same uid as {uids[theory.uid]}.", f"{path}.uid")
            uids[theory.uid] = path
            out.append(theory)
        self._check_conditions(uids, {t.uid: t for t in out})
        return tuple(sorted(out, key=lambda t: (t.created_at, t.uid)))

    def _check_conditions(self, paths: dict[str, str], theories: dict[str, TheoryEntry]) -> None:
        """Each condition is a theory of the file or of the journal (when there is a catalogue to
        ask), not the theory itself, and no chain of conditions comes back on itself; a theory
        in the file depends on what the file says, one only in the journal on its own."""
        journal = self.catalogue.conditions if self.catalogue is not None else {}

        def condition_of(uid: str) -> str | None:
            return theories[uid].condition if uid in theories else journal.get(uid)

        without_loop: set[str] = set()
        for uid, path in paths.items():
            condition = theories[uid].condition
            if condition is None:
                continue
            where = f"{path}.condition"
            if condition == uid:
                raise JsonFieldError("a theory cannot be its own condition.", where)
            if (
                self.catalogue is not None
                and condition not in theories
                and condition not in self.catalogue.theories
            ):
                raise JsonFieldError(
                    f"{brief(condition)} is not the uid of a theory in the file or in this journal.", where
                )
            seen = [uid]
            step: str | None = condition
            while step is not None and step not in without_loop:
                if step in seen:
                    raise JsonFieldError(
                        "its chain of conditions loops back on itself: a theory cannot depend, "
                        "through others, on a theory that depends on it.",
                        where,
                    )
                seen.append(step)
                step = condition_of(step)
            without_loop.update(seen)

    def _theory(self, node: JsonObject) -> TheoryEntry:
        uid: str = _check_uid(node, "uid", required=True)  # type: ignore[assignment]
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
                    raise node.fail(f"a {status.value} theory needs {name}.", name)
            _check_today(node, "resolved_on", resolved_on, today, "The resolution date")
        else:
            for name in ("resolved_on", "resolved_at", "resolution_note"):
                if node.has(name) and node.data[name] != "":
                    raise node.fail(f"an open theory has no {name}; leave it null.", name)
        options = self._options(node, status)
        history = self._history(node, options)
        confidence: int = node.whole("confidence", rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX, required=True)  # type: ignore[assignment]
        self._check_confidence(node, confidence, history, bool(options))
        created_at: datetime = node.moment("created_at")  # type: ignore[assignment]
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
            tags=tuple(sorted(node.tags("tags"))),
            characters=self._characters(node),
            evidence=self._evidence(node, created_at),
            history=history,
            earlier_resolutions=self._earlier(node, today) if node.has("earlier_resolutions") else None,
            options=options,
            condition=_check_uid(node, "condition", required=False),
            author=self._member(node, "author"),
        )

    @staticmethod
    def _check_confidence(
        node: JsonObject, confidence: int, history: tuple[ForecastEntry, ...], choice: bool
    ) -> None:
        """A theory's confidence is its latest forecast (multiple choice: its likeliest option's
        latest). In a club it is the last that one of its forecasters set (its author's, or the
        owner's when they changed it), so it must be one member's latest."""
        latest: dict[str | None, dict[str | None, int]] = defaultdict(dict)
        for h in history:
            latest[h.by][h.option] = h.confidence
        allowed = sorted({max(by_option.values()) for by_option in latest.values()})
        if confidence in allowed:
            return
        shown = ", ".join(map(str, allowed))
        if choice:
            reason = (
                f"{confidence} is not the highest of its options' latest confidences ({shown}): a "
                "multiple-choice theory's confidence is its likeliest option's."
            )
        elif len(latest) > 1:
            reason = f"{confidence} is not the latest confidence of any of its forecasters ({shown})."
        else:
            reason = f"{confidence} is not the latest confidence in its history ({shown})."
        raise node.fail(reason, "confidence")

    def _options(self, node: JsonObject, status: TheoryStatus) -> tuple[OptionEntry, ...]:
        """A multiple-choice theory's options (none: a yes/no theory). The one marked as what
        happened is there exactly when the theory is confirmed; a multiple-choice theory is
        never busted."""
        items = node.items("options", "options")
        if not items:
            return ()
        if not rules.OPTIONS_MIN <= len(items) <= rules.OPTIONS_MAX:
            raise node.fail(
                f"a multiple-choice theory has from {rules.OPTIONS_MIN} to {rules.OPTIONS_MAX} options; "
                f"this one has {len(items)}.",
                "options",
            )
        if status is TheoryStatus.BUSTED:
            raise node.fail(
                "a multiple-choice theory is confirmed with the option that happened, or void: "
                "it cannot be busted.",
                "status",
            )
        out: list[OptionEntry] = []
        names: dict[str, str] = {}
        happened: str | None = None
        for path, item in items:
            entry = JsonObject(path, item, "an option", _OPTION_FIELDS)
            name = entry.text("name", "An option's name", max_len=rules.OPTION_NAME_MAX, required=True)
            if name.casefold() in names:
                raise entry.fail(
                    f"{names[name.casefold()]} has the same name ({brief(name)}); give each option its own "
                    "(names that differ only in capitals count as the same).",
                    "name",
                )
            names[name.casefold()] = path
            if entry.typed("happened", bool, "true or false", required=False):
                if status is not TheoryStatus.CONFIRMED:
                    raise entry.fail(
                        f"only a confirmed theory has an option that happened; this one is {status.value}.",
                        "happened",
                    )
                if happened is not None:
                    raise entry.fail(f"only one option can have happened, and {happened} did.", "happened")
                happened = path
            out.append(OptionEntry(name, happened == path))
        if status is TheoryStatus.CONFIRMED and happened is None:
            raise node.fail(
                "a confirmed multiple-choice theory names the option that happened "
                '("happened": true on one of its options).',
                "options",
            )
        return tuple(out)

    def _earlier(self, node: JsonObject, today: date | None) -> tuple[EarlierResolution, ...]:
        out = []
        for path, item in node.items("earlier_resolutions", "earlier resolutions"):
            entry = JsonObject(
                path, item, "an earlier resolution", _fields_of(EarlierResolution, self.version)
            )
            status = entry.choice("status", TheoryStatus)
            if not status.is_resolved:
                raise entry.fail("an earlier resolution is confirmed, busted or void.", "status")
            option = entry.text("option", "The option", max_len=rules.OPTION_NAME_MAX) or None
            if option is not None and status is not TheoryStatus.CONFIRMED:
                raise entry.fail(
                    f"only a confirmed resolution has an option that happened; this one is {status.value}.",
                    "option",
                )
            resolved_on: date | None = entry.day("resolved_on", required=True)
            _check_today(entry, "resolved_on", resolved_on, today, "The resolution date")
            resolved_at: datetime = entry.moment("resolved_at")  # type: ignore[assignment]
            reopened_at: datetime = entry.moment("reopened_at")  # type: ignore[assignment]
            if reopened_at < resolved_at:
                raise entry.fail("it was reopened before it was resolved.", "reopened_at")
            out.append(
                EarlierResolution(
                    status=status,
                    resolved_on=resolved_on,  # type: ignore[arg-type]
                    resolved_at=resolved_at,
                    note=entry.text("note", "The resolution note", max_len=rules.NOTE_MAX, multiline=True),
                    reopened_at=reopened_at,
                    option=option,
                )
            )
        return tuple(sorted(out, key=lambda r: r.resolved_at))

    def _history(self, node: JsonObject, options: tuple[OptionEntry, ...]) -> tuple[ForecastEntry, ...]:
        """The forecasts in time order: of a multiple-choice theory, each for one of ``options``
        (named); of a yes/no theory, for the theory itself."""
        items = node.items("history", "confidence changes")
        if not items:
            raise node.fail("a theory needs at least one confidence in its history.", "history")
        names = [o.name for o in options]
        fields = _fields_of(ForecastEntry, self.version)
        points = []
        for path, item in items:
            entry = JsonObject(path, item, "a confidence change", fields)
            option = entry.text("option", "The option", max_len=rules.OPTION_NAME_MAX) or None
            if options and option is None:
                raise entry.fail(
                    "each forecast of a multiple-choice theory is for one of its options; "
                    f"name it (one of: {', '.join(brief(n, 30) for n in names)}).",
                    "option",
                )
            if not options and option is not None:
                raise entry.fail("a yes/no theory has no options; leave option out.", "option")
            if option is not None and option not in names:
                raise entry.fail(
                    f"{brief(option)} is not one of this theory's options "
                    f"({', '.join(brief(n, 30) for n in names)}).",
                    "option",
                )
            points.append(
                ForecastEntry(
                    confidence=entry.whole(  # type: ignore[arg-type]
                        "confidence", rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX, required=True
                    ),
                    changed_at=entry.moment("changed_at"),  # type: ignore[arg-type]
                    note=entry.text("note", "The note", max_len=rules.NOTE_MAX),
                    option=option,
                    by=self._member(entry, "by"),
                )
            )
        return tuple(sorted(points, key=lambda p: p.changed_at))  # stable: same times keep file order

    def _evidence(self, node: JsonObject, created_at: datetime) -> tuple[EvidenceEntry, ...]:
        cited: dict[str, EvidenceEntry] = {}
        for path, item in node.items("evidence", "evidence"):
            entry = JsonObject(path, item, "a piece of evidence", _EVIDENCE_FIELDS)
            key: str = entry.key("fact")  # type: ignore[assignment]
            if self.catalogue is not None and not self._fact_known(key):
                raise entry.fail(
                    f"{key!r} is not a canon fact in this journal or a fact in the file.", "fact"
                )
            cited[key] = EvidenceEntry(
                fact=key,
                stance=entry.choice("stance", Stance),
                note=entry.text("note", "The evidence note", max_len=rules.NOTE_MAX, multiline=True),
                created_at=entry.moment("created_at", required=False) or created_at,
            )
        return tuple(cited.values())  # the order it was cited in; a repeat updates the first

    def _dream(self, path: str, item: object) -> DreamCastEntry:
        node = JsonObject(path, item, "a dream casting entry", _fields_of(_DREAM_FIELDS, self.version))
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
            author=self._member(node, "author"),
        )
