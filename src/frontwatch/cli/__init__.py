"""Command-line interface: thin shells over library functions, one module per command group."""

# Importing a command module registers its commands on `main`.
from frontwatch.cli import control, evaluate, events, gazetteer, ingest, watch  # noqa: F401
from frontwatch.cli.app import main

__all__ = ["main"]
