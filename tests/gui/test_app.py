"""Launching the app: the command line, first paint, the main window and --screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QMessageBox

from etoile_app import __version__
from etoile_app.cli import display_problem
from etoile_app.domain.models import TheoryDraft
from etoile_app.ui.main_window import MainWindow

from .conftest import board_dialog, record_threads, settle, wait

ROOT = Path(__file__).resolve().parents[2]


def _run(
    args: list[str], env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etoile_app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


def test_version_prints_and_exits(tmp_path):
    result = _run(["--version"], _env(tmp_path))
    assert result.returncode == 0
    assert result.stdout.strip() == f"etoile-journal {__version__}"


def test_without_a_display_it_says_so_in_one_line(tmp_path):
    result = _run(["--db", str(tmp_path / "j.sqlite3")], _env(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0] and "Xvfb" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert not (tmp_path / "j.sqlite3").exists()


@pytest.mark.parametrize(
    ("environ", "platform", "ok"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_display_check(environ, platform, ok):
    assert (display_problem(environ, platform) is None) is ok


def test_window_paints_before_the_database_layer_is_imported(tmp_path):
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from etoile_app.ui.main_window import MainWindow\n"
        f"w = MainWindow(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "def painted():\n"
        "    loaded = [m for m in ('sqlalchemy', 'alembic', 'etoile_app.storage', 'etoile_app.services')"
        " if m in sys.modules]\n"
        "    print('loaded at first paint:', loaded)\n"
        "    app.quit()\n"
        "w.firstPainted.connect(painted)\n"
        "w.show()\n"
        "app.exec()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded at first paint: []" in result.stdout


def test_screenshot_renders_every_tab_to_a_png(tmp_path):
    out = tmp_path / "shots"
    result = _run(
        ["--db", str(tmp_path / "j.sqlite3"), "--screenshot", str(out)], _env(tmp_path), timeout=180
    )
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.png"))
    assert [f.name for f in files] == [
        "01-status.png",
        "02-cast.png",
        "03-theory-board.png",
        "04-track-record.png",
        "05-canon-browser.png",
    ]
    for f in files:
        image = QImage(str(f))
        assert (image.width(), image.height()) == (1280, 800)
        colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
        assert len(colours) > 8, f"{f.name} looks blank"
    assert (tmp_path / "j.sqlite3").exists()  # created and seeded on first run


@pytest.fixture
def window(qtbot, store, settings):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, Path("/tmp/journal.sqlite3"))
    settle(store)  # start-up: the counts and the tab in front are read in the background
    return w


def test_main_window_has_tabs_menus_and_standard_shortcuts(window):
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Status", "Cast", "Theory board", "Track record"]
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Help"]
    assert window.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.redo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)


def test_status_bar_counts_follow_changes(window, store):
    assert window.counts.text() == "0 theories · 0 open · 0 resolved"
    t = wait(store.create_theory(TheoryDraft("A theory", confidence=60)))
    settle(store)
    assert window.counts.text() == "1 theory · 1 open · 0 resolved"
    wait(store.resolve(t.id, "busted"))
    settle(store)
    assert window.counts.text().endswith("0 open · 1 resolved")


def test_new_theory_action_opens_the_editor_on_the_board(window, qtbot):
    window.new_action.trigger()
    assert window.tabs.currentWidget() is window.board_tab
    editor = board_dialog(window.board_tab)
    assert editor is not None and editor.isVisible()
    editor.reject()


def test_find_action_focuses_the_search(window, qtbot):
    window.tabs.setCurrentIndex(0)
    window.find_action.trigger()
    assert window.tabs.currentWidget() is window.board_tab
    qtbot.waitUntil(lambda: window.board_tab.search.hasFocus())


def _about_boxes(window) -> list[QMessageBox]:
    boxes = window.findChildren(QMessageBox)
    return [b for b in boxes if b.isVisible() and b.windowTitle().startswith("About")]


def test_about_names_version_canon_date_and_data_file(window, store):
    window.show_about()
    settle(store)  # the pack's edition and date are read in the background
    (box,) = _about_boxes(window)
    assert __version__ in box.text()
    assert "Canon pack: edition 1, as of 10 June 2025" in box.text()
    assert "/tmp/journal.sqlite3" in box.text()
    box.close()


def test_about_reads_the_pack_off_the_gui_thread(window, store, monkeypatch):
    threads: list[tuple[str, str]] = []
    record_threads(monkeypatch, store.canon, ("pack_version", "pack_as_of"), threads)
    window.show_about()
    settle(store)
    assert {name for name, _ in threads} == {"pack_version", "pack_as_of"}
    assert all(thread.startswith("etoile-read") for _, thread in threads), threads
    (box,) = _about_boxes(window)
    box.close()


def test_a_slow_pack_read_does_not_hold_up_the_window(qtbot, window, store, monkeypatch):
    gate = threading.Event()
    original = store.canon.pack_version

    def slow() -> int | None:
        gate.wait(10)
        return original()

    monkeypatch.setattr(store.canon, "pack_version", slow)
    started = time.monotonic()
    window.show_about()
    assert time.monotonic() - started < 2  # back at once; the box opens when the read comes
    assert not _about_boxes(window)
    window.tabs.setCurrentIndex(1)  # the window still answers meanwhile
    assert window.tabs.currentIndex() == 1
    gate.set()
    qtbot.waitUntil(lambda: len(_about_boxes(window)) == 1)
    (box,) = _about_boxes(window)
    assert "Canon pack: edition 1" in box.text()
    box.close()


def test_undo_in_the_edit_menu_restores_a_deleted_theory(window, store):
    t = wait(store.create_theory(TheoryDraft("Keep me", confidence=60)))
    wait(store.delete_theory(t.id))
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    settle(store)
    assert not store.theories.get(t.id).is_deleted


def test_the_edit_menu_names_the_step_and_keeps_an_ampersand(window, store):
    t = wait(store.create_theory(TheoryDraft("Jack & Cheyenne", confidence=60)))
    assert window.undo_action.text() == "&Undo New theory “Jack && Cheyenne”"
    assert window.undo_action.toolTip() == "Undo New theory “Jack & Cheyenne”"
    wait(store.delete_theory(t.id))
    assert window.undo_action.text() == "&Undo Delete “Jack && Cheyenne”"
    window.undo_action.trigger()
    settle(store)
    assert window.redo_action.text() == "&Redo Delete “Jack && Cheyenne”"
    assert window.undo_action.text() == "&Undo New theory “Jack && Cheyenne”"


def test_ctrl_z_straight_after_a_change_undoes_that_change(window, store):
    """The change is still on the writer thread when Ctrl+Z comes: the undo waits for its step."""
    first = wait(store.create_theory(TheoryDraft("First", confidence=60)))
    store.delete_theory(first.id)  # not waited for
    window.undo_action.trigger()
    settle(store)
    assert not store.theories.get(first.id).is_deleted  # the delete was undone, not the create
    assert store.undo_stack.redoText() == "Delete “First”"


def test_undo_waits_for_a_long_job_and_leaves_the_history_alone(window, store, monkeypatch):
    wait(store.create_theory(TheoryDraft("Keep me", confidence=60)))
    monkeypatch.setattr(store.ops, "job_running", lambda: True)
    told = []
    store.failed.connect(lambda said: told.append(str(said)))
    store.undo()
    assert store.undo_stack.index() == 1  # nothing moved
    assert told and "busy" in told[0]


def test_window_state_and_last_tab_are_remembered(qtbot, store, settings):
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.attach(store, None)
    first.resize(1100, 700)
    first.tabs.setCurrentIndex(2)
    first.close()

    second = MainWindow(QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    second.show()
    second.attach(store, None)
    assert second.tabs.currentIndex() == 2
    assert (second.width(), second.height()) == (1100, 700)


def test_the_app_icon_comes_in_every_size_and_matches_the_desktop_entry(qapp):
    from etoile_app import paths
    from etoile_app.app import app_icon

    sizes = sorted(s.width() for s in app_icon().availableSizes())
    assert sizes == list(paths.ICON_SIZES)
    entry = (paths.resources_dir() / "etoile-journal.desktop").read_text(encoding="utf-8")
    assert f"Icon={paths.ICON_NAME}\n" in entry
    assert "Exec=etoile-journal\n" in entry


def test_the_about_box_shows_the_app_icon(window):
    from etoile_app.app import app_icon

    window.setWindowIcon(app_icon())
    window.show_about()
    settle(window.store)
    (box,) = _about_boxes(window)
    pixmap = box.iconPixmap()
    assert not pixmap.isNull() and pixmap.width() >= 96
    box.close()


def test_only_the_tab_in_front_is_built_before_it_paints(qtbot, store, settings):
    from etoile_app.ui.main_window import BOARD, CAST

    settings.setValue("window/tab", BOARD)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    assert set(w._built) == {BOARD}
    assert w.tabs.currentWidget() is w._built[BOARD]
    # Once the board has painted, the other tabs are built in their places.
    qtbot.waitUntil(lambda: len(w._built) == 4)
    assert [w.tabs.widget(i) for i in range(4)] == [w._built[i] for i in range(4)]
    assert w.tabs.currentIndex() == BOARD
    assert w.tabs.tabText(CAST) == "Cast"


def test_a_tab_asked_for_before_it_was_built_is_built_then(qtbot, store, settings):
    from etoile_app.ui.main_window import BOARD, STATUS, TRACK

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.attach(store, None)  # never shown: nothing paints
    assert set(w._built) == {STATUS}
    w.tabs.setCurrentIndex(TRACK)  # a click on its tab
    assert w.tabs.currentWidget() is w._built[TRACK]
    theory = wait(store.create_theory(TheoryDraft("Shown from elsewhere")))
    wait(store.create_theory(TheoryDraft("Newer, so first on the board")))
    store.showTheory.emit(theory.id)  # the board, built now, still gets it
    assert w.tabs.currentIndex() == BOARD
    settle(store)  # once its rows have come
    assert w.board_tab.current_id() == theory.id


def test_once_every_tab_is_built_the_long_lived_objects_are_frozen_for_the_collector(qtbot, store, settings):
    import gc

    gc.unfreeze()
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    assert gc.get_freeze_count() == 0
    qtbot.waitUntil(lambda: len(w._built) == 4)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0)
    gc.unfreeze()


def test_screenshots_show_each_tab_filled_in_not_its_first_frame(qtbot, store, settings, tmp_path):
    from etoile_app.ui.screenshots import save_screenshots

    theory = wait(store.create_theory(TheoryDraft("Mishi turns villain", confidence=70)))
    settings.setValue("window/tab", 0)  # the board is built behind the Status tab
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.attach(store, None)
    written = save_screenshots(w, tmp_path / "shots")
    assert [p.name for p in written][-1] == "05-canon-browser.png"
    assert len(written) == 5
    board = w.board_tab
    assert board.detail.theory is not None and board.detail.theory.id == theory.id
    assert board.filters.characters.count() > 0
    assert board.filters.tags.count() == len(store.board.tags())
    # Its chart was made while the board was hidden, and still has its compact height.
    assert board.detail.history_chart.height() < 250


def test_screenshots_show_crispin_on_the_cast_tab_and_the_canon_browser(qtbot, store, settings, tmp_path):
    from etoile_app.canon.pack import load_pack
    from etoile_app.paths import canon_pack_path
    from etoile_app.ui.canon.browser import CanonBrowser
    from etoile_app.ui.screenshots import save_screenshots

    store.journal.load_pack_file(canon_pack_path())  # the bundled edition, newer than the test pack
    assert store.canon.pack_version() == load_pack(canon_pack_path()).version
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.attach(store, None)
    save_screenshots(w, tmp_path / "shots")
    shown = w.cast_tab.current_character()
    assert (shown.key, shown.full_name, shown.actor) == ("crispin", "Crispin Shamblee", "Simon Callow")
    browser = w.findChild(CanonBrowser)
    assert browser is not None
    assert store.canon.fact(browser.current_fact_id()).key == "renewal-cancelled"


# --- what the window says about opening: the integrity check, an upgrade -------------------


def _status_notes(window) -> list[str]:
    from PySide6.QtWidgets import QLabel

    return [
        label.text()
        for label in window.statusBar().findChildren(QLabel)
        if label.isVisibleTo(window) and label is not window.counts and label.text()
    ]


@pytest.fixture
def held_check(monkeypatch, db_path):
    """The journal is at the bundled canon (so opening it writes nothing) and its background
    integrity check waits for ``held_check.set()``; ``held_check.outcome`` may be an error."""
    import threading

    from etoile_app.canon.pack import load_pack
    from etoile_app.paths import canon_pack_path
    from etoile_app.services.journal import Journal
    from etoile_app.storage import integrity
    from etoile_app.storage.database import open_database

    journal = Journal.from_database(open_database(db_path))
    journal.canon.apply_pack(load_pack(canon_pack_path()))
    journal.close()
    gate = threading.Event()
    gate.outcome = None  # type: ignore[attr-defined]

    def full_check(path, **kwargs):
        gate.wait(10)
        if gate.outcome is not None:  # type: ignore[attr-defined]
            raise gate.outcome  # type: ignore[attr-defined]

    monkeypatch.setattr(integrity, "full_check", full_check)
    yield gate
    gate.set()


@pytest.fixture
def bare_window(qtbot, settings):
    from etoile_app.app import close_journal

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_journal(w)


def test_the_status_bar_says_the_journal_is_being_checked_until_it_passes(
    qtbot, bare_window, db_path, held_check
):
    from etoile_app.app import CHECKING, open_journal

    window = bare_window
    assert open_journal(window, db_path) == 0
    assert window.store.journal.database.gate is not None
    assert _status_notes(window) == [CHECKING]
    assert window.statusBar().currentMessage() == ""  # not covered by "Ready"
    held_check.set()
    qtbot.waitUntil(lambda: _status_notes(window) == [])
    assert window.store.journal.database.gate.passed


def test_a_check_that_fails_takes_the_note_away_and_says_so(
    qtbot, bare_window, db_path, held_check, monkeypatch
):
    from etoile_app import app as app_module
    from etoile_app.domain.errors import DamagedDatabaseError

    window = bare_window
    said: list[object] = []
    monkeypatch.setattr(app_module, "_damage_found", lambda w, error, **_: said.append(error))
    assert app_module.open_journal(window, db_path) == 0
    assert _status_notes(window) == [app_module.CHECKING]
    held_check.outcome = DamagedDatabaseError("The journal is damaged: an index is wrong.", db_path)
    held_check.set()
    qtbot.waitUntil(lambda: bool(said))
    assert said == [held_check.outcome]  # the open-problem dialog says why, and offers backups
    assert _status_notes(window) == []


def _first_schema_journal(path: Path) -> None:
    from alembic import command

    from etoile_app.storage import migrate
    from etoile_app.storage.engine import make_engine

    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0001_initial")
    engine.dispose()


def test_a_journal_upgraded_at_open_is_said_in_the_status_bar(qtbot, bare_window, tmp_path):
    from etoile_app.app import UPGRADE_NOTE_MS, open_journal

    path = tmp_path / "old.sqlite3"
    _first_schema_journal(path)
    window = bare_window
    assert open_journal(window, path, interactive=False) == 0
    db = window.store.journal.database
    (backup,) = db.backups
    (note,) = _status_notes(window)
    assert note.startswith("Upgraded your journal from an earlier version of the app (schema 0001_initial).")
    assert f"kept in the backup {backup.name}" in note and "File → Restore from backup…" in note
    assert UPGRADE_NOTE_MS >= 30_000  # long enough to be read, not for ever
    # A passing message (a daily backup) covers it for a moment; then it is back.
    window.statusBar().showMessage("Daily backup saved", 50)
    assert _status_notes(window) == []
    qtbot.waitUntil(lambda: _status_notes(window) == [note])


def test_a_journal_opened_as_it_was_says_nothing_of_upgrades(qtbot, bare_window, db_path):
    from etoile_app.app import open_journal

    window = bare_window
    assert open_journal(window, db_path, interactive=False) == 0
    assert window.store.journal.database.upgraded_from is None
    assert _status_notes(window) == []


def test_the_upgrade_message_without_a_backup():
    from types import SimpleNamespace

    from etoile_app.app import upgrade_message

    assert upgrade_message(SimpleNamespace(upgraded_from=None, backups=[])) is None
    assert upgrade_message(SimpleNamespace(upgraded_from="0004_canon_v2", backups=[])) == (
        "Upgraded your journal from an earlier version of the app (schema 0004_canon_v2)."
    )


def test_stopping_the_daily_backups_stops_their_first_check_too(qtbot, journal):
    from etoile_app.app import DailyBackups

    daily = DailyBackups(journal.backups, interval_ms=10_000, first_check_ms=30)
    made: list[object] = []
    daily.made.connect(made.append)
    daily.start()
    daily.stop()  # the journal closed before the first check came
    qtbot.wait(100)
    assert made == [] and journal.backups.list() == []


def test_the_tabs_not_in_front_are_built_once_its_rows_have_come(qtbot, store, settings, monkeypatch):
    """Building the other tabs waits for the board's first page: the rows come first."""
    from etoile_app.ui.common.widgets import AFTER_PAINT_SETTLE_MS

    settings.setValue("window/tab", 2)
    held = threading.Event()
    page = store.board.page
    monkeypatch.setattr(store.board, "page", lambda *a, **k: held.wait(10) and page(*a, **k))
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.attach(store, None)
    qtbot.waitExposed(w)
    qtbot.wait(AFTER_PAINT_SETTLE_MS * 4)  # painted, and past the moment after the first paint
    assert list(w._built) == [2]
    held.set()
    qtbot.waitUntil(lambda: len(w._built) == 4)
    settle(store)


def test_file_adopt_starters_opens_the_starter_list(qtbot, window, store):
    from etoile_app.ui.board.starter_dialog import StarterDialog

    window.adopt_action.trigger()
    settle(store)
    (dialog,) = [d for d in window.findChildren(StarterDialog) if d.isVisible()]
    assert dialog.chosen_keys() == [] and not dialog.ok_button.isEnabled()
    dialog.reject()
