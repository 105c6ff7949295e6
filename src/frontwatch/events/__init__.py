"""Event extraction: who did what, where, when, with what, and who says so."""

from __future__ import annotations

from frontwatch.events.extract import extract

__all__ = ["RULES_VERSION", "extract"]


def __getattr__(name: str) -> str:
    # The name of the rules stored with every event, read from event_types.toml only (on first use,
    # not at import: the vocabularies are compiled once per process).
    if name == "RULES_VERSION":
        from frontwatch.events.vocab import vocabulary

        return vocabulary().version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
