"""Quick entry above the board, typed as a person would: the hint, Enter, Esc, Ctrl+L."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from etoile_app.domain.enums import Category
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import TheoryQuery
from etoile_app.ui.board.quick_entry import HELP, QuickEntryLine
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.common.store import BUSY

from .conftest import record_threads, settle, wait

CTRL = Qt.KeyboardModifier.ControlModifier


def _line(qtbot, store) -> QuickEntryLine:
    widget = QuickEntryLine(store)
    qtbot.addWidget(widget)
    widget.resize(900, 80)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _type(qtbot, widget: QuickEntryLine, text: str) -> None:
    qtbot.keyClicks(widget.line, text)
    settle(widget.store)  # the characters ``@`` names are read in the background


def _enter(qtbot, widget: QuickEntryLine):
    """Press Enter and wait for the theory it saves."""
    with qtbot.waitSignal(widget.saved, timeout=5000) as saved:
        qtbot.keyClick(widget.line, Qt.Key.Key_Return)
    settle(widget.store)
    return saved.args[0]


def _count(journal) -> int:
    return journal.board.count(TheoryQuery())


def _ids(journal) -> dict[str, int]:
    return {c.name: c.id for c in journal.cast.characters()}


def test_typed_then_enter_saves_the_theory_with_every_field(qtbot, store, journal):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Mishi returns to Paris 70 % #Plot/Paris #gala by June 2027 @mishi !villain")
    assert _count(journal) == 0  # nothing is saved before Enter

    theory = _enter(qtbot, widget)
    saved = store.theories.get(theory.id)  # as the database holds it
    assert saved.title == "Mishi returns to Paris"
    assert saved.confidence == 70
    assert sorted(saved.tags) == ["gala", "plot/paris"]
    assert saved.resolve_by == date(2027, 6, 30)
    assert saved.character_ids == (_ids(journal)["Mishi"],)
    assert saved.category is Category.VILLAIN_ARC
    assert [p.confidence for p in saved.history] == [70]
    assert widget.line.text() == ""  # emptied once saved
    assert not widget.line.isReadOnly()
    assert widget.preview.text().startswith("Saved “Mishi returns to Paris”")
    assert store.undo_stack.undoText() == "New theory “Mishi returns to Paris”"


def test_the_hint_shows_what_enter_will_save_before_enter(qtbot, store, journal):
    widget = _line(qtbot, store)
    assert widget.preview.text() == HELP
    _type(qtbot, widget, "Jack stays in New York 35% #plot/new-york by 2027-06-01 @Genevieve @JACK")
    assert widget.preview.text() == (
        "Jack stays in New York · 35 % · #plot/new-york · by 1 Jun 2027 · Geneviève Lavigne · Jack"
    )
    assert widget.problems.isHidden()
    qtbot.keyClicks(widget.line, " !romance")
    assert widget.preview.text().split(" · ")[2] == "Romance"
    widget.line.clear()
    assert widget.preview.text() == HELP
    assert _count(journal) == 0


def test_the_default_confidence_is_shown_and_saved(qtbot, store):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Gael gets a solo")
    assert widget.preview.text() == "Gael gets a solo · 50 %"
    theory = _enter(qtbot, widget)
    assert store.theories.get(theory.id).confidence == 50
    assert store.theories.get(theory.id).category is Category.OTHER


def test_what_is_not_understood_is_hinted_and_stays_in_the_title(qtbot, store, journal):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Gala night @Nobody 150% by 2027-02-30 #bad!tag 60%")
    assert widget.preview.text().startswith("Gala night @Nobody 150% by 2027-02-30 #bad!tag · 60 %")
    hint = widget.problems.text()
    assert widget.problems.isVisibleTo(widget)
    assert hint.startswith("Not understood, so left in the title:")
    for part in (
        "No character is called “Nobody”.",
        "“150%” is not a confidence",
        "“by 2027-02-30”",
        "'bad!tag'",
    ):
        assert part in hint

    theory = _enter(qtbot, widget)
    saved = store.theories.get(theory.id)
    assert saved.title == "Gala night @Nobody 150% by 2027-02-30 #bad!tag"
    assert (saved.confidence, saved.tags, saved.characters, saved.resolve_by) == (60, (), (), None)


def test_a_line_without_a_title_is_not_saved_and_says_why(qtbot, store, journal):
    widget = _line(qtbot, store)
    qtbot.keyClick(widget.line, Qt.Key.Key_Return)  # an empty line: nothing at all
    settle(store)
    assert widget.problems.isHidden()
    _type(qtbot, widget, "70% #plot/paris @Mishi")
    assert widget.preview.text().startswith("(no title yet) · 70 %")
    qtbot.keyClick(widget.line, Qt.Key.Key_Return)
    settle(store)
    assert _count(journal) == 0
    assert widget.problems.text() == "Give the theory a title."
    assert widget.line.text() == "70% #plot/paris @Mishi"


def test_a_save_refused_while_a_long_job_runs_keeps_the_text_and_says_why(qtbot, store, journal):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Mishi leaves the company 20%")
    release = threading.Event()
    job = store.ops.job(lambda _progress: release.wait(5))
    try:
        qtbot.keyClick(widget.line, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: widget.problems.isVisibleTo(widget))
        assert widget.problems.text().startswith(BUSY)
        assert widget.line.text() == "Mishi leaves the company 20%"
        assert not widget.line.isReadOnly()
    finally:
        release.set()
        wait(job)
    assert _count(journal) == 0
    theory = _enter(qtbot, widget)  # Enter again once the job is done
    assert store.theories.get(theory.id).title == "Mishi leaves the company"


def test_a_save_the_journal_refuses_keeps_the_text_and_says_why(qtbot, store, journal, monkeypatch):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Jack proposes 80%")

    def refuse(_draft, **_kwargs):
        raise JournalError("The disk is full; nothing was saved. Free some space and try again.")

    monkeypatch.setattr(journal.theories, "create", refuse)
    qtbot.keyClick(widget.line, Qt.Key.Key_Return)
    assert widget.line.isReadOnly()  # what is being saved cannot change under the save
    settle(store)
    assert widget.problems.text() == "The disk is full; nothing was saved. Free some space and try again."
    assert widget.line.text() == "Jack proposes 80%"
    assert not widget.line.isReadOnly()
    qtbot.keyClicks(widget.line, " soon")  # typing again clears the message
    assert widget.problems.isHidden()


def test_enter_before_the_characters_are_read_saves_once_they_come(qtbot, store, journal, monkeypatch):
    jack = _ids(journal)["Jack"]
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, journal.cast, ["characters"], threads)
    widget = _line(qtbot, store)
    qtbot.keyClicks(widget.line, "Jack calls @Jack 45%")
    assert not widget.characters_known()
    with qtbot.waitSignal(widget.saved, timeout=5000) as saved:
        qtbot.keyClick(widget.line, Qt.Key.Key_Return)
    theory = store.theories.get(saved.args[0].id)
    assert (theory.title, theory.character_ids, theory.confidence) == (
        "Jack calls",
        (jack,),
        45,
    )
    assert threads and all(name.startswith("etoile-read") for _call, name in threads)


def test_the_characters_are_read_again_when_the_cast_changes(qtbot, store, journal, monkeypatch):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Back @Nina")
    assert "No character is called “Nina”." in widget.problems.text()
    first, *others = journal.cast.characters()
    renamed = [replace(first, name="Nina", full_name="Nina Ivanova"), *others]
    monkeypatch.setattr(journal.cast, "characters", lambda: renamed)
    store.castChanged.emit()
    settle(store)
    assert widget.problems.isHidden()
    assert widget.preview.text() == "Back · 50 % · Nina"


def test_esc_empties_the_line_and_ctrl_z_brings_the_text_back(qtbot, store):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "Cheyenne dances Giselle 55%")
    qtbot.keyClick(widget.line, Qt.Key.Key_Escape)
    assert widget.line.text() == ""
    assert widget.preview.text() == "Emptied. Ctrl+Z brings the text back."
    qtbot.keyClick(widget.line, Qt.Key.Key_Z, CTRL)
    assert widget.line.text() == "Cheyenne dances Giselle 55%"


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    settle(store)
    return tab


def test_ctrl_l_puts_the_keyboard_in_the_line_from_anywhere_on_the_board(qtbot, store):
    tab = _board(qtbot, store)
    assert tab.quick_entry_action.shortcut().toString() == "Ctrl+L"
    for start in (tab.table, tab.search):
        start.setFocus()
        qtbot.waitUntil(start.hasFocus)
        qtbot.keyClick(start, Qt.Key.Key_L, CTRL)
        assert QApplication.focusWidget() is tab.quick_entry.line


def test_saved_from_the_board_the_theory_is_selected_and_esc_goes_back_to_the_table(qtbot, store):
    tab = _board(qtbot, store)
    qtbot.keyClick(tab.table, Qt.Key.Key_L, CTRL)
    _type(qtbot, tab.quick_entry, "Mishi takes the lead 65% @Mishi")
    theory = _enter(qtbot, tab.quick_entry)
    qtbot.waitUntil(lambda: tab.selected_ids() == [theory.id])
    assert tab.quick_entry.line.hasFocus()  # ready for the next one
    qtbot.keyClick(tab.quick_entry.line, Qt.Key.Key_Escape)  # an empty line: back to the table
    assert QApplication.focusWidget() is tab.table


def test_in_the_window_ctrl_z_in_the_line_undoes_typing_not_a_saved_change(qtbot, store, settings, journal):
    from pathlib import Path

    from etoile_app.ui.main_window import BOARD, MainWindow

    settings.setValue("window/tab", BOARD)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, Path("/tmp/journal.sqlite3"))
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    settle(store)
    board = window.board_tab
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, CTRL)
    assert QApplication.focusWidget() is board.quick_entry.line
    _type(qtbot, board.quick_entry, "Jack directs in Paris 40%")
    theory = _enter(qtbot, board.quick_entry)
    _type(qtbot, board.quick_entry, "Gael stays")
    qtbot.keyClick(board.quick_entry.line, Qt.Key.Key_Escape)
    qtbot.keyClick(board.quick_entry.line, Qt.Key.Key_Z, CTRL)
    settle(store)
    assert board.quick_entry.line.text() == "Gael stays"
    assert not store.theories.get(theory.id).is_deleted  # the journal's undo was not taken
    assert _count(journal) == 1


def test_an_over_long_title_is_said_at_once_and_not_saved(qtbot, store, journal):
    widget = _line(qtbot, store)
    widget.line.setText("word " * 45 + "70%")  # pasted
    settle(store)
    assert widget.problems.text().startswith("The title is 224 characters long")
    assert "…" in widget.preview.text()  # the hint shows its start and end
    qtbot.keyClick(widget.line, Qt.Key.Key_Return)
    settle(store)
    assert _count(journal) == 0
    assert widget.line.text().startswith("word word")


def test_the_hint_shows_user_text_as_written(qtbot, store):
    widget = _line(qtbot, store)
    _type(qtbot, widget, "<img src=x> <b>Jack</b> 50%")
    assert widget.preview.textFormat() == Qt.TextFormat.PlainText
    assert widget.preview.text() == "<img src=x> <b>Jack</b> · 50 %"
