"""What we score from one analysed article: its main event, the point we place it at, its type and date.

The rule (docs/evaluation.md): the main event is the first event that has a place, else the first event;
the article's point is the main event's place; when no event has a place, the best resolved place of the
article: the most specific kind (settlement before hromada, raion, oblast, country), then the highest
resolver score, then the first mention — an event belongs at the most specific place its text gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from frontwatch.model import Event, ExtractedArticle, Place, PlaceKind

# Most specific first: a settlement the text names beats its oblast and the country.
_SPECIFICITY = {
    PlaceKind.VILLAGE: 0,
    PlaceKind.TOWN: 0,
    PlaceKind.CITY: 0,
    PlaceKind.FEATURE: 1,
    PlaceKind.ADMIN3: 2,
    PlaceKind.RIVER: 3,
    PlaceKind.ADMIN2: 3,
    PlaceKind.ADMIN1: 4,
    PlaceKind.COUNTRY: 5,
}


@dataclass(frozen=True, slots=True)
class Prediction:
    """One article's answer as the evaluation reads it."""

    event: Event | None
    place: Place | None
    place_rule: str  # "event", "resolved" (no event had a place) or "none"
    n_events: int

    @property
    def event_type(self) -> str | None:
        return self.event.event_type if self.event else None

    @property
    def date(self) -> date | None:
        return self.event.date if self.event else None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.place is None:
            return None
        return (self.place.entry.lat, self.place.entry.lon)


def main_event(extracted: ExtractedArticle) -> Event | None:
    """The first event with a place, else the first event, else None."""
    for event in extracted.events:
        if event.place is not None:
            return event
    return extracted.events[0] if extracted.events else None


def best_resolved_place(extracted: ExtractedArticle) -> Place | None:
    """The most specific resolved place; ties: the higher resolver score, then the first mention."""
    places = extracted.resolved.places
    if not places:
        return None
    return min(
        places,
        key=lambda p: (_SPECIFICITY.get(p.entry.kind, 9), -p.score, p.mention.start_char),
    )


def predict(extracted: ExtractedArticle) -> Prediction:
    event = main_event(extracted)
    if event is not None and event.place is not None:
        return Prediction(event, event.place, "event", len(extracted.events))
    place = best_resolved_place(extracted)
    return Prediction(event, place, "resolved" if place else "none", len(extracted.events))
