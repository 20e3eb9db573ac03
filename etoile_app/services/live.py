"""Other clients' changes to a shared journal, heard as they commit (see :mod:`storage.live`).

The window reaches the listener through here, as it reaches everything below it through
the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etoile_app.storage.live import EVERYTHING, Listener, OnChange, OnState, listener_for

if TYPE_CHECKING:
    from etoile_app.services.journal import Journal

__all__ = ["EVERYTHING", "Listener", "listener"]


def listener(journal: Journal, on_change: OnChange, on_state: OnState | None = None) -> Listener | None:
    """A listener (not started) for the journal's other clients, or ``None`` where nobody else
    writes to it (a SQLite file)."""
    return listener_for(journal.database, on_change, on_state)
