"""Which resolved place an event happens at: the most specific its sentence names, else the context's."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from frontwatch.geometry import haversine_km
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
_TOWARDS = re.compile(
    r"\b(?:towards?|in the direction of)\s+(?:the\s+)?(?:(?:city|cities|town|towns|village|villages)\s+)?"
    r"(?:of\s+)?$",
    re.I,
)
# between two places of a list: a comma or "and", after an optional count in brackets ("Kursk (one drone),")
_LIST_GAP = re.compile(
    r"\s*(?:\([^()]{0,40}\)\s*)?(?:(?:areas?|directions?|districts?|sectors?)\s*)?"
    r"(?:,\s*(?:and|as well as)?|and|as well as|&)\s*(?:(?:the|village|town|city|of|in|near|areas?)\s+)*",
    re.I,
)
_FILLER = re.compile(
    r"\s*(?:(?:the|a|of|over|urban-type|small|large|nearby|neighbouring|neighboring|strategic|key|frontline|city|cities|town|towns"
    r"|village|villages|settlement|settlements|locality|localities|hamlet|eastern|western|southern|northern|central"
    r"|north-?eastern|north-?western|south-?eastern|south-?western|embattled|besieged|important|major|industrial"
    r"|occupied|border|coal|mining|surrounding)\s+)*",
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
LIST_CUE = re.compile(
    r"\b(?:including|among them|among which|namely|in particular|such as|they are|these are|those are)\b",
    re.I,
)
NEXT_LIST = re.compile(
    r"^\W*(?:among them|these (?:are|include)|they (?:are|include)|in particular|including)\b", re.I
)
FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
# "Bryansk, Belgorod, Voronezh and Saratov regions": the noun after a list says every member is a region,
# whatever kind each name resolved to on its own
_REGIONS_AFTER = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?(?:regions|oblasts|provinces)\b", re.I)
# "in Melitopol and Berdiansk directions": every member of the list names a front direction
_DIRECTIONS_AFTER = re.compile(r"\s*directions\b", re.I)

# Where a place is named as a venue, a speaker or a government rather than as the scene of what happened:
# "ahead of Minsk peace summit", "Kiev points at Moscow", "Moscow said", "... - Kiev military", ": Kiev".
_VENUE_AFTER = re.compile(
    r"^(?:['’]s?)?\s*(?:peace|talks|summit|negotiations?|agreements?|accords?|deal|format|process|meeting"
    r"|conference|memorandum|protocol|ceasefire\s+talks)\b",
    re.I,
)
_SPEAKER_BEFORE = re.compile(
    r"(?:\bpro-|\b(?:ahead\s+of|points?\s+at|pointed\s+at|blames?|blamed|accuses?|accused|urges?|urged"
    r"|press(?:es)?|asks?|tells?|told|warns?|warned|by)\s+(?:the\s+)?)$",
    re.I,
)
# a person's title before the name: "Deputy Saldo", "warlord Arseny 'Motorola' Pavlov" (surnames that are
# also village names)
_PERSON_BEFORE = re.compile(
    r"\b(?:(?i:deputy|governor|mayor|commander|warlord|minister|president|spokes(?:man|woman)|colonel"
    r"|lieutenant|sergeant|captain|mr|mrs|ms|dr|col|lt|sgt|blogger|journalist|activist)|General|Gen|Chief)\.?\s+"
    r"(?:[A-Z][\w-]*\s+)?(?:['‘\"][^'’\"\n]{1,20}['’\"]\s+)?$",
)
# a place naming a fighting group or unit: "Luhansk rebels", "Skhid (East) operational-tactical group",
# "unit Azov"
_UNIT_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:\([^)\n]{1,20}\)\s+)?(?:rebels?|separatists?|insurgents?|operational|tactical|brigade"
    r"|battalion|regiment|division|group)\b",
    re.I,
)
_UNIT_BEFORE = re.compile(r"\b(?:unit|battalion|regiment|brigade)\s+$", re.I)
# a vessel named after a city: "the large landing ship Novocherkassk", "the cruiser Moskva"
_VESSEL_BEFORE = re.compile(
    r"\b(?:ship|vessel|frigate|submarine|cruiser|corvette|boat|tanker|destroyer|flagship)\s+$", re.I
)
_VESSEL_AFTER = re.compile(
    r"^(?:,?\s+(?:an?|the)\s+(?:[\w-]+\s+){0,3})?\s*(?:ship|vessel|frigate|submarine|cruiser|corvette|tanker|destroyer)\b",
    re.I,
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|near|outside|around|at|on|of|into|across|towards?|over|off|from|inside|within|outskirts)"
    r"\s+(?:(?:the|a|an|[A-Z][\w'’-]*['’]s)\s+)?$",
)
_SPEAKER_AFTER = re.compile(
    r"^(?:['’]s?)?\s*(?:says?|said|saying|accuses?|accused|blames?|blamed|points?|pointed|urges?|urged"
    r"|denies|denied|claims?|claimed|reports?|reported|warns?|warned|tells?|told|vows?|vowed|insists?"
    r"|demands?|demanded|threatens?|threatened|announces?|announced|confirms?|confirmed|calls?\s+on"
    r"|officials?|military|authorities|government|administration|ministry|mission|command|negotiators?"
    r"|envoy|mayor|governor|headquarters|spokes(?:man|woman|person)|kept|keeps|retaliated|responded"
    r"|(?:has|have|had)\s+(?:denied|accused|blamed|said|claimed)"
    r"|['’]s\s+(?:pullout|pull-out|withdrawal|war|invasion|allies|partners|leadership|government|regime))\b",
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
