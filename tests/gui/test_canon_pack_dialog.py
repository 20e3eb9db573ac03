"""File → Load canon pack…: a newer pack is applied and its changes shown, one click from the board.

The pack loads as a long job: its progress shows, Cancel writes nothing, and every outcome but
the changes dialog is a message that does not block (never a static ``QMessageBox``).
"""

from __future__ import annotations

import json
import threading

import pytest
from helpers import CANON_V1, FakeClock, character_id, mini_pack_data
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from etoile_app.domain.enums import FactStatus, Stance
from etoile_app.domain.models import EvidenceDraft, TheoryDraft
from etoile_app.services import canon as canon_service
from etoile_app.services.journal import Journal
from etoile_app.ui.cast.tab import CastTab
from etoile_app.ui.common.store import Store
from etoile_app.ui.files.canon_pack_dialog import (
    ID_ROLE,
    PackChangesDialog,
    apply_pack_file,
    read_pack_changes,
)

from .conftest import record_threads, settle, wait


@pytest.fixture(autouse=True)
def _no_unexpected_message_box(monkeypatch):
    """A message box nobody expected would wait for a click forever; fail the test instead.
    Tests that expect one patch over this."""

    def unexpected(parent, title, text, *args):
        raise AssertionError(f"unexpected message box {title!r}: {text}")

    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, unexpected)


def _pack_v2(tmp_path, helpers_data):
    data = helpers_data
    data["version"] = 2
    data["as_of"] = "2026-10-01"
    for fact in data["facts"]:
        if fact["key"] == "renewal-cancelled":
            fact["statement"] = "Prime Video cancelled Étoile after one season, citing cost."
    data["sources"].append(
        {
            "key": "variety",
            "kind": "news",
            "outlet": "Variety",
            "title": "London shoot confirmed",
            "date": "2026-09-30",
            "url": "https://example.org/variety/london",
        }
    )
    data["facts"].append(
        {
            "key": "locations-london-confirmed",
            "topic": "locations",
            "statement": "A London shoot was confirmed.",
            "status": "confirmed",
            "source": "variety",
            "supersedes": "locations-london",
        }
    )
    path = tmp_path / "pack-v2.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _mini_pack():
    return mini_pack_data()


def _parent(qtbot) -> QWidget:
    parent = QWidget()
    qtbot.addWidget(parent)
    return parent


def _apply(qtbot, store: Store, path, parent: QWidget) -> PackChangesDialog | None:
    """Load ``path`` as File → Load canon pack… does; the changes dialog, once the job is done."""
    apply_pack_file(store, path, parent)
    settle(store)
    shown = [d for d in parent.findChildren(PackChangesDialog) if d.isVisible()]
    return shown[0] if shown else None


def _message(qtbot, parent: QWidget, title: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> None:
        found[:] = [b for b in parent.findChildren(QMessageBox) if b.isVisible() and b.windowTitle() == title]
        assert found

    qtbot.waitUntil(shown)
    return found[0]


@pytest.fixture
def held(monkeypatch):
    """Pack loads stop once they have written the facts (in the open transaction) until
    ``held.set()``; ``held.reached`` is set when one gets there."""
    gate = threading.Event()
    reached = threading.Event()
    original = canon_service._PackWriter._facts

    def facts(self):
        out = original(self)
        reached.set()
        gate.wait(10)
        return out

    monkeypatch.setattr(canon_service._PackWriter, "_facts", facts)
    gate.reached = reached  # type: ignore[attr-defined]
    yield gate
    gate.set()


def _cite(store, journal, key, title):
    fact = next(f for f in journal.canon.facts() if f.key == key)
    return wait(
        store.create_theory(
            TheoryDraft(title, confidence=60, evidence=(EvidenceDraft(fact.id, Stance.SUPPORTS, ""),))
        )
    )


def test_newer_pack_shows_its_changes_and_the_theories_to_review(
    qtbot, store, journal, tmp_path, monkeypatch
):
    cites_renewal = _cite(store, journal, "renewal-cancelled", "A revival on another streamer")
    cites_london = _cite(store, journal, "locations-london", "The story visits London")
    _cite(store, journal, "renewal-order", "Unaffected")
    parent = _parent(qtbot)
    dialog = _apply(qtbot, store, _pack_v2(tmp_path, _mini_pack()), parent)
    assert dialog is not None
    assert [
        dialog.lists["Added"].item(i).text().split("\n")[0] for i in range(dialog.lists["Added"].count())
    ] == ["A London shoot was confirmed."]
    assert dialog.lists["Changed"].count() == 1
    assert dialog.lists["Superseded"].count() == 1
    superseded = dialog.lists["Superseded"].item(0).text().split("\n")
    assert superseded[0] == "Production may have scouted London."
    assert superseded[1].startswith("Superseded · Test article · ")
    assert superseded[2] == "Overtaken by: A London shoot was confirmed. (Variety)"
    # Nothing was shown wrong and no character corrected: the tabs say so, or are not there.
    assert dialog.lists["Contradicted"].count() == 0
    assert "Contradicted (0)" in dialog.tab_titles()
    assert "Characters corrected" not in dialog.lists
    assert "0 facts corrected by a better source" in dialog.summary.text()
    ids = [dialog.theories.item(i).data(ID_ROLE) for i in range(dialog.theories.count())]
    assert sorted(ids) == sorted([cites_renewal.id, cites_london.id])
    assert dialog.tabs.currentWidget() is dialog.theories

    with qtbot.waitSignal(store.showTheory) as shown:
        dialog.theories.itemClicked.emit(dialog.theories.item(0))
    assert shown.args == [ids[0]]
    assert store.canon.pack_version() == 2


def test_an_older_or_same_pack_changes_nothing_and_says_so(qtbot, store, journal, tmp_path, db_snapshot):
    path = tmp_path / "same.json"
    path.write_text(json.dumps(_mini_pack()), encoding="utf-8")
    before = db_snapshot(journal)
    parent = _parent(qtbot)
    assert _apply(qtbot, store, path, parent) is None
    box = _message(qtbot, parent, "Canon pack not loaded")
    assert "same.json is edition 1; your journal already has edition 1" in box.text()
    assert "Nothing was changed" in box.informativeText()
    box.close()
    assert db_snapshot(journal) == before


def test_a_broken_pack_is_refused_with_the_entry_named(qtbot, store, journal, tmp_path, db_snapshot):
    data = _mini_pack()
    data["version"] = 3
    data["facts"][1]["status"] = "certain"
    path = tmp_path / "<b>broken.json"  # a file name is the person's text: shown as typed
    path.write_text(json.dumps(data), encoding="utf-8")
    before = db_snapshot(journal)
    parent = _parent(qtbot)
    assert _apply(qtbot, store, path, parent) is None
    box = _message(qtbot, parent, "Cannot load the canon pack")
    assert box.text().startswith("<b>broken.json: facts[1]")
    assert "certain" in box.text()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "Nothing was changed" in box.informativeText()
    box.close()
    assert db_snapshot(journal) == before
    assert not store.ops.job_running()


def test_loading_a_pack_shows_its_progress(qtbot, store, journal, tmp_path, held):
    parent = _parent(qtbot)
    parent.show()
    apply_pack_file(store, _pack_v2(tmp_path, _mini_pack()), parent)
    assert store.ops.job_running()  # File → Load canon pack… and the like wait meanwhile
    assert held.reached.wait(10)
    progress = parent.findChild(QProgressDialog)
    qtbot.waitUntil(progress.isVisible)  # it shows once the job has taken a moment
    assert progress.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(lambda: progress.labelText() == "Updating the facts…")
    assert (progress.value(), progress.maximum()) == (3, canon_service.PACK_STEPS)
    assert [b.text() for b in progress.findChildren(QPushButton)] == ["Cancel"]
    held.set()
    settle(store)
    assert not [p for p in parent.findChildren(QProgressDialog) if p.isVisible()]  # it went with the job
    dialog = parent.findChild(PackChangesDialog)
    assert dialog is not None and dialog.isVisible()
    assert journal.canon.pack_version() == 2
    dialog.close()


def test_cancelling_a_pack_writes_nothing(qtbot, store, journal, tmp_path, held, db_snapshot):
    before = db_snapshot(journal)
    changed: list[object] = []
    store.canonChanged.connect(lambda: changed.append(True))
    parent = _parent(qtbot)
    parent.show()
    apply_pack_file(store, _pack_v2(tmp_path, _mini_pack()), parent)
    assert held.reached.wait(10)  # the facts are written, in the transaction not yet committed
    progress = parent.findChild(QProgressDialog)
    qtbot.waitUntil(progress.isVisible)
    (cancel,) = progress.findChildren(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    held.set()
    box = _message(qtbot, parent, "Canon pack loading cancelled")
    assert box.text() == "pack-v2.json was not loaded."
    assert "Nothing was changed" in box.informativeText()
    box.close()
    settle(store)
    assert db_snapshot(journal) == before
    assert journal.canon.pack_version() == 1
    assert parent.findChild(PackChangesDialog) is None
    assert not changed  # no view was told to reload
    assert not store.ops.job_running()


def test_the_service_reports_each_step_in_one_transaction(journal, tmp_path, db_snapshot):
    """Without a window: the steps in order, and a stop at any of them leaves the journal as it was."""
    from etoile_app.domain.errors import CancelledError

    path = _pack_v2(tmp_path, _mini_pack())
    before = db_snapshot(journal)
    for stop_at in range(canon_service.PACK_STEPS):

        def progress(done, total, text, stop_at=stop_at):
            if done == stop_at:
                raise CancelledError()

        with pytest.raises(CancelledError):
            journal.load_pack_file(path, progress=progress)
        assert db_snapshot(journal) == before
    steps: list[tuple[int, int, str]] = []
    changes = journal.load_pack_file(path, progress=lambda *step: steps.append(step))
    assert changes.applied
    assert [s[0] for s in steps] == list(range(canon_service.PACK_STEPS))
    assert {s[1] for s in steps} == {canon_service.PACK_STEPS}
    assert steps[0][2] == "Reading pack-v2.json"


# --- the upgrade from the bundled edition 1 -------------------------------------------------

CALLOW = "Simon Callow"


def _canon_v2(tmp_path):
    """A small edition 2 in the schema-2 layout: some edition-1 keys, the man edition 1 called
    Arturo under his real name, and a better source showing the Arturo fact wrong."""
    v1 = json.loads(CANON_V1.read_text(encoding="utf-8"))
    old = {f["key"]: f for f in v1["facts"]}
    data = {
        "format": "etoile-canon-pack",
        "schema_version": 2,
        "version": 2,
        "as_of": "2025-07-01",
        "title": "Étoile canon",
        "sources": [
            {
                "key": "article",
                "kind": "article",
                "outlet": "Fan site",
                "title": "Sweat, Sequins, Sabotage",
                "date": "2025-05-01",
            },
            {
                "key": "deadline",
                "kind": "news",
                "outlet": "Deadline",
                "title": "Étoile Canceled After One Season",
                "date": "2025-06-06",
                "url": "https://example.org/deadline/etoile-canceled",
            },
            {
                "key": "recap",
                "kind": "recap",
                "outlet": "Test Recap",
                "title": "Étoile, episode 3",
                "date": "2025-06-20",
                "url": "https://example.org/recap/etoile-3",
            },
        ],
        "characters": [
            {
                "key": "crispin",
                "name": "Crispin",
                "full_name": "Crispin Shamblee",
                "actor": CALLOW,
                "company": "new_york",
                "role": "recurring",
                "description": "A board member of the Metropolitan Ballet Theater.",
                "season1_arc": "Schemes to poach Cheyenne.",
                "sources": ["article", "recap"],
                "section": "High Stakes and Villainous Turns",
                "replaces": ["arturo"],
            }
        ],
        "facts": [
            # Kept from edition 1 as it was (the article's claims stay reported, never confirmed).
            {
                "key": "s1-arturo",
                "topic": "season1_story",
                "statement": old["s1-arturo"]["statement"],
                "status": "reported",
                "source": "article",
                "section": old["s1-arturo"]["section"],
                "characters": ["crispin"],
            },
            {
                "key": "renewal-cancelled",
                "topic": "renewal",
                "headline": "Cancelled after one season",
                "statement": old["renewal-cancelled"]["statement"],
                "status": "reported",
                "source": "deadline",
            },
            {
                "key": "s1-crispin-is-callow",
                "topic": "season1_story",
                "headline": "Simon Callow plays Crispin Shamblee; there is no Arturo",
                "statement": "The credits name Simon Callow as Crispin Shamblee, a board member in New York.",
                "status": "reported",
                "source": "recap",
                "contradicts": ["s1-arturo"],
                "characters": ["crispin"],
            },
        ],
    }
    path = tmp_path / "etoile-canon-v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def v1_store(qtbot, tmp_path):
    """A fresh journal seeded with the bundled pack exactly as edition 1 shipped it."""
    journal = Journal.open(tmp_path / "edition-1.sqlite3", pack=CANON_V1, clock=FakeClock(), backups=False)
    store = Store(journal)
    try:
        yield store
    finally:
        store.ops.shutdown(wait=True)
        journal.close()


def test_upgrading_edition_1_shows_the_corrected_fact_and_character(qtbot, v1_store, tmp_path):
    store = v1_store
    journal = store.journal
    assert journal.canon.pack_version() == 1
    arturo = character_id(journal, "arturo")
    cites_arturo = _cite(store, journal, "s1-arturo", "Arturo buys the New York company")
    names_arturo = wait(
        store.create_theory(
            TheoryDraft(
                "Mishi and Arturo join forces",
                character_ids=(arturo, character_id(journal, "mishi")),
                evidence=(
                    EvidenceDraft(
                        next(f.id for f in journal.canon.facts() if f.key == "s1-mishi-lashes-out"),
                        Stance.SUPPORTS,
                    ),
                ),
            )
        )
    )

    parent = _parent(qtbot)
    dialog = _apply(qtbot, store, _canon_v2(tmp_path), parent)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert store.canon.pack_version() == 2

    # The fact a better source showed wrong, with what showed it so.
    contradicted = dialog.lists["Contradicted"]
    assert contradicted.count() == 1
    lines = contradicted.item(0).text().split("\n")
    assert lines[0].startswith("Season 1 publicity said little about Simon Callow’s Arturo")
    assert lines[1].startswith("Contradicted · Fan site · ")
    assert lines[2] == (
        "Shown wrong by: Simon Callow plays Crispin Shamblee; there is no Arturo (Test Recap)"
    )
    assert "Contradicted (1)" in dialog.tab_titles()
    assert dialog.tabs.tabToolTip(dialog.tab_titles().index("Contradicted (1)")) == (
        "Shown wrong by a better source"
    )
    added = dialog.lists["Added"]
    assert [added.item(i).text().split("\n")[0] for i in range(added.count())] == [
        "Simon Callow plays Crispin Shamblee; there is no Arturo"
    ]
    # The character edition 1 had by mistake, under the name of the one they really are.
    corrected = dialog.lists["Characters corrected"]
    assert [corrected.item(i).text() for i in range(corrected.count())] == ["Arturo → Crispin Shamblee"]
    assert "Characters corrected (1)" in dialog.tab_titles()
    summary = dialog.summary.text()
    assert "1 fact corrected by a better source" in summary
    assert "1 character of an older edition" in summary

    # Only the theory citing a corrected fact needs review; it is on show first.
    assert dialog.tabs.currentWidget() is dialog.theories
    ids = [dialog.theories.item(i).data(ID_ROLE) for i in range(dialog.theories.count())]
    assert ids == [cites_arturo.id]
    with qtbot.waitSignal(store.showTheory) as shown:
        rect = dialog.theories.visualItemRect(dialog.theories.item(0))
        qtbot.mouseClick(dialog.theories.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == [cites_arturo.id]

    # The theory that named Arturo names Crispin now; nobody is called Arturo any more.
    assert [c.name for c in store.theories.get(names_arturo.id).characters] == ["Crispin", "Mishi"]
    characters = {c.key: c for c in store.cast.characters()}
    assert "arturo" not in characters
    crispin = characters["crispin"]
    assert (crispin.display_name, crispin.actor, crispin.verified) == ("Crispin Shamblee", CALLOW, True)
    assert (
        store.canon.fact(next(f.id for f in store.canon.facts() if f.key == "s1-arturo")).shown_status
        is FactStatus.CONTRADICTED
    )

    # And the Cast tab shows him by his full name, played by Simon Callow, with his sources.
    tab = CastTab(store)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    settle(store)  # the characters are read off the GUI thread
    tab.search_edit.setText("shamblee")
    assert tab.detail.name_label.text() == "Crispin Shamblee"
    assert tab.detail.actor_label.text() == f"Played by {CALLOW}"
    assert not tab.detail.unverified_label.isVisible()
    assert [row.open_button.isEnabled() for row in tab.detail.source_rows] == [False, True]
    dialog.close()


def test_file_load_canon_pack_from_the_menu(qtbot, store, journal, settings, db_path, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from etoile_app.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.attach(store, db_path)
    settle(store)
    path = _pack_v2(tmp_path, _mini_pack())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.load_pack_action.trigger()
    assert not window.load_pack_action.isEnabled()  # one long job at a time
    settle(store)
    dialog = window.findChild(PackChangesDialog)
    assert dialog is not None and dialog.isVisible()
    assert window.load_pack_action.isEnabled()
    assert journal.canon.pack_version() == 2
    dialog.close()


# --- what the dialogs name is read off the GUI thread ---------------------------------------


def test_what_the_changes_dialog_names_is_read_off_the_gui_thread(qtbot, v1_store, tmp_path, monkeypatch):
    store = v1_store
    cites_arturo = _cite(store, store.journal, "s1-arturo", "Arturo buys the New York company")
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("facts",), threads)
    record_threads(monkeypatch, store.cast, ("characters",), threads)
    record_threads(monkeypatch, store.theories, ("get",), threads)
    parent = _parent(qtbot)
    dialog = _apply(qtbot, store, _canon_v2(tmp_path), parent)
    assert dialog is not None
    assert {name for name, _ in threads} == {"facts", "characters", "get"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads
    # ... and shown: the corrected character, the fact that corrected it, the theory to review.
    assert dialog.lists["Characters corrected"].item(0).text() == "Arturo → Crispin Shamblee"
    assert dialog.lists["Contradicted"].item(0).text().split("\n")[2].startswith("Shown wrong by: Simon")
    assert dialog.theories.item(0).text().startswith("Arturo buys the New York company  (60")
    assert dialog.theories.item(0).data(ID_ROLE) == cites_arturo.id
    dialog.close()


def test_a_pack_not_newer_reads_the_journals_edition_off_the_gui_thread(qtbot, store, tmp_path, monkeypatch):
    path = tmp_path / "same.json"
    path.write_text(json.dumps(_mini_pack()), encoding="utf-8")
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("pack_version",), threads)
    parent = _parent(qtbot)
    assert _apply(qtbot, store, path, parent) is None
    box = _message(qtbot, parent, "Canon pack not loaded")
    assert "your journal already has edition 1" in box.text()
    assert [name for name, _ in threads] == ["pack_version"]
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads
    box.close()


def test_a_slow_read_opens_the_changes_late_without_holding_up_the_window(
    qtbot, store, journal, tmp_path, monkeypatch
):
    cites = _cite(store, journal, "renewal-cancelled", "A revival on another streamer")
    gate = threading.Event()
    original = store.theories.get

    def slow(theory_id):
        gate.wait(10)
        return original(theory_id)

    monkeypatch.setattr(store.theories, "get", slow)
    parent = _parent(qtbot)
    parent.show()
    try:
        apply_pack_file(store, _pack_v2(tmp_path, _mini_pack()), parent)
        qtbot.waitUntil(lambda: not store.ops.job_running())  # the pack is in
        qtbot.wait(50)
        assert parent.findChild(PackChangesDialog) is None  # it opens once what it names has come
        assert not [p for p in parent.findChildren(QProgressDialog) if p.isVisible()]
    finally:
        gate.set()
    qtbot.waitUntil(lambda: parent.findChild(PackChangesDialog) is not None)
    dialog = parent.findChild(PackChangesDialog)
    assert dialog.isVisible()
    assert [dialog.theories.item(i).data(ID_ROLE) for i in range(dialog.theories.count())] == [cites.id]
    dialog.close()


def test_the_changes_dialog_shows_what_it_is_given(qtbot, store, journal, tmp_path):
    cites = _cite(store, journal, "locations-london", "The story visits London")
    changes = journal.load_pack_file(_pack_v2(tmp_path, _mini_pack()))
    data = read_pack_changes(store.canon, store.cast, store.theories, changes)
    assert data.characters == ()  # none corrected: the characters are not read
    dialog = PackChangesDialog(store, data)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Canon pack edition 2"
    added = dialog.lists["Added"]
    assert [added.item(i).text().split("\n")[0] for i in range(added.count())] == [
        "A London shoot was confirmed."
    ]
    assert [dialog.theories.item(i).data(ID_ROLE) for i in range(dialog.theories.count())] == [cites.id]
