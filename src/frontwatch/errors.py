"""Typed errors of the library; the CLI and API turn them into messages at their edge."""


class FrontWatchError(Exception):
    """Base of every error FrontWatch raises on purpose."""


class InputError(FrontWatchError):
    """An input (file, URL, stdin) that cannot be read as an article."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class GazetteerError(FrontWatchError):
    """The gazetteer index is missing, stale or cannot be built from the given source."""


class StoreError(FrontWatchError):
    """The store cannot be opened or written."""


class SharedDataMissing(FrontWatchError):
    """A file expected under the shared data folder is not there."""
