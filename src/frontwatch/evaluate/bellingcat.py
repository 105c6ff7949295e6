"""Bellingcat/CIR "Russia-Ukraine Monitor" dev split: event place and ACLED event type, a row per article."""

from __future__ import annotations

import csv
import gzip
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from frontwatch.evaluate.metrics import NO_EVENT, distance_summary, haversine_km, in_range, per_label
from frontwatch.evaluate.naming import names_place
from frontwatch.evaluate.predict import Prediction, predict
from frontwatch.evaluate.report import Analyse, Miss, Progress, Ratio, SetReport
from frontwatch.ingest.records import article_id
from frontwatch.model import Article
from frontwatch.settings import shared_path

RELATIVE_PATH = ("eval", "bellingcat-cir", "dev.csv.gz")
NAMES_PLACE = "text names the place"
ALL_ROWS = "all rows"
ALIAS_RADIUS_KM = 25.0  # a gazetteer entry this close to the gold point is the row's town under another name


@dataclass(frozen=True, slots=True)
class BellingcatRow:
    entry: str
    date: date | None
    event_group: str
    title: str
    description: str
    lat: float
    lon: float
    country: str
    province: str
    district: str
    town: str

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.description}"

    def article(self) -> Article:
        """The row as an article: title, title + blank line + description, published on the row's date."""
        return Article(
            id=article_id(self.text),
            title=self.title,
            text=self.text,
            published=self.date,
            published_from="input" if self.date else "unknown",
            source="bellingcat-cir",
            origin=f"bellingcat-cir:{self.entry}",
        )


def default_path() -> Path:
    return shared_path(*RELATIVE_PATH)


def load_rows(
    path: Path | None = None,
    *,
    limit: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[BellingcatRow]:
    """Every row with a gold point (the dev split has 3,429, all with lat/lon); `since`/`until` keep
    dated rows in that range (both inclusive)."""
    rows: list[BellingcatRow] = []
    with gzip.open(path or default_path(), "rt", encoding="utf-8", newline="") as handle:
        for raw in csv.DictReader(handle):
            try:
                lat, lon = float(raw["lat"]), float(raw["lon"])
            except ValueError:
                continue  # no gold point: nothing to score
            if (since or until) and not in_range(_iso_date(raw["date"]), since=since, until=until):
                continue
            rows.append(
                BellingcatRow(
                    entry=raw["entry"].strip(),
                    date=_iso_date(raw["date"]),
                    event_group=raw["event_group"].strip(),
                    title=raw["title"].strip(),
                    description=raw["brief description"].strip(),
                    lat=lat,
                    lon=lon,
                    country=raw["country"].strip(),
                    province=raw["province"].strip(),
                    district=raw["district"].strip(),
                    town=raw["town/city"].strip(),
                )
            )
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class GroupMapping:
    prefix: str
    acled: str | None  # None: the group has no ACLED event type and is not scored for type
    sub: str | None
    why: str


@cache
def group_mappings() -> tuple[GroupMapping, ...]:
    """The event_group → ACLED event_type table (data/bellingcat_event_groups.toml), longest prefix first."""
    text = (
        resources.files("frontwatch.evaluate")
        .joinpath("data/bellingcat_event_groups.toml")
        .read_text("utf-8")
    )
    groups = tomllib.loads(text)["groups"]
    out = [GroupMapping(k, v["acled"] or None, v["sub"] or None, v["why"].strip()) for k, v in groups.items()]
    return tuple(sorted(out, key=lambda m: -len(m.prefix)))


def acled_type(event_group: str) -> str | None:
    """The ACLED event_type of a CIR event_group; None when unmapped or mapped to no type."""
    for mapping in group_mappings():
        if event_group.startswith(mapping.prefix):
            return mapping.acled
    return None


Aliases = Callable[[BellingcatRow], Iterable[str]]


def gazetteer_aliases(gazetteer: object) -> Aliases:
    """Other names of the row's town: every name of a gazetteer entry found under it near the gold point."""

    def aliases(row: BellingcatRow) -> Iterable[str]:
        if not row.town:
            return ()
        entries = gazetteer.search(row.town)  # type: ignore[attr-defined]
        near = [e for e in entries if haversine_km(e.lat, e.lon, row.lat, row.lon) <= ALIAS_RADIUS_KM]
        return tuple(name for e in near for name in e.names)

    return aliases


def row_names_place(row: BellingcatRow, *, aliases: Aliases | None = None) -> bool:
    if not row.town:
        return False
    return names_place(row.text, row.town, aliases=aliases(row) if aliases else ())


def evaluate(
    rows: Sequence[BellingcatRow],
    *,
    analyse: Analyse,
    aliases: Aliases | None = None,
    progress: Progress | None = None,
) -> SetReport:
    """Run every row through `analyse` and score place (all rows / rows naming the place), type and date."""
    report = SetReport(name="bellingcat", rows=len(rows))
    all_d: list[float | None] = []
    named_d: list[float | None] = []
    pairs: list[tuple[str, str]] = []
    dates_ok = 0
    dates_n = 0
    with_event = 0
    for row in rows:
        pred = predict(analyse(row.article()))
        named = row_names_place(row, aliases=aliases)
        report.counts[f"point from {pred.place_rule}"] += 1
        with_event += pred.event is not None
        report.counts["rows naming the place"] += named
        distance = _distance(row, pred)
        all_d.append(distance)
        if named:
            named_d.append(distance)
        if distance is None or distance > 25.0:
            report.misses.append(_place_miss(row, pred, distance, named))
        gold_type = acled_type(row.event_group)
        if gold_type is not None:
            ours = pred.event_type or NO_EVENT
            pairs.append((gold_type, ours))
            if ours != gold_type:
                report.misses.append(
                    Miss("bellingcat", row.entry, "type", row.text, f"{gold_type} ({row.event_group})", ours)
                )
        else:
            report.counts["rows without an ACLED type (not type-scored)"] += 1
        if pred.event is not None and row.date is not None:
            dates_n += 1
            dates_ok += pred.date == row.date
        if progress:
            progress(1)
    report.geo[ALL_ROWS] = distance_summary(all_d)
    report.geo[NAMES_PLACE] = distance_summary(named_d)
    scores = per_label((g, None if p == NO_EVENT else p) for g, p in pairs)
    report.type_scores = scores
    report.type_labels = tuple(sorted({g for g, _ in pairs}))
    report.confusion = Counter(pairs)
    report.ratios["main event dated on the row's date (rows with an event)"] = Ratio(dates_ok, dates_n)
    report.ratios["rows with at least one event"] = Ratio(with_event, len(rows))
    return report


def _distance(row: BellingcatRow, pred: Prediction) -> float | None:
    point = pred.point
    return None if point is None else haversine_km(row.lat, row.lon, *point)


def _place_miss(row: BellingcatRow, pred: Prediction, distance: float | None, named: bool) -> Miss:
    gold = ", ".join(p for p in (row.town or "?", row.district, row.province, row.country) if p)
    ours = "-"
    if pred.place is not None:
        entry = pred.place.entry
        ours = f"{entry.name}, {entry.admin1 or entry.country} [{entry.id}; via {pred.place_rule}]"
    aspect = "place (named)" if named else "place (not named)"
    return Miss(
        "bellingcat", row.entry, aspect, row.text, gold, ours, (row.lat, row.lon), pred.point, distance
    )
