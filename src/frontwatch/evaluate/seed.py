"""The defining example (seed/izyum-counterattack): gold events matched by type, place, date; places found."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from frontwatch.errors import InputError
from frontwatch.evaluate.metrics import PRF, haversine_km
from frontwatch.evaluate.report import Miss, Ratio, SetReport
from frontwatch.gazetteer.keys import name_key
from frontwatch.model import Article, Event, ExtractedArticle, GazetteerEntry, PlaceKind, ReadError

TEXT_PATH = ("seed", "izyum-counterattack.txt")
GOLD_PATH = ("seed", "izyum-counterattack.gold.json")
RIVER_TOLERANCE_KM = 50.0  # the gold says: any point of the river within 50 km of Izyum is right


@dataclass(frozen=True, slots=True)
class SeedGold:
    published: date
    places: dict[str, dict[str, Any]]  # key → gold place
    events: tuple[dict[str, Any], ...]


def load_gold(path: Path | None = None) -> SeedGold:
    from frontwatch.settings import shared_path

    data = json.loads((path or shared_path(*GOLD_PATH)).read_text(encoding="utf-8"))
    return SeedGold(
        published=date.fromisoformat(data["article"]["published"]),
        places={p["key"]: p for p in data["places"]},
        events=tuple(data["events"]),
    )


def read_seed(gold: SeedGold, path: Path | None = None) -> Article:
    """The seed article as the reader makes it, published on the gold's date."""
    from frontwatch.ingest import read_paths
    from frontwatch.settings import shared_path

    origin = path or shared_path(*TEXT_PATH)
    for item in read_paths([origin], published=gold.published):
        if isinstance(item, ReadError):
            raise InputError(item.origin, item.reason)
        return item
    raise InputError(str(origin), "no article in the seed file")


def place_matches(
    entry: GazetteerEntry, gold_place: dict[str, Any], places: dict[str, dict[str, Any]]
) -> bool:
    """Is `entry` the gold place? By KATOTTH or GeoNames id, else by distance within the gold's tolerance."""
    kind = gold_place["kind"]
    if kind == "country":
        return entry.kind == PlaceKind.COUNTRY and entry.country == gold_place["country"]
    if gold_place.get("katotth") and entry.katotth == gold_place["katotth"]:
        return True
    if gold_place.get("geonameid") and entry.geonameid == gold_place["geonameid"]:
        return True
    if "lat" in gold_place:
        return (
            haversine_km(entry.lat, entry.lon, gold_place["lat"], gold_place["lon"])
            <= gold_place["tolerance_km"]
        )
    same_name = any(
        name_key(n) == name_key(s) for n in (entry.name, *entry.names) for s in gold_place["surface"]
    )
    near = places.get(gold_place.get("near", ""))
    if near is None or "lat" not in near:
        # A river given by name and region only: the river of that name is right, wherever its point lies.
        return kind == "river" and entry.kind == PlaceKind.RIVER and same_name
    limit = RIVER_TOLERANCE_KM if kind == "river" else gold_place.get("max_km_from_near", 0.0)
    close = haversine_km(entry.lat, entry.lon, near["lat"], near["lon"]) <= limit
    return close and (same_name or (kind == "river" and entry.kind == PlaceKind.RIVER))


def _event_matches(event: Event, gold_event: dict[str, Any], places: dict[str, dict[str, Any]]) -> bool:
    if (event.event_type, event.sub_event_type) != (gold_event["event_type"], gold_event["sub_event_type"]):
        return False
    if event.date is None or event.date.isoformat() != gold_event["date"]:
        return False
    return event.place is not None and place_matches(event.place.entry, places[gold_event["place"]], places)


def evaluate(extracted: ExtractedArticle, gold: SeedGold) -> SetReport:
    """Greedy one-to-one matching of our events to the gold events; per-type P/R/F1 by ACLED event_type."""
    report = SetReport(name="seed", rows=1)
    unmatched = list(extracted.events)
    tp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold_event in gold.events:
        hit = next((e for e in unmatched if _event_matches(e, gold_event, gold.places)), None)
        label = gold_event["event_type"]
        if hit is None:
            fn[label] += 1
            closest = [e for e in unmatched if e.event_type == label]
            ours = "; ".join(_describe(e) for e in closest) or "-"
            report.misses.append(
                Miss(
                    "seed",
                    gold_event["key"],
                    "event",
                    gold_event["evidence"],
                    _describe_gold(gold_event),
                    ours,
                )
            )
            continue
        unmatched.remove(hit)
        tp[label] += 1
        report.confusion[(label, label)] += 1
    fp = Counter(e.event_type for e in unmatched)
    labels = sorted(set(tp) | set(fn) | set(fp))
    report.type_scores = {k: PRF(tp[k], fp[k], fn[k]) for k in labels}
    report.type_labels = tuple(sorted(set(tp) | set(fn)))
    matched = sum(tp.values())
    report.ratios["gold events matched (type, sub-type, place, date)"] = Ratio(matched, len(gold.events))
    report.ratios["our events matching a gold event"] = Ratio(matched, len(extracted.events))
    report.counts["events extracted"] = len(extracted.events)
    for event in unmatched:
        report.misses.append(
            Miss("seed", event.id, "extra event", event.evidence.text, "-", _describe(event))
        )
    found = 0
    for key, gold_place in gold.places.items():
        ok = any(place_matches(p.entry, gold_place, gold.places) for p in extracted.resolved.places)
        found += ok
        if not ok:
            report.misses.append(Miss("seed", key, "place", ", ".join(gold_place["surface"]), key, "-"))
    report.ratios["gold places found within tolerance"] = Ratio(found, len(gold.places))
    return report


def _describe(event: Event) -> str:
    place = event.place.entry.name if event.place else "-"
    return f"{event.event_type} / {event.sub_event_type} @ {place} on {event.date or '-'}"


def _describe_gold(gold_event: dict[str, Any]) -> str:
    g = gold_event
    return f"{g['event_type']} / {g['sub_event_type']} @ {g['place']} on {g['date']}"
