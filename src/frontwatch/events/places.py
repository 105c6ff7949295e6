"""Which resolved place an event happens at: the most specific its sentence names, else the context's."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from frontwatch.events.words import alternation, words
from frontwatch.geometry import haversine_km
from frontwatch.model import Place, PlaceKind

_W = words()

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
_TOWARDS = re.compile(
    r"\b(?:towards?|in the direction of)\s+(?:the\s+)?(?:(?:city|cities|town|towns|village|villages)\s+)?"
    r"(?:of\s+)?$",
    re.I,
)
# between two places of a list: a comma or "and", after an optional count in brackets ("Kursk (one drone),")
_LIST_GAP = re.compile(
    rf"\s*(?:\([^()]{{0,40}}\)\s*)?(?:(?:{alternation(_W.list_area)})\s*)?"
    rf"(?:,\s*(?:and|as well as)?|and|as well as|&)\s*(?:(?:{alternation(_W.list_gap_filler)})\s+)*",
    re.I,
)
_FILLER = re.compile(rf"\s*(?:(?:{alternation(_W.place_filler)})\s+)*", re.I)
_CHAIN = re.compile(rf"\s*(?:,|and|, and|&|as well as)\s*(?:(?:{alternation(_W.chain_filler)})\s+)*", re.I)
_PASSIVE = re.compile(rf"\s*(?:(?:{alternation(_W.passive_filler)})\s+)*", re.I)
GENERIC_OBJECT = re.compile(rf"^\s*(?:\w+\s+){{0,2}}?(?:{alternation(_W.generic_object)})\b", re.I)
ANAPHORIC_OBJECT = re.compile(rf"^\s*(?:the|this)\s+(?:{alternation(_W.anaphoric_object)})\b", re.I)
LIST_CUE = re.compile(rf"\b(?:{alternation(_W.list_cue)})\b", re.I)
NEXT_LIST = re.compile(rf"^\W*(?:{alternation(_W.next_list)})\b", re.I)
FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
# "Bryansk, Belgorod, Voronezh and Saratov regions": the noun after a list says every member is a region,
# whatever kind each name resolved to on its own
_REGIONS_AFTER = re.compile(rf"\s*(?:\([^()]{{0,40}}\)\s*)?(?:{alternation(_W.region_plural)})\b", re.I)
# "in Melitopol and Berdiansk directions": every member of the list names a front direction
_DIRECTIONS_AFTER = re.compile(r"\s*directions\b", re.I)

# Where a place is named as a venue, a speaker or a government rather than as the scene of what happened:
# "ahead of Minsk peace summit", "Kiev points at Moscow", "Moscow said", "... - Kiev military", ": Kiev".
_VENUE_AFTER = re.compile(rf"^(?:['’]s?)?\s*(?:{alternation(_W.venue_after)})\b", re.I)
_SPEAKER_BEFORE = re.compile(rf"(?:\bpro-|\b(?:{alternation(_W.speaker_before)})\s+(?:the\s+)?)$", re.I)
# a person's title before the name: "Deputy Saldo", "warlord Arseny 'Motorola' Pavlov" (surnames that are
# also village names)
_PERSON_BEFORE = re.compile(
    rf"\b(?:(?i:{alternation(_W.person_title)})|General|Gen|Chief)\.?\s+"
    r"(?:[A-Z][\w-]*\s+)?(?:['‘\"][^'’\"\n]{1,20}['’\"]\s+)?$",
)
# a place naming a fighting group or unit: "Luhansk rebels", "Skhid (East) operational-tactical group",
# "unit Azov"
_UNIT_AFTER = re.compile(
    rf"^(?:['’]s)?\s+(?:\([^)\n]{{1,20}}\)\s+)?(?:{alternation(_W.unit_after)})\b",
    re.I,
)
_UNIT_BEFORE = re.compile(rf"\b(?:{alternation(_W.unit_before)})\s+$", re.I)
# a vessel named after a city: "the large landing ship Novocherkassk", "the cruiser Moskva"
_VESSEL_BEFORE = re.compile(rf"\b(?:{alternation(_W.vessel_before)})\s+$", re.I)
_VESSEL_AFTER = re.compile(
    rf"^(?:,?\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,3}})?\s*(?:{alternation(_W.vessel_after)})\b",
    re.I,
)
_LOCATIVE_BEFORE = re.compile(
    rf"\b(?:{alternation(_W.locative_before)})"
    r"\s+(?:(?:the|a|an|[A-Z][\w'’-]*['’]s)\s+)?$",
)
_SPEAKER_AFTER = re.compile(
    rf"^(?:['’]s?)?\s*(?:{alternation(_W.speaker_after)}"
    rf"|['’]s\s+(?:{alternation(_W.capital_possession)}))\b",
    re.I,
)
# the attribution tail of a headline: "... - Kiev military", "...: Kiev", "... - Skhid operational group"
# (after a lower-case word: "Izyum - Barvinkove" is a direction, not a tail)
_TAIL_BEFORE = re.compile(r"(?:(?:^|\s)[a-z0-9][\w'’]*\s+[-–—]|:)\s+(?:the\s+)?$")
_DASH_BEFORE = re.compile(r"\s[-–—]\s+(?:the\s+)?$")
_WORD_AFTER = re.compile(r"^\s+[a-z]")
_TAIL_AFTER = re.compile(r"^[\w'’ -]{0,40}(?:\n|$)")


# The countries of the war: a same-named village abroad ranks below this war's raions, above its oblasts.
THEATRE = frozenset({"UA", "RU", "BY"})


def rank(p: Place) -> float:
    r = RANK.get(p.entry.kind, 6)
    return r if p.entry.country in THEATRE or r > 2 else 2.5


def is_scene(text: str, p: Place) -> bool:
    """False where the text names the place as a venue, a speaker or a government, not where things happen."""
    a, b = p.mention.start_char, p.mention.end_char
    before = text[max(0, a - 30) : a]
    after = text[b : b + 60]
    if _VENUE_AFTER.match(after) or _SPEAKER_BEFORE.search(before) or _PERSON_BEFORE.search(before):
        return False
    if _UNIT_AFTER.match(after) or _UNIT_BEFORE.search(before):
        return False
    if _VESSEL_BEFORE.search(before) or _VESSEL_AFTER.match(after):
        return False
    if is_tag_line(text, p):
        return False
    if _LOCATIVE_BEFORE.search(before):
        return True  # "in Donetsk", "near Kyiv", "village of X": a scene even when a verb of saying follows
    if _SPEAKER_AFTER.match(after):
        return False
    if not _TAIL_AFTER.match(after):
        return True
    # "... - Kiev military": a tail; "Izyum - Barvinkove" (nothing after, a place before) is a direction
    return not (_TAIL_BEFORE.search(before) or (_DASH_BEFORE.search(before) and _WORD_AFTER.match(after)))


def is_tag_line(text: str, p: Place) -> bool:
    """A name alone on a line that continues a block of headlines: a tag or a list of names, not a scene
    (a dateline stands on its own line after a blank one, or before its story)."""
    a, b = p.mention.start_char, p.mention.end_char
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if line.strip(" .,;:") != p.mention.surface or line_start < 2:
        return False
    return text[line_start - 2] not in "\n" and line_end >= 0 and text[line_end + 1 : line_end + 2] != ""


def choose(text: str, places: Sequence[Place]) -> tuple[Place | None, list[Place]]:
    """The main place of a sentence and the others; a direction "Izyum - Barvinkove" points at its end.

    A place named only as a venue, speaker or government is never the main place: the event then takes
    its context's place ("Dozens killed in Ukraine ahead of Minsk peace summit")."""
    if not places:
        return None, []
    ordered = sorted(places, key=lambda p: p.mention.start_char)
    scenes = [p for p in ordered if is_scene(text, p)]
    if not scenes:
        return None, unique(ordered)
    # "Kupyansk direction: areas of the settlements of Gryanikovka, Timkovka": a direction names where
    # a push goes, not where the event is; a settlement named otherwise wins over it
    main = min(scenes, key=lambda p: (rank(p), is_direction(p)))
    # "in the direction of Izyum - Barvinkove": the second of a dashed pair is where the push goes
    for a, b in pairwise(ordered):
        if (
            a is main
            and b in scenes
            and rank(b) == rank(a)
            and _DASH.fullmatch(text[a.mention.end_char : b.mention.start_char])
        ):
            main = b
    return main, unique([p for p in ordered if p.entry.id != main.entry.id])


def is_direction(p: Place) -> bool:
    return p.mention.role == "direction"


def km(a: Place, b: Place) -> float:
    """Great-circle distance between two places."""
    return haversine_km(a.entry.lat, a.entry.lon, b.entry.lat, b.entry.lon)


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


def enumeration(text: str, places: Sequence[Place], main: Place) -> list[Place]:
    """The places listed with `main` ("near Terny, Bilohorivka and Maryinka", "over Belgorod (four drones),
    Voronezh (four drones) ... regions"): one event each. Only places of main's rank, in one run."""
    ordered = sorted(unique(places), key=lambda p: p.mention.start_char)
    if main not in ordered:
        return [main]
    at = ordered.index(main)
    run = _run(text, ordered, at, same_rank=False)
    if not _REGIONS_AFTER.match(text, run[-1].mention.end_char):
        run = _run(text, ordered, at, same_rank=True)
    if len(run) > 1 and _TOWARDS.search(
        text, max(0, run[0].mention.start_char - 40), run[0].mention.start_char
    ):
        return [main]  # "trying to move towards A and B": one push, at where it heads first
    if len(run) > 1 and _DIRECTIONS_AFTER.match(text, run[-1].mention.end_char):
        run = [
            p if is_direction(p) else replace(p, mention=replace(p.mention, role="direction")) for p in run
        ]
    return [p for p in run if is_scene(text, p)] or [main]


def _run(text: str, ordered: list[Place], at: int, *, same_rank: bool) -> list[Place]:
    """The places around ordered[at] joined to it by list gaps (of its rank only, with same_rank)."""
    main = ordered[at]
    run = [main]
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(ordered):
            a, b = (ordered[i + step], ordered[i]) if step < 0 else (ordered[i], ordered[i + step])
            other = ordered[i + step]
            if (same_rank and rank(other) != rank(main)) or not _LIST_GAP.fullmatch(
                text[a.mention.end_char : b.mention.start_char]
            ):
                break
            run.insert(0, other) if step < 0 else run.append(other)
            i += step
    return run


def main_of_article(places: Sequence[Place], *, text: str | None = None) -> Place | None:
    """The settlement the article names most (first on ties), else its most specific place; with the text,
    places named only as venues, speakers or governments count only when the article names no scene."""
    if text is not None:
        places = [p for p in places if is_scene(text, p)] or places
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
