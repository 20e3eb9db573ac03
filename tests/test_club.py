"""A club on PostgreSQL: its roles and rights (checked from psql under each login, as a
member could), the mapping of logins to members, and the services' rules for members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from etoile_app.domain.club import MemberRole
from etoile_app.domain.enums import Category, TheoryStatus
from etoile_app.domain.errors import ClubError, InvalidStateError, NotYoursError, TextFieldError
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.services.club import add_member, init_club
from etoile_app.services.journal import Journal
from etoile_app.storage import club as club_storage
from etoile_app.storage.engine import make_engine
from etoile_app.storage.models import ForecasterRecord, ForecastRecord, TagRecord, TheoryRecord
from tests import backends

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def club() -> Iterator[backends.Club]:
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            for login in ("anna", "bob", "cleo"):
                add_member(engine, made.login(login))
            add_member(engine, made.login("vic"), viewer=True)
        finally:
            engine.dispose()
        yield made


def _open(club: backends.Club, who: str, name: str | None = None) -> Journal:
    url = club.owner if who == "owner" else club.url(who)
    journal = Journal.open(url, backups=False)
    if name is not None and journal.identity.member is None:
        journal.join_club(name)
    return journal


@pytest.fixture
def anna(club: backends.Club) -> Iterator[Journal]:
    journal = _open(club, "anna", "Anna")
    yield journal
    journal.close()


@pytest.fixture
def bob(club: backends.Club) -> Iterator[Journal]:
    journal = _open(club, "bob", "Bob")
    yield journal
    journal.close()


@pytest.fixture
def owner(club: backends.Club) -> Iterator[Journal]:
    journal = _open(club, "owner")
    yield journal
    journal.close()


def _draft(title: str, confidence: int = 40, **extra: object) -> TheoryDraft:
    return TheoryDraft(title=title, category=Category.OTHER, confidence=confidence, **extra)  # type: ignore[arg-type]


# --- members -------------------------------------------------------------------------------------


def test_each_login_is_mapped_to_its_member_with_its_role(club: backends.Club, owner: Journal) -> None:
    assert owner.identity.club and owner.identity.role is MemberRole.OWNER
    assert owner.identity.member is not None and owner.identity.member.name == "Margot"
    fresh = _open(club, "cleo")
    try:
        who = fresh.identity
        assert who.role is MemberRole.MEMBER and who.login == club.login("cleo")
        assert who.needs_name and who.member is None  # the first use: a name is chosen
        who = fresh.join_club("  Cléo   B.  ")
        assert who.member is not None and who.member.name == "Cléo B."
        again = _open(club, "cleo")
        try:
            assert again.identity.member == who.member  # the same member next time
        finally:
            again.close()
    finally:
        fresh.close()
    viewer = _open(club, "vic")
    try:
        assert viewer.identity.role is MemberRole.VIEWER and not viewer.identity.needs_name
        assert viewer.database.read_only
        assert "You are a viewer of this club" in (viewer.database.read_only_reason or "")
    finally:
        viewer.close()


def test_an_empty_display_name_is_refused_and_writes_nothing(club: backends.Club, owner: Journal) -> None:
    with owner.database.sessions() as s:
        before = s.scalars(select(ForecasterRecord.name).order_by(ForecasterRecord.id)).all()
    with pytest.raises(TextFieldError, match="cannot be empty"):
        owner.join_club("   ")
    with owner.database.sessions() as s:
        assert s.scalars(select(ForecasterRecord.name).order_by(ForecasterRecord.id)).all() == before


def test_a_member_writes_theories_and_forecasts_as_themselves(anna: Journal) -> None:
    theory = anna.theories.create(_draft("Cheyenne stays in Paris", 65))
    assert anna.identity.member is not None
    with anna.database.sessions() as s:
        record = s.get_one(TheoryRecord, theory.id)
        assert record.author_id == anna.identity.member.id
        forecasts = s.scalars(select(ForecastRecord).where(ForecastRecord.theory_id == theory.id)).all()
    # The author's first forecast is theirs, not the theory's.
    assert [(f.forecaster_id, f.confidence) for f in forecasts] == [(anna.identity.member.id, 65)]


def test_a_member_forecasts_on_another_members_theory_without_changing_it(
    anna: Journal, bob: Journal
) -> None:
    theory = bob.theories.create(_draft("Jack returns to New York", 30))
    after = anna.theories.set_confidence(theory.id, 80, note="the trailer says so")
    assert after.confidence == 30 and after.version == theory.version  # still Bob's 30 %
    with anna.database.sessions() as s:
        rows = s.execute(
            select(ForecasterRecord.name, ForecastRecord.confidence, ForecastRecord.note)
            .join(ForecasterRecord, ForecasterRecord.id == ForecastRecord.forecaster_id)
            .where(ForecastRecord.theory_id == theory.id)
            .order_by(ForecastRecord.id)
        ).all()
    assert [tuple(r) for r in rows] == [("Bob", 30, ""), ("Anna", 80, "the trailer says so")]


def test_a_member_forecasts_every_option_of_a_multiple_choice_theory(anna: Journal, bob: Journal) -> None:
    options = (OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20))
    theory = bob.theories.create(_draft("Who Cheyenne ends up with", 50, options=options))
    with pytest.raises(Exception, match="every option"):
        anna.theories.forecast(theory.id, options={"Jack": 60})
    with pytest.raises(Exception, match="add up to 90"):
        anna.theories.forecast(theory.id, options={"Jack": 60, "Gael": 20, "Nobody": 10})
    anna.theories.forecast(theory.id, options={"jack": 20, "Gael": 70, "Nobody": 10})
    with anna.database.sessions() as s:
        mine = s.scalars(
            select(ForecastRecord.confidence)
            .where(
                ForecastRecord.theory_id == theory.id, ForecastRecord.forecaster_id == anna.identity.member_id
            )
            .order_by(ForecastRecord.id)
        ).all()
    assert mine == [20, 70, 10]


@pytest.mark.parametrize(
    "change",
    [
        lambda j, t: j.theories.set_tags(t, ["mine-now"]),
        lambda j, t: j.theories.edit(t, _draft("Taken over")),
        lambda j, t: j.theories.resolve(t, "confirmed"),
        lambda j, t: j.theories.delete(t),
        lambda j, t: j.theories.set_juiciness(t, 5),
        lambda j, t: j.theories.resolve_many([t], "void"),
        lambda j, t: j.theories.rate_many([(t, 90, None)]),
    ],
)
def test_a_member_cannot_change_another_members_theory(anna: Journal, bob: Journal, change) -> None:
    theory = bob.theories.create(_draft("Bob's own"))
    with pytest.raises(NotYoursError, match="Bob's"):
        change(anna, theory.id)
    assert bob.theories.get(theory.id) == theory


def test_members_share_tags(anna: Journal, bob: Journal) -> None:
    first = bob.theories.create(_draft("Tagged by Bob", tags=("gala-night",)))
    second = anna.theories.create(_draft("Tagged by Anna too", tags=("gala-night",)))
    assert second.tags == first.tags == ("gala-night",)
    anna.theories.set_tags(second.id, ["gala-night", "encore"])
    with anna.database.sessions() as s:
        assert s.scalars(select(TagRecord.name).where(TagRecord.name == "gala-night")).all() == ["gala-night"]
    assert bob.theories.get(first.id).tags == ("gala-night",)


def test_the_owner_resolves_any_theory(anna: Journal, owner: Journal) -> None:
    theory = anna.theories.create(_draft("Anna's call"))
    resolved = owner.theories.resolve(theory.id, "busted", note="cancelled")
    assert resolved.status is TheoryStatus.BUSTED


def test_busting_ones_own_condition_voids_another_members_dependant(anna: Journal, bob: Journal) -> None:
    condition = anna.theories.create(_draft("Étoile returns"))
    dependant = bob.theories.create(_draft("If it returns, Cheyenne runs the Met", condition_id=condition.id))
    anna.theories.resolve(condition.id, "busted")
    voided = bob.theories.get(dependant.id)
    assert voided.status is TheoryStatus.VOID
    assert voided.resolution_note == "Void: its condition “Étoile returns” was busted."


def test_a_member_cannot_set_up_or_grow_the_club(club: backends.Club) -> None:
    engine = make_engine(club.url("anna"))
    try:
        with pytest.raises(ClubError, match="may not create logins"):
            init_club(engine, "Anna")
        assert club_storage.may_upgrade(engine) is not None
    finally:
        engine.dispose()
    owner = make_engine(club.owner)
    try:
        assert club_storage.may_upgrade(owner) is None
        with pytest.raises(ClubError, match="cannot be a login"):
            add_member(owner, "Robert'); DROP TABLE theories; --")
        with pytest.raises(ClubError, match="already has a login"):
            add_member(owner, club.login("anna"))
    finally:
        owner.dispose()


# --- the server's own rules, from psql ---------------------------------------------------------


def _ids(club: backends.Club, anna: Journal, bob: Journal) -> dict[str, int]:
    theory = bob.theories.create(_draft("Bob's, for psql"))
    anna.theories.set_confidence(theory.id, 75)
    with bob.database.sessions() as s:
        bob_forecast = s.scalar(
            select(ForecastRecord.id).where(
                ForecastRecord.theory_id == theory.id, ForecastRecord.forecaster_id == bob.identity.member_id
            )
        )
    assert bob_forecast is not None and bob.identity.member_id is not None
    return {"theory": theory.id, "bob_forecast": bob_forecast, "bob": bob.identity.member_id}


def test_psql_as_a_member_cannot_change_another_members_rows(
    club: backends.Club, anna: Journal, bob: Journal
) -> None:
    ids = _ids(club, anna, bob)
    t, f, b = ids["theory"], ids["bob_forecast"], ids["bob"]
    # Changes that match another member's rows change nothing: the rows are not theirs to see for writing.
    for sql in (
        f"UPDATE theories SET title = 'hijacked' WHERE id = {t}",
        f"DELETE FROM theories WHERE id = {t}",
        f"UPDATE forecasts SET confidence = 1 WHERE id = {f}",
        f"DELETE FROM forecasts WHERE id = {f}",
        f"UPDATE forecasters SET name = 'hijacked' WHERE id = {b}",
        f"DELETE FROM theory_tags WHERE theory_id = {t}",
    ):
        done = club.psql("anna", sql)
        assert done.returncode == 0 and done.stderr == "", (sql, done.stderr)
    # New rows in another member's name, or hung on their theory, are refused outright.
    for sql in (
        "INSERT INTO forecasts (theory_id, forecaster_id, confidence, changed_at, note)"
        f" VALUES ({t}, {b}, 5, now(), '')",
        f"INSERT INTO theory_options (theory_id, position, name, happened) VALUES ({t}, 9, 'x', false)",
        "INSERT INTO theories (uid, title, body, category, confidence, status, created_at, updated_at,"
        f" resolution_note, tags_text, characters_text, author_id) VALUES ('u-psql', 'fake', '', 'other', 50,"
        f" 'open', now(), now(), '', '', '', {b})",
        "INSERT INTO forecasters (name, login, created_at) VALUES ('fake', 'someone_else', now())",
    ):
        done = club.psql("anna", sql)
        assert "violates row-level security policy" in done.stderr, (sql, done.stderr)
    # The canon is the owner's.
    done = club.psql("anna", "UPDATE canon_facts SET statement = 'x'")
    assert "permission denied" in done.stderr
    with bob.database.sessions() as s:
        record = s.get_one(TheoryRecord, t)
        assert record.title == "Bob's, for psql"
        assert s.get_one(ForecastRecord, f).confidence == 40
        assert s.get_one(ForecasterRecord, b).name == "Bob"
    # Their own rows they may change.
    mine = club.psql("anna", f"UPDATE forecasts SET note = 'mine' WHERE theory_id = {t} RETURNING confidence")
    assert mine.stdout.split() == ["75"]


def test_psql_as_a_viewer_reads_and_changes_nothing(club: backends.Club, anna: Journal) -> None:
    anna.theories.create(_draft("Visible to viewers"))
    read = club.psql("vic", "SELECT count(*) > 0 FROM theories")
    assert read.stdout.strip() == "t"
    for sql in (
        "UPDATE theories SET title = 'x'",
        "DELETE FROM forecasts",
        "INSERT INTO tags (name) VALUES ('viewer-tag')",
        "INSERT INTO forecasters (name, login, created_at) VALUES ('vic', current_user, now())",
    ):
        assert "permission denied" in club.psql("vic", sql).stderr, sql


def test_psql_as_a_member_cannot_rename_tags(club: backends.Club, anna: Journal) -> None:
    anna.theories.create(_draft("Keeps its tag", tags=("stays-put",)))
    done = club.psql("anna", "UPDATE tags SET name = 'renamed' WHERE name = 'stays-put'")
    assert "violates row-level security policy" in done.stderr


def test_psql_as_the_owner_may_change_anything(club: backends.Club, anna: Journal) -> None:
    theory = anna.theories.create(_draft("Owner edits this"))
    done = club.psql("owner", f"UPDATE theories SET juiciness = 3 WHERE id = {theory.id} RETURNING id")
    assert done.stdout.split() == [str(theory.id)]


def test_a_sqlite_journal_is_a_club_of_one(journal: Journal, tmp_path) -> None:
    assert not journal.identity.club and journal.identity.member is None
    from etoile_app.storage.engine import make_engine as engine_for

    engine = engine_for(tmp_path / "solo.sqlite3")
    try:
        with pytest.raises(ClubError, match="PostgreSQL"):
            init_club(engine, "Me")
    finally:
        engine.dispose()


def test_club_init_makes_the_journal_of_one_the_owners(tmp_path) -> None:
    server = backends.server()
    name = server.fresh_name("solo")
    owner = f"{name}_owner"
    with server.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    url = server.url_of(name).set(username=owner)
    try:
        solo = Journal.open(url, backups=False)
        try:
            assert not solo.identity.club
            made = solo.theories.create(_draft("Written before the club"))
        finally:
            solo.close()
        engine = make_engine(url)
        try:
            member = init_club(engine, "Margot")
        finally:
            engine.dispose()
        again = Journal.open(url, backups=False)
        try:
            assert again.identity.club and again.identity.member == member
            with again.database.sessions() as s:
                assert s.get_one(TheoryRecord, made.id).author_id == member.id
                assert set(s.scalars(select(ForecastRecord.forecaster_id))) == {member.id}
        finally:
            again.close()
    finally:
        with server.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in (f"{name}_members", f"{name}_viewers", owner):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def test_a_theorys_own_confidences_stay_its_authors(anna: Journal, bob: Journal, owner: Journal) -> None:
    options = (OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20))
    theory = bob.theories.create(_draft("Whose options these are", 50, options=options))
    anna.theories.forecast(theory.id, options={"Jack": 10, "Gael": 80, "Nobody": 10})
    seen = anna.theories.get(theory.id)
    assert [(o.name, o.confidence) for o in seen.options] == [("Jack", 50), ("Gael", 30), ("Nobody", 20)]
    assert {h.confidence for h in seen.history} == {50, 30, 20}
    # The owner may retitle it, but not change its author's confidences.
    draft = TheoryDraft(
        title="Retitled by the owner", category=Category.OTHER, confidence=50, options=options
    )
    assert owner.theories.edit(theory.id, draft).title == "Retitled by the owner"
    moved = (OptionDraft("Jack", 70), OptionDraft("Gael", 10), OptionDraft("Nobody", 20))
    with pytest.raises(InvalidStateError, match="its author's"):
        owner.theories.edit(theory.id, replace(draft, title="Retitled", options=moved))
    assert bob.theories.get(theory.id).title == "Retitled by the owner"


def test_a_member_changes_only_their_own_dream_casting(anna: Journal, bob: Journal) -> None:
    from etoile_app.domain.models import DreamCastDraft

    theirs = bob.cast.add_dream_cast(DreamCastDraft("Geneviève's rival", "Bob's pick"))
    mine = anna.cast.add_dream_cast(DreamCastDraft("A new étoile", "Anna's pick", rating=4))
    with pytest.raises(NotYoursError, match="Bob's"):
        anna.cast.edit_dream_cast(theirs.id, DreamCastDraft("Taken", "over"))
    with pytest.raises(NotYoursError):
        anna.cast.delete_dream_cast(theirs.id)
    assert (
        anna.cast.edit_dream_cast(mine.id, DreamCastDraft("A new étoile", "Anna's pick", rating=5)).rating
        == 5
    )
    assert {d.actor for d in bob.cast.dream_casting()} >= {"Bob's pick", "Anna's pick"}
