"""Rules for what a person may type, and how it is tidied before it is stored.

Each ``clean_*`` function returns the value to store or raises a specific
:class:`~etoile_app.domain.errors.ValidationError` whose message can be shown as is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from typing import TypeVar

from etoile_app.domain.enums import Stance
from etoile_app.domain.errors import (
    BodyError,
    ChoiceError,
    ConfidenceError,
    DateError,
    RatingError,
    TagError,
    TextFieldError,
    TitleError,
)
from etoile_app.domain.models import EvidenceDraft, OptionDraft, TheoryDraft

TITLE_MAX = 200
BODY_MAX = 20_000
NOTE_MAX = 2_000
SHORT_TEXT_MAX = 200
STATEMENT_MAX = 1_000
#: A fact's state in plain words, as a Status card leads with it.
HEADLINE_MAX = 80
#: A source's web address.
URL_MAX = 1_000
TAG_MAX = 40
#: A multiple-choice theory's options: how many, how long a name, the most one may have.
OPTIONS_MIN = 2
OPTIONS_MAX = 12
OPTION_NAME_MAX = 60
OPTION_MAX = 98
CONFIDENCE_MIN, CONFIDENCE_MAX = 1, 99
RATING_MIN, RATING_MAX = 1, 5

#: Characters a tag may hold besides letters and digits (of any script, so "geneviève" is fine).
#: ``/`` separates a parent from a child tag: ``romance/jack-cheyenne``.
TAG_PUNCTUATION = frozenset("-_/")
TAG_RULE = (
    "Tags may hold letters, digits, '-' and '_', and '/' between a parent and a child tag "
    f"(like romance/jack-cheyenne), up to {TAG_MAX} characters."
)

_SPACES = re.compile(r"\s+")
_E = TypeVar("_E", bound=StrEnum)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


#: Unicode's control characters (category Cc) but line breaks and tabs, and lone surrogates
#: (Cs): one regular expression, so long texts are checked at C speed.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _reject_controls(text: str, error: Callable[[str], Exception], what: str) -> None:
    """Refuse invisible control characters; line breaks and tabs are white space, not controls.

    This runs before white space is folded, because Python counts some controls (such as
    U+001F and U+0085) as white space and would otherwise turn them silently into spaces.
    """
    found = _CONTROLS.search(text)
    if found is not None:
        raise error(f"{what} holds an invisible control character (code {ord(found.group()):#x}).")


def clean_title(title: str) -> str:
    """Trim, fold runs of white space (including line breaks) into one space, check length."""
    if not isinstance(title, str):
        raise TitleError("The title must be text.")
    _reject_controls(title, TitleError, "The title")
    text = _SPACES.sub(" ", _nfc(title)).strip()
    if not text:
        raise TitleError("Give the theory a title.")
    if len(text) > TITLE_MAX:
        raise TitleError(
            f"The title is {len(text)} characters long; keep it to {TITLE_MAX} or fewer "
            "and put the rest in the body."
        )
    return text


def clean_body(body: str | None) -> str:
    """Keep the body as typed (line breaks included), only trimming trailing white space."""
    if body is None:
        return ""
    if not isinstance(body, str):
        raise BodyError("The body must be text.")
    text = _nfc(body).replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if len(text) > BODY_MAX:
        raise BodyError(f"The body is {len(text):,} characters long; the limit is {BODY_MAX:,}.")
    _reject_controls(text, BodyError, "The body")
    return text


def clean_confidence(value: object) -> int:
    """A confidence is a whole percentage from 1 to 99: certainty is not a forecast."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfidenceError(
            f"Confidence must be a whole number of percent from {CONFIDENCE_MIN} to {CONFIDENCE_MAX}."
        )
    if not CONFIDENCE_MIN <= value <= CONFIDENCE_MAX:
        raise ConfidenceError(
            f"Confidence must be from {CONFIDENCE_MIN} % to {CONFIDENCE_MAX} % (you gave {value} %): "
            "0 and 100 would mean you cannot be wrong."
        )
    return value


def clean_rating(value: object, what: str = "Juiciness") -> int | None:
    """A star rating from 1 to 5, or ``None`` for no rating."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RatingError(f"{what} must be a whole number of stars from {RATING_MIN} to {RATING_MAX}.")
    if not RATING_MIN <= value <= RATING_MAX:
        raise RatingError(
            f"{what} must be from {RATING_MIN} to {RATING_MAX} stars (you gave {value}), or none."
        )
    return value


def normalise_tag(raw: str) -> str:
    """Return the stored form of a tag, or raise :class:`TagError`.

    Case is folded, accents are kept (composed), spaces and runs of spaces become one ``-``,
    and spaces around ``/`` are dropped: ``" Romance / Jack  Cheyenne "`` → ``romance/jack-cheyenne``.
    """
    if not isinstance(raw, str):
        raise TagError("A tag must be text.")
    _reject_controls(raw, TagError, "The tag")
    text = _nfc(raw).casefold()
    text = _nfc(text)  # casefold can decompose (e.g. "İ"); compose again
    parts = [_SPACES.sub("-", part.strip()) for part in text.split("/")]
    if all(not p for p in parts):
        raise TagError("A tag cannot be empty.")
    if any(not p for p in parts):
        raise TagError(f"The tag {raw.strip()!r} has an empty part around '/'. {TAG_RULE}")
    tag = "/".join(parts)
    if len(tag) > TAG_MAX:
        raise TagError(f"The tag {tag[:20]!r}… is {len(tag)} characters long; the limit is {TAG_MAX}.")
    for ch in tag:
        if not (ch.isalnum() or ch in TAG_PUNCTUATION):
            shown = repr(ch) if ch.isprintable() else f"code {ord(ch):#x}"
            raise TagError(f"The tag {raw.strip()!r} holds {shown}, which tags cannot hold. {TAG_RULE}")
    return tag


def clean_tags(raw_tags: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """Normalise a list of tags, dropping repeats, keeping first-seen order."""
    seen: dict[str, None] = {}
    for raw in raw_tags:
        seen.setdefault(normalise_tag(raw), None)
    return list(seen)


def clean_text(
    value: str | None,
    what: str,
    *,
    field: str,
    max_len: int = SHORT_TEXT_MAX,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Tidy a note, source, statement or name; ``what`` is its name in messages."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TextFieldError(f"{what} must be text.", field)
    _reject_controls(value, lambda m: TextFieldError(m, field), what)
    text = _nfc(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        text = _SPACES.sub(" ", text).strip()
    if required and not text:
        raise TextFieldError(f"{what} cannot be empty.", field)
    if len(text) > max_len:
        raise TextFieldError(f"{what} is {len(text):,} characters long; the limit is {max_len:,}.", field)
    return text


def clean_choice(value: object, enum: type[_E], what: str) -> _E:
    """Accept an enum member or its stored value."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ChoiceError(f"{value!r} is not a valid {what}; choose one of: {allowed}.", what) from None


def year_in_range(year: int) -> bool:
    """Dates and times the journal keeps lie in the years 1900 to 2200."""
    return 1900 <= year <= 2200


def clean_date(value: object, what: str) -> date | None:
    """A calendar date, or ``None``. ``datetime`` is refused so time zones never sneak in."""
    from datetime import datetime

    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DateError(f"{what} must be a calendar date.")
    if not year_in_range(value.year):
        raise DateError(f"{what} {value.isoformat()} is out of range (years 1900 to 2200).")
    return value


def clean_draft(draft: TheoryDraft) -> TheoryDraft:
    """Check every field of a theory draft and return it tidied (all errors are ValidationError)."""
    from dataclasses import replace

    from etoile_app.domain.enums import Category

    character_ids = tuple(dict.fromkeys(draft.character_ids))
    for ident in character_ids:
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise ChoiceError(f"{ident!r} is not a character id.", "characters")
    evidence = None
    if draft.evidence is not None:
        cited: dict[int, EvidenceDraft] = {}
        for item in draft.evidence:
            if isinstance(item.fact_id, bool) or not isinstance(item.fact_id, int):
                raise ChoiceError(f"{item.fact_id!r} is not a canon fact id.", "evidence")
            cited[item.fact_id] = EvidenceDraft(
                item.fact_id,
                clean_choice(item.stance, Stance, "stance"),
                clean_text(
                    item.note, "The evidence note", field="evidence", max_len=NOTE_MAX, multiline=True
                ),
            )
        evidence = tuple(cited.values())
    return replace(
        draft,
        evidence=evidence,
        title=clean_title(draft.title),
        body=clean_body(draft.body),
        category=clean_choice(draft.category, Category, "category"),
        character_ids=character_ids,
        tags=tuple(clean_tags(draft.tags)),
        confidence=clean_confidence(draft.confidence),
        juiciness=clean_rating(draft.juiciness),
        resolve_by=clean_date(draft.resolve_by, "The resolve-by date"),
        options=clean_options(draft.options),
        condition_id=_clean_id(draft.condition_id, "condition", "a theory id"),
    )


def _clean_id(value: object, field: str, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ChoiceError(f"{value!r} is not {what}.", field)
    return value


def clean_options(options: Sequence[OptionDraft]) -> tuple[OptionDraft, ...]:
    """A multiple-choice theory's options: none (a yes/no theory), or 2 to 12 with different
    names, each from 1 % to 98 %, together 100 %."""
    if not options:
        return ()
    if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
        raise ChoiceError(
            f"A multiple-choice theory has from {OPTIONS_MIN} to {OPTIONS_MAX} options "
            f"(this one has {len(options)}).",
            "options",
        )
    cleaned: list[OptionDraft] = []
    seen: dict[str, str] = {}
    for option in options:
        name = clean_text(
            option.name, "An option's name", field="options", max_len=OPTION_NAME_MAX, required=True
        )
        key = name.casefold()
        if key in seen:
            raise ChoiceError(f"Two options are called “{seen[key]}”: give each its own name.", "options")
        seen[key] = name
        value = option.confidence
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= OPTION_MAX:
            raise ConfidenceError(
                f"“{name}” must be a whole number of percent from 1 to {OPTION_MAX} "
                "(every option may happen, and another may too)."
            )
        cleaned.append(OptionDraft(name, value))
    total = sum(o.confidence for o in cleaned)
    if total != 100:
        raise ConfidenceError(
            f"The options add up to {total} %; together they must make 100 % "
            f"({'take away' if total > 100 else 'spread'} {abs(total - 100)} %).",
        )
    return tuple(cleaned)


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def clean_url(value: str | None, what: str = "The address", *, field: str = "source_url") -> str:
    """An optional web address (http or https), so a source can be followed."""
    text = clean_text(value, what, field=field, max_len=URL_MAX)
    if text and not _URL.match(text):
        raise TextFieldError(f"{what} must be a web address starting with http:// or https://.", field)
    return text
