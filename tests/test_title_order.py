"""The board's title order is the app's own: the same on SQLite and on any server collation."""

from __future__ import annotations

from helpers import listed, write

from etoile_app.domain.models import SortKey, TheoryQuery
from etoile_app.services.journal import Journal
from etoile_app.storage.sort_keys import title_key

TITLES = ["Zoé leads", "étoile rising", "Etoile falls", "Émile returns", "apple", "Ångström", "Ébène", "eve"]
#: Accents off and case folded, then compared code point by code point; ties by id.
EXPECTED = [
    "Ångström",
    "apple",
    "Ébène",
    "Émile returns",
    "Etoile falls",
    "étoile rising",
    "eve",
    "Zoé leads",
]


def test_title_key_folds_accents_and_case() -> None:
    assert title_key("Étoile") == title_key("etoile") == "etoile"
    assert title_key("Straße") == "strasse"
    assert title_key("Ångström") < title_key("apple") < title_key("Zoé")


def test_the_board_sorts_titles_alike_on_every_backend(journal: Journal) -> None:
    ids = {write(journal, title).id: title for title in TITLES}
    ascending = [ids[i] for i in listed(journal.board, TheoryQuery(sort=SortKey.TITLE, descending=False))]
    assert ascending == EXPECTED
    descending = [ids[i] for i in listed(journal.board, TheoryQuery(sort=SortKey.TITLE, descending=True))]
    assert descending == list(reversed(EXPECTED))


def test_renaming_a_theory_moves_it_in_the_order(journal: Journal) -> None:
    first = write(journal, "Alpha")
    write(journal, "Beta")
    journal.theories.edit(first.id, _draft_of(journal, first.id, "Gamma"))
    titles = [
        journal.theories.get(i).title
        for i in listed(journal.board, TheoryQuery(sort=SortKey.TITLE, descending=False))
    ]
    assert titles == ["Beta", "Gamma"]


def _draft_of(journal: Journal, theory_id: int, title: str):
    from dataclasses import replace

    from etoile_app.domain.models import TheoryDraft

    theory = journal.theories.get(theory_id)
    return replace(TheoryDraft(title=theory.title, confidence=theory.confidence), title=title)
