"""What running the services on other threads needs: a token that stops a piece of work.

Every service call opens its own session, so the services can be called from any thread;
each thread gets its own connection from the engine's pool. :func:`stoppable` lets another
thread stop the queries of one call (see :mod:`etoile_app.storage.interrupt`).
"""

from __future__ import annotations

from etoile_app.storage.interrupt import StopToken, stoppable

__all__ = ["StopToken", "stoppable"]
