"""What running the services on other threads needs: a token that stops a piece of work.

Every service call opens its own session, so the services can be called from any thread;
each thread gets its own connection from the engine's pool. :func:`stoppable` lets another
thread stop the queries of one call (see :mod:`etoile_app.storage.interrupt`);
:func:`unstoppable` shields the part of a call that must run to its end once begun.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from etoile_app.storage.interrupt import StopToken, stoppable

__all__ = ["StopToken", "stoppable", "unstoppable"]


@contextmanager
def unstoppable() -> Iterator[None]:
    """Run the body's queries out of reach of the stop of the work around it.

    For what may not be cut short: a restore once begun, or what follows a commit (stopping
    there would not undo the commit, only make the work look as if it had not happened)."""
    with stoppable(StopToken()):
        yield
