"""Rows → model records: Article, Place (with its article id), Event with all its parts.

store.query builds its own filtered ``select(events)`` and hands the rows to `events_from_rows`,
so that there is one way to turn rows into an Event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from frontwatch.model import (
    Actor,
    Article,
    Candidate,
    Claimant,
    DatePrecision,
    Event,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    Quantity,
    Span,
    Weapon,
)
from frontwatch.store.schema import (
    articles,
    event_actors,
    event_quantities,
    event_related_places,
    event_weapons,
    events,
    gazetteer_places,
    places,
)

CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class StoredPlace:
    """A resolved place as stored: the Place and the article it was found in."""

    article_id: str
    place: Place


def article_from_row(row: Mapping[Any, Any]) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        published=row["published"],
        published_from=row["published_from"],
        source=row["source"],
        url=row["url"],
        tags=tuple(row["tags"] or ()),
        origin=row["origin"],
    )


def entry_from_row(row: Mapping[Any, Any]) -> GazetteerEntry:
    return GazetteerEntry(
        id=row["entry_id"],
        name=row["name"],
        kind=PlaceKind(row["kind"]),
        lat=row["lat"],
        lon=row["lon"],
        precision=Precision(row["precision"]),
        country=row["country"],
        admin1=row["admin1"],
        admin2=row["admin2"],
        admin3=row["admin3"],
        population=row["population"],
        geonameid=row["geonameid"],
        katotth=row["katotth"],
        names=tuple(row["names"] or ()),
    )


def load_entries(conn: Connection, ids: Iterable[str]) -> dict[str, GazetteerEntry]:
    wanted = sorted(set(ids))
    found: dict[str, GazetteerEntry] = {}
    for chunk in chunks(wanted):
        for row in conn.execute(
            select(gazetteer_places).where(gazetteer_places.c.entry_id.in_(chunk))
        ).mappings():
            found[row["entry_id"]] = entry_from_row(row)
    return found


def _place(
    entry: GazetteerEntry,
    *,
    surface: str,
    start: int,
    end: int,
    sentence: int,
    score: float,
    role: str | None,
    candidate_ids: Sequence[str] | None,
    candidates: Sequence[Sequence[Any]] | None,
) -> Place:
    return Place(
        mention=Mention(
            surface=surface,
            start_char=start,
            end_char=end,
            sentence=sentence,
            candidate_ids=tuple(candidate_ids or ()),
            role=role,
        ),
        entry=entry,
        score=score,
        candidates=tuple(Candidate(entry_id=c[0], score=c[1]) for c in candidates or ()),
    )


def place_from_row(row: Mapping[Any, Any], entry: GazetteerEntry) -> Place:
    """A `places` or `event_related_places` row (same column names) → Place."""
    return _place(
        entry,
        surface=row["surface"],
        start=row["start_char"],
        end=row["end_char"],
        sentence=row["sentence"],
        score=row["score"],
        role=row["role"],
        candidate_ids=row["candidate_ids"],
        candidates=row["candidates"],
    )


def load_places(conn: Connection, *, article_id: str | None = None) -> list[StoredPlace]:
    stmt = select(places).order_by(places.c.article_id, places.c.ordinal)
    if article_id is not None:
        stmt = stmt.where(places.c.article_id == article_id)
    rows = list(conn.execute(stmt).mappings())
    entries = load_entries(conn, (r["entry_id"] for r in rows))
    return [StoredPlace(r["article_id"], place_from_row(r, entries[r["entry_id"]])) for r in rows]


def load_articles(conn: Connection, *, article_id: str | None = None) -> list[Article]:
    stmt = select(articles).order_by(articles.c.published, articles.c.id)
    if article_id is not None:
        stmt = stmt.where(articles.c.id == article_id)
    return [article_from_row(r) for r in conn.execute(stmt).mappings()]


def load_events(conn: Connection, *, article_id: str | None = None) -> list[Event]:
    stmt = select(events).order_by(events.c.article_id, events.c.ordinal)
    if article_id is not None:
        stmt = stmt.where(events.c.article_id == article_id)
    return events_from_rows(conn, list(conn.execute(stmt).mappings()))


def events_from_rows(conn: Connection, rows: Sequence[RowMapping | Mapping[Any, Any]]) -> list[Event]:
    """Full Events for rows of the `events` table, in the order given (parts fetched in chunks)."""
    ids = [r["id"] for r in rows]
    actors = _children(conn, event_actors, ids)
    related = _children(conn, event_related_places, ids)
    weapons = _children(conn, event_weapons, ids)
    quantities = _children(conn, event_quantities, ids)
    entry_ids = {r["place_entry_id"] for r in rows if r["place_entry_id"] is not None}
    entry_ids.update(p["entry_id"] for ps in related.values() for p in ps)
    entries = load_entries(conn, entry_ids)
    out = []
    for r in rows:
        place = None
        if r["place_entry_id"] is not None:
            place = _place(
                entries[r["place_entry_id"]],
                surface=r["place_surface"],
                start=r["place_start_char"],
                end=r["place_end_char"],
                sentence=r["place_sentence"],
                score=r["place_score"],
                role=r["place_role"],
                candidate_ids=r["place_candidate_ids"],
                candidates=r["place_candidates"],
            )
        claimant = (
            Claimant(name=r["claimant_name"], role=r["claimant_role"], outlet=r["claimant_outlet"])
            if r["has_claimant"]
            else None
        )
        out.append(
            Event(
                id=r["id"],
                article_id=r["article_id"],
                event_type=r["event_type"],
                sub_event_type=r["sub_event_type"],
                fw_type=r["fw_type"],
                actors=tuple(
                    Actor(name=a["name"], side=a["side"], surface=a["surface"], unit=a["unit"])
                    for a in actors[r["id"]]
                ),
                place=place,
                related_places=tuple(place_from_row(p, entries[p["entry_id"]]) for p in related[r["id"]]),
                date=r["date"],
                date_precision=DatePrecision(r["date_precision"]),
                modality=Modality(r["modality"]),
                evidence=Span(
                    start_char=r["evidence_start"], end_char=r["evidence_end"], text=r["evidence_text"]
                ),
                date_end=r["date_end"],
                claimant=claimant,
                weapons=tuple(
                    Weapon(
                        catalogue_id=w["catalogue_id"],
                        canonical=w["canonical"],
                        weapon_class=w["weapon_class"],
                        surface=w["surface"],
                        calibre_mm=w["calibre_mm"],
                    )
                    for w in weapons[r["id"]]
                ),
                quantities=tuple(
                    Quantity(
                        low=q["low"], high=q["high"], unit=q["unit"], surface=q["surface"], kind=q["kind"]
                    )
                    for q in quantities[r["id"]]
                ),
                control_to=r["control_to"],
                rules_version=r["rules_version"],
                mentions=_mentions(r),
            )
        )
    return out


def _mentions(row: RowMapping | Mapping[Any, Any]) -> tuple[Span, ...]:
    """The event's mentions, kept in its stored public JSON (`doc`); none for events stored before them."""
    doc = row.get("doc")
    if not doc:
        return ()
    return tuple(
        Span(start_char=m["start_char"], end_char=m["end_char"], text=m["text"])
        for m in json.loads(doc).get("mentions", ())
    )


def _children(conn: Connection, table: Any, event_ids: Sequence[str]) -> dict[str, list[RowMapping]]:
    found: dict[str, list[RowMapping]] = defaultdict(list)
    for chunk in chunks(sorted(set(event_ids))):
        stmt = select(table).where(table.c.event_id.in_(chunk)).order_by(table.c.event_id, table.c.ordinal)
        for row in conn.execute(stmt).mappings():
            found[row["event_id"]].append(row)
    return found


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    """`items` in slices of CHUNK, for IN (...) lists."""
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
