"""Modality and claims: is an incident asserted, claimed, denied, hoped for, or told by an unnamed source?

Cue words before the trigger in its clause decide (cues.toml); the claimant of the sentence (claims.py)
and its side decide whether a party's report of its own success is a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontwatch.events import places as pl
from frontwatch.events.claims import Attribution
from frontwatch.events.context import Report
from frontwatch.events.text import Sentence
from frontwatch.events.vocab import EventType, actor_key
from frontwatch.events.words import alternation, words
from frontwatch.model import Actor, Modality

OPPONENT = {"Russia": "Ukraine", "Ukraine": "Russia"}
# on lower-cased text
_CLAUSE_BREAK = re.compile(rf";|,\s*(?:{alternation(words().clause_conjunction)})\b|\bbut\b|\bhowever\b")
_STRONG_DENIAL = re.compile(rf"\b(?:{alternation(words().strong_denial)})\b")


@dataclass(frozen=True, slots=True)
class Cues:
    breaks: list[int]  # ends of clause breaks
    strong_denial: list[int]
    denied: list[int]  # ends of negation cues
    hoped: list[int]
    claimed: list[int]
    unnamed: bool
    background: bool  # "almost daily since June", "has been ongoing for more than a year"
    aggregate: bool  # "64 settlements were shelled", "17 clashes took place"; or aid, talks, sanctions


def cues(r: Report, s: Sentence) -> Cues:
    """Where the sentence's modality cues are, found once per sentence."""
    found = r.cues.get(s.index)
    if found is None:
        low, v = r.low, r.v
        found = Cues(
            breaks=[m.end() for m in _CLAUSE_BREAK.finditer(low, s.start, s.end)],
            strong_denial=[m.start() for m in _STRONG_DENIAL.finditer(low, s.start, s.end)],
            denied=[m.end() for m in v.denied_re.finditer(low, s.start, s.end)],
            hoped=[m.start() for m in v.hoped_re.finditer(low, s.start, s.end)],
            claimed=[m.start() for m in v.claimed_re.finditer(low, s.start, s.end)],
            unnamed=v.unnamed_re.search(low, s.start, s.end) is not None,
            background=v.background_re.search(low, s.start, s.end) is not None,
            # "over several Russian territories, namely Bryansk, Belgorod ...": the list names them
            aggregate=v.aggregate_re.search(low, s.start, s.end) is not None
            and pl.LIST_CUE.search(r.text, s.start, s.end) is None,
        )
        r.cues[s.index] = found
    return found


def modality(r: Report, s: Sentence, rel: int, t: EventType) -> Modality:
    """The modality of a trigger rel characters into sentence s."""
    at = s.start + rel
    c = cues(r, s)
    clause = max((b for b in c.breaks if b <= at), default=s.start)
    if any(p < at for p in c.strong_denial) or any(max(clause, at - 40) < e <= at for e in c.denied):
        return Modality.DENIED
    if any(clause <= p < at for p in c.hoped):
        return Modality.HOPED
    if c.unnamed:
        return Modality.UNNAMED_SOURCE
    if any(clause <= p < at for p in c.claimed):
        return Modality.CLAIMED
    if t.modality:
        return Modality(t.modality)
    return Modality.ASSERTED


def claimed(
    r: Report,
    s: Sentence,
    t: EventType,
    *,
    modality: Modality,
    actors: tuple[Actor, ...],
    control_to: str | None,
) -> Modality:
    """The modality with a party's word about its own success made a claim."""
    att = r.atts[s.index]
    if modality != Modality.ASSERTED:
        return modality
    if t.control and att is not None:
        # a party's word about its own side's gain is a claim; conceding a loss is not
        side = claimant_side(r, att)
        if side is None or side == control_to:
            return Modality.CLAIMED
    elif t.party_report and _is_party(r, att) and _own_success(r, s, att, actors):
        # a side's command or ministry telling of its own success ("attacks were repulsed", "destroyed
        # 23 drones", "our troops advanced"): a claim; telling of the enemy's attacks is not
        return Modality.CLAIMED
    return modality


def _own_success(r: Report, s: Sentence, att: Attribution | None, actors: tuple[Actor, ...]) -> bool:
    if r.v.own_success_re.search(r.low, s.start, s.end):
        return True
    side = claimant_side(r, att)
    doer = next((a.side for a in actors if a.side in OPPONENT), None)
    return side is None or doer is None or side == doer


def _is_party(r: Report, att: Attribution | None) -> bool:
    """Is the claimant a warring side: its military or ministry, or someone a side's name marks?"""
    if att is None:
        return False
    return att.claimant.role in r.v.party_roles or claimant_side(r, att) in OPPONENT


def claimant_side(r: Report, att: Attribution | None) -> str | None:
    if att is None:
        return None
    words = " ".join(x for x in (att.claimant.name, att.claimant.role) if x)
    m = r.v.actor_re.search(words.lower())
    key = actor_key(r.v, m.group()) if m else None
    return r.v.actors[key].side if key else None
