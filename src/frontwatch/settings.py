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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the API and CLI need, built explicitly (never at import)."""

    db_url: str
    write_token: str | None = None  # POST needs this token; None closes writes
    read_token: str | None = None  # when set, reads need it too

    @classmethod
    def from_env(cls, *, db_url: str | None = None) -> Settings:
        return cls(
            db_url=db_url or default_db_url(),
            write_token=os.environ.get("FRONTWATCH_WRITE_TOKEN"),
            read_token=os.environ.get("FRONTWATCH_READ_TOKEN"),
        )
