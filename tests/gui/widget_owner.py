"""Which app module built a widget: the walks of the accessibility and dark-palette tests charge
what they find to it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

#: Shared small widgets: a widget made from one is charged to the module that used it.
SHARED = {"etoile_app.ui.common.widgets"}


def owner(widget: QWidget) -> str:
    """The app module that built ``widget``: its own class's, or its nearest app ancestor's."""
    w: QWidget | None = widget
    while w is not None:
        module = type(w).__module__
        if module.startswith("etoile_app.") and module not in SHARED:
            return module
        w = w.parentWidget()
    return "?"
