"""The spoiler guard: Season 1 story hidden behind View → Show Season 1 spoilers, in the Cast tab,
the canon browser, the news dialog and the starter theories; the choice kept in the settings.

On the mini pack: Jack's arc is "Swaps dancers.", and the two Season 1 story facts say whose
daughter Mishi is (the review's correction contradicts the article's claim)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from etoile_app.canon.pack import load_pack
from etoile_app.domain.enums import Topic
from etoile_app.paths import canon_pack_path
from etoile_app.ui.board.starter_dialog import ID_ROLE as STARTER_KEY
from etoile_app.ui.board.starter_dialog import StarterDialog, open_starter_dialog
from etoile_app.ui.canon.browser import COL_FACT, HEADERS, CanonBrowser, open_canon_browser
from etoile_app.ui.canon.news_dialog import NewsDialog, open_news
from etoile_app.ui.cast.tab import CastTab
from etoile_app.ui.common.spoilers import (
    HIDDEN_LINE,
    HIDDEN_NOTE,
    HIDDEN_STARTER,
    SETTINGS_KEY,
    HiddenStoryNote,
    SpoilerGuard,
    fact_search_text,
    guard_for,
    is_story,
    starter_spoils,
)
from etoile_app.ui.main_window import MainWindow

from .conftest import settle, wait

ARC = "Swaps dancers."
DAUGHTER = "Mishi is Geneviève's daughter."
MINISTER = "Mishi is the daughter of the minister of culture, not of Geneviève."
#: The titles of the two sources of the story facts; the article's section of the first.
SOURCE_TITLES = ("Season 2 and everything we know", "Étoile, episode 1", "Villains")
STORY = (ARC, DAUGHTER, MINISTER)


class Holder(QWidget):
    """A parent that holds a guard, as the main window does."""

    def __init__(self, guard: SpoilerGuard) -> None:
        super().__init__()
        self.spoilers = guard


@pytest.fixture
def guard(settings) -> SpoilerGuard:
    return SpoilerGuard(settings)


@pytest.fixture
def holder(qtbot, guard) -> Holder:
    widget = Holder(guard)
    qtbot.addWidget(widget)
    return widget


def widget_texts(root: QWidget) -> list[str]:
    """Every text a person or a screen reader can meet in ``root``, shown or not: label and
    button texts, tooltips, accessible names and descriptions."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # rows replaced go first
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        found += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLabel | QAbstractButton):
            found.append(widget.text())
    return [text for text in found if text]


def model_texts(model: QAbstractItemModel) -> list[str]:
    """Every string any role of any cell of ``model`` gives."""
    found: list[str] = []
    for row in range(model.rowCount()):
        for column in range(1 if isinstance(model, QAbstractListModel) else model.columnCount()):
            index = model.index(row, column)
            for role in range(300):
                value = index.data(role)
                if isinstance(value, str) and value:
                    found.append(value)
    return found


def leaks(texts: list[str], secrets=STORY) -> list[str]:
    return [text for text in texts if any(secret in text for secret in secrets)]


# --- what counts as Season 1 story -----------------------------------------------------------------


def test_the_bundled_pack_starters_that_tell_story_are_the_ones_hidden():
    pack = load_pack(canon_pack_path())
    spoils = {s.key: starter_spoils(s) for s in pack.starters}
    # Built on how the season ended: hidden.
    for key in ("jack-cheyenne-romance", "gael-seeks-forgiveness", "nicholas-power-struggle",
                "season-1-finale-stands", "lgbtq-romance", "tobias-boyfriend", "bruna-new-york"):  # fmt: skip
        assert spoils[key], key
    # Casting wishes, release guesses and wishes that name no character: shown.
    for key in ("premiere-late-2026", "sutton-foster-rival", "maisel-crossover", "revival-by-2028",
                "gilmore-easter-egg", "full-ballet-episode"):  # fmt: skip
        assert not spoils[key], key


def test_a_hidden_fact_is_searched_only_by_what_is_on_show(store):
    facts = {f.statement: f for f in store.canon.facts()}
    minister = facts[MINISTER]
    assert is_story(minister) and not is_story(facts["Two seasons were ordered in 2023."])
    assert "minister" in fact_search_text(minister, hidden=False)
    hidden = fact_search_text(minister, hidden=True)
    assert "minister" not in hidden and "episode" not in hidden
    assert "test review" in hidden and "season 1 story" in hidden


# --- the switch ----------------------------------------------------------------------------------


def test_spoilers_are_shown_until_hidden_and_the_choice_is_kept(qtbot, settings, guard):
    assert guard.shown() and not guard.hidden()
    with qtbot.waitSignal(guard.changed) as heard:
        guard.set_shown(False)
    assert heard.args == [False]
    assert QSettings(settings.fileName(), QSettings.Format.IniFormat).value(SETTINGS_KEY, True, bool) is False
    assert SpoilerGuard(QSettings(settings.fileName(), QSettings.Format.IniFormat)).hidden()
    with qtbot.assertNotEmitted(guard.changed):
        guard.set_shown(False)  # no change, no redraw


def test_text_quoted_from_a_story_fact_is_hidden_with_it(guard):
    assert guard.story_text(Topic.SEASON1_STORY, DAUGHTER) == DAUGHTER
    guard.set_shown(False)
    assert guard.story_text(Topic.SEASON1_STORY, DAUGHTER) == HIDDEN_LINE
    assert guard.story_text(Topic.RENEWAL, "Two seasons ordered") == "Two seasons ordered"


def test_a_widget_finds_the_guard_of_its_window(qtbot, holder, guard):
    inner = QWidget(QWidget(holder))
    assert guard_for(inner) is guard
    loose = guard_for(QWidget(), owner=holder)
    assert loose is not guard and loose.parent() is holder


# --- the Cast tab --------------------------------------------------------------------------------


@pytest.fixture
def cast_tab(qtbot, store, holder, guard) -> CastTab:
    tab = CastTab(store, holder)
    assert tab.spoilers is guard
    holder.resize(1280, 760)
    holder.show()
    tab.resize(1280, 760)
    qtbot.waitExposed(tab)
    settle(store)
    show_jack(store, tab)
    return tab


def show_jack(store, tab: CastTab) -> None:
    tab.select_character(next(c.id for c in store.cast.characters() if c.name == "Jack"))
    settle(store)


def test_the_cast_tab_hides_the_arc_and_its_source_titles_and_shows_them_again(qtbot, cast_tab, guard):
    detail = cast_tab.detail
    assert detail.name_label.text() == "Jack McMillan"
    assert detail.arc_label.text() == ARC and not detail.arc_hidden_note.isVisible()
    assert any(SOURCE_TITLES[0] in row.citation_label.text() for row in detail.source_rows)

    guard.set_shown(False)  # at once, in the view already open
    assert not detail.arc_label.isVisible() and detail.arc_label.text() == ""
    assert detail.arc_hidden_note.isVisible()
    assert detail.arc_hidden_note.label.text() == HIDDEN_NOTE
    citations = [row.citation_label.text() for row in detail.source_rows]
    assert citations and all(c.startswith(("Test article", "Test Review")) for c in citations)
    assert not leaks(widget_texts(cast_tab), (*STORY, *SOURCE_TITLES, "example.org"))

    qtbot.mouseClick(detail.arc_hidden_note.show_button, Qt.MouseButton.LeftButton)
    assert guard.shown()
    assert detail.arc_label.isVisible() and detail.arc_label.text() == ARC
    assert not detail.arc_hidden_note.isVisible()


def test_a_hidden_arc_stays_out_of_the_list_and_its_search(qtbot, store, cast_tab, guard):
    guard.set_shown(False)
    assert not leaks(model_texts(cast_tab.characters_model))
    qtbot.keyClicks(cast_tab.search_edit, "swaps")
    assert cast_tab.characters_proxy.rowCount() == 0
    # Another character chosen while hidden: its arc is hidden too.
    cast_tab.search_edit.clear()
    mishi = next(c.id for c in store.cast.characters() if c.name == "Mishi")
    cast_tab.select_character(mishi)
    assert cast_tab.detail.name_label.text() == "Mishi"
    assert cast_tab.detail.arc_hidden_note.isVisible()
    assert not leaks(widget_texts(cast_tab), ("Lashes out.",))


def test_a_character_canon_tells_nothing_about_has_nothing_to_hide(qtbot, cast_tab, guard):
    from dataclasses import replace

    guard.set_shown(False)
    quiet = replace(cast_tab.current_character(), season1_arc="")
    cast_tab.detail.set_character(quiet)
    assert cast_tab.detail.arc_label.isVisible()
    assert "says nothing" in cast_tab.detail.arc_label.text()
    assert not cast_tab.detail.arc_hidden_note.isVisible()


def test_the_cast_tab_with_spoilers_hidden_reads_well(qtbot, cast_tab, guard):
    guard.set_shown(False)
    qtbot.wait(20)
    note = cast_tab.detail.arc_hidden_note
    assert note.isVisible()
    # The placeholder is on one line beside its button, with room to spare, and the button shows
    # its whole word.
    assert note.label.height() <= 2 * note.label.fontMetrics().height()
    assert note.label.width() >= note.label.fontMetrics().horizontalAdvance(HIDDEN_NOTE)
    button = note.show_button
    assert button.width() >= button.fontMetrics().horizontalAdvance(button.text())
    shot = Path("/tmp/etoile-spoilers")
    shot.mkdir(exist_ok=True)
    assert cast_tab.grab().save(str(shot / "cast-tab-spoilers-hidden.png"))


# --- the canon browser ---------------------------------------------------------------------------


@pytest.fixture
def browser(qtbot, store, holder) -> CanonBrowser:
    widget = open_canon_browser(store, holder)
    qtbot.waitExposed(widget)
    settle(store)
    return widget


def facts_shown(browser: CanonBrowser) -> list[str]:
    proxy = browser.proxy
    return [proxy.index(row, COL_FACT).data() for row in range(proxy.rowCount())]


def select(qtbot, browser: CanonBrowser, statement: str) -> None:
    fact_id = next(f.id for f in browser.model.facts() if f.statement == statement)
    assert browser.select_fact(fact_id)
    settle(browser.store)


def test_the_browser_hides_story_facts_in_the_list_and_their_tooltips(qtbot, browser, guard):
    assert DAUGHTER in facts_shown(browser) and MINISTER in facts_shown(browser)
    guard.set_shown(False)
    shown = facts_shown(browser)
    assert DAUGHTER not in shown and MINISTER not in shown
    assert shown.count(HIDDEN_LINE) == 2
    assert "Prime Video cancelled the show after one season." not in shown  # others keep theirs
    assert "Cancelled after one season" in shown
    story_rows = [r for r in range(browser.model.rowCount()) if is_story(browser.model.fact(r))]
    for row in story_rows:
        for column in range(len(HEADERS)):
            index = browser.model.index(row, column)
            texts = [index.data(role) for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
            assert not leaks([t for t in texts if t], (*STORY, *SOURCE_TITLES))
    guard.set_shown(True)
    assert DAUGHTER in facts_shown(browser) and HIDDEN_LINE not in facts_shown(browser)


def test_the_browser_search_does_not_find_a_hidden_fact_by_its_story(qtbot, browser, guard):
    qtbot.keyClicks(browser.search, "minister")
    assert facts_shown(browser) == [MINISTER]
    guard.set_shown(False)  # the search on show looks again
    assert facts_shown(browser) == []
    assert browser.count_label.text().startswith("0 of")
    browser.search.clear()
    qtbot.keyClicks(browser.search, "test review")  # what is on show still finds it
    assert HIDDEN_LINE in facts_shown(browser)
    guard.set_shown(True)
    assert MINISTER in facts_shown(browser)


def test_the_detail_of_a_hidden_fact_shows_the_placeholder_and_comes_back_in_place(qtbot, browser, guard):
    select(qtbot, browser, DAUGHTER)
    assert browser.headline.text() == DAUGHTER
    guard.set_shown(False)
    assert browser.current_fact_id() is not None  # the selection stays
    assert browser.headline.text() == HIDDEN_LINE
    assert browser.hidden_note.isVisible() and not browser.statement.isVisible()
    assert browser.source_label.text().splitlines()[0] == "Test article"
    # The timeline names the correction that contradicts it, hidden too.
    assert browser.timeline_list.count() == 1
    item = browser.timeline_list.item(0)
    assert HIDDEN_LINE in item.text()
    assert not leaks([item.text(), item.toolTip()], (*STORY, *SOURCE_TITLES))
    assert not leaks(widget_texts(browser), (*STORY, *SOURCE_TITLES))
    menu = browser.fact_menu(browser.current_fact_id())
    assert not menu.actions()[0].isEnabled()  # Copy statement: the text stays hidden
    menu.deleteLater()

    qtbot.mouseClick(browser.hidden_note.show_button, Qt.MouseButton.LeftButton)
    assert guard.shown()
    assert browser.headline.text() == DAUGHTER and not browser.hidden_note.isVisible()
    assert MINISTER in browser.timeline_list.item(0).text()
    assert browser.fact_menu(browser.current_fact_id()).actions()[0].isEnabled()


def test_a_browser_opened_hidden_never_shows_the_story(qtbot, store, holder, guard):
    guard.set_shown(False)
    browser = open_canon_browser(store, holder)
    qtbot.waitExposed(browser)
    settle(store)
    assert DAUGHTER not in facts_shown(browser) and HIDDEN_LINE in facts_shown(browser)


# --- the news dialog -----------------------------------------------------------------------------


def test_the_news_dialog_offers_hidden_story_facts_without_their_text(qtbot, store, holder, guard):
    guard.set_shown(False)
    opened: list[NewsDialog] = []
    wait(open_news(store, holder, Topic.SEASON1_STORY, opened=opened.append))
    dialog = opened[0]
    combo = dialog.supersedes_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) or "" for i in range(combo.count())]
    assert any(HIDDEN_LINE in text for text in texts)
    assert not leaks(texts + tips)
    guard.set_shown(True)
    assert any(MINISTER in combo.itemText(i) for i in range(combo.count()))
    dialog.reject()


# --- the starter theories ------------------------------------------------------------------------


def _items(dialog: StarterDialog):
    return [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]


def test_starters_that_tell_story_are_hidden_and_cannot_be_adopted_blind(qtbot, store, holder, guard):
    guard.set_shown(False)
    dialog = StarterDialog(store, store.theories.starters(), holder)
    dialog.show()
    qtbot.waitExposed(dialog)
    items = _items(dialog)
    assert [i.data(0, STARTER_KEY) for i in items] == ["jack-cheyenne", "mishi-villain"]
    assert [i.text(0) for i in items] == [HIDDEN_STARTER] * 2
    secrets = ("Jack and Cheyenne", "finale kiss", "Mishi turns villain", "sabotages")
    texts = [i.text(c) for i in items for c in range(3)] + [i.toolTip(c) for i in items for c in range(3)]
    assert not leaks(texts + widget_texts(dialog), secrets)
    assert dialog.spoiler_note.isVisible() and dialog.spoiler_note.text().startswith("2 starter theories")
    dialog._tick_all(Qt.CheckState.Checked)
    assert dialog.chosen_keys() == [] and not dialog.ok_button.isEnabled()

    qtbot.mouseClick(dialog.show_spoilers_button, Qt.MouseButton.LeftButton)
    assert guard.shown() and not dialog.spoiler_note.isVisible()
    assert [i.text(0) for i in items] == ["Jack and Cheyenne become a couple", "Mishi turns villain"]
    assert "finale kiss" in items[0].toolTip(0)
    items[1].setCheckState(0, Qt.CheckState.Checked)
    assert dialog.chosen_keys() == ["mishi-villain"]
    dialog.reject()


def test_the_starter_dialog_opened_over_the_window_follows_its_switch(qtbot, store, holder, guard):
    holder.show()
    guard.set_shown(False)
    wait(open_starter_dialog(store, holder))
    dialog = holder.findChild(StarterDialog)
    assert [i.text(0) for i in _items(dialog)] == [HIDDEN_STARTER] * 2
    dialog.reject()


# --- the window ----------------------------------------------------------------------------------


def _window(qtbot, store, settings: QSettings) -> MainWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, None)
    qtbot.waitExposed(window)
    settle(store)
    return window


def _view_menu(window: MainWindow):
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")


def test_the_view_menu_switch_hides_spoilers_everywhere_and_is_remembered(qtbot, store, settings):
    window = _window(qtbot, store, settings)
    action = window.spoilers_action
    actions = _view_menu(window).actions()
    assert action in actions and actions.index(action) >= len(actions) - 3  # near the end
    assert action.isCheckable() and action.isChecked()
    assert action.text().replace("&", "") == "Show Season 1 spoilers"
    window.go_to_tab(1)
    cast = window.cast_tab
    settle(store)
    show_jack(store, cast)
    browser = window.open_canon_browser()
    qtbot.waitExposed(browser)
    settle(store)
    assert cast.detail.arc_label.text() == ARC and DAUGHTER in facts_shown(browser)

    action.trigger()  # as a click in the menu does
    assert not action.isChecked() and window.spoilers.hidden()
    assert cast.detail.arc_hidden_note.isVisible() and cast.detail.arc_label.text() == ""
    assert DAUGHTER not in facts_shown(browser)
    assert settings.value(SETTINGS_KEY, True, bool) is False

    # The note's button turns the menu's switch back on.
    qtbot.mouseClick(cast.detail.arc_hidden_note.show_button, Qt.MouseButton.LeftButton)
    assert action.isChecked() and DAUGHTER in facts_shown(browser)
    action.trigger()
    browser.close()
    window.save_state()  # as quitting does (closing would close the journal the next window uses)
    window.hide()

    again = _window(qtbot, store, QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert not again.spoilers_action.isChecked() and again.spoilers.hidden()
    again.go_to_tab(1)
    settle(store)
    assert again.cast_tab.detail.arc_hidden_note.isVisible()
    assert again.cast_tab.detail.arc_label.text() == ""


def test_the_note_stands_in_for_the_story_with_a_way_back(qtbot, guard):
    guard.set_shown(False)
    note = HiddenStoryNote(guard)
    qtbot.addWidget(note)
    assert note.accessibleName() == HIDDEN_NOTE
    assert note.show_button.accessibleName() == "Show Season 1 spoilers"
    note.show_button.click()
    assert guard.shown()


def test_the_theory_detail_hides_season1_evidence_with_the_switch(qtbot, store, settings):
    from etoile_app.domain.enums import Stance
    from etoile_app.domain.models import EvidenceDraft, TheoryDraft
    from etoile_app.ui.main_window import MainWindow

    from .conftest import wait

    story = next(f for f in store.canon.facts() if f.topic is Topic.SEASON1_STORY)
    theory = wait(
        store.create_theory(
            TheoryDraft("Mishi's secret comes out", evidence=(EvidenceDraft(story.id, Stance.SUPPORTS),))
        )
    )
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, None)
    window.tabs.setCurrentWidget(window.board_tab)
    window.board_tab.select_theory(theory.id)
    settle(store)
    detail = window.board_tab.detail

    def evidence_text() -> str:
        return " ".join(detail.evidence.itemAt(i).widget().text() for i in range(detail.evidence.count()))

    assert story.statement in evidence_text()
    window.spoilers.set_shown(False)
    assert story.statement not in evidence_text()
    window.spoilers.set_shown(True)
    assert story.statement in evidence_text()


def test_the_editors_evidence_picker_neither_lists_nor_finds_hidden_story(qtbot, store, settings):
    from etoile_app.ui.board.editor import EditorData, TheoryEditor
    from etoile_app.ui.main_window import MainWindow

    story = next(f for f in store.canon.facts() if f.topic is Topic.SEASON1_STORY)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.spoilers.set_shown(False)
    editor = TheoryEditor(store, EditorData.read(store.journal), window)
    editor.show()
    listed = [editor.fact_list.item(i).text() for i in range(editor.fact_list.count())]
    assert not any(story.statement in text for text in listed)
    word = max(story.statement.split(), key=len).strip(".,;:'’")
    editor.fact_search.setText(word)
    assert all(
        story.statement not in editor.fact_list.item(i).text() for i in range(editor.fact_list.count())
    )
    editor.reject()
