"""The board's dialogs read what they show off the GUI thread and open once it has come: the
window never waits for them, and asking twice before the read comes opens one dialog."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from etoile_app.domain.enums import Category, FactStatus, Topic
from etoile_app.domain.models import NewsDraft, TheoryDraft
from etoile_app.ui.board.editor import TheoryEditor
from etoile_app.ui.board.resolve_dialog import BulkResolveDialog, ResolveDialog
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.board.tag_dialog import TagDialog
from etoile_app.ui.common.roles import ID_ROLE

from .conftest import board_dialog, closed, record_threads, settle, wait


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: tab.filters.characters.count() > 0)
    settle(store)
    return tab


def _seed(store):
    drafts = (
        TheoryDraft("Mishi sabotages the gala", "", Category.VILLAIN_ARC, (), ("villain",), 70),
        TheoryDraft("Jack and Cheyenne marry", "", Category.ROMANCE, (), ("romance",), 20),
        TheoryDraft("A time jump of a year", "", Category.PLOT_ARC, (), ("time-jump",), 55),
    )
    return [wait(store.create_theory(d)) for d in drafts]


def _record_reads(monkeypatch, store) -> list[tuple[str, str]]:
    """Note the thread of every read a board dialog may make."""
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.theories, ["get", "starters"], threads)
    record_threads(monkeypatch, store.canon, ["facts"], threads)
    record_threads(monkeypatch, store.cast, ["characters"], threads)
    record_threads(monkeypatch, store.board, ["tags", "rows"], threads)
    return threads


def _read_off_the_gui_thread(threads: list[tuple[str, str]], wanted: set[str]) -> None:
    assert wanted <= {call for call, _thread in threads}
    assert all(thread.startswith("etoile-read") for _call, thread in threads), threads


def _select_all(qtbot, tab: BoardTab) -> None:
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle(tab.store)
    assert len(tab.selected_ids()) == 3


@pytest.mark.parametrize("kind", ["new", "edit"])
def test_the_editor_opens_once_what_it_shows_is_read_off_the_gui_thread(
    qtbot, store, journal, monkeypatch, kind
):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    characters, facts = len(journal.cast.characters()), len(journal.canon.facts())
    threads = _record_reads(monkeypatch, store)

    if kind == "new":
        tab.new_theory()
    else:
        tab.edit_theory(a.id)
    assert tab.findChildren(TheoryEditor) == []  # nothing opens before the read comes back
    editor = board_dialog(tab)

    assert isinstance(editor, TheoryEditor) and editor.isVisible()
    wanted = {"facts", "characters", "tags"} | ({"get"} if kind == "edit" else set())
    _read_off_the_gui_thread(threads, wanted)
    assert editor.characters.count() == characters and editor.fact_list.count() == facts
    assert "villain" in editor.tags.completer.model().stringList()
    assert editor.title.text() == ("" if kind == "new" else a.title)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.title)
    editor.reject()


def test_a_new_theory_saved_from_the_editor_is_selected_on_the_board(qtbot, store):
    _seed(store)
    tab = _board(qtbot, store)
    tab.new_theory()
    editor = board_dialog(tab)
    qtbot.keyClicks(editor.title, "Cheyenne leaves the company")
    editor.category.setCurrentIndex(editor.category.findData(Category.PLOT_ARC))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closed(editor))
    settle(store)
    assert tab.detail.title.text() == "Cheyenne leaves the company"


def test_the_resolve_dialog_opens_once_the_theory_is_read(qtbot, store, monkeypatch):
    a, _, _ = _seed(store)
    tab = _board(qtbot, store)
    threads = _record_reads(monkeypatch, store)
    tab.resolve_theory(a.id)
    assert tab.findChildren(ResolveDialog) == []
    dialog = board_dialog(tab)
    assert isinstance(dialog, ResolveDialog) and dialog.isVisible() and dialog.theory.id == a.id
    _read_off_the_gui_thread(threads, {"get"})
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.choices[dialog.status()])
    dialog.reject()


def test_the_bulk_dialogs_read_the_titles_they_name_off_the_gui_thread(qtbot, store, monkeypatch):
    theories = _seed(store)
    tab = _board(qtbot, store)
    _select_all(qtbot, tab)
    threads = _record_reads(monkeypatch, store)

    tab.void_selected()
    assert tab.findChildren(BulkResolveDialog) == []
    dialog = board_dialog(tab)
    assert isinstance(dialog, BulkResolveDialog) and dialog.isVisible()
    assert sorted(dialog.ids) == sorted(t.id for t in theories)
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert all(t.title in shown for t in theories)
    _read_off_the_gui_thread(threads, {"rows"})
    dialog.reject()
    qtbot.waitUntil(lambda: closed(dialog))

    threads.clear()
    tab.tag_selected()
    assert tab.findChildren(TagDialog) == []
    dialog = board_dialog(tab)
    assert isinstance(dialog, TagDialog) and dialog.isVisible()
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert all(t.title in shown for t in theories)
    assert {"villain", "romance", "time-jump"} <= set(dialog.entry.completer().model().stringList())
    _read_off_the_gui_thread(threads, {"rows", "tags"})
    dialog.reject()


def test_a_slow_read_holds_nothing_up_and_the_dialog_asked_for_last_opens_alone(qtbot, store, monkeypatch):
    _, b, _ = _seed(store)
    tab = _board(qtbot, store)
    release = threading.Event()
    real = store.canon.facts

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(store.canon, "facts", slow)
    try:
        tab.new_theory()
        tab.edit_theory(b.id)  # asked for before the first came: it replaces it
        # The window goes on while the reads are held: the search takes what is typed.
        tab.search.setFocus()
        qtbot.keyClicks(tab.search, "gala")
        assert tab.search.text() == "gala"
        qtbot.wait(50)
        assert tab.findChildren(TheoryEditor) == []
    finally:
        release.set()
    settle(store)
    editors = [e for e in tab.findChildren(TheoryEditor) if e.isVisible()]
    assert len(editors) == 1 and editors[0] is tab._dialog
    assert editors[0].title.text() == b.title
    editors[0].reject()


def test_a_theory_gone_before_its_dialog_opens_is_said_in_the_window_message(qtbot, store):
    _seed(store)
    tab = _board(qtbot, store)
    with qtbot.waitSignal(store.failed) as said:
        tab.edit_theory(999_999)
    assert "no theory" in str(said.args[0])
    settle(store)
    assert tab.findChildren(TheoryEditor) == []


def test_choosing_news_recorded_since_the_editor_opened_reads_the_facts_off_the_gui_thread(
    qtbot, store, monkeypatch
):
    tab = _board(qtbot, store)
    tab.new_theory()
    editor = board_dialog(tab)
    news = NewsDraft(
        Topic.RELEASE, "A revival is rumoured.", FactStatus.RUMOURED, "Fan forum", date(2026, 2, 1)
    )
    fact = wait(store.add_news(news))
    threads = _record_reads(monkeypatch, store)
    editor.tabs.setCurrentIndex(1)
    qtbot.keyClicks(editor.fact_search, "minister")  # the search hides it as well

    editor.choose_fact(fact.id)
    assert editor.fact_list.currentItem() is None or editor.fact_list.currentItem().data(ID_ROLE) != fact.id
    settle(store)
    assert editor.fact_search.text() == ""
    assert editor.fact_list.currentItem().data(ID_ROLE) == fact.id
    _read_off_the_gui_thread(threads, {"facts"})
    editor.reject()
