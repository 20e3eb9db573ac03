"""Table model and filter of the canon browser: every fact of the journal, held in memory (a
journal's facts number in the hundreds) and filtered and sorted by a proxy.

While Season 1 story is hidden (:mod:`etoile_app.ui.common.spoilers`), a story fact shows a
placeholder in its cells and tooltips, and the search looks only at what is on show of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from etoile_app.domain.enums import FactStatus, Topic
from etoile_app.domain.models import Fact
from etoile_app.ui.common import fmt
from etoile_app.ui.common.roles import ID_ROLE, RECORD_ROLE, SORT_ROLE
from etoile_app.ui.common.spoilers import HIDDEN_NOTE, fact_citation, fact_line, fact_search_text, is_story
from etoile_app.ui.common.widgets import plain_tooltip

Index = QModelIndex | QPersistentModelIndex

COL_DATE, COL_STATUS, COL_TOPIC, COL_FACT, COL_SOURCE, COL_CITED = range(6)
HEADERS = ("Date", "Status", "Topic", "Fact", "Source", "Cited by")

#: The Status filter's entry for facts that rest on the fan-site article alone.
UNVERIFIED = "unverified"
UNVERIFIED_NOTE = "Unverified: only the fan-site article says this"

_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_STATUS_ORDER = {status: i for i, status in enumerate(FactStatus)}


class FactTableModel(QAbstractTableModel):
    """Every fact given to it, one per row, with how many theories cite each."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._facts: list[Fact] = []
        self._counts: dict[int, int] = {}
        self._search: list[str] = []
        self._story_hidden = False

    def set_facts(self, facts: Sequence[Fact], counts: dict[int, int]) -> None:
        self.beginResetModel()
        self._facts = list(facts)
        self._counts = dict(counts)
        self._search = [fact_search_text(f, self._story_hidden) for f in self._facts]
        self.endResetModel()

    def story_hidden(self) -> bool:
        return self._story_hidden

    def set_story_hidden(self, hidden: bool) -> None:
        """Hide or show the text of the Season 1 story facts, in place (the selection stays)."""
        if hidden == self._story_hidden:
            return
        self._story_hidden = hidden
        self._search = [fact_search_text(f, hidden) for f in self._facts]
        if self._facts:
            last = self.index(len(self._facts) - 1, len(HEADERS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def hides(self, fact: Fact) -> bool:
        return self._story_hidden and is_story(fact)

    def fact(self, row: int) -> Fact:
        return self._facts[row]

    def facts(self) -> list[Fact]:
        return list(self._facts)

    def search_text(self, row: int) -> str:
        return self._search[row]

    def row_of(self, fact_id: int) -> int | None:
        return next((i for i, f in enumerate(self._facts) if f.id == fact_id), None)

    def cited(self, fact_id: int) -> int:
        return self._counts.get(fact_id, 0)

    # --- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._facts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._facts):
            return None
        fact, column = self._facts[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(fact, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._tooltip(fact, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_CITED:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == SORT_ROLE:
            return self._sort_value(fact, column)
        if role == ID_ROLE:
            return fact.id
        if role == RECORD_ROLE:
            return fact
        return None

    def _display(self, fact: Fact, column: int) -> str:
        if column == COL_DATE:
            return fmt.short_date(fact.as_of)
        if column == COL_STATUS:
            return fact.shown_status.label
        if column == COL_TOPIC:
            return fact.topic.label
        if column == COL_FACT:
            return fact_line(fact, self._story_hidden)
        if column == COL_SOURCE:
            return fact.source
        count = self.cited(fact.id)
        return str(count) if count else ""

    def _tooltip(self, fact: Fact, column: int) -> str:
        if column == COL_FACT:
            if self.hides(fact):
                lines = [HIDDEN_NOTE]
            else:
                lines = [fact.headline, fact.statement] if fact.headline else [fact.statement]
            if not fact.verified:
                lines.append(UNVERIFIED_NOTE)
            if fact.is_retracted:
                lines.append("Retracted")
            return "\n".join(lines)
        if column == COL_SOURCE:
            return fact_citation(fact, self._story_hidden)
        if column == COL_DATE:
            return fmt.long_date(fact.as_of)
        if column == COL_CITED:
            count = self.cited(fact.id)
            return f"{fmt.count(count, 'theory', 'theories')} cite this"
        return self._display(fact, column)

    def _sort_value(self, fact: Fact, column: int) -> Any:
        if column == COL_DATE:
            return fact.as_of.toordinal()
        if column == COL_STATUS:
            return _STATUS_ORDER[fact.shown_status]
        if column == COL_CITED:
            return self.cited(fact.id)
        return self._display(fact, column).casefold()


class FactFilter(QSortFilterProxyModel):
    """Which facts to show: every word of the search, and the chosen topic, status and source."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._words: list[str] = []
        self._topic: Topic | None = None
        self._status: FactStatus | str | None = None
        self._source: str | None = None

    def _change(self, name: str, value: Any) -> None:
        if getattr(self, name) != value:
            self.beginFilterChange()
            setattr(self, name, value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        self._change("_words", text.casefold().split())

    def set_topic(self, topic: Topic | None) -> None:
        self._change("_topic", topic)

    def set_status(self, status: FactStatus | str | None) -> None:
        """A shown status, :data:`UNVERIFIED`, or ``None`` for every status."""
        self._change("_status", status)

    def set_source(self, outlet: str | None) -> None:
        self._change("_source", outlet)

    def refilter(self) -> None:
        """Filter again: what the search looks in has changed (Season 1 story hidden or shown)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model: FactTableModel = self.sourceModel()  # type: ignore[assignment]
        fact = model.fact(source_row)
        if self._topic is not None and fact.topic is not self._topic:
            return False
        if self._status == UNVERIFIED:
            if fact.verified:
                return False
        elif self._status is not None and fact.shown_status is not self._status:
            return False
        if self._source is not None and fact.source != self._source:
            return False
        text = model.search_text(source_row)
        return all(word in text for word in self._words)
