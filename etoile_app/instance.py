"""One writer per journal file: a lock file beside it, and a local socket to wake the first window.

The app holds ``<journal>.lock`` (a :class:`QLockFile`: it records the holder's process id
and takes an OS lock, so a lock left by a crashed or killed process is recognised as stale
and taken over) for as long as it runs; ``etoile-journal import`` holds it while it writes.

A second launch on the same file does not open it. It connects to the first one's local
server (named from a hash of the user and the file's path), asks it to bring its window to
the front, says so and exits 0. If no one answers (the holder is an import, or hung), it says
the file is in use and exits 1.

Taking the lock needs only QtCore and runs before the main window is built; QtNetwork is loaded
when the app starts listening (just after its first paint) or a later launch knocks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal

from etoile_app import APP_TITLE

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

LOCK_SUFFIX = ".lock"
RAISE_REQUEST = b"raise\n"
RAISE_ANSWER = b"ok\n"
#: How long a second launch keeps trying to reach the first (which may still be starting).
HAND_OVER_TIMEOUT_S = 1.5
#: How long it waits for the first to say it heard (it may be busy; the request still arrives).
ANSWER_WAIT_MS = 1000


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + LOCK_SUFFIX)


def server_name(database: Path) -> str:
    """A short name for the local socket, the same for every launch by this user on this file."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{user}\0{database}".encode()).hexdigest()[:24]
    return f"etoile-journal-{digest}"


def database_file(target: str | Path) -> Path | None:
    """The file behind ``--db`` (a path or a ``sqlite:///`` URL), resolved like the engine does.

    ``None`` for a database server or an in-memory database: the server keeps its own order.
    """
    text = str(target)
    if "://" in text:
        if not text.startswith("sqlite:///"):
            return None
        text = text[len("sqlite:///") :].split("?", 1)[0]
        if text in ("", ":memory:"):
            return None
        if text.startswith("file:"):
            text = text[len("file:") :]
    return Path(text).expanduser().resolve()


def _new_lock(database: Path) -> QLockFile:
    lock = QLockFile(str(lock_path(database)))
    # A lock older than this whose holder's process is gone (or whose OS lock is free) is
    # taken over; a live holder's lock is never taken, whatever its age.
    lock.setStaleLockTime(30_000)
    return lock


def _held_by_another(lock: QLockFile) -> bool:
    """Try to take ``lock``: ``True`` only when another live process holds it.

    When the lock file cannot be made at all (a read-only or missing folder), the journal is
    not in use by anyone; opening it will explain what is wrong with the folder.
    """
    if lock.tryLock(0):
        return False
    return lock.error() == QLockFile.LockError.LockFailedError


class SingleInstance(QObject):
    """The app's hold on one journal file, and its ear for later launches on the same file."""

    #: A later launch on the same file asked this one to show its window.
    raiseRequested = Signal()

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self._lock = _new_lock(database)
        self._server: QLocalServer | None = None

    @property
    def held(self) -> bool:
        return self._lock.isLocked()

    def acquire(self) -> bool:
        """Take the journal for this process; ``False`` when another process has it."""
        with contextlib.suppress(OSError):  # opening the journal says what is wrong with the folder
            self.database.parent.mkdir(parents=True, exist_ok=True)
        return not _held_by_another(self._lock)

    def listen(self) -> bool:
        """Answer later launches on this file; ``False`` if the socket cannot be made."""
        from PySide6.QtNetwork import QLocalServer

        name = server_name(self.database)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            # We hold the lock, so a socket by that name was left by a process that died.
            QLocalServer.removeServer(name)
            if not server.listen(name):
                server.deleteLater()
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def _accept(self) -> None:
        assert self._server is not None
        # Each socket stays the server's child and is connected to bound methods only: no
        # Python closure holds a socket and this object in a cycle that the garbage collector
        # might break (deleting Qt objects) in the middle of event processing.
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(socket.deleteLater)

    def _read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        if bytes(socket.readAll().data()).startswith(RAISE_REQUEST):
            socket.write(RAISE_ANSWER)
            socket.flush()
            self.raiseRequested.emit()

    def switch(self, database: Path) -> bool:
        """Move the hold to another file (the user chose one); ``False`` if that one is in use."""
        if database == self.database:
            return True
        lock = _new_lock(database)
        if _held_by_another(lock):
            return False
        listening = self._server is not None
        self.release()
        self.database, self._lock = database, lock
        if listening:
            self.listen()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()


def ask_first_to_raise(database: Path, timeout_s: float = HAND_OVER_TIMEOUT_S) -> bool:
    """Ask the app that holds ``database`` to bring its window forward; ``True`` if one listens.

    Only the app listens (an import does not), so a connection is enough: the request waits in
    the socket even while the app is busy, say upgrading a large journal, and is answered then.
    """
    from PySide6.QtNetwork import QLocalSocket

    deadline = time.monotonic() + timeout_s
    while True:
        socket = QLocalSocket()
        socket.connectToServer(server_name(database))
        if socket.waitForConnected(250):
            socket.write(RAISE_REQUEST)
            socket.waitForBytesWritten(1000)
            socket.waitForReadyRead(ANSWER_WAIT_MS)  # usually answered at once
            socket.disconnectFromServer()
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)  # the first launch may be between taking the lock and listening


def hand_over(database: Path, *, bring_forward: bool = True) -> int:
    """What a second launch on ``database`` does instead of opening it: say so; the exit code."""
    if bring_forward and ask_first_to_raise(database):
        print(f"{APP_TITLE} is already open on {database}; bringing it to the front.", flush=True)
        return 0
    print(
        f"etoile-journal: {database} is in use by another {APP_TITLE} or an import; "
        "close that first, then try again.",
        file=sys.stderr,
    )
    return 1


@contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold ``database`` for a command-line writer (``import``): refuse while the app has it.

    Raises :class:`JournalInUseError` naming the file when another process holds the lock.
    """
    from etoile_app.domain.errors import JournalInUseError

    lock = _new_lock(database)
    if _held_by_another(lock):
        raise JournalInUseError(
            f"{database} is open in {APP_TITLE} (or another import is running). Close the app "
            "first, or import from its File menu.",
            database,
        )
    try:
        yield
    finally:
        if lock.isLocked():
            lock.unlock()
