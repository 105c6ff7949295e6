"""ExtractedArticle → rows, written in one transaction; an article already stored changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from frontwatch.model import Event, ExtractedArticle, GazetteerEntry, Place, Span
from frontwatch.public import event_json
from frontwatch.store.read import load_entries
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

log = logging.getLogger(__name__)


def article_exists(conn: Connection, article_id: str) -> bool:
    return conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first() is not None


def existing_article_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # well under SQLite's bound-variable limit
        chunk = wanted[start : start + 500]
        found.update(conn.execute(select(articles.c.id).where(articles.c.id.in_(chunk))).scalars())
    return found


def write_extracted(
    conn: Connection,
    extracted: ExtractedArticle,
    *,
    run_id: str | None,
    known_entries: Mapping[str, GazetteerEntry] | None = None,
) -> tuple[bool, dict[str, GazetteerEntry]]:
    """Insert every row of one analysed article; False (and nothing written) when it is already there.

    Gazetteer entries in `known_entries` (id → the store's copy) are stored already and are not written
    again; returns the store's copies of the entries this article references, for the caller's cache.
    """
    annotated = extracted.resolved.annotated
    article = annotated.article
    known = known_entries or {}
    if article_exists(conn, article.id):
        return False, {}
    entries = {p.entry.id: p.entry for p in extracted.resolved.places}
    for event in extracted.events:
        for place in (event.place, *event.related_places):
            if place is not None:
                entries.setdefault(place.entry.id, place.entry)
    missing = [e for key, e in entries.items() if key not in known]
    _insert_missing_entries(conn, missing)
    # The store keeps the first copy of an entry id (another article may have brought other values).
    stored = {key: known[key] for key in entries if key in known}
    if missing:
        stored.update(load_entries(conn, [e.id for e in missing]))
    conn.execute(
        insert(articles).values(
            id=article.id,
            title=article.title,
            text=article.text,
            published=article.published,
            published_from=article.published_from,
            source=article.source,
            url=article.url,
            tags=list(article.tags),
            origin=article.origin,
            first_run=run_id,
        )
    )
    _insert(
        conn,
        places,
        [_place_row(article.id, i, p, annotated.sentences) for i, p in enumerate(extracted.resolved.places)],
    )
    found = _unique_events(extracted.events)
    _write_events(conn, article.id, _as_stored(found, stored), run_id=run_id)
    return True, stored


def _as_stored(found: Sequence[Event], stored: Mapping[str, GazetteerEntry]) -> list[Event]:
    """The events with their places' entries as the store holds them (its first copy of each entry).

    events.doc must be what reading the normalised rows back gives, even when another article
    brought an entry of the same id with other values (e.g. from another gazetteer build).
    """

    def same(place: Place) -> Place:
        entry = stored.get(place.entry.id, place.entry)
        return place if entry == place.entry else replace(place, entry=entry)

    out = []
    for e in found:
        place = same(e.place) if e.place is not None else None
        related = tuple(same(p) for p in e.related_places)
        if place is e.place and all(a is b for a, b in zip(related, e.related_places, strict=True)):
            out.append(e)
        else:
            out.append(replace(e, place=place, related_places=related))
    return out


def _unique_events(found: Sequence[Event]) -> list[Event]:
    # Event ids are content hashes; the same id twice in one article is one event reported twice.
    seen: set[str] = set()
    out = []
    for event in found:
        if event.id in seen:
            log.warning("event %s appears twice in article %s; kept once", event.id, event.article_id)
            continue
        seen.add(event.id)
        out.append(event)
    return out


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def _insert_missing_entries(conn: Connection, entries: Iterable[GazetteerEntry]) -> None:
    rows = [_entry_row(e) for e in entries]
    if not rows:
        return
    # Another article (or another process) may have stored the same entry: keep the first copy.
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(sqlite.insert(gazetteer_places).on_conflict_do_nothing(), rows)
    elif dialect == "postgresql":
        conn.execute(postgresql.insert(gazetteer_places).on_conflict_do_nothing(), rows)
    else:  # other backends: look first (not safe against concurrent writers, but portable)
        ids = [r["entry_id"] for r in rows]
        present = set(
            conn.execute(
                select(gazetteer_places.c.entry_id).where(gazetteer_places.c.entry_id.in_(ids))
            ).scalars()
        )
        _insert(conn, gazetteer_places, [r for r in rows if r["entry_id"] not in present])


def _entry_row(entry: GazetteerEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.id,
        "name": entry.name,
        "kind": str(entry.kind),
        "lat": entry.lat,
        "lon": entry.lon,
        "precision": str(entry.precision),
        "country": entry.country,
        "admin1": entry.admin1,
        "admin2": entry.admin2,
        "admin3": entry.admin3,
        "population": entry.population,
        "geonameid": entry.geonameid,
        "katotth": entry.katotth,
        "names": list(entry.names),
    }


def _candidates(place: Place) -> list[list[Any]]:
    return [[c.entry_id, c.score] for c in place.candidates]


def _place_row(article_id: str, ordinal: int, place: Place, sentences: Sequence[Span]) -> dict[str, Any]:
    m = place.mention
    sentence = sentences[m.sentence] if 0 <= m.sentence < len(sentences) else None
    return {
        "article_id": article_id,
        "ordinal": ordinal,
        "start_char": m.start_char,
        "end_char": m.end_char,
        "surface": m.surface,
        "sentence": m.sentence,
        "sentence_start": sentence.start_char if sentence else None,
        "sentence_end": sentence.end_char if sentence else None,
        "entry_id": place.entry.id,
        "score": place.score,
        "candidate_ids": list(m.candidate_ids),
        "candidates": _candidates(place),
        "role": m.role,
    }


def _event_row(article_id: str, ordinal: int, event: Event, run_id: str | None) -> dict[str, Any]:
    place = event.place
    claimant = event.claimant
    return {
        "id": event.id,
        "article_id": article_id,
        "ordinal": ordinal,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "fw_type": event.fw_type,
        "place_entry_id": place.entry.id if place else None,
        "place_start_char": place.mention.start_char if place else None,
        "place_end_char": place.mention.end_char if place else None,
        "place_surface": place.mention.surface if place else None,
        "place_sentence": place.mention.sentence if place else None,
        "place_score": place.score if place else None,
        "place_role": place.mention.role if place else None,
        "place_candidate_ids": list(place.mention.candidate_ids) if place else None,
        "place_candidates": _candidates(place) if place else None,
        "date": event.date,
        "date_end": event.date_end,
        "date_precision": str(event.date_precision),
        "modality": str(event.modality),
        "has_claimant": claimant is not None,
        "claimant_name": claimant.name if claimant else None,
        "claimant_role": claimant.role if claimant else None,
        "claimant_outlet": claimant.outlet if claimant else None,
        "evidence_text": event.evidence.text,
        "evidence_start": event.evidence.start_char,
        "evidence_end": event.evidence.end_char,
        "control_to": event.control_to,
        "rules_version": event.rules_version,
        "lat": place.entry.lat if place else None,
        "lon": place.entry.lon if place else None,
        "first_run": run_id,
        "doc": event_json(event),
    }


def _write_events(conn: Connection, article_id: str, found: Sequence[Event], *, run_id: str | None) -> None:
    _insert(conn, events, [_event_row(article_id, i, e, run_id) for i, e in enumerate(found)])
    actors, related, weapons, quantities = [], [], [], []
    for event in found:
        for i, a in enumerate(event.actors):
            actors.append(
                {
                    "event_id": event.id,
                    "ordinal": i,
                    "name": a.name,
                    "side": a.side,
                    "surface": a.surface,
                    "unit": a.unit,
                }
            )
        for i, p in enumerate(event.related_places):
            m = p.mention
            related.append(
                {
                    "event_id": event.id,
                    "ordinal": i,
                    "entry_id": p.entry.id,
                    "start_char": m.start_char,
                    "end_char": m.end_char,
                    "surface": m.surface,
                    "sentence": m.sentence,
                    "score": p.score,
                    "role": m.role,
                    "candidate_ids": list(m.candidate_ids),
                    "candidates": _candidates(p),
                }
            )
        for i, w in enumerate(event.weapons):
            weapons.append(
                {
                    "event_id": event.id,
                    "ordinal": i,
                    "catalogue_id": w.catalogue_id,
                    "canonical": w.canonical,
                    "weapon_class": w.weapon_class,
                    "surface": w.surface,
                    "calibre_mm": w.calibre_mm,
                }
            )
        for i, q in enumerate(event.quantities):
            quantities.append(
                {
                    "event_id": event.id,
                    "ordinal": i,
                    "low": q.low,
                    "high": q.high,
                    "unit": q.unit,
                    "surface": q.surface,
                    "kind": q.kind,
                }
            )
    _insert(conn, event_actors, actors)
    _insert(conn, event_related_places, related)
    _insert(conn, event_weapons, weapons)
    _insert(conn, event_quantities, quantities)
