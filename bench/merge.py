"""Merge the Bellingcat/CIR dev set: clusters, merge rate, near-duplicates kept together, speed.

One event per row, built from the row's own point, date and event_group (mapped to an ACLED type):
this measures merging, not extraction. A near-duplicate pair is two rows of the same event_group on
the same day within 5 km of each other.

    .venv/bin/python bench/merge.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import logging
import time
from collections import defaultdict
from datetime import date

from frontwatch.clusters import merge
from frontwatch.geometry import haversine_km
from frontwatch.model import (
    DatePrecision,
    Event,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    Span,
)
from frontwatch.settings import shared_path

log = logging.getLogger("bench.merge")

# event_group (without its month) → ACLED event_type / sub_event_type, by what the footage shows
GROUPS = {
    "Civilian Infrastructure Damage": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "Military Infrastructure Damage": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "Munitions": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "Bombing or Explosion": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "Civilian Casualty": ("Violence against civilians", "Attack"),
    "Mass grave or Burial": ("Violence against civilians", "Attack"),
    "Russian Military Presence": ("Strategic developments", "Change to group/activity"),
    "Russian Allies Presence/Losses": ("Strategic developments", "Change to group/activity"),
    "Russian Firing Positions": ("Strategic developments", "Change to group/activity"),
    "Russian Military Losses": ("Battles", "Armed clash"),
    "Ukrainian Military Losses": ("Battles", "Armed clash"),
    "Ground Battle": ("Battles", "Armed clash"),
    "Detentions or Arrests": ("Strategic developments", "Arrests"),
    "Other": ("Strategic developments", "Other"),
}


def acled_type(group: str) -> tuple[str, str]:
    for prefix, types in GROUPS.items():
        if group.startswith(prefix):
            return types
    return GROUPS["Other"]


def row_event(row: dict[str, str]) -> Event | None:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
        day = date.fromisoformat(row["date"])
    except ValueError:
        return None
    name = row["town/city"] or row["title"]
    entry = GazetteerEntry(f"pt:{lat:.5f},{lon:.5f}", name, PlaceKind.TOWN, lat, lon, Precision.EXACT, "UA")
    text = f"{row['title']}. {row['brief description']}"
    event_type, sub_type = acled_type(row["event_group"])
    return Event(
        id=f"cir:{row['entry']}",
        article_id=f"cir:{row['entry']}",
        event_type=event_type,
        sub_event_type=sub_type,
        fw_type=row["event_group"],
        actors=(),
        place=Place(Mention(name, 0, len(name), 0, (entry.id,)), entry, 1.0),
        related_places=(),
        date=day,
        date_precision=DatePrecision.DAY,
        modality=Modality.ASSERTED,
        evidence=Span(0, len(text), text),
    )


def near_duplicate_pairs(rows: list[tuple[dict[str, str], Event]]) -> list[tuple[str, str]]:
    """Same event_group, same day, within 5 km: compared only within (group, day) buckets."""
    buckets: dict[tuple[str, date | None], list[Event]] = defaultdict(list)
    for row, ev in rows:
        buckets[(row["event_group"], ev.date)].append(ev)
    pairs = []
    for bucket in buckets.values():
        for a, b in itertools.combinations(bucket, 2):
            assert a.place is not None and b.place is not None
            pa, pb = a.place.entry, b.place.entry
            if haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) <= 5.0:
                pairs.append((a.id, b.id))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="merge this many times, report the best")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    path = shared_path("eval", "bellingcat-cir", "dev.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        raw = list(csv.DictReader(handle))
    rows = [(row, ev) for row in raw if (ev := row_event(row)) is not None]
    events = [ev for _, ev in rows]
    timings, clusters = [], []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        clusters = merge(events)
        timings.append(time.perf_counter() - start)
    best = min(timings)
    cluster_of = {eid: c.id for c in clusters for eid in c.event_ids}
    pairs = near_duplicate_pairs(rows)
    together = sum(cluster_of[a] == cluster_of[b] for a, b in pairs)
    multi = [c for c in clusters if len(c.members) > 1]
    print(f"dev set:              {path}")
    print(f"rows / events:        {len(raw)} / {len(events)}")
    print(
        f"clusters:             {len(clusters)} ({len(multi)} with more than one report, "
        f"largest {max(len(c.members) for c in clusters)})"
    )
    print(f"merge rate:           {1 - len(clusters) / len(events):.3f}")
    print(
        f"near-duplicate pairs: {len(pairs)} (same group, same day, <= 5 km); "
        f"in the same cluster: {together} ({together / max(1, len(pairs)):.1%})"
    )
    print(
        f"merge time:           {best:.3f} s for {len(events)} reports "
        f"= {1000 * best / len(events) * 1000:.1f} ms per 1,000 reports (best of {len(timings)})"
    )


if __name__ == "__main__":
    main()
