"""The canon browser, driven through its real widgets; and the ways into it."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QTextDocument
from PySide6.QtWidgets import QComboBox, QListWidget, QMenu, QWidget

from etoile_app.domain.enums import FactStatus, Stance, Topic
from etoile_app.domain.models import NewsDraft, TheoryDraft
from etoile_app.ui.board.editor import ID_ROLE as EDITOR_ID_ROLE
from etoile_app.ui.board.editor import EditorData, TheoryEditor
from etoile_app.ui.canon.browser import (
    COL_CITED,
    COL_DATE,
    COL_FACT,
    COL_STATUS,
    HEADERS,
    UNVERIFIED,
    UNVERIFIED_NOTE,
    CanonBrowser,
    open_canon_browser,
)
from etoile_app.ui.canon.models import ID_ROLE
from etoile_app.ui.canon.news_dialog import NewsDialog
from etoile_app.ui.common.widgets import finish_deferred
from etoile_app.ui.main_window import MainWindow

from .conftest import link_evidence, record_threads, settle, undo, wait

DAUGHTER = "Mishi is Geneviève's daughter."
MINISTER = "Mishi is the daughter of the minister of culture, not of Geneviève."
CANCELLED = "Cancelled after one season"
HAPPENING = "Season 2 is officially happening."


def fact_id(store, key: str) -> int:
    return next(f.id for f in store.canon.facts(retracted=True) if f.key == key)


@pytest.fixture
def gate() -> threading.Event:
    """Set to let a read held back by a test go on (set at the end in any case)."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def browser(qtbot, store) -> CanonBrowser:
    widget = open_canon_browser(store, None)
    qtbot.addWidget(widget)
    qtbot.waitExposed(widget)
    settle(store)  # the facts are read off the GUI thread
    return widget


def shown(browser: CanonBrowser, column: int = COL_FACT) -> list[str]:
    proxy = browser.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def choose(combo: QComboBox, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def click_item(qtbot, widget: QListWidget, row: int, *, double: bool = False) -> None:
    pos = widget.visualItemRect(widget.item(row)).center()
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    if double:  # a real double click: press and release, then the second press
        qtbot.mouseDClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def select_row(qtbot, browser: CanonBrowser, text: str) -> None:
    """Click the row of ``text``, and wait for its detail (read off the GUI thread)."""
    row = shown(browser).index(text)
    rect = browser.table.visualRect(browser.proxy.index(row, COL_FACT))
    qtbot.mouseClick(browser.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(browser.store)


def news(statement: str, **kwargs) -> NewsDraft:
    values = {"topic": Topic.RELEASE, "status": FactStatus.RUMOURED, "source": "Fan forum"}
    values.update(kwargs)
    return NewsDraft(statement=statement, as_of=date(2026, 2, 1), **values)


# --- the list ----------------------------------------------------------------------------------


def test_every_fact_of_every_topic_is_listed_newest_first(browser):
    assert browser.windowTitle() == "Canon browser"
    assert not browser.isModal()
    assert [browser.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == list(HEADERS)
    assert browser.count_label.text() == "10 of 10 facts"
    assert DAUGHTER in shown(browser) and "Production may have scouted London." in shown(browser)
    assert shown(browser, COL_DATE)[:3] == ["6 Jun 2025"] * 3  # Deadline's news: the newest
    assert "Contradicted" in shown(browser, COL_STATUS)
    assert not browser.use_button.isVisible()


def test_search_narrows_the_rows_and_the_count(qtbot, browser):
    qtbot.waitUntil(lambda: browser.search.hasFocus())
    qtbot.keyClicks(browser.search, "mishi")
    assert sorted(shown(browser)) == sorted([DAUGHTER, MINISTER])
    assert browser.count_label.text() == "2 of 10 facts"
    qtbot.keyClicks(browser.search, " minister")
    assert shown(browser) == [MINISTER]
    qtbot.keyClicks(browser.search, " nowhere")
    assert shown(browser) == []
    assert browser.count_label.text() == "0 of 10 facts"


def test_search_looks_in_sources_too(qtbot, browser):
    qtbot.keyClicks(browser.search, "deadline")
    assert browser.count_label.text() == "3 of 10 facts"


def test_find_shortcut_focuses_the_search(qtbot, browser):
    browser.table.setFocus()
    qtbot.waitUntil(lambda: browser.table.hasFocus())
    qtbot.keySequence(browser.table, QKeySequence(QKeySequence.StandardKey.Find))
    qtbot.waitUntil(lambda: browser.search.hasFocus())


def test_topic_filter_shows_topics_beyond_the_status_tab(browser):
    assert browser.topic_filter.itemText(0) == "All topics"
    assert browser.topic_filter.count() == 1 + len(Topic)
    choose(browser.topic_filter, Topic.SEASON1_STORY.value)
    assert sorted(shown(browser)) == sorted([DAUGHTER, MINISTER])
    assert browser.count_label.text() == "2 of 10 facts"
    choose(browser.topic_filter, None)
    assert browser.proxy.rowCount() == 10


def test_status_filter_goes_by_the_shown_status(browser):
    choose(browser.status_filter, FactStatus.CONTRADICTED.value)
    assert shown(browser) == [DAUGHTER]
    choose(browser.status_filter, FactStatus.SUPERSEDED.value)
    assert set(shown(browser, COL_STATUS)) == {"Superseded"}
    assert HAPPENING in shown(browser) and browser.proxy.rowCount() == 3
    choose(browser.status_filter, FactStatus.REPORTED.value)
    assert DAUGHTER not in shown(browser)  # reported, but shown wrong since
    assert MINISTER in shown(browser)


def test_unverified_filter_keeps_what_rests_on_the_article_alone(browser):
    assert browser.status_filter.itemText(browser.status_filter.count() - 1) == "Unverified (article only)"
    choose(browser.status_filter, UNVERIFIED)
    # The article's own guesses are its to make; its claims of fact need a second source.
    assert sorted(shown(browser)) == sorted([HAPPENING, DAUGHTER, "Production may have scouted London."])


def test_source_filter_lists_outlets_sorted_without_case(browser):
    combo = browser.source_filter
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "All sources",
        "Deadline",
        "Test article",
        "Test Review",
    ]
    choose(combo, "Deadline")
    assert browser.proxy.rowCount() == 3
    assert set(shown(browser, 4)) == {"Deadline"}


def test_filters_combine(qtbot, browser):
    choose(browser.source_filter, "Test article")
    choose(browser.topic_filter, Topic.RENEWAL.value)
    assert shown(browser) == [HAPPENING]
    qtbot.keyClicks(browser.search, "nothing")
    assert browser.count_label.text() == "0 of 10 facts"


def test_clicking_a_header_sorts(qtbot, browser):
    header = browser.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_FACT) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    titles = shown(browser)
    assert titles in (sorted(titles, key=str.casefold), sorted(titles, key=str.casefold, reverse=True))
    assert header.sortIndicatorSection() == COL_FACT


def test_rows_select_whole_rows_one_at_a_time(browser):
    table = browser.table
    assert table.selectionBehavior() == table.SelectionBehavior.SelectRows
    assert table.selectionMode() == table.SelectionMode.SingleSelection


# --- the detail ---------------------------------------------------------------------------------


def test_selecting_a_fact_shows_its_detail_and_timeline(qtbot, browser, store):
    assert browser.detail_stack.currentWidget() is browser.placeholder
    select_row(qtbot, browser, DAUGHTER)
    assert browser.current_fact_id() == fact_id(store, "s1-mishi-daughter")
    assert browser.headline.text() == DAUGHTER
    assert browser.headline.textFormat() == Qt.TextFormat.PlainText
    assert browser.badge.text() == "CONTRADICTED"
    assert browser.unverified_note.isVisible()
    assert browser.unverified_note.text() == UNVERIFIED_NOTE
    assert not browser.your_news.isVisible()
    assert not browser.retracted_note.isVisible()
    assert (
        browser.source_label.text()
        == "Test article\n“Season 2 and everything we know”\n1 May 2025\nSection: Villains"
    )
    assert not browser.open_source_button.isEnabled()  # the article has no address
    timeline = [browser.timeline_list.item(i).text() for i in range(browser.timeline_list.count())]
    assert len(timeline) == 1 and timeline[0].startswith(f"Contradicted by: {MINISTER}")
    assert browser.characters_label.text() == "Geneviève Lavigne, Mishi"
    assert browser.no_citing.isVisible()


def test_a_fact_from_a_news_source_has_an_address_to_open(qtbot, browser, monkeypatch):
    opened = []
    monkeypatch.setattr("etoile_app.ui.canon.browser.QDesktopServices.openUrl", opened.append)
    select_row(qtbot, browser, CANCELLED)
    assert browser.statement.text() == "Prime Video cancelled the show after one season."
    assert not browser.unverified_note.isVisible()
    assert browser.badge.text() == "REPORTED"
    qtbot.mouseClick(browser.open_source_button, Qt.MouseButton.LeftButton)
    assert [u.toString() for u in opened] == ["https://example.org/deadline/etoile-canceled"]
    assert browser.timeline_list.item(0).text().startswith(f"Supersedes: {HAPPENING}")


def test_clicking_a_timeline_entry_selects_that_fact_clearing_filters(qtbot, browser, store):
    choose(browser.status_filter, FactStatus.CONTRADICTED.value)
    select_row(qtbot, browser, DAUGHTER)
    click_item(qtbot, browser.timeline_list, 0)
    minister = fact_id(store, "s1-mishi-minister")
    qtbot.waitUntil(lambda: browser.current_fact_id() == minister)
    settle(store)
    assert browser.status_filter.currentIndex() == 0
    assert browser.headline.text() == MINISTER
    assert browser.badge.text() == "REPORTED"
    assert browser.timeline_list.item(0).text().startswith(f"Contradicts: {DAUGHTER}")
    # ... and back, by keyboard.
    browser.timeline_list.setFocus()
    browser.timeline_list.setCurrentRow(0)
    qtbot.keyClick(browser.timeline_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: browser.current_fact_id() == fact_id(store, "s1-mishi-daughter"))


def test_theories_citing_a_fact_are_listed_and_open_on_the_board(qtbot, browser, store):
    daughter = fact_id(store, "s1-mishi-daughter")
    browser.select_fact(daughter)
    theory = wait(store.create_theory(TheoryDraft(title="Geneviève <i>is</i> her mother after all")))
    link_evidence(store, theory.id, daughter, Stance.SUPPORTS)
    qtbot.waitUntil(lambda: browser.citing_list.count() == 1)
    assert browser.current_fact_id() == daughter  # the refresh kept the selection
    item = browser.citing_list.item(0)
    assert item.text() == "Geneviève <i>is</i> her mother after all\nSupports · Open"
    row = shown(browser).index(DAUGHTER)
    # The list and the count are two reads in the background: the count may come second.
    qtbot.waitUntil(lambda: browser.proxy.index(row, COL_CITED).data() == "1")
    with qtbot.waitSignal(store.showTheory, check_params_cb=lambda i: i == theory.id):
        click_item(qtbot, browser.citing_list, 0, double=True)
    wait(store.delete_theory(theory.id))
    qtbot.waitUntil(lambda: browser.citing_list.count() == 0)
    assert browser.proxy.index(row, COL_CITED).data() == ""


def test_retracted_news_is_hidden_unless_asked_for(qtbot, browser, store):
    fact = wait(store.add_news(news("A trailer leaked", topic=Topic.TRAILER)))
    qtbot.waitUntil(lambda: browser.count_label.text() == "11 of 11 facts")
    browser.select_fact(fact.id)
    settle(store)
    assert browser.your_news.isVisible()
    store.canon.retract_news(fact.id)
    store.canonChanged.emit()
    qtbot.waitUntil(lambda: browser.count_label.text() == "10 of 10 facts")
    assert "A trailer leaked" not in shown(browser)
    assert browser.current_fact_id() is None
    qtbot.mouseClick(browser.retracted_box, Qt.MouseButton.LeftButton)
    assert browser.retracted_box.isChecked()
    settle(store)
    assert "A trailer leaked" in shown(browser)
    assert browser.count_label.text() == "11 of 11 facts"
    browser.select_fact(fact.id)
    settle(store)
    assert browser.retracted_note.isVisible()
    assert browser.retracted_note.text() == "Retracted on 1 March 2026"


def test_selecting_retracted_news_shows_it(qtbot, browser, store):
    fact = wait(store.add_news(news("Filming starts in May")))
    store.canon.retract_news(fact.id)
    store.canonChanged.emit()
    qtbot.keyClicks(browser.search, "mishi")
    assert browser.select_fact(fact.id)
    settle(store)
    assert browser.retracted_box.isChecked()
    assert browser.search.text() == ""
    assert browser.current_fact_id() == fact.id


def test_new_sources_join_the_source_filter_and_the_choice_stays(qtbot, browser, store):
    choose(browser.source_filter, "Deadline")
    wait(store.add_news(news("Season 2 might come to Netflix", source="an outlet")))
    qtbot.waitUntil(lambda: browser.source_filter.count() == 5)
    assert browser.source_filter.itemText(1) == "an outlet"
    assert browser.source_filter.currentText() == "Deadline"
    assert browser.count_label.text() == "3 of 11 facts"


def test_tooltips_are_plain_text(qtbot, browser, store):
    wait(store.add_news(news("<b>x</b> is coming")))
    qtbot.waitUntil(lambda: "<b>x</b> is coming" in shown(browser))
    row = shown(browser).index("<b>x</b> is coming")
    tip = browser.proxy.index(row, COL_FACT).data(Qt.ItemDataRole.ToolTipRole)
    document = QTextDocument()
    document.setHtml(tip)
    assert document.toPlainText() == "<b>x</b> is coming"
    select_row(qtbot, browser, "<b>x</b> is coming")
    assert browser.headline.text() == "<b>x</b> is coming"
    assert browser.headline.textFormat() == Qt.TextFormat.PlainText


def test_every_control_has_an_accessible_name(browser):
    for widget in (
        browser.search,
        browser.topic_filter,
        browser.status_filter,
        browser.source_filter,
        browser.retracted_box,
        browser.count_label,
        browser.table,
        browser.open_source_button,
        browser.timeline_list,
        browser.citing_list,
        browser.use_button,
        browser.close_button,
    ):
        assert widget.accessibleName(), widget


def test_the_models_pass_the_model_tester(qtmodeltester, browser):
    qtmodeltester.check(browser.model)
    qtmodeltester.check(browser.proxy)


class _StandInTab(QWidget):
    """A tab that costs nothing to build: these tests are about the menu, not the tabs."""

    def restore_state(self, settings) -> None:
        pass

    def save_state(self, settings) -> None:
        pass


def test_the_menu_opens_the_browser_and_a_second_open_reuses_it(qtbot, store, settings, monkeypatch):
    monkeypatch.setattr(MainWindow, "_make_tab", lambda self, index: _StandInTab(self))
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, Path("/tmp/journal.sqlite3"))
    assert window.canon_browser_action.shortcut() == QKeySequence("Ctrl+Shift+B")
    window.canon_browser_action.trigger()
    settle(store)
    first = window.findChild(CanonBrowser)
    assert first is not None and first.isVisible()
    minister = fact_id(store, "s1-mishi-minister")
    again = open_canon_browser(store, window, minister)
    assert again is first
    settle(store)
    assert first.current_fact_id() == minister
    finish_deferred(window)  # build the other tabs now, while they are still stand-ins


# --- pick mode ----------------------------------------------------------------------------------


def test_pick_mode_emits_the_chosen_fact_and_closes(qtbot, store):
    daughter = fact_id(store, "s1-mishi-daughter")
    browser = open_canon_browser(store, None, daughter, pick=True)
    qtbot.addWidget(browser)
    qtbot.waitExposed(browser)
    settle(store)  # selected once the facts have come
    assert browser.use_button.isVisible() and browser.use_button.isEnabled()
    assert browser.current_fact_id() == daughter
    with qtbot.waitSignal(browser.factPicked, check_params_cb=lambda i: i == daughter):
        qtbot.mouseClick(browser.use_button, Qt.MouseButton.LeftButton)
    assert not browser.isVisible()


def test_pick_mode_needs_a_fact(qtbot, store):
    browser = open_canon_browser(store, None, pick=True)
    qtbot.addWidget(browser)
    settle(store)
    assert not browser.use_button.isEnabled()
    qtbot.keyClicks(browser.search, "london")
    select_row(qtbot, browser, "Production may have scouted London.")
    assert browser.use_button.isEnabled()


def test_browse_canon_from_the_evidence_picker_chooses_the_fact(qtbot, store):
    editor = TheoryEditor(store, EditorData.read(store.journal))
    qtbot.addWidget(editor)
    editor.open()
    editor.tabs.setCurrentIndex(1)
    qtbot.keyClicks(editor.fact_search, "london")  # the fact to pick is not in the list yet
    assert editor.fact_list.count() == 1
    qtbot.mouseClick(editor.browse_canon_button, Qt.MouseButton.LeftButton)
    browser = editor.findChild(CanonBrowser)
    assert browser is not None and browser.pick
    qtbot.waitExposed(browser)
    settle(store)
    qtbot.keyClicks(browser.search, "minister")
    select_row(qtbot, browser, MINISTER)
    qtbot.mouseClick(browser.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not browser.isVisible())
    minister = fact_id(store, "s1-mishi-minister")
    assert editor.fact_search.text() == ""
    assert editor.fact_list.currentItem().data(EDITOR_ID_ROLE) == minister
    qtbot.mouseClick(editor.add_evidence_button, Qt.MouseButton.LeftButton)
    assert [d.fact_id for d in editor.evidence_drafts()] == [minister]


# --- context menu ------------------------------------------------------------------------------


def _menu_texts(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_a_right_click_on_a_fact_offers_what_applies_to_it(qtbot, store, browser):
    from PySide6.QtGui import QGuiApplication

    cancelled = fact_id(store, "renewal-cancelled")
    browser.select_fact(cancelled)
    rect = browser.table.visualRect(browser.table.currentIndex())
    browser.table.customContextMenuRequested.emit(rect.center())
    menu = browser.findChild(QMenu)
    assert menu is not None and menu.isVisible()
    assert _menu_texts(menu) == ["Copy statement", "Open source"]  # a pack fact is not yours to edit
    menu.close()

    menu = browser.fact_menu(cancelled)
    next(a for a in menu.actions() if a.text() == "&Copy statement").trigger()
    assert QGuiApplication.clipboard().text() == store.canon.fact(cancelled).statement


def test_your_news_can_be_retracted_from_the_browser_and_undone(qtbot, store, browser):
    mine = wait(store.add_news(news("A revival is rumoured.")))
    settle(store)  # the list has it once the facts have been read again
    menu = browser.fact_menu(mine.id)
    assert _menu_texts(menu) == ["Copy statement", "Open source", "Edit news…", "Retract news"]
    next(a for a in menu.actions() if a.text() == "&Retract news").trigger()
    settle(store)
    assert store.canon.fact(mine.id).is_retracted
    undo(store)
    assert not store.canon.fact(mine.id).is_retracted


# --- reading off the GUI thread ----------------------------------------------------------------


def test_a_refresh_reads_the_facts_off_the_gui_thread(qtbot, store, browser, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("facts", "citing_counts"), threads)
    wait(store.add_news(news("A trailer leaked", topic=Topic.TRAILER)))
    settle(store)
    assert "A trailer leaked" in shown(browser)
    assert browser.count_label.text() == "11 of 11 facts"
    assert {name for name, _ in threads} == {"facts", "citing_counts"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads


def test_a_fact_chosen_before_the_facts_come_is_selected_when_they_do(qtbot, store):
    minister = fact_id(store, "s1-mishi-minister")
    browser = CanonBrowser(store)
    qtbot.addWidget(browser)
    assert browser.select_fact(minister)  # nothing read yet: chosen once the facts come
    browser.refresh()  # a second reload replaces the first, and keeps the wish
    browser.show()
    settle(store)
    assert browser.current_fact_id() == minister
    assert browser.headline.text() == MINISTER or browser.statement.text() == MINISTER
    assert browser.count_label.text() == "10 of 10 facts"


def test_the_detail_of_the_chosen_fact_is_read_off_the_gui_thread(qtbot, store, browser, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("detail", "fact"), threads)
    select_row(qtbot, browser, DAUGHTER)
    assert browser.headline.text() == DAUGHTER
    assert browser.characters_label.text() == "Geneviève Lavigne, Mishi"
    assert [name for name, _ in threads] == ["detail"]
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads


def test_walking_the_list_quickly_shows_only_the_last_facts_detail(qtbot, store, browser, monkeypatch):
    browser.table.setFocus()
    browser.table.selectRow(0)
    settle(store)
    shown_ids: list[int | None] = []
    show = browser._show_detail

    def recording(detail):
        shown_ids.append(detail.fact.id if detail is not None else None)
        show(detail)

    monkeypatch.setattr(browser, "_show_detail", recording)
    for _ in range(4):
        qtbot.keyClick(browser.table, Qt.Key.Key_Down)
    last = browser.proxy.index(4, 0).data(ID_ROLE)
    assert browser.current_fact_id() == last
    settle(store)
    assert shown_ids == [last]  # the facts passed on the way were never shown
    assert browser.detail.fact.id == last
    assert browser.headline.text() == shown(browser)[4]


def test_a_slow_detail_keeps_the_pane_and_leaves_the_window_free(qtbot, store, browser, gate, monkeypatch):
    select_row(qtbot, browser, DAUGHTER)
    original = store.canon.detail

    def slow(fact_id):
        gate.wait(10)
        return original(fact_id)

    monkeypatch.setattr(store.canon, "detail", slow)
    row = shown(browser).index(MINISTER)
    rect = browser.table.visualRect(browser.proxy.index(row, COL_FACT))
    started = time.monotonic()
    qtbot.mouseClick(browser.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert time.monotonic() - started < 2  # the click came back at once
    assert browser.current_fact_id() == fact_id(store, "s1-mishi-minister")
    qtbot.wait(50)
    # Meanwhile the pane still shows the fact before: no flash of the empty pane.
    assert browser.detail_stack.currentIndex() == 1
    assert browser.headline.text() == DAUGHTER
    qtbot.keyClicks(browser.search, "mishi")  # the window answers
    assert browser.count_label.text() == "2 of 10 facts"
    gate.set()
    qtbot.waitUntil(lambda: browser.headline.text() == MINISTER)
    assert browser.timeline_list.item(0).text().startswith(f"Contradicts: {DAUGHTER}")


def test_a_selection_cleared_before_its_detail_comes_shows_nothing(qtbot, store, browser, gate, monkeypatch):
    original = store.canon.detail

    def slow(fact_id):
        gate.wait(10)
        return original(fact_id)

    monkeypatch.setattr(store.canon, "detail", slow)
    browser.select_fact(fact_id(store, "s1-mishi-daughter"))
    browser.table.clearSelection()
    gate.set()
    settle(store)
    assert browser.detail is None
    assert browser.detail_stack.currentWidget() is browser.placeholder


def test_the_fact_menu_asks_nothing_of_the_journal(qtbot, store, browser, monkeypatch):
    cancelled = fact_id(store, "renewal-cancelled")
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("fact", "facts", "detail"), threads)
    menu = browser.fact_menu(cancelled)
    assert _menu_texts(menu) == ["Copy statement", "Open source"]
    assert threads == []  # the list's own copy of the fact says what applies


def test_edit_news_from_the_browser_opens_once_its_choices_are_read(qtbot, store, browser, monkeypatch):
    mine = wait(store.add_news(news("A revival is rumoured.")))
    settle(store)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.cast, ("characters",), threads)
    menu = browser.fact_menu(mine.id)
    next(a for a in menu.actions() if a.text() == "&Edit news…").trigger()
    settle(store)
    assert threads and all(thread.startswith("etoile-read") for _, thread in threads), threads
    dialog = next(d for d in browser.findChildren(NewsDialog) if d.isVisible())
    assert dialog.editing.id == mine.id
    assert dialog.statement_edit.toPlainText() == "A revival is rumoured."
    assert dialog.characters_list.count() == len(store.cast.characters())
    dialog.reject()
