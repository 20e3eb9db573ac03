"""Reading a JSON document field by field: one strictness for every JSON file the app takes in.

The journal's export (:mod:`etoile_app.domain.transfer.json_read`) and the canon pack
(:mod:`etoile_app.canon.pack`) both read through here. An object holds only the fields it may
have, each once; a whole number is whole (not 5.0, NaN, Infinity, true or 40 digits long); a
date is written YYYY-MM-DD and a time with its zone, in the years 1900 to 2200; a key is
lower-case letters and digits joined by single hyphens; text goes through the app's own rules
and limits; a choice is one of its enum's values.

Every error is a :class:`JsonFieldError` naming the path of the value at fault
(``theories[3].tags[1]``); each format turns it into its own error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from etoile_app.domain import rules
from etoile_app.domain.errors import ValidationError

#: A document nests a handful of levels; past this many the position is reported.
NESTING_SHOWN = 100
KEY_MAX = 80
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$")
_E = TypeVar("_E", bound=Enum)


class JsonTextError(ValueError):
    """Text that is not a JSON document; ``line`` and ``column`` count from 1 where known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column


class JsonFieldError(ValueError):
    """A value that breaks its document's shape. ``path`` names it (empty for the document
    itself); ``note`` says which entry that is, where the path alone would not (``key 'x'``)."""

    def __init__(self, reason: str, path: str = "", note: str = "") -> None:
        super().__init__(reason)
        self.reason, self.path, self.note = reason, path, note


def brief(value: object, limit: int = 40) -> str:
    """``repr(value)``, shortened for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_key(value: object) -> bool:
    return isinstance(value, str) and len(value) <= KEY_MAX and _KEY.match(value) is not None


# --- parsing ---------------------------------------------------------------------------------


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


def loads(text: str, what: str) -> Any:
    """``text`` as JSON, keeping what the checks need to see: a key given twice, a decimal
    apart from a whole number, and an over-long number, NaN or Infinity as a marker rather than
    a value. ``what`` the document is (``a canon pack``) goes into the message for one nested
    too deeply to be one."""
    try:
        return json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=Decimal,
            parse_int=lambda s: int(s) if len(s) <= 30 else _BigInt(s),
            parse_constant=_NonFinite,
        )
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"this is not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        line, column = _too_deep_at(text)
        raise JsonTextError(
            f"the JSON is nested too deeply to be {what}: more than {NESTING_SHOWN} levels of brackets",
            line,
            column,
        ) from None
    except ValueError as exc:  # e.g. a number too long to convert
        raise JsonTextError(f"this is not JSON the app can read: {exc}") from None


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


def kind_of(value: object) -> str:
    """What a JSON value is, in words, for a message."""
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


# --- reading an object -----------------------------------------------------------------------


class JsonObject:
    """One object of a document, read field by field; every error names the field's path.

    ``fields`` are the fields it may hold; leave them out to check them later with
    :meth:`only` (so that a file of the wrong format is told so before its fields are listed).
    """

    def __init__(
        self, path: str, data: object, what: str, fields: Collection[str] | None = None, *, note: str = ""
    ) -> None:
        self.path, self.what, self.note = path, what, note
        if not isinstance(data, dict):
            raise self.fail(f"must be an object ({{…}}) describing {what}, found {kind_of(data)}.")
        self.data: dict[str, Any] = data
        duplicate = getattr(data, "duplicate", None)
        if duplicate is not None:
            raise self.fail(f"the field {brief(duplicate)} appears twice.")
        if fields is not None:
            self.only(fields)

    def only(self, fields: Collection[str]) -> None:
        """Refuse any field but ``fields``."""
        for key in self.data:
            if key not in fields:
                listed = ", ".join(fields)
                raise JsonFieldError(
                    f"{self.what.capitalize()} has no field {brief(key)}; the fields are: {listed}.",
                    self.at(key) if isinstance(key, str) and key.isidentifier() else self.path,
                    self.note,
                )

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, reason: str, name: str | None = None) -> JsonFieldError:
        """The error to raise about the field ``name``, or about the object itself."""
        return JsonFieldError(reason, self.path if name is None else self.at(name), self.note)

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str, *, required: bool) -> Any:
        """The value as parsed; null counts as missing."""
        value = self.data.get(name)
        if value is None and required:
            missing = "is missing" if name not in self.data else "cannot be null"
            raise self.fail(f"{missing}; it is required.", name)
        return value

    def typed(self, name: str, kind: type, what: str, *, required: bool) -> Any:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise self.fail(f"must be {what}, found {kind_of(value)}.", name)
        return value

    def clean(self, name: str, cleaner: Callable[[Any], Any], *, required: bool = True) -> Any:
        """Apply one of the app's own rules (``rules.clean_*``) to a text field."""
        value = self.typed(name, str, "text", required=required)
        try:
            return cleaner(value)
        except ValidationError as exc:
            raise self.fail(exc.message, name) from None

    def text(
        self, name: str, what: str, *, max_len: int, required: bool = False, multiline: bool = False
    ) -> str:
        """Text tidied like typed text (``rules.clean_text``); an absent optional text is ``""``."""
        value = self.typed(name, str, "text", required=required)
        if value is not None and len(value) > 4 * max_len + 1000:  # no need to scan megabytes
            raise self.fail(f"{what} is {len(value):,} characters long; the limit is {max_len:,}.", name)
        try:
            return rules.clean_text(
                value, what, field=name, max_len=max_len, required=required, multiline=multiline
            )
        except ValidationError as exc:
            raise self.fail(exc.message, name) from None

    def url(self, name: str, what: str = "The address") -> str:
        """An optional web address, http or https (``rules.clean_url``)."""
        value = self.text(name, what, max_len=rules.URL_MAX)
        try:
            return rules.clean_url(value, what, field=name)
        except ValidationError as exc:
            raise self.fail(exc.message, name) from None

    def whole(self, name: str, low: int, high: int, *, required: bool) -> int | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if isinstance(value, _BigInt):
            raise self.fail(f"must be from {low} to {high}, found a {len(value.digits)}-digit number.", name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"must be a whole number from {low} to {high}, found {kind_of(value)}.", name)
        if not low <= value <= high:
            raise self.fail(f"must be from {low} to {high}, found {value}.", name)
        return value

    def version(self, name: str, newest: int, what: str, newer: str) -> int:
        """A format version this app reads, 1 to ``newest``. A higher one means a newer app made
        the file: ``newer`` says so, ``{found}`` standing for the version found."""
        value = self.raw(name, required=True)
        if isinstance(value, bool) or not isinstance(value, int | _BigInt):
            raise self.fail(f"must be a whole number, found {kind_of(value)}.", name)
        if isinstance(value, _BigInt) or value > newest:
            found = value.digits[:12] + "…" if isinstance(value, _BigInt) else value
            raise self.fail(newer.format(found=found), name)
        if value < 1:
            raise self.fail(f"{value} is not a valid {what}.", name)
        return value

    def choice(self, name: str, enum: type[_E], *, default: _E | None = None) -> _E:
        """One of ``enum``'s values; required unless there is a ``default``."""
        value = self.typed(name, str, "text", required=default is None)
        if value is None:
            return default  # type: ignore[return-value]
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise self.fail(f"{brief(value)} is not one of: {allowed}.", name) from None

    def key(self, name: str, *, required: bool = True) -> str | None:
        value = self.typed(name, str, "text", required=required)
        if value is not None and not is_key(value):
            raise self.fail(
                f"{brief(value)} is not a key (lower-case letters, digits and single hyphens).", name
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
            raise self.fail(f"{brief(value)} is not a date written YYYY-MM-DD.", name) from None
        if not rules.year_in_range(day.year):
            raise self.fail(f"{value} is out of range (years 1900 to 2200).", name)
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
                name,
            ) from None
        if not rules.year_in_range(moment.year):
            raise self.fail(f"{value} is out of range (years 1900 to 2200).", name)
        return moment.astimezone(UTC)

    def items(self, name: str, what: str, *, required: bool = False) -> list[tuple[str, Any]]:
        """The elements of a list field, each with its path."""
        value = self.typed(name, list, f"a list of {what}", required=required) or []
        return [(f"{self.at(name)}[{i}]", item) for i, item in enumerate(value)]

    def tags(self, name: str) -> list[str]:
        """A list of tags, normalised like typed tags, each once, in the order first given."""
        out: dict[str, None] = {}
        for path, raw in self.items(name, "tags"):
            if not isinstance(raw, str):
                raise JsonFieldError(f"a tag must be text, found {kind_of(raw)}.", path, self.note)
            try:
                out.setdefault(rules.normalise_tag(raw), None)
            except ValidationError as exc:
                raise JsonFieldError(exc.message, path, self.note) from None
        return list(out)
