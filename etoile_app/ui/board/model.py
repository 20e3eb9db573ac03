"""The theory board's table model: counts in SQL, loads rows a page at a time as they scroll in.

It never holds more than a few pages of rows, so 100,000 theories cost a count and one page
per screenful, and filtering and sorting are SQL queries.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from etoile_app.domain.models import SortKey, TheoryQuery, TheoryRow
from etoile_app.ui.common import fmt
from etoile_app.ui.common.roles import ID_ROLE, RECORD_ROLE
from etoile_app.ui.common.widgets import plain_tooltip

if TYPE_CHECKING:
    from etoile_app.services.board import BoardService

Index = QModelIndex | QPersistentModelIndex

COL_TITLE, COL_CATEGORY, COL_CHARACTERS, COL_TAGS, COL_CONFIDENCE, COL_JUICINESS, COL_STATUS, COL_UPDATED = (
    range(8)
)
HEADERS = ("Title", "Category", "Characters", "Tags", "Confidence", "Juiciness", "Status", "Updated")
SORT_KEYS = (
    SortKey.TITLE,
    SortKey.CATEGORY,
    SortKey.CHARACTERS,
    SortKey.TAGS,
    SortKey.CONFIDENCE,
    SortKey.JUICINESS,
    SortKey.STATUS,
    SortKey.UPDATED,
)

# Flags and alignments are made once: combining Qt enums in Python costs a call each time.
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        ID_ROLE,
        RECORD_ROLE,
    )
)

PAGE_SIZE = 100
PAGES_KEPT = 80


class TheoryTableModel(QAbstractTableModel):
    def __init__(self, board: BoardService, parent=None) -> None:
        super().__init__(parent)
        self._board = board
        self._query = TheoryQuery()
        self._count = 0
        self._pages: OrderedDict[int, list[TheoryRow]] = OrderedDict()

    # --- the query -------------------------------------------------------------------------

    def query(self) -> TheoryQuery:
        return self._query

    def set_query(self, query: TheoryQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._reload()
        self.endResetModel()

    def refresh(self) -> None:
        """Reload after the data changed, keeping the query."""
        self.set_query(self._query)

    def _reload(self) -> None:
        self._pages.clear()
        self._count = self._board.count(self._query)

    def row_of(self, theory_id: int, *, first_page: bool = False) -> int | None:
        """The row of ``theory_id``, or ``None`` when the query does not show it.

        Rows already loaded are looked at first. ``first_page=True`` looks no further than the
        first page: it is what the view shows after a reset, and it spares a pass over every
        match on each keystroke of a search.
        """
        if self._count and 0 not in self._pages:
            self._row(0)
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == theory_id:
                    return number * PAGE_SIZE + offset
        if first_page or self._count <= PAGE_SIZE:
            return None
        return self._board.position(self._query, theory_id)

    def theory_id(self, row: int) -> int | None:
        found = self._row(row)
        return found.id if found else None

    def theory_row(self, row: int) -> TheoryRow | None:
        """The board row shown at ``row`` (loading its page if need be), or ``None``."""
        return self._row(row)

    def _row(self, row: int) -> TheoryRow | None:
        if not 0 <= row < self._count:
            return None
        number = row // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            page = self._board.page(self._query, number * PAGE_SIZE, PAGE_SIZE)
            self._pages[number] = page
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row - number * PAGE_SIZE
        return page[offset] if offset < len(page) else None

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (COL_CONFIDENCE, COL_JUICINESS):
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for a dozen roles per cell on every paint; most are not ours.
        if role not in _ROLES or not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Qt shows a tooltip that looks like HTML as HTML: user text is escaped.
            if column in (COL_TITLE, COL_CHARACTERS, COL_TAGS):
                return plain_tooltip(_display(row, column))
            if column == COL_UPDATED:
                updated, written = fmt.local_datetime(row.updated_at), fmt.local_datetime(row.created_at)
                return plain_tooltip(f"Updated {updated}; written {written}")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRED if column in (COL_CONFIDENCE, COL_JUICINESS) else _LEFT
        if role == ID_ROLE:
            return row.id
        if role == RECORD_ROLE:
            return row
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(SORT_KEYS):
            descending = order == Qt.SortOrder.DescendingOrder
            self.set_query(replace(self._query, sort=SORT_KEYS[column], descending=descending))


class TitleDelegate(QStyledItemDelegate):
    """Draws a title too long for its cell elided in the middle, so both its start and its end
    stay readable (its tooltip holds the whole title)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def _display(row: TheoryRow, column: int) -> str:
    # User text is isolated (fmt.isolate): a right-to-left override in one title or tag must
    # not reorder what the cell shows after it.
    if column == COL_TITLE:
        return fmt.isolate(row.title)
    if column == COL_CATEGORY:
        return row.category.label
    if column == COL_CHARACTERS:
        return ", ".join(map(fmt.isolate, row.characters))
    if column == COL_TAGS:
        return "  ".join(map(fmt.isolate, row.tags))
    if column == COL_CONFIDENCE:
        return fmt.percent(row.confidence)
    if column == COL_JUICINESS:
        return fmt.stars(row.juiciness)
    if column == COL_STATUS:
        return row.status.label
    if column == COL_UPDATED:
        return fmt.short_date(row.updated_at.astimezone().date())
    return ""
