"""`frontwatch watch`: poll feeds and pages, ingest what is new, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import datetime as dt
import re
import signal
import threading
from types import FrameType

import click

from frontwatch.cli.app import main
from frontwatch.errors import FrontWatchError
from frontwatch.store import open_store
from frontwatch.watch import PollResult, http_fetch, pipeline_ingest, watch

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """'90s', '10m', '2h', '1d' or plain seconds → timedelta."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not found or float(found[1]) <= 0:
        message = f"{text!r}: expected a duration such as 90s, 10m, 2h or 1d"
        raise click.BadParameter(message, param_hint="--every")
    return dt.timedelta(seconds=float(found[1]) * _UNITS[found[2] or "s"])


@main.command("watch")
@click.argument("sources", nargs=-1, required=True, metavar="FEED_OR_URL...")
@click.option(
    "--every", default="10m", show_default=True, help="Time between polls of a source (90s, 10m, 2h)."
)
@click.option(
    "--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1), help="Seconds per request."
)
@click.option(
    "--cycles", type=click.IntRange(1), default=None, help="Stop after this many cycles (default: never)."
)
@click.pass_context
def watch_command(
    ctx: click.Context, sources: tuple[str, ...], every: str, timeout: float, cycles: int | None
) -> None:
    """Poll RSS/Atom feeds and web pages and ingest only their new items.

    Each source's state (ETag, Last-Modified, items seen, last success and error) is kept in the store;
    a failing source backs off and never stops the others. One line per source per cycle goes to
    stderr. Ctrl-C or SIGTERM stops between two articles.
    """
    period = parse_duration(every)
    for url in sources:
        if not re.match(r"https?://", url):
            raise click.BadParameter(
                f"{url!r}: watch takes http:// or https:// URLs", param_hint="FEED_OR_URL"
            )
    try:
        store = open_store(ctx.obj.db_url)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"{signal.Signals(signum).name}: stopping after the current article", err=True)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def report(result: PollResult) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        click.echo(f"{stamp} {result.line()}", err=True)

    try:
        ran = watch(
            list(sources),
            store=store,
            every=period,
            stop=stop,
            fetch=http_fetch(timeout),
            ingest=pipeline_ingest(store),
            cycles=cycles,
            report=report,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        store.close()
    click.echo(f"watch stopped after {ran} cycle{'s' if ran != 1 else ''}", err=True)
