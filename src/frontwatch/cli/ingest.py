"""`frontwatch ingest`, `places`, `articles` and `demo`: thin shells over pipeline and store.

Exit codes scripts can rely on: 0 all inputs read and stored, 1 some inputs or articles skipped,
2 usage errors and errors of the store or gazetteer (nothing could be done).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from frontwatch.cli.app import main, plural
from frontwatch.errors import FrontWatchError
from frontwatch.model import Event
from frontwatch.pipeline import IngestSummary, ingest
from frontwatch.public import entry_dict
from frontwatch.settings import MAX_ARTICLE_BYTES
from frontwatch.store import Store, StoredPlace, open_store

SEED = ("seed", "izyum-counterattack.txt")
SEED_PUBLISHED = date(2022, 5, 10)  # the seed report's publication day (its gold file says so)
_DATE = click.DateTime(formats=["%Y-%m-%d"])


class Fatal(click.ClickException):
    """Nothing could be done (store, gazetteer, bad option value): exit code 2, like a usage error."""

    exit_code = 2


def _console() -> Console:
    # Piped output gets a wide, fixed width: rich's 80-column default would fold every column.
    return Console() if sys.stdout.isatty() else Console(width=160)


def _open(ctx: click.Context) -> Store:
    try:
        return open_store(ctx.obj.db_url)
    except FrontWatchError as exc:
        raise Fatal(str(exc)) from exc


def _format_choice() -> click.Choice:
    from frontwatch.ingest import FORMATS

    return click.Choice(list(FORMATS))


def _run_ingest(
    store: Store,
    paths: Sequence[str],
    *,
    published: date | None,
    fmt: str | None,
    workers: int,
    max_article_bytes: int | None = None,
    scheduler: str | None = None,
) -> IngestSummary:
    err = Console(stderr=True)
    columns = (
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = ingest(
                paths,
                store=store,
                published=published,
                fmt=fmt,
                workers=workers,
                progress=progress,
                max_article_bytes=max_article_bytes,
                scheduler=scheduler,
            )
        except FrontWatchError as exc:
            raise Fatal(str(exc)) from exc
    for skipped in summary.skipped:
        click.echo(f"skipped {skipped.origin}: {skipped.reason}", err=True)
    click.echo(
        f"{plural(summary.read, 'article')} read, {summary.stored} stored "
        f"({plural(summary.events, 'event')}), "
        f"{summary.already_present} already present, {len(summary.skipped)} skipped",
        err=True,
    )
    return summary


@main.command(name="ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--published", type=_DATE, help="Publication day (YYYY-MM-DD) for articles whose input gives none."
)
@click.option(
    "--format",
    "fmt",
    type=click.UNPROCESSED,
    metavar="FORMAT",
    help="Read every input as this format (text, jsonl, csv, html, feed) instead of choosing by "
    "extension and content.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Analyse in this many processes (Dask); the store is written by this process only.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Analyse on a dask.distributed cluster (e.g. tcp://HOST:8786: `dask scheduler` and "
    "`dask worker` on other machines) instead of local processes; this process writes the store.",
)
@click.option(
    "--max-article-bytes",
    type=click.IntRange(min=1),
    default=MAX_ARTICLE_BYTES,
    show_default=True,
    help="Skip (and name) any article whose text is bigger than this; JSON Lines files are read "
    "line by line, so a big file of normal articles is fine.",
)
@click.pass_context
def ingest_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    published: datetime | None,
    fmt: str | None,
    workers: int,
    max_article_bytes: int,
    scheduler: str | None,
) -> None:
    """Read reports (files, directories, "-" for stdin, feed URLs), find their places and events, store them.

    Exit code 0 when every input was read and stored, 1 when some were skipped (each named on
    stderr with its reason), 2 on usage or store errors.
    """
    if fmt is not None and fmt not in _format_choice().choices:
        raise click.BadParameter(
            f"{fmt!r} is not one of {', '.join(_format_choice().choices)}", param_hint="--format"
        )
    store = _open(ctx)
    try:
        summary = _run_ingest(
            store,
            paths,
            published=published.date() if published else None,
            fmt=fmt,
            workers=workers,
            max_article_bytes=max_article_bytes,
            scheduler=scheduler,
        )
    finally:
        store.close()
    ctx.exit(0 if summary.ok else 1)


def place_json(stored: StoredPlace) -> dict[str, Any]:
    """One place as `places --json` prints it (a public contract: keys are only ever added)."""
    place = stored.place
    return {
        "article_id": stored.article_id,
        **entry_dict(place.entry, place.mention),  # the same place object the API and events use
        "entry_id": place.entry.id,
        "sentence": place.mention.sentence,
        "role": place.mention.role,
        "score": place.score,
        "candidates": [{"entry_id": c.entry_id, "score": c.score} for c in place.candidates],
    }


def _print_json(rows: list[dict[str, Any]]) -> None:
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _places_table(found: list[StoredPlace]) -> Table:
    table = Table(title=plural(len(found), "place"))
    several = len({p.article_id for p in found}) > 1  # the article column only when it tells something
    if several:
        table.add_column("article", no_wrap=True)
    table.add_column("surface", no_wrap=True)
    table.add_column("chars", no_wrap=True)
    table.add_column("place", no_wrap=True)
    table.add_column("kind")
    table.add_column("admin1", overflow="fold")
    table.add_column("lat, lon", no_wrap=True)
    table.add_column("precision")
    table.add_column("score")
    for stored in found:
        p, e = stored.place, stored.place.entry
        cells = [
            escape(p.mention.surface),
            f"{p.mention.start_char}-{p.mention.end_char}",
            escape(e.name),
            str(e.kind),
            escape(e.admin1 or ""),
            f"{e.lat:.3f}, {e.lon:.3f}",
            str(e.precision),
            f"{p.score:.2f}",
        ]
        table.add_row(*([stored.article_id[:8]] if several else []), *cells)
    return table


@main.command()
@click.option("--article", "article_id", metavar="ID", help="Only the places of this article.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of places (the public contract).")
@click.pass_context
def places(ctx: click.Context, article_id: str | None, as_json: bool) -> None:
    """List the resolved places of the stored articles, with offsets, coordinates and scores."""
    store = _open(ctx)
    try:
        found = store.places(article_id=article_id)
    finally:
        store.close()
    if as_json:
        _print_json([place_json(p) for p in found])
    else:
        _console().print(_places_table(found))


def article_json(article: Any) -> dict[str, Any]:
    """One article as `articles --json` prints it (a public contract: keys are only ever added)."""
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "published_from": article.published_from,
        "source": article.source,
        "tags": list(article.tags),
        "origin": article.origin,
    }


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of articles (the public contract).")
@click.pass_context
def articles(ctx: click.Context, as_json: bool) -> None:
    """List the stored articles: id, publication day, source, title."""
    store = _open(ctx)
    try:
        found = store.articles()
    finally:
        store.close()
    if as_json:
        _print_json([article_json(a) for a in found])
        return
    table = Table(title=plural(len(found), "article"))
    for name in ("id", "published", "source", "title", "tags"):
        table.add_column(name, overflow="fold")
    for a in found:
        published = a.published.isoformat() if a.published else "unknown"
        table.add_row(
            a.id[:12], published, escape(a.source or ""), escape(a.title), escape(", ".join(a.tags))
        )
    _console().print(table)


def _snippet(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _events_table(found: list[Event]) -> Table:
    table = Table(title=plural(len(found), "event"))
    for name in ("date", "type", "place", "modality", "claimant", "evidence"):
        table.add_column(name, overflow="fold")
    for e in found:
        day = e.date.isoformat() if e.date else "?"
        if e.date_end and e.date_end != e.date:
            day += f"..{e.date_end.isoformat()}"
        if e.date and e.date_precision not in ("day", "range"):
            day += f" ({e.date_precision})"
        claimant = e.claimant.name or e.claimant.role or e.claimant.outlet or "" if e.claimant else ""
        table.add_row(
            day,
            escape(e.sub_event_type),
            escape(e.place.entry.name if e.place else "-"),
            str(e.modality),
            escape(claimant),
            escape(_snippet(e.evidence.text)),
        )
    return table


def _serve(db_url: str, port: int) -> None:
    import uvicorn

    from frontwatch.api import create_app
    from frontwatch.settings import SHUTDOWN_GRACE_S, Settings

    click.echo(f"serving the map on http://127.0.0.1:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(
        create_app(Settings.from_env(db_url=db_url)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@click.option(
    "--published",
    type=_DATE,
    help="Publication day for inputs that give none (default for the example report: 2022-05-10).",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Analysis processes."
)
@click.option("--no-serve", is_flag=True, help="Stop after printing; do not start the map server.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Map server port."
)
@click.pass_context
def demo(
    ctx: click.Context,
    paths: tuple[str, ...],
    published: datetime | None,
    workers: int,
    no_serve: bool,
    port: int,
) -> None:
    """Ingest reports (default: the Izyum example report), print their places and events, serve the map."""
    day = published.date() if published else None
    if not paths:
        from frontwatch.settings import shared_path

        try:
            paths = (str(shared_path(*SEED)),)
        except FrontWatchError as exc:
            raise Fatal(str(exc)) from exc
        day = day or SEED_PUBLISHED
    store = _open(ctx)
    try:
        summary = _run_ingest(store, paths, published=day, fmt=None, workers=workers)
        ids = summary.article_ids
        found_places = [p for i in ids for p in store.places(article_id=i)]
        found_events = [e for i in ids for e in store.events(article_id=i)]
    finally:
        store.close()
    console = _console()
    console.print(_places_table(found_places))
    console.print(_events_table(found_events))
    if not no_serve:
        _serve(ctx.obj.db_url, port)
    ctx.exit(0 if summary.ok else 1)
