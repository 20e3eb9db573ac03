"""Quick entry: one typed line becomes a theory.

``Cheyenne returns to Paris 70% #plot/paris by June 2027 @Cheyenne`` reads as the title
“Cheyenne returns to Paris”, a confidence of 70 %, the tag ``plot/paris``, resolve by
30 June 2027, about Cheyenne. What the line may hold besides the title, anywhere in it:

- a confidence: ``70%`` or ``70 %`` (1 to 99);
- tags: ``#plot/paris`` (as many as wanted; tidied like any tag);
- a resolve-by date: ``by 2027-06-01``, ``by 1 June 2027``, ``by June 1, 2027``,
  ``by June 2027`` (its last day), ``by 2027`` or ``by end of 2027`` (31 December),
  ``by end of year``; month names in English, in any case;
- characters: ``@Cheyenne``, by name or first name, in any case, accents optional;
  ``@"Jack McMillan"`` for a name of several words;
- a category: ``!romance``, ``!villain``, ``!plot``, ``!casting``, ``!release``, ``!other``.

Whatever is not understood (an unknown ``@Nobody``, ``150%``, a date that does not exist, a
tag with a character tags cannot hold) stays in the title, and :attr:`QuickEntry.problems`
says why, so the line can be fixed before it is saved. A confidence or date given twice: the
last one counts, the earlier stays in the title.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from etoile_app.domain import rules
from etoile_app.domain.enums import Category
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import CharacterRef, TheoryDraft

#: A known character: ``(id, name)`` or ``(id, name, full name)``.
KnownCharacter = tuple[int, str] | tuple[int, str, str]

#: How the category tokens read (``!villain``), by their letters alone.
CATEGORY_WORDS: dict[str, Category] = {
    "romance": Category.ROMANCE,
    "villain": Category.VILLAIN_ARC,
    "villainarc": Category.VILLAIN_ARC,
    "plot": Category.PLOT_ARC,
    "plotarc": Category.PLOT_ARC,
    "casting": Category.CASTING,
    "cast": Category.CASTING,
    "release": Category.RELEASE_PRODUCTION,
    "production": Category.RELEASE_PRODUCTION,
    "releaseproduction": Category.RELEASE_PRODUCTION,
    "other": Category.OTHER,
}
CATEGORY_HINT = "!romance, !villain, !plot, !casting, !release or !other"
DATE_HINT = "by 2027-06-01, by June 2027 or by end of 2027"

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

#: White space between words. Control characters that Python counts as white space are not:
#: they stay inside a word, so the title refuses them instead of losing them silently.
_GAPS = re.compile(r"[^\S\x1c-\x1f\x85]+")
#: Sentence punctuation that may follow a token without being part of it (``#romance,``).
_TRAILING = ".,;:!?"
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_PERCENT = re.compile(rf"({_NUMBER.pattern})%")
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)\.?"
_YEAR = r"([0-9]{4})"
# What may follow "by", longest first; each reads the words after it joined by one space.
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_DAY_MONTH_YEAR = re.compile(rf"{_DAY} {_MONTH},? {_YEAR}")
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH} {_DAY},? {_YEAR}")
_END_OF_MONTH = re.compile(rf"(?:the )?end of {_MONTH} {_YEAR}")
_END_OF_YEAR = re.compile(rf"(?:the )?end of {_YEAR}")
_END_OF_THIS_YEAR = re.compile(r"(?:the )?end of (?:the |this )?year")
_MONTH_YEAR = re.compile(rf"{_MONTH} {_YEAR}")
_YEAR_ONLY = re.compile(_YEAR)
#: The most words a date after "by" takes ("the end of June 2027").
_DATE_WORDS = 5


@dataclass(frozen=True, slots=True)
class QuickEntry:
    """What one line of quick entry says; :meth:`draft` is the theory to save.

    ``confidence`` is ``None`` when the line gives none (the theory then starts at the
    draft's default), ``category`` likewise. ``problems`` says, one sentence each, what was
    not understood and so was left in the title.
    """

    title: str
    confidence: int | None = None
    tags: tuple[str, ...] = ()
    resolve_by: date | None = None
    characters: tuple[CharacterRef, ...] = ()
    category: Category | None = None
    problems: tuple[str, ...] = ()

    @property
    def title_error(self) -> str | None:
        """Why the title cannot be saved (empty, too long, a control character), or ``None``."""
        try:
            rules.clean_title(self.title)
        except ValidationError as exc:
            return exc.message
        return None

    @property
    def saveable(self) -> bool:
        return self.title_error is None

    def draft(self) -> TheoryDraft:
        """The theory this line writes (checked again when it is saved)."""
        draft = TheoryDraft(
            title=self.title,
            category=self.category or Category.OTHER,
            character_ids=tuple(c.id for c in self.characters),
            tags=self.tags,
            resolve_by=self.resolve_by,
        )
        return draft if self.confidence is None else replace(draft, confidence=self.confidence)


def parse(line: str, characters: Iterable[KnownCharacter], today: date) -> QuickEntry:
    """Read one line of quick entry. It never raises: what it cannot read stays in the title.

    ``characters`` are those ``@`` may name; ``today`` is the earliest resolve-by date taken.
    """
    return _Reader(line if isinstance(line, str) else "", _CastIndex(characters), today).read()


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, line: str, cast: _CastIndex, today: date) -> None:
        self.words = [w for w in _GAPS.split(line) if w]
        self.cast, self.today = cast, today
        #: The words left in the title, by where they stand in the line.
        self.title: dict[int, str] = {}
        self.confidence: int | None = None
        self.confidence_at: range = range(0)
        self.resolve_by: date | None = None
        self.date_at: range = range(0)
        self.tags: dict[str, None] = {}
        self.characters: dict[int, CharacterRef] = {}
        self.category: Category | None = None
        self.problems: list[str] = []

    def read(self) -> QuickEntry:
        at = 0
        while at < len(self.words):
            word = self.words[at]
            taken = 0 if _has_control(word) else self._token(at)
            if taken:
                at += taken
            else:
                self.title[at] = word
                at += 1
        return QuickEntry(
            title=" ".join(self.title[i] for i in sorted(self.title)),
            confidence=self.confidence,
            tags=tuple(self.tags),
            resolve_by=self.resolve_by,
            characters=tuple(self.characters.values()),
            category=self.category,
            problems=tuple(dict.fromkeys(self.problems)),
        )

    def _token(self, at: int) -> int:
        """How many words from ``at`` make a token that was understood (0: a title word)."""
        word = self.words[at]
        bare = word.rstrip(_TRAILING)
        if word.startswith("#"):
            return self._tag(word, bare)
        if word.startswith("@"):
            return self._character(at)
        if word.startswith("!") and word[1:2].isalpha():
            return self._category(word, bare)
        if word.casefold() == "by" and at + 1 < len(self.words):
            return self._date(at)
        return self._confidence(at)

    def _tag(self, word: str, bare: str) -> int:
        if len(bare) < 2:
            return 0  # a lone "#" is punctuation
        try:
            tag = rules.normalise_tag(bare[1:])
        except ValidationError as exc:
            self.problems.append(_first_sentence(exc.message))  # it names the tag
            return 0
        self.tags.setdefault(tag, None)
        return 1

    def _category(self, word: str, bare: str) -> int:
        category = CATEGORY_WORDS.get(_letters(bare[1:]))
        if category is None:
            self.problems.append(f"“{word}” is not a category; write {CATEGORY_HINT}.")
            return 0
        self.category = category
        return 1

    def _confidence(self, at: int) -> int:
        word = self.words[at]
        following = self.words[at + 1] if at + 1 < len(self.words) else ""
        if (found := _PERCENT.fullmatch(word.rstrip(_TRAILING))) is not None:
            number, taken = found[1], 1
        elif _NUMBER.fullmatch(word) and following.rstrip(_TRAILING) == "%":
            number, taken = word, 2
        else:
            return 0
        shown = " ".join(self.words[at : at + taken])
        low, high = rules.CONFIDENCE_MIN, rules.CONFIDENCE_MAX
        if not number.isdigit() or len(number) > 2 or not low <= int(number) <= high:
            self.problems.append(
                f"“{shown}” is not a confidence: give a whole number from {low} to {high} %."
            )
            return 0
        self._keep_in_title(self.confidence_at)  # the last one given counts
        self.confidence, self.confidence_at = int(number), range(at, at + taken)
        return taken

    def _date(self, at: int) -> int:
        following = self.words[at + 1 : at + 1 + _DATE_WORDS]
        if not _looks_like_date(following):
            return 0  # "by" as a word: "returns by boat"
        for count in range(len(following), 0, -1):
            phrase = " ".join(following[:count]).casefold().rstrip(_TRAILING)
            day = _read_date(phrase, self.today)
            if day is None:
                continue
            shown = " ".join(self.words[at : at + 1 + count]).rstrip(_TRAILING)
            if not rules.year_in_range(day.year):
                self.problems.append(f"“{shown}” is out of range: choose a year from 1900 to 2200.")
                return 0
            if day < self.today:
                self.problems.append(f"“{shown}” has passed: a resolve-by date is today or later.")
                return 0
            self._keep_in_title(self.date_at)  # the last one given counts
            self.resolve_by, self.date_at = day, range(at, at + 1 + count)
            return 1 + count
        meant = next((i for i, w in enumerate(following) if not _date_word(w)), len(following))
        shown = " ".join(self.words[at : at + 1 + max(1, meant)]).rstrip(_TRAILING)
        self.problems.append(f"“{shown}” is not a date: write {DATE_HINT}.")
        return 0

    def _keep_in_title(self, words: range) -> None:
        """Put back in the title the words of a token that a later one replaced."""
        self.title.update((i, self.words[i]) for i in words)

    def _character(self, at: int) -> int:
        word = self.words[at]
        name, taken = word[1:], 1
        if name[:1] in '"“':
            for end in range(at, len(self.words)):
                closing = self.words[end].rstrip(_TRAILING)
                if closing[-1:] in '"”' and (end > at or len(closing) > 2):
                    name = " ".join([word[2:], *self.words[at + 1 : end + 1]]).rstrip(_TRAILING)[:-1]
                    taken = end - at + 1
                    break
        key = _key(name)
        if not key:
            return 0  # "@" on its own, or followed by punctuation only
        found = self.cast.find(key)
        if not found:
            self.problems.append(f"No character is called “{name.strip(_TRAILING)}”.")
            return 0
        if len(found) > 1:
            names = " or ".join(c.name for c in found)
            shown = " ".join(self.words[at : at + taken])
            self.problems.append(f"“{shown}” could be {names}; write more of the name.")
            return 0
        self.characters.setdefault(found[0].id, found[0])
        return taken


# --- characters ------------------------------------------------------------------------------


class _CastIndex:
    """The known characters by the keys of their names, full names and first names."""

    def __init__(self, characters: Iterable[KnownCharacter]) -> None:
        self.names: dict[str, dict[int, CharacterRef]] = {}
        self.first_names: dict[str, dict[int, CharacterRef]] = {}
        for entry in characters:
            ident, name, *rest = entry
            ref = CharacterRef(ident, name)
            for full in (name, *rest):
                if not full:
                    continue
                self.names.setdefault(_key(full), {})[ident] = ref
                first = full.split()[0] if full.split() else ""
                self.first_names.setdefault(_key(first), {})[ident] = ref

    def find(self, key: str) -> list[CharacterRef]:
        """The characters ``key`` names: by whole name first, else by first name."""
        found = self.names.get(key) or self.first_names.get(key) or {}
        return list(found.values())


def _key(text: str) -> str:
    """``text`` as names are compared: without accents, case, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


# --- dates -----------------------------------------------------------------------------------


def _looks_like_date(words: Sequence[str]) -> bool:
    """Whether the words after "by" are meant as a date (a digit, a month, "end of")."""
    first = words[0].casefold().rstrip(_TRAILING + ".") if words else ""
    second = words[1].casefold() if len(words) > 1 else ""
    return first[:1].isdigit() or first in _MONTHS or first == "end" or (first == "the" and second == "end")


def _date_word(word: str) -> bool:
    """Whether ``word`` can be part of a date after "by", to quote one that cannot be read."""
    folded = word.casefold().rstrip(_TRAILING + ",")
    return folded[:1].isdigit() or folded in _MONTHS or folded in ("end", "of", "the", "this", "year")


def _read_date(phrase: str, today: date) -> date | None:
    """The date ``phrase`` names, or ``None`` if it names none (or one that does not exist)."""
    try:
        if m := _ISO_DAY.fullmatch(phrase):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_MONTH.fullmatch(phrase):
            return _month_end(int(m[1]), int(m[2]))
        if (m := _DAY_MONTH_YEAR.fullmatch(phrase)) and m[2] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2]], int(m[1]))
        if (m := _MONTH_DAY_YEAR.fullmatch(phrase)) and m[1] in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1]], int(m[2]))
        if (m := _END_OF_MONTH.fullmatch(phrase)) and m[1] in _MONTHS:
            return _month_end(int(m[2]), _MONTHS[m[1]])
        if m := _END_OF_YEAR.fullmatch(phrase):
            return date(int(m[1]), 12, 31)
        if _END_OF_THIS_YEAR.fullmatch(phrase):
            return date(today.year, 12, 31)
        if (m := _MONTH_YEAR.fullmatch(phrase)) and m[1] in _MONTHS:
            return _month_end(int(m[2]), _MONTHS[m[1]])
        if m := _YEAR_ONLY.fullmatch(phrase):
            return date(int(m[1]), 12, 31)
    except ValueError:  # 30 February, month 13, year 0
        return None
    return None


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(month)
    return date(year, month, calendar.monthrange(year, month)[1])


# --- small helpers ---------------------------------------------------------------------------


def _has_control(word: str) -> bool:
    """A word holding an invisible control character is never a token: the title refuses it."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in word)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def _first_sentence(message: str) -> str:
    head, dot, _rest = message.partition(". ")
    return head + dot.strip()
