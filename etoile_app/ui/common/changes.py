"""What one change to the journal changed, so each view updates only that.

The store builds a :class:`TheoryChanges` from each theory as it stood before and after a
change (or its undo or redo): which theories were created, updated, deleted or brought back,
and by how much the counts the window shows moved (theories, open ones, each tag's). Views
apply those to what they hold instead of reading everything again. ``everything`` (an import,
a restore, a new canon pack) says to read it all again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from etoile_app.domain.enums import TheoryStatus
from etoile_app.domain.models import Theory


@dataclass(frozen=True, slots=True)
class TheoryChanges:
    created: frozenset[int] = frozenset()
    updated: frozenset[int] = frozenset()
    deleted: frozenset[int] = frozenset()
    restored: frozenset[int] = frozenset()
    #: How many more (or fewer) live theories carry each tag.
    tag_counts: Mapping[str, int] = field(default_factory=dict)
    #: How many more (or fewer) live theories, and live open ones.
    live: int = 0
    open: int = 0
    #: Anything may have changed: read it all again.
    everything: bool = False

    @property
    def ids(self) -> frozenset[int]:
        return self.created | self.updated | self.deleted | self.restored

    @property
    def tags_changed(self) -> bool:
        return self.everything or any(self.tag_counts.values())

    def __bool__(self) -> bool:
        return self.everything or bool(self.ids)

    @classmethod
    def between(cls, before: Iterable[Theory | None], after: Iterable[Theory]) -> TheoryChanges:
        """The changes from ``before`` to ``after``, theory by theory (``None``: it did not exist)."""
        created, updated, deleted, restored = set(), set(), set(), set()
        tags: Counter[str] = Counter()
        live = open_ = 0
        for was, now in zip(before, after, strict=True):
            if was is None:
                created.add(now.id)
            elif was.is_deleted and not now.is_deleted:
                restored.add(now.id)
            elif now.is_deleted and not was.is_deleted:
                deleted.add(now.id)
            elif was != now:
                updated.add(now.id)
            for theory, sign in ((was, -1), (now, 1)):
                if theory is None or theory.is_deleted:
                    continue
                live += sign
                open_ += sign if theory.status is TheoryStatus.OPEN else 0
                tags.update(dict.fromkeys(theory.tags, sign))
        return cls(
            created=frozenset(created),
            updated=frozenset(updated),
            deleted=frozenset(deleted),
            restored=frozenset(restored),
            tag_counts={tag: n for tag, n in tags.items() if n},
            live=live,
            open=open_,
        )


EVERYTHING = TheoryChanges(everything=True)
NOTHING = TheoryChanges()
