"""Where things live: the shared data folder, the user's data directory, the default store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from frontwatch.errors import SharedDataMissing

APP_NAME = "frontwatch"


def data_dir() -> Path:
    """The user's data directory (gazetteer index, default store); FRONTWATCH_HOME overrides it."""
    path = Path(os.environ.get("FRONTWATCH_HOME") or platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_dir() -> Path:
    """The shared data folder: FRONTWATCH_SHARED, else `shared/` beside the checkout or the cwd."""
    env = os.environ.get("FRONTWATCH_SHARED")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]  # src/frontwatch/settings.py → repo root
    for base in (checkout.parent, Path.cwd().parent, Path.cwd()):
        if (base / "shared").is_dir():
            return base / "shared"
    return checkout.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under the shared data folder; raises SharedDataMissing naming it when absent."""
    path = shared_dir().joinpath(*parts)
    if not path.exists():
        raise SharedDataMissing(
            f"{path} not found: set FRONTWATCH_SHARED to the folder holding seed/, eval/, gazetteer/"
        )
    return path


def default_db_url() -> str:
    """FRONTWATCH_DB (a SQLAlchemy URL or a file path), else frontwatch.db in the data directory."""
    return os.environ.get("FRONTWATCH_DB") or str(data_dir() / "frontwatch.db")


# Limits on hostile or runaway input (docs/security.md). A long news report is ~100 KB of text.
MAX_ARTICLE_BYTES = 4 * 1024 * 1024  # one article's text; a bigger one is skipped, named, with its size
BODY_OVERHEAD_BYTES = 64 * 1024  # a POST /articles body holds the article plus its JSON fields
MAX_BODY_BYTES = MAX_ARTICLE_BYTES + BODY_OVERHEAD_BYTES
ANALYSIS_QUEUE = 4  # POST /articles analysing or waiting; more get 503 with Retry-After
ANALYSIS_TIMEOUT_S = 120.0  # a POST /articles waiting longer for its analysis gets 503
SHUTDOWN_GRACE_S = 3  # on SIGTERM, `serve` waits this long for requests in flight, then stops


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be at least 1")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the API and CLI need, built explicitly (never at import)."""

    db_url: str
    write_token: str | None = None  # POST needs this token; None closes writes
    read_token: str | None = None  # when set, reads need it too
    max_article_bytes: int = MAX_ARTICLE_BYTES
    max_body_bytes: int = MAX_BODY_BYTES
    analysis_queue: int = ANALYSIS_QUEUE
    analysis_timeout_s: float = ANALYSIS_TIMEOUT_S

    @classmethod
    def from_env(cls, *, db_url: str | None = None) -> Settings:
        article = _env_int("FRONTWATCH_MAX_ARTICLE_BYTES", MAX_ARTICLE_BYTES)
        return cls(
            db_url=db_url or default_db_url(),
            write_token=os.environ.get("FRONTWATCH_WRITE_TOKEN"),
            read_token=os.environ.get("FRONTWATCH_READ_TOKEN"),
            max_article_bytes=article,
            max_body_bytes=article + BODY_OVERHEAD_BYTES,
        )
