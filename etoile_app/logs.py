"""The log file, and the last line of defence: no failure ever reaches a person as a traceback.

Details go to ``etoile-journal.log`` in the platform's log folder (``platformdirs``'s
``user_log_dir``; ``$ETOILE_LOG_DIR`` overrides it), kept to a few rotated files. People see
one message saying what happened and what to do: :func:`message` words it, :func:`install`
routes every uncaught exception (``sys.excepthook`` and ``threading.excepthook``) to the log
and to a ``show`` function (one line on stderr, and in the window a dialog). No Qt here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

LOG_NAME = "etoile-journal.log"
LOG_BYTES = 1_000_000
LOG_FILES_KEPT = 3
log = logging.getLogger("etoile_app")
_handler: RotatingFileHandler | None = None


def log_folder() -> Path:
    override = os.environ.get("ETOILE_LOG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_log_path

    from etoile_app import paths

    return user_log_path(paths.APP_NAME, paths.APP_AUTHOR)


def log_path() -> Path:
    return log_folder() / LOG_NAME


def setup() -> Path | None:
    """Send the app's log to the rotating log file; its path, or ``None`` if it cannot be written
    (a full disk, a read-only home): the app runs on without it."""
    global _handler
    path = log_path()
    if _handler is not None and Path(_handler.baseFilename) == path:
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if _handler is not None:
        log.removeHandler(_handler)
        _handler.close()
    _handler = handler
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return path


def record(exc: BaseException, what: str = "Unexpected error") -> Path | None:
    """Write ``exc`` with its traceback to the log; the log's path, or ``None`` without one."""
    path = setup()
    try:
        log.error(what, exc_info=(type(exc), exc, exc.__traceback__))
    except Exception:  # a log that cannot be written must not raise a second failure
        return None
    return path


def message(exc: BaseException, log_file: Path | None = None) -> str:
    """What happened and what to do, for a person: a :class:`JournalError`'s own message; for
    anything else a short account that names the log with the details."""
    from etoile_app.domain.errors import JournalError

    if isinstance(exc, JournalError):
        return str(exc)
    if isinstance(exc, MemoryError):
        text = "The computer ran out of memory. Close other programs and try again."
    elif isinstance(exc, OSError) and exc.strerror:
        import errno

        if exc.errno == errno.ENOSPC:
            return (
                f"The disk is full: {exc.filename or 'a file'} could not be written. "
                "Free some space and try again; nothing was lost."
            )
        where = f" ({exc.filename})" if exc.filename else ""
        text = f"A file could not be used{where}: {exc.strerror}."
    else:
        text = f"Something went wrong that the app did not expect ({type(exc).__name__}: {exc})."
    text = " ".join(text.split())
    if len(text) > 300:
        text = text[:299] + "…"
    where = f" The details are in {log_file}." if log_file is not None else ""
    return f"{text} Your journal was not changed by it.{where}"


Show = Callable[[str, BaseException], None]


def _stderr(text: str, _exc: BaseException) -> None:
    with contextlib.suppress(Exception):
        print(f"etoile-journal: {text}", file=sys.stderr, flush=True)


def report(exc: BaseException, show: Show | None = None) -> str:
    """Log ``exc`` and tell the person (``show``, by default one line on stderr); the message."""
    path = record(exc)
    text = message(exc, path)
    (show or _stderr)(text, exc)
    return text


def install(show: Show | None = None) -> None:
    """Route every uncaught exception to :func:`report` instead of a traceback on stderr."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        try:
            report(exc, show)
        except Exception:
            _stderr(message(exc), exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
