"""One member's part of a club's file: what a journal of one, or a member who is not the club's
owner, takes from a file with members (format 5).

- :func:`solo_part`: for a journal of one, the theories a member wrote or forecast on, with
  only their forecasts, and nobody's name on anything (a journal of one has no members);
- :func:`own_part`: for a club member, their own theories with only their own forecasts, and
  their dream casting, all theirs; news stays out (only the club's owner records news).

Entries without an author or forecaster (a journal of one's file, or a club's rows written
before it was one) count as the member's in both. What is left out is counted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from etoile_app.domain.transfer.records import (
    Catalogue,
    ForecastEntry,
    ImportFileError,
    JournalFile,
    MemberEntry,
    TheoryEntry,
)


@dataclass(frozen=True, slots=True)
class Part:
    """A member's part of a file, and what was left out of it."""

    data: JournalFile
    member: MemberEntry
    theories_left_out: int = 0
    forecasts_left_out: int = 0
    dream_casting_left_out: int = 0
    news_left_out: int = 0
    evidence_left_out: int = 0


def choose_member(members: tuple[MemberEntry, ...], wanted: str | None) -> MemberEntry:
    """The member ``wanted`` names (their key or name, capitals aside); without a name, the
    file's only member. Otherwise an :class:`ImportFileError` that lists them."""
    listed = ", ".join(f"{m.key} ({m.name})" for m in members)
    if wanted is not None and wanted.strip():
        folded = wanted.strip().casefold()
        for match in (lambda m: m.key.casefold() == folded, lambda m: m.name.casefold() == folded):
            found = [m for m in members if match(m)]
            if len(found) == 1:
                return found[0]
        raise ImportFileError(
            f"the file has no member called {wanted.strip()!r} (or two with that name); its members "
            f"are: {listed}. Choose one of them by key.",
            field="members",
        )
    if len(members) == 1:
        return members[0]
    raise ImportFileError(
        f"the file holds a club's journal, with {len(members)} members: {listed}. A journal of one "
        "takes one member's part: choose whose (the forecaster; --forecaster on the command line).",
        field="members",
    )


def _mine(key: str) -> Collection[str | None]:
    return (key, None)


def _own_confidence(theory: TheoryEntry, history: tuple[ForecastEntry, ...]) -> int:
    """The member's own confidence: their latest forecast (multiple choice: of their latest
    forecast of each option, the highest), as the app sets it when they forecast."""
    if theory.options:
        return max({h.option: h.confidence for h in history}.values())
    return history[-1].confidence


def solo_part(data: JournalFile, member: MemberEntry, catalogue: Catalogue | None = None) -> Part:
    """What a journal of one takes of ``data`` for ``member``: the theories they wrote or
    forecast on, each with only their forecasts (its confidence their latest), their dream
    casting, and all the news (a journal of one records its own). A theory of theirs without any
    forecast of theirs cannot be held (a theory has at least one) and is left out with the
    others'."""
    mine = _mine(member.key)
    theories: list[TheoryEntry] = []
    left, forecasts_left = 0, 0
    for t in data.theories:
        history = tuple(replace(h, by=None) for h in t.history if getattr(h, "by", None) in mine)
        if not history:
            left += 1
            continue
        forecasts_left += len(t.history) - len(history)
        theories.append(replace(t, history=history, confidence=_own_confidence(t, history), author=None))
    dreams = tuple(replace(d, author=None) for d in data.dream_casting if d.author in mine)
    part = replace(
        data,
        members=(),
        theories=settle_conditions(theories, catalogue),
        dream_casting=dreams,
    )
    return Part(
        part,
        member,
        theories_left_out=left,
        forecasts_left_out=forecasts_left,
        dream_casting_left_out=len(data.dream_casting) - len(dreams),
    )


def own_part(data: JournalFile, member: MemberEntry, catalogue: Catalogue | None = None) -> Part:
    """What a club member who is not its owner takes of ``data``: the theories they wrote (or
    nobody did), with only their own forecasts (or nobody's), and their dream casting, all made
    theirs. Other members' theories and forecasts stay out, and the news (only the owner records
    news), with the evidence that cites news the club does not have."""
    mine = _mine(member.key)
    known_facts = catalogue.facts if catalogue is not None else {}
    theories: list[TheoryEntry] = []
    left, forecasts_left, evidence_left = 0, 0, 0
    for t in data.theories:
        history = tuple(replace(h, by=member.key) for h in t.history if getattr(h, "by", None) in mine)
        if t.author not in mine or not history:
            left += 1
            continue
        forecasts_left += len(t.history) - len(history)
        evidence = tuple(e for e in t.evidence if e.fact in known_facts)
        evidence_left += len(t.evidence) - len(evidence)
        theories.append(
            replace(
                t,
                history=history,
                confidence=_own_confidence(t, history),
                author=member.key,
                evidence=evidence,
            )
        )
    dreams = tuple(replace(d, author=member.key) for d in data.dream_casting if d.author in mine)
    part = replace(
        data,
        members=(member,),
        theories=settle_conditions(theories, catalogue),
        dream_casting=dreams,
        user_facts=(),
    )
    return Part(
        part,
        member,
        theories_left_out=left,
        forecasts_left_out=forecasts_left,
        dream_casting_left_out=len(data.dream_casting) - len(dreams),
        news_left_out=len(data.user_facts),
        evidence_left_out=evidence_left,
    )


def settle_conditions(theories: list[TheoryEntry], catalogue: Catalogue | None) -> tuple[TheoryEntry, ...]:
    """``theories`` with each condition kept where the theory it names is among them or in the
    journal (``catalogue``), and dropped where it was left out, or where, without the file's
    version of a theory left out, the journal's conditions would make a loop of it."""
    known: Collection[str] = catalogue.theories if catalogue is not None else ()
    journal: Mapping[str, str] = catalogue.conditions if catalogue is not None else {}
    uids = {t.uid for t in theories}

    def kept(t: TheoryEntry) -> TheoryEntry:
        gone = t.condition is not None and t.condition not in uids and t.condition not in known
        return replace(t, condition=None) if gone else t

    out = [kept(t) for t in theories]
    # The file's theories depend on what it says, the others on the journal's own conditions.
    conditions = {uid: c for uid, c in journal.items() if uid not in uids}
    conditions.update((t.uid, t.condition) for t in out if t.condition is not None)
    for i, t in enumerate(out):
        if t.condition is None:
            continue
        seen, step = {t.uid}, conditions.get(t.uid)
        while step is not None and step not in seen:
            seen.add(step)
            step = conditions.get(step)
        if step == t.uid:  # back to itself: this link goes, which breaks the loop
            out[i] = replace(t, condition=None)
            conditions.pop(t.uid)
    return tuple(out)
