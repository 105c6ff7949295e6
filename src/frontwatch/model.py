"""The records that flow through FrontWatch's stages. Imports nothing of ours.

read → annotate → resolve → extract → store → derive → serve; each stage takes one of these
and returns the next. Character offsets always index ``Article.text``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DatePrecision(StrEnum):
    DAY = "day"  # exactly that day
    ON_OR_BEFORE = "on or before"
    ON_OR_AFTER = "on or after"
    RANGE = "range"  # between date and date_end
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class Modality(StrEnum):
    ASSERTED = "asserted"  # stated as fact by the claimant or the outlet
    CLAIMED = "claimed"  # a party's claim in its own favour, not independently stated
    ESTIMATED = "estimated"
    HOPED = "hoped"  # hoped, expected, planned: did not happen (yet)
    DENIED = "denied"
    UNNAMED_SOURCE = "reported by unnamed source"


class PlaceKind(StrEnum):
    COUNTRY = "country"
    ADMIN1 = "admin1"  # oblast, Russian oblast/krai, ...
    ADMIN2 = "admin2"  # raion
    ADMIN3 = "admin3"  # hromada / territorial community
    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    RIVER = "river"
    FEATURE = "feature"  # other physical features: hills, reservoirs, forests


class Precision(StrEnum):
    """How good a coordinate is: the point of the place itself, or of a unit containing it."""

    EXACT = "exact"  # the settlement's own point
    HROMADA = "hromada"  # approximated by its hromada's centre
    RAION = "raion"
    REGION = "region"  # the centroid/centre of an admin1 unit
    COUNTRY = "country"
    FEATURE = "feature"  # one point of a long feature (a river)


@dataclass(frozen=True, slots=True)
class Article:
    id: str  # stable: hash of the normalised text
    title: str
    text: str  # title + "\n\n" + body; every offset in FrontWatch indexes this
    published: dt.date | None
    published_from: str  # "input", "option" or "unknown"
    source: str | None = None  # outlet
    url: str | None = None
    tags: tuple[str, ...] = ()
    origin: str | None = None  # file path, URL or "<stdin>" it was read from


@dataclass(frozen=True, slots=True)
class ReadError:
    """One input that could not become an Article; the batch goes on."""

    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class Span:
    start_char: int
    end_char: int
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A spaCy entity that is not a place: PERSON, ORG, NORP, DATE, ..."""

    label: str
    start_char: int
    end_char: int
    text: str


@dataclass(frozen=True, slots=True)
class AnnotatedArticle:
    article: Article
    sentences: tuple[Span, ...]
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    id: str  # "gn:707292", "katotth:UA63040130100094915", "pgo:1234", "adm:UA-63"
    name: str  # preferred English/Latin name
    kind: PlaceKind
    lat: float
    lon: float
    precision: Precision
    country: str  # ISO 3166-1 alpha-2
    admin1: str | None = None  # "Kharkiv Oblast"
    admin2: str | None = None  # raion
    admin3: str | None = None  # hromada
    population: int | None = None
    geonameid: int | None = None
    katotth: str | None = None
    names: tuple[str, ...] = ()  # every known name, any script


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text that names a gazetteer entry, before choosing which one."""

    surface: str
    start_char: int
    end_char: int
    sentence: int  # index into AnnotatedArticle.sentences
    candidate_ids: tuple[str, ...]
    role: str | None = None  # "region", "community", "district", "river", "direction" when the text says so


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Place:
    """A mention resolved to one gazetteer entry, with the runners-up."""

    mention: Mention
    entry: GazetteerEntry
    score: float
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedArticle:
    annotated: AnnotatedArticle
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # canonical: "Russian forces", "Ukrainian forces", "Civilians (Ukraine)"
    side: str | None  # "Russia", "Ukraine", ... (the party a control change goes to)
    surface: str = ""
    unit: str | None = None  # "93rd Mechanized Brigade" when the text names one


@dataclass(frozen=True, slots=True)
class Claimant:
    name: str | None
    role: str | None = None
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Weapon:
    catalogue_id: str  # key in weapons.toml
    canonical: str  # "BM-30 Smerch"
    weapon_class: str  # "multiple rocket launcher"
    surface: str
    calibre_mm: float | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    low: float
    high: float
    unit: str  # "battalion-tactical group", "fatalities", "injured", "tank", ...
    surface: str
    kind: str = "count"  # "fatalities", "injured", "forces", "equipment", "count"


@dataclass(frozen=True, slots=True)
class Event:
    id: str  # deterministic: hash of article id + evidence span + type
    article_id: str
    event_type: str  # ACLED event_type
    sub_event_type: str  # ACLED sub_event_type
    fw_type: str  # our finer type key in event_types.toml, e.g. "attempted_advance"
    actors: tuple[Actor, ...]
    place: Place | None
    related_places: tuple[Place, ...]
    date: dt.date | None
    date_precision: DatePrecision
    modality: Modality
    evidence: Span
    date_end: dt.date | None = None
    claimant: Claimant | None = None
    weapons: tuple[Weapon, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    control_to: str | None = None  # side that takes control of `place`, for capture/retake events
    rules_version: str = "events.rules.v1"
    # every sentence of the report that tells this incident (the evidence among them), in text order
    mentions: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    resolved: ResolvedArticle
    events: tuple[Event, ...] = field(default_factory=tuple)


MERGE_RULES_VERSION = "clusters.rules.v1"


@dataclass(frozen=True, slots=True)
class MergeReason:
    """Why one report is in its cluster: the seed, or what matched the report it was compared to."""

    event_id: str
    cluster_id: str
    matched_event_id: str | None  # None for the report that started the cluster
    type_match: str = ""  # "Battles / Armed clash"
    same_place: bool = False  # same gazetteer entry
    distance_km: float | None = None
    date_overlap: tuple[dt.date, dt.date] | None = None
    actors: str = ""
    rules_version: str = MERGE_RULES_VERSION

    def text(self) -> str:
        """One line for people: why this report joined."""
        if self.matched_event_id is None:
            return "started the cluster (most precise report)"
        where = "same place" if self.same_place else f"{self.distance_km:.1f} km apart"
        when = ""
        if self.date_overlap is not None:
            lo, hi = self.date_overlap
            when = f"dates overlap {lo.isoformat()}" + ("" if lo == hi else f"..{hi.isoformat()}")
        parts = [f"same type {self.type_match}", where, when, f"actors {self.actors}"]
        return f"joined {self.matched_event_id}: " + ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class ClusterState:
    """What merging keeps of a cluster, of the same size whatever the number of its reports: its
    first report (every joiner is compared with it) and canonical report, the distinct places,
    the days every member allows, and the distinct sides, weapons and time/repeat markers of its
    members. A new report that fits these fits every member (frontwatch.clusters)."""

    id: str
    event_type: str
    sub_event_type: str
    first_id: str
    canonical_id: str
    size: int
    entry_id: str  # the first report's place: where the cluster is looked up
    lat: float
    lon: float
    coarse: bool
    day_lo: dt.date  # the latest first day and the earliest last day of the members' date spans
    day_hi: dt.date
    places: tuple[tuple[str, float, float, bool], ...]  # (entry id, lat, lon, coarse), sorted
    first_sides: tuple[str, ...] = ()
    side_sets: tuple[tuple[str, ...], ...] = ()
    weapon_sets: tuple[tuple[str, ...], ...] = ()
    time_sets: tuple[tuple[str, ...], ...] = ()
    repeat_sets: tuple[tuple[str, ...], ...] = ()
