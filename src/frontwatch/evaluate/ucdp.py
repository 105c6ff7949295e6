"""UCDP GED rows for Ukraine: event place (where_prec 1-2), sides, dates and deaths from headlines.

The text is the row's source headlines (one per line; the field holds several separated by ';') and
its where_description. The headlines carry no dates, so the article is published on date_end and the
main event's date is right when it falls within [date_start, date_end].
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from frontwatch.evaluate.metrics import distance_summary, haversine_km, in_range
from frontwatch.evaluate.predict import predict
from frontwatch.evaluate.report import Analyse, Miss, Progress, Ratio, SetReport
from frontwatch.ingest.records import article_id
from frontwatch.model import Article, ExtractedArticle, Place
from frontwatch.settings import shared_path

RELATIVE_PATH = ("eval", "ucdp-ged", "UCDP-Ukraine_peacerep_b858735.csv.gz")
ENCODING = "cp1252"  # the export is Windows-1252 (curly quotes as 0x92), not UTF-8
PRECISE = "where_prec 1-2"
# UCDP's dyad sides → the side FrontWatch's actors carry. The separatist forces fight on Russia's side
# (FrontWatch's side is the party a control change goes to); protesters and civilians are no army's side.
SIDES = {
    "Government of Ukraine": "Ukraine",
    "Supporters of Ukrainian unity": "Ukraine",
    "Government of Russia (Soviet Union)": "Russia",
    "DPR": "Russia",
    "LPR": "Russia",
    "United Armed Forces of Novorossiya": "Russia",
    "Supporters of independence for Eastern Ukraine": "Russia",
}


@dataclass(frozen=True, slots=True)
class UcdpRow:
    id: str
    headlines: tuple[str, ...]
    where_description: str
    where_prec: int
    adm_1: str
    lat: float
    lon: float
    side_a: str
    side_b: str
    date_start: date
    date_end: date
    best: int
    low: int
    high: int

    @property
    def text(self) -> str:
        head = "\n".join(self.headlines)
        return f"{head}\n\n{self.where_description}" if self.where_description else head

    def article(self) -> Article:
        title = self.headlines[0] if self.headlines else self.where_description
        return Article(
            id=article_id(self.text),
            title=title,
            text=self.text,
            published=self.date_end,
            published_from="option",
            source="ucdp-ged",
            origin=f"ucdp-ged:{self.id}",
        )


def default_path() -> Path:
    return shared_path(*RELATIVE_PATH)


def load_rows(
    path: Path | None = None,
    *,
    limit: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[UcdpRow]:
    """Every row of the export (3,883), in file order; `since`/`until` keep rows whose event started in
    that range (both inclusive), so a tuning and a test split can be repeated."""
    with gzip.open(path or default_path()) as handle:
        raw = handle.read().decode(ENCODING, errors="replace")
    rows: list[UcdpRow] = []
    for rec in csv.DictReader(io.StringIO(raw, newline="")):
        rows.append(
            UcdpRow(
                id=rec["id"].strip(),
                headlines=tuple(
                    h.strip() for h in rec["source_headline"].split(";") if h.strip() not in ("", "-")
                ),
                where_description=rec["where_description"].strip(),
                where_prec=int(rec["where_prec"]),
                adm_1=rec["adm_1"].strip(),
                lat=float(rec["latitude"]),
                lon=float(rec["longitude"]),
                side_a=rec["side_a"].strip(),
                side_b=rec["side_b"].strip(),
                date_start=_us_date(rec["date_start"]),
                date_end=_us_date(rec["date_end"]),
                best=int(rec["best"] or 0),
                low=int(rec["low"] or 0),
                high=int(rec["high"] or 0),
            )
        )
        if not in_range(rows[-1].date_start, since=since, until=until):
            rows.pop()
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _us_date(value: str) -> date:
    """'11/18/2016 12:00:00 AM' or '09/05/2022 00:00': month first in both."""
    return datetime.strptime(value.strip().split(" ")[0], "%m/%d/%Y").date()


def _sides(extracted: ExtractedArticle, event_index: int | None) -> set[str]:
    if event_index is None:
        return set()
    return {a.side for a in extracted.events[event_index].actors if a.side}


def _fatalities(extracted: ExtractedArticle) -> float | None:
    values = [q.high for e in extracted.events for q in e.quantities if q.kind == "fatalities"]
    return max(values) if values else None


def evaluate(rows: Sequence[UcdpRow], *, analyse: Analyse, progress: Progress | None = None) -> SetReport:
    """Score place (rows with where_prec 1-2), sides, date and deaths of each row's main event."""
    report = SetReport(name="ucdp", rows=len(rows))
    precise: list[float | None] = []
    all_d: list[float | None] = []
    sides_both = sides_one = sides_n = 0
    dates_ok = 0
    dates_n = 0
    deaths_ok = deaths_n = 0
    with_event = 0
    for row in rows:
        extracted = analyse(row.article())
        pred = predict(extracted)
        report.counts[f"point from {pred.place_rule}"] += 1
        with_event += pred.event is not None
        point = pred.point
        distance = None if point is None else haversine_km(row.lat, row.lon, *point)
        all_d.append(distance)
        if row.where_prec <= 2:
            precise.append(distance)
            if distance is None or distance > 25.0:
                report.misses.append(_place_miss(row, pred.place, point, distance, pred.place_rule))
        gold_sides = {SIDES[s] for s in (row.side_a, row.side_b) if s in SIDES}
        if len({row.side_a, row.side_b} & SIDES.keys()) == 2:
            sides_n += 1
            index = extracted.events.index(pred.event) if pred.event is not None else None
            ours = _sides(extracted, index)
            sides_both += gold_sides <= ours
            sides_one += bool(gold_sides & ours)
            if not gold_sides <= ours:
                report.misses.append(
                    Miss(
                        "ucdp",
                        row.id,
                        "sides",
                        row.text,
                        f"{row.side_a} / {row.side_b}",
                        ", ".join(sorted(ours)) or "-",
                    )
                )
        dates_n += 1
        in_range = pred.date is not None and row.date_start <= pred.date <= row.date_end
        dates_ok += in_range
        if not in_range:
            report.misses.append(
                Miss(
                    "ucdp",
                    row.id,
                    "date",
                    row.text,
                    f"{row.date_start} .. {row.date_end}",
                    str(pred.date or "-"),
                )
            )
        if row.best > 0:
            deaths_n += 1
            ours_deaths = _fatalities(extracted)
            deaths_ok += ours_deaths is not None and row.low <= ours_deaths <= max(row.high, row.best)
        if progress:
            progress(1)
    report.geo[PRECISE] = distance_summary(precise)
    report.geo["all rows (gold of any precision)"] = distance_summary(all_d)
    report.ratios["rows with at least one event"] = Ratio(with_event, len(rows))
    report.ratios["main event dated within [date_start, date_end]"] = Ratio(dates_ok, dates_n)
    report.ratios["main event's actors cover both sides"] = Ratio(sides_both, sides_n)
    report.ratios["main event's actors cover at least one side"] = Ratio(sides_one, sides_n)
    report.ratios["fatalities within [low, high] (rows with deaths)"] = Ratio(deaths_ok, deaths_n)
    return report


def _place_miss(
    row: UcdpRow,
    place: Place | None,
    point: tuple[float, float] | None,
    distance: float | None,
    rule: str,
) -> Miss:
    ours = "-"
    if place is not None:
        entry = place.entry
        ours = f"{entry.name}, {entry.admin1 or entry.country} [{entry.id}; via {rule}]"
    gold = f"{row.where_description or '?'} ({row.adm_1}; where_prec {row.where_prec})"
    return Miss("ucdp", row.id, "place", row.text, gold, ours, (row.lat, row.lon), point, distance)
