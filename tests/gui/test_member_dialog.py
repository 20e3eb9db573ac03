"""Choosing one's name in a club, driven through real widgets: the first time a login opens the
club's journal the window asks for it; an empty name is refused and writes nothing, a good one
makes the login a member under it. Put off, the status bar says a name is needed first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select

from etoile_app.services.club import add_member
from etoile_app.services.journal import Journal
from etoile_app.storage.engine import make_engine
from etoile_app.storage.models import ForecasterRecord
from etoile_app.ui.common.member_dialog import NAME_NEEDED, MemberDialog, ask_member_name
from etoile_app.ui.common.store import Store
from etoile_app.ui.main_window import MainWindow
from tests import backends

from .conftest import closed, settle

pytestmark = pytest.mark.postgresql
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def club() -> Iterator[backends.Club]:
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            for login in ("cleo", "dan"):
                add_member(engine, made.login(login))
            add_member(engine, made.login("vic"), viewer=True)
        finally:
            engine.dispose()
        yield made


def _store(club: backends.Club, login: str) -> Store:
    return Store(Journal.open(club.url(login), backups=False))


def _members(store: Store) -> list[tuple[str, str | None]]:
    with store.journal.database.sessions() as s:
        rows = s.execute(
            select(ForecasterRecord.name, ForecasterRecord.login).order_by(ForecasterRecord.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_an_empty_name_is_refused_and_a_good_one_is_saved(qtbot, club: backends.Club) -> None:
    store = _store(club, "cleo")
    try:
        window = QWidget()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        dialog = ask_member_name(window, store)
        assert isinstance(dialog, MemberDialog)
        qtbot.waitExposed(dialog)
        assert dialog.name.text() == club.login("cleo")  # the login, to start from
        assert dialog.name.maxLength() == 80
        before = _members(store)

        qtbot.keyClick(dialog.name, Qt.Key.Key_A, CTRL)
        qtbot.keyClick(dialog.name, Qt.Key.Key_Delete)
        qtbot.keyClicks(dialog.name, "   ")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
        settle(store)
        assert not closed(dialog)
        assert dialog.name_error.isVisible() and "cannot be empty" in dialog.name_error.text()
        assert _members(store) == before
        assert store.journal.identity.needs_name

        qtbot.keyClick(dialog.name, Qt.Key.Key_A, CTRL)
        qtbot.keyClicks(dialog.name, "  Cleo   B. ")
        assert not dialog.name_error.isVisible()  # typing clears the message
        with qtbot.waitSignal(dialog.joined) as joined:
            qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: closed(dialog))
        settle(store)
        assert joined.args[0].member.name == "Cleo B."
        assert _members(store)[len(before) :] == [("Cleo B.", club.login("cleo"))]
        assert not store.journal.identity.needs_name
        assert ask_member_name(window, store) is None  # asked only once
    finally:
        store.ops.shutdown(wait=True)
        store.journal.close()


def test_a_viewer_is_never_asked(qtbot, club: backends.Club) -> None:
    store = _store(club, "vic")
    try:
        window = QWidget()
        qtbot.addWidget(window)
        assert ask_member_name(window, store) is None
    finally:
        store.ops.shutdown(wait=True)
        store.journal.close()


def test_the_window_asks_on_opening_and_cancel_leaves_a_note(qtbot, settings, club: backends.Club) -> None:
    from etoile_app.app import close_journal, open_journal

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert open_journal(window, club.url("dan"), interactive=True) == 0
        dialog = window.member_dialog
        assert isinstance(dialog, MemberDialog) and dialog.isVisible()
        assert dialog.isModal()  # the window waits for it
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)  # nothing typed: it just goes
        qtbot.waitUntil(lambda: closed(dialog))
        notes = [w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible()]
        assert NAME_NEEDED in notes
        assert window.store.journal.identity.needs_name
    finally:
        close_journal(window)
