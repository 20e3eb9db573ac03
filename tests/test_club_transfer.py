"""Moving between journals: a club's JSON export names its members and who made what (format 5),
the owner's import keeps them, a member's brings in only their own part, a journal of one takes
one member's part; pushing a journal of one into a club and taking one's part home."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import MINI_PACK, FakeClock, file_digest, sidecar_files
from sqlalchemy import func, select

from etoile_app import cli
from etoile_app.domain.enums import Category, FactStatus, Stance, Topic
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import (
    DreamCastDraft,
    EvidenceDraft,
    NewsDraft,
    OptionDraft,
    TheoryDraft,
    TheoryQuery,
)
from etoile_app.domain.transfer import FORMAT_VERSION, ImportFileError, parse_json
from etoile_app.services.club import add_member
from etoile_app.services.club_transfer import push, take_home
from etoile_app.services.journal import Journal
from etoile_app.services.track_record import TrackRecordService
from etoile_app.services.transfer import TransferService
from etoile_app.storage.engine import make_engine
from etoile_app.storage.models import (
    DreamCastRecord,
    FactRecord,
    ForecasterRecord,
    ForecastRecord,
    TheoryRecord,
)
from tests import backends


def _draft(title: str, confidence: int = 40, **extra: Any) -> TheoryDraft:
    return TheoryDraft(title=title, category=Category.OTHER, confidence=confidence, **extra)


class _Club:
    """A club with the members anna and bob; each login's journal is opened on demand."""

    def __init__(self, made: backends.Club, clock: FakeClock) -> None:
        self.made = made
        self.clock = clock
        self.opened: list[Journal] = []

    def journal(self, who: str, name: str | None = None) -> Journal:
        url = self.made.owner if who == "owner" else self.made.url(who)
        pack = MINI_PACK if who == "owner" else None  # only the owner applies packs
        journal = Journal.open(url, backups=False, clock=self.clock, pack=pack)
        if name is not None and journal.identity.member is None:
            journal.join_club(name)
        self.opened.append(journal)
        return journal

    def key(self, who: str) -> str:
        return str(self.made.owner.username) if who == "owner" else self.made.login(who)

    def close(self) -> None:
        for journal in self.opened:
            journal.close()


@contextmanager
def _club(clock: FakeClock, owner_name: str = "Margot") -> Iterator[_Club]:
    with backends.club_database(owner_name) as made:
        engine = make_engine(made.owner)
        try:
            for login in ("anna", "bob"):
                add_member(engine, made.login(login))
        finally:
            engine.dispose()
        club = _Club(made, clock)
        club.journal("owner")  # the canon pack, applied by the owner
        try:
            yield club
        finally:
            club.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def club(clock: FakeClock) -> Iterator[_Club]:
    with _club(clock) as made:
        yield made


def _export(journal: Journal) -> dict[str, Any]:
    return json.loads(journal.transfer.export_json())


def _import(journal: Journal, doc: dict[str, Any], **kwargs: Any):
    service = TransferService(journal.database.writer_sessions(), journal.clock)
    return service.import_bytes(json.dumps(doc).encode(), "json", **kwargs)


def _people(journal: Journal) -> dict[int, str]:
    with journal.database.sessions() as s:
        return dict(s.execute(select(ForecasterRecord.id, ForecasterRecord.login)).all())  # type: ignore[arg-type]


def _who_made_what(journal: Journal) -> dict[str, Any]:
    """Each theory's author and its forecasts with their forecasters, by title (logins)."""
    people = _people(journal)
    out: dict[str, Any] = {}
    with journal.database.sessions() as s:
        for t in s.scalars(select(TheoryRecord).order_by(TheoryRecord.title)):
            rows = s.execute(
                select(ForecastRecord.forecaster_id, ForecastRecord.confidence)
                .where(ForecastRecord.theory_id == t.id)
                .order_by(ForecastRecord.changed_at, ForecastRecord.id)
            ).all()
            out[t.title] = (people.get(t.author_id), [(people.get(f), c) for f, c in rows])  # type: ignore[arg-type]
    return out


def _fill(club: _Club, clock: FakeClock) -> dict[str, Journal]:
    """Theories by the owner, anna and bob, forecasts across them, resolutions, dream casting."""
    owner, anna, bob = club.journal("owner"), club.journal("anna", "Anna"), club.journal("bob", "Bob")
    clock.advance(minutes=1)
    mine = anna.theories.create(_draft("Cheyenne stays in Paris", 65))
    choice = anna.theories.create(
        _draft("Who Cheyenne ends up with", 50, options=(OptionDraft("Jack", 50), OptionDraft("Gael", 50)))
    )
    theirs = bob.theories.create(_draft("Jack returns to New York", 30))
    owners = owner.theories.create(_draft("The gala is cancelled", 20))
    clock.advance(minutes=1)
    bob.theories.set_confidence(mine.id, 20, note="no way")
    anna.theories.set_confidence(theirs.id, 80)
    anna.theories.forecast(choice.id, options={"Jack": 70, "Gael": 30})
    bob.theories.forecast(choice.id, options={"Jack": 10, "Gael": 90})
    clock.advance(minutes=1)
    anna.theories.set_confidence(mine.id, 75)
    clock.advance(hours=1)
    anna.theories.resolve(mine.id, "confirmed", on=date(2026, 3, 1))
    bob.theories.resolve(theirs.id, "busted", on=date(2026, 3, 1))
    anna.theories.resolve(choice.id, "confirmed", on=date(2026, 3, 1), option="Gael")
    anna.cast.add_dream_cast(DreamCastDraft("Cheyenne's sister", "Zendaya"))
    owner.cast.add_dream_cast(DreamCastDraft("The new chef", "Gérard"))
    del owners
    return {"owner": owner, "anna": anna, "bob": bob}


# --- the file ------------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_a_club_export_names_members_authors_and_forecasters(club: _Club, clock: FakeClock) -> None:
    journals = _fill(club, clock)
    doc = _export(journals["owner"])
    assert doc["format_version"] == FORMAT_VERSION == 5
    assert doc["members"] == [
        {"key": club.key("anna"), "name": "Anna"},
        {"key": club.key("bob"), "name": "Bob"},
        {"key": club.key("owner"), "name": "Margot"},
    ]
    by_title = {t["title"]: t for t in doc["theories"]}
    paris = by_title["Cheyenne stays in Paris"]
    assert paris["author"] == club.key("anna") and paris["confidence"] == 75
    assert [(h["by"], h["confidence"]) for h in paris["history"]] == [
        (club.key("anna"), 65),
        (club.key("bob"), 20),
        (club.key("anna"), 75),
    ]
    assert {d["actor"]: d["author"] for d in doc["dream_casting"]} == {
        "Zendaya": club.key("anna"),
        "Gérard": club.key("owner"),
    }
    # The file reads back as it was written.
    assert parse_json(json.dumps(doc).encode()).members[0].name == "Anna"


def test_a_journal_of_one_exports_no_members(journal: Journal) -> None:
    journal.theories.create(_draft("Solo call", 60))
    doc = _export(journal)
    assert "members" not in doc
    assert "author" not in doc["theories"][0] and "by" not in doc["theories"][0]["history"][0]


def _club_doc() -> dict[str, Any]:
    """A small club file, written by hand: anna's theory with bob's forecast, bob's theory."""
    moment = "2026-02-01T10:00:00Z"
    later = "2026-02-02T10:00:00Z"

    def theory(uid: str, title: str, author: str, history: list[tuple[str, int]]) -> dict[str, Any]:
        return {
            "uid": uid,
            "title": title,
            "confidence": next(c for by, c in reversed(history) if by == author),
            "status": "open",
            "created_at": moment,
            "author": author,
            "history": [
                {"confidence": c, "changed_at": later if i else moment, "note": "", "by": by}
                for i, (by, c) in enumerate(history)
            ],
        }

    return {
        "format": "etoile-journal",
        "format_version": FORMAT_VERSION,
        "members": [{"key": "anna", "name": "Anna"}, {"key": "bob", "name": "Bob"}],
        "theories": [
            theory(
                "0d1e28ba-2fa1-11d2-883f-0016d3cca427", "Anna's call", "anna", [("anna", 60), ("bob", 30)]
            ),
            theory("1b4e28ba-2fa1-11d2-883f-0016d3cca427", "Bob's call", "bob", [("bob", 45), ("anna", 70)]),
        ],
        "dream_casting": [
            {"role_idea": "A rival", "actor": "Lily", "created_at": moment, "author": "bob"},
        ],
    }


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["theories"][0].update(author="zed"),
            "theories[0].author",
            "not one of the file's members",
        ),
        (lambda d: d["theories"][1]["history"][0].update(by="zed"), "theories[1].history[0].by", "zed"),
        (lambda d: d["dream_casting"][0].update(author=7), "dream_casting[0].author", "text"),
        (lambda d: d["members"].append({"key": "anna", "name": "Twin"}), "members[2].key", "listed twice"),
        (
            lambda d: d["members"].append({"key": "a b", "name": "Spaced"}),
            "members[2].key",
            "not a member's key",
        ),
        (lambda d: d["members"].append({"key": "cleo", "name": ""}), "members[2].name", "empty"),
        (lambda d: d["members"].append({"key": "cleo"}), "members[2].name", ""),
        (lambda d: d["members"][0].update(role="owner"), "members[0]", "no field"),
        (lambda d: d["theories"][0].update(confidence=50), "theories[0].confidence", "forecasters"),
        (lambda d: d.update(format_version=4), "members", "no field"),
        (lambda d: (d.update(format_version=4), d.pop("members")), "theories[0]", "no field 'author'"),
    ],
)
def test_malformed_member_fields_are_refused_naming_the_field_with_nothing_written(
    journal: Journal, db_snapshot, change, field: str, words: str
) -> None:
    doc = _club_doc()
    change(doc)
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError) as caught:
        _import(journal, doc, forecaster="anna")
    assert caught.value.field is not None and caught.value.field.startswith(field)
    assert words in str(caught.value)
    assert db_snapshot(journal) == before


# --- into a journal of one -----------------------------------------------------------------------


def test_a_journal_of_one_refuses_a_club_file_until_told_whose_part(journal: Journal, db_snapshot) -> None:
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError, match=r"2 members: anna \(Anna\), bob \(Bob\).*choose whose"):
        _import(journal, _club_doc())
    with pytest.raises(ImportFileError, match="no member called 'cleo'"):
        _import(journal, _club_doc(), forecaster="cleo")
    assert db_snapshot(journal) == before


def test_a_journal_of_one_takes_one_members_part(journal: Journal) -> None:
    report = _import(journal, _club_doc(), forecaster="ANNA")  # by name, capitals aside
    assert (report.theories_created, report.forecasts_added) == (2, 2)
    assert (report.member, report.forecasts_left_out, report.dream_casting_left_out) == ("Anna", 2, 1)
    assert "only Anna's part: 2 forecasts by other members left out" in report.summary()
    with journal.database.sessions() as s:
        rows = s.execute(select(TheoryRecord.title, TheoryRecord.confidence, TheoryRecord.author_id)).all()
        forecasts = s.execute(select(ForecastRecord.confidence, ForecastRecord.forecaster_id)).all()
        assert s.scalar(select(func.count()).select_from(ForecasterRecord)) == 0
    # Each theory's confidence is her own latest forecast, even on Bob's theory.
    assert sorted(tuple(r) for r in rows) == [("Anna's call", 60, None), ("Bob's call", 70, None)]
    assert sorted(tuple(f) for f in forecasts) == [(60, None), (70, None)]
    # Again: nothing changes.
    again = _import(journal, _club_doc(), forecaster="anna")
    assert (again.theories_created, again.theories_updated, again.theories_unchanged) == (0, 0, 2)
    # A file with one member needs no choice.
    one = _club_doc()
    one["members"] = one["members"][:1]
    one["theories"] = one["theories"][:1]
    one["theories"][0]["history"] = one["theories"][0]["history"][:1]
    one["dream_casting"] = []
    assert _import(journal, one).member == "Anna"


# --- into a club ---------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_a_club_exported_and_imported_into_a_fresh_club_keeps_who_made_what(clock: FakeClock) -> None:
    with _club(clock) as first:
        journals = _fill(first, clock)
        doc = _export(journals["owner"])
        before = _who_made_what(journals["owner"])
    with _club(clock, "Noor") as second:
        owner = second.journal("owner")
        report = _import(owner, doc)
        assert (report.theories_created, report.members_created) == (4, 3)
        assert "3 members added to the club" in report.summary()
        assert _who_made_what(owner) == before
        after = _export(owner)
        assert after["theories"] == doc["theories"]
        assert after["dream_casting"] == doc["dream_casting"]
        assert [m for m in after["members"] if m["key"] != second.key("owner")] == doc["members"]
        again = _import(owner, doc)
        assert (again.theories_created, again.theories_updated, again.theories_unchanged) == (0, 0, 4)
        assert not again.changed


@pytest.mark.postgresql
def test_the_owner_imports_an_older_file_as_their_own(club: _Club) -> None:
    owner = club.journal("owner")
    doc = _club_doc()
    doc["format_version"] = 4
    del doc["members"]
    for t in doc["theories"]:
        del t["author"]
        t["history"] = t["history"][:1]
        t["confidence"] = t["history"][0]["confidence"]
        for h in t["history"]:
            del h["by"]
    del doc["dream_casting"][0]["author"]
    _import(owner, doc)
    made = _who_made_what(owner)
    me = club.key("owner")
    assert made["Anna's call"] == (me, [(me, 60)]) and made["Bob's call"] == (me, [(me, 45)])


@pytest.mark.postgresql
def test_a_member_importing_a_club_file_gets_only_their_part(club: _Club, clock: FakeClock) -> None:
    journals = _fill(club, clock)
    anna = journals["anna"]
    doc = _export(journals["owner"])
    doc["user_facts"] = [
        {
            "key": "user-gala",
            "topic": "renewal",
            "statement": "The gala was moved.",
            "status": "reported",
            "source": "Variety",
            "as_of": "2026-02-01",
            "supersedes": None,
            "characters": [],
            "created_at": "2026-02-01T10:00:00Z",
        }
    ]
    before = _who_made_what(anna)
    report = _import(anna, doc)
    # Her two theories are as they were; the other members' theories, their forecasts on hers,
    # their dream casting and the news are left out, and counted.
    assert (report.theories_created, report.theories_updated, report.theories_unchanged) == (0, 0, 2)
    assert (report.theories_left_out, report.forecasts_left_out) == (2, 3)
    assert (report.dream_casting_left_out, report.news_left_out) == (1, 1)
    assert report.summary().endswith(
        "(2 theories by other members left out, 3 forecasts by other members left out, "
        "1 dream casting entry by other members left out; "
        "1 news fact left out: only the club's owner records news)"
    )
    assert _who_made_what(anna) == before
    # A change to her own theory in the file comes in; Bob's forecast on it stays.
    paris = next(t for t in doc["theories"] if t["title"] == "Cheyenne stays in Paris")
    paris["body"] = "She signs with the Met."
    paris["history"].append(
        {"confidence": 90, "changed_at": "2026-03-01T15:00:00Z", "note": "", "by": club.key("anna")}
    )
    paris["confidence"] = 90
    paris["history"] = [h for h in paris["history"] if h["by"] == club.key("anna")]
    report = _import(anna, doc)
    assert (report.theories_updated, report.forecasts_added) == (1, 1)
    made = _who_made_what(anna)["Cheyenne stays in Paris"]
    assert made == (
        club.key("anna"),
        [(club.key("anna"), 65), (club.key("bob"), 20), (club.key("anna"), 75), (club.key("anna"), 90)],
    )


# --- push and take home --------------------------------------------------------------------------


def _solo(path: Path, clock: FakeClock) -> Journal:
    """A journal of one in a file: two theories (one multiple choice), news cited as evidence,
    dream casting."""
    journal = Journal.open(path, pack=MINI_PACK, backups=False, clock=clock)
    news = journal.canon.add_news(
        NewsDraft(Topic.RENEWAL, "A revival is rumoured.", FactStatus.REPORTED, "Variety", date(2026, 2, 1))
    )
    journal.theories.create(
        _draft("Étoile returns", 70, evidence=(EvidenceDraft(news.id, Stance.SUPPORTS, "the rumour"),))
    )
    journal.theories.create(
        _draft("Who runs the Met", 60, options=(OptionDraft("Cheyenne", 60), OptionDraft("Gael", 40)))
    )
    journal.cast.add_dream_cast(DreamCastDraft("The new dancer", "Lily"))
    return journal


@pytest.mark.postgresql
def test_push_makes_a_journal_of_one_the_members_own_and_twice_adds_nothing(
    club: _Club, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "mine.sqlite3"
    _solo(path, clock).close()
    digest = file_digest(path)
    anna = club.journal("anna", "Anna")
    report = push(path, anna)
    assert (report.theories_created, report.forecasts_added, report.dream_casting_created) == (2, 3, 1)
    assert (report.news_left_out, report.evidence_left_out) == (1, 1)
    assert "1 news fact left out: only the club's owner records news" in report.summary()
    assert file_digest(path) == digest and not sidecar_files(path)  # read, never written
    me = anna.identity.member_id
    with anna.database.sessions() as s:
        assert set(s.scalars(select(TheoryRecord.author_id))) == {me}
        assert set(s.scalars(select(ForecastRecord.forecaster_id))) == {me}
        assert set(s.scalars(select(DreamCastRecord.author_id))) == {me}
        assert (
            s.scalar(select(func.count()).select_from(FactRecord).where(FactRecord.key.like("user-%"))) == 0
        )
    again = push(path, anna)
    assert (again.theories_created, again.theories_updated, again.theories_unchanged) == (0, 0, 2)
    assert not again.changed
    with anna.database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TheoryRecord)) == 2
        assert s.scalar(select(func.count()).select_from(ForecastRecord)) == 3
        assert s.scalar(select(func.count()).select_from(DreamCastRecord)) == 1


@pytest.mark.postgresql
def test_take_home_holds_exactly_my_theories_and_forecasts_and_my_scores(
    club: _Club, clock: FakeClock, tmp_path: Path
) -> None:
    journals = _fill(club, clock)
    anna = journals["anna"]
    out = tmp_path / "home.sqlite3"
    report = take_home(anna, out)
    assert (report.theories_created, report.theories_left_out, report.forecasts_left_out) == (3, 1, 4)
    assert not sidecar_files(out) and not list(tmp_path.glob(".*partial*"))
    home = Journal.open(out, backups=False, clock=clock)
    try:
        made = _who_made_what(home)
        assert made == {
            "Cheyenne stays in Paris": (None, [(None, 65), (None, 75)]),
            "Jack returns to New York": (None, [(None, 80)]),
            "Who Cheyenne ends up with": (None, [(None, 50), (None, 50), (None, 70), (None, 30)]),
        }
        with home.database.sessions() as s:
            confidences = dict(s.execute(select(TheoryRecord.title, TheoryRecord.confidence)).all())
            assert s.scalar(select(func.count()).select_from(DreamCastRecord)) == 1
        assert confidences["Jack returns to New York"] == 80  # hers, not Bob's 30
        mine = TrackRecordService(anna.database.sessions, clock, forecaster_id=anna.identity.member_id)
        solo = TrackRecordService(home.database.sessions, clock)
        assert solo.summary() == mine.summary()
        assert solo.summary().overall.count == 2
    finally:
        home.close()
    with pytest.raises(JournalError, match="already exists"):
        take_home(anna, out)


@pytest.mark.postgresql
def test_take_home_then_push_back_updates_only_what_is_mine(
    club: _Club, clock: FakeClock, tmp_path: Path
) -> None:
    journals = _fill(club, clock)
    anna = journals["anna"]
    out = tmp_path / "home.sqlite3"
    take_home(anna, out)
    home = Journal.open(out, backups=False, clock=clock)
    try:
        clock.advance(hours=1)
        home.theories.create(_draft("Written at home", 55))
    finally:
        home.close()
    report = push(out, anna)
    # Bob's theory (she forecast on it) is his in the club: left out, counted, not an error.
    assert (report.theories_created, report.theories_unchanged, report.theories_left_out) == (1, 2, 1)
    made = _who_made_what(anna)
    assert made["Written at home"] == (club.key("anna"), [(club.key("anna"), 55)])
    assert made["Cheyenne stays in Paris"][1] == [
        (club.key("anna"), 65),
        (club.key("bob"), 20),
        (club.key("anna"), 75),
    ]


@pytest.mark.postgresql
def test_the_command_line_pushes_and_takes_home(
    club: _Club, clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine.sqlite3"
    solo = Journal.open(mine, backups=False, clock=clock)
    solo.theories.create(_draft("From the command line", 35))
    solo.close()
    club.journal("anna", "Anna")
    url = club.made.url("anna").render_as_string(hide_password=False)
    assert cli.run(["club", "push", str(mine), "--db", url]) == 0
    assert "1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    out = tmp_path / "home.sqlite3"
    assert cli.run(["club", "take-home", "--db", url, "--out", str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    assert cli.run(["club", "take-home", "--db", url, "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert cli.run(["club", "push", str(tmp_path / "none.sqlite3"), "--db", url]) == 1


def test_a_malformed_file_into_a_club_writes_nothing(journal: Journal, db_snapshot) -> None:
    """The new fields are checked before anything is written, whatever the journal."""
    doc = copy.deepcopy(_club_doc())
    doc["theories"][1]["author"] = "nobody-here"
    before = db_snapshot(journal)
    with pytest.raises(ImportFileError, match=r"theories\[1\]\.author"):
        _import(journal, doc)
    assert db_snapshot(journal) == before


def test_a_restore_brings_every_member_back(journal: Journal) -> None:
    """A club's backup restored into a new database that is not a club yet keeps who made what."""
    doc = _club_doc()
    report = _import(journal, doc, whole=True)
    assert (report.theories_created, report.members_created) == (2, 2)
    back = _export(journal)
    assert back["members"] == doc["members"]
    assert [t["author"] for t in back["theories"]] == ["anna", "bob"]
    assert [[h["by"] for h in t["history"]] for t in back["theories"]] == [["anna", "bob"], ["bob", "anna"]]


@pytest.mark.postgresql
def test_the_owners_journal_of_one_touches_only_their_forecasts(
    club: _Club, clock: FakeClock, tmp_path: Path
) -> None:
    """A file without members is one person's: pushed by the owner, it leaves the other members'
    forecasts, and the authors and confidences of their theories, as they are."""
    journals = _fill(club, clock)
    owner, bob = journals["owner"], journals["bob"]
    gala = next(t for t in owner.board.page(TheoryQuery(), 0, 100) if t.title == "The gala is cancelled")
    open_call = bob.theories.create(_draft("Bob's open call", 35))
    clock.advance(minutes=1)
    bob.theories.set_confidence(gala.id, 60)
    owner.theories.forecast(open_call.id, 50)
    before = _who_made_what(owner)
    out = tmp_path / "home.sqlite3"
    take_home(owner, out)
    back = push(out, owner)
    assert (back.theories_created, back.theories_updated, back.theories_unchanged) == (0, 0, 2)
    assert _who_made_what(owner) == before
    home = Journal.open(out, backups=False, clock=clock)
    try:
        clock.advance(minutes=1)
        (mine,) = [t for t in home.board.page(TheoryQuery(), 0, 100) if t.title == "Bob's open call"]
        home.theories.set_confidence(mine.id, 65)
    finally:
        home.close()
    again = push(out, owner)
    assert (again.theories_updated, again.forecasts_added) == (1, 1)
    made = _who_made_what(owner)["Bob's open call"]
    assert made == (
        club.key("bob"),
        [(club.key("bob"), 35), (club.key("owner"), 50), (club.key("owner"), 65)],
    )
    assert bob.theories.get(open_call.id).confidence == 35  # still Bob's
