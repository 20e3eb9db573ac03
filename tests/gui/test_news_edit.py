"""News on the Status tab: headlines, newer talk, editing and retracting the person's own news,
undo and redo of all three, the canon browser hooks, and badge colours that stay readable."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest
from PySide6.QtCore import QDate, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QContextMenuEvent, QDesktopServices, QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from etoile_app.domain.enums import FactOrigin, FactStatus, Topic
from etoile_app.domain.errors import ChoiceError
from etoile_app.domain.models import Fact, NewsDraft
from etoile_app.domain.rules import HEADLINE_MAX
from etoile_app.ui.canon.news_dialog import (
    HEADLINE_PLACEHOLDER,
    NOTHING,
    SUPERSEDES_HINT,
    NewsDialog,
    read_news_choices,
)
from etoile_app.ui.common.widgets import Badge
from etoile_app.ui.status.tab import NEWER_TALK, UNVERIFIED_TIP, StatusTab, TopicCardView

from .conftest import redo, settle, undo, wait

CANCELLED_HEADLINE = "Cancelled after one season"
REVIVAL = "Netflix is said to be reviving Étoile."
PICKED_UP = "Picked up by another streamer"
NEWS_DAY = QDate(2026, 2, 1)  # before the fake clock's today (1 March 2026)
FACT_STATUSES = (
    FactStatus.CONFIRMED,
    FactStatus.REPORTED,
    FactStatus.RUMOURED,
    FactStatus.SPECULATION,
    FactStatus.SUPERSEDED,
    FactStatus.CONTRADICTED,
)


@pytest.fixture
def tab(status_tab) -> StatusTab:
    return status_tab


@pytest.fixture
def browser_calls(monkeypatch) -> list[tuple]:
    """Stand in for the canon browser (its own module and tests): record how it is opened."""
    calls: list[tuple] = []
    fake = types.ModuleType("etoile_app.ui.canon.browser")
    fake.open_canon_browser = lambda *args, **kwargs: calls.append((args, kwargs))
    monkeypatch.setitem(sys.modules, "etoile_app.ui.canon.browser", fake)
    return calls


def renewal(tab: StatusTab) -> TopicCardView:
    return tab.cards[Topic.RENEWAL]


def own_news(store, **changes):
    """Firm news of the person's own that becomes the renewal state (it supersedes nothing)."""
    values = {
        "topic": Topic.RENEWAL,
        "statement": "Netflix picks up Étoile for a second season.",
        "status": FactStatus.REPORTED,
        "source": "Variety",
        "as_of": date(2026, 1, 5),
        "headline": "Picked up by Netflix",
        "source_title": "Netflix Revives ‘Étoile’",
        "source_url": "https://example.org/variety/etoile",
    }
    return wait(store.add_news(NewsDraft(**(values | changes))))


def open_add(qtbot, tab: StatusTab, topic: Topic = Topic.RENEWAL) -> NewsDialog:
    qtbot.mouseClick(tab.cards[topic].add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    return tab.news_dialog


def fill(qtbot, dialog: NewsDialog, statement: str, source: str, status: FactStatus) -> None:
    qtbot.keyClicks(dialog.statement_edit, statement)
    qtbot.keyClicks(dialog.source_edit, source)
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(status))
    dialog.date_edit.setDate(NEWS_DAY)


def right_click(card: TopicCardView, widget: QWidget) -> None:
    pos = widget.mapTo(card, widget.rect().center())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, card.mapToGlobal(pos))
    QApplication.sendEvent(card, event)


def menu_texts(card: TopicCardView) -> list[str]:
    assert card.menu is not None
    return [action.text() for action in card.menu.actions()]


def trigger(card: TopicCardView, text: str) -> None:
    assert card.menu is not None
    next(a for a in card.menu.actions() if a.text() == text).trigger()
    card.menu.close()


# --- the state in plain words ----------------------------------------------------------------


def test_the_card_leads_with_the_headline(tab):
    card = renewal(tab)
    assert card.headline.text() == CANCELLED_HEADLINE
    assert card.headline.font().bold()
    assert card.headline.font().pointSizeF() > card.statement.font().pointSizeF()
    assert card.headline.textFormat() == Qt.TextFormat.PlainText
    layout = card.layout()
    assert layout.indexOf(card.headline) < layout.indexOf(card.statement)


def test_the_pack_line_gives_the_packs_date(tab):
    assert tab.pack_line.text() == "From the canon pack as of 10 June 2025, and the news you add."


def test_a_later_rumour_that_supersedes_nothing_is_newer_talk(qtbot, tab, store):
    dialog = open_add(qtbot, tab)
    assert dialog.supersedes_combo.currentText() == NOTHING  # news overtakes nothing by default
    assert dialog.supersedes_hint.text() == SUPERSEDES_HINT
    assert dialog.headline_edit.placeholderText() == HEADLINE_PLACEHOLDER
    qtbot.keyClicks(dialog.headline_edit, PICKED_UP)
    fill(qtbot, dialog, REVIVAL, "Reddit", FactStatus.RUMOURED)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    card = renewal(tab)
    qtbot.waitUntil(lambda: card.talk_box.isVisible())
    assert card.headline.text() == CANCELLED_HEADLINE  # a rumour never buries a reported fact
    assert card.badge.text() == "REPORTED"
    assert card.talk_label.text() == NEWER_TALK
    [talk] = card.talk_entries
    assert talk.badge.text() == "RUMOURED"
    assert talk.statement.text() == PICKED_UP
    assert talk.meta.text() == "1 February 2026 · Reddit · your news"
    assert talk.edit_button is not None and talk.retract_button is not None
    assert card.history_button.text() == "History (2)"  # talk is not history
    saved = store.canon.fact(talk.fact.id)
    assert (saved.headline, saved.status, saved.supersedes_id) == (PICKED_UP, FactStatus.RUMOURED, None)


def test_a_rumour_cannot_supersede_a_reported_fact(qtbot, tab, store, db_snapshot):
    before = db_snapshot(store.journal)
    dialog = open_add(qtbot, tab)
    fill(qtbot, dialog, REVIVAL, "Reddit", FactStatus.RUMOURED)
    current = store.canon.status_board()[0].current
    dialog.supersedes_combo.setCurrentIndex(dialog.supersedes_combo.findData(current.id))
    # Checked as the person picks, with the service's own words.
    assert dialog.supersedes_error.isVisible()
    assert dialog.supersedes_error.text().startswith("A rumoured cannot supersede a reported fact")
    assert not dialog.save_button.isEnabled()
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(FactStatus.REPORTED))
    assert not dialog.supersedes_error.isVisible()
    assert dialog.save_button.isEnabled()
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(FactStatus.SPECULATION))
    assert dialog.supersedes_error.isVisible()
    dialog.supersedes_combo.setCurrentIndex(0)
    assert not dialog.supersedes_error.isVisible()
    dialog.reject()
    assert db_snapshot(store.journal) == before


def test_the_services_supersedes_refusal_is_shown_under_the_combo(qtbot, tab, store, monkeypatch):
    def refuse(draft):
        raise ChoiceError(
            "That fact is already superseded by “Something”; pick that one instead.", "supersedes"
        )

    monkeypatch.setattr(store.canon, "add_news", refuse)
    dialog = open_add(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety", FactStatus.REPORTED)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert dialog.isVisible()
    assert dialog.supersedes_error.isVisible()
    assert dialog.supersedes_error.text().startswith("That fact is already superseded")
    assert not dialog.save_button.isEnabled()
    dialog.supersedes_combo.setCurrentIndex(1)  # a new choice clears the refusal
    dialog.supersedes_combo.setCurrentIndex(0)
    assert not dialog.supersedes_error.isVisible()


def test_an_already_superseded_fact_is_refused_as_it_is_picked(qtbot, tab, store):
    dialog = open_add(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety", FactStatus.REPORTED)
    happening = next(f for f in store.canon.facts(Topic.RENEWAL) if f.key == "renewal-happening")
    dialog.supersedes_combo.setCurrentIndex(dialog.supersedes_combo.findData(happening.id))
    assert dialog.supersedes_error.text().startswith(
        f"That fact is already superseded by “{CANCELLED_HEADLINE}”"
    )
    assert not dialog.save_button.isEnabled()


def test_retracted_news_is_not_offered_to_supersede(qtbot, tab, store):
    gone = own_news(store)
    wait(store.retract_news(gone.id))
    dialog = open_add(qtbot, tab)
    offered = [dialog.supersedes_combo.itemData(i) for i in range(dialog.supersedes_combo.count())]
    assert gone.id not in offered
    assert len(offered) == 1 + len(store.canon.facts(Topic.RENEWAL))


def test_an_invalid_address_keeps_save_disabled_and_writes_nothing(qtbot, tab, store, db_snapshot):
    before = db_snapshot(store.journal)
    dialog = open_add(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety", FactStatus.REPORTED)
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.url_edit, "variety.com/etoile")
    assert not dialog.save_button.isEnabled()
    dialog.url_edit.editingFinished.emit()  # leaving the field
    assert dialog.url_error.isVisible()
    assert dialog.url_error.text() == "The address must be a web address starting with http:// or https://."
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.save()  # even if called directly, nothing is written
    assert dialog.isVisible()
    assert db_snapshot(store.journal) == before
    dialog.url_edit.setText("https://variety.com/etoile")
    assert not dialog.url_error.isVisible()
    assert dialog.save_button.isEnabled()


def test_an_over_long_headline_keeps_save_disabled(qtbot, tab):
    dialog = open_add(qtbot, tab)
    fill(qtbot, dialog, "Something happened.", "Variety", FactStatus.REPORTED)
    dialog.headline_edit.setText("h" * HEADLINE_MAX)
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.headline_edit, "!")
    assert dialog.headline_error.isVisible()
    assert "81 characters long; the limit is 80" in dialog.headline_error.text()
    assert not dialog.save_button.isEnabled()


def test_source_title_and_address_show_on_the_card(qtbot, tab, store):
    news = own_news(store)
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.headline.text() == "Picked up by Netflix")
    assert card.statement.text() == news.statement
    assert card.meta.text() == "Variety · “Netflix Revives ‘Étoile’” · 5 January 2026"
    assert card.your_news.isVisible()

    opened: list[QUrl] = []

    class Catcher(QObject):
        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            opened.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        qtbot.mouseClick(card.open_source_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert opened == [QUrl("https://example.org/variety/etoile")]


def test_facts_resting_on_the_article_alone_are_marked_unverified(tab, store):
    card = tab.cards[Topic.LOCATIONS]
    assert not card.current.verified
    assert card.unverified.isVisible()
    assert card.unverified.text() == "Unverified"
    assert card.unverified.toolTip() == UNVERIFIED_TIP
    assert not card.open_source_button.isVisible()  # the article has no address
    assert not renewal(tab).unverified.isVisible()


# --- editing, retracting, undo ---------------------------------------------------------------


def test_pack_facts_offer_no_edit_or_retract(tab):
    card = renewal(tab)
    assert not card.edit_button.isVisible()
    assert not card.retract_button.isVisible()
    right_click(card, card.headline)
    assert menu_texts(card) == ["Show in canon browser"]
    card.menu.close()


def test_edit_news_through_the_dialog_and_undo_it(qtbot, tab, store):
    news = own_news(store)
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.edit_button.isVisible())
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    dialog = tab.news_dialog
    assert dialog.windowTitle() == "Edit news"
    assert dialog.topic() is Topic.RENEWAL
    assert dialog.headline_edit.text() == "Picked up by Netflix"
    assert dialog.statement_edit.toPlainText() == news.statement
    assert dialog.status() is FactStatus.REPORTED
    assert dialog.source_edit.text() == "Variety"
    assert dialog.source_title_edit.text() == "Netflix Revives ‘Étoile’"
    assert dialog.url_edit.text() == "https://example.org/variety/etoile"
    assert dialog.date_edit.date() == QDate(2026, 1, 5)
    offered = [dialog.supersedes_combo.itemData(i) for i in range(dialog.supersedes_combo.count())]
    assert news.id not in offered  # news cannot supersede itself
    assert dialog.save_button.isEnabled()

    dialog.headline_edit.clear()
    qtbot.keyClicks(dialog.headline_edit, PICKED_UP)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.headline.text() == PICKED_UP)
    assert store.canon.fact(news.id).headline == PICKED_UP
    assert store.undo_stack.undoText() == f"Edit news “{PICKED_UP}”"

    undo(store)
    qtbot.waitUntil(lambda: card.headline.text() == "Picked up by Netflix")
    assert store.canon.fact(news.id) == news
    redo(store)
    qtbot.waitUntil(lambda: card.headline.text() == PICKED_UP)


def test_retract_through_the_button_and_undo_it(qtbot, tab, store):
    news = own_news(store)
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.retract_button.isVisible())
    qtbot.mouseClick(card.retract_button, Qt.MouseButton.LeftButton)  # asks nothing
    qtbot.waitUntil(lambda: card.headline.text() == CANCELLED_HEADLINE)
    assert store.canon.fact(news.id).is_retracted
    assert news.id not in [f.id for f in store.canon.facts(Topic.RENEWAL)]
    assert not card.edit_button.isVisible()
    assert store.undo_stack.undoText() == "Retract news “Picked up by Netflix”"

    undo(store)
    qtbot.waitUntil(lambda: card.headline.text() == "Picked up by Netflix")
    assert not store.canon.fact(news.id).is_retracted
    redo(store)
    qtbot.waitUntil(lambda: card.headline.text() == CANCELLED_HEADLINE)


def test_undo_and_redo_adding_news(qtbot, tab, store):
    dialog = open_add(qtbot, tab)
    qtbot.keyClicks(dialog.headline_edit, "Back for Season 2")
    fill(qtbot, dialog, "Prime Video reverses course.", "Deadline", FactStatus.CONFIRMED)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.headline.text() == "Back for Season 2")
    added = card.current
    assert added.origin is FactOrigin.USER
    assert store.undo_stack.undoText() == "Add news “Back for Season 2”"

    undo(store)
    qtbot.waitUntil(lambda: card.headline.text() == CANCELLED_HEADLINE)
    assert store.canon.fact(added.id).is_retracted
    redo(store)
    qtbot.waitUntil(lambda: card.headline.text() == "Back for Season 2")
    assert not store.canon.fact(added.id).is_retracted


def test_every_news_change_tells_the_canon_and_cast_views(qtbot, store):
    for step in ("add", "edit", "retract", "undo", "redo"):
        with qtbot.waitSignals([store.canonChanged, store.castChanged], timeout=1000):
            if step == "add":
                news = own_news(store)
            elif step == "edit":
                wait(
                    store.edit_news(
                        news.id, NewsDraft(Topic.RENEWAL, "Edited.", FactStatus.REPORTED, "V", news.as_of)
                    )
                )
            elif step == "retract":
                wait(store.retract_news(news.id))
            else:
                getattr(store.undo_stack, step)()


def test_news_in_the_history_can_be_edited_and_retracted(qtbot, tab, store):
    older = own_news(store)
    newer = own_news(
        store, statement="Netflix sets a date.", headline="", as_of=date(2026, 2, 2), supersedes_id=older.id
    )
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.headline.text() == newer.statement)
    card.history_button.click()
    entry = next(e for e in card.history_entries if e.fact.id == older.id)
    assert entry.badge.text() == "SUPERSEDED"
    qtbot.mouseClick(entry.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    assert tab.news_dialog.editing.id == older.id
    tab.news_dialog.reject()
    qtbot.mouseClick(entry.retract_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: older.id not in [e.fact.id for e in card.history_entries])
    assert store.canon.fact(older.id).is_retracted


def test_the_context_menu_edits_retracts_and_shows_in_the_browser(qtbot, tab, store, browser_calls):
    news = own_news(store)
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.headline.text() == "Picked up by Netflix")
    right_click(card, card.headline)
    assert menu_texts(card) == ["Edit…", "Retract", "", "Show in canon browser"]
    trigger(card, "Show in canon browser")
    assert browser_calls == [((store, tab, news.id), {})]
    right_click(card, card.badge)
    trigger(card, "Edit…")
    qtbot.waitUntil(lambda: tab.news_dialog is not None and tab.news_dialog.isVisible())
    assert tab.news_dialog.windowTitle() == "Edit news"
    tab.news_dialog.reject()
    right_click(card, card.statement)
    trigger(card, "Retract")
    qtbot.waitUntil(lambda: card.headline.text() == CANCELLED_HEADLINE)
    # A right-click on an earlier state is about that state.
    card.history_button.click()
    entry = card.history_entries[0]
    right_click(card, entry.statement)
    assert menu_texts(card) == ["Show in canon browser"]
    trigger(card, "Show in canon browser")
    assert browser_calls[-1] == ((store, tab, entry.fact.id), {})


def test_browse_all_facts_opens_the_canon_browser(qtbot, tab, store, browser_calls):
    assert tab.browse_button.text() == "Browse all facts…"
    qtbot.mouseClick(tab.browse_button, Qt.MouseButton.LeftButton)
    assert browser_calls == [((store, tab), {})]


# --- badge colours ---------------------------------------------------------------------------


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(window: str, text: str, base: str) -> QPalette:
    p = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.Text, text),
    ):
        p.setColor(role, QColor(colour))
    return p


LIGHT = palette("#efefef", "#000000", "#ffffff")
DARK = palette("#2b2b2b", "#f0f0f0", "#1e1e1e")


@pytest.mark.parametrize(("name", "surroundings"), [("light", LIGHT), ("dark", DARK)])
def test_badges_are_distinct_and_readable_in_light_and_dark_palettes(qtbot, name, surroundings):
    window = QWidget()
    qtbot.addWidget(window)
    window.setPalette(surroundings)
    layout = QVBoxLayout(window)
    backgrounds = set()
    for status in FACT_STATUSES:
        badge = Badge(status)
        layout.addWidget(badge)
        assert badge.dark is (name == "dark")
        background, text = badge.colours()
        assert contrast(text, background) >= 4.5, (name, status)
        # The badge stands out from the window and the card it sits on.
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            assert contrast(background, surroundings.color(role)) >= 3, (name, status, role)
        backgrounds.add(background.name())
    assert len(backgrounds) == len(FACT_STATUSES)


def test_a_badge_follows_its_window_from_light_to_dark(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.setPalette(LIGHT)
    badge = Badge(FactStatus.RUMOURED, window)
    window.show()
    qtbot.waitExposed(window)
    light_background, _ = badge.colours()
    assert not badge.dark
    window.setPalette(DARK)  # the person switches to a dark theme
    qtbot.waitUntil(lambda: badge.dark)
    dark_background, _ = badge.colours()
    assert dark_background != light_background
    image = badge.grab().toImage()  # what is painted is the dark set
    assert image.pixelColor(image.width() // 2, 1).name() == dark_background.name()


def test_a_status_card_badge_is_readable_in_a_dark_window(qtbot, store):
    tab = StatusTab(store)
    qtbot.addWidget(tab)
    tab.setPalette(DARK)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)  # the cards are read off the GUI thread
    badge = tab.cards[Topic.RENEWAL].badge
    qtbot.waitUntil(lambda: badge.dark)
    background, text = badge.colours()
    assert contrast(text, background) >= 4.5


def test_the_undo_text_of_long_news_is_shortened(store):
    own_news(store, headline="", statement="A" * 200)
    assert store.undo_stack.undoText() == f"Add news “{'A' * 49}…”"


def test_headline_is_plain_text_on_the_card(qtbot, tab, store):
    own_news(store, headline="<b>bold</b>")
    card = renewal(tab)
    qtbot.waitUntil(lambda: card.headline.text() == "<b>bold</b>")
    assert card.headline.textFormat() == Qt.TextFormat.PlainText


def test_a_fact_checked_after_its_source_says_both_dates():
    from dataclasses import replace

    from etoile_app.ui.status.tab import source_line

    fact = Fact(
        id=1,
        key="renewal-no-revival",
        topic=Topic.RENEWAL,
        statement="No revival.",
        status=FactStatus.REPORTED,
        source="TV Insider",
        as_of=date(2026, 12, 1),
        origin=FactOrigin.PACK,
        superseded_by_id=None,
        source_date=date(2025, 6, 6),
    )
    assert source_line(fact) == "TV Insider · 6 June 2025 · as of 1 December 2026"
    assert source_line(replace(fact, source_date=None)) == "TV Insider · 1 December 2026"


def test_typing_in_a_new_news_dialog_goes_to_what_happened(qtbot, store):
    dialog = NewsDialog(store, read_news_choices(store.canon, store.cast))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.statement_edit.hasFocus())
    qtbot.keyClicks(dialog.focusWidget(), "Variety reports revival talks")
    assert dialog.statement_edit.toPlainText() == "Variety reports revival talks"
