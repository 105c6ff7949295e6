"""`frontwatch gazetteer build|download|info`: thin shells over frontwatch.gazetteer."""

from __future__ import annotations

from pathlib import Path

import click

from frontwatch.cli.app import main
from frontwatch.errors import FrontWatchError
from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.download import download_dumps


@main.group()
def gazetteer() -> None:
    """Build, download sources for, and describe the place index."""


@gazetteer.command()
@click.option(
    "--geonames",
    "dumps",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A GeoNames country dump (UA.zip or UA.txt) to merge; repeat for several.",
)
def build(dumps: tuple[Path, ...]) -> None:
    """(Re)build the index from the packaged sources, KATOTTH, ../shared and any GeoNames dumps."""
    try:
        gaz = Gazetteer.build_default(geonames=dumps)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built {gaz.path} ({len(gaz)} entries, version {gaz.version})")


@gazetteer.command()
@click.argument("countries", nargs=-1, required=True)
def download(countries: tuple[str, ...]) -> None:
    """Download GeoNames dumps for COUNTRIES (e.g. UA RU) and rebuild the index with them."""
    try:
        paths = download_dumps(list(countries))
        gaz = Gazetteer.build_default(geonames=paths)
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built {gaz.path} ({len(gaz)} entries) with {', '.join(p.name for p in paths)}")


@gazetteer.command()
def info() -> None:
    """Print the index's path, version, build time, sources and counts (builds it on first use)."""
    try:
        gaz = Gazetteer.open_default()
    except FrontWatchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"path:    {gaz.path}")
    click.echo(f"version: {gaz.version}")
    click.echo(f"built:   {gaz.meta.get('built', '?')}")
    click.echo(f"entries: {len(gaz)}")
    for kind, count in sorted(gaz.kind_counts().items()):
        click.echo(f"  {kind:8} {count}")
    click.echo("sources:")
    for source, count in gaz.sources.items():
        click.echo(f"  {source}: {count}")
