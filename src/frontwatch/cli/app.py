"""The `frontwatch` command group; each command lives in a sibling module and registers here."""

from __future__ import annotations

import logging

import click

from frontwatch import __version__
from frontwatch.settings import default_db_url


class Context:
    """What every command shares: the store URL and output choices."""

    def __init__(self, db_url: str, verbose: bool) -> None:
        self.db_url = db_url
        self.verbose = verbose


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    "db_url",
    envvar="FRONTWATCH_DB",
    default=None,
    metavar="URL|PATH",
    help="Store: a SQLite file path or a SQLAlchemy URL (postgresql+psycopg://...). "
    "Default: $FRONTWATCH_DB, else frontwatch.db in the user data directory.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what the library does to stderr.")
@click.version_option(__version__, prog_name="frontwatch")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, verbose: bool) -> None:
    """FrontWatch: turn war reports into a sourced, geolocated database of events."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Context(db_url or default_db_url(), verbose)


class AmbiguousPrefix(click.ClickException):
    """An id prefix matching several records: exit code 2 (a usage error) and the candidates, one a line."""

    exit_code = 2

    def __init__(self, message: str, candidates: tuple[str, ...] | list[str]) -> None:
        listed = "".join(f"\n  {candidate}" for candidate in candidates)
        super().__init__(f"{message}; give more of the id:{listed}")


def plural(count: int, noun: str) -> str:
    """'1 article', '2 articles' for summary lines."""
    return f"{count} {noun if count == 1 else noun + 's'}"
