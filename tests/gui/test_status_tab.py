"""The Status tab and its "Add news" dialog, driven through their real widgets."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from etoile_app.domain.enums import STATUS_TOPICS, FactOrigin, FactStatus, Stance, TheoryStatus, Topic
from etoile_app.domain.errors import DateError, JournalError
from etoile_app.domain.models import NewsDraft, TheoryDraft
from etoile_app.domain.rules import STATEMENT_MAX
from etoile_app.ui.canon.news_dialog import NOTHING, NewsDialog, read_news_choices
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.status.tab import SETTINGS_EXPANDED, SPACING, StatusTab

from .conftest import link_evidence, record_threads, settle, wait

CANCELLED = "Prime Video cancelled the show after one season."
HAPPENING = "Season 2 is officially happening."
ORDERED = "Two seasons were ordered in 2023."
NEWS_DAY = QDate(2026, 2, 1)  # before the fake clock's today (1 March 2026)
TEASER = NewsDraft(Topic.TRAILER, "A teaser leaks.", FactStatus.RUMOURED, "Reddit", date(2026, 2, 2))


@pytest.fixture
def tab(status_tab) -> StatusTab:
    return status_tab


def current_renewal(store):
    return next(c for c in store.canon.status_board() if c.topic is Topic.RENEWAL).current


def open_dialog(qtbot, tab: StatusTab, button=None) -> NewsDialog:
    qtbot.mouseClick(button or tab.add_news_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    return tab.news_dialog


def fill(qtbot, dialog: NewsDialog, statement: str, source: str) -> None:
    qtbot.keyClicks(dialog.statement_edit, statement)
    qtbot.keyClicks(dialog.source_edit, source)
    dialog.date_edit.setDate(NEWS_DAY)


def clear_by_keyboard(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)


# --- what the cards show ---------------------------------------------------------------------


def test_one_card_per_status_topic_in_order(tab):
    assert list(tab.cards) == list(STATUS_TOPICS)
    assert [v.title.text() for v in tab.cards.values()] == [t.label for t in STATUS_TOPICS]
    positions = [tab.position(topic) for topic in tab.cards]
    assert positions == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]  # two columns at 1280 px


def test_renewal_card_shows_the_newest_state(tab):
    card = tab.cards[Topic.RENEWAL]
    assert card.headline.text() == "Cancelled after one season"  # the state in plain words first
    assert card.badge.text() == "REPORTED"
    assert card.statement.text() == CANCELLED
    assert card.statement.isVisible()
    assert card.meta.text() == "Deadline · “Étoile Canceled After One Season” · 6 June 2025"
    assert card.open_source_button.isVisible()
    assert not card.unverified.isVisible()
    assert not card.talk_box.isVisible()
    assert not card.your_news.isVisible()
    assert card.cites.text() == "No open theories cite this yet"
    assert card.history_button.text() == "History (2)"
    assert not card.history_box.isVisible()


def test_a_topic_without_facts_says_so(tab):
    card = tab.cards[Topic.TRAILER]
    assert card.empty.isVisible()
    assert card.empty.text() == "Nothing is known about this yet."
    assert not card.badge.isVisible()
    assert not card.cites.isVisible()
    assert not card.history_button.isVisible()
    located = tab.cards[Topic.LOCATIONS]  # one fact, nothing earlier
    assert located.no_history.isVisible()
    assert not located.history_button.isVisible()


def test_cards_share_the_width_and_narrow_windows_get_one_column(qtbot, tab):
    renewal, release = tab.cards[Topic.RENEWAL], tab.cards[Topic.RELEASE]
    assert renewal.width() == release.width()
    assert renewal.y() == release.y()
    tab.resize(640, 760)
    qtbot.waitUntil(lambda: tab.position(Topic.RELEASE) == (1, 0))
    qtbot.waitUntil(lambda: release.y() > renewal.y() + renewal.height())


def test_expanding_history_shows_earlier_states_and_collapsing_hides_them(qtbot, tab):
    card = tab.cards[Topic.RENEWAL]
    qtbot.mouseClick(card.history_button, Qt.MouseButton.LeftButton)
    assert card.history_box.isVisible()
    assert card.history_button.arrowType() == Qt.ArrowType.DownArrow
    shown = [(e.badge.text(), e.statement.text()) for e in card.history_entries]
    assert shown == [("SUPERSEDED", HAPPENING), ("CONFIRMED", ORDERED)]
    assert all(e.isVisible() for e in card.history_entries)
    qtbot.mouseClick(card.history_button, Qt.MouseButton.LeftButton)
    assert not card.history_box.isVisible()
    assert not any(e.isVisible() for e in card.history_entries)


def test_an_open_history_leaves_no_gap_beside_or_below_it(qtbot, tab):
    renewal, release = tab.cards[Topic.RENEWAL], tab.cards[Topic.RELEASE]
    below_renewal, below_release = (tab.cards[t] for t in STATUS_TOPICS[2:4])
    qtbot.waitUntil(lambda: renewal.height() == release.height())  # a closed row shares a height
    assert below_renewal.y() == below_release.y()
    qtbot.mouseClick(renewal.history_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: renewal.height() > release.height())
    # Only the open card's column grows: its neighbour keeps its height, and the card under
    # the neighbour follows straight on, with no gap the size of the history.
    assert release.height() == release.natural_height()
    assert below_release.y() == release.geometry().bottom() + 1 + SPACING
    assert below_renewal.y() == renewal.geometry().bottom() + 1 + SPACING
    assert below_release.y() < below_renewal.y()
    qtbot.mouseClick(renewal.history_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: renewal.height() == release.height())
    assert below_renewal.y() == below_release.y()


def test_open_theory_count_follows_theories(qtbot, tab, store):
    card = tab.cards[Topic.RENEWAL]
    theory = store.theories.create(TheoryDraft(title="A revival on another streamer"))
    link_evidence(store, theory.id, current_renewal(store).id, Stance.CONTRADICTS)
    qtbot.waitUntil(lambda: card.cites.text() == "1 open theory cites this")
    wait(store.resolve(theory.id, TheoryStatus.BUSTED))
    qtbot.waitUntil(lambda: card.cites.text() == "No open theories cite this yet")


def test_refresh_keeps_open_histories(qtbot, tab, store):
    card = tab.cards[Topic.RENEWAL]
    card.history_button.click()
    wait(
        store.add_news(
            NewsDraft(Topic.RENEWAL, "Fans petition.", FactStatus.REPORTED, "Variety", date(2026, 1, 5))
        )
    )
    qtbot.waitUntil(lambda: card.statement.text() == "Fans petition.")
    assert card.history_button.isChecked()
    assert card.history_box.isVisible()
    assert card.history_entries[0].statement.text() == CANCELLED


def test_a_hidden_tab_catches_up_when_shown(qtbot, tab, store):
    tab.hide()
    news = NewsDraft(Topic.TRAILER, "A teaser leaks.", FactStatus.RUMOURED, "Reddit", date(2026, 2, 2))
    wait(store.add_news(news))
    settle(store)
    assert tab.cards[Topic.TRAILER].empty.isVisibleTo(tab)  # not redrawn while nobody looks
    tab.show()
    settle(store)
    assert tab.cards[Topic.TRAILER].statement.text() == "A teaser leaks."


def test_expanded_histories_are_remembered(qtbot, tab, store, settings):
    tab.cards[Topic.RENEWAL].history_button.click()
    tab.save_state(settings)
    assert settings.value(SETTINGS_EXPANDED) == "renewal"
    again = StatusTab(store)
    qtbot.addWidget(again)
    again.restore_state(settings)
    assert again.expanded_topics() == [Topic.RENEWAL]
    tab.cards[Topic.CAST].history_button.click()
    tab.save_state(settings)
    again.restore_state(settings)
    assert again.expanded_topics() == [Topic.RENEWAL, Topic.CAST]


def test_refresh_reads_off_the_gui_thread(qtbot, tab, store, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("status_board", "pack_as_of"), threads)
    wait(store.add_news(TEASER))
    settle(store)
    assert tab.cards[Topic.TRAILER].statement.text() == "A teaser leaks."
    assert {name for name, _ in threads} == {"status_board", "pack_as_of"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads


def test_a_refresh_asked_for_again_replaces_the_one_under_way(qtbot, tab, store):
    card = tab.cards[Topic.TRAILER]
    tab.refresh()
    wait(store.add_news(TEASER))
    tab.refresh()
    settle(store)
    assert card.statement.text() == "A teaser leaks."
    assert not card.empty.isVisible()


def test_a_tab_built_later_fills_in_once_its_read_comes(qtbot, store):
    late = StatusTab(store)
    qtbot.addWidget(late)
    late.show()
    settle(store)
    assert late.cards[Topic.RENEWAL].headline.text() == "Cancelled after one season"
    assert late.pack_line.text().startswith("From the canon pack as of")


# --- adding news -----------------------------------------------------------------------------


def test_add_news_through_the_dialog_supersedes_the_current_state(qtbot, tab, store):
    old = current_renewal(store)
    dialog = open_dialog(qtbot, tab)
    assert not dialog.save_button.isEnabled()
    dialog.topic_combo.setCurrentIndex(dialog.topic_combo.findData(Topic.RENEWAL))
    assert dialog.supersedes_combo.itemText(0) == NOTHING
    fill(qtbot, dialog, "Netflix picks up Étoile for a second season.", "Variety")
    # Only firm news may overtake a reported fact (a rumour may not: see test_news_edit.py).
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(FactStatus.REPORTED))
    dialog.supersedes_combo.setCurrentIndex(dialog.supersedes_combo.findData(old.id))
    assert dialog.supersedes_combo.currentText() == "6 Jun 2025 — Cancelled after one season (reported)"
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    card = tab.cards[Topic.RENEWAL]
    qtbot.waitUntil(lambda: card.headline.text() == "Netflix picks up Étoile for a second season.")
    assert not card.statement.isVisible()  # no headline given: the statement is the main line
    assert card.badge.text() == "REPORTED"
    assert card.meta.text() == "Variety · 1 February 2026"
    assert card.your_news.isVisible()
    assert card.your_news.text().casefold() == "your news"
    assert card.history_button.text() == "History (3)"
    first = card.history_entries[0]
    assert (first.badge.text(), first.statement.text()) == ("SUPERSEDED", CANCELLED)

    saved = store.canon.facts(Topic.RENEWAL)[0]
    assert saved.statement == "Netflix picks up Étoile for a second season."
    assert (saved.status, saved.source, saved.as_of) == (FactStatus.REPORTED, "Variety", date(2026, 2, 1))
    assert saved.origin is FactOrigin.USER
    assert saved.supersedes_id == old.id


def test_card_add_news_button_preselects_its_topic(qtbot, tab, store):
    card = tab.cards[Topic.CAST]
    dialog = open_dialog(qtbot, tab, card.add_button)
    assert dialog.topic() is Topic.CAST
    listed = [dialog.supersedes_combo.itemData(i) for i in range(1, dialog.supersedes_combo.count())]
    assert listed == [f.id for f in store.canon.facts(Topic.CAST)]


def test_news_can_name_characters(qtbot, tab, store):
    dialog = open_dialog(qtbot, tab, tab.cards[Topic.CAST].add_button)
    fill(qtbot, dialog, "Jack is back.", "Deadline")
    names = dialog.characters_list
    jack = next(names.item(i) for i in range(names.count()) if names.item(i).text().startswith("Jack"))
    jack.setCheckState(Qt.CheckState.Checked)
    jack_id = jack.data(ID_ROLE)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.cards[Topic.CAST].statement.text() == "Jack is back.")
    saved = store.canon.facts(Topic.CAST)[0]
    assert saved.character_ids == (jack_id,)


def test_empty_statement_keeps_save_disabled(qtbot, tab, store, db_snapshot):
    before = db_snapshot(store.journal)
    dialog = open_dialog(qtbot, tab)
    fill(qtbot, dialog, "x", "Variety")
    assert dialog.save_button.isEnabled()
    clear_by_keyboard(qtbot, dialog.statement_edit)
    assert dialog.statement_error.isVisible()
    assert dialog.statement_error.text() == "What happened cannot be empty."
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.save()  # even if called directly, nothing is written
    assert dialog.isVisible()
    assert db_snapshot(store.journal) == before


def test_over_long_statement_keeps_save_disabled(qtbot, tab, store, db_snapshot):
    before = db_snapshot(store.journal)
    dialog = open_dialog(qtbot, tab)
    fill(qtbot, dialog, "", "Variety")
    dialog.statement_edit.setPlainText("a" * STATEMENT_MAX)
    assert dialog.save_button.isEnabled()
    assert not dialog.statement_error.isVisible()
    dialog.statement_edit.moveCursor(dialog.statement_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(dialog.statement_edit, "b")
    assert dialog.statement_error.isVisible()
    assert dialog.statement_error.text() == "What happened is 1,001 characters long; the limit is 1,000."
    assert dialog.statement_count.text() == "1,001 / 1,000"
    assert not dialog.save_button.isEnabled()
    assert db_snapshot(store.journal) == before


def test_empty_source_keeps_save_disabled(qtbot, tab, store):
    facts = store.canon.facts()
    dialog = open_dialog(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "V")
    clear_by_keyboard(qtbot, dialog.source_edit)
    assert dialog.source_error.isVisible()
    assert dialog.source_error.text() == "The source cannot be empty."
    assert not dialog.save_button.isEnabled()
    assert store.canon.facts() == facts


def test_untouched_fields_are_not_scolded(qtbot, tab):
    dialog = open_dialog(qtbot, tab)
    assert not dialog.save_button.isEnabled()
    assert not dialog.statement_error.isVisible()
    assert not dialog.source_error.isVisible()


def test_news_cannot_predate_the_fact_it_supersedes(qtbot, tab, store):
    facts = store.canon.facts()
    dialog = open_dialog(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety")
    dialog.supersedes_combo.setCurrentIndex(dialog.supersedes_combo.findData(current_renewal(store).id))
    dialog.date_edit.setDate(QDate(2025, 1, 1))
    assert dialog.date_error.isVisible()
    assert "before the fact it supersedes" in dialog.date_error.text()
    assert not dialog.save_button.isEnabled()
    dialog.date_edit.setDate(NEWS_DAY)
    assert not dialog.date_error.isVisible()
    assert dialog.save_button.isEnabled()
    assert store.canon.facts() == facts


def test_a_service_refusal_is_shown_at_its_field(qtbot, tab, store, monkeypatch, db_snapshot):
    def refuse(draft):
        raise DateError("The news cannot be dated in the future (2030-01-01).", "as_of")

    monkeypatch.setattr(store.canon, "add_news", refuse)
    before = db_snapshot(store.journal)
    dialog = open_dialog(qtbot, tab)
    qtbot.keyClicks(dialog.statement_edit, "Something happened.")
    qtbot.keyClicks(dialog.source_edit, "Variety")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert dialog.isVisible()
    assert dialog.date_error.isVisible()
    assert dialog.date_error.text().startswith("The news cannot be dated in the future")
    assert not dialog.save_button.isEnabled()
    assert db_snapshot(store.journal) == before
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(-1))  # editing the field clears the refusal
    assert not dialog.date_error.isVisible()
    assert dialog.save_button.isEnabled()


def test_other_refusals_are_shown_in_a_message_box(qtbot, tab, store, monkeypatch):
    def refuse(draft):
        raise JournalError("The journal is read-only.")

    monkeypatch.setattr(store.canon, "add_news", refuse)
    dialog = open_dialog(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_box is not None and dialog.error_box.isVisible())
    assert dialog.error_box.text() == "The journal is read-only."
    assert dialog.isVisible()
    dialog.error_box.close()


def test_user_text_is_plain_text(qtbot, tab):
    dialog = open_dialog(qtbot, tab, tab.cards[Topic.LOCATIONS].add_button)
    fill(qtbot, dialog, "<b>bold</b>", "<i>Blog</i>")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    card = tab.cards[Topic.LOCATIONS]
    qtbot.waitUntil(lambda: card.statement.text() == "<b>bold</b>")
    assert card.statement.textFormat() == Qt.TextFormat.PlainText
    assert card.meta.textFormat() == Qt.TextFormat.PlainText
    assert card.meta.text() == "<i>Blog</i> · 1 February 2026"
    card.history_button.click()
    entry = card.history_entries[0]
    assert entry.statement.textFormat() == Qt.TextFormat.PlainText


def test_the_tab_renders(tab):
    tab.cards[Topic.RENEWAL].history_button.click()
    QApplication.processEvents()
    image = tab.grab().toImage()
    assert not image.isNull()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20


# --- the news dialog reads off the GUI thread ------------------------------------------------


def test_the_news_dialog_reads_what_it_offers_off_the_gui_thread(qtbot, tab, store, monkeypatch):
    canon_threads: list[tuple[str, str]] = []
    cast_threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("facts",), canon_threads)
    record_threads(monkeypatch, store.cast, ("characters",), cast_threads)
    dialog = open_dialog(qtbot, tab, tab.cards[Topic.CAST].add_button)
    threads = canon_threads + cast_threads
    assert {name for name, _ in threads} == {"facts", "characters"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads
    # What was read is on show: the topic's facts to supersede, the characters to name.
    canon_threads.clear()
    listed = [dialog.supersedes_combo.itemData(i) for i in range(1, dialog.supersedes_combo.count())]
    assert listed == [f.id for f in store.canon.facts(Topic.CAST)]
    names = [dialog.characters_list.item(i).text() for i in range(dialog.characters_list.count())]
    assert len(names) == len(store.cast.characters()) and any(n.startswith("Jack") for n in names)
    # Another topic's facts are offered from what was read: no query as the topic changes.
    canon_threads.clear()
    dialog.topic_combo.setCurrentIndex(dialog.topic_combo.findData(Topic.RENEWAL))
    listed = [dialog.supersedes_combo.itemData(i) for i in range(1, dialog.supersedes_combo.count())]
    assert canon_threads == []
    assert listed == [f.id for f in store.canon.facts(Topic.RENEWAL)]
    dialog.reject()


def test_a_slow_read_opens_the_news_dialog_late_without_holding_up_the_tab(qtbot, tab, store, monkeypatch):
    gate = threading.Event()
    original = store.cast.characters

    def slow():
        gate.wait(10)
        return original()

    monkeypatch.setattr(store.cast, "characters", slow)
    try:
        started = time.monotonic()
        qtbot.mouseClick(tab.add_news_button, Qt.MouseButton.LeftButton)
        assert time.monotonic() - started < 2  # the click came back at once
        qtbot.wait(50)
        assert tab.news_dialog is None  # it opens once what it offers has come
        tab.cards[Topic.RENEWAL].history_button.click()  # the tab answers meanwhile
        assert tab.cards[Topic.RENEWAL].history_box.isVisible()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    assert tab.news_dialog.characters_list.count() == len(original())
    qtbot.waitUntil(lambda: tab.news_dialog.statement_edit.hasFocus())  # typing goes there
    tab.news_dialog.reject()


def test_asking_twice_before_the_read_comes_opens_one_dialog(qtbot, tab, store):
    tab.open_news_dialog(Topic.CAST)
    tab.open_news_dialog(Topic.RENEWAL)
    settle(store)
    shown = [d for d in tab.findChildren(NewsDialog) if d.isVisible()]
    assert len(shown) == 1 and shown[0] is tab.news_dialog
    assert tab.news_dialog.topic() is Topic.RENEWAL
    tab.news_dialog.reject()


def test_news_recorded_while_the_dialog_is_open_joins_its_choices(qtbot, tab, store):
    dialog = open_dialog(qtbot, tab, tab.cards[Topic.TRAILER].add_button)
    assert dialog.supersedes_combo.count() == 1  # nothing about a trailer yet
    teaser = wait(store.add_news(TEASER))  # a save that was under way, say
    settle(store)
    assert dialog.supersedes_combo.findData(teaser.id) > 0
    dialog.supersedes_combo.setCurrentIndex(dialog.supersedes_combo.findData(teaser.id))
    wait(store.retract_news(teaser.id))
    settle(store)
    assert dialog.supersedes_combo.findData(teaser.id) < 0  # retracted news is not offered
    assert dialog.supersedes_combo.currentText() == NOTHING
    dialog.reject()


def test_a_news_dialog_can_be_built_from_choices_read_in_the_test(qtbot, store):
    choices = read_news_choices(store.canon, store.cast)
    dialog = NewsDialog(store, choices, Topic.RENEWAL)
    qtbot.addWidget(dialog)
    listed = [dialog.supersedes_combo.itemData(i) for i in range(1, dialog.supersedes_combo.count())]
    assert listed == [f.id for f in choices.facts if f.topic is Topic.RENEWAL]
    assert dialog.characters_list.count() == len(choices.characters)
