"""The open-problem dialog for a journal on a database server: words about servers (no file, no
folder), the server's own message as a detail line, and Retry, which opens the journal again on
the opening thread, as the first try did."""

from __future__ import annotations

import socket
import threading

import backends
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from etoile_app import app as app_module
from etoile_app.domain.errors import JournalError
from etoile_app.services.journal import Journal
from etoile_app.storage.database import open_database
from etoile_app.ui.files.open_problem_dialog import Action, OpenChoice, OpenProblemDialog
from etoile_app.ui.main_window import MainWindow

FILE_WORDS = ("file", "folder", "choose another")


def _closed_port() -> int:
    """A port on this machine that nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _error(target: str) -> JournalError:
    with pytest.raises(JournalError) as caught:
        open_database(target)
    return caught.value


def _texts(dialog: OpenProblemDialog) -> list[str]:
    """Everything the dialog shows in words: its labels and its visible buttons."""
    labels = [w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog)]
    buttons = [b.text() for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog)]
    return labels + buttons


def _dialog(qtbot, error: JournalError, target: str) -> OpenProblemDialog:
    dialog = OpenProblemDialog(error, target=target)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def test_an_unreachable_server_is_told_in_words_about_servers_with_retry(qtbot) -> None:
    port = _closed_port()
    target = f"postgresql+psycopg://fan:pw-secret@127.0.0.1:{port}/club"
    dialog = _dialog(qtbot, _error(target), target)
    shown = _texts(dialog)
    for text in shown:
        assert not any(word in text.lower() for word in FILE_WORDS), text
        assert "pw-secret" not in text
    assert dialog.server and dialog.path is None and dialog.backup_box is None
    assert dialog.server_line is not None and f"127.0.0.1:{port}/club" in dialog.server_line.text()
    assert "cannot be reached" in dialog.heading.text()
    # The server's (the driver's) own words, as a detail line.
    assert dialog.message.accessibleName() == "Details"
    assert "refused" in dialog.message.text().lower()
    assert dialog.retry_button.isVisible() and dialog.retry_button.isDefault()
    assert not dialog.new_button.isVisible()
    with qtbot.waitSignal(dialog.chosen) as signal:
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert signal.args == [OpenChoice(Action.RETRY)]


def test_escape_still_quits_on_a_server(qtbot) -> None:
    target = f"postgresql+psycopg://fan@127.0.0.1:{_closed_port()}/club"
    dialog = _dialog(qtbot, _error(target), target)
    with qtbot.waitSignal(dialog.chosen) as signal:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert signal.args == [OpenChoice(Action.QUIT)]


def test_a_file_keeps_its_file_wording_and_has_no_retry(qtbot, tmp_path) -> None:
    path = tmp_path / "not-a-journal.sqlite3"
    path.write_bytes(b"this is no database at all" * 10)
    error = _error(str(path))
    dialog = OpenProblemDialog(error)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert not dialog.server and dialog.path == path
    assert dialog.heading.text() == "This file is not a journal"
    assert not dialog.retry_button.isVisible() and dialog.new_button.isVisible()


# --- start-up: Retry opens again, on the opening thread ----------------------------------------


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.store is not None:
        w.store.ops.shutdown(wait=True)
        w.store.journal.close()


@pytest.fixture
def answer_dialogs():
    """``answer_dialogs(act)``: each time the open-problem dialog shows, call ``act(dialog)``;
    returns the list of the dialogs seen."""
    timers: list[QTimer] = []

    def start(act) -> list[OpenProblemDialog]:
        seen: list[OpenProblemDialog] = []
        timer = QTimer()
        timer.setInterval(50)

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if isinstance(modal, OpenProblemDialog) and modal not in seen:
                seen.append(modal)
                act(modal)

        timer.timeout.connect(poll)
        timer.start()
        timers.append(timer)
        return seen

    yield start
    for timer in timers:
        timer.stop()


@pytest.fixture
def opening_threads(monkeypatch) -> list[str]:
    """The names of the threads ``Journal.open`` ran on."""
    names: list[str] = []
    original = Journal.open.__func__

    def recorded(cls, *args, **kwargs):
        names.append(threading.current_thread().name)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Journal, "open", classmethod(recorded))
    return names


@pytest.fixture
def later_database():
    """The name of a database on the test server that does not exist yet (dropped at the end,
    after the window has closed its journal)."""
    server = backends.server()
    name = server.fresh_name("retry")
    yield name
    server.drop(server.url_of(name))


@pytest.mark.postgresql
def test_retry_opens_the_journal_once_its_database_exists(
    qtbot, later_database, window, opening_threads, answer_dialogs
) -> None:
    server = backends.server()
    target = server.url_of(later_database).render_as_string(hide_password=False)

    def create_then_retry(dialog: OpenProblemDialog) -> None:
        assert "not on the server" in dialog.heading.text()
        assert dialog.retry_button.isVisible()
        server.create(later_database)  # the administrator creates it meanwhile
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)

    seen = answer_dialogs(create_then_retry)
    assert app_module.open_journal(window, target) == 0
    assert len(seen) == 1
    assert len(opening_threads) == 2
    assert all(n.startswith("etoile-open") for n in opening_threads)
    assert window.store is not None
    assert window.store.journal.backups.supported
    assert window.daily_backups.timer.isActive()


def test_quit_on_an_unreachable_server_ends_with_1_after_each_retry(
    qtbot, window, opening_threads, answer_dialogs
) -> None:
    target = f"postgresql+psycopg://fan@127.0.0.1:{_closed_port()}/club"
    answers = iter(["retry", "quit"])

    def answer(dialog: OpenProblemDialog) -> None:
        button = dialog.retry_button if next(answers) == "retry" else dialog.quit_button
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    seen = answer_dialogs(answer)
    assert app_module.open_journal(window, target) == 1
    assert len(seen) == 2 and len(opening_threads) == 2
    assert all(n.startswith("etoile-open") for n in opening_threads)
    assert window.store is None
