"""File → Load canon pack…: a newer pack is applied and its changes shown, one click from the board."""

from __future__ import annotations

import json

from helpers import mini_pack_data
from PySide6.QtWidgets import QMessageBox, QWidget

from etoile_app.domain.enums import Stance
from etoile_app.domain.models import EvidenceDraft, TheoryDraft
from etoile_app.ui.canon_pack_dialog import ID_ROLE, apply_pack_file


def _pack_v2(tmp_path, helpers_data):
    data = helpers_data
    data["version"] = 2
    data["as_of"] = "2026-10-01"
    for fact in data["facts"]:
        if fact["key"] == "renewal-cancelled":
            fact["statement"] = "Prime Video cancelled Étoile after one season, citing cost."
    data["sources"].append({"key": "variety", "name": "Variety", "date": "2026-09-30"})
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


def _cite(store, journal, key, title):
    fact = next(f for f in journal.canon.facts() if f.key == key)
    return store.create_theory(
        TheoryDraft(title, confidence=60, evidence=(EvidenceDraft(fact.id, Stance.SUPPORTS, ""),))
    )


def test_newer_pack_shows_its_changes_and_the_theories_to_review(
    qtbot, store, journal, tmp_path, monkeypatch
):
    cites_renewal = _cite(store, journal, "renewal-cancelled", "A revival on another streamer")
    cites_london = _cite(store, journal, "locations-london", "The story visits London")
    _cite(store, journal, "renewal-order", "Unaffected")
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = apply_pack_file(store, _pack_v2(tmp_path, _mini_pack()), parent)
    assert dialog is not None
    assert [
        dialog.lists["Added"].item(i).text().split("\n")[0] for i in range(dialog.lists["Added"].count())
    ] == ["A London shoot was confirmed."]
    assert dialog.lists["Changed"].count() == 1
    assert dialog.lists["Superseded"].count() == 1
    ids = [dialog.theories.item(i).data(ID_ROLE) for i in range(dialog.theories.count())]
    assert sorted(ids) == sorted([cites_renewal.id, cites_london.id])
    assert dialog.tabs.currentWidget() is dialog.theories

    with qtbot.waitSignal(store.showTheory) as shown:
        dialog.theories.itemClicked.emit(dialog.theories.item(0))
    assert shown.args == [ids[0]]
    assert store.canon.pack_version() == 2


def test_an_older_or_same_pack_changes_nothing_and_says_so(
    qtbot, store, journal, tmp_path, monkeypatch, db_snapshot
):
    said = {}
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.update(text=text))
    path = tmp_path / "same.json"
    path.write_text(json.dumps(_mini_pack()), encoding="utf-8")
    before = db_snapshot(journal)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert apply_pack_file(store, path, parent) is None
    assert "already has edition 1" in said["text"]
    assert db_snapshot(journal) == before


def test_a_broken_pack_is_refused_with_the_entry_named(
    qtbot, store, journal, tmp_path, monkeypatch, db_snapshot
):
    said = {}
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.update(text=text))
    data = _mini_pack()
    data["version"] = 3
    data["facts"][1]["status"] = "certain"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = db_snapshot(journal)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert apply_pack_file(store, path, parent) is None
    assert "facts[1]" in said["text"] and "certain" in said["text"]
    assert db_snapshot(journal) == before
