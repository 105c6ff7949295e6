"""Which resolved place an event happens at: the most specific its sentence names, else the context's."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from frontwatch.model import Place, PlaceKind

RANK = {
    PlaceKind.VILLAGE: 0,
    PlaceKind.TOWN: 0,
    PlaceKind.CITY: 0,
    PlaceKind.ADMIN3: 1,
    PlaceKind.ADMIN2: 2,
    PlaceKind.ADMIN1: 3,
    PlaceKind.RIVER: 4,
    PlaceKind.FEATURE: 4,
    PlaceKind.COUNTRY: 5,
}
SETTLEMENTS = (PlaceKind.VILLAGE, PlaceKind.TOWN, PlaceKind.CITY)
_DASH = re.compile(r"\s*[-–—]\s*")
_FILLER = re.compile(
    r"\s*(?:(?:the|a|of|over|urban-type|small|large|nearby|neighbouring|neighboring|strategic|key|frontline|city|cities|town|towns"
    r"|village|villages|settlement|settlements|locality|localities|hamlet)\s+)*",
    re.I,
)
_CHAIN = re.compile(r"\s*(?:,|and|, and|&|as well as)\s*(?:(?:the|village|town|city|of)\s+)*", re.I)
_PASSIVE = re.compile(
    r"\s*(?:(?:has|have|had|was|were|is|are|been|being|finally|already|fully|completely|reportedly|now|\w+ly)\s+)*",
    re.I,
)
GENERIC_OBJECT = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:settlements|villages|towns|localities|cities|hamlets)\b", re.I
)
ANAPHORIC_OBJECT = re.compile(r"^\s*(?:the|this)\s+(?:city|town|village|settlement)\b", re.I)
LIST_CUE = re.compile(r"\b(?:including|among them|among which|namely|in particular|such as)\b", re.I)
NEXT_LIST = re.compile(
    r"^\W*(?:among them|these (?:are|include)|they (?:are|include)|in particular|including)\b", re.I
)
FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)


# The countries of the war: a same-named village abroad ranks below this war's raions, above its oblasts.
THEATRE = frozenset({"UA", "RU", "BY"})


def rank(p: Place) -> float:
    r = RANK.get(p.entry.kind, 6)
    return r if p.entry.country in THEATRE or r > 2 else 2.5


def choose(text: str, places: Sequence[Place]) -> tuple[Place | None, list[Place]]:
    """The main place of a sentence and the others; a direction "Izyum - Barvinkove" points at its end."""
    if not places:
        return None, []
    ordered = sorted(places, key=lambda p: p.mention.start_char)
    # "Kupyansk direction: areas of the settlements of Gryanikovka, Timkovka": a direction names where
    # a push goes, not where the event is; a settlement named otherwise wins over it
    main = min(ordered, key=lambda p: (rank(p), is_direction(p)))
    # "in the direction of Izyum - Barvinkove": the second of a dashed pair is where the push goes
    for a, b in pairwise(ordered):
        if (
            a is main
            and rank(b) == rank(a)
            and _DASH.fullmatch(text[a.mention.end_char : b.mention.start_char])
        ):
            main = b
    return main, unique([p for p in ordered if p.entry.id != main.entry.id])


def is_direction(p: Place) -> bool:
    return p.mention.role == "direction"


def km(a: Place, b: Place) -> float:
    """Great-circle distance between two places."""
    p1, p2 = math.radians(a.entry.lat), math.radians(b.entry.lat)
    dp, dl = p2 - p1, math.radians(b.entry.lon - a.entry.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def unique(places: Sequence[Place]) -> list[Place]:
    seen: set[str] = set()
    out = []
    for p in places:
        if p.entry.id not in seen:
            seen.add(p.entry.id)
            out.append(p)
    return out


def objects(text: str, places: Sequence[Place], start: int, end: int) -> list[Place]:
    """Places the trigger at text[start:end] acts on: "liberated X and Y", "X was captured"."""
    ordered = sorted(places, key=lambda p: p.mention.start_char)
    found: list[Place] = []
    after = [p for p in ordered if p.mention.start_char >= end]
    pos = end
    for p in after:
        gap = text[pos : p.mention.start_char]
        pattern = _FILLER if not found else _CHAIN
        if pattern.fullmatch(gap) or (found and _FILLER.fullmatch(gap)):
            found.append(p)
            pos = p.mention.end_char
        else:
            break
    if found:
        return found
    before = [p for p in ordered if p.mention.end_char <= start]
    pos = start
    for p in reversed(before):
        gap = text[p.mention.end_char : pos]
        if _PASSIVE.fullmatch(gap) if not found else _CHAIN.fullmatch(gap):
            found.insert(0, p)
            pos = p.mention.start_char
        else:
            break
    return found


def main_of_article(places: Sequence[Place]) -> Place | None:
    """The settlement the article names most (first on ties), else its most specific place."""
    settlements = [p for p in places if p.entry.kind in SETTLEMENTS]
    settlements = [p for p in settlements if p.entry.country in THEATRE] or settlements
    pool = settlements or list(places)
    if not pool:
        return None
    counts = Counter(p.entry.id for p in pool)
    best = max(counts.values())
    if not settlements:
        return min(pool, key=lambda p: (rank(p), p.mention.start_char))
    return next(p for p in pool if counts[p.entry.id] == best)
