"""The public JSON objects of events and places (the `events --json` contract), as plain data.

Here rather than in api.schemas so that the store can keep a ready-made copy of every event's
object (``events.doc``) without importing the API; api.schemas' pydantic models describe and
validate exactly these objects.
"""

from __future__ import annotations

import json
from typing import Any

from frontwatch.model import Event, GazetteerEntry, Mention

DOC_VERSION = 1  # bump (with a store migration that rewrites events.doc) when event_dict changes


def _float(value: float | None) -> float | None:
    # The schema's float fields: 3 and 3.0 must give the same bytes as pydantic's serialiser (3.0).
    return None if value is None else float(value)


def entry_dict(entry: GazetteerEntry, mention: Mention | None = None) -> dict[str, Any]:
    """A gazetteer entry (and the mention naming it) as PlaceOut's plain JSON object."""
    return {
        "id": entry.id,
        "name": entry.name,
        "lat": float(entry.lat),
        "lon": float(entry.lon),
        "precision": str(entry.precision),
        "kind": str(entry.kind),
        "geonameid": entry.geonameid,
        "katotth": entry.katotth,
        "admin1": entry.admin1,
        "admin2": entry.admin2,
        "admin3": entry.admin3,
        "country": entry.country,
        "surface": mention.surface if mention else None,
        "start_char": mention.start_char if mention else None,
        "end_char": mention.end_char if mention else None,
    }


def event_dict(event: Event) -> dict[str, Any]:
    """THE public JSON object of an event; api.schemas.EventOut validates it.

    Built as plain data because it runs for every event of every page: building the dict and
    validating it once in pydantic's core is several times faster than nested model constructors.
    """
    claimant = event.claimant
    evidence = event.evidence
    return {
        "id": event.id,
        "article_id": event.article_id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "fw_type": event.fw_type,
        "actors": [{"name": a.name, "side": a.side, "unit": a.unit} for a in event.actors],
        "place": entry_dict(event.place.entry, event.place.mention) if event.place else None,
        "related_places": [entry_dict(p.entry, p.mention) for p in event.related_places],
        "date": event.date.isoformat() if event.date else None,
        "date_end": event.date_end.isoformat() if event.date_end else None,
        "date_precision": str(event.date_precision),
        "claimant": {"name": claimant.name, "role": claimant.role, "outlet": claimant.outlet}
        if claimant
        else None,
        "modality": str(event.modality),
        "weapons": [
            {
                "canonical": w.canonical,
                "class": w.weapon_class,
                "calibre_mm": _float(w.calibre_mm),
                "surface": w.surface,
                "catalogue_id": w.catalogue_id,
            }
            for w in event.weapons
        ],
        "quantities": [
            {"low": float(q.low), "high": float(q.high), "unit": q.unit, "kind": q.kind, "surface": q.surface}
            for q in event.quantities
        ],
        "evidence": {"text": evidence.text, "start_char": evidence.start_char, "end_char": evidence.end_char},
        "control_to": event.control_to,
    }


def event_json(event: Event) -> str:
    """`event_dict` as compact UTF-8 JSON, byte for byte what the API's serialiser writes."""
    return json.dumps(event_dict(event), ensure_ascii=False, separators=(",", ":"))
