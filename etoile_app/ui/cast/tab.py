"""The Cast tab: characters and who plays them, their Season 1 arc and return status, the
theories about them, and the user's dream casting.

Left, a searchable list of characters; right, the chosen character above the dream casting.
Everything is read from the store and refilled when it says something changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QFont, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import Company, FactStatus, SourceKind
from etoile_app.domain.models import (
    Character,
    DreamCast,
    DreamCastDraft,
    SortKey,
    SourceRef,
    TheoryQuery,
    TheoryRow,
)
from etoile_app.ui.cast.dream_dialog import DreamCastDialog
from etoile_app.ui.cast.models import (
    DREAM_COL_ACTOR,
    DREAM_COL_CHARACTER,
    DREAM_COL_NOTE,
    DREAM_COL_RATING,
    DREAM_COL_ROLE,
    ID_ROLE,
    ROLE_GROUPS,
    THEORY_COL_CONFIDENCE,
    THEORY_COL_STATUS,
    THEORY_COL_TITLE,
    UNVERIFIED_NOTE,
    CharacterDelegate,
    CharacterFilterProxy,
    CharacterListModel,
    CharacterTheoriesModel,
    DreamCastTableModel,
    actor_text,
)
from etoile_app.ui.common.fmt import short_date
from etoile_app.ui.common.spoilers import (
    OPEN_HIDDEN_SOURCE,
    HiddenStoryNote,
    SpoilerGuard,
    guard_for,
    outlet_only,
)
from etoile_app.ui.common.widgets import (
    Badge,
    PlainLabel,
    badge_colours,
    muted,
    plain_tooltip,
    read_only_reason,
    refuse_if_read_only,
)

if TYPE_CHECKING:
    from etoile_app.ui.common.store import Store

THEORY_LIMIT = 500  # more theories than this about one character is the board's job
COMPANY_CHOICES = (("All companies", None), ("Paris", Company.PARIS), ("New York", Company.NEW_YORK),
                   ("Other", Company.OTHER))  # fmt: skip


#: The Season 1 section of a character canon tells nothing about.
NO_ARC = "Canon says nothing about this character’s Season 1 story."
EMPTY_DREAM = (
    "No dream casting yet. Who should join Étoile if it ever comes back? "
    "Click Add… to pair a role idea with an actor, rate it and say why."
)


class UnverifiedNote(PlainLabel):
    """The unverified note, in the rumoured badge's amber (a caution, not an error), in the
    palette's variant: the light amber is too dim on a dark window."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._paint()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()

    def _paint(self) -> None:
        amber, _ = badge_colours(FactStatus.RUMOURED, self.palette())
        palette = self.palette()
        if palette.color(QPalette.ColorRole.WindowText) != amber:
            palette.setColor(QPalette.ColorRole.WindowText, amber)
            self.setPalette(palette)


def _heading(text: str = "", scale: float = 1.0) -> PlainLabel:
    label = PlainLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


def _muted(text: str = "", small: bool = False) -> PlainLabel:
    label = PlainLabel(text)
    muted(label)
    if small:
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
    return label


class SourceRow(QWidget):
    """One source of a character: its citation, and a button that opens it in the browser.

    With ``story_hidden`` the citation names the outlet and date only, and the button's tooltip
    keeps the address to itself: a recap's headline and address can tell the story."""

    def __init__(
        self, source: SourceRef, parent: QWidget | None = None, *, story_hidden: bool = False
    ) -> None:
        super().__init__(parent)
        if story_hidden:
            source = outlet_only(source)
        self.source = source
        self.citation_label = PlainLabel(source.citation)
        kind = "fan-site article" if source.kind is SourceKind.ARTICLE else source.kind.label.lower()
        self.kind_label = _muted(kind, small=True)
        if source.note:
            self.citation_label.setToolTip(plain_tooltip(source.note))
        self.open_button = QPushButton("Open")
        self.open_button.setEnabled(openable(source.url))
        self.open_button.setAccessibleName(f"Open {source.citation}")
        if not source.url:
            self.open_button.setToolTip("The sources give no web address for this one")
        elif story_hidden:
            self.open_button.setToolTip(OPEN_HIDDEN_SOURCE)
        else:
            self.open_button.setToolTip(plain_tooltip(source.url))
        self.open_button.clicked.connect(self.open)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.citation_label)
        text.addWidget(self.kind_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)

    def open(self) -> None:
        if openable(self.source.url):
            QDesktopServices.openUrl(QUrl(self.source.url))


def openable(url: str) -> bool:
    """Only web addresses are handed to the desktop, whatever a pack file holds."""
    return QUrl(url).scheme() in ("http", "https") if url else False


class CharacterDetail(QWidget):
    """Everything canon says about one character; all of it shown as plain text.

    While ``spoilers`` hides Season 1 story, the arc gives way to a note that offers to show
    it, and the sources are cited without their titles."""

    def __init__(self, parent: QWidget | None = None, *, spoilers: SpoilerGuard | None = None) -> None:
        super().__init__(parent)
        self.spoilers = spoilers if spoilers is not None else guard_for(parent, owner=self)
        self.character: Character | None = None
        self.name_label = _heading(scale=1.5)
        self.short_name_label = _muted()
        self.actor_label = PlainLabel()
        self.company_label = _muted()
        self.unverified_label = UnverifiedNote(UNVERIFIED_NOTE)
        self.description_label = PlainLabel()
        self.arc_label = PlainLabel()
        self.arc_hidden_note = HiddenStoryNote(self.spoilers)
        self.arc_hidden_note.hide()
        self.return_badge = Badge()
        self.return_statement = PlainLabel()
        self.return_source = _muted(small=True)
        self.no_return_label = _muted("No news about a return")
        self.sources_box = QWidget()
        self.sources_layout = QVBoxLayout(self.sources_box)
        self.sources_layout.setContentsMargins(0, 0, 0, 0)
        self.sources_layout.setSpacing(6)
        self.source_rows: list[SourceRow] = []
        self.no_sources_label = _muted("Canon names no source for this character.")
        self.spoilers.changed.connect(self._spoilers_changed)

        badge_row = QHBoxLayout()
        badge_row.setSpacing(8)
        badge_row.addWidget(self.return_badge, 0, Qt.AlignmentFlag.AlignTop)
        badge_row.addWidget(self.return_statement, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        layout.setSpacing(4)
        layout.addWidget(self.name_label)
        layout.addWidget(self.short_name_label)
        layout.addWidget(self.actor_label)
        layout.addWidget(self.company_label)
        layout.addWidget(self.unverified_label)
        layout.addSpacing(6)
        layout.addWidget(self.description_label)
        layout.addSpacing(10)
        layout.addWidget(_heading("Season 1"))
        layout.addWidget(self.arc_label)
        layout.addWidget(self.arc_hidden_note)
        layout.addSpacing(10)
        layout.addWidget(_heading("Return status"))
        layout.addLayout(badge_row)
        layout.addWidget(self.return_source)
        layout.addWidget(self.no_return_label)
        layout.addSpacing(10)
        layout.addWidget(_heading("Sources"))
        layout.addWidget(self.sources_box)
        layout.addWidget(self.no_sources_label)
        layout.addStretch(1)

    def set_character(self, c: Character) -> None:
        self.character = c
        self.name_label.setText(c.display_name)
        different = c.full_name and c.name != c.full_name
        self.short_name_label.setText(f"Known as {c.name}" if different else "")
        self.short_name_label.setVisible(bool(different))
        self.actor_label.setText(actor_text(c))
        font = self.actor_label.font()
        font.setItalic(c.actor is None)
        self.actor_label.setFont(font)
        company = "Other company" if c.company is Company.OTHER else c.company.label
        self.company_label.setText(f"{company} · {ROLE_GROUPS[c.role]}")
        self.unverified_label.setVisible(not c.verified)
        self.description_label.setText(c.description)
        self.description_label.setVisible(bool(c.description))
        self._show_arc(c)
        fact = c.return_status
        for widget in (self.return_badge, self.return_statement, self.return_source):
            widget.setVisible(fact is not None)
        self.no_return_label.setVisible(fact is None)
        if fact is not None:
            self.return_badge.set_status(fact.shown_status)
            self.return_statement.setText(self.spoilers.line(fact))
            self.return_statement.setToolTip(plain_tooltip(self.spoilers.statement(fact)))
            self.return_source.setText(f"{fact.source} · {short_date(fact.as_of)}")
        self._set_sources(c.sources)

    def _show_arc(self, c: Character) -> None:
        # Hidden, the arc leaves the label altogether: no tooltip or screen reader finds it there.
        hide = self.spoilers.hidden() and bool(c.season1_arc)
        self.arc_label.setText("" if hide else c.season1_arc or NO_ARC)
        self.arc_label.setVisible(not hide)
        self.arc_hidden_note.setVisible(hide)

    def _spoilers_changed(self, _shown: bool) -> None:
        if self.character is not None:
            self.set_character(self.character)

    def _set_sources(self, sources: tuple[SourceRef, ...]) -> None:
        for row in self.source_rows:
            self.sources_layout.removeWidget(row)
            row.hide()  # at once: deletion waits for the event loop, and would paint under the new rows
            row.deleteLater()
        hidden = self.spoilers.hidden()
        self.source_rows = [SourceRow(source, self.sources_box, story_hidden=hidden) for source in sources]
        for row in self.source_rows:
            self.sources_layout.addWidget(row)
            row.show()  # now, not on the next turn of the event loop as a layout would
        self.sources_box.setVisible(bool(sources))
        self.no_sources_label.setVisible(not sources)


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def _stack(view: QWidget, empty: QLabel) -> QStackedWidget:
    """A view that gives way to a sentence saying why it is empty."""
    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    empty.setMargin(16)
    if isinstance(view, QAbstractItemView):
        empty.setFrameShape(QFrame.Shape.StyledPanel)  # framed like the view it stands in for
    stack = QStackedWidget()
    stack.addWidget(view)
    stack.addWidget(empty)
    return stack


class CastTab(QWidget):
    def __init__(
        self, store: Store, parent: QWidget | None = None, *, spoilers: SpoilerGuard | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        #: Whether the Season 1 arcs are shown (the window's switch, or one of the tab's own).
        self.spoilers = spoilers if spoilers is not None else guard_for(parent, owner=self)
        self._current_id: int | None = None
        self._syncing = False
        self.active_dialog: DreamCastDialog | None = None
        # A character restored from the settings, or a dream entry just saved, before the read
        # that brings it in has come back: chosen once it has.
        self._wanted_key: str | None = None
        self._wanted_dream: int | None = None
        self._theories_of: int | None = None  # whose theories the list holds
        self._build()
        self._characters_stale = False
        store.castChanged.connect(self.refresh)
        store.canonChanged.connect(self._characters_changed)
        store.theoriesChanged.connect(self._characters_changed)
        self.refresh()

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        # Left: search, company filter, the characters.
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search name or actor")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search characters")
        self.company_combo = QComboBox()
        self.company_combo.setAccessibleName("Company")
        for text, company in COMPANY_CHOICES:
            self.company_combo.addItem(text, company)
            if company is not None:
                self.company_combo.setItemData(self.company_combo.count() - 1, company.label,
                                               Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        self.characters_model = CharacterListModel(self)
        self.characters_proxy = CharacterFilterProxy(self)
        self.characters_proxy.setSourceModel(self.characters_model)
        self.character_list = QListView()
        self.character_list.setModel(self.characters_proxy)
        self.character_list.setItemDelegate(CharacterDelegate(self.character_list))
        self.character_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.character_list.setAccessibleName("Characters")
        self.character_list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.no_match_label = _muted("No character matches.")
        self.characters_stack = _stack(self.character_list, self.no_match_label)
        self.search_edit.textChanged.connect(self._on_filter_changed)
        self.company_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.character_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.character_list.customContextMenuRequested.connect(self._character_menu_requested)
        self.context_menu: QMenu | None = None

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        left_layout.addWidget(self.search_edit)
        left_layout.addWidget(self.company_combo)
        left_layout.addWidget(self.characters_stack, 1)

        # Right, top: the character, and the theories about them.
        self.detail = CharacterDetail(spoilers=self.spoilers)
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setAccessibleName("Character details")
        self.detail_scroll.setWidget(self.detail)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.no_character_label = _muted("Choose a character on the left.")
        self.detail_stack = _stack(self.detail_scroll, self.no_character_label)

        self.theories_heading = _heading()
        self.theories_model = CharacterTheoriesModel(self)
        self.theories_view = _table(self.theories_model)
        self.theories_view.setAccessibleName("Theories about the character")
        header = self.theories_view.horizontalHeader()
        header.setSectionResizeMode(THEORY_COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(THEORY_COL_STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(THEORY_COL_CONFIDENCE, QHeaderView.ResizeMode.ResizeToContents)
        self.theories_view.activated.connect(self._on_theory_activated)
        self.no_theories_label = _muted()
        self.theories_stack = _stack(self.theories_view, self.no_theories_label)
        self.board_button = QPushButton("Show on the board")
        self.board_button.setToolTip("Open the theory board filtered to this character")
        self.board_button.clicked.connect(self._show_on_board)
        theories_box = QWidget()
        theories_layout = QVBoxLayout(theories_box)
        theories_layout.setContentsMargins(8, 0, 0, 0)
        theories_layout.addWidget(self.theories_heading)
        theories_layout.addWidget(self.theories_stack, 1)
        theories_layout.addWidget(self.board_button, 0, Qt.AlignmentFlag.AlignRight)

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(4, 8, 8, 4)
        top_layout.addWidget(self.detail_stack, 3)
        top_layout.addWidget(theories_box, 2)

        # Right, bottom: the dream casting.
        self.dream_model = DreamCastTableModel(self)
        self.dream_view = _table(self.dream_model)
        self.dream_view.setAccessibleName("Dream casting")
        header = self.dream_view.horizontalHeader()
        # Role idea and note share what is left, so a narrow window squeezes both, not one.
        for column, width in ((DREAM_COL_ACTOR, 150), (DREAM_COL_CHARACTER, 120), (DREAM_COL_RATING, 90)):
            header.resizeSection(column, width)
        for column in (DREAM_COL_ROLE, DREAM_COL_NOTE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.dream_view.activated.connect(lambda _index: self.edit_dream())
        self.dream_view.selectionModel().selectionChanged.connect(self._update_dream_buttons)
        delete_action = QAction("Delete", self.dream_view)
        delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(self.delete_dream)
        self.dream_view.addAction(delete_action)
        self.dream_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.dream_view.customContextMenuRequested.connect(self._dream_menu_requested)
        self.empty_dream_label = _muted(EMPTY_DREAM)
        self.dream_stack = _stack(self.dream_view, self.empty_dream_label)
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(self.add_dream)
        self.edit_button.clicked.connect(self.edit_dream)
        self.delete_button.clicked.connect(self.delete_dream)
        buttons = QHBoxLayout()
        buttons.addWidget(_heading("Dream casting"))
        buttons.addWidget(_muted("Who you would cast, if Étoile came back"), 1)
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        reason = read_only_reason(self._store)
        if reason is not None:  # a journal that cannot be changed keeps its dream casting as it is
            for button in (self.add_button, self.edit_button, self.delete_button):
                button.setEnabled(False)
                button.setToolTip(reason)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(4, 4, 8, 8)
        bottom_layout.addLayout(buttons)
        bottom_layout.addWidget(self.dream_stack, 1)

        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.addWidget(top)
        self.right_splitter.addWidget(bottom)
        self.right_splitter.setChildrenCollapsible(False)
        self.right_splitter.setStretchFactor(0, 3)
        self.right_splitter.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right_splitter)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([290, 990])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload everything from the store, keeping the chosen character and dream entry."""
        self._reload_characters()
        self._reload_dream()

    def _characters_changed(self, *_: object) -> None:
        # Counting each character's theories reads every theory (a quarter of a second at
        # 100,000): a hidden tab catches up when it is shown, so saves on the board stay quick.
        if self.isVisible():
            self._reload_characters()
        else:
            self._characters_stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._characters_stale:
            self._reload_characters()

    def _key(self, area: str) -> str:
        return f"cast.{area}.{id(self)}"

    def _when_alive(self, apply: Callable[..., object]) -> Callable[..., None]:
        # A tab closed with the journal while its read was under way has nothing to fill.
        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                apply(*args)

        return call

    def _reload_characters(self, *_: object) -> None:
        """Reread the characters (with their theory counts) off the GUI thread; a reload asked
        for while one is under way replaces it."""
        self._characters_stale = False
        cast = self._store.cast
        done = self._when_alive(self._show_characters)
        self._store.ops.read(lambda: tuple(cast.characters()), done, key=self._key("characters"))

    def _show_characters(self, characters: Sequence[Character]) -> None:
        self.characters_model.set_characters(characters)
        keep = self._current_id
        if self._wanted_key is not None:
            row = self.characters_model.row_of_key(self._wanted_key)
            wanted = self.characters_model.character(row) if row is not None else None
            keep = wanted.id if wanted is not None else keep
            self._wanted_key = None
        if keep is None or self.characters_model.row_of(keep) is None:
            keep = self._first_visible_id()
        self.select_character(keep, reread=True)
        self._update_list_stack()

    def _reload_dream(self) -> None:
        cast = self._store.cast
        self._store.ops.read(
            lambda: tuple(cast.dream_casting()), self._when_alive(self._show_dream), key=self._key("dream")
        )

    def _show_dream(self, entries: Sequence[DreamCast]) -> None:
        chosen = self._selected_dream()
        wanted = self._wanted_dream if self._wanted_dream is not None else (chosen.id if chosen else None)
        self._wanted_dream = None
        self.dream_model.set_entries(entries)
        if wanted is not None:
            self._select_dream(wanted)
        self.dream_stack.setCurrentIndex(0 if self.dream_model.rowCount() else 1)
        self._update_dream_buttons()

    def _is_listed(self, character_id: int | None) -> bool:
        row = self.characters_model.row_of(character_id) if character_id is not None else None
        return row is not None and self.characters_proxy.filterAcceptsRow(row, QModelIndex())

    def _first_visible_id(self) -> int | None:
        index = self.characters_proxy.index(0, 0)
        return index.data(ID_ROLE) if index.isValid() else None

    # --- characters ------------------------------------------------------------------------

    def current_character(self) -> Character | None:
        row = self.characters_model.row_of(self._current_id) if self._current_id is not None else None
        return self.characters_model.character(row) if row is not None else None

    def select_character(self, character_id: int | None, *, reread: bool = False) -> None:
        """Show ``character_id`` and select it in the list (if the filter lets it through);
        with ``reread`` its theories are read again even if it was on show already."""
        if reread:
            self._theories_of = None
        self._current_id = character_id
        row = self.characters_model.row_of(character_id) if character_id is not None else None
        index = (
            self.characters_proxy.mapFromSource(self.characters_model.index(row, 0))
            if row is not None
            else QModelIndex()
        )
        self._syncing = True
        try:
            if index.isValid():
                self.character_list.setCurrentIndex(index)
                self.character_list.scrollTo(index)
            else:
                self.character_list.clearSelection()
        finally:
            self._syncing = False
        self._show_character()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._syncing and current.isValid():
            self._current_id = current.data(ID_ROLE)
            self._show_character()

    def _on_filter_changed(self, *_: object) -> None:
        self.characters_proxy.set_text(self.search_edit.text())
        self.characters_proxy.set_company(self.company_combo.currentData())
        # Keep the chosen character while it matches; otherwise show the first that does, and
        # when none does, leave the last one on show rather than blanking the pane mid-typing.
        keep = self._current_id
        if not self._is_listed(keep):
            keep = self._first_visible_id() or keep
        self.select_character(keep)
        self._update_list_stack()

    def _update_list_stack(self) -> None:
        empty = self.characters_proxy.rowCount() == 0
        if empty:
            text = self.search_edit.text().strip()
            combo = self.company_combo
            where = "" if combo.currentData() is None else f" in {combo.currentText()}"
            self.no_match_label.setText(
                f"No character matches “{text}”{where}." if text else f"No characters{where}."
            )
        self.characters_stack.setCurrentIndex(1 if empty else 0)

    def _show_character(self) -> None:
        c = self.current_character()
        self.detail_stack.setCurrentIndex(0 if c else 1)
        self.board_button.setEnabled(c is not None)
        if c is None:
            self._store.ops.cancel(self._key("theories"))
            self._theories_of = None
            self.theories_heading.setText("Theories")
            self.theories_model.set_rows([])
            self.no_theories_label.setText("")
            self.theories_stack.setCurrentIndex(1)
            return
        self.detail.set_character(c)
        if self._theories_of == c.id:
            return  # already shown (or on its way): the filter moved, the character did not
        if self.theories_model.rowCount():
            # Another character's theories never stay under this one's name while they load.
            self.theories_model.set_rows([])
        self._theories_of = c.id
        self.theories_heading.setText(f"Theories about {c.name}")
        board = self._store.board
        query = TheoryQuery(character_ids=frozenset({c.id}), sort=SortKey.UPDATED)
        self._store.ops.read(
            lambda: tuple(board.page(query, 0, THEORY_LIMIT)),
            self._when_alive(lambda rows: self._show_theories(c, rows)),
            key=self._key("theories"),
        )

    def _show_theories(self, c: Character, rows: Sequence[TheoryRow]) -> None:
        if self._current_id != c.id:
            return  # a later choice's read replaced this one's
        self.theories_model.set_rows(rows)
        count = self.theories_model.rowCount()
        self.theories_heading.setText(f"Theories about {c.name}" + (f" ({count})" if count else ""))
        self.no_theories_label.setText(
            f"No theories about {c.name} yet. Write one on the theory board and tag them in it."
        )
        self.theories_stack.setCurrentIndex(0 if count else 1)

    def _on_theory_activated(self, index: QModelIndex) -> None:
        theory_id = index.data(ID_ROLE)
        if theory_id is not None:
            self._store.showTheory.emit(theory_id)

    def _show_on_board(self) -> None:
        if self._current_id is not None:
            self._store.showCharacterOnBoard.emit(self._current_id)

    # --- context menus ---------------------------------------------------------------------

    def character_menu(self, index: QModelIndex) -> QMenu | None:
        """What a right-click on a character row offers (it selects the row first)."""
        if not index.isValid():
            return None
        self.character_list.setCurrentIndex(index)
        menu = QMenu(self)
        show = menu.addAction("Show theories on the board")
        show.triggered.connect(self._show_on_board)
        return menu

    def dream_menu(self, index: QModelIndex) -> QMenu:
        """What a right-click in the dream casting offers: the row's Edit… and Delete, and Add…."""
        if index.isValid():
            self.dream_view.selectRow(index.row())
        menu = QMenu(self)
        if index.isValid():
            menu.addAction("Edit…").triggered.connect(self.edit_dream)
            menu.addAction("Delete").triggered.connect(self.delete_dream)
            menu.addSeparator()
        menu.addAction("Add…").triggered.connect(self.add_dream)
        return menu

    def _character_menu_requested(self, pos: QPoint) -> None:
        self._popup(self.character_menu(self.character_list.indexAt(pos)), self.character_list, pos)

    def _dream_menu_requested(self, pos: QPoint) -> None:
        self._popup(self.dream_menu(self.dream_view.indexAt(pos)), self.dream_view, pos)

    def _popup(self, menu: QMenu | None, view: QAbstractItemView, pos: QPoint) -> None:
        if menu is None:
            return
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context_menu = menu
        menu.popup(view.viewport().mapToGlobal(pos))

    # --- dream casting ---------------------------------------------------------------------

    def _selected_dream(self) -> DreamCast | None:
        rows = self.dream_view.selectionModel().selectedRows()
        return self.dream_model.entry(rows[0].row()) if rows else None

    def _select_dream(self, entry_id: int) -> None:
        row = self.dream_model.row_of(entry_id)
        if row is not None:
            self.dream_view.selectRow(row)

    def _update_dream_buttons(self, *_: object) -> None:
        chosen = self._selected_dream() is not None and read_only_reason(self._store) is None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def dream_dialog(
        self, entry: DreamCast | None = None, characters: Sequence[Character] | None = None
    ) -> DreamCastDialog:
        """Build (without showing) the dialog that edits ``entry`` or, if None, adds a new entry;
        its character list is ``characters``, or else the characters on show."""

        def save(draft: DreamCastDraft, **handlers: object) -> object:
            if entry is None:
                return self._store.add_dream_cast(draft, **handlers)
            return self._store.edit_dream_cast(entry.id, draft, **handlers)

        def saved(made: DreamCast) -> None:
            # Chosen now if listed, and again once the reread it caused has come back.
            self._wanted_dream = made.id
            self._select_dream(made.id)

        if characters is None:
            characters = self.characters_model.characters()
        dialog = DreamCastDialog(characters, save, entry, self)
        dialog.saved.connect(saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._dialog_closed)
        self.active_dialog = dialog
        return dialog

    def open_dream_dialog(self, entry: DreamCast | None = None) -> None:
        """Open the dialog for ``entry`` (None: a new entry) with the characters on show; if
        none are yet (their first read has not come back), once they are read in the background.
        A journal that cannot be changed says why at once instead."""
        if refuse_if_read_only(self._store, self):
            return
        # The characters on show: counting each one's theories again is the list's slow read.
        known = self.characters_model.characters()
        if known:
            self.dream_dialog(entry, known).open()
            return
        cast = self._store.cast
        self._store.ops.read(
            lambda: tuple(cast.characters()),
            self._when_alive(lambda characters: self.dream_dialog(entry, characters).open()),
            key=self._key("dream-dialog"),
        )

    def _dialog_closed(self) -> None:
        self.active_dialog = None
        self.dream_view.setFocus()

    def add_dream(self) -> None:
        self.open_dream_dialog()

    def edit_dream(self) -> None:
        entry = self._selected_dream()
        if entry is not None:
            self.open_dream_dialog(entry)

    def delete_dream(self) -> None:
        entry = self._selected_dream()
        if entry is None or refuse_if_read_only(self._store, self):
            return
        # The static question renders rich text, so the user's words are escaped into it.
        answer = QMessageBox.question(
            self,
            "Delete dream casting",
            plain_tooltip(f"Delete “{entry.role_idea}” → {entry.actor} from your dream casting?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._store.delete_dream_cast(entry.id)  # a refusal reaches the window's message

    # --- window state ----------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("cast/splitter", self.splitter.saveState())
        settings.setValue("cast/right_splitter", self.right_splitter.saveState())
        c = self.current_character()
        settings.setValue("cast/character", c.key if c else "")

    def restore_state(self, settings: QSettings) -> None:
        for key, splitter in (("cast/splitter", self.splitter), ("cast/right_splitter", self.right_splitter)):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
        key = settings.value("cast/character", "", str)
        row = self.characters_model.row_of_key(key) if key else None
        character = self.characters_model.character(row) if row is not None else None
        if character is not None:
            self.select_character(character.id)
        elif key:
            self._wanted_key = key  # chosen when the characters come in
