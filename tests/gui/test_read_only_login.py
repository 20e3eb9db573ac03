"""A journal the login may only read says so up front, and what would change it is disabled (or
says why at once); a save tried anyway still gets the server's refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import backends
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from etoile_app import APP_TITLE
from etoile_app.domain.errors import PermissionDeniedError
from etoile_app.domain.models import TheoryDraft
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.ui.common.store import Store
from etoile_app.ui.main_window import READ_ONLY_TEXT, MainWindow

from .conftest import settle, wait

#: The reason set on a SQLite journal's database, as a server login that may only read gives it.
REASON = (
    "Your login may only read this journal on db.example:5432/fanclub: 'reader' can look at "
    "everything, but changes cannot be saved. Ask the server's administrator for write access."
)


@pytest.fixture
def theory(journal):
    """A theory written by a login that may write (the journal's owner)."""
    return journal.theories.create(TheoryDraft("Jack returns", confidence=50))


@pytest.fixture
def read_only_store(qtbot, db_target, clock, journal, theory) -> Iterator[Store]:
    """A Store on the journal as a login that may only read it: on the server, a real role with
    SELECT alone; on SQLite, the journal's database told so (as opening it on a server would)."""
    if isinstance(db_target, Path):
        journal.database.read_only = True
        journal.database.read_only_reason = REASON
        store = Store(journal)
        yield store
        store.ops.shutdown(wait=True)
        return
    with backends.read_only_login(db_target) as url:
        reader = Journal.from_database(open_database(url), clock=clock)
        store = Store(reader)
        try:
            yield store
        finally:
            store.ops.shutdown(wait=True)
            reader.close()


@pytest.fixture
def window(qtbot, read_only_store, settings) -> MainWindow:
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(read_only_store, None)
    settle(read_only_store)
    return w


def _reason(store: Store) -> str:
    reason = store.journal.database.read_only_reason
    assert reason and "may only read" in reason
    return reason


def test_the_window_says_up_front_that_the_journal_is_read_only(window, read_only_store):
    reason = _reason(read_only_store)
    label = window.read_only_label
    assert label.isVisible() and label.text() == READ_ONLY_TEXT
    assert label.toolTip() == reason
    assert "read only" in window.windowTitle() and APP_TITLE in window.windowTitle()
    assert window.counts.text().startswith("1 theory"), "it reads the journal"


def test_the_window_actions_that_change_the_journal_are_disabled_with_the_reason(window, read_only_store):
    reason = _reason(read_only_store)
    for action in (
        window.new_action,
        window.adopt_action,
        window.import_action,
        window.load_pack_action,
        window.add_news_action,
        window.restore_action,
        window.undo_action,
        window.redo_action,
    ):
        assert not action.isEnabled(), action.text()
        assert action.toolTip() == reason, action.text()
    # What only reads the journal stays.
    for action in (window.export_action, window.find_action, window.canon_browser_action):
        assert action.isEnabled(), action.text()
    # An export (a long job) ending does not bring the changing actions back.
    window._job_running(True)
    window._job_running(False)
    assert not window.new_action.isEnabled() and not window.import_action.isEnabled()
    assert window.export_action.isEnabled()


def test_the_board_offers_no_changes(qtbot, window, read_only_store, theory):
    reason = _reason(read_only_store)
    board = window.board_tab
    settle(read_only_store)
    board.select_theory(theory.id)
    settle(read_only_store)
    assert board.selected_ids() == [theory.id]
    assert not board.quick_entry.isEnabled() and board.quick_entry.toolTip() == reason
    assert not board.new_button.isEnabled()
    for action in (
        board.edit_action,
        board.resolve_action,
        board.void_action,
        board.reopen_action,
        board.tag_action,
        board.rate_action,
        board.delete_action,
        board.quick_entry_action,
    ):
        assert not action.isEnabled(), action.text()
    assert board.copy_action.isEnabled(), "copying a title only reads"
    for button in (board.detail.edit_button, board.detail.resolve_button, board.detail.delete_button):
        assert not button.isEnabled(), button.text()
    # Double-clicking the row opens no editor.
    board.edit_current()
    settle(read_only_store)
    assert board._dialog is None


def test_the_other_tabs_offer_no_changes_and_say_why_when_asked(qtbot, window, read_only_store):
    reason = _reason(read_only_store)
    status = window.status_tab
    assert not status.add_news_button.isEnabled() and status.add_news_button.toolTip() == reason
    status.open_news_dialog()
    settle(read_only_store)
    assert status.news_dialog is None
    boxes = [b for b in status.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == [reason], "refused at once, with the reason"
    cast = window.cast_tab
    for button in (cast.add_button, cast.edit_button, cast.delete_button):
        assert not button.isEnabled(), button.text()


def test_a_writable_journal_says_nothing_of_the_kind(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    settle(store)
    assert not w.read_only_label.isVisible()
    assert "read only" not in w.windowTitle()
    assert w.new_action.isEnabled() and w.import_action.isEnabled()
    assert w.board_tab.quick_entry.isEnabled()


@pytest.mark.postgresql
def test_a_save_tried_anyway_gets_the_server_refusal(qtbot, window, read_only_store):
    with pytest.raises(PermissionDeniedError) as caught:
        wait(read_only_store.create_theory(TheoryDraft("Not allowed", confidence=50)))
    assert "may only read this journal" in str(caught.value)
    assert caught.value.detail


def test_the_status_label_is_not_in_the_way_of_the_keyboard(window):
    assert window.read_only_label.focusPolicy() == Qt.FocusPolicy.NoFocus
