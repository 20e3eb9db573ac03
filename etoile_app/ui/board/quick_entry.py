"""Quick entry: a theory from one typed line, above the board.

``Cheyenne returns to Paris 70% #plot/paris by June 2027 @Cheyenne`` and Enter: the line is
read as it is typed (see :mod:`etoile_app.domain.quick_entry`), a hint under it shows what
Enter will save and what was not understood, and Enter saves it in the background. The line
empties once the theory is saved; a refused save says why and keeps the text. Esc empties
the line (Ctrl+Z in it brings the text back); on an empty line Esc goes back to the board.
"""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import Character, Theory
from etoile_app.domain.quick_entry import KnownCharacter, QuickEntry, parse
from etoile_app.ui.common import fmt
from etoile_app.ui.common.ops import Ticket
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import PlainLabel, error_label, muted, set_error

#: What the hint says while the line is empty.
HELP = (
    "Type a title and, anywhere in the line, 70%  #tag  by June 2027  @Name  !romance — "
    "Enter saves it as a new theory."
)
PLACEHOLDER = "Quick entry: Cheyenne returns to Paris 70% #plot/paris by June 2027 @Cheyenne  (Ctrl+L)"
#: The key of the read that brings the characters ``@`` may name.
CHARACTERS_KEY = "board:quick-entry:characters"
#: Between the parts of what Enter will save.
SEPARATOR = " · "
#: How much of a long title the hint shows (the middle gives way).
TITLE_SHOWN = 100


def describe(entry: QuickEntry) -> str:
    """What Enter will save, on one line: ``Title · 70 % · #plot/paris · by 30 Jun 2027 · Cheyenne``."""
    draft = entry.draft()
    title = fmt.isolate(fmt.elide_middle(entry.title, TITLE_SHOWN)) if entry.title else "(no title yet)"
    parts = [title, fmt.percent(draft.confidence)]
    if entry.category is not None:
        parts.append(entry.category.label)
    parts += [f"#{tag}" for tag in entry.tags]
    if entry.resolve_by is not None:
        parts.append(f"by {fmt.short_date(entry.resolve_by)}")
    parts += [fmt.isolate(c.name) for c in entry.characters]
    return SEPARATOR.join(parts)


class _Line(QLineEdit):
    """The line itself: Esc empties it, or (empty) hands the keyboard back; focus reads the
    characters ``@`` names."""

    escaped = Signal()
    focused = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.escaped.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()


class QuickEntryLine(QWidget):
    """One line that writes a theory, with a hint under it saying what Enter will save."""

    #: A theory was saved from the line (the Theory as saved).
    saved = Signal(object)
    #: Esc on an empty line: the keyboard goes back to whatever the line serves.
    left = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        #: The characters ``@`` may name; ``None`` until they are read.
        self._characters: tuple[KnownCharacter, ...] | None = None
        self._reading = False
        self._save_when_read = False
        self._saving = False

        self.line = _Line()
        self.line.setPlaceholderText(PLACEHOLDER)
        self.line.setAccessibleName("Quick entry")
        self.line.setAccessibleDescription(HELP)
        self.line.setClearButtonEnabled(True)
        self.preview = muted(PlainLabel())
        self.preview.setAccessibleName("What Enter saves")
        self.problems = error_label()
        self.problems.setAccessibleName("Not understood")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        layout.addWidget(self.preview)
        layout.addWidget(self.problems)

        self.line.textChanged.connect(self._changed)
        self.line.returnPressed.connect(self.save)
        self.line.escaped.connect(self._escape)
        self.line.focused.connect(self._want_characters)
        store.castChanged.connect(self._cast_changed)
        self._show_hint()

    # --- reading the line ------------------------------------------------------------------

    def entry(self) -> QuickEntry:
        """The line as it reads now (characters not read yet name nobody)."""
        return parse(self.line.text(), self._characters or (), self.store.today())

    def focus(self) -> None:
        """Put the keyboard in the line, its text selected (Ctrl+L)."""
        self.line.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.line.selectAll()

    def _changed(self, _text: str) -> None:
        self._want_characters()
        self._show_hint()

    def _show_hint(self) -> None:
        text = self.line.text()
        if not text.strip():
            self.preview.setText(HELP)
            set_error(self.problems, "")
            return
        entry = self.entry()
        self.preview.setText(describe(entry))
        messages = []
        if entry.title and entry.title_error:  # too long, a control character
            messages.append(entry.title_error)
        if entry.problems and self._characters is not None:  # "@Name" means nothing before them
            messages.append("Not understood, so left in the title: " + " ".join(entry.problems))
        set_error(self.problems, " ".join(messages))

    def _say(self, message: str, *, error: bool) -> None:
        """A word about the last Enter, until the line changes."""
        if error:
            set_error(self.problems, message)
        else:
            set_error(self.problems, "")
            self.preview.setText(message)

    # --- the characters ``@`` names --------------------------------------------------------

    def _want_characters(self) -> None:
        if self._characters is None and not self._reading:
            self._read_characters()

    def _cast_changed(self) -> None:
        if self._characters is not None or self._reading:
            self._read_characters()

    def _read_characters(self) -> Ticket[list[Character]]:
        self._reading = True
        return self.store.ops.read(
            self.store.cast.characters, self._characters_read, key=CHARACTERS_KEY, failed=self._not_read
        )

    def _characters_read(self, characters: Sequence[Character]) -> None:
        if not shiboken6.isValid(self):
            return
        self._reading = False
        self._characters = tuple((c.id, c.name, c.full_name) for c in characters)
        if self._save_when_read:
            self._save_when_read = False
            self.save()
        elif not self._saving:
            self._show_hint()

    def _not_read(self, exc: JournalError) -> None:
        if not shiboken6.isValid(self):
            return
        self._reading = False
        if self._save_when_read:
            self._save_when_read = False
            self._say(exc.message, error=True)

    # --- Enter and Esc ---------------------------------------------------------------------

    def save(self) -> Ticket[Theory] | None:
        """Save the line as a new theory in the background, if it has a title. The line keeps
        its text until the theory is saved, and keeps it when the save is refused."""
        if self._saving or not self.line.text().strip():
            return None
        if self._characters is None:  # Enter came before the characters: save once they come
            self._save_when_read = True
            self._want_characters()
            return None
        entry = self.entry()
        if not entry.saveable:
            self._say(entry.title_error or "", error=True)
            return None
        self._saving = True
        self.line.setReadOnly(True)  # what is saved is what the line shows
        return self.store.create_theory(entry.draft(), done=self._saved, failed=self._refused)

    def _saved(self, theory: Theory) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.line.setReadOnly(False)
        self.line.setText("")  # saved: Ctrl+Z in the line does not bring it back for a second save
        self._say(
            f"Saved “{fmt.isolate(fmt.elide_middle(theory.title, 80))}”. Edit → Undo takes it back.",
            error=False,
        )
        self.saved.emit(theory)

    def _refused(self, exc: JournalError) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.line.setReadOnly(False)
        self._say(exc.message, error=True)

    def _escape(self) -> None:
        if self._saving:
            return  # the save under way empties the line, or says why it could not
        if self.line.text():
            self.line.selectAll()
            self.line.del_()  # one step of the line's own undo: Ctrl+Z brings the text back
            self._say("Emptied. Ctrl+Z brings the text back.", error=False)
        else:
            self.left.emit()

    def busy(self) -> bool:
        """Whether a save from the line is under way."""
        return self._saving

    def characters_known(self) -> bool:
        return self._characters is not None
