"""Hand-built events for the merging and control tests (used where the real pipeline is not the point)."""

from __future__ import annotations

import hashlib
from datetime import date

from frontwatch.model import (
    Actor,
    AnnotatedArticle,
    Article,
    Claimant,
    DatePrecision,
    Event,
    ExtractedArticle,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    ResolvedArticle,
    Span,
    Weapon,
)

RUSSIA = Actor("Russian forces", "Russia")
UKRAINE = Actor("Ukrainian forces", "Ukraine")

ENTRIES = {
    "izyum": GazetteerEntry("gn:707292", "Izyum", PlaceKind.CITY, 49.20697, 37.27679, Precision.EXACT, "UA"),
    # a point 2 km from Izyum's: another name for a part of the same town
    "izyum-south": GazetteerEntry(
        "x:izyum-south", "Izyum South", PlaceKind.VILLAGE, 49.189, 37.277, Precision.EXACT, "UA"
    ),
    "kharkiv": GazetteerEntry(
        "gn:706483", "Kharkiv", PlaceKind.CITY, 49.98081, 36.25272, Precision.EXACT, "UA"
    ),
    "spivakivka": GazetteerEntry(
        "katotth:UA63040130220055833", "Spivakivka", PlaceKind.VILLAGE, 49.227, 37.149, Precision.EXACT, "UA"
    ),
    "zavody": GazetteerEntry(
        "katotth:UA63040130100094915", "Zavody", PlaceKind.VILLAGE, 49.1536, 37.0641, Precision.EXACT, "UA"
    ),
    "kharkiv-oblast": GazetteerEntry(
        "adm:UA-63", "Kharkiv Oblast", PlaceKind.ADMIN1, 49.6, 36.6, Precision.REGION, "UA"
    ),
}

TYPES = {
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling", None),
    "strike": ("Explosions/Remote violence", "Air/drone strike", "air_strike", None),
    "capture": ("Battles", "Non-state actor overtakes territory", "capture", "Russia"),
    "retake": ("Battles", "Government regains territory", "retake", "Ukraine"),
}

GRAD = Weapon("bm-21-grad", "BM-21 Grad", "multiple rocket launcher", "Grad", 122)
SHAHED = Weapon("shahed-136", "Shahed-136", "loitering munition", "Shahed", None)


def event(
    kind: str,
    place: str,
    day: date,
    *,
    article: str,
    text: str = "",
    precision: DatePrecision = DatePrecision.DAY,
    modality: Modality = Modality.ASSERTED,
    claimant: str | None = None,
    outlet: str | None = None,
    actors: tuple[Actor, ...] = (RUSSIA,),
    weapons: tuple[Weapon, ...] = (),
    control_to: str | None = None,
) -> Event:
    event_type, sub_type, fw_type, default_to = TYPES[kind]
    entry = ENTRIES[place]
    text = text or f"{kind} at {entry.name} on {day.isoformat()}"
    event_id = "ev-" + hashlib.sha1(f"{article}|{text}|{place}|{kind}".encode()).hexdigest()[:12]
    mention = Mention(entry.name, 0, len(entry.name), 0, (entry.id,))
    return Event(
        id=event_id,
        article_id=article,
        event_type=event_type,
        sub_event_type=sub_type,
        fw_type=fw_type,
        actors=actors,
        place=Place(mention, entry, 1.0),
        related_places=(),
        date=day,
        date_precision=precision,
        modality=modality,
        evidence=Span(0, len(text), text),
        claimant=Claimant(claimant, None, outlet) if claimant or outlet else None,
        weapons=weapons,
        control_to=control_to if control_to is not None else default_to,
    )


def extracted(article_id: str, events: list[Event], *, outlet: str | None = None) -> ExtractedArticle:
    """Wrap hand-built events of one article as the pipeline's output, to save them in a store."""
    text = " ".join(e.evidence.text for e in events)
    article = Article(article_id, article_id, text, date(2022, 5, 10), "input", source=outlet)
    annotated = AnnotatedArticle(article, (Span(0, len(text), text),))
    places = tuple(e.place for e in events if e.place is not None)
    return ExtractedArticle(ResolvedArticle(annotated, places), tuple(events))
