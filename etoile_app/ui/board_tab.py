"""The theory board: search, filters, the table of theories, and the selected theory in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import TheoryQuery
from etoile_app.ui import board_model as bm
from etoile_app.ui import fmt
from etoile_app.ui.board_filters import FilterPanel
from etoile_app.ui.store import Store
from etoile_app.ui.theory_detail import TheoryDetail
from etoile_app.ui.widgets import after_first_paint

if TYPE_CHECKING:
    from etoile_app.ui.resolve_dialog import ResolveDialog
    from etoile_app.ui.theory_editor import TheoryEditor

COLUMN_WIDTHS = {
    bm.COL_CATEGORY: 130,
    bm.COL_CHARACTERS: 170,
    bm.COL_TAGS: 170,
    bm.COL_CONFIDENCE: 92,
    bm.COL_JUICINESS: 84,
    bm.COL_STATUS: 86,
    bm.COL_UPDATED: 100,
}


class BoardTab(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = bm.TheoryTableModel(store.board, self)
        self._dialog = None
        self._shown_id: int | None = None

        # Left: filters.
        self.filters = FilterPanel()
        self.filters.changed.connect(self.apply_filters)
        filter_scroll = QScrollArea()
        filter_scroll.setWidgetResizable(True)
        filter_scroll.setFrameShape(QFrame.Shape.NoFrame)
        filter_scroll.setWidget(self.filters)
        filter_scroll.setMinimumWidth(200)

        # Middle: search, count and the table.
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, text, tags and characters  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search theories")
        self.search.textChanged.connect(self.apply_filters)
        self.count_label = QLabel()
        self.new_button = QPushButton("New theory…")
        self.new_button.clicked.connect(self.new_theory)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.new_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(bm.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(bm.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_current())
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")

        listing = QWidget()
        list_layout = QVBoxLayout(listing)
        list_layout.setContentsMargins(0, 0, 0, 0)
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

        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.activated.connect(lambda: self.delete_theory(self.current_id()))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self.table).activated.connect(self.edit_current)

        store.theoriesChanged.connect(self._theories_changed)
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
        return TheoryQuery(
            text=self.search.text(),
            statuses=self.filters.statuses(),
            categories=self.filters.categories(),
            character_ids=self.filters.character_ids(),
            tags=self.filters.tag_names(),
            confidence_min=low,
            confidence_max=high,
            sort=current.sort,
            descending=current.descending,
        )

    def apply_filters(self) -> None:
        keep = self.current_id()
        self.model.set_query(self.query())
        # The view is back at the top after a new query: keep the selection if it is there.
        self._after_reload(keep, first_page=True)

    def _after_reload(self, keep: int | None, fallback_row: int = 0, *, first_page: bool = False) -> None:
        total = self.model.rowCount()
        self.count_label.setText(f"{total:,} theor{'y' if total == 1 else 'ies'}")
        filtered = bool(self.search.text().strip()) or self.filters.is_active()
        if total == 0:
            self.empty_label.setText(
                "No theory matches. Try fewer words or clear the filters."
                if filtered
                else "No theories yet. Write one with “New theory…”, "
                "or adopt some from File → Adopt starter theories."
            )
        self.empty_label.setVisible(total == 0)
        row = self.model.row_of(keep, first_page=first_page) if keep is not None else None
        if row is None and total:
            # The selected theory dropped out (filtered, deleted): show its neighbour instead of nothing.
            row = min(fallback_row, total - 1)
        if row is not None:
            self._select_row(row)
        else:
            self.detail.show_theory(None)

    def _fill_in(self) -> None:
        self._fill_filter_lists()
        self._show(self.current_id())

    def _fill_filter_lists(self) -> None:
        self.filters.set_characters(self.store.cast.characters())
        self.filters.set_tags(self.store.board.tags())

    def _theories_changed(self, ids: tuple) -> None:
        self.filters.set_tags(self.store.board.tags())
        keep = self.current_id()
        old_row = max(0, self.table.currentIndex().row())
        self.model.refresh()
        self._after_reload(keep, old_row)
        if keep is not None and self.model.row_of(keep) is not None:
            self._show(keep)

    # --- selection -------------------------------------------------------------------------

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.theory_id(index.row()) if index.isValid() else None

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, bm.COL_TITLE)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def _current_changed(self, current, _previous) -> None:
        theory_id = self.model.theory_id(current.row()) if current.isValid() else None
        if theory_id is not None and theory_id == self._shown_id:
            return  # the same theory, re-selected after a new query: its detail is current
        if not self._fill_in_later.done and theory_id is not None:
            return  # shown by _fill_in, once the rows are on screen
        self._show(theory_id)

    def _show(self, theory_id: int | None) -> None:
        self._shown_id = theory_id
        if theory_id is None:
            self.detail.show_theory(None)
            return
        try:
            self.detail.show_theory(self.store.theories.get(theory_id), self.store.now())
        except JournalError:
            self.detail.show_theory(None)

    def select_theory(self, theory_id: int) -> None:
        """Show one theory, clearing the search and filters if they hide it."""
        row = self.model.row_of(theory_id)
        if row is None:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filters.clear(emit=False)
            self.model.set_query(self.query())
            self._after_reload(None)
            row = self.model.row_of(theory_id)
        if row is not None:
            self._select_row(row)
            if self._shown_id != theory_id:  # asked for by name: show it even before the first paint
                self._show(theory_id)

    def show_character(self, character_id: int) -> None:
        self._fill_in_later.run()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.filters.show_only_character(character_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- actions ---------------------------------------------------------------------------

    def _open(self, dialog) -> None:
        # Non-blocking, so tests and the rest of the window keep running while it is open.
        self._dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # The editor and the resolve dialog are imported when first opened: the board shows its
    # rows without them.
    def new_theory(self) -> TheoryEditor:
        from etoile_app.ui.theory_editor import TheoryEditor

        editor = TheoryEditor(self.store, None, self)
        editor.saved.connect(lambda t: self.select_theory(t.id))
        self._open(editor)
        return editor

    def edit_current(self) -> None:
        theory_id = self.current_id()
        if theory_id is not None:
            self.edit_theory(theory_id)

    def edit_theory(self, theory_id: int) -> TheoryEditor:
        from etoile_app.ui.theory_editor import TheoryEditor

        editor = TheoryEditor(self.store, self.store.theories.get(theory_id), self)
        self._open(editor)
        return editor

    def resolve_theory(self, theory_id: int) -> ResolveDialog:
        from etoile_app.ui.resolve_dialog import ResolveDialog

        dialog = ResolveDialog(self.store, self.store.theories.get(theory_id), self)
        self._open(dialog)
        return dialog

    def reopen_theory(self, theory_id: int) -> None:
        self._run(lambda: self.store.reopen(theory_id))

    def delete_theory(self, theory_id: int | None) -> None:
        if theory_id is None:
            return
        theory = self.store.theories.get(theory_id)
        if self._run(lambda: self.store.delete_theory(theory_id)):
            window = self.window()
            if hasattr(window, "statusBar"):
                title = fmt.isolate(theory.title)
                window.statusBar().showMessage(f"Deleted “{title}”. Undo with Ctrl+Z.", 8000)

    def _run(self, action) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from etoile_app.ui.transfer_actions import APP_TITLE
        from etoile_app.ui.widgets import tell

        try:
            action()
        except JournalError as exc:
            tell(self, QMessageBox.Icon.Warning, APP_TITLE, exc.message)
            return False
        return True

    # --- state -----------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("board/splitter", self.splitter.saveState())
        settings.setValue("board/detail_splitter", self.detail_splitter.saveState())
        settings.setValue("board/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        splitter = settings.value("board/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        detail = settings.value("board/detail_splitter")
        if detail is not None:
            self.detail_splitter.restoreState(detail)
        header = settings.value("board/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
