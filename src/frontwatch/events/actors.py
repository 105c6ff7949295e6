"""Actors: who does an incident, who suffers it, and to whom a place goes (actors.toml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontwatch.events.context import PREP_BEFORE, Report, excluded, same_paragraph
from frontwatch.events.modality import OPPONENT, claimant_side
from frontwatch.events.text import Sentence
from frontwatch.events.vocab import actor_key
from frontwatch.events.words import alternation, words
from frontwatch.model import Actor

if TYPE_CHECKING:
    from frontwatch.events.detect import Candidate

_PREFIX = alternation(tuple(w + r"\s+" for w in words().unit_prefix))  # "47th Separate ... Brigade"
_UNIT = re.compile(
    rf"\b\d+(?:st|nd|rd|th)\s+(?:{_PREFIX})?"
    r"(?:[A-Z][\w-]+\s+){0,3}"
    rf"(?:{alternation(words().unit_noun)})\b"
)
_HAS_TARGET = frozenset({"Explosions/Remote violence", "Violence against civilians"})
COMBATANT = {"Russia": "russian_forces", "Ukraine": "ukrainian_forces"}


@dataclass(frozen=True, slots=True)
class Hit:
    """One actor mention."""

    key: str
    start: int
    end: int
    surface: str


def hits(r: Report, a: int, b: int) -> list[Hit]:
    """The actors named in text[a:b], outside claimants' words (cached per span)."""
    cached = r.hits.get((a, b))
    if cached is not None:
        return cached
    found = []
    for m in r.v.actor_re.finditer(r.low, a, b):
        if excluded(r, m.start(), m.end()):
            continue
        surface = r.text[m.start() : m.end()]
        if m.group() in ("ukraine", "russia") and PREP_BEFORE.search(
            r.text[max(a, m.start() - 12) : m.start()]
        ):
            continue  # "in Ukraine": a place, not an actor
        key = actor_key(r.v, m.group())
        if key is not None:
            found.append(Hit(key, m.start(), m.end(), surface))
    r.hits[(a, b)] = found
    return found


def armed_side_named(r: Report, s: Sentence) -> bool:
    """Is an armed side (not civilians) named in the sentence or the one before it in its paragraph?"""
    spans = [(s.start, s.end)]
    if same_paragraph(r, s, -1):
        prev = r.sents[s.index - 1]
        spans.append((prev.start, prev.end))
    return any(r.v.actors[h.key].side not in (None, "civilians") for a, b in spans for h in hits(r, a, b))


def actors(r: Report, s: Sentence, c: Candidate) -> tuple[tuple[Actor, ...], str | None]:
    """The actors of a candidate and, for a control change, the side the place goes to."""
    found = hits(r, s.start, c.evidence_end)
    battle = c.t.event_type == "Battles"
    if not battle:
        agents = _agents(r, s, c, found)
        if c.t.event_type in _HAS_TARGET:
            # the shelled, the killed: the other party of a strike or attack comes after its doer
            agents = agents + [h for h in found if h not in agents]
        found = agents
    out: dict[str, Actor] = {}
    for h in found:
        e = r.v.actors[h.key]
        out.setdefault(e.name, Actor(name=e.name, side=e.side, surface=h.surface))
    unit = _UNIT.search(r.text, s.start, c.evidence_end)
    if unit and out:
        first = next(iter(out))
        out[first] = Actor(out[first].name, out[first].side, out[first].surface, unit.group())
    control_to = None
    if c.t.control == "leaver":
        # "Russia withdrew from Lyman": the place goes to the other side
        # (the withdrawing side unnamed: a side speaks of its own withdrawal)
        leaver = _agent_side(r, c, found) or claimant_side(r, r.atts[s.index])
        control_to = OPPONENT.get(leaver or "", c.t.default_control_to)
    elif c.t.control:
        control_to = _agent_side(r, c, found) or c.t.default_control_to
    if battle and c.t.both_sides:
        sides = {a.side for a in out.values() if a.side in OPPONENT}
        if not sides:
            sides = {control_to if control_to in OPPONENT else "Ukraine"}
            e = r.v.actors[COMBATANT[next(iter(sides))]]
            out[e.name] = Actor(e.name, e.side)
        for side in sorted(sides):
            e = r.v.actors[COMBATANT[OPPONENT[side]]]
            out.setdefault(e.name, Actor(e.name, e.side))
    return tuple(out.values()), control_to


def _agents(r: Report, s: Sentence, c: Candidate, found: list[Hit]) -> list[Hit]:
    """Who does a non-battle event: named before its trigger, or "by ...", or in the sentence before."""
    before = [h for h in found if h.start < c.start]
    if before:
        return before
    by = re.match(r"\s*(?:\w+\s+){0,4}?by\s+", r.text[c.end : c.evidence_end])
    if by:
        after = [h for h in found if h.start >= c.end + by.end()]
        if after:
            return after[:1]
    for j in range(s.index - 1, -1, -1):
        o = r.sents[j]
        if o.paragraph != s.paragraph:
            break
        prev = [h for h in hits(r, o.start, o.end) if r.v.actors[h.key].side != "civilians"]
        if prev:
            return prev
    return found


def _agent_side(r: Report, c: Candidate, found: list[Hit]) -> str | None:
    """Who takes the place: "captured by Russian troops", or the subject before the trigger."""
    by = re.match(r"\s*(?:\w+\s+){0,3}?by\s+", r.text[c.end : c.evidence_end])
    ordered = [h for h in found if h.start >= c.end + (by.end() if by else 10**6)][:1]
    ordered += [h for h in found if h.start < c.start]  # the subject comes first
    for h in ordered:
        side = r.v.actors[h.key].side
        if side in r.v.control_change:
            return side
    return None
