"""Writing the JSON export: every field, in a stable order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from etoile_app.domain.models import EarlierResolution, Forecast
from etoile_app.domain.transfer.records import (
    FORMAT,
    FORMAT_VERSION,
    JournalFile,
    iso_moment,
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return iso_moment(value) if value is not None else None


def _forecast(h: Forecast) -> dict[str, object]:
    """A forecast; one of a multiple-choice theory names its option, one in a club its member."""
    out: dict[str, object] = {"confidence": h.confidence, "changed_at": _moment(h.changed_at), "note": h.note}
    if h.option is not None:
        out["option"] = h.option
    by = getattr(h, "by", None)
    if by is not None:
        out["by"] = by
    return out


def _author(key: str | None) -> dict[str, str]:
    """``{"author": key}``, or nothing in a journal of one (so its file reads as before)."""
    return {} if key is None else {"author": key}


def _earlier(r: EarlierResolution) -> dict[str, object]:
    """An earlier resolution; a confirmed multiple-choice one names the option that happened."""
    out: dict[str, object] = {
        "status": r.status.value,
        "resolved_on": _day(r.resolved_on),
        "resolved_at": _moment(r.resolved_at),
        "note": r.note,
        "reopened_at": _moment(r.reopened_at),
    }
    if r.option is not None:
        out["option"] = r.option
    return out


def dump_json(data: JournalFile, names: Mapping[str, str]) -> bytes:
    """The JSON export: fields in a fixed order, lists sorted, so equal data gives equal bytes.
    Fields that only some entries need (a forecast's option, a theory's condition, and in a club
    its members and who made what) are left out where they are empty.

    ``names`` maps character keys to names, written beside each key for people to read.
    """

    def ref(key: str) -> dict[str, str]:
        return {"key": key, "name": names.get(key, key)}

    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": data.app_version,
        "exported_at": _moment(data.exported_at),
        "canon_pack_version": data.canon_pack_version,
        **(
            {"members": [{"key": m.key, "name": m.name} for m in sorted(data.members, key=lambda m: m.key)]}
            if data.members
            else {}
        ),
        "theories": [
            {
                "uid": t.uid,
                "title": t.title,
                "body": t.body,
                "category": t.category.value,
                "confidence": t.confidence,
                "juiciness": t.juiciness,
                "status": t.status.value,
                "resolve_by": _day(t.resolve_by),
                "resolved_on": _day(t.resolved_on),
                "resolved_at": _moment(t.resolved_at),
                "resolution_note": t.resolution_note,
                "created_at": _moment(t.created_at),
                "updated_at": _moment(t.updated_at),
                "deleted_at": _moment(t.deleted_at),
                "starter_key": t.starter_key,
                "tags": list(t.tags),
                "characters": [ref(k) for k in t.characters],
                "evidence": [
                    {
                        "fact": e.fact,
                        "stance": e.stance.value,
                        "note": e.note,
                        "created_at": _moment(e.created_at),
                    }
                    for e in t.evidence
                ],
                "history": [_forecast(h) for h in t.history],
                "earlier_resolutions": [_earlier(r) for r in t.earlier_resolutions or ()],
                "options": [{"name": o.name, "happened": o.happened} for o in t.options],
                **({"condition": t.condition} if t.condition is not None else {}),
                **_author(t.author),
            }
            for t in data.theories
        ],
        "dream_casting": [
            {
                "role_idea": d.role_idea,
                "actor": d.actor,
                "note": d.note,
                "rating": d.rating,
                "character": ref(d.character) if d.character is not None else None,
                "created_at": _moment(d.created_at),
                "updated_at": _moment(d.updated_at),
                **_author(d.author),
            }
            for d in data.dream_casting
        ],
        "user_facts": [
            {
                "key": f.key,
                "topic": f.topic.value,
                "statement": f.statement,
                "status": f.status.value,
                "source": f.source,
                "as_of": f.as_of.isoformat(),
                "supersedes": f.supersedes,
                "characters": [ref(k) for k in f.characters],
                "created_at": _moment(f.created_at),
                "headline": f.headline,
                "source_title": f.source_title,
                "source_url": f.source_url,
                "retracted_at": _moment(f.retracted_at),
            }
            for f in data.user_facts
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
