"""`frontwatch events`, `show`, `export` and `serve`: thin shells over store.query, schemas and export."""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from frontwatch import derive
from frontwatch.api.schemas import ArticleRefOut, EventOut, context_around
from frontwatch.cli.app import AmbiguousPrefix, main, plural
from frontwatch.errors import FrontWatchError
from frontwatch.export import CSV_COLUMNS, FORMATS, csv_row, export
from frontwatch.model import Modality
from frontwatch.store import Store, open_store, query

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The event filters shared by `events` and `export` (the same as the API's)."""
    options = [
        click.option(
            "--type", "type_", metavar="TYPE", help="ACLED event_type or sub_event_type, or fw_type."
        ),
        click.option("--actor", help="Actor name, side or unit (case-insensitive)."),
        click.option("--place", help="Place name or gazetteer entry id (gn:707292, katotth:...)."),
        click.option("--source", help="Outlet of the article or the claim, or the claimant's name."),
        click.option("--since", type=_DATE, help="Events on or after this day (YYYY-MM-DD)."),
        click.option("--until", type=_DATE, help="Events on or before this day (YYYY-MM-DD)."),
        click.option("--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT", help="Only events placed in this box."),
        click.option("--modality", type=click.Choice([str(m) for m in Modality]), help="Only this modality."),
        click.option("-q", "--text", "text", help="Text to find in the evidence."),
        click.option("--article", "article_id", help="Only events of this article id."),
        click.option("--limit", type=click.IntRange(min=1), help="At most this many events."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _event_filter(kw: dict[str, Any]) -> query.EventFilter:
    try:
        bbox = query.BBox.parse(kw["bbox"]) if kw.get("bbox") else None
    except query.InvalidFilter as exc:
        raise click.BadParameter(str(exc), param_hint="--bbox") from exc
    since = kw["since"].date() if kw.get("since") else None
    until = kw["until"].date() if kw.get("until") else None
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    return query.EventFilter(
        since=since,
        until=until,
        bbox=bbox,
        type=kw.get("type_"),
        actor=kw.get("actor"),
        place=kw.get("place"),
        source=kw.get("source"),
        modality=kw.get("modality"),
        q=kw.get("text"),
        article_id=kw.get("article_id"),
    )


def _open(ctx: click.Context) -> Store:
    try:
        return open_store(ctx.obj.db_url)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc


def _listed(store: Store, flt: query.EventFilter, limit: int | None) -> list[EventOut]:
    """The matching events in their public form, each with its cluster id."""
    found = list(query.iter_events(store, flt, limit=limit))
    clusters = query.cluster_ids(store, [e.id for e in found])
    return [EventOut.from_event(e, cluster_id=clusters.get(e.id)) for e in found]


@main.command()
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of events (the public contract).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one event per row.")
@click.pass_context
def events(ctx: click.Context, as_json: bool, as_csv: bool, **kw: Any) -> None:
    """List stored events matching the filters (a table, --json or --csv)."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    flt = _event_filter(kw)
    store = _open(ctx)
    try:
        found = _listed(store, flt, kw.get("limit"))
    finally:
        store.close()
    if as_json:
        json.dump([e.to_json() for e in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_row(e) for e in found)
    else:
        _print_table(found)


def _print_table(found: list[EventOut]) -> None:
    table = Table(title=plural(len(found), "event"), show_lines=False)
    for name in ("id", "date", "type", "place", "actors", "modality"):
        table.add_column(name, overflow="fold")
    for e in found:
        table.add_row(
            e.id[:12],
            (e.date.isoformat() if e.date else "?")
            + ("" if e.date_precision == "day" else f" ({e.date_precision})"),
            f"{e.sub_event_type}\n[dim]{e.fw_type}[/dim]",
            e.place.name if e.place else "-",
            ", ".join(a.name + (f" ({a.unit})" if a.unit else "") for a in e.actors),
            e.modality,
        )
    Console().print(table)


@main.command()
@click.argument("event_id")
@click.pass_context
def show(ctx: click.Context, event_id: str) -> None:
    """Print one event (id or unique id prefix) with its evidence highlighted in its paragraph, then
    its cluster: the other reports of the same event, their sources and why each was merged."""
    store = _open(ctx)
    try:
        found = query.event_with_article(store, event_id)
        cluster = derive.event_cluster(store, found[0].id) if found is not None else None
    except query.AmbiguousId as exc:
        raise AmbiguousPrefix(str(exc), exc.candidates) from exc
    finally:
        store.close()
    if found is None:
        raise click.ClickException(f"no event with id {event_id!r}")
    event, article = found
    out = EventOut.from_event(event)
    console = Console()
    console.print(f"[bold]{out.event_type} / {out.sub_event_type}[/bold]  [dim]{out.fw_type}  {out.id}[/dim]")
    console.print(_highlighted(article.text, out))
    console.print()
    for label, value in _facts(out):
        console.print(Text.assemble((f"{label:>11}: ", "bold"), value))
    console.print(
        Text.assemble(
            ("    article: ", "bold"), f"{article.title}",
            f" ({article.source or 'unknown outlet'}, {article.published or 'undated'})",
        )
    )  # fmt: skip
    if article.url:
        console.print(Text.assemble(("        url: ", "bold"), (article.url, "underline")))
    if len(out.mentions) > 1:
        told = f"{len(out.mentions)} sentences of the report tell it"
        console.print(Text.assemble(("   mentions: ", "bold"), told))
        evidence = (out.evidence.start_char, out.evidence.end_char)
        for m in out.mentions:
            mark = "*" if (m.start_char, m.end_char) == evidence else "-"
            console.print(Text(f"      {mark} [{m.start_char}:{m.end_char}] {m.text}", style="italic"))
    if cluster is not None:
        _print_cluster(console, cluster)


def _print_cluster(console: Console, cluster: derive.EventCluster) -> None:
    """The event's cluster: one line per report (outlet, source key) and why it is in the cluster."""
    others = cluster.others
    console.print()
    console.print(
        Text.assemble(
            ("    cluster: ", "bold"), f"{cluster.cluster_id}: {plural(cluster.size, 'report')}, "
            f"{plural(cluster.independent_sources, 'independent source')}",
        )
    )  # fmt: skip
    if not others:
        console.print("             no other report of this event")
    if len(cluster.members) < cluster.size:
        console.print(f"             the first {len(cluster.members)} of its {cluster.size} reports:")
    for m in cluster.members:
        report, article = m.report, m.report.article
        mark = "*" if report.event_id == cluster.event_id else "-"
        outlet, published = article.source or "unknown outlet", article.published or "undated"
        head = f"  {mark} {report.event_id}  {outlet}, {published}"
        console.print(Text.assemble(head, (f"  [{m.source}]", "dim")))
        console.print(Text(f"      {report.evidence}", style="italic"))
        console.print(Text(f"      {m.why}", style="dim"))


def _highlighted(text: str, event: EventOut) -> Text:
    """The evidence's paragraph, the evidence underlined, the place surfaces and weapons emphasised."""
    ctx = context_around(text, event.evidence.start_char, event.evidence.end_char)
    base = event.evidence.start_char - ctx.evidence_start
    out = Text(ctx.text)
    out.stylize("bold", ctx.evidence_start, ctx.evidence_end)
    out.stylize("on grey23", ctx.evidence_start, ctx.evidence_end)
    for i, place in enumerate([event.place, *event.related_places]):
        if place and place.start_char is not None and place.end_char is not None:
            style = "bold yellow reverse" if i == 0 else "yellow"
            out.stylize(style, place.start_char - base, place.end_char - base)
    evidence = event.evidence.text
    # The trigger: weapon and quantity surfaces found inside the evidence.
    for surface in [w.surface for w in event.weapons] + [q.surface for q in event.quantities]:
        at = evidence.find(surface) if surface else -1
        if at >= 0:
            out.stylize("bold magenta", ctx.evidence_start + at, ctx.evidence_start + at + len(surface))
    return out


def _facts(e: EventOut) -> list[tuple[str, str]]:
    def place_text(p: Any) -> str:
        ids = ", ".join(x for x in (p.id, f"geonameid {p.geonameid}" if p.geonameid else None) if x)
        return f"{p.name} ({p.kind}, {p.admin1 or p.country}; {p.lat:.4f}, {p.lon:.4f}; {p.precision}; {ids})"

    claimant = e.claimant
    date = e.date.isoformat() if e.date else "unknown"
    if e.date_end:
        date += f" .. {e.date_end.isoformat()}"
    who = ", ".join(x for x in (claimant.name, claimant.role, claimant.outlet) if x) if claimant else "-"
    actors = "; ".join(f"{a.name} [{a.side or '?'}]" + (f" {a.unit}" if a.unit else "") for a in e.actors)
    rows = [
        ("date", f"{date} ({e.date_precision})"),
        ("modality", e.modality),
        ("claimant", who),
        ("actors", actors or "-"),
        ("place", place_text(e.place) if e.place else "-"),
    ]
    rows += [("related", place_text(p)) for p in e.related_places]
    rows += [("weapon", f"{w.canonical} ({w.weapon_class}) ← {w.surface!r}") for w in e.weapons]
    rows += [("quantity", f"{q.low:g}-{q.high:g} {q.unit} ({q.kind}) ← {q.surface!r}") for q in e.quantities]
    if e.control_to:
        rows.append(("control to", e.control_to))
    return rows


@main.command("export")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write."
)
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path, **kw: Any) -> None:
    """Write the events matching the filters as GeoJSON, CSV, ACLED-style CSV or Parquet."""
    flt = _event_filter(kw)
    store = _open(ctx)
    read = [0]
    try:
        if fmt == "acled-csv":  # its source column needs the articles: this format is read whole
            listed = _listed(store, flt, kw.get("limit"))
            read[0] = len(listed)
            articles = {
                a.id: ArticleRefOut(id=a.id, title=a.title, url=a.url, source=a.source, published=a.published)
                for a in query.articles_by_id(store, {e.article_id for e in listed})
            }
            written = export(listed, fmt=fmt, path=output, articles=articles)
        else:  # streamed page by page: a million events export in bounded memory
            written = export(_streamed(store, flt, kw.get("limit"), read), fmt=fmt, path=output)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"wrote {written} of {plural(read[0], 'event')} to {output} ({fmt})", err=True)


def _streamed(store: Store, flt: query.EventFilter, limit: int | None, read: list[int]) -> Iterator[EventOut]:
    """`_listed` one page at a time, from the stored JSON objects (counting into ``read[0]``)."""
    page: list[EventOut] = []
    for doc in itertools.chain(query.iter_event_docs(store, flt, limit=limit), [None]):
        if doc is not None:
            page.append(EventOut.model_validate_json(doc))
        if page and (doc is None or len(page) >= 1000):
            clusters = query.cluster_ids(store, [e.id for e in page])
            read[0] += len(page)
            yield from (e.model_copy(update={"cluster_id": clusters.get(e.id)}) for e in page)
            page = []


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (uvicorn workers); reads scale with cores.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the API and the web map (write token from $FRONTWATCH_WRITE_TOKEN)."""
    import os

    import uvicorn

    from frontwatch.api import create_app
    from frontwatch.settings import SHUTDOWN_GRACE_S, Settings

    try:
        settings = Settings.from_env(db_url=ctx.obj.db_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if settings.write_token is None:
        click.echo("writes closed: set FRONTWATCH_WRITE_TOKEN to allow POST /articles", err=True)
    log_level = "info" if ctx.obj.verbose else "warning"
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        return
    # Worker processes build their own app from the environment: hand them the store chosen here.
    os.environ["FRONTWATCH_DB"] = settings.db_url
    uvicorn.run(
        "frontwatch.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
