"""Detection: the typed candidates of one sentence, from its triggers (event_types.toml).

A trigger fires only on a specific incident: not inside a claimant's words or a place name, not as a
reference to one already told, not in background or an aggregate, not as a state ("occupied X"); a
fight needs a side's forces. Each candidate gets its modality and place; a list of places gives one
candidate per place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontwatch.events import places as pl
from frontwatch.events.actors import armed_side_named
from frontwatch.events.context import Report, caption, dated, excluded
from frontwatch.events.modality import cues, modality
from frontwatch.events.scene import objects, place
from frontwatch.events.text import Sentence
from frontwatch.events.vocab import EventType, trigger_key
from frontwatch.events.words import alternation, words
from frontwatch.model import Modality, Place

_W = words()
_ANAPHORIC = re.compile(rf"\b(?:{alternation(_W.anaphoric)})\s+$")
# "the attack", "its strikes": an incident the report has already told (a control change keeps its object;
# "this", "that" are _ANAPHORIC's)
# ("Saturday's attack", "last night's strike": a day's possessive names it as already told too)
_DEFINITE = re.compile(
    rf"(?:\b(?:{alternation(_W.definite)})"
    r"|\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun|yester|to)day|last night|tonight)['’]s)"
    rf"\s+(?:(?:{alternation(_W.definite_adjective)})\s+)?$"
)
# "occupied Feodosiia", "the liberated Kherson": a state the place is in, not its capture
_ADJECTIVE = re.compile(rf"\b(?:{alternation(_W.state_before)})\s+$")
_INSTRUMENT = re.compile(rf"\b(?:{alternation(_W.instrument)})\s+(?:[\w-]+\s+){{0,4}}$")


@dataclass(slots=True)
class Candidate:
    t: EventType
    start: int  # trigger
    end: int
    place: Place | None
    related: list[Place]
    modality: Modality
    evidence_end: int


def candidates(r: Report, s: Sentence) -> list[Candidate]:
    """The candidates of sentence s, one per ACLED event type and place, the most specific type kept."""
    v = r.v
    out: list[Candidate] = []
    fired: set[str] = set()  # every type a trigger spoke for, kept or not (hoped, no object place)
    for m in _triggers(r, s):
        a, b = m.start(), m.end()
        if excluded(r, a, b) or any(
            p.mention.start_char <= a < p.mention.end_char for p in r.places[s.index]
        ):
            continue
        if " " not in m.group() and _ANAPHORIC.search(r.low, max(s.start, a - 14), a):
            continue  # "this offensive": a reference to an event already told ("that air defence shot
            # down ...": a clause, not a reference)
        key = trigger_key(v, m.group())
        if key is None:
            continue
        t = _by_means(r, s, v.types[key], a, b)
        fired |= {t.key, t.event_type}
        cue = cues(r, s)
        if t.control is None and (cue.aggregate or (cue.background and not dated(r, s))):
            continue  # background or an aggregate: no one incident (a control change keeps its day)
        if _needs_side(t, m.group()) and not caption(r, s) and not armed_side_named(r, s):
            continue  # "firefighters battled the blaze": no fight without a side's forces
        if (
            t.control is not None
            and m.group().endswith("ed")
            and _ADJECTIVE.search(r.low, max(s.start, a - 24), a)
        ):
            continue  # "in occupied Crimea": a state, not a capture
        if (
            t.control is None
            and not caption(r, s)
            and _DEFINITE.search(r.low, max(s.start, a - 24), a)
            and not dated(r, s)
        ):
            continue  # "the attack", "its strikes": an incident the report has told already
        if t.max_words and s.text.count(" ") >= t.max_words:
            continue  # a caption-style trigger ("Russian forces in X") in a long sentence is background
        mod = modality(r, s, a - s.start, t)
        if mod == Modality.HOPED and t.control is None:
            continue  # hopes and plans are kept only where they concern control of a place
        if t.needs_object_place:
            objs, ev_end = objects(r, s, a, b)
            for o in objs:
                related = [p for p in r.places[s.index] if p.entry.id != o.entry.id and p not in objs]
                out.append(Candidate(t, a, b, o, pl.unique(related), mod, ev_end))
            continue
        if t.needs_own_place and r.chosen[s.index][0] is None and not caption(r, s):
            continue  # "forces are moving fast in the south": a movement with no scene is no incident
        main, related = place(r, s, t)
        listed = pl.enumeration(r.text, r.places[s.index], main) if main is not None else [main]
        for p in listed:  # "attacks were repulsed near A, B and C": one event per place
            others = [o for o in (main, *related) if o is not None and o is not p]
            out.append(Candidate(t, a, b, p, pl.unique(others), mod, s.end))
    # "bodies of civilians near destroyed cars": the dead are the news, not the damage
    overridden = {k for c in out for k in c.t.overrides}
    out = [c for c in out if c.t.key not in overridden]
    # one event per ACLED event type and place in a sentence: the most specific type wins
    best: dict[tuple[str, str | None, bool], Candidate] = {}
    for c in out:
        slot = (c.t.event_type, c.place.entry.id if c.place else None, c.t.control is not None)
        if slot not in best or c.t.priority > best[slot].t.priority:
            best[slot] = c
    present = {c.t.event_type for c in best.values()} | {c.t.key for c in out}
    # a caption's bare nouns say nothing when another type spoke, even one not kept
    # ("Ukrainian forces liberated X", X unresolved; "we hope to liberate X")
    kept = [c for c in best.values() if not set(c.t.yields_to) & (fired if c.t.caption_only else present)]
    return sorted(kept, key=lambda c: (c.start, c.place.mention.start_char if c.place else 0))


def _triggers(r: Report, s: Sentence) -> list[re.Match[str]]:
    """Trigger matches of the sentence; in a caption also the caption-only ones that overlap none."""
    found = list(r.v.plain_re.finditer(r.low, s.start, s.end))
    if caption(r, s):
        spans = [m.span() for m in found]
        found += [
            m
            for m in r.v.caption_re.finditer(r.low, s.start, s.end)
            if not any(a < m.end() and m.start() < b for a, b in spans)
        ]
        found.sort(key=lambda m: m.start())
    return found


def _needs_side(t: EventType, trigger: str) -> bool:
    return t.needs_armed_actor or (t.weak_re is not None and t.weak_re.fullmatch(trigger) is not None)


def _by_means(r: Report, s: Sentence, t: EventType, a: int, b: int) -> EventType:
    """A generic attack or strike whose sentence names its means is the strike of that kind. A fight
    becomes a strike only by the means it is made with: its subject ("drones attacked X") or "with",
    "using", "by" after it ("attacked X with guided bombs"), not any artillery the sentence names."""
    if not t.by_means:
        return t
    for k, rx in r.v.means:
        if k not in t.by_means:
            continue
        for m in rx.finditer(r.low, s.start, s.end):
            if t.event_type != "Battles":
                return r.v.types[k]
            if m.end() <= a or _INSTRUMENT.search(r.low, b, m.start()):
                return r.v.types[k]
    return t
