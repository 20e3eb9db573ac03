"""The Status tab: what is actually known about a Season 2, one card per topic.

Each card leads with the topic's state in plain words (the current fact's headline), then its
badge, statement, source and date; newer talk that has not overtaken it (a later rumour); how
many open theories cite the topic; and its earlier states on demand. News the person recorded
can be edited and retracted from the card, and both can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QContextMenuEvent, QDesktopServices, QFont, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.enums import STATUS_TOPICS, FactOrigin, FactStatus, Topic
from etoile_app.domain.models import Fact, TopicCard
from etoile_app.ui.canon.news_dialog import NewsDialog, open_news
from etoile_app.ui.common.fmt import long_date
from etoile_app.ui.common.widgets import (
    Badge,
    PlainLabel,
    muted,
    plain_tooltip,
    read_only_reason,
    refuse_unless_owner,
)

if TYPE_CHECKING:
    from etoile_app.ui.common.store import Store

SETTINGS_EXPANDED = "status/expanded_history"
CARD_MIN_WIDTH = 440  # below this a statement wraps every few words
MAX_COLUMNS = 3
SPACING = 16
UNVERIFIED = "Unverified"
EDIT_TIP = "Change this news"
RETRACT_TIP = "Withdraw this news (Edit → Undo brings it back)"
UNVERIFIED_TIP = "Only the fan-site article says this; no other source read confirms it"
NEWER_TALK = "Newer, unconfirmed:"

CARD_STYLE = """
QFrame#topicCard { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
QFrame#historyBox { border: none; border-left: 2px solid palette(midlight); }
QFrame#talkBox { border: none; border-left: 2px dashed palette(mid); }
QFrame#cardRule { border: none; background: palette(midlight); }
QToolButton#cardAddNews, QToolButton#openSource, QToolButton#editNews, QToolButton#retractNews
    { color: palette(link); }
QToolButton#historyToggle:checked { background: transparent; border: none; }
QLabel#yourNews { color: palette(highlight); border: 1px solid palette(highlight);
                  border-radius: 4px; padding: 1px 6px; }
QLabel#unverified { border: 1px dashed palette(mid); border-radius: 4px; padding: 1px 6px; }
"""


def citing_text(count: int) -> str:
    if count == 0:
        return "No open theories cite this yet"
    if count == 1:
        return "1 open theory cites this"
    return f"{count:,} open theories cite this"


def source_line(fact: Fact) -> str:
    """``Deadline · “Étoile Canceled After One Season” · 6 June 2025``; a fact checked later
    than its source was published says so (``… · 6 June 2025 · as of 1 December 2026``)."""
    parts = [fact.source]
    if fact.source_title:
        parts.append(f"“{fact.source_title}”")
    published = fact.source_date
    if published is not None and published != fact.as_of:
        parts += [long_date(published), f"as of {long_date(fact.as_of)}"]
    else:
        parts.append(long_date(fact.as_of))
    return " · ".join(parts)


def history_line(fact: Fact) -> str:
    """Date first, as history reads as a timeline: ``1 May 2025 · Variety · your news``."""
    parts = [long_date(fact.as_of), fact.source]
    if fact.origin is FactOrigin.USER:
        parts.append(FactOrigin.USER.label.lower())
    return " · ".join(parts)


def badge_width(badge: Badge) -> int:
    widest = max(badge.fontMetrics().horizontalAdvance(s.value.upper()) for s in FactStatus)
    return widest + 18  # the badge's padding and a little air


def is_users(fact: Fact | None) -> bool:
    """News the person recorded (and has not retracted): theirs to edit and retract."""
    return fact is not None and fact.origin is FactOrigin.USER and not fact.is_retracted


def _link_button(text: str, name: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setObjectName(name)
    button.setAutoRaise(True)
    button.setToolTip(tip)
    return button


def _unverified_marker() -> QLabel:
    marker = muted(QLabel(UNVERIFIED))
    marker.setObjectName("unverified")
    marker.setToolTip(UNVERIFIED_TIP)
    return marker


class HistoryEntry(QWidget):
    """One earlier state (or one piece of newer talk): a small badge with source and date, then
    the statement; the person's own news gets Edit and Retract beside it."""

    editRequested = Signal(object)  # Fact
    retractRequested = Signal(object)  # Fact

    def __init__(self, fact: Fact, parent: QWidget | None = None, *, lead_with_title: bool = False) -> None:
        super().__init__(parent)
        self.fact = fact
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.badge = Badge(fact.shown_status)
        # One width for every history badge, so the dates line up down the timeline.
        self.badge.setFixedWidth(badge_width(self.badge))
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.meta = muted(PlainLabel(history_line(fact)))
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.meta, 1)
        self.unverified: QLabel | None = None
        if not fact.verified:
            self.unverified = _unverified_marker()
            top.addWidget(self.unverified, 0, Qt.AlignmentFlag.AlignTop)
        self.edit_button: QToolButton | None = None
        self.retract_button: QToolButton | None = None
        if is_users(fact):
            self.edit_button = _link_button("Edit…", "editNews", EDIT_TIP)
            self.retract_button = _link_button("Retract", "retractNews", RETRACT_TIP)
            self.edit_button.clicked.connect(lambda: self.editRequested.emit(self.fact))
            self.retract_button.clicked.connect(lambda: self.retractRequested.emit(self.fact))
            top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
            top.addWidget(self.retract_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.statement = PlainLabel(fact.title_line if lead_with_title else fact.statement)
        layout.addWidget(self.statement)


class TopicCardView(QFrame):
    """The card of one topic; it keeps its widgets across refreshes so toggles stay put."""

    addNewsRequested = Signal(object)  # Topic
    editRequested = Signal(object)  # Fact
    retractRequested = Signal(object)  # Fact
    browseRequested = Signal(int)  # fact id
    historyToggled = Signal(bool)

    def __init__(self, topic: Topic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topic = topic
        self.card: TopicCard | None = None
        self.history_entries: list[HistoryEntry] = []
        self.talk_entries: list[HistoryEntry] = []
        self.menu: QMenu | None = None
        self.setObjectName("topicCard")
        self.setMinimumWidth(280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)

        # The topic names the card; the state itself is the main line beneath it.
        header = QHBoxLayout()
        self.title = muted(QLabel(topic.label))
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.add_button = _link_button("Add news…", "cardAddNews", f"Record news about {topic.label.lower()}")
        self.add_button.clicked.connect(lambda: self.addNewsRequested.emit(self.topic))
        header.addWidget(self.title, 1)
        header.addWidget(self.add_button)
        layout.addLayout(header)

        self.headline = PlainLabel()
        self.headline.setObjectName("cardHeadline")
        font = QFont(self.headline.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.headline.setFont(font)
        layout.addWidget(self.headline)

        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        self.badge = Badge()
        self.your_news = QLabel(FactOrigin.USER.label)
        self.your_news.setObjectName("yourNews")
        self.your_news.setToolTip("You recorded this news yourself")
        self.unverified = _unverified_marker()
        self.edit_button = _link_button("Edit…", "editNews", EDIT_TIP)
        self.retract_button = _link_button("Retract", "retractNews", RETRACT_TIP)
        self.edit_button.clicked.connect(self._edit_current)
        self.retract_button.clicked.connect(self._retract_current)
        for widget in (self.badge, self.your_news, self.unverified):
            status_row.addWidget(widget)
        status_row.addStretch(1)
        status_row.addWidget(self.edit_button)
        status_row.addWidget(self.retract_button)
        layout.addLayout(status_row)

        self.statement = PlainLabel()
        layout.addWidget(self.statement)
        source_row = QHBoxLayout()
        source_row.setSpacing(8)
        self.meta = muted(PlainLabel())
        self.open_source_button = _link_button("Open source", "openSource", "")
        self.open_source_button.clicked.connect(self._open_source)
        source_row.addWidget(self.meta, 1)
        source_row.addWidget(self.open_source_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(source_row)
        self.empty = muted(PlainLabel("Nothing is known about this yet."))
        layout.addWidget(self.empty)

        # Later rumours and guesses that have not overtaken the state, so they do not bury it.
        self.talk_box = QFrame()
        self.talk_box.setObjectName("talkBox")
        self._talk_layout = QVBoxLayout(self.talk_box)
        self._talk_layout.setContentsMargins(12, 2, 0, 2)
        self._talk_layout.setSpacing(8)
        self.talk_label = muted(QLabel(NEWER_TALK))
        self._talk_layout.addWidget(self.talk_label)
        self.talk_box.hide()
        layout.addWidget(self.talk_box)

        self.cites = QLabel()
        layout.addWidget(self.cites)

        self.rule = QFrame()
        self.rule.setObjectName("cardRule")
        self.rule.setFixedHeight(1)
        layout.addWidget(self.rule)

        self.history_button = QToolButton()
        self.history_button.setObjectName("historyToggle")
        self.history_button.setCheckable(True)
        self.history_button.setAutoRaise(True)
        self.history_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.history_button.setArrowType(Qt.ArrowType.RightArrow)
        self.history_button.setToolTip("Show or hide the earlier states of this topic")
        self.history_button.toggled.connect(self._toggle_history)
        layout.addWidget(self.history_button)
        # Shown instead of the toggle, which keeps its remembered state for when history arrives.
        self.no_history = muted(QLabel("No earlier states"))
        layout.addWidget(self.no_history)

        self.history_box = QFrame()
        self.history_box.setObjectName("historyBox")
        self._history_layout = QVBoxLayout(self.history_box)
        self._history_layout.setContentsMargins(12, 2, 0, 2)
        self._history_layout.setSpacing(12)
        self.history_box.hide()
        layout.addWidget(self.history_box)
        # Cards in a row share a height; the spare room goes below the content.
        layout.addStretch(1)

    @property
    def current(self) -> Fact | None:
        return self.card.current if self.card is not None else None

    def show_card(self, card: TopicCard) -> None:
        self.card = card
        current = card.current
        has_current = current is not None
        for widget in (self.headline, self.badge, self.meta):
            widget.setVisible(has_current)
        self.empty.setVisible(not has_current)
        self.your_news.setVisible(has_current and current.origin is FactOrigin.USER)
        self.unverified.setVisible(has_current and not current.verified)
        for button in (self.edit_button, self.retract_button):
            button.setVisible(is_users(current))
        if current is not None:
            self.headline.setText(current.title_line)
            self.badge.set_status(current.shown_status)
            self.statement.setText(current.statement)
            self.meta.setText(source_line(current))
            tip = f"Open {current.source_url} in your web browser"
            self.open_source_button.setToolTip(plain_tooltip(tip))
        # The statement only when it says more than the headline does.
        self.statement.setVisible(has_current and current.statement != current.title_line)
        self.open_source_button.setVisible(has_current and bool(current.source_url))
        self._fill_talk(card.newer_talk)
        self.cites.setVisible(has_current)  # nothing to cite yet
        self.cites.setText(citing_text(card.open_theories))
        # A count that matters reads in full colour; "none yet" stays quiet.
        self.cites.setForegroundRole(
            QPalette.ColorRole.WindowText if card.open_theories else QPalette.ColorRole.PlaceholderText
        )
        self._fill_history(card.history)
        count = len(card.history)
        self.history_button.setText(f"History ({count})")
        self.history_button.setVisible(bool(count))
        self.history_box.setVisible(self.history_button.isChecked() and bool(count))
        # An empty topic says so once; "no earlier states" would only repeat it.
        self.no_history.setVisible(has_current and not count)
        self.rule.setVisible(has_current)

    def _entry(self, fact: Fact, parent: QWidget, *, lead_with_title: bool = False) -> HistoryEntry:
        entry = HistoryEntry(fact, parent, lead_with_title=lead_with_title)
        entry.editRequested.connect(self.editRequested)
        entry.retractRequested.connect(self.retractRequested)
        return entry

    def _fill_talk(self, talk: tuple[Fact, ...]) -> None:
        for entry in self.talk_entries:
            self._talk_layout.removeWidget(entry)
            entry.deleteLater()
        self.talk_entries = [self._entry(fact, self.talk_box, lead_with_title=True) for fact in talk]
        for entry in self.talk_entries:
            self._talk_layout.addWidget(entry)
        self.talk_box.setVisible(bool(talk))

    def _fill_history(self, history: tuple[Fact, ...]) -> None:
        for entry in self.history_entries:
            self._history_layout.removeWidget(entry)
            entry.deleteLater()
        self.history_entries = [self._entry(fact, self.history_box) for fact in history]
        for entry in self.history_entries:
            self._history_layout.addWidget(entry)

    def _toggle_history(self, expanded: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow
        self.history_button.setArrowType(arrow)
        self.history_box.setVisible(expanded and bool(self.history_entries))
        self.historyToggled.emit(expanded)

    def natural_height(self) -> int:
        """The height the card needs at its present width, whatever minimum it was given."""
        layout = self.layout()
        height = layout.totalHeightForWidth(self.width()) if self.width() > 0 else -1
        return height if height > 0 else layout.totalSizeHint().height()

    # --- acting on the facts shown ---------------------------------------------------------

    def _edit_current(self) -> None:
        if is_users(self.current):
            self.editRequested.emit(self.current)

    def _retract_current(self) -> None:
        if is_users(self.current):
            self.retractRequested.emit(self.current)

    def _open_source(self) -> None:
        if self.current is not None and self.current.source_url:
            QDesktopServices.openUrl(QUrl(self.current.source_url))

    def fact_at(self, widget: QWidget | None) -> Fact | None:
        """The fact a click on ``widget`` is about: its history or talk entry's, else the state."""
        while widget is not None and widget is not self:
            if isinstance(widget, HistoryEntry):
                return widget.fact
            widget = widget.parentWidget()
        return self.current

    def context_menu(self, fact: Fact | None) -> QMenu:
        """Edit, Retract (the person's own news) and Show in canon browser, for ``fact``."""
        menu = QMenu(self)
        if fact is None:
            return menu
        if is_users(fact):
            menu.addAction("Edit…", lambda: self.editRequested.emit(fact))
            menu.addAction("Retract", lambda: self.retractRequested.emit(fact))
            menu.addSeparator()
        menu.addAction("Show in canon browser", lambda: self.browseRequested.emit(fact.id))
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(self.fact_at(self.childAt(event.pos())))
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        if menu.actions():
            menu.popup(event.globalPos())  # not exec(): nothing blocks, tests can trigger actions
        event.accept()


class StatusTab(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.news_dialog: NewsDialog | None = None
        self.error_box: QMessageBox | None = None
        self._columns = 0
        self._dirty = True
        self._positions: dict[Topic, tuple[int, int]] = {}
        # Row heights depend on the cards' widths, known only once the layout has run.
        self._align_timer = QTimer(self)
        self._align_timer.setSingleShot(True)
        self._align_timer.setInterval(0)
        self._align_timer.timeout.connect(self._align_rows)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._top_bar())

        self.scroll = QScrollArea()
        self.scroll.setAccessibleName("Status cards")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = QWidget()
        self.content.setStyleSheet(CARD_STYLE)
        self.content.installEventFilter(self)
        page = QVBoxLayout(self.content)
        page.setContentsMargins(SPACING, 4, SPACING, SPACING)
        # Columns rather than a grid: an open history lengthens its own column only, so it
        # leaves no gap beside it and pushes nothing in the other columns down.
        self.columns_layout = QHBoxLayout()
        self.columns_layout.setSpacing(SPACING)
        self.column_layouts: list[QVBoxLayout] = []
        for _ in range(MAX_COLUMNS):
            column = QVBoxLayout()
            column.setSpacing(SPACING)
            column.addStretch(1)
            self.columns_layout.addLayout(column)
            self.column_layouts.append(column)
        page.addLayout(self.columns_layout)
        self.scroll.setWidget(self.content)
        outer.addWidget(self.scroll, 1)

        self.cards: dict[Topic, TopicCardView] = {}
        for topic in STATUS_TOPICS:
            view = TopicCardView(topic, self.content)
            view.addNewsRequested.connect(self.open_news_dialog)
            view.editRequested.connect(self.edit_news)
            view.retractRequested.connect(self.retract_news)
            view.browseRequested.connect(self.browse_facts)
            view.historyToggled.connect(self._align_rows)
            self.cards[topic] = view
        self._lay_out(2)

        store.canonChanged.connect(self._schedule_refresh)
        store.theoriesChanged.connect(self._schedule_refresh)
        self.refresh()

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(SPACING, 12, SPACING, 12)
        layout.setSpacing(12)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        heading = QLabel("What is known about Season 2")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        heading.setFont(font)
        self.pack_line = muted(QLabel())
        titles.addWidget(heading)
        titles.addWidget(self.pack_line)
        layout.addLayout(titles, 1)
        hint = muted(QLabel("Heard something new? Record it with its source."))
        # Both wrap, so a narrow window keeps its buttons rather than growing wider than itself.
        hint.setWordWrap(True)
        self.pack_line.setWordWrap(True)
        self.browse_button = QPushButton("Browse all facts…")
        self.browse_button.setToolTip("Every fact in the canon and your news, with its sources and timeline")
        self.browse_button.clicked.connect(lambda: self.browse_facts())
        self.add_news_button = QPushButton("Add news…")
        self.add_news_button.setToolTip("Record a piece of news about Étoile, with its source and date")
        self.add_news_button.clicked.connect(lambda: self.open_news_dialog())
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.browse_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.add_news_button, 0, Qt.AlignmentFlag.AlignVCenter)
        reason = read_only_reason(self.store)
        if reason is not None:  # a journal that cannot be changed takes no news
            self.add_news_button.setEnabled(False)
            self.add_news_button.setToolTip(reason)
        return bar

    # --- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reread the cards off the GUI thread; they change when the answer comes. A refresh
        asked for while one is under way replaces it, so what is shown is never older."""
        self._dirty = False
        canon = self.store.canon

        def work() -> tuple[tuple[TopicCard, ...], date | None]:
            return tuple(canon.status_board()), canon.pack_as_of()

        self.store.ops.read(work, self._when_alive(self._show_cards), key=self._key("board"))

    def _key(self, area: str) -> str:
        return f"status.{area}.{id(self)}"

    def _when_alive(self, apply: Callable[..., object]) -> Callable[..., None]:
        # A tab closed with the journal while its read was under way has nothing to fill.
        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                apply(*args)

        return call

    def _show_cards(self, result: tuple[tuple[TopicCard, ...], date | None]) -> None:
        cards, as_of = result
        for card in cards:
            if card.topic in self.cards:
                self.cards[card.topic].show_card(card)
        self._align_rows()
        self.pack_line.setText(
            f"From the canon pack as of {long_date(as_of)}, and the news you add."
            if as_of
            else "From the news you add."
        )

    def _schedule_refresh(self, *_: object) -> None:
        # A hidden tab catches up when it is shown, so edits on the board stay cheap.
        if self.isVisible():
            # Signals come in bursts (link evidence emits two); one refresh answers them all.
            self.store.ops.debounce(self._key("refresh"), 0, self._when_alive(self.refresh))
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # --- news ------------------------------------------------------------------------------

    def open_news_dialog(self, topic: Topic | None = None, fact: Fact | None = None) -> None:
        """Open (not exec) the dialog, so it never blocks and tests can drive it, once what it
        offers has been read off the GUI thread; it is then :attr:`news_dialog`. With ``fact``
        it edits that news. A journal that cannot be changed says why at once instead, as does
        a club for its members (news is the owner's)."""
        if refuse_unless_owner(self.store, self, "records news"):
            return
        open_news(self.store, self, topic, fact=fact, opened=self._news_opened)

    def edit_news(self, fact: Fact) -> None:
        self.open_news_dialog(fact.topic, fact)

    def _news_opened(self, dialog: NewsDialog) -> None:
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        self.news_dialog = dialog

    def retract_news(self, fact: Fact) -> None:
        # No question asked: Edit → Undo takes it back. A refusal reaches the window's message.
        if not refuse_unless_owner(self.store, self, "records news"):
            self.store.retract_news(fact.id)

    def browse_facts(self, fact_id: int | None = None) -> None:
        # Imported here: the browser is a window of its own, built only when asked for.
        from etoile_app.ui.canon.browser import open_canon_browser

        if fact_id is None:
            open_canon_browser(self.store, self)
        else:
            open_canon_browser(self.store, self, fact_id)

    def _forget_dialog(self, dialog: NewsDialog) -> None:
        if self.news_dialog is dialog:
            self.news_dialog = None

    def _tell(self, title: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_box = box
        box.open()

    # --- layout ----------------------------------------------------------------------------

    def position(self, topic: Topic) -> tuple[int, int]:
        """(row, column) of a topic's card."""
        return self._positions[topic]

    def _lay_out(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for view in self.cards.values():
            for column in self.column_layouts:
                column.removeWidget(view)
        for index, view in enumerate(self.cards.values()):
            row, col = divmod(index, columns)
            column = self.column_layouts[col]
            column.insertWidget(column.count() - 1, view)  # above the column's closing stretch
            self._positions[view.topic] = (row, col)
        for index in range(MAX_COLUMNS):
            # Columns in use share the width; the rest are empty and take none.
            self.columns_layout.setStretch(index, 1 if index < columns else 0)
        self._align_rows()

    def _align_rows(self, *_: object) -> None:
        """Cards in a row share a height while their histories are closed, so the page reads in
        rows. A card with its history open keeps its own height: only its column grows, and
        no card beside it is stretched or left with a gap below it."""
        self._align_timer.stop()
        views = list(self.cards.values())
        for start in range(0, len(views), self._columns):
            row = views[start : start + self._columns]
            closed = [v for v in row if not v.history_box.isVisibleTo(v)]
            tallest = max((v.natural_height() for v in closed), default=0) if len(row) > 1 else 0
            for view in row:
                view.setMinimumHeight(tallest if view in closed else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The cards' widths changed (a resize, a scroll bar coming or going): heights follow.
        if (
            watched is self.content
            and event.type() == QEvent.Type.Resize
            and event.size().width() != event.oldSize().width()
        ):
            self._align_timer.start()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The tab's own width, not the viewport's: that one is stale until the layout has run.
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = self.width() - scrollbar - 2 * SPACING
        columns = (width + SPACING) // (CARD_MIN_WIDTH + SPACING)
        self._lay_out(max(1, min(MAX_COLUMNS, columns)))

    # --- window state ----------------------------------------------------------------------

    def expanded_topics(self) -> list[Topic]:
        return [topic for topic, view in self.cards.items() if view.history_button.isChecked()]

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(SETTINGS_EXPANDED, ",".join(t.value for t in self.expanded_topics()))

    def restore_state(self, settings: QSettings) -> None:
        # A comma-joined string, because QSettings turns a one-item list into a bare string.
        raw = settings.value(SETTINGS_EXPANDED, "", str) or ""
        wanted = {part.strip() for part in raw.split(",")}
        for topic, view in self.cards.items():
            view.history_button.setChecked(topic.value in wanted)
