"""The forecast dialog in a club, driven through real widgets: a member types a chance (or a
chance per option) and a note, Enter saves it as their own forecast on another member's
theory, Ctrl+Z takes it back; chances that do not make 100 % and a theory resolved meanwhile
are refused in the dialog, which keeps what was typed and writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSpinBox, QWidget
from sqlalchemy import func, select

from etoile_app.domain.enums import Category
from etoile_app.domain.models import OptionDraft, TheoryDraft
from etoile_app.services.club import add_member
from etoile_app.services.journal import Journal
from etoile_app.storage.engine import make_engine
from etoile_app.storage.models import ForecasterRecord, ForecastRecord
from etoile_app.ui.board.forecast_dialog import ForecastDialog, ask_forecast
from etoile_app.ui.common.store import Store
from tests import backends

from .conftest import closed, record_threads, settle

pytestmark = pytest.mark.postgresql
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def club() -> Iterator[backends.Club]:
    with backends.club_database("Margot") as made:
        engine = make_engine(made.owner)
        try:
            for login in ("anna", "bob"):
                add_member(engine, made.login(login))
        finally:
            engine.dispose()
        yield made


def _member(club: backends.Club, login: str, name: str) -> Journal:
    journal = Journal.open(club.url(login), backups=False)
    if journal.identity.member is None:
        journal.join_club(name)
    return journal


@pytest.fixture
def bob(club: backends.Club) -> Iterator[Journal]:
    journal = _member(club, "bob", "Bob")
    yield journal
    journal.close()


@pytest.fixture
def anna(qtbot, club: backends.Club) -> Iterator[Store]:
    """Anna's window on the club's journal: a store, and a widget with Ctrl+Z for its undo."""
    store = Store(_member(club, "anna", "Anna"))
    yield store
    store.ops.shutdown(wait=True)
    store.journal.close()


@pytest.fixture
def window(qtbot, anna: Store) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    undo = QAction("Undo", widget)
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.triggered.connect(anna.undo)
    widget.addAction(undo)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def _draft(title: str, confidence: int = 30, **extra: object) -> TheoryDraft:
    return TheoryDraft(title=title, category=Category.OTHER, confidence=confidence, **extra)  # type: ignore[arg-type]


def _open(qtbot, window: QWidget, store: Store, theory_id: int) -> ForecastDialog:
    ask_forecast(window, store, theory_id)
    qtbot.waitUntil(lambda: window.findChild(ForecastDialog) is not None)
    dialog = window.findChild(ForecastDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _type_number(qtbot, box: QSpinBox, value: int) -> None:
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(box, str(value))
    assert box.value() == value


def _ctrl_z(qtbot, window: QWidget, store: Store) -> None:
    """Ctrl+Z in the window (its Undo action is a shortcut of the active window), and wait."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    settle(store)


def _forecasts(store: Store, theory_id: int) -> list[tuple[str, int, str]]:
    with store.journal.database.sessions() as s:
        rows = s.execute(
            select(ForecasterRecord.name, ForecastRecord.confidence, ForecastRecord.note)
            .join(ForecasterRecord, ForecasterRecord.id == ForecastRecord.forecaster_id)
            .where(ForecastRecord.theory_id == theory_id)
            .order_by(ForecastRecord.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_enter_saves_my_forecast_on_anothers_theory_and_ctrl_z_takes_it_back(
    qtbot, monkeypatch, window, anna: Store, bob: Journal
) -> None:
    theory = bob.theories.create(_draft("Jack returns to New York", 30))
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, anna.journal.theories, ["get"], threads)
    dialog = _open(qtbot, window, anna, theory.id)
    assert threads and all(name != threading.main_thread().name for _call, name in threads)
    assert dialog.chance is not None and dialog.chance.value() == 30  # Bob's, to start from
    assert dialog.option_boxes == {}

    _type_number(qtbot, dialog.chance, 80)
    qtbot.keyClicks(dialog.note, "the trailer says so")
    with qtbot.waitSignal(anna.theoriesChanged) as told:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(anna)
    assert told.args == [(theory.id,)]  # the board row refreshes
    assert _forecasts(anna, theory.id) == [("Bob", 30, ""), ("Anna", 80, "the trailer says so")]
    assert bob.theories.get(theory.id).confidence == 30  # still Bob's own
    assert anna.undo_stack.undoText() == "Forecast on “Jack returns to New York”"

    _ctrl_z(qtbot, window, anna)
    assert _forecasts(anna, theory.id) == [("Bob", 30, "")]
    anna.redo()
    settle(anna)
    assert _forecasts(anna, theory.id) == [("Bob", 30, ""), ("Anna", 80, "the trailer says so")]


def test_options_that_do_not_make_100_are_refused_and_nothing_is_written(
    qtbot, window, anna: Store, bob: Journal
) -> None:
    options = (OptionDraft("Jack", 50), OptionDraft("Gael", 30), OptionDraft("Nobody", 20))
    theory = bob.theories.create(_draft("Who Cheyenne ends up with", 50, options=options))
    dialog = _open(qtbot, window, anna, theory.id)
    assert dialog.chance is None
    assert {name: box.value() for name, box in dialog.option_boxes.items()} == {
        "Jack": 50,
        "Gael": 30,
        "Nobody": 20,
    }
    assert dialog.total_label is not None and dialog.total_label.text() == "Adds up to 100 %"

    _type_number(qtbot, dialog.option_boxes["Jack"], 60)
    assert dialog.total_label.text() == "Adds up to 110 % (must be 100 %)"
    qtbot.keyClick(dialog.option_boxes["Jack"], Qt.Key.Key_Return)
    settle(anna)
    assert not closed(dialog)
    assert dialog.chance_error.isVisible()
    assert "add up to 110 %" in dialog.chance_error.text() and "take away 10 %" in dialog.chance_error.text()
    assert dialog.option_boxes["Jack"].value() == 60  # what was typed stays
    assert _forecasts(anna, theory.id) == [("Bob", 50, ""), ("Bob", 30, ""), ("Bob", 20, "")]
    assert anna.undo_stack.count() == 0

    _type_number(qtbot, dialog.option_boxes["Gael"], 20)
    _type_number(qtbot, dialog.option_boxes["Nobody"], 20)
    assert dialog.total_label.text() == "Adds up to 100 %"
    assert not dialog.chance_error.isVisible()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(anna)
    assert _forecasts(anna, theory.id)[3:] == [("Anna", 60, ""), ("Anna", 20, ""), ("Anna", 20, "")]


def test_a_theory_resolved_meanwhile_is_refused_in_the_dialog_which_keeps_what_was_typed(
    qtbot, window, anna: Store, bob: Journal
) -> None:
    theory = bob.theories.create(_draft("Gael leaves Paris", 40))
    dialog = _open(qtbot, window, anna, theory.id)
    assert dialog.chance is not None
    _type_number(qtbot, dialog.chance, 65)
    qtbot.keyClicks(dialog.note, "hunch")
    bob.theories.resolve(theory.id, "busted")
    with anna.journal.database.sessions() as s:
        before = s.scalar(select(func.count()).select_from(ForecastRecord))
    qtbot.keyClick(dialog.chance, Qt.Key.Key_Return)
    settle(anna)
    assert not closed(dialog)
    assert dialog.message.isVisible() and "resolved as busted" in dialog.message.text()
    assert (dialog.chance.value(), dialog.note.text()) == (65, "hunch")
    with anna.journal.database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ForecastRecord)) == before


def test_esc_with_a_changed_chance_asks_before_dropping_it(qtbot, window, anna: Store, bob: Journal) -> None:
    theory = bob.theories.create(_draft("Cheyenne dances Giselle", 55))
    dialog = _open(qtbot, window, anna, theory.id)
    assert dialog.chance is not None
    _type_number(qtbot, dialog.chance, 70)
    qtbot.keyClick(dialog.chance, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert box is not None and not closed(dialog)
    qtbot.waitExposed(box)
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Keep editing
    qtbot.waitUntil(lambda: dialog.discard_box is None)
    assert not closed(dialog) and dialog.chance.value() == 70
    _type_number(qtbot, dialog.chance, 55)  # back as it was: nothing to lose
    qtbot.keyClick(dialog.chance, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: closed(dialog))
    assert _forecasts(anna, theory.id) == [("Bob", 55, "")]


def test_undo_of_the_authors_forecast_puts_the_theorys_confidence_back(
    qtbot, window, anna: Store, bob: Journal
) -> None:
    theory = anna.theories.create(_draft("Anna's own call", 40))
    dialog = _open(qtbot, window, anna, theory.id)
    assert dialog.chance is not None and dialog.chance.value() == 40
    _type_number(qtbot, dialog.chance, 75)
    qtbot.keyClick(dialog.chance, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog))
    settle(anna)
    assert anna.theories.get(theory.id).confidence == 75  # the author's forecast is the theory's
    _ctrl_z(qtbot, window, anna)
    back = anna.theories.get(theory.id)
    assert back.confidence == 40 and back.updated_at == theory.updated_at
    assert _forecasts(anna, theory.id) == [("Anna", 40, "")]
