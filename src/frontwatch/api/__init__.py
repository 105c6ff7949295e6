"""The HTTP API (FastAPI): thin routes over frontwatch.store.query, one router per resource."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontwatch.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `frontwatch.api.schemas` (used by the CLI and exports) does not pull in the app.
    if name == "create_app":
        from frontwatch.api.app import create_app

        return create_app
    raise AttributeError(name)
