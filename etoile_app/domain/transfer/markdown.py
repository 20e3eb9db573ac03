"""Markdown to share a list of theories, grouped by status."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.transfer.records import TheoryEntry

MARKDOWN_ORDER = (TheoryStatus.OPEN, TheoryStatus.CONFIRMED, TheoryStatus.BUSTED, TheoryStatus.VOID)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SPACES = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """User text as literal Markdown: one line, with every character that could format it escaped."""
    text = _SPACES.sub(" ", text).strip()
    return _MD_SPECIAL.sub(r"\\\1", _MD_ENTITY.sub("&amp;", text))


def format_markdown(theories: Iterable[TheoryEntry], names: Mapping[str, str], exported_on: date) -> str:
    """A list to paste into a forum post, grouped by status; binned theories are left out (a
    condition that is binned is still named)."""
    theories = list(theories)
    titles = {t.uid: t.title for t in theories}
    live = [t for t in theories if t.deleted_at is None]
    count = Counter(t.status for t in live)
    noun = "theory" if len(live) == 1 else "theories"
    lines = [
        "# My Étoile theories",
        "",
        f"{len(live)} {noun} from the Étoile Theory Journal, {exported_on.isoformat()}.",
    ]
    for status in MARKDOWN_ORDER:
        if not count[status]:
            continue
        lines += ["", f"## {status.label} ({count[status]})", ""]
        for t in live:
            if t.status is status:
                lines += _markdown_theory(t, names, titles)
    return "\n".join(lines) + "\n"


def _markdown_theory(t: TheoryEntry, names: Mapping[str, str], titles: Mapping[str, str]) -> list[str]:
    details = []
    if t.condition is not None:
        details.append(f"If: {escape_markdown(titles.get(t.condition, t.condition))}")
    details.append(f"Category: {t.category.label}")
    if t.options:
        shown = (f"{escape_markdown(name)} {c} %" for name, c in t.option_confidences.items())
        details.append("Options: " + ", ".join(shown))
        if t.option_happened is not None:
            details.append(f"Happened: {escape_markdown(t.option_happened)}")
    if t.characters:
        shown = sorted((names.get(k, k) for k in t.characters), key=str.casefold)
        details.append("Characters: " + ", ".join(escape_markdown(n) for n in shown))
    if t.tags:
        details.append("Tags: " + ", ".join(escape_markdown(tag) for tag in t.tags))
    if t.status.is_resolved and t.resolved_on is not None:
        note = f": {escape_markdown(t.resolution_note)}" if t.resolution_note else ""
        details.append(f"Resolved on {t.resolved_on.isoformat()}{note}")
    elif t.resolve_by is not None:
        details.append(f"Resolve by: {t.resolve_by.isoformat()}")
    for earlier in reversed(t.earlier_resolutions or ()):
        note = f": {escape_markdown(earlier.note)}" if earlier.note else ""
        option = f" ({escape_markdown(earlier.option)})" if earlier.option else ""
        details.append(
            f"Earlier {earlier.status.label.lower()}{option} on {earlier.resolved_on.isoformat()}, "
            f"reopened {earlier.reopened_at.date().isoformat()}{note}"
        )
    # A multiple-choice theory's confidences are its options'.
    headline = "multiple choice" if t.options else f"{t.confidence} %"
    # Sub-items indented by four spaces nest under the item in every common Markdown dialect.
    return [f"- **{escape_markdown(t.title)}** — {headline}"] + [f"    - {d}" for d in details]
