"""A refusal from a database server shows the app's message, with the server's own words behind
Show Details (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from etoile_app.domain.errors import JournalError, PermissionDeniedError, ServerError
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.board.rate_dialog import COL_CONFIDENCE, RateDialog, read_rows
from etoile_app.ui.common.widgets import server_words, tell_refusal
from etoile_app.ui.main_window import MainWindow

from .conftest import settle, wait

SERVER = "db.example:5432/fanclub"
SAID = 'ERROR:  permission denied for table theories\nCONTEXT:  SQL statement "UPDATE theories"'
MESSAGE = "Your login may only read this journal on db.example:5432/fanclub: the change was not saved."


def _denied() -> PermissionDeniedError:
    return PermissionDeniedError(MESSAGE, SERVER, SAID, target="theories")


def _boxes(parent) -> list[QMessageBox]:
    return [b for b in parent.findChildren(QMessageBox) if b.isVisible()]


@pytest.fixture
def window(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    settle(store)
    return w


def test_the_server_words_name_the_server_and_quote_it():
    words = server_words(_denied())
    assert SERVER in words and "permission denied for table theories" in words
    assert server_words(JournalError("A refusal of the journal's own.")) == ""
    assert server_words(ServerError("Lost.", SERVER, None)) == ""


def test_a_refusal_box_shows_the_server_words_as_details(qtbot, store, settings):
    parent = MainWindow(settings)
    qtbot.addWidget(parent)
    box = tell_refusal(parent, "Title", _denied())
    assert box.text() == MESSAGE
    assert SAID.splitlines()[0] in box.detailedText()
    assert "Traceback" not in box.detailedText() + box.text()
    plain = tell_refusal(parent, "Title", JournalError("Nothing was changed."))
    assert plain.detailedText() == "", "no details for a refusal of the journal's own"


def test_the_window_message_for_a_server_refusal_has_the_server_words(window):
    box = window.show_refusal(_denied())
    assert box.isVisible() and box.text() == MESSAGE
    assert "permission denied for table theories" in box.detailedText()
    assert SERVER in box.detailedText()


def test_a_server_refusal_of_background_work_reaches_the_window_without_a_traceback(window, store):
    def work():
        raise _denied()

    ticket = store.ops.write(work)
    settle(store)
    assert isinstance(ticket.error, PermissionDeniedError)
    boxes = _boxes(window)
    assert [b.text() for b in boxes] == [MESSAGE]
    assert "Traceback" not in boxes[0].text() + boxes[0].detailedText()
    # The window hears the error itself, so the server's words are there behind Show Details.
    assert "permission denied for table theories" in boxes[0].detailedText()


def test_a_dialog_save_refused_by_the_server_shows_its_words_in_the_details(qtbot, store, monkeypatch):
    theory = wait(store.create_theory(TheoryDraft("Jack returns", confidence=50)))

    def refuse(*_args, **_kwargs):
        raise _denied()

    monkeypatch.setattr(store.theories, "rate_many", refuse)
    dialog = RateDialog(store, read_rows(store.theories, [theory.id]))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.model.setData(dialog.model.index(0, COL_CONFIDENCE), 70)
    dialog.save()
    settle(store)

    boxes = _boxes(dialog)
    assert len(boxes) == 1
    assert boxes[0].text() == MESSAGE
    assert "permission denied for table theories" in boxes[0].detailedText()
    assert "Traceback" not in boxes[0].detailedText()
    assert dialog.isVisible() and dialog.model.ratings() == [(theory.id, 70, None)], "what was typed stays"
