"""extract(resolved) → events: rules over sentences, resolved places and the vocabularies.

Per sentence: triggers (event_types.toml) give typed candidates (detect.py); each gets its modality from
cue words before it (modality.py), its place from the sentence or its context (scene.py), its actors
(actors.py), date, weapons, counts and the claimant of the sentence (claims.py); a pass over the whole
report then merges the mentions of one incident (assemble.py). All steps read one frozen per-report
context (context.py). No parser: regexes over a few sentences keep this well under a millisecond per
article.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from datetime import date

from frontwatch.events.actors import actors as actors_of
from frontwatch.events.actors import hits
from frontwatch.events.assemble import assemble
from frontwatch.events.context import Report, report, same_paragraph, when
from frontwatch.events.dates import When
from frontwatch.events.detect import Candidate, candidates
from frontwatch.events.modality import claimed
from frontwatch.events.quantities import quantities
from frontwatch.events.text import Sentence
from frontwatch.events.vocab import vocabulary, weapon_key
from frontwatch.events.words import alternation, words
from frontwatch.model import (
    DatePrecision,
    Event,
    ExtractedArticle,
    PlaceKind,
    Quantity,
    ResolvedArticle,
    Span,
    Weapon,
)

log = logging.getLogger(__name__)

_PERFECT = re.compile(r"\b(?:has|have|had)\s+(?:been\s+|already\s+)?\w+(?:ed|en|wn|ght|ck)\b", re.I)
# a number, or a death: "shelling kills a militiaman" is one, though no number is written
_COUNTABLE = re.compile(
    rf"\d|\b(?:{alternation(words().number_word)})\b|\b(?:{alternation(words().death_word)})"
)


def extract(resolved: ResolvedArticle) -> ExtractedArticle:
    """The events of a resolved article (pure; the vocabularies are loaded once per process)."""
    v = vocabulary()
    article = resolved.annotated.article
    title_end = len(article.title) if article.title and article.text.startswith(article.title) else 0
    events = assemble(
        _sentence_events(report(resolved, v)),
        published=article.published,
        title_end=title_end,
        priority=lambda key: v.types[key].priority,
        toll=lambda key: v.types[key].toll or v.types[key].consequence,
        yields_to=lambda key: v.types[key].yields_to,
    )
    return ExtractedArticle(resolved=resolved, events=tuple(events))


def _sentence_events(r: Report) -> list[Event]:
    """The events of each sentence, before the pass over the whole report."""
    events: list[Event] = []
    para_earlier: set[int] = set()
    for s in r.sents:
        if r.v.earlier_re.match(r.low, s.start):
            para_earlier.add(s.paragraph)  # "Earlier, X reported that ...": the whole paragraph
        found = candidates(r, s)
        if not found:
            continue
        day = when(r, s.index)
        if day is None and r.v.consequence_re.match(s.text):
            # "Because of this, ...": on or after the date the paragraph gave before
            for j in range(s.index - 1, -1, -1):
                if r.sents[j].paragraph != s.paragraph:
                    break
                before = when(r, j)
                if before is not None and before.date is not None:
                    day = When(before.date, DatePrecision.ON_OR_AFTER, None, True)
                    break
        earlier = s.paragraph in para_earlier or bool(r.v.earlier_re.search(r.low, s.start, s.end))
        # events of the two sentences before whose evidence reaches this one (evidence reaches at most
        # one sentence further than its own)
        floor = r.sents[max(0, s.index - 2)].start
        told: list[int] = []
        for i in range(len(events) - 1, -1, -1):
            e = events[i]
            if e.evidence.start_char < floor:
                break
            if e.evidence.end_char >= s.start - 2 and e.evidence.start_char < s.start:
                told.insert(0, i)
        previous = {events[i].event_type for i in told}
        if told and all(c.t.toll for c in found) and same_paragraph(r, s, -1):
            # "Russian troops shelled Kharkiv. Two civilians were killed.": the toll of the event told
            events[told[-1]] = _with_toll(r, events[told[-1]], s)
            continue
        for c in found:
            if c.t.consequence and c.t.event_type in previous and same_paragraph(r, s, -1):
                continue
            events.append(_event(r, s, c, day, earlier))
    return _dedupe_ids(events)


def _event(r: Report, s: Sentence, c: Candidate, day: When | None, earlier: bool) -> Event:
    v, t = r.v, c.t
    actors, control_to = actors_of(r, s, c)
    sub = t.sub_event_type
    if t.control:
        sub = v.control_change.get(control_to or "", v.control_change["default"])
    att = r.atts[s.index]
    modality = claimed(r, s, t, modality=c.modality, actors=actors, control_to=control_to)
    d, precision, end = _date(r, s, c, day, earlier)
    # "Russia has deployed": the country named as the doer is an actor, not a place of the event
    named = hits(r, s.start, c.evidence_end)
    related = tuple(
        p
        for p in c.related
        if not (
            p.entry.kind == PlaceKind.COUNTRY and any(h.start <= p.mention.start_char < h.end for h in named)
        )
    )
    ev = Span(s.start, c.evidence_end, r.text[s.start : c.evidence_end])
    place_id = c.place.entry.id if c.place else ""
    digest = hashlib.sha1(
        f"{r.article.id}|{t.key}|{ev.start_char}|{ev.end_char}|{place_id}|{v.version}".encode()
    ).hexdigest()[:20]
    return Event(
        id=f"ev:{digest}",
        article_id=r.article.id,
        event_type=t.event_type,
        sub_event_type=sub,
        fw_type=t.key,
        actors=actors,
        place=c.place,
        related_places=related,
        date=d,
        date_precision=precision,
        modality=modality,
        evidence=ev,
        date_end=end,
        claimant=att.claimant if att else None,
        weapons=_weapons(r, s.start, c.evidence_end),
        quantities=_quantities(r, s.start, c.evidence_end),
        control_to=control_to if t.control else None,
        rules_version=v.version,
    )


def _with_toll(r: Report, e: Event, s: Sentence) -> Event:
    """The event with the dead and wounded counted in sentence s, and s added to its evidence."""
    toll = tuple(q for q in _quantities(r, s.start, s.end) if q.kind in ("fatalities", "injured"))
    start = e.evidence.start_char
    return dataclasses.replace(
        e, quantities=e.quantities + toll, evidence=Span(start, s.end, r.text[start : s.end])
    )


def _quantities(r: Report, a: int, b: int) -> tuple[Quantity, ...]:
    if (a, b) not in r.counts:
        r.counts[(a, b)] = quantities(r.text[a:b]) if _COUNTABLE.search(r.low, a, b) else ()
    return r.counts[(a, b)]


def _date(
    r: Report, s: Sentence, c: Candidate, day: When | None, earlier: bool
) -> tuple[date | None, DatePrecision, date | None]:
    if day is not None:
        return day.date, day.precision, day.end
    if r.published is None:
        return None, DatePrecision.UNKNOWN, None
    if earlier or c.t.aspect == "completed" or _PERFECT.search(s.text[: c.start - s.start]):
        return r.published, DatePrecision.ON_OR_BEFORE, None
    return r.published, DatePrecision.DAY, None


def _weapons(r: Report, a: int, b: int) -> tuple[Weapon, ...]:
    v = r.v
    found: dict[str, Weapon] = {}
    for m in v.weapon_re.finditer(r.low, a, b):
        key = weapon_key(v, m.group())
        if key is None:
            continue
        e = v.weapons[key]
        surface = r.text[m.start() : m.end()]
        found.setdefault(e.key, Weapon(e.key, e.canonical, e.weapon_class, surface, e.calibre_mm))
    if any(not v.weapons[k].generic for k in found):
        found = {k: w for k, w in found.items() if not v.weapons[k].generic}
    return tuple(found.values())


def _dedupe_ids(events: list[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for e in events:
        if e.id not in seen:
            seen.add(e.id)
            out.append(e)
    return out
