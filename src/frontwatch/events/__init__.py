"""Event extraction: who did what, where, when, with what, and who says so."""

from __future__ import annotations

from frontwatch.events.extract import extract

# The name of the rules stored with every event; event_types.toml carries the same (a test checks).
RULES_VERSION = "events.rules.v2"

__all__ = ["RULES_VERSION", "extract"]
