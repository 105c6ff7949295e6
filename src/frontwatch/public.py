"""The public JSON objects of events and places (the `events --json` contract), as plain data and
as the pydantic records (``EventOut``) that describe and validate them.

Here rather than in api.schemas so that the store can keep a ready-made copy of every event's
object (``events.doc``) and the exports can write events without importing the API; api.schemas
re-exports the records.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from frontwatch.model import Claimant, Event, GazetteerEntry, Mention

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
        "mentions": [
            {"text": m.text, "start_char": m.start_char, "end_char": m.end_char} for m in event.mentions
        ],
    }


def doc_with_cluster(doc: str, cluster_id: str | None) -> str:
    """A stored event object (`event_json`) with its cluster id added as the last key, as EventOut
    serialises it: the cluster is assigned after the event is written, so it is joined on reading."""
    if cluster_id is None:
        value = "null"
    elif _PLAIN_ID.fullmatch(cluster_id):  # the ids we write: json.dumps per row was ~1 ms a page
        value = f'"{cluster_id}"'
    else:
        value = json.dumps(cluster_id, ensure_ascii=False)
    return f'{doc[:-1]},"cluster_id":{value}}}'


_PLAIN_ID = re.compile(r"[\w:.-]*", re.ASCII)  # nothing in it that JSON escapes


def event_json(event: Event) -> str:
    """`event_dict` as compact UTF-8 JSON, byte for byte what the API's serialiser writes."""
    return json.dumps(event_dict(event), ensure_ascii=False, separators=(",", ":"))


# --- the same objects as pydantic models: the API, `events --json` and the exports build on these


class PublicModel(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class ActorOut(PublicModel):
    name: str
    side: str | None = None
    unit: str | None = None


class PlaceOut(PublicModel):
    """A gazetteer entry; inside an event it also carries the text span that named it."""

    id: str = Field(description="Gazetteer entry id, e.g. 'gn:707292' or 'katotth:UA63...'")
    name: str
    lat: float
    lon: float
    precision: str = Field(description="exact, hromada, raion, region, country or feature")
    kind: str
    geonameid: int | None = None
    katotth: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    country: str
    surface: str | None = Field(None, description="The words of the article that named the place")
    start_char: int | None = None
    end_char: int | None = None

    @classmethod
    def from_entry(cls, entry: GazetteerEntry) -> PlaceOut:
        return cls.model_validate(entry_dict(entry))


class ClaimantOut(PublicModel):
    name: str | None = None
    role: str | None = None
    outlet: str | None = None

    @classmethod
    def from_claimant(cls, claimant: Claimant | None) -> ClaimantOut | None:
        if claimant is None:
            return None
        return cls(name=claimant.name, role=claimant.role, outlet=claimant.outlet)


class WeaponOut(PublicModel):
    canonical: str
    weapon_class: str = Field(alias="class", serialization_alias="class")
    calibre_mm: float | None = None
    surface: str
    catalogue_id: str


class QuantityOut(PublicModel):
    low: float
    high: float
    unit: str
    kind: str
    surface: str


class EvidenceOut(PublicModel):
    text: str
    start_char: int
    end_char: int


class EventOut(PublicModel):
    """One event as the API, `frontwatch events --json` and the exports show it."""

    id: str
    article_id: str
    event_type: str = Field(description="ACLED event_type")
    sub_event_type: str = Field(description="ACLED sub_event_type")
    fw_type: str = Field(description="FrontWatch's finer type (events/event_types.toml)")
    actors: list[ActorOut]
    place: PlaceOut | None
    related_places: list[PlaceOut]
    date: dt.date | None
    date_end: dt.date | None = None
    date_precision: str
    claimant: ClaimantOut | None = None
    modality: str
    weapons: list[WeaponOut] = []
    quantities: list[QuantityOut] = []
    evidence: EvidenceOut
    control_to: str | None = None
    mentions: list[EvidenceOut] = Field(
        [], description="every sentence of the report that tells this event, the evidence among them"
    )
    cluster_id: str | None = Field(
        None, description="the cluster of reports of the same real-world event; null until merged"
    )

    @classmethod
    def from_event(cls, event: Event, *, cluster_id: str | None = None) -> EventOut:
        return cls.model_validate({**event_dict(event), "cluster_id": cluster_id})

    def to_json(self) -> dict:
        """The plain-JSON object of the public contract (weapon class under the key 'class')."""
        return self.model_dump(mode="json", by_alias=True)


class ArticleRefOut(PublicModel):
    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: dt.date | None = None
