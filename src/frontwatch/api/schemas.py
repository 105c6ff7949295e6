"""Response models: the public shape of FrontWatch's data, separate from the store's rows.

``EventOut.from_event`` is the ONE place an event becomes JSON: the API, ``events --json`` and
every export build on it, so the contract cannot drift between them.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from frontwatch.model import Article, Claimant, Event, GazetteerEntry
from frontwatch.public import entry_dict, event_dict  # the plain-data forms; also imported from here

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


class ClusterMemberOut(_Out):
    """One report of the event's cluster."""

    event_id: str
    canonical: bool = Field(description="the cluster's most precise report")
    source: str = Field(description="independent source key: claimant, else outlet, else article")
    outlet: str | None = None
    title: str
    published: dt.date | None = None
    evidence: str
    why: str = Field(description="why it is in the cluster")


class ClusterOut(_Out):
    """Every report of the same real-world event (frontwatch.clusters)."""

    id: str
    independent_sources: int
    members: list[ClusterMemberOut]


class EventDetailOut(EventOut):
    article: ArticleRefOut
    context: ContextOut
    cluster: ClusterOut | None = Field(default=None, description="the reports of the same event")


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
