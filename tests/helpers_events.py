"""Compare extracted events with gold events readably: unordered, places by id or within a tolerance.

Gold events follow the seed's .gold.json shape: event_type, sub_event_type, place (a key into
`places`), also_places, date, date_precision, source (a key into `sources`), modality, actors,
control_change, weapons, quantity, evidence. Only the fields a gold event gives are checked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from frontwatch.model import Event, GazetteerEntry, Place


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def place_matches(entry: GazetteerEntry, gold: dict[str, Any], places: dict[str, dict[str, Any]]) -> bool:
    """Is the resolved entry the gold place? By GeoNames id, KATOTTH code, admin1 unit, name or distance."""
    if gold.get("geonameid") and entry.geonameid == gold["geonameid"]:
        return True
    if gold.get("katotth") and entry.katotth == gold["katotth"]:
        return True
    kind = gold.get("kind")
    if kind in ("admin1", "country"):
        if entry.kind != kind:
            return False
        if kind == "country":
            return entry.country == gold.get("country")
        return gold.get("admin1") in (entry.admin1, entry.name)
    if kind == "river":
        return entry.kind == "river" and any(
            _norm(s) in _norm(" ".join((entry.name, *entry.names))) for s in gold["surface"]
        )
    if "lat" in gold and km(entry.lat, entry.lon, gold["lat"], gold["lon"]) <= gold.get("tolerance_km", 5):
        return True
    if gold.get("near") and gold.get("name_match", True):
        near = places[gold["near"]]
        names = _norm(" ".join((entry.name, *entry.names)))
        named = any(_norm(s) in names for s in gold["surface"])
        close = "lat" in near and km(entry.lat, entry.lon, near["lat"], near["lon"]) <= gold.get(
            "max_km_from_near", 35
        )
        return named and close and (gold.get("admin1") in (None, entry.admin1))
    if gold.get("admin1") and gold.get("surface") and not gold.get("geonameid") and not gold.get("katotth"):
        names = _norm(" ".join((entry.name, *entry.names)))
        return entry.admin1 == gold["admin1"] and any(_norm(s) in names for s in gold["surface"])
    return False


@dataclass
class Comparison:
    gold: dict[str, Any]
    event: Event | None
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.event is None:
            return f"- {self.gold.get('key')}: NOT FOUND ({'; '.join(self.problems)})"
        e = self.event
        place = e.place.entry.name if e.place else None
        return (
            f"- {self.gold.get('key')}: {'; '.join(self.problems)}\n"
            f"    got {e.fw_type} {e.sub_event_type} at {place} {e.date} {e.date_precision} {e.modality}"
            f" claimant={e.claimant} evidence={e.evidence.text[:80]!r}"
        )


def _problems(e: Event, g: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    places = {p["key"]: p for p in gold["places"]}
    sources = {s["key"]: s for s in gold.get("sources", [])}
    out = []
    for key in g.get("also_places", []):
        if not any(place_matches(r.entry, places[key], places) for r in e.related_places):
            out.append(f"related place {key} missing (have {[r.entry.name for r in e.related_places]})")
    if "date" in g and str(e.date) != g["date"]:
        out.append(f"date {e.date} != {g['date']}")
    if "date_precision" in g and e.date_precision != g["date_precision"]:
        out.append(f"date precision {e.date_precision} != {g['date_precision']}")
    if "modality" in g and e.modality != g["modality"]:
        out.append(f"modality {e.modality} != {g['modality']}")
    src = sources.get(g["source"]) if g.get("source") else None
    if src is None and "source" not in g and e.claimant is not None and gold.get("strict_claimant", True):
        out.append(f"claimant {e.claimant} where the outlet asserts")
    if src is not None:
        c = e.claimant
        if c is None:
            out.append(f"claimant missing (want {src['name']})")
        else:
            if (c.name or "").lower() != src["name"].lower():
                out.append(f"claimant name {c.name!r} != {src['name']!r}")
            if src.get("role") and src["role"].lower() not in (c.role or "").lower():
                out.append(f"claimant role {c.role!r} lacks {src['role']!r}")
            if src.get("outlet") and src["outlet"].lower() not in (c.outlet or "").lower():
                out.append(f"claimant outlet {c.outlet!r} lacks {src['outlet']!r}")
    names = {a.name for a in e.actors}
    for a in g.get("actors", []):
        if a not in names:
            out.append(f"actor {a} missing (have {sorted(names)})")
    if g.get("control_change") and e.control_to != g["control_change"]["to"]:
        out.append(f"control to {e.control_to} != {g['control_change']['to']}")
    for w in g.get("weapons", []):
        got = next((x for x in e.weapons if x.canonical == w["canonical"]), None)
        if got is None:
            out.append(f"weapon {w['canonical']} missing (have {[x.canonical for x in e.weapons]})")
        elif got.weapon_class != w["class"] or (w.get("calibre_mm") and got.calibre_mm != w["calibre_mm"]):
            out.append(
                f"weapon {w['canonical']}: {got.weapon_class} {got.calibre_mm}"
                f" != {w['class']} {w.get('calibre_mm')}"
            )
    q = g.get("quantity")
    found = q and any(x.low == q["low"] and x.high == q["high"] and x.unit == q["unit"] for x in e.quantities)
    if q and not found:
        out.append(f"quantity {q} missing (have {e.quantities})")
    told = [e.evidence.text, *(m.text for m in e.mentions)]  # the evidence or any other mention of it
    if g.get("evidence") and not any(_norm(g["evidence"]) in _norm(t) for t in told):
        out.append(f"no mention holds {g['evidence']!r}")
    return out


def compare(events: tuple[Event, ...] | list[Event], gold: dict[str, Any]) -> list[Comparison]:
    """For each gold event the extracted event of the same type and place that fits it best."""
    places = {p["key"]: p for p in gold["places"]}
    out = []
    used: set[int] = set()  # one event answers one gold event when another fits as well
    for g in gold["events"]:
        candidates = [
            e
            for e in events
            if e.event_type == g["event_type"]
            and e.sub_event_type == g["sub_event_type"]
            and e.place is not None
            and place_matches(e.place.entry, places[g["place"]], places)
        ]
        if not candidates:
            same_type = [
                f"{e.sub_event_type} at {e.place.entry.name if e.place else None}"
                for e in events
                if e.event_type == g["event_type"]
            ]
            out.append(
                Comparison(g, None, [f"no {g['sub_event_type']} at {g['place']}; same type: {same_type}"])
            )
            continue
        scored = sorted(
            ((_problems(e, g, gold), e) for e in candidates), key=lambda pe: (len(pe[0]), id(pe[1]) in used)
        )
        problems, best = scored[0]
        used.add(id(best))
        out.append(Comparison(g, best, problems))
    return out


def assert_events(events: tuple[Event, ...] | list[Event], gold: dict[str, Any]) -> None:
    result = compare(events, gold)
    bad = [c for c in result if c.event is None or c.problems]
    assert not bad, "events differ from gold:\n" + "\n".join(c.describe() for c in bad)


def place_of(p: Place | None) -> str | None:
    return p.entry.name if p else None
