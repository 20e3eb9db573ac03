"""One writer per journal file: the lock, its stale-lock recovery, and a second launch that
brings the first forward instead of racing it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from etoile_app import instance
from etoile_app.domain.errors import JournalInUseError

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
    )
    return env


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from etoile_app.instance import SingleInstance
    guard = SingleInstance(Path(sys.argv[1]))
    print("locked" if guard.acquire() else "refused", flush=True)
    time.sleep(120)
    """
)


def _hold_in_child(database: Path, tmp_path: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_the_lock_sits_beside_the_journal(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    assert instance.lock_path(database) == tmp_path / "journal.sqlite3.lock"


def test_two_holds_on_one_file_exclude_each_other(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    first = instance.SingleInstance(database)
    second = instance.SingleInstance(database)
    assert first.acquire() is True and first.held
    assert instance.lock_path(database).exists()
    assert second.acquire() is False and not second.held
    first.release()
    assert not instance.lock_path(database).exists()
    assert second.acquire() is True
    second.release()


def test_different_files_do_not_exclude_each_other(tmp_path: Path) -> None:
    one = instance.SingleInstance(tmp_path / "one.sqlite3")
    two = instance.SingleInstance(tmp_path / "two.sqlite3")
    try:
        assert one.acquire() and two.acquire()
        assert instance.server_name(one.database) != instance.server_name(two.database)
    finally:
        one.release()
        two.release()


def test_a_lock_held_by_another_process_is_respected_and_a_killed_ones_taken_over(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    child = _hold_in_child(database, tmp_path)
    try:
        mine = instance.SingleInstance(database)
        assert mine.acquire() is False
        with pytest.raises(JournalInUseError) as caught, instance.exclusive(database):
            pass
        assert str(database) in str(caught.value)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    # The lock file is still there, but its owner is gone: it is stale and taken over.
    assert instance.lock_path(database).exists()
    assert mine.acquire() is True
    mine.release()


def test_an_import_holds_the_file_while_it_writes(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    app = instance.SingleInstance(database)
    with instance.exclusive(database):
        assert app.acquire() is False
    assert app.acquire() is True
    with pytest.raises(JournalInUseError, match="Close the app first"), instance.exclusive(database):
        pass
    app.release()


def test_a_folder_where_no_lock_can_be_made_does_not_count_as_in_use(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    guard = instance.SingleInstance(tmp_path / "a-file" / "journal.sqlite3")
    assert guard.acquire() is True  # opening the journal will say what is wrong with the folder
    assert not guard.held


def test_switching_moves_the_hold_to_the_chosen_file(tmp_path: Path) -> None:
    first, chosen, taken = (tmp_path / n for n in ("a.sqlite3", "b.sqlite3", "c.sqlite3"))
    guard = instance.SingleInstance(first)
    other = instance.SingleInstance(taken)
    try:
        assert guard.acquire() and other.acquire()
        assert guard.switch(taken) is False and guard.database == first
        assert guard.switch(chosen) is True
        assert guard.database == chosen and guard.held
        assert not instance.lock_path(first).exists()
        assert instance.lock_path(chosen).exists()
    finally:
        guard.release()
        other.release()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("~/j.sqlite3", Path("~/j.sqlite3").expanduser()),
        ("sqlite:////tmp/x/j.sqlite3", Path("/tmp/x/j.sqlite3")),
        ("sqlite:///file:/tmp/x/j.sqlite3?mode=rw&uri=true", Path("/tmp/x/j.sqlite3")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql://fan@club.example/etoile", None),
    ],
)
def test_the_file_behind_db(given: str, expected: Path | None) -> None:
    assert instance.database_file(given) == expected


def test_the_first_instance_hears_a_second_one(qtbot, tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    first = instance.SingleInstance(database)
    assert first.acquire()
    assert first.listen()
    script = (
        "import sys; from pathlib import Path; from etoile_app.instance import hand_over;"
        " sys.exit(hand_over(Path(sys.argv[1])))"
    )
    try:
        with qtbot.waitSignal(first.raiseRequested, timeout=20_000):
            second = subprocess.Popen(
                [sys.executable, "-c", script, str(database)],
                cwd=ROOT,
                env=_env(tmp_path),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = "", ""
        deadline = time.monotonic() + 20
        while second.poll() is None and time.monotonic() < deadline:
            qtbot.wait(50)  # keep answering while the second one reads the reply
        out, err = second.communicate(timeout=10)
    finally:
        first.release()
    assert second.returncode == 0, err
    assert out.strip() == f"Étoile Theory Journal is already open on {database}; bringing it to the front."


def test_a_second_launch_finds_no_one_to_answer_and_says_the_file_is_in_use(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    child = _hold_in_child(database, tmp_path)  # holds the lock but, like an import, does not listen
    try:
        result = subprocess.run(
            [sys.executable, "-m", "etoile_app", "--db", str(database)],
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert result.returncode == 1
    assert str(database) in result.stderr and "in use" in result.stderr
    assert not database.exists()  # it did not open (or create) the journal


def _wait_until_listening(database: Path, first: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        socket = QLocalSocket()
        socket.connectToServer(instance.server_name(database))
        if socket.waitForConnected(200):
            socket.disconnectFromServer()
            return
        time.sleep(0.1)
    raise AssertionError("the first instance never started listening")


def test_a_second_app_on_the_same_file_brings_the_first_forward_and_exits(tmp_path: Path) -> None:
    database = tmp_path / "journal.sqlite3"
    env = _env(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "etoile_app", "--db", str(database)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_listening(database, first)
        second = subprocess.run(
            [sys.executable, "-m", "etoile_app", "--db", str(database)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == (
            f"Étoile Theory Journal is already open on {database}; bringing it to the front."
        )
        assert first.poll() is None  # the first one carries on
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)
    # Killed without a chance to clean up: its lock is stale, and the next launch takes over.
    assert instance.lock_path(database).exists()
    third = subprocess.run(
        [sys.executable, "-m", "etoile_app", "--db", str(database), "--screenshot", str(tmp_path / "shots")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert third.returncode == 0, third.stderr
    assert not instance.lock_path(database).exists()  # released on the way out
