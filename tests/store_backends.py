"""Store backends for tests (SQLite file, PostgreSQL schema) and hand-built analysed articles.

PostgreSQL tests use the server test.sh starts (URL in FRONTWATCH_TEST_PG); each test gets its own
schema, dropped afterwards, so runs never see each other's rows. Without the variable they FAIL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

from frontwatch.model import (
    Actor,
    AnnotatedArticle,
    Article,
    Candidate,
    Claimant,
    DatePrecision,
    Entity,
    Event,
    ExtractedArticle,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    Quantity,
    ResolvedArticle,
    Span,
    Weapon,
)

PG_ENV = "FRONTWATCH_TEST_PG"


def pg_url() -> str:
    url = os.environ.get(PG_ENV)
    assert url, (
        f"{PG_ENV} is not set: the PostgreSQL tests need the server test.sh starts. "
        f"Run `export {PG_ENV}=$(bash scripts/postgres.sh)` and try again."
    )
    return url


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A store URL whose tables live in a fresh schema (PostGIS stays reachable through `public`)."""
    from sqlalchemy import create_engine, text

    base = pg_url()
    schema = f"fw_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema},public')}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@contextmanager
def backend_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "frontwatch.db")
    else:
        with pg_schema_url() as url:
            yield url


IZIUM = GazetteerEntry(
    id="gn:707292",
    name="Izium",
    kind=PlaceKind.CITY,
    lat=49.21,
    lon=37.25,
    precision=Precision.EXACT,
    country="UA",
    admin1="Kharkiv Oblast",
    admin2="Izium Raion",
    admin3="Izium Hromada",
    population=45000,
    geonameid=707292,
    katotth="UA63040050010072146",
    names=("Izium", "Izyum", "Изюм", "Ізюм"),
)
SPIVAKIVKA = GazetteerEntry(
    id="katotth:UA63040130100094915",
    name="Spivakivka",
    kind=PlaceKind.VILLAGE,
    lat=49.33,
    lon=37.47,
    precision=Precision.HROMADA,
    country="UA",
    admin1="Kharkiv Oblast",
    katotth="UA63040130100094915",
    names=("Spivakivka", "Співаківка"),
)


def article(n: int = 1, *, published: date | None = date(2022, 5, 10)) -> Article:
    body = f"Report {n}. Ukrainian forces liberated Spivakivka near Izyum, the deputy said."
    title = f"Counterattack near Izyum ({n})"
    return Article(
        id=f"art{n:04d}",
        title=title,
        text=f"{title}\n\n{body}",
        published=published,
        published_from="option" if published else "unknown",
        source="Ukrinform",
        url=f"https://example.org/{n}",
        tags=("War in Ukraine", "Izyum"),
        origin=f"/reports/{n}.txt",
    )


def extracted(n: int = 1) -> ExtractedArticle:
    """One analysed article with every kind of part an Event can have."""
    a = article(n)
    start = a.text.index("Report")
    sentence = Span(start, len(a.text), a.text[start:])
    spiv_at = a.text.index("Spivakivka")
    izyum_at = a.text.index("Izyum", start)
    spiv = Place(
        mention=Mention("Spivakivka", spiv_at, spiv_at + 10, 1, (SPIVAKIVKA.id, "katotth:UA44")),
        entry=SPIVAKIVKA,
        score=0.81,
        candidates=(Candidate("katotth:UA44", 0.12),),
    )
    izyum = Place(
        mention=Mention("Izyum", izyum_at, izyum_at + 5, 1, (IZIUM.id,), role="direction"),
        entry=IZIUM,
        score=0.97,
    )
    retake = Event(
        id=f"ev{n:04d}a",
        article_id=a.id,
        event_type="Strategic developments",
        sub_event_type="Non-violent transfer of territory",
        fw_type="retake",
        actors=(Actor("Ukrainian forces", "Ukraine", "Ukrainian forces", unit="93rd Mechanized Brigade"),),
        place=spiv,
        related_places=(izyum,),
        date=date(2022, 5, 9),
        date_precision=DatePrecision.ON_OR_BEFORE,
        modality=Modality.CLAIMED,
        evidence=sentence,
        claimant=Claimant("Maxim Strelnik", role="deputy", outlet="Espresso TV"),
        weapons=(Weapon("bm30", "BM-30 Smerch", "multiple rocket launcher", "Smerch", 300.0),),
        quantities=(
            Quantity(20, 25, "battalion-tactical group", "20-25 battalion-tactical groups", "forces"),
        ),
        control_to="Ukraine",
    )
    unplaced = Event(
        id=f"ev{n:04d}b",
        article_id=a.id,
        event_type="Battles",
        sub_event_type="Armed clash",
        fw_type="fighting",
        actors=(),
        place=None,
        related_places=(),
        date=None,
        date_precision=DatePrecision.UNKNOWN,
        modality=Modality.UNNAMED_SOURCE,
        evidence=sentence,
        date_end=date(2022, 5, 10),
        claimant=Claimant(None),
    )
    annotated = AnnotatedArticle(
        a, (Span(0, len(a.title), a.title), sentence), (Entity("PERSON", 0, 3, "Rep"),)
    )
    return ExtractedArticle(ResolvedArticle(annotated, (spiv, izyum)), (retake, unplaced))
