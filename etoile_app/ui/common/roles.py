"""The item data roles the app's models use, each defined once."""

from __future__ import annotations

from PySide6.QtCore import Qt

_USER = Qt.ItemDataRole.UserRole

ID_ROLE = _USER + 1  # int (or str key): the id of what the row shows
RECORD_ROLE = _USER + 2  # the plain record the row shows (TheoryRow, Character, Fact, …)
SORT_ROLE = _USER + 3  # a value that sorts the column sensibly
ACTOR_ROLE = _USER + 10  # str | None: who plays the character
ROLE_KIND_ROLE = _USER + 11  # RoleKind
COMPANY_ROLE = _USER + 12  # Company
SEARCH_ROLE = _USER + 13  # str: folded names and actor, for a search field
THEORY_COUNT_ROLE = _USER + 14  # int
