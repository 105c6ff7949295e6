"""`frontwatch control`, `conflicts` and `merge`: thin shells over frontwatch.derive."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from frontwatch import derive
from frontwatch.api.control import ConflictOut, ControlIntervalOut
from frontwatch.cli.app import AmbiguousPrefix, main, plural
from frontwatch.control import ControlInterval
from frontwatch.errors import FrontWatchError
from frontwatch.model import Article, Event
from frontwatch.store import Store, open_store, query
from frontwatch.store.query import BBox, InvalidFilter

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _open(ctx: click.Context) -> Store:
    try:
        return open_store(ctx.obj.db_url)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc


def _dump(items: Any) -> None:
    json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _when(day: Any, precision: Any) -> str:
    if day is None:
        return "?"
    return day.isoformat() if str(precision) == "day" else f"{day.isoformat()} ({precision})"


def _lines(intervals: list[ControlInterval], *, with_place: bool) -> list[str]:
    """Two lines per interval: who held it from when to when; how sure, who says so, the evidence."""
    lines = []
    for i in intervals:
        where = f"{i.place.name} ({i.place.admin1 or i.place.country}): " if with_place else ""
        until = f" until {_when(i.until, i.until_precision)}" if i.until else ", still as far as reports go"
        lines.append(f"{where}{i.holder} since {_when(i.since, i.since_precision)}{until}")
        n = len(i.sources)
        facts = [f"{i.modality}", f"{n} independent source{'s' if n != 1 else ''} ({i.status})"]
        if i.disputed:
            facts.append("disputed: " + " ".join(i.conflicts))
        if i.claimants:
            facts.append("claimed by " + "; ".join(i.claimants))
        lines.append("    " + ", ".join(facts) + " | events " + " ".join(i.events))
    return lines


@main.command()
@click.argument("place", required=False)
@click.option("--date", "day", type=_DATE, help="List who held what on this day (YYYY-MM-DD) instead.")
@click.option("--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT", help="With --date: only places in this box.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON: the intervals with holder, since, until, ..."
)
@click.pass_context
def control(
    ctx: click.Context, place: str | None, day: datetime | None, bbox: str | None, as_json: bool
) -> None:
    """Who held PLACE (a name or gazetteer entry id) when, or with --date, who held what on a day."""
    if (place is None) == (day is None):
        raise click.UsageError("give a PLACE or --date, not both and not neither")
    if bbox and day is None:
        raise click.UsageError("--bbox goes with --date")
    try:
        box = BBox.parse(bbox) if bbox else None
    except InvalidFilter as exc:
        raise click.BadParameter(str(exc), param_hint="--bbox") from exc
    store = _open(ctx)
    try:
        if day is not None:
            bounds = (box.minlon, box.minlat, box.maxlon, box.maxlat) if box else None
            held = derive.store_held_on(store, day.date(), bbox=bounds)
            timelines = []
        else:
            assert place is not None
            timelines = derive.place_timelines(store, place)
    finally:
        store.close()
    if day is not None:
        if as_json:
            _dump([ControlIntervalOut.from_interval(i).model_dump(mode="json") for i in held])
        else:
            click.echo(f"held on {day.date().isoformat()}: {plural(len(held), 'place')}")
            click.echo("\n".join(_lines(held, with_place=True)))
        return
    if as_json:
        _dump([
            {
                "place": {"id": e.id, "name": e.name, "lat": e.lat, "lon": e.lon, "admin1": e.admin1},
                "intervals": [ControlIntervalOut.from_interval(i).model_dump(mode="json") for i in intervals],
            }
            for e, intervals in timelines
        ])  # fmt: skip
        return
    if not timelines:  # not an error: the stored reports just say nothing of it
        click.echo(f"no control changes reported for {place!r} in the stored reports")
        return
    for entry, intervals in timelines:
        click.echo(f"{entry.name} ({entry.admin1 or entry.country}; {entry.id})")
        click.echo("\n".join("  " + line for line in _lines(list(intervals), with_place=False)))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of conflicts.")
@click.pass_context
def conflicts(ctx: click.Context, as_json: bool) -> None:
    """List reports that contradict each other about who controls a place (denials, different holders)."""
    store = _open(ctx)
    try:
        found = derive.store_conflicts(store)
    finally:
        store.close()
    if as_json:
        _dump([ConflictOut.from_conflict(c).model_dump(mode="json") for c in found])
        return
    click.echo(f"{len(found)} conflicts")
    for c in found:
        day = c.day.isoformat() if c.day else "undated"
        click.echo(f"{c.place.name} ({c.place.id}), {day}: {c.kind} — {c.detail}")
        click.echo(f"    {c.id} | events {' '.join(c.event_ids)}")


@main.command()
@click.option("--explain", "event_id", metavar="EVENT_ID", help="Say why this event is in its cluster.")
@click.option("--rebuild", is_flag=True, help="Forget stored clusters and merge every event again.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def merge(ctx: click.Context, event_id: str | None, rebuild: bool, as_json: bool) -> None:
    """Merge stored reports of the same event into clusters (incremental), or --explain one event."""
    store = _open(ctx)
    try:
        if event_id is None:
            summary = derive.merge_store(store, rebuild=rebuild)
            explanation = None
        else:
            derive.merge_store(store)  # an event stored since the last merge gets its cluster first
            found = query.event_with_article(store, event_id)  # accepts a unique id prefix
            if found is None:
                raise click.ClickException(f"no event with id {event_id!r}")
            event_id = found[0].id
            explanation = derive.explain(store, event_id)
            described = {
                m.reason.event_id: _describe(query.event_with_article(store, m.reason.event_id))
                for m in (explanation.members if explanation else ())
            }
    except query.AmbiguousId as exc:
        raise AmbiguousPrefix(str(exc), exc.candidates) from exc
    finally:
        store.close()
    if event_id is None:
        figures = {
            "reports": summary.reports,
            "new": summary.new,
            "clusters": summary.clusters,
            "clusters_with_several_reports": summary.multi,
            "merge_rate": round(summary.merge_rate, 4),
        }
        if as_json:
            _dump(figures)
        else:
            click.echo(
                f"{plural(summary.reports, 'report')} ({summary.new} new) in "
                f"{plural(summary.clusters, 'cluster')}, "
                f"{summary.multi} with several reports; merge rate {summary.merge_rate:.3f}"
            )
        return
    if explanation is None:
        raise click.ClickException(f"no event with id {event_id!r}")
    if as_json:
        _dump({
            "cluster_id": explanation.cluster_id,
            "independent_sources": explanation.independent_sources,
            "members": [
                {
                    "event_id": m.reason.event_id,
                    "canonical": m.is_canonical,
                    "source": m.source_key,
                    "matched_event_id": m.reason.matched_event_id,
                    "type_match": m.reason.type_match,
                    "same_place": m.reason.same_place,
                    "distance_km": m.reason.distance_km,
                    "date_overlap": _overlap(m.reason.date_overlap),
                    "actors": m.reason.actors,
                    "why": m.reason.text(),
                }
                for m in explanation.members
            ],
        })  # fmt: skip
        return
    click.echo(
        f"cluster {explanation.cluster_id}: {plural(len(explanation.members), 'report')}, "
        f"{explanation.independent_sources} independent sources"
    )
    for m in explanation.members:
        mark = "*" if m.reason.event_id == event_id else " "
        click.echo(f"{mark} {m.reason.event_id}  {described[m.reason.event_id]}  [{m.source_key}]")
        click.echo(f"      {m.reason.text()}")


def _describe(found: tuple[Event, Article] | None) -> str:
    if found is None:
        return "(gone from the store)"
    event, article = found
    where = event.place.entry.name if event.place else "no place"
    when = _when(event.date, event.date_precision)
    outlet = article.source or "unknown outlet"
    return f"{event.sub_event_type}, {where}, {when}, {outlet}: {event.evidence.text!r}"


def _overlap(span: tuple[Any, Any] | None) -> list[str] | None:
    return [d.isoformat() for d in span] if span else None
