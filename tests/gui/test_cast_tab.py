"""The Cast tab, driven through its real widgets on the mini pack (Jack McMillan, Geneviève Lavigne,
Mishi)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMessageBox

from etoile_app.domain.enums import FactStatus
from etoile_app.domain.errors import ValidationError
from etoile_app.domain.models import DreamCastDraft, TheoryDraft
from etoile_app.domain.rules import NOTE_MAX
from etoile_app.ui.cast.dream_dialog import DreamCastDialog
from etoile_app.ui.cast.models import (
    ACTOR_ROLE,
    DREAM_COL_CHARACTER,
    DREAM_COL_NOTE,
    DREAM_COL_RATING,
    DREAM_COL_ROLE,
    ID_ROLE,
    NO_ACTOR_MARK,
    CharacterListModel,
    CharacterTheoriesModel,
    DreamCastTableModel,
    fold,
)
from etoile_app.ui.cast.tab import CastTab
from etoile_app.ui.common.widgets import plain_tooltip

from .conftest import record_threads, settle, wait

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def tab(qtbot, store) -> CastTab:
    widget = CastTab(store)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    settle(store)  # the characters and the dream casting are read off the GUI thread
    return widget


def char_id(store, name: str) -> int:
    return next(c.id for c in store.cast.characters() if name in (c.name, c.display_name))


def listed(tab: CastTab) -> list[str]:
    proxy = tab.characters_proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def click_character(qtbot, tab: CastTab, name: str) -> None:
    proxy = tab.characters_proxy
    row = listed(tab).index(name)
    rect = tab.character_list.visualRect(proxy.index(row, 0))
    qtbot.mouseClick(
        tab.character_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.bottomLeft() + QPoint(20, -8)
    )
    qtbot.waitUntil(lambda: tab.detail.name_label.text() == name)
    settle(tab._store)  # their theories are read off the GUI thread


def double_click(qtbot, view, pos: QPoint) -> None:
    # QTest's widget double-click sends only the second press; a real one starts with a click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def set_stars(qtbot, dialog: DreamCastDialog, n: int) -> None:
    width = dialog.rating.width() / 5
    qtbot.mouseClick(dialog.rating, Qt.MouseButton.LeftButton, pos=QPoint(int(width * (n - 0.5)), 5))
    assert dialog.rating.value() == n


def open_add_dialog(qtbot, tab: CastTab) -> DreamCastDialog:
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    dialog = tab.active_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def add_through_dialog(qtbot, tab: CastTab, role: str, actor: str, stars: int | None = None) -> None:
    dialog = open_add_dialog(qtbot, tab)
    qtbot.keyClicks(dialog.role_edit, role)
    qtbot.keyClicks(dialog.actor_edit, actor)
    if stars:
        set_stars(qtbot, dialog, stars)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.active_dialog is None)
    settle(tab._store)


def select_dream_row(qtbot, tab: CastTab, row: int) -> None:
    rect = tab.dream_view.visualRect(tab.dream_model.index(row, DREAM_COL_ROLE))
    qtbot.mouseClick(tab.dream_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(tab.edit_button.isEnabled)


# --- models --------------------------------------------------------------------------------


def test_every_model_passes_the_model_tester(qtmodeltester, store, tab):
    mishi = char_id(store, "Mishi")
    wait(store.create_theory(TheoryDraft(title="Mishi turns villain", character_ids=(mishi,), confidence=70)))
    wait(
        store.add_dream_cast(
            DreamCastDraft(role_idea="Rival", actor="Natalia Osipova", note="a\nb", rating=4)
        )
    )
    wait(store.add_dream_cast(DreamCastDraft(role_idea="Mentor", actor="Misty Copeland", character_id=mishi)))
    settle(store)
    tab.select_character(mishi)
    settle(store)

    assert tab.characters_model.rowCount() == 3
    assert tab.theories_model.rowCount() == 1
    assert tab.dream_model.rowCount() == 2
    for model in (tab.characters_model, tab.characters_proxy, tab.theories_model, tab.dream_model):
        qtmodeltester.check(model)
    # And standalone, filled from the services, outside the tab.
    characters = CharacterListModel()
    characters.set_characters(store.cast.characters())
    dream = DreamCastTableModel()
    dream.set_entries(store.cast.dream_casting())
    theories = CharacterTheoriesModel()
    theories.set_rows(tab.theories_model._rows)
    for model in (characters, dream, theories):
        qtmodeltester.check(model)


def test_fold_ignores_case_and_accents():
    assert fold("GENEVIÈVE Laâge") == "genevieve laage"


# --- the character list --------------------------------------------------------------------


def test_list_shows_every_character_main_cast_first(tab):
    assert listed(tab) == ["Geneviève Lavigne", "Jack McMillan", "Mishi"]
    assert tab.characters_stack.currentWidget() is tab.character_list


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gen", ["Geneviève Lavigne"]),
        ("genevieve", ["Geneviève Lavigne"]),
        ("GENEVIÈVE", ["Geneviève Lavigne"]),
        ("luke kirby", ["Jack McMillan"]),
        ("mcmillan", ["Jack McMillan"]),
        ("jack mcm", ["Jack McMillan"]),
        ("gainsbourg", ["Geneviève Lavigne"]),
        ("mis", ["Mishi"]),
        ("mi", ["Jack McMillan", "Mishi"]),
    ],
)
def test_search_filters_by_full_name_short_name_or_actor(qtbot, tab, typed, expected):
    if typed.isascii():
        qtbot.keyClicks(tab.search_edit, typed)
    else:
        tab.search_edit.insert(typed)  # QTest cannot type non-ASCII keys
    assert listed(tab) == expected
    # The first match is shown at once.
    assert tab.detail.name_label.text() == expected[0]


def test_search_with_no_match_says_so_and_clearing_brings_all_back(qtbot, tab):
    qtbot.keyClicks(tab.search_edit, "zzz")
    assert listed(tab) == []
    assert tab.characters_stack.currentWidget() is tab.no_match_label
    assert tab.no_match_label.text() == "No character matches “zzz”."
    assert tab.detail.name_label.text() == "Geneviève Lavigne"  # the last choice stays on show
    tab.search_edit.clear()
    assert listed(tab) == ["Geneviève Lavigne", "Jack McMillan", "Mishi"]
    assert tab.characters_stack.currentWidget() is tab.character_list


def test_company_filter(qtbot, tab):
    combo = tab.company_combo
    combo.setCurrentIndex(combo.findText("Paris"))
    assert listed(tab) == ["Geneviève Lavigne", "Mishi"]
    combo.setCurrentIndex(combo.findText("New York"))
    assert listed(tab) == ["Jack McMillan"]
    combo.setCurrentIndex(combo.findText("Other"))
    assert listed(tab) == []
    combo.setCurrentIndex(combo.findText("All companies"))
    assert len(listed(tab)) == 3
    # Search and company combine.
    combo.setCurrentIndex(combo.findText("Paris"))
    qtbot.keyClicks(tab.search_edit, "mis")
    assert listed(tab) == ["Mishi"]


# --- the detail pane -----------------------------------------------------------------------


def test_selecting_jack_shows_actor_arc_and_reported_return_status(qtbot, tab):
    click_character(qtbot, tab, "Jack McMillan")
    detail = tab.detail
    assert detail.short_name_label.isVisible()
    assert detail.short_name_label.text() == "Known as Jack"
    assert detail.actor_label.text() == "Played by Luke Kirby"
    assert "New York" in detail.company_label.text()
    assert "Main cast" in detail.company_label.text()
    assert detail.description_label.text() == "Director in New York."
    assert detail.arc_label.text() == "Swaps dancers."
    assert detail.return_badge.isVisible()
    assert detail.return_badge.status is FactStatus.REPORTED
    assert detail.return_badge.text() == "REPORTED"
    assert detail.return_statement.text() == "No season to return to"  # the fact's title line
    assert detail.return_source.text().startswith("Deadline · ")
    assert not detail.no_return_label.isVisible()


def test_selecting_mishi_shows_no_actor_and_no_return_news(qtbot, tab):
    click_character(qtbot, tab, "Mishi")
    detail = tab.detail
    assert detail.actor_label.text() == "Not credited in the sources read."
    assert detail.actor_label.font().italic()
    assert not detail.short_name_label.isVisible()  # no full name to tell apart
    assert detail.arc_label.text() == "Lashes out."
    assert detail.no_return_label.isVisible()
    assert detail.no_return_label.text() == "No news about a return"
    assert not detail.return_badge.isVisible()


def test_full_name_is_the_title_and_each_source_is_cited_with_an_open_button(qtbot, tab, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    click_character(qtbot, tab, "Jack McMillan")
    detail = tab.detail
    assert detail.name_label.text() == "Jack McMillan"
    assert not detail.unverified_label.isVisible()  # a review confirms him
    rows = detail.source_rows
    assert [row.citation_label.text() for row in rows] == [
        "Test article, “Season 2 and everything we know”, § Cast (1 May 2025)",
        "Test Review, “Étoile, episode 1” (24 Apr 2025)",
    ]
    assert [row.kind_label.text() for row in rows] == ["fan-site article", "review"]
    assert all(row.isVisible() for row in rows)
    article, review = rows
    # The article has no address: its button is there but cannot be pressed.
    assert not article.open_button.isEnabled()
    qtbot.mouseClick(article.open_button, Qt.MouseButton.LeftButton)
    assert opened == []
    assert review.open_button.isEnabled()
    qtbot.mouseClick(review.open_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://example.org/review/etoile-1"]
    # The address is the button's tooltip, escaped like every canon string.
    assert review.open_button.toolTip() == plain_tooltip("https://example.org/review/etoile-1")

    # Another character replaces the rows rather than adding to them.
    click_character(qtbot, tab, "Mishi")
    assert [row.citation_label.text() for row in detail.source_rows] == [
        "Test article, “Season 2 and everything we know”, § Villains (1 May 2025)"
    ]


def test_a_character_only_the_article_mentions_is_marked_unverified(qtbot, tab):
    click_character(qtbot, tab, "Geneviève Lavigne")
    detail = tab.detail
    assert detail.unverified_label.isVisible()
    assert detail.unverified_label.text() == (
        "Only the fan-site article mentions this character; the sources read do not confirm it."
    )
    assert detail.actor_label.text() == "Played by Charlotte Gainsbourg"
    [row] = detail.source_rows
    assert not row.open_button.isEnabled()
    click_character(qtbot, tab, "Jack McMillan")
    assert not detail.unverified_label.isVisible()


def test_the_list_shows_a_dash_for_an_uncredited_actor_and_the_reason_as_tooltip(store, tab):
    model = tab.characters_model
    mishi = model.index(model.row_of(char_id(store, "Mishi")), 0)
    jack = model.index(model.row_of(char_id(store, "Jack")), 0)
    assert mishi.data(ACTOR_ROLE) is None
    assert "Not credited in the sources read." in mishi.data(Qt.ItemDataRole.ToolTipRole)
    assert "Not credited in the sources read." in mishi.data(Qt.ItemDataRole.AccessibleTextRole)
    assert jack.data() == "Jack McMillan"
    assert "Luke Kirby" in jack.data(Qt.ItemDataRole.ToolTipRole)
    assert "fan-site article" not in jack.data(Qt.ItemDataRole.ToolTipRole)
    genevieve = model.index(model.row_of(char_id(store, "Geneviève Lavigne")), 0)
    assert "Only the fan-site article" in genevieve.data(Qt.ItemDataRole.ToolTipRole)
    assert NO_ACTOR_MARK == "—"


def test_every_label_shows_plain_text(tab):
    for label in tab.detail.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert tab.theories_heading.textFormat() == Qt.TextFormat.PlainText


# --- theories about a character ------------------------------------------------------------


def test_theories_about_a_character_update_and_open_on_the_board(qtbot, store, tab):
    mishi = char_id(store, "Mishi")
    click_character(qtbot, tab, "Mishi")
    assert tab.theories_stack.currentWidget() is tab.no_theories_label
    assert "No theories about Mishi" in tab.no_theories_label.text()

    theory = store.theories.create(
        TheoryDraft(title="Mishi turns villain", character_ids=(mishi,), confidence=70)
    )
    store.theoriesChanged.emit((theory.id,))
    qtbot.waitUntil(lambda: tab.theories_model.rowCount() == 1)
    assert tab.theories_stack.currentWidget() is tab.theories_view
    assert tab.theories_heading.text() == "Theories about Mishi (1)"
    model = tab.theories_model
    assert [model.index(0, c).data() for c in range(3)] == ["Mishi turns villain", "Open", "70 %"]
    assert tab.detail.name_label.text() == "Mishi"  # the refresh kept the selection

    # Enter on the theory asks the board to show it.
    view = tab.theories_view
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    with qtbot.waitSignal(store.showTheory, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [theory.id]

    # So does a double-click.
    rect = view.visualRect(model.index(0, 0))
    with qtbot.waitSignal(store.showTheory, timeout=1000) as blocker:
        double_click(qtbot, view, rect.center())
    assert blocker.args == [theory.id]


def test_a_theory_written_through_the_store_appears(qtbot, store, tab):
    click_character(qtbot, tab, "Jack McMillan")
    wait(
        store.create_theory(TheoryDraft(title="Jack stays in Paris", character_ids=(char_id(store, "Jack"),)))
    )
    qtbot.waitUntil(lambda: tab.theories_model.rowCount() == 1)
    jack_row = tab.characters_model.row_of(char_id(store, "Jack"))
    assert tab.characters_model.character(jack_row).theory_count == 1


def test_show_on_the_board_button_names_the_character(qtbot, store, tab):
    click_character(qtbot, tab, "Geneviève Lavigne")
    with qtbot.waitSignal(store.showCharacterOnBoard, timeout=1000) as blocker:
        qtbot.mouseClick(tab.board_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [char_id(store, "Geneviève Lavigne")]


# --- dream casting -------------------------------------------------------------------------


def test_empty_dream_casting_shows_a_hint(tab):
    assert tab.dream_stack.currentWidget() is tab.empty_dream_label
    assert "Add…" in tab.empty_dream_label.text()
    assert not tab.edit_button.isEnabled()
    assert not tab.delete_button.isEnabled()


def test_add_dream_casting_through_the_dialog(qtbot, store, tab):
    dialog = open_add_dialog(qtbot, tab)
    assert not dialog.ok_button.isEnabled()  # nothing typed yet
    qtbot.keyClicks(dialog.role_edit, "Cheyenne's rival")
    qtbot.keyClicks(dialog.actor_edit, "Natalia Osipova")
    dialog.character_combo.setCurrentIndex(dialog.character_combo.findText("Mishi"))
    set_stars(qtbot, dialog, 4)
    qtbot.keyClicks(dialog.note_edit, "A real ")
    dialog.note_edit.insertPlainText("étoile.")  # QTest cannot type non-ASCII keys
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.active_dialog is None)
    settle(tab._store)

    [entry] = store.cast.dream_casting()
    assert (entry.role_idea, entry.actor, entry.rating, entry.note, entry.character_name) == (
        "Cheyenne's rival",
        "Natalia Osipova",
        4,
        "A real étoile.",
        "Mishi",
    )
    model = tab.dream_model
    assert tab.dream_stack.currentWidget() is tab.dream_view
    assert model.rowCount() == 1
    assert model.index(0, DREAM_COL_ROLE).data() == "Cheyenne's rival"
    assert model.index(0, DREAM_COL_CHARACTER).data() == "Mishi"
    assert model.index(0, DREAM_COL_RATING).data() == "★★★★☆"
    assert model.index(0, DREAM_COL_NOTE).data() == "A real étoile."
    assert tab.edit_button.isEnabled()  # the new entry is selected


def test_edit_dream_casting_by_button_and_by_double_click(qtbot, store, tab):
    add_through_dialog(qtbot, tab, "Rival", "Natalia Osipova", stars=2)
    select_dream_row(qtbot, tab, 0)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    dialog = tab.active_dialog
    assert dialog is not None
    assert dialog.role_edit.text() == "Rival"
    assert dialog.rating.value() == 2
    assert dialog.ok_button.text() == "Save"
    dialog.role_edit.selectAll()
    qtbot.keyClicks(dialog.role_edit, "New rival")
    set_stars(qtbot, dialog, 5)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.active_dialog is None)
    settle(tab._store)
    [entry] = store.cast.dream_casting()
    assert (entry.role_idea, entry.rating) == ("New rival", 5)
    assert tab.dream_model.index(0, DREAM_COL_ROLE).data() == "New rival"

    rect = tab.dream_view.visualRect(tab.dream_model.index(0, DREAM_COL_ROLE))
    double_click(qtbot, tab.dream_view, rect.center())
    qtbot.waitUntil(lambda: tab.active_dialog is not None)
    assert tab.active_dialog.role_edit.text() == "New rival"
    tab.active_dialog.reject()
    qtbot.waitUntil(lambda: tab.active_dialog is None)
    settle(tab._store)
    assert store.cast.dream_casting() == [entry]


def test_delete_dream_casting_asks_first(qtbot, store, tab, monkeypatch):
    add_through_dialog(qtbot, tab, "Rival", "Natalia Osipova")
    select_dream_row(qtbot, tab, 0)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert len(store.cast.dream_casting()) == 1  # "No" keeps it
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert store.cast.dream_casting() == []
    settle(store)
    assert tab.dream_model.rowCount() == 0
    assert tab.dream_stack.currentWidget() is tab.empty_dream_label
    assert len(asked) == 2
    assert "Rival" in asked[0]


def test_invalid_input_keeps_save_disabled_and_writes_nothing(qtbot, store, tab, journal, db_snapshot):
    before = db_snapshot(journal)
    dialog = open_add_dialog(qtbot, tab)
    errors = dialog.errors

    # Empty role: the message appears as soon as the field is emptied.
    qtbot.keyClicks(dialog.role_edit, "x")
    qtbot.keyClick(dialog.role_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.actor_edit, "Someone")
    assert errors["role_idea"].isVisible()
    assert errors["role_idea"].text() == "The role cannot be empty."
    assert not dialog.ok_button.isEnabled()

    # Empty actor.
    qtbot.keyClicks(dialog.role_edit, "Rival")
    assert not errors["role_idea"].isVisible()
    dialog.actor_edit.selectAll()
    qtbot.keyClick(dialog.actor_edit, Qt.Key.Key_Delete)
    assert errors["actor"].isVisible()
    assert "actor cannot be empty" in errors["actor"].text()
    assert not dialog.ok_button.isEnabled()

    # An over-long note.
    qtbot.keyClicks(dialog.actor_edit, "Someone")
    assert dialog.ok_button.isEnabled()
    dialog.note_edit.setPlainText("n" * NOTE_MAX)
    qtbot.keyClicks(dialog.note_edit, "!")
    assert errors["note"].isVisible()
    assert f"the limit is {NOTE_MAX:,}" in errors["note"].text()
    assert not dialog.ok_button.isEnabled()

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert store.cast.dream_casting() == []
    assert db_snapshot(journal) == before


def test_a_refusal_from_the_service_shows_at_the_field_and_keeps_the_dialog(qtbot, store, tab, monkeypatch):
    def refuse(draft):
        raise ValidationError("That actor is already in your dream casting.", "actor")

    monkeypatch.setattr(store.cast, "add_dream_cast", refuse)
    dialog = open_add_dialog(qtbot, tab)
    qtbot.keyClicks(dialog.role_edit, "Rival")
    qtbot.keyClicks(dialog.actor_edit, "Someone")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(store)
    assert dialog.isVisible()
    assert tab.active_dialog is dialog
    assert dialog.errors["actor"].isVisible()
    assert dialog.errors["actor"].text() == "That actor is already in your dream casting."
    assert store.cast.dream_casting() == []
    dialog.reject()


def test_markup_in_a_role_idea_is_shown_literally(qtbot, store, tab, monkeypatch):
    add_through_dialog(qtbot, tab, "<b>x</b>", "<i>Someone</i>")
    model = tab.dream_model
    assert model.index(0, DREAM_COL_ROLE).data(DISPLAY) == "<b>x</b>"
    # Tooltips and the delete question are rich text, so the markup must arrive escaped.
    assert "&lt;b&gt;x&lt;/b&gt;" in model.index(0, DREAM_COL_ROLE).data(Qt.ItemDataRole.ToolTipRole)
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No
    )
    select_dream_row(qtbot, tab, 0)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert "&lt;b&gt;x&lt;/b&gt;" in asked[0]
    assert "<b>x</b>" not in asked[0]
    # Editing shows the characters as typed.
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    assert tab.active_dialog.role_edit.text() == "<b>x</b>"
    tab.active_dialog.reject()


# --- refreshing and window state -------------------------------------------------------------


def test_refresh_keeps_the_selected_character_and_entry(qtbot, store, tab):
    click_character(qtbot, tab, "Mishi")
    wait(store.add_dream_cast(DreamCastDraft(role_idea="Rival", actor="Natalia Osipova")))
    settle(store)
    select_dream_row(qtbot, tab, 0)
    store.canonChanged.emit()
    wait(store.add_dream_cast(DreamCastDraft(role_idea="Mentor", actor="Misty Copeland", rating=5)))
    settle(store)
    assert tab.dream_model.rowCount() == 2
    assert tab.detail.name_label.text() == "Mishi"
    assert tab.character_list.currentIndex().data() == "Mishi"
    assert tab._selected_dream().role_idea == "Rival"


def test_save_and_restore_state(qtbot, store, tab, settings: QSettings):
    click_character(qtbot, tab, "Mishi")
    tab.splitter.setSizes([350, 930])
    tab.save_state(settings)
    settings.sync()
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert reread.value("cast/character") == "mishi"

    again = CastTab(store)
    qtbot.addWidget(again)
    again.resize(1280, 760)
    again.show()
    settle(store)
    assert again.detail.name_label.text() == "Geneviève Lavigne"  # the first, before restoring
    again.restore_state(reread)
    assert again.detail.name_label.text() == "Mishi"
    assert again.character_list.currentIndex().data(ID_ROLE) == char_id(store, "Mishi")
    assert again.splitter.sizes()[0] == 350


def test_a_hidden_cast_tab_counts_theories_when_it_is_shown_not_on_every_save(qtbot, store, monkeypatch):
    hidden = CastTab(store)
    qtbot.addWidget(hidden)
    settle(store)  # its first read, made when it was built
    mishi = char_id(store, "Mishi")
    calls = []
    real = store.cast.characters
    monkeypatch.setattr(store.cast, "characters", lambda: calls.append(1) or real())
    for title in ("Mishi turns villain", "Mishi wins the gala"):
        wait(store.create_theory(TheoryDraft(title, character_ids=(mishi,))))
    assert calls == []  # two saves, no recount behind the board
    hidden.show()
    qtbot.waitExposed(hidden)
    settle(store)
    assert len(calls) == 1
    model = hidden.characters_model
    assert model._characters[model.row_of(mishi)].theory_count == 2


def test_a_state_restored_before_the_characters_come_is_applied_when_they_do(qtbot, store, settings):
    settings.setValue("cast/character", "mishi")
    early = CastTab(store)
    qtbot.addWidget(early)
    early.restore_state(settings)  # as the window does, right after building the tab
    early.show()
    settle(store)
    assert early.detail.name_label.text() == "Mishi"
    assert early.character_list.currentIndex().data(ID_ROLE) == char_id(store, "Mishi")


def test_refresh_reads_off_the_gui_thread(qtbot, store, tab, monkeypatch):
    mishi = char_id(store, "Mishi")
    click_character(qtbot, tab, "Mishi")
    threads: list[tuple[str, str]] = []

    def spy(service, name):
        original = getattr(service, name)

        def call(*args, **kwargs):
            threads.append((name, threading.current_thread().name))
            return original(*args, **kwargs)

        monkeypatch.setattr(service, name, call)

    spy(store.cast, "characters")
    spy(store.cast, "dream_casting")
    spy(store.board, "page")
    wait(store.create_theory(TheoryDraft(title="Mishi turns villain", character_ids=(mishi,))))
    wait(store.add_dream_cast(DreamCastDraft(role_idea="Rival", actor="Natalia Osipova")))
    settle(store)
    assert tab.theories_model.rowCount() == 1
    assert tab.dream_model.rowCount() == 1
    assert {name for name, _ in threads} == {"characters", "dream_casting", "page"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads


def test_a_newer_reload_replaces_the_one_under_way(qtbot, store, tab):
    click_character(qtbot, tab, "Mishi")
    wait(store.add_dream_cast(DreamCastDraft(role_idea="Rival", actor="Natalia Osipova")))
    tab.refresh()
    tab.refresh()
    settle(store)
    assert tab.dream_model.rowCount() == 1
    assert tab.detail.name_label.text() == "Mishi"
    assert tab.character_list.currentIndex().data() == "Mishi"


def test_dream_casting_asked_for_before_the_characters_come_opens_once_they_are_read(
    qtbot, store, journal, monkeypatch
):
    characters = len(journal.cast.characters())
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.cast, ["characters"], threads)
    widget = CastTab(store)
    qtbot.addWidget(widget)
    widget.add_dream()  # before the character list's first read has come back
    assert widget.active_dialog is None
    settle(store)
    dialog = widget.active_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.character_combo.count() == 1 + characters  # "none" and every character
    assert threads and all(name.startswith("etoile-read") for _call, name in threads)
    dialog.reject()
