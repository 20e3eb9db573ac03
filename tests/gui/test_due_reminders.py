"""Due reminders: theories past their resolve-by date in the board's column and Due filter, the
status bar's count, the daily check, the Ready to resolve list and the desktop notification."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QObject, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QStyle, QTableView

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.tab import BoardTab
from etoile_app.ui.common import due as due_module
from etoile_app.ui.common.due import (
    LONGEST_WAIT_MS,
    NOTIFY_SETTING,
    PAST_MIDNIGHT_MS,
    DueTray,
    DueWatch,
    due_text,
    next_check_ms,
)
from etoile_app.ui.main_window import BOARD, TRACK, MainWindow

from .conftest import record_threads, settle, wait
from .test_dark_palette import dark_palette


def _theories(store, journal):
    """Four theories: one past due, one due the day after tomorrow, one past its date but
    resolved, one without a date."""
    today = store.today()
    theories = journal.theories
    past = theories.create(TheoryDraft("Mishi sabotages the gala", resolve_by=today - timedelta(days=10)))
    soon = theories.create(TheoryDraft("Jack proposes in Paris", resolve_by=today + timedelta(days=1)))
    late = theories.create(TheoryDraft("A time jump of a year", resolve_by=today - timedelta(days=5)))
    theories.resolve(late.id, TheoryStatus.BUSTED)
    undated = theories.create(TheoryDraft("Cheyenne stays in New York"))
    return past, soon, late, undated


def _board(qtbot, store) -> BoardTab:
    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    qtbot.waitExposed(tab)
    settle(store)
    return tab


def _titles(tab: BoardTab) -> list[str]:
    settle(tab.store)
    model = tab.model
    return [model.data(model.index(r, bm.COL_TITLE)) for r in range(model.rowCount())]


def _cell(tab: BoardTab, title: str, role=Qt.ItemDataRole.DisplayRole):
    row = _titles(tab).index(title)
    return tab.model.data(tab.model.index(row, bm.COL_RESOLVE_BY), role)


# --- the board's Resolve by column -----------------------------------------------------------


def test_the_resolve_by_column_shows_the_date_and_sorts_with_empty_dates_last(qtbot, store, journal):
    past, soon, late, undated = _theories(store, journal)
    tab = _board(qtbot, store)
    assert tab.model.headerData(bm.COL_RESOLVE_BY, Qt.Orientation.Horizontal) == "Resolve by"
    assert bm.HEADERS[bm.COL_UPDATED] == "Updated"  # the older columns kept their places
    assert not tab.table.isColumnHidden(bm.COL_RESOLVE_BY)
    assert tab.table.columnWidth(bm.COL_RESOLVE_BY) > 0
    day = soon.resolve_by
    assert _cell(tab, soon.title) == f"{day.day} {day:%b %Y}"
    assert _cell(tab, undated.title) == ""

    # A click on the header sorts by the column, as any other; an empty date comes last.
    header = tab.table.horizontalHeader()
    x = header.sectionViewportPosition(bm.COL_RESOLVE_BY) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    settle(store)
    assert tab.model.query().sort is bm.SORT_KEYS[bm.COL_RESOLVE_BY]
    ascending = [past.title, late.title, soon.title, undated.title]
    descending = [soon.title, late.title, past.title, undated.title]
    first = _titles(tab)
    assert first in (ascending, descending)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert _titles(tab) == (descending if first == ascending else ascending)


def test_a_past_due_date_stands_out_in_colour_bold_and_tooltip(qtbot, store, journal):
    past, soon, late, undated = _theories(store, journal)
    tab = _board(qtbot, store)
    tip = _cell(tab, past.title, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"Due since {past.resolve_by.day} {past.resolve_by:%B %Y}")
    assert "10 days overdue" in tip
    assert _cell(tab, past.title, Qt.ItemDataRole.ForegroundRole) == bm.due_colour()
    assert _cell(tab, past.title, Qt.ItemDataRole.FontRole).bold()
    assert _cell(tab, past.title, Qt.ItemDataRole.AccessibleTextRole).endswith("past due")
    # Not yet due, resolved, or without a date: nothing stands out.
    for theory in (soon, late, undated):
        assert _cell(tab, theory.title, Qt.ItemDataRole.ForegroundRole) is None
        assert _cell(tab, theory.title, Qt.ItemDataRole.FontRole) is None
    assert _cell(tab, soon.title, Qt.ItemDataRole.ToolTipRole).startswith("Resolve by ")
    assert _cell(tab, undated.title, Qt.ItemDataRole.ToolTipRole) is None
    assert tab.model.data(tab.model.index(0, bm.COL_RESOLVE_BY), bm.ID_ROLE) is not None


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_due_colour_reads_on_light_and_dark_rows(qapp):
    light, dark = QPalette(qapp.palette()), dark_palette()
    light.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f7f7"))
    assert bm.due_colour(light) != bm.due_colour(dark)
    for palette in (light, dark):
        colour = bm.due_colour(palette)
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
            assert _contrast(colour, palette.color(role)) >= 4.5, (colour.name(), role)


def test_a_date_that_passes_at_midnight_is_repainted_as_due(qtbot, store, journal, clock):
    _past, soon, _late, _undated = _theories(store, journal)
    tab = _board(qtbot, store)
    assert _cell(tab, soon.title, Qt.ItemDataRole.ForegroundRole) is None
    clock.advance(days=2)
    with qtbot.waitSignal(tab.model.dataChanged) as changed:
        DueWatch.of(store).check_day()
    first, last = changed.args[0], changed.args[1]
    assert first.column() == last.column() == bm.COL_RESOLVE_BY
    assert (first.row(), last.row()) == (0, tab.model.rowCount() - 1)
    assert _cell(tab, soon.title, Qt.ItemDataRole.ForegroundRole) == bm.due_colour()


def test_a_header_saved_before_the_resolve_by_column_restores_every_column(
    qtbot, store, journal, settings, monkeypatch
):
    """A layout saved with one column fewer: the old columns keep their order, widths, hidden
    state and sort; the new one follows them, shown."""
    _theories(store, journal)
    with monkeypatch.context() as patch:
        patch.setattr(bm, "HEADERS", bm.HEADERS[: bm.COL_RESOLVE_BY])  # the board as it was
        old = _board(qtbot, store)
        header = old.table.horizontalHeader()
        assert header.count() == bm.COL_RESOLVE_BY
        header.moveSection(header.visualIndex(bm.COL_STATUS), 1)
        header.resizeSection(bm.COL_TAGS, 233)
        header.hideSection(bm.COL_JUICINESS)
        old.table.sortByColumn(bm.COL_CONFIDENCE, Qt.SortOrder.AscendingOrder)
        settle(store)
        old.save_state(settings)
        old_order = [header.logicalIndex(v) for v in range(header.count())]

    tab = BoardTab(store)
    qtbot.addWidget(tab)
    tab.restore_state(settings)
    tab.show()
    settle(store)
    header = tab.table.horizontalHeader()
    assert header.count() == len(bm.HEADERS)
    assert [header.logicalIndex(v) for v in range(header.count())] == [*old_order, bm.COL_RESOLVE_BY]
    hidden = [c for c in range(header.count()) if header.isSectionHidden(c)]
    assert hidden == [bm.COL_JUICINESS]
    assert header.sectionSize(bm.COL_TAGS) == 233
    assert header.sectionSize(bm.COL_RESOLVE_BY) > 40
    assert header.sortIndicatorSection() == bm.COL_CONFIDENCE
    # The state saved now has every column and comes back as it is.
    tab.save_state(settings)
    again = BoardTab(store)
    qtbot.addWidget(again)
    again.restore_state(settings)
    moved = again.table.horizontalHeader()
    assert [moved.logicalIndex(v) for v in range(moved.count())] == [*old_order, bm.COL_RESOLVE_BY]


# --- the board's Due filter ------------------------------------------------------------------


def test_the_due_filter_narrows_the_board_and_counts_off_the_gui_thread(qtbot, store, journal, monkeypatch):
    past, _soon, _late, _undated = _theories(store, journal)
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.board, ["count"], threads)
    tab = _board(qtbot, store)
    box = tab.filters.due_box
    assert box.isVisibleTo(tab) and box.text() == "Due  (1)"
    assert threads and all(name.startswith("etoile-read") for _, name in threads)
    assert len(_titles(tab)) == 4

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # its tick box
    assert _titles(tab) == [past.title]
    assert tab.query().due_before == store.today()
    assert tab.filters.is_active()
    tab.filters.clear()
    assert len(_titles(tab)) == 4 and not box.isChecked()

    # A new due theory moves the count; resolving it moves it back.
    late = wait(store.create_theory(TheoryDraft("Genevieve sells", resolve_by=store.today() - timedelta(1))))
    settle(store)
    assert box.text() == "Due  (2)"
    wait(store.resolve(late.id, TheoryStatus.VOID))
    settle(store)
    assert box.text() == "Due  (1)"


def test_the_due_filter_follows_the_day(qtbot, store, journal, clock):
    past, soon, _late, _undated = _theories(store, journal)
    tab = _board(qtbot, store)
    tab.filters.show_only_due()
    assert _titles(tab) == [past.title]
    clock.advance(days=2)
    DueWatch.of(store).check_day()  # the daily timer's slot, after midnight
    settle(store)
    assert sorted(_titles(tab)) == sorted([past.title, soon.title])
    assert tab.filters.due_box.text() == "Due  (2)"


# --- the daily check -------------------------------------------------------------------------


def test_the_day_check_waits_until_just_past_midnight_or_an_hour_at_most():
    late_evening = datetime(2026, 3, 1, 23, 59, 30).astimezone()
    assert next_check_ms(late_evening) == 30_000 + PAST_MIDNIGHT_MS
    assert next_check_ms(datetime(2026, 3, 1, 12, 0).astimezone()) == LONGEST_WAIT_MS
    assert next_check_ms(datetime(2026, 3, 1, 23, 59, 59, 999_999).astimezone()) >= PAST_MIDNIGHT_MS


def test_the_day_check_is_armed_and_counts_only_on_a_new_day(qtbot, store, journal, clock):
    _theories(store, journal)
    watch = DueWatch.of(store)
    assert DueWatch.of(store) is watch  # one per store
    settle(store)
    assert watch.count == 1 and watch.timer.isActive() and watch.timer.isSingleShot()
    checks: list[tuple[int, int]] = []
    watch.checked.connect(lambda before, now: checks.append((before, now)))
    clock.advance(minutes=1)  # the same day (the clock starts on the hour, or a half or quarter)
    assert store.today() == watch.today
    watch.check_day()
    settle(store)
    assert watch.timer.isActive()  # armed again
    assert checks == []
    clock.advance(days=2)
    watch.check_day()
    settle(store)
    assert checks[-1] == (1, 2)
    assert watch.today == store.today()


# --- the status bar --------------------------------------------------------------------------


def _window(qtbot, store, settings) -> MainWindow:
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    settle(store)
    return w


def test_the_status_bar_counts_due_theories_at_launch_after_changes_and_after_midnight(
    qtbot, store, journal, settings, clock
):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window(qtbot, store, settings)
    button = window.due_button
    assert button.isVisible() and button.text() == "1 due"
    assert button.accessibleName() == "1 theory is past its resolve-by date"

    wait(store.resolve(past.id, TheoryStatus.VOID))
    settle(store)
    assert not button.isVisible()  # nothing due: hidden

    clock.advance(days=2)
    window.due_watch.check_day()
    settle(store)
    assert button.isVisible() and button.text() == "1 due"
    wait(store.reopen_many([past.id]))
    settle(store)
    assert button.text() == "2 due"
    assert button.toolTip().startswith("2 theories are past their resolve-by date")


def test_an_empty_journal_shows_no_due_count(qtbot, store, settings):
    window = _window(qtbot, store, settings)
    assert window.due_watch.count == 0
    assert not window.due_button.isVisible()


def test_clicking_the_due_count_shows_the_board_with_the_due_filter(qtbot, store, journal, settings):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window(qtbot, store, settings)
    window.go_to_tab(0)
    window.board_tab.search.setText("nothing matches this")
    settle(store)
    button = window.due_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    settle(store)
    board = window.board_tab
    assert window.tabs.currentIndex() == BOARD
    assert board.filters.due_box.isChecked() and board.search.text() == ""
    assert _titles(board) == [past.title]


def test_the_due_count_works_from_the_keyboard(qtbot, store, journal, settings, monkeypatch):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window(qtbot, store, settings)
    window.go_to_tab(0)
    button = window.due_button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    settle(store)
    assert window.tabs.currentIndex() == BOARD and _titles(window.board_tab) == [past.title]

    opened: list[bool] = []
    monkeypatch.setattr(button, "showMenu", lambda: opened.append(True))
    qtbot.keyClick(button, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert opened == [True]
    assert [a.text() for a in button.menu().actions()] == [
        "Show them on the &board",
        "Open the &Ready to resolve list",
    ]


def test_the_due_count_leads_to_the_ready_to_resolve_list(qtbot, store, journal, settings):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window(qtbot, store, settings)
    window.due_button.ready_action.trigger()
    settle(store)
    track = window.track_tab
    assert window.tabs.currentIndex() == TRACK
    assert track.lists.currentWidget() is track.list_pages["due"]
    view: QTableView = track.views["due"]
    qtbot.waitUntil(lambda: track.models["due"].rowCount() == 1)
    track.show_ready_to_resolve()  # asked again once the list has come: on its first theory
    assert view.currentIndex().row() == 0
    assert track.models["due"].record(0).theory_id == past.id


def test_the_ready_to_resolve_list_follows_the_day(qtbot, store, journal, settings, clock):
    _theories(store, journal)
    window = _window(qtbot, store, settings)
    window.show_ready_to_resolve()
    settle(store)
    due = window.track_tab.models["due"]
    assert due.rowCount() == 1
    clock.advance(days=2)
    window.due_watch.check_day()
    settle(store)
    assert due.rowCount() == 2


# --- the desktop notification ----------------------------------------------------------------


class FakeTray(QObject):
    """Stands in for QSystemTrayIcon: records what would be shown."""

    messageClicked = Signal()
    activated = Signal(object)
    made: ClassVar[list[FakeTray]] = []

    def __init__(self, icon, parent=None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []
        self.visible = False
        FakeTray.made.append(self)

    def setIcon(self, icon) -> None:
        self.icon = icon

    def setToolTip(self, text: str) -> None:
        self.tooltip = text

    def show(self) -> None:
        self.visible = True

    def hide(self) -> None:
        self.visible = False

    def showMessage(self, title, text, icon, ms) -> None:
        assert not icon.isNull()
        self.messages.append((title, text))


@pytest.fixture
def tray(monkeypatch):
    """A desktop with a system tray that shows messages."""
    FakeTray.made = []
    monkeypatch.setattr(due_module, "tray_available", lambda: True)
    return FakeTray


def _icon(window: MainWindow) -> QIcon:
    return window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)


def _window_with_tray(qtbot, store, settings) -> MainWindow:
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.due_tray._make_icon = FakeTray
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    settle(store)
    return w


def test_without_a_tray_nothing_is_shown_and_nothing_fails(qtbot, store, journal, settings):
    _theories(store, journal)
    window = _window(qtbot, store, settings)  # offscreen: no system tray
    assert not due_module.tray_available()
    assert window.due_button.text() == "1 due"
    assert window.due_tray.icon is None
    assert window.due_tray.notify(3, window.windowIcon()) is False
    window._due_checked(0, 3)
    assert window.due_tray.icon is None


def test_launch_and_a_new_day_notify_when_more_are_due(qtbot, store, journal, settings, clock, tray):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window_with_tray(qtbot, store, settings)
    (icon,) = tray.made
    assert icon.messages == [("Étoile Theory Journal", due_text(1))]
    assert icon.visible

    clock.advance(minutes=1)  # a check on the same day: nothing new to say
    window.due_watch.check_day()
    settle(store)
    assert len(icon.messages) == 1

    clock.advance(days=2)  # two due now: said once
    window.due_watch.check_day()
    settle(store)
    assert icon.messages[-1][1] == "2 theories are past their resolve-by date"
    assert len(icon.messages) == 2

    wait(store.resolve(past.id, TheoryStatus.VOID))  # fewer: nothing said
    clock.advance(days=1)
    window.due_watch.check_day()
    settle(store)
    assert len(icon.messages) == 2


def test_clicking_the_notification_shows_the_due_theories(qtbot, store, journal, settings, tray):
    past, _soon, _late, _undated = _theories(store, journal)
    window = _window_with_tray(qtbot, store, settings)
    window.go_to_tab(0)
    window.showMinimized()
    tray.made[0].messageClicked.emit()
    settle(store)
    assert not window.isMinimized()
    assert window.tabs.currentIndex() == BOARD
    assert _titles(window.board_tab) == [past.title]


def test_the_view_menu_turns_notifications_off_and_remembers_it(qtbot, store, journal, settings, tray):
    _theories(store, journal)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    action = window.notify_due_action
    assert view_menu.actions()[-1] is action
    assert action.isCheckable() and action.isChecked()  # on until turned off
    action.trigger()
    assert settings.value(NOTIFY_SETTING, True, bool) is False

    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    again = MainWindow(reread)
    qtbot.addWidget(again)
    assert not again.notify_due_action.isChecked()
    again.due_tray._make_icon = FakeTray
    again.show()
    again.attach(store, Path("/tmp/journal.sqlite3"))
    settle(store)
    assert tray.made == []  # one theory is due, and nothing was said
    assert again.due_button.text() == "1 due"

    again.notify_due_action.trigger()  # on again
    assert reread.value(NOTIFY_SETTING, False, bool) is True
    assert again.due_tray.notify(1, _icon(again)) is True
    assert tray.made[0].messages == [("Étoile Theory Journal", due_text(1))]


def test_turning_notifications_off_takes_the_tray_icon_away(qtbot, store, journal, settings, tray):
    _theories(store, journal)
    window = _window_with_tray(qtbot, store, settings)
    (icon,) = tray.made
    assert icon.visible
    window.notify_due_action.trigger()
    assert not icon.visible
    assert DueTray(settings, make_icon=FakeTray).notify(5, _icon(window)) is False
    assert len(tray.made) == 1


def test_a_count_that_fails_is_said_in_a_message(qtbot, store, journal, monkeypatch):
    from etoile_app.domain.errors import JournalError

    _theories(store, journal)
    watch = DueWatch.of(store)
    settle(store)

    def locked(_query):
        raise JournalError("The journal is locked by another program.")

    monkeypatch.setattr(store.board, "count", locked)
    with qtbot.waitSignal(store.failed) as said:
        watch.refresh()
    assert str(said.args[0]).startswith("Could not count the theories past their resolve-by date")
    assert "locked by another program" in str(said.args[0])
    assert watch.count == 1  # the last count stands
