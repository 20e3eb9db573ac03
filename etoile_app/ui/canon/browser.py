"""The canon browser: every fact of every topic, searchable and filterable, with its timeline
and the theories that cite it.

Opened from the Status tab, the main window's menu and (in pick mode, to choose evidence) the
theory editor. The facts of a journal number in the hundreds, so the model holds them all and a
proxy filters and sorts them in memory. They are read off the GUI thread, and so is the detail
of the fact selected: walking through the list asks for each fact's detail in turn, each asking
replaces the one before, and the pane keeps what it shows until the last one comes.

While Season 1 spoilers are hidden (the window's View menu), the facts of the Season 1 story
keep their date, status, topic and outlet, and show a placeholder instead of their text in the
list, the detail, the timeline and the tooltips; the search does not look in their text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import FactOrigin, FactStatus, Topic
from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import Fact, FactDetail
from etoile_app.ui.canon.models import (
    COL_CITED,
    COL_DATE,
    COL_FACT,
    COL_SOURCE,
    COL_STATUS,
    COL_TOPIC,
    HEADERS,
    ID_ROLE,
    UNVERIFIED,
    UNVERIFIED_NOTE,
    FactFilter,
    FactTableModel,
)
from etoile_app.ui.common import fmt
from etoile_app.ui.common.spoilers import (
    OPEN_HIDDEN_SOURCE,
    HiddenStoryNote,
    SpoilerGuard,
    guard_for,
    outlet_only,
)
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import Badge, PlainLabel, muted, plain_tooltip

SETTINGS_GEOMETRY = "canon_browser/geometry"
SETTINGS_SPLITTER = "canon_browser/splitter"

__all__ = [
    "COL_CITED",
    "COL_DATE",
    "COL_FACT",
    "COL_SOURCE",
    "COL_STATUS",
    "COL_TOPIC",
    "HEADERS",
    "UNVERIFIED",
    "UNVERIFIED_NOTE",
    "CanonBrowser",
    "open_canon_browser",
]


class CanonBrowser(QDialog):
    """Every canon fact in a table, the chosen one's detail beside it.

    In pick mode a "Use as evidence" button emits :attr:`factPicked` and closes the browser.
    Whether Season 1 story shows follows ``spoilers``, by default the guard of the window the
    browser opens over.
    """

    factPicked = Signal(int)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        pick: bool = False,
        spoilers: SpoilerGuard | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.pick = pick
        self.spoilers = spoilers if spoilers is not None else guard_for(parent, owner=self)
        self.detail: FactDetail | None = None
        # The facts are read off the GUI thread: a fact asked for before they have come is
        # selected once they do.
        self._loading = False
        self._wanted: tuple[int, bool] | None = None
        self.setWindowTitle("Canon browser")
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self.resize(1100, 700)

        self.model = FactTableModel(self)
        self.model.set_story_hidden(self.spoilers.hidden())
        self.proxy = FactFilter(self)
        self.proxy.setSourceModel(self.model)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._list_side())
        splitter.addWidget(self._detail_side())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 400])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.use_button = QPushButton("Use as evidence")
        self.use_button.setAccessibleName("Use as evidence")
        self.use_button.setDefault(True)
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_current)
        self.use_button.setVisible(pick)
        self.close_button = QPushButton("Cancel" if pick else "Close")
        self.close_button.setAccessibleName(self.close_button.text())
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

        store.canonChanged.connect(self.refresh)
        store.theoriesChanged.connect(self._theories_changed)
        self.spoilers.changed.connect(self._spoilers_changed)
        self._restore_state()
        self.refresh()
        self.table.sortByColumn(COL_DATE, Qt.SortOrder.DescendingOrder)

    # --- building --------------------------------------------------------------------------

    def _list_side(self) -> QWidget:
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search facts, sources…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search facts")
        self.search.textChanged.connect(self._filters_changed)
        column.addWidget(self.search)

        filters = QHBoxLayout()
        self.topic_filter = self._combo(
            "Topic filter", [("All topics", None)] + [(t.label, t.value) for t in Topic]
        )
        self.status_filter = self._combo(
            "Status filter",
            [("All statuses", None)]
            + [(s.label, s.value) for s in FactStatus]
            + [("Unverified (article only)", UNVERIFIED)],
        )
        self.source_filter = self._combo("Source filter", [("All sources", None)])
        self.retracted_box = QCheckBox("Show retracted news")
        self.retracted_box.setAccessibleName("Show retracted news")
        self.retracted_box.toggled.connect(self.refresh)
        for widget in (self.topic_filter, self.status_filter, self.source_filter):
            filters.addWidget(widget, 1)
        filters.addWidget(self.retracted_box)
        column.addLayout(filters)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Canon facts")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_FACT, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (COL_DATE, 94),
            (COL_STATUS, 92),
            (COL_TOPIC, 120),
            (COL_SOURCE, 110),
            (COL_CITED, 64),
        ):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(self._row_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        column.addWidget(self.table, 1)

        self.count_label = muted(QLabel())
        self.count_label.setAccessibleName("Facts shown")
        column.addWidget(self.count_label)
        return side

    def _combo(self, name: str, entries: list[tuple[str, str | None]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for text, data in entries:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._filters_changed)
        return combo

    def _detail_side(self) -> QWidget:
        self.detail_stack = QStackedWidget()
        self.placeholder = muted(QLabel("Select a fact to see where it comes from and what became of it."))
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setAccessibleName("No fact selected")
        self.detail_stack.addWidget(self.placeholder)

        page = QWidget()
        column = QVBoxLayout(page)
        top = QHBoxLayout()
        self.badge = Badge()
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        self.headline = PlainLabel()
        self.headline.setAccessibleName("Headline")
        bold = QFont(self.headline.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.headline.setFont(bold)
        top.addWidget(self.headline, 1)
        column.addLayout(top)

        self.topic_label = self._muted_plain("Topic and date")
        self.your_news = PlainLabel(FactOrigin.USER.label)
        self.your_news.setAccessibleName("Your news")
        self.retracted_note = PlainLabel()
        self.retracted_note.setAccessibleName("Retracted")
        self.unverified_note = PlainLabel(UNVERIFIED_NOTE)
        self.unverified_note.setAccessibleName("Unverified")
        self.unverified_note.setStyleSheet("color: #b8730a;")  # the rumoured-badge amber
        self.statement = PlainLabel()
        self.statement.setAccessibleName("Statement")
        self.hidden_note = HiddenStoryNote(self.spoilers)
        self.hidden_note.hide()
        for widget in (
            self.topic_label,
            self.your_news,
            self.retracted_note,
            self.unverified_note,
            self.statement,
            self.hidden_note,
        ):
            column.addWidget(widget)

        column.addWidget(self._heading("Source"))
        self.source_label = PlainLabel()
        self.source_label.setAccessibleName("Source")
        column.addWidget(self.source_label)
        self.open_source_button = QPushButton("Open source")
        self.open_source_button.setAccessibleName("Open source")
        self.open_source_button.setAutoDefault(False)
        self.open_source_button.clicked.connect(self.open_source)
        column.addWidget(self.open_source_button, 0, Qt.AlignmentFlag.AlignLeft)

        column.addWidget(self._heading("Timeline"))
        self.timeline_list = self._list("Timeline")
        self.timeline_list.itemClicked.connect(self._timeline_chosen)
        self.timeline_list.itemActivated.connect(self._timeline_chosen)
        self.no_timeline = self._muted_plain("No timeline")
        self.no_timeline.setText("Nothing overtook or corrected this, and it overtook nothing.")
        column.addWidget(self.timeline_list, 1)
        column.addWidget(self.no_timeline)

        column.addWidget(self._heading("Theories citing it"))
        self.citing_list = self._list("Theories citing it")
        self.citing_list.itemActivated.connect(self._theory_chosen)
        self.no_citing = self._muted_plain("No theories")
        self.no_citing.setText("No theory cites this yet.")
        column.addWidget(self.citing_list, 1)
        column.addWidget(self.no_citing)

        self.characters_heading = self._heading("About")
        self.characters_label = PlainLabel()
        self.characters_label.setAccessibleName("Characters")
        column.addWidget(self.characters_heading)
        column.addWidget(self.characters_label)
        column.addStretch(0)  # takes the room only when both lists are hidden

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setAccessibleName("Fact detail")
        self.detail_stack.addWidget(scroll)
        return self.detail_stack

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setAccessibleName(text)
        return label

    def _muted_plain(self, name: str) -> PlainLabel:
        label = PlainLabel()
        label.setAccessibleName(name)
        muted(label)
        return label

    def _list(self, name: str) -> QListWidget:
        widget = QListWidget()
        widget.setAccessibleName(name)
        widget.setWordWrap(True)
        widget.setSpacing(2)
        widget.setAlternatingRowColors(True)
        widget.setMinimumHeight(90)
        return widget

    # --- filling in ------------------------------------------------------------------------

    def refresh(self, *_: object) -> None:
        """Reload the facts (the journal changed, or retracted news was shown or hidden) off the
        GUI thread, keeping the filters and the selected fact. A reload asked for while one is
        under way replaces it."""
        canon, retracted = self.store.canon, self.retracted_box.isChecked()

        def work() -> tuple[tuple[Fact, ...], dict[int, int]]:
            return tuple(canon.facts(retracted=retracted)), canon.citing_counts()

        self._loading = True
        self.store.ops.read(
            work,
            self._when_alive(self._show_facts),
            key=f"canon.facts.{id(self)}",
            failed=self._when_alive(self._read_refused),
        )

    def _read_refused(self, error: JournalError) -> None:
        self._loading, self._wanted = False, None
        self.store.ops.failed.emit(error)

    def _when_alive(self, apply: Callable[..., object]) -> Callable[..., None]:
        # A browser closed while its read was under way has nothing to fill.
        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                apply(*args)

        return call

    def _show_facts(self, result: tuple[tuple[Fact, ...], dict[int, int]]) -> None:
        facts, counts = result
        self._loading = False
        keep = self.current_fact_id()
        self.model.set_facts(facts, counts)
        self._fill_sources(facts)
        self._update_count()
        wanted, self._wanted = self._wanted, None
        if wanted is not None and self.select_fact(wanted[0], clear_filters=wanted[1]):
            return
        if keep is None or not self.select_fact(keep, clear_filters=False):
            self._show_detail(None)

    def _spoilers_changed(self, shown: bool) -> None:
        """Season 1 story shown or hidden: the rows change in place, the search looks again (a
        row found by its story no longer is), and the detail on show is drawn again."""
        self.model.set_story_hidden(not shown)
        self.proxy.refilter()
        self._update_count()
        if self.detail is not None and self.current_fact_id() == self.detail.fact.id:
            self._show_detail(self.detail)

    def _theories_changed(self, _ids: tuple = ()) -> None:
        # Citing counts and the citing list follow the theories (a deletion, a new title).
        self.refresh()

    def _fill_sources(self, facts: Sequence[Fact]) -> None:
        chosen = self.source_filter.currentData()
        outlets = sorted({f.source for f in facts}, key=lambda s: (s.casefold(), s))
        self.source_filter.blockSignals(True)
        self.source_filter.clear()
        self.source_filter.addItem("All sources", None)
        for outlet in outlets:
            self.source_filter.addItem(outlet, outlet)
        index = self.source_filter.findData(chosen) if chosen is not None else 0
        self.source_filter.setCurrentIndex(max(index, 0))
        self.source_filter.blockSignals(False)
        self.proxy.set_source(self.source_filter.currentData())

    def _filters_changed(self, *_: object) -> None:
        topic, status = self.topic_filter.currentData(), self.status_filter.currentData()
        self.proxy.set_text(self.search.text())
        self.proxy.set_topic(Topic(topic) if topic else None)
        self.proxy.set_status(status if status in (None, UNVERIFIED) else FactStatus(status))
        self.proxy.set_source(self.source_filter.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown:,} of {fmt.count(total, 'fact')}")

    def clear_filters(self) -> None:
        for combo in (self.topic_filter, self.status_filter, self.source_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._filters_changed()

    # --- selection -------------------------------------------------------------------------

    def current_fact_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def select_fact(self, fact_id: int, *, clear_filters: bool = True) -> bool:
        """Select ``fact_id`` and scroll to it. A fact the filters hide is shown by clearing
        them (and showing retracted news when it is one) unless ``clear_filters`` is false.

        While the facts are being read, the fact is selected once they come (and True returned)."""
        if self._loading:
            self._wanted = (fact_id, clear_filters)
            return True
        row = self.model.row_of(fact_id)
        if row is None and clear_filters and not self.retracted_box.isChecked():
            self._wanted = (fact_id, True)  # selected once the retracted news has come too
            self.retracted_box.setChecked(True)  # refreshes
            return True
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            if not clear_filters:
                return False
            self.clear_filters()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def current_fact(self) -> Fact | None:
        """The selected fact as the list has it (no query)."""
        fact_id = self.current_fact_id()
        row = self.model.row_of(fact_id) if fact_id is not None else None
        return self.model.fact(row) if row is not None else None

    def _selection_changed(self, *_: object) -> None:
        fact = self.current_fact()
        if fact is None:
            self._show_detail(None)
            return
        # Retracted news cannot be picked as evidence: said at once, so a quick Use (or a
        # double-click in pick mode) never goes by the fact shown before.
        self.use_button.setEnabled(not fact.is_retracted)
        canon, fact_id = self.store.canon, fact.id
        self.store.ops.read(
            lambda: canon.detail(fact_id),
            self._when_alive(self._show_detail),
            key=self._detail_key(),
            failed=self._when_alive(self._detail_refused),
        )

    def _detail_key(self) -> str:
        return f"canon.detail.{id(self)}"

    def _detail_refused(self, error: JournalError) -> None:
        self._show_detail(None)
        self.store.ops.failed.emit(error)

    def _show_detail(self, detail: FactDetail | None) -> None:
        self.detail = detail
        if detail is None:
            self.store.ops.cancel(self._detail_key())  # a detail still on its way is not shown
            self.detail_stack.setCurrentIndex(0)
            self.use_button.setEnabled(False)
            return
        fact = detail.fact
        hidden = self.model.hides(fact)
        self.detail_stack.setCurrentIndex(1)
        self.badge.set_status(fact.shown_status)
        self.headline.setText(self.spoilers.line(fact))
        self.topic_label.setText(f"{fact.topic.label} · as of {fmt.long_date(fact.as_of)}")
        self.your_news.setVisible(fact.origin is FactOrigin.USER)
        self.retracted_note.setVisible(fact.is_retracted)
        if fact.retracted_at is not None:
            self.retracted_note.setText(
                f"Retracted on {fmt.long_date(fact.retracted_at.astimezone().date())}"
            )
        self.unverified_note.setVisible(not fact.verified)
        # The headline already says it when there is no headline.
        self.statement.setText("" if hidden else fact.statement)
        self.statement.setVisible(bool(fact.headline) and not hidden)
        self.hidden_note.setVisible(hidden)
        self.source_label.setText(_source_block(fact, hidden))
        self.open_source_button.setEnabled(_openable(fact.source_url))
        if hidden and fact.source_url:
            self.open_source_button.setToolTip(OPEN_HIDDEN_SOURCE)
        else:
            self.open_source_button.setToolTip(plain_tooltip(fact.source_url) if fact.source_url else "")

        self.timeline_list.clear()
        entries = [("Supersedes", f) for f in detail.supersedes]
        entries += [("Superseded by", detail.superseded_by)] if detail.superseded_by else []
        entries += [("Contradicts", f) for f in detail.contradicts]
        entries += [("Contradicted by", detail.contradicted_by)] if detail.contradicted_by else []
        for relation, other in entries:
            text = f"{relation}: {self.spoilers.line(other)}\n{other.shown_status.label} · {other.source} · "
            item = QListWidgetItem(text + fmt.short_date(other.as_of))
            item.setData(ID_ROLE, other.id)
            item.setToolTip(
                plain_tooltip(f"{self.spoilers.statement(other)}\n{self.spoilers.citation(other)}")
            )
            self.timeline_list.addItem(item)
        self.timeline_list.setVisible(bool(entries))
        self.no_timeline.setVisible(not entries)

        self.citing_list.clear()
        for theory in detail.citing:
            item = QListWidgetItem(f"{theory.title}\n{theory.stance.label} · {theory.status.label}")
            item.setData(ID_ROLE, theory.id)
            item.setToolTip(plain_tooltip(f"{theory.title}\nDouble-click to show it on the board"))
            self.citing_list.addItem(item)
        self.citing_list.setVisible(bool(detail.citing))
        self.no_citing.setVisible(not detail.citing)

        names = ", ".join(c.name for c in detail.characters)
        self.characters_label.setText(names)
        self.characters_heading.setVisible(bool(names))
        self.characters_label.setVisible(bool(names))
        # Retracted news is no longer evidence anywhere, so it cannot be picked as evidence.
        self.use_button.setEnabled(not fact.is_retracted)

    # --- actions ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        fact_id = self.current_fact_id()
        menu = self.fact_menu(fact_id) if fact_id is not None else None
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(pos))

    def fact_menu(self, fact_id: int) -> QMenu | None:
        """What applies to a fact of the list: copy it, open its source, and for your own news
        edit or retract it (both undoable). None for a fact the list does not hold."""
        row = self.model.row_of(fact_id)
        if row is None:
            return None
        fact = self.model.fact(row)  # as read with the list: the menu asks nothing of the journal
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        copy = menu.addAction("&Copy statement")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(fact.statement))
        copy.setEnabled(not self.model.hides(fact))  # hidden story stays hidden
        source = menu.addAction("&Open source")
        source.setEnabled(_openable(fact.source_url))
        source.triggered.connect(lambda: QDesktopServices.openUrl(QUrl(fact.source_url)))
        if fact.origin is FactOrigin.USER and not fact.is_retracted:
            menu.addSeparator()
            edit = menu.addAction("&Edit news…")
            edit.triggered.connect(lambda: self._edit_news(fact))
            retract = menu.addAction("&Retract news")
            retract.triggered.connect(lambda: self.store.retract_news(fact.id))
        return menu

    def _edit_news(self, fact: Fact) -> None:
        from etoile_app.ui.canon.news_dialog import open_news

        open_news(self.store, self, fact.topic, fact=fact)

    def open_source(self) -> None:
        if self.detail is not None and _openable(self.detail.fact.source_url):
            QDesktopServices.openUrl(QUrl(self.detail.fact.source_url))

    def use_current(self) -> None:
        fact_id = self.current_fact_id()
        if self.pick and fact_id is not None and self.use_button.isEnabled():
            self.factPicked.emit(fact_id)
            self.accept()

    def _row_activated(self, _index: QModelIndex) -> None:
        if self.pick:
            self.use_current()

    def _timeline_chosen(self, item: QListWidgetItem) -> None:
        # After the click is handled: selecting rebuilds the list the item belongs to.
        fact_id = item.data(ID_ROLE)
        QTimer.singleShot(0, self, lambda: self.select_fact(fact_id))

    def _theory_chosen(self, item: QListWidgetItem) -> None:
        self.store.showTheory.emit(item.data(ID_ROLE))

    # --- window state ----------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value(SETTINGS_SPLITTER)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def hideEvent(self, event: QHideEvent) -> None:
        settings = QSettings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        super().hideEvent(event)


def _source_block(fact: Fact, story_hidden: bool = False) -> str:
    """Outlet, “title”, date and section, one to a line; with ``story_hidden`` the title and
    section, which can tell the story, are left out."""
    source = outlet_only(fact.source_ref) if story_hidden else fact.source_ref
    lines = [source.outlet]
    if source.title:
        lines.append(f"“{source.title}”")
    if fact.source_date is not None:
        lines.append(fmt.long_date(fact.source_date))
    if source.section:
        lines.append(f"Section: {source.section}")
    return "\n".join(lines)


def _openable(url: str) -> bool:
    """Only web addresses are handed to the desktop: news typed in by hand could hold anything."""
    return QUrl(url).scheme() in ("http", "https") if url else False


def open_canon_browser(
    store: Store, parent: QWidget | None, fact_id: int | None = None, *, pick: bool = False
) -> CanonBrowser:
    """Show the canon browser (without blocking), with ``fact_id`` selected when given.

    A browser already open over ``parent`` is brought forward instead of opening a second one;
    a pick-mode browser is always new, since it answers one question.
    """
    browser = None
    if parent is not None and not pick:
        browser = next(
            (
                b
                for b in parent.findChildren(CanonBrowser, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if not b.pick and b.isVisible()
            ),
            None,
        )
    if browser is None:
        browser = CanonBrowser(store, parent, pick=pick)
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if fact_id is not None:
        browser.select_fact(fact_id)
    browser.show()
    browser.raise_()
    browser.activateWindow()
    browser.focus_search()
    return browser
