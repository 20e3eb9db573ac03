"""The theory board: search, filters, the table of theories, and the selected theory in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from etoile_app import APP_TITLE
from etoile_app.domain.club import SOLO, Identity, MemberRole
from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import Theory, TheoryQuery, TheoryRow
from etoile_app.ui.board import model as bm
from etoile_app.ui.board.detail import TheoryDetail
from etoile_app.ui.board.filters import FilterPanel
from etoile_app.ui.board.quick_entry import QuickEntryLine
from etoile_app.ui.common import fmt
from etoile_app.ui.common.changes import TheoryChanges
from etoile_app.ui.common.due import DueWatch
from etoile_app.ui.common.header_state import restore_header
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import after_first_paint, plain_tooltip, read_only_reason

T = TypeVar("T")

# Narrow enough that the title (which takes what is left) keeps room at 1280 pixels.
COLUMN_WIDTHS = {
    bm.COL_CATEGORY: 120,
    bm.COL_CHARACTERS: 145,
    bm.COL_TAGS: 145,
    bm.COL_CONFIDENCE: 92,
    bm.COL_JUICINESS: 84,
    bm.COL_STATUS: 80,
    bm.COL_UPDATED: 94,
    bm.COL_RESOLVE_BY: 94,
}
#: A club's board has four more columns: every one a little narrower, the title a width of
#: its own (too many columns to share what is left), the club's beside the confidence.
CLUB_COLUMN_WIDTHS = {
    bm.COL_TITLE: 230,
    bm.COL_CATEGORY: 96,
    bm.COL_CHARACTERS: 110,
    bm.COL_TAGS: 110,
    bm.COL_CONFIDENCE: 84,
    bm.COL_YOURS: 80,
    bm.COL_CLUB: 80,
    bm.COL_FORECASTERS: 86,
    bm.COL_BY: 90,
    bm.COL_JUICINESS: 76,
    bm.COL_STATUS: 72,
    bm.COL_UPDATED: 88,
    bm.COL_RESOLVE_BY: 88,
}

#: The keys that edit the selected theory (or, in a club, forecast on another member's).
ENTER_KEYS = ("Return", "Enter")
FORECAST_KEYS = "Ctrl+Shift+F"
FORECAST_TIP = f"Add your own forecast to the selected theory ({FORECAST_KEYS})"

#: Theories selected beyond this many are not looked at row by row on every change of the
#: selection (Ctrl+A on 100,000 theories): their actions stay enabled and sort it out.
SCAN_MAX = 500
#: At most this many selected theories are selected again after the rows reload.
KEEP_MAX = 200
#: How long the board waits after a search key or filter change for the next before it asks
#: for rows (0: only for what the event loop already holds; every key a person types reads).
SEARCH_DEBOUNCE_MS = 0
#: Stands for a detail pane that must be shown again, whatever it shows.
_STALE = object()
#: The key of the read that brings what a board dialog shows: asking for another dialog
#: before it has come replaces it, so one dialog opens.
DIALOG_KEY = "board:dialog"


class BoardTable(QTableView):
    """The board's table. Its column header keeps a selection of its own, always empty: a
    header that shares the table's asks, each time it paints, whether each column is wholly
    selected, and answers by asking the model about every cell of the column (800,000 cells
    when Ctrl+A selects 100,000 theories: seconds of a frozen window). The header does not
    highlight selected columns, so nothing shown changes."""

    def setSelectionModel(self, selection_model: QItemSelectionModel) -> None:
        super().setSelectionModel(selection_model)
        header = self.horizontalHeader()
        header.setSelectionModel(QItemSelectionModel(self.model(), header))


class BoardTab(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        #: Why the journal cannot be changed (a login on a server that may only read it), or None:
        #: then everything here that would change it is disabled, its tooltip saying why.
        self.read_only_reason = read_only_reason(store)
        identity = _identity(store)
        #: A club's board (a journal on a server made a club): the club's columns, the "Not
        #: forecast by me" filter and the Forecast action; a journal of one has none of them.
        self.club = identity.club
        self.model = bm.TheoryTableModel(store.board, store.ops, self, club=self.club)
        self._dialog = None
        self._menu: QMenu | None = None
        #: The open "Reopen …?" question, if any.
        self.reopen_box: QMessageBox | None = None
        # How to keep the selection when the rows asked for last come, and what to do then
        # (see _reload).
        self._on_reset: tuple[int | None, bool] = (None, False)
        self._then: list = []
        # What the detail pane shows: a theory id, ("several", n), or None for nothing.
        self._shown: object = None
        self._deleted_message = ""
        # How the rows reloading now keep the selection (see _reload).
        self._keep: list[int] = []
        self._keep_row = 0

        # Left: filters.
        due = DueWatch.of(store)
        # A viewer cannot forecast: "Not forecast by me" would be every theory.
        self.filters = FilterPanel(due, club=self.club and identity.role is not MemberRole.VIEWER)
        due.dayPassed.connect(self.model.day_changed)  # dates that came due at midnight
        self.filters.changed.connect(self._filters_changed)
        filter_scroll = QScrollArea()
        filter_scroll.setAccessibleName("Filters")
        filter_scroll.setWidgetResizable(True)
        filter_scroll.setFrameShape(QFrame.Shape.NoFrame)
        filter_scroll.setWidget(self.filters)
        # Wide enough for the panel beside a vertical scroll bar, on a short window: never a
        # horizontal one under it.
        filter_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        filter_scroll.setMinimumWidth(200 + filter_scroll.verticalScrollBar().sizeHint().width())

        # Middle: quick entry, search, count and the table.
        self.quick_entry = QuickEntryLine(store)
        self.quick_entry.saved.connect(lambda theory: self.select_theory(theory.id))
        self.quick_entry.left.connect(lambda: self.table.setFocus(Qt.FocusReason.OtherFocusReason))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, text, tags and characters  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search theories")
        self.search.textChanged.connect(self._filters_changed)
        self.count_label = QLabel()
        self.new_button = QPushButton("New theory…")
        self.new_button.clicked.connect(self.new_theory)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.new_button)

        self.table = BoardTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._title_delegate = bm.TitleDelegate(self.table)
        self.table.setItemDelegateForColumn(bm.COL_TITLE, self._title_delegate)
        self.table.setAccessibleName("Theories")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if not self.club:
            header.setSectionResizeMode(bm.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for column, width in (CLUB_COLUMN_WIDTHS if self.club else COLUMN_WIDTHS).items():
            self.table.setColumnWidth(column, width)
        if self.club:
            # Shown after the confidence (moved on screen only: a saved layout still fits).
            for offset, column in enumerate((bm.COL_YOURS, bm.COL_CLUB, bm.COL_FORECASTERS, bm.COL_BY)):
                header.moveSection(
                    header.visualIndex(column), header.visualIndex(bm.COL_CONFIDENCE) + 1 + offset
                )
            header.setStretchLastSection(True)
        header.setSortIndicator(bm.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        #: The sort the header shows (a click on a club column puts it back).
        self._sort_shown = (bm.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        if self.club:
            header.sortIndicatorChanged.connect(self._sort_clicked)
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")

        listing = QWidget()
        list_layout = QVBoxLayout(listing)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.quick_entry)
        list_layout.addLayout(top)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.empty_label)

        # Below the table: the selected theory (below rather than beside, so the table keeps
        # room for all its columns at 1280 pixels).
        self.detail = TheoryDetail()
        self.detail.editRequested.connect(self.edit_theory)
        self.detail.resolveRequested.connect(self.resolve_theory)
        self.detail.reopenRequested.connect(self.reopen_theory)
        self.detail.deleteRequested.connect(self.delete_theory)
        self.detail.showTheoryRequested.connect(self.select_theory)  # its condition's link

        self.detail_splitter = QSplitter(Qt.Orientation.Vertical)
        self.detail_splitter.addWidget(listing)
        self.detail_splitter.addWidget(self.detail)
        self.detail_splitter.setStretchFactor(0, 3)
        self.detail_splitter.setStretchFactor(1, 2)
        self.detail_splitter.setSizes([420, 300])
        self.detail_splitter.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(filter_scroll)
        self.splitter.addWidget(self.detail_splitter)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 1050])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.splitter)

        self._make_actions()
        self.detail.set_bulk_actions(
            [self.resolve_action, self.void_action, self.reopen_action, self.tag_action, self.delete_action]
        )
        if self.read_only_reason is not None:
            self._lock_changes(self.read_only_reason)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelAboutToBeReset.connect(self._before_reset)
        self.model.modelReset.connect(self._after_reset)
        self.model.countKnown.connect(self._show_count)

        store.changed.connect(self._theories_changed)
        self.model.rowsAboutToUpdate.connect(self._before_update)
        self.model.rowsUpdated.connect(self._rows_updated)
        self.model.dataChanged.connect(self._rows_came)
        store.castChanged.connect(self._fill_filter_lists)
        store.showCharacterOnBoard.connect(self.show_character)
        store.showTheory.connect(self.select_theory)
        # Rows first; the filter lists (a count per tag) and the selected theory in full once
        # the rows are on screen.
        self._fill_in_later = after_first_paint(self.table.viewport(), self._fill_in)
        self.apply_filters()

    # --- query -----------------------------------------------------------------------------

    def query(self) -> TheoryQuery:
        low, high = self.filters.confidence_range()
        current = self.model.query()
        who = _identity(self.store)
        return TheoryQuery(
            text=self.search.text(),
            statuses=self.filters.statuses(),
            categories=self.filters.categories(),
            character_ids=self.filters.character_ids(),
            tags=self.filters.tag_names(),
            confidence_min=low,
            confidence_max=high,
            due_before=self.filters.due_before(),
            sort=current.sort,
            descending=current.descending,
            club=who.club,
            member_id=who.member_id,
            not_forecast_by_me=self.filters.not_forecast_by_me(),
        )

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        """The club's columns do not sort (the model ignores them): a click on one's heading
        leaves the sort, and the arrow showing it, as they were."""
        if self.model.sortable(column):
            self._sort_shown = (column, order)
            return
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(*self._sort_shown)
        header.blockSignals(False)

    def _rows_coming(self) -> bool:
        """Whether rows asked for (a query, a refresh, a search key not yet read) are on their way."""
        return self.model.query_pending() or self.store.ops.debouncing("board.filters")

    def _filters_changed(self) -> None:
        # Keys that arrive together (auto-repeat, a paste, a fast typist between two turns of
        # the event loop) make one query; a query made stale by the next key is interrupted.
        self.store.ops.debounce("board.filters", SEARCH_DEBOUNCE_MS, self.apply_filters)

    def apply_filters(self) -> None:
        # The view is back at the top after a new query: keep the selection if it is on the
        # first page (looking further would number every match on each keystroke).
        self._reload(lambda: self.model.set_query(self.query()), fallback_row=0, first_page=True)

    def _reload(
        self, change, *, fallback_row: int | None = None, first_page: bool = False, then=None
    ) -> None:
        """Run ``change`` (which asks the model for rows: it resets when they come) and, when
        they come, keep the selection as told and run ``then``. The request made last wins."""
        self._on_reset = (fallback_row, first_page)
        if then is not None:
            self._then.append(then)
        change()

    # Every reset of the model (a query, a change, a click on a column header) clears the
    # view's selection without a signal: it is put back here, and the detail pane follows it.
    def _before_reset(self) -> None:
        self._keep = self._ids_to_keep()
        self._keep_row = max(0, self.table.currentIndex().row())

    def _after_reset(self) -> None:
        fallback_row, first_page = self._on_reset
        self._on_reset = (None, False)
        fallback = self._keep_row if fallback_row is None else fallback_row
        self._after_reload(self._keep, fallback, first_page=first_page)
        self._after_rows()

    def _after_rows(self) -> None:
        if self._rows_coming():
            return  # a newer query is coming: what waits for rows waits for those
        self._sync_detail()
        self._update_actions()
        then, self._then = self._then, []
        for action in then:
            action()

    def _ids_to_keep(self) -> list[int]:
        current = self.current_id()
        rows = self._selected_row_numbers()
        if not rows or len(rows) > KEEP_MAX:
            return [current] if current is not None else []
        ids = [i for i in map(self.model.theory_id, rows) if i is not None]
        if current in ids:  # the current row stays current
            ids.remove(current)
            ids.insert(0, current)
        return ids

    def _show_count(self, *_args) -> None:
        total = self.model.rowCount()
        if self.model.exact():
            self.count_label.setText(f"{total:,} theor{'y' if total == 1 else 'ies'}")
        else:
            self.count_label.setText(f"{total:,}+ theories")  # the first page; the count follows

    def _show_totals(self) -> None:
        """The count, and what to do when no row is left."""
        self._show_count()
        total = self.model.rowCount()
        if total == 0:
            filtered = bool(self.search.text().strip()) or self.filters.is_active()
            self.empty_label.setText(
                "No theory matches. Try fewer words or clear the filters."
                if filtered
                else "No theories yet. Write one with “New theory…”, "
                "or adopt some from File → Adopt starter theories."
            )
        self.empty_label.setVisible(total == 0)

    def _after_reload(self, keep: list[int], fallback_row: int = 0, *, first_page: bool = False) -> None:
        self._show_totals()
        total = self.model.rowCount()
        rows = [r for r in map(self.model.row_of, keep) if r is not None]
        if not rows and keep and total and not first_page:
            # Beyond the rows loaded (a sort moved it far down): looked up in the background,
            # its neighbour's row shown meanwhile.
            wanted = keep[0]
            self.model.find_row(wanted, lambda row: self._found_again(wanted, row))
        if not rows and total:
            # The selected theory dropped out (filtered, deleted): show its neighbour instead of nothing.
            rows = [min(fallback_row, total - 1)]
        if rows:
            self._select_rows(rows)
        self._selection_changed()

    def _fill_in(self) -> None:
        self._fill_filter_lists()
        self._sync_detail(force=True)

    def _fill_filter_lists(self) -> None:
        store = self.store
        store.ops.read(store.cast.characters, self.filters.set_characters, key="board.characters")
        self._read_tags()

    def _read_tags(self) -> None:
        self.store.ops.read(self.store.board.tags, self.filters.set_tags, key="board.tags")

    def _theories_changed(self, changes: TheoryChanges) -> None:
        """Update what a change touched: the tag counts by how much they moved, the rows on
        screen that differ, the detail pane if it shows one of them; select what came back."""
        if changes.everything:
            self._read_tags()
        elif changes.tag_counts:
            self.filters.add_to_tag_counts(changes.tag_counts)
        if self._shown is not None and (changes.everything or self._shown in changes.ids):
            self._shown = _STALE  # what the detail pane shows changed: show it again
        restored = sorted(changes.restored)
        then = (lambda: self._select_restored(restored)) if restored else None
        if self.club and self.model.query().member_id != _identity(self.store).member_id:
            # A display name chosen: the figures and the filter are now that member's.
            self._reload(lambda: self.model.set_query(self.query()), then=then)
        else:
            self._reload(lambda: self.model.update(changes), then=then)
        if self._shown is _STALE and not self._rows_coming():
            self._sync_detail()

    def _before_update(self) -> None:
        self._keep = self._ids_to_keep()
        self._keep_row = max(0, self.table.currentIndex().row())

    def _rows_updated(self) -> None:
        """The rows on screen were updated in place. The selection follows its theories where
        they moved (an edit that changes the sort order); if they went (deleted, filtered out),
        their neighbour takes their place, as after a reset. Then what waited for the rows runs."""
        kept = self._keep
        if kept and (self.current_id() != kept[0] or set(kept) - set(self.selected_ids())):
            self._after_reload(self._keep, self._keep_row, first_page=True)
        else:
            self._show_totals()
            total = self.model.rowCount()
            if total and not self._selected_row_numbers():
                self._select_rows([min(self._keep_row, total - 1)])
            self._selection_changed()
        self._after_rows()

    def _select_restored(self, ids: list[int]) -> None:
        rows = sorted(r for r in map(self.model.row_of, ids) if r is not None)
        if rows:
            self._select_rows(rows)  # the topmost current, and in view
        elif len(ids) == 1:
            self.select_theory(ids[0])  # hidden by the search or a filter: clear them
        window = self.window()
        if self._deleted_message and hasattr(window, "statusBar"):
            if window.statusBar().currentMessage() == self._deleted_message:
                row = self.model.theory_row(rows[0]) if len(ids) == 1 and rows else None
                what = f"“{fmt.isolate(row.title)}”" if row else f"{len(ids):,} theories"
                window.statusBar().showMessage(f"Restored {what}.", 5000)
            self._deleted_message = ""

    # --- selection -------------------------------------------------------------------------

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.theory_id(index.row()) if index.isValid() else None

    def _selected_row_numbers(self) -> list[int]:
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def _selected_count(self) -> int:
        """How many rows are selected, without listing them (Ctrl+A on 100,000 would)."""
        return sum(r.height() for r in self.table.selectionModel().selection())

    def selected_ids(self) -> list[int]:
        """The ids of the selected theories whose rows are loaded, top to bottom (what acts on
        the whole selection reads it with :meth:`with_selected_rows`)."""
        return [r.id for r in self.selected_rows()]

    def selected_rows(self) -> list[TheoryRow]:
        """The selected rows that are loaded (those on screen are)."""
        return [r for r in map(self.model.theory_row, self._selected_row_numbers()) if r is not None]

    def with_selected_rows(self, then: Callable[[list[TheoryRow]], T]) -> T | None:
        """``then`` with every selected row: at once (its result returned) when they are loaded,
        else once the rows beyond are read in the background."""
        return self.model.read_rows(self._selected_row_numbers(), then)

    def _select_row(self, row: int) -> None:
        self._select_rows([row])

    def _select_rows(self, rows: list[int]) -> None:
        """Select ``rows``; the first becomes the current row."""
        last = self.model.columnCount() - 1
        selection = QItemSelection()
        for row in rows:
            selection.select(self.model.index(row, 0), self.model.index(row, last))
        first = self.model.index(rows[0], bm.COL_TITLE)
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().setCurrentIndex(first, flags.NoUpdate)
        self.table.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)
        self.table.scrollTo(first)

    def _rows_came(self, *_args) -> None:
        """Rows were read (a page scrolled or jumped to): the detail pane and the actions catch
        up with a selection whose rows had not been loaded."""
        if self._shown is None and self.table.selectionModel().hasSelection():
            self._sync_detail()
        if self.table.selectionModel().hasSelection():
            self._update_actions()

    def _selection_changed(self, *_args) -> None:
        self._sync_detail()
        self._update_actions()

    def _sync_detail(self, *, force: bool = False) -> None:
        """Make the detail pane show what is selected: one theory in full, or how many."""
        if not self._fill_in_later.done and self._shown is None:
            return  # shown by _fill_in once the rows are on screen, unless asked for before
        rows = self._selected_row_numbers()
        if len(rows) > 1:
            self._shown = ("several", len(rows))
            self.detail.show_selection(len(rows))
            return
        theory_id = self.model.theory_id(rows[0]) if rows else None
        if force or theory_id != self._shown:
            self._show(theory_id)

    def _show(self, theory_id: int | None) -> None:
        """Show ``theory_id`` in full in the detail pane, read in the background."""
        self._shown = theory_id
        if theory_id is None:
            self.store.ops.cancel("board.detail")
            self.detail.show_theory(None)
            return
        store = self.store

        def shown(theory) -> None:
            if self._shown == theory_id:
                self.detail.me = store.journal.identity.member_id
                self.detail.show_theory(theory, store.now())

        def gone(_exc: JournalError) -> None:  # deleted meanwhile
            if self._shown == theory_id:
                self.detail.show_theory(None)

        store.ops.read(lambda: store.theories.get(theory_id), shown, key="board.detail", failed=gone)

    def _found_again(self, theory_id: int, row: int | None) -> None:
        if row is not None and self.current_id() != theory_id and len(self._selected_row_numbers()) <= 1:
            self._select_rows([row])

    def select_theory(self, theory_id: int) -> None:
        """Show one theory, clearing the search and filters if they hide it."""
        if self._rows_coming():
            # Rows are on their way (a save, a search): select it among them once they come.
            self._then.append(lambda: self._select_now(theory_id, clear=True))
            return
        self._select_now(theory_id, clear=True)

    def _select_now(self, theory_id: int, *, clear: bool) -> None:
        self.model.find_row(theory_id, lambda row: self._select_found(theory_id, row, clear=clear))

    def _select_found(self, theory_id: int, row: int | None, *, clear: bool) -> None:
        if row is None and clear:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filters.clear(emit=False)
            self._reload(
                lambda: self.model.set_query(self.query()),
                fallback_row=0,
                then=lambda: self._select_now(theory_id, clear=False),
            )
            return
        if row is not None:
            self._select_rows([row])
            if self._shown != theory_id:  # asked for by name: show it even before the first paint
                self._show(theory_id)

    def show_character(self, character_id: int) -> None:
        """Show only the theories about one character (the Cast tab asks), once the character
        list it ticks is filled in."""
        self._fill_in_later.run()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

        def filled(characters) -> None:
            self.filters.set_characters(characters)
            self.filters.show_only_character(character_id)

        self.store.ops.read(self.store.cast.characters, filled, key="board.characters")

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- keyboard, menus -------------------------------------------------------------------

    def _make_actions(self) -> None:
        """The board's actions, for its keys, its context menu and the main window's menus.

        Enter, F2, Delete and Ctrl+C act when the table has the focus (Delete in the search
        field deletes a letter); resolving and reopening work anywhere on the board, and so
        does Ctrl+L, which puts the keyboard in the quick entry line.
        """

        def action(text: str, slot, keys, where: QWidget) -> QAction:
            made = QAction(text, self)
            made.setShortcuts([QKeySequence(k) for k in keys])
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.triggered.connect(lambda _checked=False: slot())
            where.addAction(made)
            return made

        self.edit_action = action("&Edit…", self.edit_current, ("F2", *ENTER_KEYS), self.table)
        self.resolve_action = action("&Resolve…", self.resolve_selected, ("Ctrl+R",), self)
        self.void_action = action("&Void…", self.void_selected, ("Ctrl+Shift+V",), self)
        self.reopen_action = action("Re&open", self.reopen_selected, ("Ctrl+Shift+R",), self)
        self.tag_action = action("Add &tag…", self.tag_selected, ("Ctrl+T",), self)
        self.quick_entry_action = action("&Quick entry", self.quick_entry.focus, ("Ctrl+L",), self)
        self.rate_action = action("R&ate theories…", self.rate_selected, (), self)
        self.rate_action.setToolTip(
            "Set the confidence and juiciness of the selected theories (or, with none selected, "
            "of the open ones on screen) in one grid"
        )
        self.delete_action = action(
            "&Delete", self.delete_selected, (QKeySequence.StandardKey.Delete,), self.table
        )
        self.copy_action = action(
            "&Copy title", self.copy_titles, (QKeySequence.StandardKey.Copy,), self.table
        )
        for made in (self.edit_action, self.resolve_action, self.reopen_action, self.delete_action):
            made.setToolTip(f"{made.text().replace('&', '')} ({made.shortcut().toString()})")
        #: In a club: add my own forecast to the selected theory, anyone's (else ``None``).
        self.forecast_action: QAction | None = None
        if self.club:
            self.forecast_action = action("&Forecast…", self.forecast_current, (FORECAST_KEYS,), self)
            self.forecast_action.setToolTip(FORECAST_TIP)
            # Enter on another member's theory, which a member may not edit, forecasts on it
            # instead: the keys move between this action (on the table only) and Edit.
            self._enter_forecasts = False
            self._forecast_on_enter = action("Forecast", self.forecast_current, (), self.table)
            #: What the actions a club may disable say when they are enabled.
            self._tooltips = {made: made.toolTip() for made in self._others_guarded()}
        self._update_actions()

    @property
    def actions_for_menu(self) -> list[QAction | None]:
        """The actions in the order menus show them; ``None`` stands for a separator."""
        forecast = [self.forecast_action] if self.forecast_action is not None else []
        return [
            self.edit_action,
            *forecast,
            self.resolve_action,
            self.void_action,
            self.reopen_action,
            self.tag_action,
            self.rate_action,
            None,
            self.copy_action,
            None,
            self.delete_action,
        ]

    def _update_actions(self) -> None:
        count = self._selected_count()
        loaded: list[TheoryRow] | None = None
        if count > SCAN_MAX:
            any_open = any_resolved = True
        else:
            loaded = self.model.loaded_rows(self._selected_row_numbers())
            # Rows not loaded yet may be either: the action reads them when it is used.
            statuses = {r.status for r in loaded} if loaded is not None else set(TheoryStatus)
            any_open = TheoryStatus.OPEN in statuses
            any_resolved = any(s.is_resolved for s in statuses)
        self.edit_action.setEnabled(count == 1)
        self.resolve_action.setEnabled(any_open)
        self.void_action.setEnabled(any_open)
        self.reopen_action.setEnabled(any_resolved)
        for made in (self.tag_action, self.delete_action, self.copy_action):
            made.setEnabled(count > 0)
        self.rate_action.setEnabled(count > 0 or self.model.rowCount() > 0)
        if self.read_only_reason is not None:
            for made in self._changing_actions():
                made.setEnabled(False)
        elif self.club:
            self._update_club_actions(count, loaded)

    def _update_club_actions(self, count: int, loaded: list[TheoryRow] | None) -> None:
        """In a club: Forecast… acts on one open theory. A member who is not the owner may
        change only their own theories: with another's selected, what would change it is
        disabled, its tooltip saying why (the journal would refuse it), and Enter forecasts.
        Rows not loaded yet (a selection of thousands) are left to that refusal."""
        assert self.forecast_action is not None
        one = loaded[0] if count == 1 and loaded else None
        resolved = one is not None and one.status.is_resolved
        self.forecast_action.setEnabled(one is not None and not resolved)
        self.forecast_action.setToolTip(
            plain_tooltip(f"“{fmt.isolate(one.title)}” is resolved: forecasts are for open theories")
            if one is not None and resolved
            else FORECAST_TIP
        )
        others = self._others(loaded or [])
        why = _not_yours(others, len(loaded or [])) if others else None
        for made in self._others_guarded():
            if why is not None:
                made.setEnabled(False)
            made.setToolTip(why or self._tooltips[made])
        detail = self.detail
        for button in (detail.edit_button, detail.resolve_button, detail.reopen_button, detail.delete_button):
            button.setEnabled(why is None)
            button.setToolTip(why or "")
        self._route_enter(one is not None and bool(others))

    def _others(self, rows: list[TheoryRow]) -> list[TheoryRow]:
        """Those of ``rows`` a member who is not the club's owner may not change: not theirs."""
        who = _identity(self.store)
        if not who.club or who.role is MemberRole.OWNER:
            return []
        return [r for r in rows if r.author_id != who.member_id]

    def _others_guarded(self) -> tuple[QAction, ...]:
        """The actions that change the theories selected (Rate with none selected rates mine)."""
        return (
            self.edit_action,
            self.resolve_action,
            self.void_action,
            self.reopen_action,
            self.tag_action,
            self.rate_action,
            self.delete_action,
        )

    def _route_enter(self, forecasts: bool) -> None:
        """Enter (and Return) edits the selected theory, or with another member's selected,
        forecasts on it; F2 stays Edit's."""
        if forecasts == self._enter_forecasts:
            return
        self._enter_forecasts = forecasts
        enter = [QKeySequence(k) for k in ENTER_KEYS]
        self.edit_action.setShortcuts([QKeySequence("F2"), *([] if forecasts else enter)])
        self._forecast_on_enter.setShortcuts(enter if forecasts else [])

    def _changing_actions(self) -> tuple[QAction, ...]:
        """The board's actions that change the journal (Copy title only reads it)."""
        return (
            *self._others_guarded(),
            self.quick_entry_action,
            *([self.forecast_action] if self.forecast_action is not None else []),
        )

    def _lock_changes(self, reason: str) -> None:
        """A journal that cannot be changed: the quick entry line, New theory, the detail's
        buttons and the board's changing actions are disabled, each tooltip giving ``reason``."""
        for made in self._changing_actions():
            made.setEnabled(False)
            made.setToolTip(reason)
        detail = self.detail
        widgets = (self.quick_entry, self.new_button, detail.edit_button, detail.resolve_button)
        for widget in (*widgets, detail.reopen_button, detail.delete_button):
            widget.setEnabled(False)
            widget.setToolTip(reason)

    def _context_menu(self, pos: QPoint) -> QMenu:
        """The menu for the selected rows (a right-click selects the row under it first)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for made in self.actions_for_menu:
            if made is None:
                menu.addSeparator()
            else:
                menu.addAction(made)
        self._menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu

    def focus_widget(self) -> QWidget:
        """Where the keyboard goes when the board is chosen with Ctrl+1 or Ctrl+Tab: the table,
        with the current theory, so that Ctrl+R, F2 and Delete act at once."""
        return self.table

    # --- actions ---------------------------------------------------------------------------

    def _open(self, dialog) -> None:
        # Non-blocking, so tests and the rest of the window keep running while it is open.
        self._dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _open_when_read(self, read: Callable[[], T], make: Callable[[T], QDialog]) -> Ticket[T]:
        """Read what a dialog shows in the background (``read`` runs on a reader thread), then
        open the dialog ``make`` builds from it. A dialog asked for before that replaces it;
        a refusal (the theory was deleted meanwhile) goes to the window's message."""
        return self.store.ops.read(read, lambda data: self._open(make(data)), key=DIALOG_KEY)

    # The editor and the resolve dialog are imported when first asked for: the board shows its
    # rows without them. Each opens once what it shows has been read.
    def new_theory(self) -> Ticket[Any]:
        from etoile_app.ui.board.editor import EditorData, TheoryEditor

        journal = self.store.journal

        def make(data: EditorData) -> TheoryEditor:
            editor = TheoryEditor(self.store, data, self)
            editor.saved.connect(lambda t: self.select_theory(t.id))
            return editor

        return self._open_when_read(lambda: EditorData.read(journal), make)

    def edit_current(self) -> None:
        """Edit the selected theory (one only: the editor takes one at a time); nothing happens
        when the journal cannot be changed."""
        rows = self.selected_rows()
        if len(rows) != 1 or self.read_only_reason is not None:
            return
        if self._others(rows):  # another member's (a double-click): my forecast on it
            self.forecast_current()
        else:
            self.edit_theory(rows[0].id)

    def forecast_current(self) -> None:
        """In a club, add my own forecast to the selected theory (one), anyone's."""
        rows = self.selected_rows()
        if not self.club or len(rows) != 1 or self.read_only_reason is not None:
            return
        if rows[0].status.is_resolved:
            return  # the action says why it is disabled
        # Imported when first asked for, as the board's other dialogs are.
        from etoile_app.ui.board.forecast_dialog import ask_forecast

        ask_forecast(self, self.store, rows[0].id)

    def edit_theory(self, theory_id: int) -> Ticket[Any]:
        from etoile_app.ui.board.editor import EditorData, TheoryEditor

        journal = self.store.journal
        return self._open_when_read(
            lambda: EditorData.read(journal, theory_id), lambda data: TheoryEditor(self.store, data, self)
        )

    def resolve_theory(self, theory_id: int, preset: TheoryStatus | None = None) -> Ticket[Any]:
        from etoile_app.ui.board.resolve_dialog import ResolveDialog

        theories = self.store.theories

        def read() -> tuple[Theory, int]:
            # The theories voided with it if it is busted or void: the dialog says how many.
            return theories.get(theory_id), len(theories.dependants([theory_id]))

        return self._open_when_read(
            read, lambda found: ResolveDialog(self.store, found[0], self, preset, dependants=found[1])
        )

    def resolve_selected(self, preset: TheoryStatus | None = None) -> Ticket[Any] | None:
        """Resolve the open theories among those selected: one in the resolve dialog, several
        at once in one step."""
        return self.with_selected_rows(lambda rows: self._resolve_rows(rows, preset))

    def _resolve_rows(self, rows: list[TheoryRow], preset: TheoryStatus | None) -> Ticket[Any] | None:
        open_ids = [r.id for r in rows if not r.status.is_resolved]
        if not open_ids:
            return None
        if len(open_ids) == 1:
            return self.resolve_theory(open_ids[0], preset)
        from etoile_app.ui.board.resolve_dialog import BulkResolveDialog, SelectedTheories

        board, theories = self.store.board, self.store.theories
        return self._open_when_read(
            lambda: SelectedTheories.read(board, open_ids, theories),
            lambda selected: BulkResolveDialog(self.store, selected, preset, self),
        )

    def void_selected(self) -> Ticket[Any] | None:
        return self.resolve_selected(TheoryStatus.VOID)

    def reopen_theory(self, theory_id: int) -> QMessageBox | None:
        return self._ask_to_reopen([theory_id])

    def reopen_selected(self) -> QMessageBox | None:
        def ask(rows: list[TheoryRow]) -> QMessageBox | None:
            ids = [r.id for r in rows if r.status.is_resolved]
            return self._ask_to_reopen(ids) if ids else None

        return self.with_selected_rows(ask)

    def _ask_to_reopen(self, ids: list[int]) -> QMessageBox | None:
        """Ask before reopening (Reopen is the default button); the resolutions are kept as
        earlier ones and one Ctrl+Z puts them back."""
        if self.reopen_box is not None:
            self.reopen_box.close()
        if len(ids) == 1:
            # It quotes the resolution, which the board's rows do not hold: read it first.
            theories = self.store.theories
            self.store.ops.read(lambda: theories.get(ids[0]), self._ask_to_reopen_one, key="board:reopen")
            return None
        return self._open_reopen_box(
            ids,
            f"Reopen {len(ids):,} resolved theories?",
            "Each resolution stays in its theory's history as an earlier resolution, and "
            "Edit → Undo takes the reopening back in one step.",
        )

    def _ask_to_reopen_one(self, theory: Theory) -> None:
        if not theory.status.is_resolved:
            return  # reopened meanwhile
        text = f"Reopen “{fmt.isolate(fmt.elide_middle(theory.title, 80))}”?"
        settled = (
            f"{theory.status.label} on {fmt.long_date(theory.resolved_on)}" if theory.resolved_on else ""
        )
        note = f": “{fmt.isolate(theory.resolution_note)}”" if theory.resolution_note else ""
        detail = (
            f"{settled}{note}.\n\nThe resolution stays in the theory's history as an earlier "
            "resolution, and Edit → Undo takes the reopening back."
        )
        self._open_reopen_box([theory.id], text, detail)

    def _open_reopen_box(self, ids: list[int], text: str, detail: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question, APP_TITLE, text, QMessageBox.StandardButton.NoButton, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # titles and notes are the user's text
        box.setInformativeText(detail)
        reopen = box.addButton("Reopen", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(reopen)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is reopen and self._reopen(ids))
        box.finished.connect(self._forget_reopen_box)
        self.reopen_box = box
        box.open()
        return box

    def _forget_reopen_box(self) -> None:
        self.reopen_box = None

    def _reopen(self, ids: list[int]) -> None:
        self.store.reopen_many(ids)  # one step to undo for them all

    def tag_selected(self) -> Ticket[Any] | None:
        return self.with_selected_rows(lambda rows: self._tag_rows([r.id for r in rows]))

    def _tag_rows(self, ids: list[int]) -> Ticket[Any] | None:
        if not ids:
            return None
        from etoile_app.ui.board.tag_dialog import TagData, TagDialog

        board = self.store.board
        return self._open_when_read(
            lambda: TagData.read(board, ids), lambda data: TagDialog(self.store, data, self)
        )

    def rate_selected(self) -> Ticket[Any] | None:
        """Rate the selected theories in one grid; with none selected, the open ones on screen."""
        if self._selected_count():
            return self.with_selected_rows(lambda rows: self._rate_rows([r.id for r in rows]))
        # In a club, a member who is not the owner rates their own theories only.
        others = {r.id for r in self._others(self._rows_on_screen())}
        return self._rate_rows(
            [r.id for r in self._rows_on_screen() if not r.status.is_resolved and r.id not in others]
        )

    def _rows_on_screen(self) -> list[TheoryRow]:
        top = self.table.rowAt(0)
        if top < 0:
            return []
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        last = bottom if bottom >= 0 else self.model.rowCount() - 1
        return [r for r in map(self.model.theory_row, range(top, last + 1)) if r is not None]

    def _rate_rows(self, ids: list[int]) -> Ticket[Any] | None:
        if not ids:
            return None
        from etoile_app.ui.board.rate_dialog import RateDialog, read_rows

        theories = self.store.theories
        return self._open_when_read(
            lambda: read_rows(theories, ids), lambda rows: RateDialog(self.store, rows, self)
        )

    def delete_theory(self, theory_id: int | None) -> None:
        if theory_id is None:
            return
        self.store.delete_theory(
            theory_id,
            done=lambda theory: self._say_deleted(
                f"Deleted “{fmt.isolate(theory.title)}”. Undo with Ctrl+Z."
            ),
        )

    def delete_selected(self) -> None:
        self.with_selected_rows(lambda rows: self._delete_rows([r.id for r in rows]))

    def _delete_rows(self, ids: list[int]) -> None:
        if len(ids) == 1:
            self.delete_theory(ids[0])
        elif ids:
            self.store.delete_many(
                ids, done=lambda _: self._say_deleted(f"Deleted {len(ids):,} theories. Undo with Ctrl+Z.")
            )

    def copy_titles(self) -> None:
        """Copy the selected titles as written, one a line."""

        def copy(rows: list[TheoryRow]) -> None:
            if rows:
                QGuiApplication.clipboard().setText("\n".join(r.title for r in rows))

        self.with_selected_rows(copy)

    def _say_deleted(self, message: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            self._deleted_message = message
            window.statusBar().showMessage(message, 8000)

    # --- state -----------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("board/splitter", self.splitter.saveState())
        settings.setValue("board/detail_splitter", self.detail_splitter.saveState())
        settings.setValue(self._header_key(), self.table.horizontalHeader().saveState())
        selected = self.selected_ids()[:1] or [self.current_id()]
        if selected[0] is None:
            settings.remove("board/theory")
        else:
            settings.setValue("board/theory", selected[0])

    def restore_state(self, settings: QSettings) -> None:
        splitter = settings.value("board/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        detail = settings.value("board/detail_splitter")
        if detail is not None:
            self.detail_splitter.restoreState(detail)
        header = settings.value(self._header_key())
        if header is not None:
            restore_header(self.table.horizontalHeader(), header)  # also from before a new column
            shown = self.table.horizontalHeader()
            self._sort_shown = (shown.sortIndicatorSection(), shown.sortIndicatorOrder())
        # The theory selected when the app closed, if it is still there.
        try:
            theory_id = int(settings.value("board/theory", -1))
        except (TypeError, ValueError):
            return
        if theory_id >= 0:
            # Selected among the rows when they come (they are read in the background).
            self._then.append(lambda: self._select_remembered(theory_id))
            if not self._rows_coming():
                self._after_rows()

    def _header_key(self) -> str:
        # A club's board has more columns: its layout is kept apart from a journal of one's,
        # which would otherwise lose its own to a layout it cannot take.
        return "board/club_header" if self.club else "board/header"

    def _select_remembered(self, theory_id: int) -> None:
        self.model.find_row(theory_id, lambda row: row is not None and self._select_rows([row]))


# --- a club ------------------------------------------------------------------------------------


def _identity(store: object) -> Identity:
    """Who the journal ``store`` holds acts as (a journal of one's owner when it cannot say)."""
    identity = getattr(getattr(store, "journal", None), "identity", None)
    return identity if isinstance(identity, Identity) else SOLO


def _not_yours(others: list[TheoryRow], selected: int) -> str:
    """Why the theories ``others`` (of ``selected``) cannot be changed by this member, as a
    tooltip (a title is the user's text: shown as written, never as HTML)."""
    if selected == 1:
        row = others[0]
        whose = f"{fmt.isolate(row.author)}'s" if row.author else "another member's"
        return plain_tooltip(
            f"“{fmt.isolate(row.title)}” is {whose}: only its author or the club's owner can "
            f"change it. You can add your own forecast to it ({FORECAST_KEYS})."
        )
    return (
        f"{len(others):,} of the {selected:,} selected theories are other members': only their "
        "authors or the club's owner can change them."
    )


# --- several theories at once ----------------------------------------------------------------
