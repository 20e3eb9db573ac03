"""The spoiler guard: Season 1 story kept out of sight for a fan who has not finished the season.

One switch, View → Show Season 1 spoilers, held by a :class:`SpoilerGuard` and remembered in
the window's settings. Every view that shows Season 1 story listens to the guard's ``changed``
signal and redraws at once. What counts as Season 1 story:

- a canon fact of the topic Season 1 story: its headline and statement, and its source's title
  and section too, since a recap's headline can give the ending away ("Etoile ending explained:
  Cheyenne's breakdown, …"). Hidden, such a fact keeps its topic, status, outlet and dates; its
  text leaves the lists, the detail, the tooltips and what a search looks in;
- a character's Season 1 arc, and the titles of the sources it rests on;
- a starter theory that tells story (:func:`starter_spoils`).

Hidden text gives way to a placeholder that says what is hidden and how to show it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from etoile_app.domain.enums import Category, Topic
from etoile_app.domain.models import Fact, SourceRef, StarterTheory
from etoile_app.ui.common.widgets import PlainLabel, muted

#: Where the choice is kept in the window's settings.
SETTINGS_KEY = "view/show_season1_spoilers"
#: Spoilers are shown until the person hides them (see :class:`SpoilerGuard`).
SHOWN_BY_DEFAULT = True

#: The View menu's switch.
ACTION_TEXT = "Show Season 1 &spoilers"
ACTION_TIP = "Show or hide what happens in Season 1: character arcs, story facts and starter theories"
#: In place of hidden story, wherever there is room to say how to bring it back.
HIDDEN_NOTE = "Season 1 story hidden — View → Show Season 1 spoilers"
#: In place of a hidden fact's headline or statement in a list or a heading.
HIDDEN_LINE = "Season 1 story (hidden)"
#: In place of a hidden starter theory's title.
HIDDEN_STARTER = "Hidden: this theory gives away Season 1"
#: The tooltip of a button that opens a source of hidden story (its address may tell the story).
OPEN_HIDDEN_SOURCE = "Open the source in your browser (it tells the Season 1 story)"
#: The button beside :data:`HIDDEN_NOTE`.
SHOW_BUTTON = "Show spoilers"

#: Starter categories that are about the story, as against casting, release or wishes.
STORY_CATEGORIES = frozenset({Category.ROMANCE, Category.VILLAIN_ARC, Category.PLOT_ARC})


# --- what counts as Season 1 story ---------------------------------------------------------------


def is_story(fact: Fact) -> bool:
    """Whether ``fact`` tells Season 1 story."""
    return fact.topic is Topic.SEASON1_STORY


def starter_spoils(starter: StarterTheory) -> bool:
    """Whether a starter theory's title or text may give Season 1 away.

    Nothing in a starter marks its spoilers (its tags name subjects, and the pack section it
    came from is not kept), so the rule goes by what it is about: a romance, villain arc or plot
    arc builds on how Season 1 left its characters ("after the finale kiss", "the job she was
    offered and lost"), and so does any starter that names a character. Casting wishes,
    release guesses and wish-list items that name no character are shown. Hiding one starter
    too many costs a click; showing one too many spoils the season.
    """
    return starter.category in STORY_CATEGORIES or bool(starter.characters)


def outlet_only(source: SourceRef) -> SourceRef:
    """``source`` without the title, section and note that may tell the story; the outlet, date
    and address stay, so it can still be opened."""
    return replace(source, title="", section="", note="")


def fact_line(fact: Fact, hidden: bool) -> str:
    """The fact's headline (or statement), or :data:`HIDDEN_LINE` when its story is hidden."""
    return HIDDEN_LINE if hidden and is_story(fact) else fact.title_line


def fact_statement(fact: Fact, hidden: bool) -> str:
    return HIDDEN_NOTE if hidden and is_story(fact) else fact.statement


def fact_citation(fact: Fact, hidden: bool) -> str:
    source = fact.source_ref
    return (outlet_only(source) if hidden and is_story(fact) else source).citation


def fact_search_text(fact: Fact, hidden: bool) -> str:
    """What a search over facts looks in: for a hidden fact only what is on show (its outlet and
    topic), so a search never points at a hidden fact by its story."""
    if hidden and is_story(fact):
        return f"{fact.source} {fact.topic.label}".casefold()
    return fact.search_text


# --- the switch ----------------------------------------------------------------------------------


class SpoilerGuard(QObject):
    """Whether Season 1 story is shown, kept in ``settings`` under :data:`SETTINGS_KEY`.

    Shown by default: the journal is for theories about what comes after Season 1, so nearly
    everyone who keeps one has watched it, and a journal that showed the arcs yesterday must
    not hide them after an update. A fresh install and an old one cannot be told apart
    reliably (the settings file may be new on either), so one default serves both; a fan who
    has not finished the season hides the story once and the choice is kept.
    """

    #: The new choice: True when Season 1 story is shown.
    changed = Signal(bool)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._shown = bool(settings.value(SETTINGS_KEY, SHOWN_BY_DEFAULT, bool))

    def shown(self) -> bool:
        return self._shown

    def hidden(self) -> bool:
        return not self._shown

    def set_shown(self, shown: bool) -> None:
        """Show or hide Season 1 story everywhere, and remember the choice."""
        shown = bool(shown)
        if shown == self._shown:
            return
        self._shown = shown
        self._settings.setValue(SETTINGS_KEY, shown)
        self._settings.sync()
        self.changed.emit(shown)

    # What the views show, as the switch stands now.

    def hides(self, fact: Fact) -> bool:
        return self.hidden() and is_story(fact)

    def hides_starter(self, starter: StarterTheory) -> bool:
        return self.hidden() and starter_spoils(starter)

    def line(self, fact: Fact) -> str:
        return fact_line(fact, self.hidden())

    def statement(self, fact: Fact) -> str:
        return fact_statement(fact, self.hidden())

    def citation(self, fact: Fact) -> str:
        return fact_citation(fact, self.hidden())

    def story_text(self, topic: Topic, text: str) -> str:
        """``text`` quoted from a fact of ``topic`` (an evidence line), or :data:`HIDDEN_LINE`
        when that is hidden Season 1 story."""
        return HIDDEN_LINE if self.hidden() and topic is Topic.SEASON1_STORY else text


def guard_for(widget: QObject | None, *, owner: QObject | None = None) -> SpoilerGuard:
    """The guard serving ``widget``: the one held as ``spoilers`` by the nearest parent that has
    one (the main window holds the app's). A widget outside any window gets a guard of its own
    on the application's default settings, owned by ``owner``."""
    obj = widget
    while obj is not None:
        guard = getattr(obj, "spoilers", None)
        if isinstance(guard, SpoilerGuard):
            return guard
        obj = obj.parent()
    return SpoilerGuard(QSettings(), owner)


class HiddenStoryNote(QWidget):
    """Stands in for hidden Season 1 story: says what is hidden and offers to show it."""

    def __init__(self, guard: SpoilerGuard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = PlainLabel(HIDDEN_NOTE)
        muted(self.label)
        italic = self.label.font()
        italic.setItalic(True)
        self.label.setFont(italic)
        self.show_button = QPushButton(SHOW_BUTTON)
        self.show_button.setAccessibleName("Show Season 1 spoilers")
        self.show_button.setToolTip("Show Season 1 story everywhere (View → Show Season 1 spoilers)")
        self.show_button.setAutoDefault(False)
        self.show_button.clicked.connect(lambda: guard.set_shown(True))
        self.setAccessibleName(HIDDEN_NOTE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignVCenter)
