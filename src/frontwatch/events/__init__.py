"""Event extraction: who did what, where, when, with what, and who says so."""

from __future__ import annotations

from frontwatch.events.extract import extract

__all__ = ["extract"]
