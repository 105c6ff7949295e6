"""Response models: the public shape of FrontWatch's data, separate from the store's rows.

``EventOut.from_event`` is the ONE place an event becomes JSON: the API, ``events --json`` and
every export build on it, so the contract cannot drift between them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from frontwatch.model import Article, Claimant, Event, GazetteerEntry, Mention

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class ActorOut(_Out):
    name: str
    side: str | None = None
    unit: str | None = None


class PlaceOut(_Out):
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


def entry_dict(entry: GazetteerEntry, mention: Mention | None = None) -> dict[str, Any]:
    """A gazetteer entry (and the mention naming it) as PlaceOut's plain JSON object."""
    return {
        "id": entry.id,
        "name": entry.name,
        "lat": entry.lat,
        "lon": entry.lon,
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


class PlaceSummaryOut(PlaceOut):
    event_count: int = 0


class ClaimantOut(_Out):
    name: str | None = None
    role: str | None = None
    outlet: str | None = None

    @classmethod
    def from_claimant(cls, claimant: Claimant | None) -> ClaimantOut | None:
        if claimant is None:
            return None
        return cls(name=claimant.name, role=claimant.role, outlet=claimant.outlet)


class WeaponOut(_Out):
    canonical: str
    weapon_class: str = Field(alias="class", serialization_alias="class")
    calibre_mm: float | None = None
    surface: str
    catalogue_id: str


class QuantityOut(_Out):
    low: float
    high: float
    unit: str
    kind: str
    surface: str


class EvidenceOut(_Out):
    text: str
    start_char: int
    end_char: int


class EventOut(_Out):
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

    @classmethod
    def from_event(cls, event: Event) -> EventOut:
        return cls.model_validate(event_dict(event))

    def to_json(self) -> dict:
        """The plain-JSON object of the public contract (weapon class under the key 'class')."""
        return self.model_dump(mode="json", by_alias=True)


def event_dict(event: Event) -> dict[str, Any]:
    """THE public JSON object of an event (the `events --json` contract); EventOut validates it.

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
                "calibre_mm": w.calibre_mm,
                "surface": w.surface,
                "catalogue_id": w.catalogue_id,
            }
            for w in event.weapons
        ],
        "quantities": [
            {"low": q.low, "high": q.high, "unit": q.unit, "kind": q.kind, "surface": q.surface}
            for q in event.quantities
        ],
        "evidence": {"text": evidence.text, "start_char": evidence.start_char, "end_char": evidence.end_char},
        "control_to": event.control_to,
    }


class ArticleRefOut(_Out):
    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: dt.date | None = None


class ContextOut(_Out):
    """The paragraph holding the evidence; offsets are relative to ``text``."""

    text: str
    evidence_start: int
    evidence_end: int


class EventDetailOut(EventOut):
    article: ArticleRefOut
    context: ContextOut


class ArticleOut(ArticleRefOut):
    published_from: str = "unknown"
    tags: list[str] = []
    event_count: int = 0

    @classmethod
    def from_article(cls, article: Article, *, event_count: int = 0) -> ArticleOut:
        return cls(
            id=article.id,
            title=article.title,
            url=article.url,
            source=article.source,
            published=article.published,
            published_from=article.published_from,
            tags=list(article.tags),
            event_count=event_count,
        )


class ArticleDetailOut(ArticleOut):
    text: str
    events: list[EventOut]


class PlaceDetailOut(PlaceSummaryOut):
    events: list[EventOut]


class Page(_Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null at the end"
    )


class CountOut(_Out):
    value: str
    count: int


class FacetsOut(_Out):
    date_min: dt.date | None
    date_max: dt.date | None
    event_types: list[CountOut]
    sub_event_types: list[CountOut]
    actors: list[CountOut]
    modalities: list[CountOut]
    count: int


class HealthOut(_Out):
    status: str
    version: str
    events: int
    articles: int


class ArticleIn(BaseModel):
    """A report to ingest through POST /articles."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    text: str = Field(min_length=1, description="The body; the title is prepended as in every reader")
    url: str | None = None
    published: dt.date | None = None
    source: str | None = None
    tags: list[str] = []


class IngestOut(_Out):
    article: ArticleOut
    events: list[EventOut]


class ErrorBody(_Out):
    code: str = Field(description="not_found, invalid_parameter, unauthorized, forbidden, ...")
    message: str
    detail: list[dict] | None = None


class ErrorOut(_Out):
    """The one error shape of the API."""

    error: ErrorBody


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) of ``text`` covering [start, end): blank lines separate paragraphs."""
    left = text.rfind("\n\n", 0, start)
    left = 0 if left < 0 else left + 2
    right = text.find("\n\n", max(end, start))
    right = len(text) if right < 0 else right
    return left, right


def context_around(text: str, start: int, end: int) -> ContextOut:
    left, right = _paragraph_bounds(text, start, end)
    return ContextOut(text=text[left:right], evidence_start=start - left, evidence_end=end - left)
