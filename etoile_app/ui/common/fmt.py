"""How dates, percentages and stars read on screen, the same everywhere."""

from __future__ import annotations

import re
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


# --- user text beside other text --------------------------------------------------------------

#: FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: text between them is laid out in its own
#: direction and cannot reorder what comes after it (Unicode's bidirectional algorithm).
FSI, PDI = "\u2068", "\u2069"
_OPEN_ISOLATES = frozenset("\u2066\u2067\u2068")
_PARAGRAPHS = re.compile("([\n\r\u2029])")
# Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko … and their presentation forms,
# old and historic scripts) and the explicit direction marks, embeddings, overrides and
# isolates. Text without any of them is laid out left to right and cannot disturb its line.
_BIDI = re.compile(
    "[\u0590-\u08ff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefc"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def isolate(text: str) -> str:
    """``text`` ready to show beside other text: each line that holds right-to-left letters or
    direction controls is wrapped in FSI … PDI, so a right-to-left override (U+202E) in a title
    reverses at most the title, never the rest of the line. Other text comes back unchanged.

    The line's own isolates are balanced first: a stray PDI would close ours early, an
    unclosed FSI would swallow our PDI.
    """
    if not _BIDI.search(text):
        return text
    # A paragraph break ends every isolate, so each paragraph gets its own.
    return "".join(_isolate_line(part) if _BIDI.search(part) else part for part in _PARAGRAPHS.split(text))


def _isolate_line(line: str) -> str:
    kept: list[str] = []
    depth = 0
    for ch in line:
        if ch in _OPEN_ISOLATES:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return FSI + "".join(kept) + PDI * depth + PDI


#: How many characters of a theory's title the window title and the discard question show.
TITLE_SHOWN = 60


def elide_middle(text: str, limit: int = TITLE_SHOWN) -> str:
    """``text`` on one line, shortened to ``limit`` characters by an ellipsis in the middle, so
    both the start and the end of a long title stay readable."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    tail = (limit - 1) // 2
    head = limit - 1 - tail
    return line[:head].rstrip() + "…" + line[-tail:].lstrip()
