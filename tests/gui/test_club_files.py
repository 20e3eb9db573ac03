"""File → Push a journal of mine into the club… and Take my part home…, driven from the
window of a club member: the journal of one comes in as theirs and shows on the board; their
part goes out to a new journal of one. A journal of one offers neither."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from etoile_app.domain.enums import Category
from etoile_app.domain.models import TheoryDraft
from etoile_app.services.club import add_member
from etoile_app.services.journal import Journal
from etoile_app.storage.engine import make_engine
from etoile_app.ui.common.store import Store
from etoile_app.ui.files import transfer
from etoile_app.ui.main_window import MainWindow
from tests import backends

from .conftest import settle


@pytest.fixture
def club() -> Iterator[backends.Club]:
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            add_member(engine, made.login("anna"))
        finally:
            engine.dispose()
        yield made


@pytest.fixture
def anna_window(qtbot, club: backends.Club, settings) -> Iterator[MainWindow]:
    journal = Journal.open(club.url("anna"), backups=False)
    journal.join_club("Anna")
    store = Store(journal)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, None)
    settle(store)
    yield window
    store.ops.shutdown(wait=True)
    journal.close()


def _boxes(window: MainWindow) -> list[str]:
    return [b.text() for b in window.findChildren(QMessageBox) if b.isVisible()]


def _solo(path: Path) -> Path:
    solo = Journal.open(path, backups=False)
    try:
        solo.theories.create(TheoryDraft(title="Written at home", category=Category.OTHER, confidence=35))
    finally:
        solo.close()
    return path


@pytest.mark.postgresql
def test_a_solo_journal_pushed_from_the_window_shows_as_mine(qtbot, anna_window, tmp_path: Path) -> None:
    window = anna_window
    assert window.push_action.isVisible() and window.take_home_action.isVisible()
    transfer.push_from(window.store, _solo(tmp_path / "home.sqlite3"), window)
    qtbot.waitUntil(lambda: any(text.startswith("home.sqlite3:") for text in _boxes(window)), timeout=10_000)
    settle(window.store)
    board = window.board_tab
    titles = [board.model.theory_row(r).title for r in range(board.model.rowCount())]
    assert "Written at home" in titles
    with window.store.journal.database.sessions() as s:
        from sqlalchemy import select

        from etoile_app.storage.models import TheoryRecord

        author = s.scalar(select(TheoryRecord.author_id).where(TheoryRecord.title == "Written at home"))
    assert author == window.store.journal.identity.member_id


@pytest.mark.postgresql
def test_my_part_taken_home_from_the_window_is_a_journal_of_one(qtbot, anna_window, tmp_path: Path) -> None:
    window = anna_window
    journal = window.store.journal
    journal.theories.create(TheoryDraft(title="Anna's own", category=Category.OTHER, confidence=70))
    out = tmp_path / "mine.sqlite3"
    transfer.take_home_to(window.store, out, window)
    qtbot.waitUntil(lambda: any(text.startswith(str(out)) for text in _boxes(window)), timeout=15_000)
    home = Journal.open(out, backups=False)
    try:
        assert not home.identity.club
        (theory,) = [home.theories.get(t.id) for t in home.board.page(_query(), 0, 10)]
        assert (theory.title, theory.confidence) == ("Anna's own", 70)
    finally:
        home.close()
    # A second time to the same file is refused, and says so; the file is left as it was.
    size = out.stat().st_size
    transfer.take_home_to(window.store, out, window)
    qtbot.waitUntil(lambda: any("already exists" in text for text in _boxes(window)), timeout=10_000)
    assert out.stat().st_size == size


def test_a_journal_of_one_offers_neither(qtbot, store: Store, settings) -> None:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, None)
    settle(store)
    assert not window.push_action.isVisible() and not window.take_home_action.isVisible()


def _query():
    from etoile_app.domain.models import TheoryQuery

    return TheoryQuery()
