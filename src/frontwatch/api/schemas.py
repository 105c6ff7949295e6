"""Response models: the public shape of FrontWatch's data, separate from the store's rows.

``EventOut.from_event`` is the ONE place an event becomes JSON: the API, ``events --json`` and
every export build on it, so the contract cannot drift between them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from frontwatch.model import Article

# the event records (in public.py, shared with the exports) and their plain-data forms, re-exported
from frontwatch.public import ActorOut as ActorOut
from frontwatch.public import ArticleRefOut as ArticleRefOut
from frontwatch.public import ClaimantOut as ClaimantOut
from frontwatch.public import EventOut as EventOut
from frontwatch.public import EvidenceOut as EvidenceOut
from frontwatch.public import PlaceOut as PlaceOut
from frontwatch.public import QuantityOut as QuantityOut
from frontwatch.public import WeaponOut as WeaponOut
from frontwatch.public import entry_dict as entry_dict
from frontwatch.public import event_dict as event_dict

T = TypeVar("T")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    # pydantic alone also takes 0 (or "0") as a Unix time: a day is YYYY-MM-DD and nothing else.
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("expected a day as YYYY-MM-DD")
    if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]  # {"type": "string", "format": "date"}, strictly


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class PlaceSummaryOut(PlaceOut):
    event_count: int = 0


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
    members: list[ClusterMemberOut] = Field(
        description="the reports, canonical first, the event itself always; a large cluster lists its first"
    )
    size: int = Field(description="how many reports the cluster has in all")


class EventDetailOut(EventOut):
    article: ArticleRefOut
    context: ContextOut
    cluster: ClusterOut | None = Field(default=None, description="the reports of the same event")


class ArticleOut(ArticleRefOut):
    published_from: str = "unknown"
    tags: list[str] = Field(default=[])  # pydantic copies the default per instance
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


class GridCellOut(_Out):
    lon: float = Field(description="longitude of the cell's centre")
    lat: float = Field(description="latitude of the cell's centre")
    event_type: str
    count: int


class GridOut(_Out):
    cell: float = Field(description="cell size in degrees")
    total: int = Field(description="events counted in the cells")
    cells: list[GridCellOut]


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
    published: IsoDate | None = None
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
