"""How dates, percentages and stars read on screen, the same everywhere."""

from __future__ import annotations

from datetime import date, datetime

STAR, NO_STAR = "★", "☆"


def long_date(d: date) -> str:
    """``6 June 2025``."""
    return f"{d.day} {d:%B %Y}"


def short_date(d: date | None) -> str:
    """``6 Jun 2025``, or an empty string."""
    return f"{d.day} {d:%b %Y}" if d is not None else ""


def local_datetime(dt: datetime | None) -> str:
    """A stored UTC time in the person's time zone: ``6 Jun 2025, 14:05``."""
    if dt is None:
        return ""
    local = dt.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def percent(p: int) -> str:
    return f"{p} %"


def stars(n: int | None) -> str:
    """``★★★☆☆`` for 3, an empty string for no rating."""
    if not n:
        return ""
    return STAR * n + NO_STAR * (5 - n)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 new fact``, ``3 new facts``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
