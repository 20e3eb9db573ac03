"""Backups of a journal on a database server: JSON exports in the user's backup folder, made
before an upgrade, before an import, daily and by hand, kept by the same policy as a file's,
verified, and restored only into an empty database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import backends
import pytest
from helpers import FakeClock, character_id, fact_id, write
from sqlalchemy import URL, create_engine, make_url

from etoile_app.domain.errors import BackupError
from etoile_app.services.backups import (
    BEFORE_IMPORT,
    BEFORE_RESTORE,
    BEFORE_UPGRADE,
    DAILY,
    KEEP,
    MANUAL,
    verify_export,
)
from etoile_app.services.journal import Journal
from etoile_app.storage import migrate, server_backup
from etoile_app.storage.database import open_database

STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _rich_theory(journal: Journal) -> None:
    """A theory with a character, evidence, a date, confidence and juiciness (no tags)."""
    from datetime import date

    from etoile_app.domain.enums import Category, Stance
    from etoile_app.domain.models import EvidenceDraft

    write(
        journal,
        "Mishi turns villain",
        body="She sabotages the gala.",
        category=Category.VILLAIN_ARC,
        character_ids=(character_id(journal, "mishi"),),
        confidence=40,
        juiciness=4,
        resolve_by=date(2026, 12, 31),
        evidence=(
            EvidenceDraft(fact_id(journal, "renewal-order"), Stance.SUPPORTS, "ordered"),
            EvidenceDraft(fact_id(journal, "release-none"), Stance.CONTRADICTS, "no date"),
        ),
    )


def _content(raw: bytes) -> dict:
    """An export without the moment it was made: equal for equal journals."""
    data = json.loads(raw)
    data.pop("exported_at")
    return data


# --- without a server: naming, writing, listing, pruning, verifying ----------------------------


def test_folder_is_named_from_host_port_and_database_never_the_login() -> None:
    url = make_url("postgresql+psycopg://fan:s3cret-pw@db.example.org:6543/club_journal")
    name = server_backup.folder_name(url)
    assert name == "db.example.org-6543-club_journal"
    assert "s3cret" not in name and "fan" not in name
    assert server_backup.backup_folder(url).parent.name == "backups"


def test_unsafe_names_are_replaced_and_stay_apart() -> None:
    a = server_backup.folder_name(make_url("postgresql+psycopg://u@h:5432/a/b"))
    b = server_backup.folder_name(make_url("postgresql+psycopg://u@h:5432/a_b"))
    c = server_backup.folder_name(make_url("postgresql+psycopg://u@h:5432/../../etc"))
    for name in (a, b, c):
        assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert a != b
    assert server_backup.folder_name(make_url("postgresql+psycopg://u@h/db")) == "h-default-db"


def test_written_backups_are_listed_newest_first_and_pruned_per_reason(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    made = [server_backup.write(folder, DAILY, b"{}", now=STAMP.replace(hour=h)) for h in range(12)]
    manual = server_backup.write(folder, MANUAL, b"{}", now=STAMP)
    (folder / "journal-20260301-120000-000000-daily.partial").write_bytes(b"half")
    (folder / "notes.txt").write_text("not a backup")
    listed = server_backup.list_backups(folder)
    assert [b.path for b in listed][:3] == [manual, made[-1], made[-2]]
    assert {b.reason for b in listed} == {DAILY, MANUAL}
    removed = server_backup.prune(folder, DAILY, 10)
    assert removed == made[:2]
    assert [b.path for b in server_backup.list_backups(folder) if b.reason == DAILY] == made[2:][::-1]
    assert manual.exists() and (folder / "notes.txt").exists()


def test_a_bad_reason_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reason"):
        server_backup.write(tmp_path / "server", "Not a reason!", b"{}")
    assert not (tmp_path / "server").exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01 not text", "not a whole journal export"),
        (b'{"format": "something-else"}', "not a whole journal export"),
        (b'{"format": "etoile-theory-journal", "theories": [', "not a whole journal export"),
    ],
)
def test_verify_refuses_what_is_not_a_journal_export(tmp_path: Path, content: bytes, words: str) -> None:
    bad = tmp_path / "journal-20260301-120000-000000-manual.json"
    bad.write_bytes(content)
    with pytest.raises(BackupError, match=words):
        verify_export(bad)
    with pytest.raises(BackupError, match="Cannot read"):
        verify_export(tmp_path / "missing.json")


# --- on the server --------------------------------------------------------------------------


@pytest.fixture
def empty_target(template_db) -> Iterator[URL]:
    """A new, empty journal on the server (the template: migrated, canon only)."""
    server = backends.server()
    url = server.create(server.fresh_name("empty"), template=template_db)
    yield url
    server.drop(url)


@pytest.mark.postgresql
def test_backups_are_supported_and_kept_in_a_folder_of_the_database(
    journal: Journal, db_target: URL, isolated_user_folders: Path, clock: FakeClock
) -> None:
    backups = journal.backups
    assert backups.supported and backups.on_server
    assert backups.folder == isolated_user_folders / "data" / "backups" / server_backup.folder_name(db_target)
    assert db_target.database in backups.folder.name
    write(journal, "In the backup")
    info = backups.backup(MANUAL)
    assert info is not None and info.reason == MANUAL and info.created_at == clock.now
    assert info.path.parent == backups.folder and info.path.suffix == ".json"
    assert info.size == info.path.stat().st_size > 0
    assert backups.list() == [info]
    backups.verify(info)
    assert [t.title for t in verify_export(info.path).theories] == ["In the backup"]


@pytest.mark.postgresql
def test_each_kind_keeps_the_policys_number(journal: Journal, clock: FakeClock) -> None:
    made = []
    for _ in range(KEEP[DAILY] + 2):
        made.append(journal.backups.backup(DAILY))
        clock.advance(hours=25)
    journal.backups.backup(MANUAL)
    daily = [b for b in journal.backups.list() if b.reason == DAILY]
    assert daily == made[::-1][: KEEP[DAILY]]
    assert not made[0].path.exists() and not made[1].path.exists()
    assert journal.backups.newest(MANUAL) is not None


@pytest.mark.postgresql
def test_the_daily_backup_is_made_when_due(journal: Journal, clock: FakeClock) -> None:
    assert journal.backups.daily_due()
    first = journal.backups.backup_if_due()
    assert first is not None and first.reason == DAILY
    clock.advance(hours=23)
    assert journal.backups.backup_if_due() is None
    clock.advance(hours=1)
    assert journal.backups.backup_if_due() is not None


@pytest.mark.postgresql
def test_an_import_backs_up_first(journal: Journal, tmp_path: Path) -> None:
    write(journal, "Before the import")
    source = tmp_path / "other.json"
    data = json.loads(journal.transfer.export_json())
    data["theories"][0]["uid"] = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    data["theories"][0]["title"] = "Imported"
    source.write_text(json.dumps(data), encoding="utf-8")
    journal.import_file(source)
    made = journal.backups.newest(BEFORE_IMPORT)
    assert made is not None
    assert [t.title for t in verify_export(made.path).theories] == ["Before the import"]


@pytest.mark.postgresql
def test_restore_refuses_a_database_that_holds_theories_and_changes_nothing(
    journal: Journal, db_snapshot
) -> None:
    write(journal, "One")
    write(journal, "Two")
    backup = journal.backups.backup(MANUAL)
    before = db_snapshot(journal)
    with pytest.raises(BackupError, match="Restore into a new, empty database: this one holds 2 theories"):
        journal.backups.restore(backup)
    assert db_snapshot(journal) == before
    assert journal.backups.newest(BEFORE_RESTORE) is None


@pytest.mark.postgresql
def test_restore_into_an_empty_database_brings_the_journal_back_exactly(
    journal: Journal, empty_target: URL, clock: FakeClock
) -> None:
    _rich_theory(journal)
    binned = write(journal, "Binned later")
    journal.theories.delete(binned.id)
    expected = journal.transfer.export_json()
    backup = journal.backups.backup(MANUAL)
    steps: list[str] = []
    empty = Journal.from_database(open_database(empty_target), clock=clock)
    try:
        assert empty.backups.holdings() is None
        assert empty.backups.list() == []  # a folder of its own
        before = empty.backups.restore(backup, progress=lambda _d, _t, text: steps.append(text))
        assert before.reason == BEFORE_RESTORE and before.path.exists()
        assert _content(empty.transfer.export_json()) == _content(expected)
        assert steps[0] == "Checking the backup" and len(steps) == 4
        # Restored once, it is no longer empty: a second restore is refused.
        with pytest.raises(BackupError, match="this one holds 2 theories"):
            empty.backups.restore(backup)
    finally:
        empty.close()


@pytest.mark.postgresql
def test_restore_refuses_a_file_that_is_not_an_export_and_writes_nothing(
    empty_target: URL, clock: FakeClock, tmp_path: Path, db_snapshot
) -> None:
    empty = Journal.from_database(open_database(empty_target), clock=clock)
    try:
        bad = tmp_path / "journal-20260301-120000-000000-manual.json"
        bad.write_text('{"format": "etoile-theory-journal", "format_version": 99}', encoding="utf-8")
        before = db_snapshot(empty)
        with pytest.raises(BackupError, match="not a whole journal export"):
            empty.backups.restore(bad)
        assert db_snapshot(empty) == before
        assert empty.backups.list() == []
    finally:
        empty.close()


@pytest.mark.postgresql
def test_an_upgrade_on_the_server_is_backed_up_first_and_the_backup_restores(
    db_target: URL, empty_target: URL, clock: FakeClock
) -> None:
    journal = Journal.from_database(open_database(db_target), clock=clock)
    try:
        _rich_theory(journal)
        write(journal, "Another théorie")
        expected = journal.transfer.export_json()
    finally:
        journal.close()
    _downgrade(db_target, "0006_forecasts")

    db = open_database(db_target)
    try:
        assert db.upgraded_from == "0006_forecasts"
        assert len(db.backups) == 1
        made = db.backups[0]
        assert made.parent == server_backup.backup_folder(db_target)
        assert made.name.endswith(f"-{BEFORE_UPGRADE}.json")
        assert _content(made.read_bytes()) == _content(expected)
    finally:
        db.dispose()

    target = Journal.from_database(open_database(empty_target), clock=clock)
    try:
        target.backups.restore(made)
        assert _content(target.transfer.export_json()) == _content(expected)
    finally:
        target.close()


@pytest.mark.postgresql
def test_opening_without_backups_makes_none_before_an_upgrade(db_target: URL) -> None:
    _downgrade(db_target, "0006_forecasts")
    db = open_database(db_target, backups=False)
    try:
        assert db.upgraded_from == "0006_forecasts" and db.backups == []
    finally:
        db.dispose()
    assert server_backup.list_backups(server_backup.backup_folder(db_target)) == []


@pytest.mark.postgresql
def test_a_backup_that_cannot_be_written_stops_the_upgrade(
    db_target: URL, isolated_user_folders: Path
) -> None:
    _downgrade(db_target, "0006_forecasts")
    blocked = isolated_user_folders / "data" / "backups"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the backup folder should be")
    with pytest.raises(BackupError, match="was not upgraded"):
        open_database(db_target)
    engine = create_engine(db_target)
    try:
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == "0006_forecasts"
    finally:
        engine.dispose()


def _downgrade(url: URL, revision: str) -> None:
    """Take the server's journal back to an older schema, as an older app left it."""
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_clubs_backup_restores_every_member_and_whose_each_row_is(
    empty_target: URL, clock: FakeClock
) -> None:
    from sqlalchemy import text

    from etoile_app.domain.club import MemberRole
    from etoile_app.domain.enums import Category
    from etoile_app.domain.models import TheoryDraft
    from etoile_app.services.club import add_member, init_club
    from etoile_app.storage.club import group_roles
    from etoile_app.storage.engine import make_engine

    with backends.club_database("Margot") as club:
        engine = make_engine(club.owner)
        try:
            for login in ("anna", "bob"):
                add_member(engine, club.login(login))
        finally:
            engine.dispose()
        members = {}
        for login, name in (("anna", "Anna"), ("bob", "Bob")):
            members[login] = Journal.open(club.url(login), backups=False)
            members[login].join_club(name)
        try:
            theirs = members["bob"].theories.create(TheoryDraft(title="Bob's call", category=Category.OTHER))
            members["anna"].theories.forecast(theirs.id, 80, note="Anna's view")
        finally:
            for journal in members.values():
                journal.close()
        owner = Journal.open(club.owner, backups=False, clock=clock)
        try:
            expected = owner.transfer.export_json()
            backup = owner.backups.backup(MANUAL)
        finally:
            owner.close()
        server = backends.server()
        try:
            empty = Journal.from_database(open_database(empty_target), clock=clock)
            try:
                empty.backups.restore(backup)
                restored = _content(empty.transfer.export_json())
            finally:
                empty.close()
            # The empty journal was made with the canon; the club without.
            restored.pop("canon_pack_version")
            assert restored == {k: v for k, v in _content(expected).items() if k != "canon_pack_version"}
            assert {m["name"] for m in restored["members"]} == {"Margot", "Anna", "Bob"}
            (call,) = [t for t in restored["theories"] if t["title"] == "Bob's call"]
            assert call["author"] == club.login("bob")
            assert [(f["by"], f["confidence"]) for f in call["history"]] == [
                (club.login("bob"), 50),
                (club.login("anna"), 80),
            ]
            # club init on the new database: the members' logins are members there too.
            engine = make_engine(empty_target)
            try:
                init_club(engine, "Margot")
            finally:
                engine.dispose()
            anna = Journal.open(empty_target.set(username=club.login("anna")), backups=False)
            try:
                assert anna.identity.role is MemberRole.MEMBER
                assert anna.identity.member is not None and anna.identity.member.name == "Anna"
                anna.theories.forecast(call_id(anna, "Bob's call"), 60)
            finally:
                anna.close()
        finally:
            server.drop(empty_target)
            with server.admin.connect() as conn:
                for role in group_roles(empty_target.database or ""):
                    conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def call_id(journal: Journal, title: str) -> int:
    from sqlalchemy import select

    from etoile_app.storage.models import TheoryRecord

    with journal.database.sessions() as s:
        return s.execute(select(TheoryRecord.id).where(TheoryRecord.title == title)).scalar_one()
