"""File → Load canon pack…: apply a newer pack and show what it changed.

The pack is read, checked and applied as a long job on the writer thread, in one transaction:
its progress shows if it takes a moment, and Cancel stops it before it commits (nothing is then
written). A pack that is refused, not newer, or cancelled is said in a message that does not
block (:func:`~etoile_app.ui.common.widgets.tell`).

The dialog lists the facts the pack added, changed, superseded (overtaken by later news) and
contradicted (shown wrong by a better source), the characters an older edition had by mistake
and who they turned out to be, and the open theories that cite a changed, superseded or
contradicted fact; clicking one shows it on the board. What the dialog names (the facts, the
characters, the theories) is read off the GUI thread before it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from etoile_app.domain.errors import JournalError
from etoile_app.domain.models import Character, Fact, PackChanges, Theory
from etoile_app.ui.common import fmt
from etoile_app.ui.common.jobs import JobProgress
from etoile_app.ui.common.roles import ID_ROLE
from etoile_app.ui.common.store import Store
from etoile_app.ui.common.widgets import PlainLabel, muted, plain_tooltip, tell

if TYPE_CHECKING:
    from etoile_app.services.canon import CanonService
    from etoile_app.services.cast import CastService
    from etoile_app.services.theories import TheoryService

#: The fact tabs: name, what it means (shown above the list and as the tab's tooltip).
FACT_TABS = (
    ("Added", "New in this edition"),
    ("Changed", "Reworded, re-sourced or given another status"),
    ("Superseded", "Overtaken by later news"),
    ("Contradicted", "Shown wrong by a better source"),
)
MERGED_TAB = "Characters corrected"
#: Said under every outcome but the one that applied the pack.
UNCHANGED = "Nothing was changed; your canon is as it was."


@dataclass(frozen=True)
class PackChangesData:
    """What the changes dialog shows: the pack's changes and what they name, that is the live
    facts of every topic, the characters (when some were corrected) and the theories to review."""

    changes: PackChanges
    facts: tuple[Fact, ...]
    characters: tuple[Character, ...]
    theories: tuple[Theory, ...]


def read_pack_changes(
    canon: CanonService, cast: CastService, theories: TheoryService, changes: PackChanges
) -> PackChangesData:
    """Read what the changes dialog names (on a reader thread: the services return frozen records)."""
    return PackChangesData(
        changes,
        tuple(canon.facts()),
        tuple(cast.characters()) if changes.characters_merged else (),
        tuple(theories.get(theory_id) for theory_id in changes.affected_theory_ids),
    )


def _fact_item(fact: Fact | None, key: str, by_id: dict[int, Fact]) -> QListWidgetItem:
    if fact is None:
        return QListWidgetItem(key)
    lines = [
        fact.title_line,
        f"{fact.shown_status.label} · {fact.source} · {fmt.short_date(fact.as_of)}",
    ]
    corrector = by_id.get(fact.contradicted_by_id) if fact.contradicted_by_id is not None else None
    successor = by_id.get(fact.superseded_by_id) if fact.superseded_by_id is not None else None
    if corrector is not None:
        lines.append(f"Shown wrong by: {corrector.title_line} ({corrector.source})")
    elif successor is not None:
        lines.append(f"Overtaken by: {successor.title_line} ({successor.source})")
    item = QListWidgetItem("\n".join(lines))
    item.setData(ID_ROLE, fact.id)
    # Tooltips render HTML, and canon text is not ours to trust: escaped, always.
    item.setToolTip(plain_tooltip(f"{fact.statement}\n\n{fact.source_ref.citation}"))
    return item


def _merged_text(old_key: str, new: Character | None, new_key: str) -> str:
    """``Arturo → Crispin Shamblee``: the old character is gone from the database, so its key
    stands in for its name."""
    old_name = old_key.replace("-", " ").title()
    return f"{old_name} → {new.display_name if new is not None else new_key.replace('-', ' ').title()}"


def _list() -> QListWidget:
    widget = QListWidget()
    widget.setWordWrap(True)
    widget.setAlternatingRowColors(True)
    return widget


def _page(caption: str, widget: QListWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 6, 0, 0)
    label = muted(PlainLabel(caption))
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return page


class PackChangesDialog(QDialog):
    """What a canon pack changed; activating a theory shows it on the board."""

    def __init__(self, store: Store, data: PackChangesData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.changes = changes = data.changes
        self.setWindowTitle(f"Canon pack edition {changes.version}")
        self.resize(920, 560)  # wide enough for all six tabs
        facts = {f.key: f for f in data.facts}
        by_id = {f.id: f for f in data.facts}

        layout = QVBoxLayout(self)
        self.summary = PlainLabel(_summary(changes))
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.lists: dict[str, QListWidget] = {}
        self.pages: dict[str, QWidget] = {}
        for (name, caption), keys in zip(
            FACT_TABS,
            (changes.added, changes.changed, changes.superseded, changes.contradicted),
            strict=True,
        ):
            widget = _list()
            widget.setAccessibleName(f"{name} facts: {caption.lower()}")
            for key in keys:
                widget.addItem(_fact_item(facts.get(key), key, by_id))
            self._add_tab(name, caption, widget, len(keys))

        if changes.characters_merged:
            characters = {c.key: c for c in data.characters}
            widget = _list()
            widget.setAccessibleName("Characters corrected")
            for old_key, new_key in changes.characters_merged:
                new = characters.get(new_key)
                item = QListWidgetItem(_merged_text(old_key, new, new_key))
                if new is not None:
                    item.setData(ID_ROLE, new.id)
                item.setToolTip(
                    plain_tooltip(
                        "An older edition listed this character by mistake; "
                        "your theories and dream casting now name the right one."
                    )
                )
                widget.addItem(item)
            self._add_tab(
                MERGED_TAB,
                "Characters an older edition had by mistake, and who they really are",
                widget,
                len(changes.characters_merged),
            )

        self.theories = QListWidget()
        self.theories.setAccessibleName("Open theories citing a changed fact")
        for theory in data.theories:
            item = QListWidgetItem(f"{theory.title}  ({fmt.percent(theory.confidence)})")
            item.setData(ID_ROLE, theory.id)
            item.setToolTip("Click to show it on the board")
            self.theories.addItem(item)
        self.theories.itemClicked.connect(self._show)
        self.theories.itemActivated.connect(self._show)
        self.tabs.addTab(self.theories, f"Your open theories to review ({len(changes.affected_theory_ids)})")
        self.tabs.setTabToolTip(
            self.tabs.count() - 1, "Open theories citing a changed, superseded or contradicted fact"
        )
        if changes.affected_theory_ids:
            self.tabs.setCurrentWidget(self.theories)
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def _add_tab(self, name: str, caption: str, widget: QListWidget, count: int) -> None:
        page = _page(caption, widget)
        self.lists[name] = widget
        self.pages[name] = page
        index = self.tabs.addTab(page, f"{name} ({count})")
        self.tabs.setTabToolTip(index, caption)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def _show(self, item: QListWidgetItem) -> None:
        self.store.showTheory.emit(item.data(ID_ROLE))


def _summary(changes: PackChanges) -> str:
    parts = [
        fmt.count(len(changes.added), "new fact"),
        f"{len(changes.changed)} changed",
        f"{len(changes.superseded)} superseded",
    ]
    corrected = f"{fmt.count(len(changes.contradicted), 'fact')} corrected by a better source"
    text = f"Edition {changes.version} is now your canon: {', '.join(parts)} and {corrected}."
    if changes.characters_merged:
        names = fmt.count(len(changes.characters_merged), "character")
        text += (
            f" {names} of an older edition turned out to be someone else; "
            "your theories and dream casting now name the right one. Your own news was not touched."
        )
    else:
        text += " Your own news and theories were not touched."
    return text


def apply_pack_file(store: Store, path: Path, parent: QWidget) -> JobProgress:
    """Apply the pack at ``path`` in the background (its progress shown if it takes a moment,
    Cancel until it commits); then show its changes, or say why nothing changed. What either
    names is read off the GUI thread first."""
    progress = JobProgress(store.ops, "Load canon pack", f"Loading {path.name}", parent, cancellable=True)
    canon, cast, theories = store.canon, store.cast, store.theories

    def not_newer(changes: PackChanges, current: int | None) -> None:
        if shiboken6.isValid(parent):
            tell(
                parent,
                QMessageBox.Icon.Information,
                "Canon pack not loaded",
                f"{path.name} is edition {changes.version}; your journal already has edition {current}.",
                UNCHANGED,
            )

    def show(data: PackChangesData) -> None:
        if shiboken6.isValid(parent):
            dialog = PackChangesDialog(store, data, parent)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def done(changes: PackChanges) -> None:
        progress.finish()
        if not changes.applied:
            store.ops.read(canon.pack_version, lambda current: not_newer(changes, current))
            return
        store.ops.read(lambda: read_pack_changes(canon, cast, theories, changes), show)

    def failed(exc: JournalError) -> None:
        progress.finish()
        tell(parent, QMessageBox.Icon.Warning, "Cannot load the canon pack", str(exc), UNCHANGED)

    def cancelled() -> None:
        progress.finish()
        tell(
            parent,
            QMessageBox.Icon.Information,
            "Canon pack loading cancelled",
            f"{path.name} was not loaded.",
            UNCHANGED,
        )

    return progress.follow(store.start_load_canon_pack(path, done=done, failed=failed, cancelled=cancelled))


def choose_pack_file(store: Store, parent: QWidget) -> JobProgress | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, "Load canon pack", "", "Canon packs (*.json);;All files (*)"
    )
    return apply_pack_file(store, Path(name), parent) if name else None
