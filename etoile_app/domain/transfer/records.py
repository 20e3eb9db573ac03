"""What the journal's files hold: the records, limits, errors and helpers every format shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from etoile_app.domain.enums import Category, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import EarlierResolution, Forecast

FORMAT = "etoile-journal"
#: 2 added the headline, source title and address, and retraction of user news;
#: 3 added each theory's earlier resolutions (those it had before it was reopened);
#: 4 added multiple-choice options (and which forecasts are an option's), conditions, and the
#: option that had happened in an earlier resolution;
#: 5 added a club's members, and who wrote each theory and dream casting and made each forecast.
FORMAT_VERSION = 5
#: The first format version with options and conditions.
OPTIONS_VERSION = 4
#: The first format version with members (``members``, ``author``, a forecast's ``by``).
MEMBERS_VERSION = 5
#: The largest file an import reads; the size is checked before reading.
MAX_IMPORT_BYTES = 50_000_000
USER_FACT_PREFIX = "user-"
#: Dates in a file may lie this far after today (time zones differ); later ones are refused.
FUTURE_SLACK = timedelta(days=1)


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
class MemberEntry:
    """A club's member as files carry them: ``key`` is their login, the way a club knows them."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class ForecastEntry(Forecast):
    """A forecast as files carry it: ``by`` is the key of the member who made it (``None`` in a
    journal of one)."""

    by: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    fact: str  # the fact's key
    stance: Stance
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OptionEntry:
    """One option of a multiple-choice theory as files carry it; its confidence is its latest
    forecast's."""

    name: str
    happened: bool = False


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
    history: tuple[Forecast, ...] = ()  # in time order
    # Oldest first. ``None``: the file (older than format 3) does not say; a theory already in
    # the journal keeps its own.
    earlier_resolutions: tuple[EarlierResolution, ...] | None = ()
    #: Multiple choice: its options in order (none: a yes/no theory). Each forecast of a
    #: multiple-choice theory names one of them.
    options: tuple[OptionEntry, ...] = ()
    #: The uid of the theory this one depends on, if any.
    condition: str | None = None
    #: The key of the member who wrote it (``None`` in a journal of one).
    author: str | None = None

    @property
    def option_confidences(self) -> dict[str, int]:
        """Each option's confidence (its latest forecast), in the options' order; 0 for one
        without a forecast."""
        latest = {h.option: h.confidence for h in self.history if h.option is not None}
        return {o.name: latest.get(o.name, 0) for o in self.options}

    @property
    def option_happened(self) -> str | None:
        return next((o.name for o in self.options if o.happened), None)


@dataclass(frozen=True, slots=True)
class DreamCastEntry:
    role_idea: str
    actor: str
    note: str
    rating: int | None
    character: str | None  # character key
    created_at: datetime
    updated_at: datetime
    #: The key of the member who made it (``None`` in a journal of one).
    author: str | None = None

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
    headline: str = ""
    source_title: str = ""
    source_url: str = ""
    retracted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class JournalFile:
    """Everything a JSON export holds."""

    #: The layout the file was written in: older ones say nothing of some things (see
    #: :data:`FORMAT_VERSION`), which a theory already in the journal then keeps.
    format_version: int = FORMAT_VERSION
    #: A club's members, by key (none in a journal of one).
    members: tuple[MemberEntry, ...] = ()
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
    """What the journal already holds that a file may refer to: character and fact keys, and
    theories (by uid) with the condition (uid) of each that has one."""

    characters: frozenset[str] = frozenset()
    facts: Mapping[str, KnownFact] = field(default_factory=dict)
    today: date | None = None
    theories: frozenset[str] = frozenset()
    conditions: Mapping[str, str] = field(default_factory=dict)


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
    #: CSV: rows of multiple-choice questions the journal cannot hold (see ``parse_csv``).
    rows_skipped: int = 0
    #: CSV: forecasts by other people than ``forecaster`` (on questions shared with them), and
    #: questions left out because none of their forecasts is ``forecaster``'s.
    forecasts_skipped: int = 0
    questions_skipped: int = 0
    #: CSV: whose forecasts were imported, when the file holds forecasts by several people.
    forecaster: str = ""
    #: CSV: ``forecaster`` was worked out from the file (who made the most questions), not named.
    forecaster_guessed: bool = False
    #: CSV: titles longer than 200 characters, as shortened; each theory's body starts with the whole title.
    titles_shortened: tuple[str, ...] = ()
    #: JSON with members: whose part came in (their name), when only one member's could.
    member: str = ""
    #: ... and what was left out: theories, forecasts and dream casting of other members, news
    #: (only a club's owner records it) and the evidence citing news that was left out.
    theories_left_out: int = 0
    forecasts_left_out: int = 0
    dream_casting_left_out: int = 0
    news_left_out: int = 0
    evidence_left_out: int = 0
    #: JSON into a club, by its owner: members the club did not have, added.
    members_created: int = 0

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
                self.members_created,
            )
        )

    def summary(self) -> str:
        text = (
            f"{self.theories_created} new, {self.theories_updated} updated, "
            f"{self.theories_unchanged} unchanged"
        )
        notes = []
        if self.rows_skipped:
            rows = _count(self.rows_skipped, "row")
            notes.append(f"{rows} of multiple-choice questions the journal cannot hold skipped")
        if self.forecasts_skipped or self.questions_skipped:
            whose = f"only {self.forecaster}'s forecasts imported" if self.forecaster else "forecasts"
            if self.forecaster_guessed:
                whose += ", guessed to be yours"
            skipped = [f"{_count(self.forecasts_skipped, 'forecast')} by other people skipped"]
            if self.questions_skipped:
                skipped.append(f"{_count(self.questions_skipped, 'question')} without any of theirs left out")
            notes.append(f"{whose}: " + ", ".join(skipped))
        if self.titles_shortened:
            long = _count(len(self.titles_shortened), "long title")
            notes.append(f"{long} shortened, the whole title starting the body")
        if self.members_created:
            notes.append(f"{_count(self.members_created, 'member')} added to the club")
        notes += self._left_out()
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def _left_out(self) -> list[str]:
        """What a club's file or a member's import left out, in plain sentences."""
        notes = []
        others = [
            f"{_count(n, thing)} by other members left out"
            for n, thing in (
                (self.theories_left_out, "theory"),
                (self.forecasts_left_out, "forecast"),
                (self.dream_casting_left_out, "dream casting entry"),
            )
            if n
        ]
        if self.member:
            notes.append(f"only {self.member}'s part" + (f": {', '.join(others)}" if others else ""))
        elif others:
            notes.append(", ".join(others))
        if self.news_left_out:
            notes.append(
                f"{_count(self.news_left_out, 'news fact')} left out: only the club's owner records news"
            )
        if self.evidence_left_out:
            notes.append(f"{_count(self.evidence_left_out, 'piece')} of evidence citing that news left out")
        return notes


def _count(n: int, thing: str) -> str:
    if n == 1:
        return f"{n} {thing}"
    return f"{n} {thing[:-1]}ies" if thing.endswith("y") else f"{n} {thing}s"


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


def iso_moment(moment: datetime) -> str:
    """``2026-03-01T12:00:00Z`` (microseconds only when there are some)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


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
