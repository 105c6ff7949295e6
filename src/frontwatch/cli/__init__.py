"""Command-line interface: thin shells over library functions, one module per command group."""

from frontwatch.cli import control  # noqa: F401  (registers control, conflicts, merge)
from frontwatch.cli import evaluate  # noqa: F401  (registers evaluate)
from frontwatch.cli import events  # noqa: F401  (registers events, show, export, serve)
from frontwatch.cli import gazetteer  # noqa: F401  (registers gazetteer build|download|info)
from frontwatch.cli import ingest  # noqa: F401  (registers ingest, places, articles, demo)
from frontwatch.cli.app import main

__all__ = ["main"]
