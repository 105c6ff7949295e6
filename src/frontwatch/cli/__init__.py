"""Command-line interface: thin shells over library functions, one module per command group."""

from frontwatch.cli.app import main

__all__ = ["main"]
