"""Real reports as stored records for the API, export and CLI tests.

The seed report and rows of the Bellingcat/CIR dev set (their own title, description, date and
link) go through the real pipeline (frontwatch.pipeline.analyse) into a temporary SQLite store.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

from frontwatch.ingest.records import build_article
from frontwatch.model import Article, ExtractedArticle

SEED_PUBLISHED = date(2022, 5, 10)
BELLINGCAT_ROWS = 40  # enough for several pages at a small limit, quick to analyse


def seed_article(shared: Path) -> Article:
    from frontwatch.ingest import read_paths

    (article,) = list(read_paths([shared / "seed" / "izyum-counterattack.txt"], published=SEED_PUBLISHED))
    assert isinstance(article, Article), article
    return article


def bellingcat_articles(shared: Path, n: int = BELLINGCAT_ROWS) -> Iterator[Article]:
    """Rows in Ukraine whose description names a town, as articles (title + description)."""
    path = shared / "eval" / "bellingcat-cir" / "dev.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["country"] == "Ukraine" and r["town/city"]]
    named = [r for r in rows if r["town/city"].lower() in (r["title"] + r["brief description"]).lower()]
    seen: set[str] = set()
    for row in named:
        title = row["title"].partition(" ")[2] or row["title"]
        body = row["brief description"]
        if body.strip() == title.strip():
            body = f"{body} in {row['town/city']}, {row['province']}."
        if title in seen:
            continue
        seen.add(title)
        yield build_article(
            title=title,
            body=body,
            origin=f"bellingcat-cir:{row['entry']}",
            published=date.fromisoformat(row["date"]),
            option_published=None,
            source="Bellingcat/CIR",
            url=row["link"] or None,
        )
        if len(seen) >= n:
            return


@cache  # analysed once per test session, whichever test module asks first
def analysed(shared: Path) -> list[ExtractedArticle]:
    """The seed and the Bellingcat rows through the real pipeline."""
    if not pipeline_ready():
        return handmade(shared)
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import analyse

    gazetteer = Gazetteer.open_default()
    articles = [seed_article(shared), *bellingcat_articles(shared)]
    return [analyse(a, gazetteer=gazetteer) for a in articles]


def fill_store(db_url: str, extracted: list[ExtractedArticle]) -> None:
    from frontwatch.store import open_store

    with open_store(db_url) as store:
        for item in extracted:
            store.save(item)


# ---- hand-built records, used only while the pipeline's stages are not all written yet ----------


def pipeline_ready() -> bool:
    import importlib.util

    return all(
        importlib.util.find_spec(m) is not None
        for m in ("frontwatch.gazetteer", "frontwatch.resolve", "frontwatch.events", "frontwatch.nlp")
    ) and hasattr(__import__("frontwatch.events", fromlist=["extract"]), "extract")


def handmade(shared: Path) -> list[ExtractedArticle]:
    """The seed's gold events and one event per Bellingcat row, built by hand as model records."""
    import hashlib
    import json

    from frontwatch.model import (
        Actor,
        Claimant,
        DatePrecision,
        Event,
        GazetteerEntry,
        Mention,
        Modality,
        Place,
        PlaceKind,
        Precision,
        Span,
        Weapon,
    )

    def event_id(*parts: object) -> str:
        return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]

    gold = json.loads((shared / "seed" / "izyum-counterattack.gold.json").read_text(encoding="utf-8"))
    seed = seed_article(shared)
    text = seed.text
    sources = {s["key"]: s for s in gold["sources"]}
    gold_places = {p["key"]: p for p in gold["places"]}
    sides = {"Ukrainian forces": "Ukraine", "Russian forces": "Russia", "Civilians (Ukraine)": "civilians"}

    def place_of(key: str | None, near: int) -> Place | None:
        p = gold_places.get(key or "")
        if not p or "lat" not in p:
            return None
        surface = next((s for s in p["surface"] if s in text), p["surface"][0])
        start = text.find(surface, near)  # in the evidence when it names the place
        start = start if start >= 0 else text.find(surface)
        entry = GazetteerEntry(
            id=f"gn:{p['geonameid']}" if p.get("geonameid") else f"gold:{key}",
            name=p["surface"][-1],
            kind=PlaceKind(p["kind"]),
            lat=p["lat"],
            lon=p["lon"],
            precision=Precision.REGION if p["kind"] == "admin1" else Precision.EXACT,
            country=p.get("country", "UA"),
            admin1=p.get("admin1"),
            geonameid=p.get("geonameid"),
            katotth=p.get("katotth"),
        )
        return Place(Mention(surface, start, start + len(surface), 0, (entry.id,)), entry, 1.0)

    seed_events = []
    for g in gold["events"]:
        start = text.find(g["evidence"])
        span = Span(start, start + len(g["evidence"]), g["evidence"])
        src = sources.get(g.get("source", ""))
        seed_events.append(
            Event(
                id=event_id(seed.id, g["key"]),
                article_id=seed.id,
                event_type=g["event_type"],
                sub_event_type=g["sub_event_type"],
                fw_type=g["key"].split("-")[0],
                actors=tuple(Actor(a, sides.get(a)) for a in g.get("actors", ())),
                place=place_of(g.get("place"), start),
                related_places=(),
                date=date.fromisoformat(g["date"]) if g.get("date") else None,
                date_precision=DatePrecision(g.get("date_precision", "day")),
                modality=Modality(g.get("modality", "asserted")),
                evidence=span,
                claimant=Claimant(src["name"], src["role"], src["outlet"]) if src else None,
                weapons=tuple(
                    Weapon(
                        w["canonical"].lower(), w["canonical"], w["class"], w["surface"], w.get("calibre_mm")
                    )
                    for w in g.get("weapons") or ()
                ),
                control_to=(g.get("control_change") or {}).get("to"),
            )
        )
    out = [_extracted(seed, seed_events)]

    path = shared / "eval" / "bellingcat-cir" / "dev.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = {f"bellingcat-cir:{r['entry']}": r for r in csv.DictReader(handle)}
    for article in bellingcat_articles(shared):
        row = rows[article.origin or ""]
        body_start = len(article.title) + 2
        town = row["town/city"]
        at = article.text.find(town)
        entry = GazetteerEntry(
            id=f"bcir:{row['entry']}",
            name=town,
            kind=PlaceKind.TOWN,
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            precision=Precision.EXACT,
            country="UA",
            admin1=row["province"] or None,
        )
        place = Place(Mention(town, at, at + len(town), 0, (entry.id,)), entry, 1.0) if at >= 0 else None
        group = row["event_group"].lower()
        kind = (
            ("Battles", "Armed clash", "battle")
            if "battle" in group
            else ("Strategic developments", "Other", "troop_movement")
            if "presence" in group
            else ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling")
        )
        event = Event(
            id=event_id(article.id, row["entry"]),
            article_id=article.id,
            event_type=kind[0],
            sub_event_type=kind[1],
            fw_type=kind[2],
            actors=(Actor("Russian forces", "Russia"),),
            place=place,
            related_places=(),
            date=date.fromisoformat(row["date"]),
            date_precision=DatePrecision.DAY,
            modality=Modality.ASSERTED,
            evidence=Span(body_start, len(article.text), article.text[body_start:]),
        )
        out.append(_extracted(article, [event]))
    return out


def _extracted(article: Article, found: list) -> ExtractedArticle:
    from frontwatch.model import AnnotatedArticle, ResolvedArticle, Span

    annotated = AnnotatedArticle(article, (Span(0, len(article.text), article.text),))
    places = tuple(e.place for e in found if e.place is not None)
    return ExtractedArticle(ResolvedArticle(annotated, places), tuple(found))
