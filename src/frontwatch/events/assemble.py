"""Document assembly: the sentence-level candidates of one report → one event per real incident.

A report tells one strike in its headline, its lead and a quote. Candidates of the same incident (same
ACLED event type, same control change, compatible place, day and sides) become one event that keeps
every mention; its evidence is the most specific of them. A candidate without a place, or at a region
or country that holds exactly one incident of its kind, joins that incident; where the incident is
ambiguous it stays on its own. Hopes and plans are no events, nor are negations ("no damage was
reported"); an explicit denial of a control change is kept, as the contradictions need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from frontwatch.model import DatePrecision, Event, Modality, PlaceKind, Quantity

_SETTLEMENT = (PlaceKind.VILLAGE, PlaceKind.TOWN, PlaceKind.CITY, PlaceKind.FEATURE)
_AREA = (PlaceKind.ADMIN3, PlaceKind.ADMIN2, PlaceKind.ADMIN1, PlaceKind.COUNTRY)
_SIDES = ("Russia", "Ukraine")
# Of two sub-types that tell one strike, the one naming the means: "guided bombs" beats "shelling".
_SPECIFIC_SUB = ("Air/drone strike", "Remote explosive/landmine/IED")
_BEFORE_SLACK_DAYS = 7  # an "on or before" mention is the same incident as a day within the week before it


@dataclass(slots=True)
class _Incident:
    members: list[Event] = field(default_factory=list)

    @property
    def head(self) -> Event:
        return self.members[0]


def assemble(
    events: Sequence[Event],
    *,
    published: date | None,
    title_end: int = 0,
    priority: Callable[[str], int] = lambda _: 0,
    toll: Callable[[str], bool] = lambda _: False,
    yields_to: Callable[[str], tuple[str, ...]] = lambda _: (),
) -> list[Event]:
    """One event per incident, in text order of its first mention; `title_end` ends the headline; `toll`
    says which fw types only tell the toll or the damage of an incident (they join the incident told)."""
    kept = [e for e in events if _is_incident(e)]
    incidents: list[_Incident] = []
    loose: list[Event] = []  # no place, or an area: joined to an incident when that is unambiguous
    tolls: list[Event] = []
    headlines: list[Event] = []
    for e in kept:
        if toll(e.fw_type):
            tolls.append(e)
            continue
        if e.evidence.start_char < title_end:
            headlines.append(e)
            continue
        if e.place is None or e.place.entry.kind in _AREA:
            loose.append(e)
            continue
        home = next((i for i in incidents if _same(i.head, e, published) and _same_place(i.head, e)), None)
        if home is None:
            incidents.append(_Incident([e]))
        else:
            home.members.append(e)
    for e in loose:
        homes = [i for i in incidents if _same(i.head, e, published) and _within(e, i.head)]
        if len(homes) == 1:
            homes[0].members.append(e)
            continue
        same_area = [
            i
            for i in incidents
            if i.head.place is not None and e.place is not None and _same_place(i.head, e)
        ]
        same_area = [i for i in same_area if _same(i.head, e, published)]
        if same_area:
            same_area[0].members.append(e)
        elif not homes and not _whole_country(e, title_end):
            incidents.append(_Incident([e]))
        # several incidents it could belong to and no place of its own to tell them apart: a summary;
        # in a report's body, a whole country and no incident of its kind: a summary too ("used 9,000
        # guided bombs against Ukraine this year", "wrested from Russia since the offensive began")
    for e in headlines:
        # a headline tells the report's incident, often with a coarser or other place ("... In Russian
        # Village"): the one incident of its kind, or the one of its kind at its place
        kind = [i for i in incidents if _same(i.head, e, published)]
        here = [i for i in kind if _same_place(i.head, e) or _within(e, i.head)]
        home = here[0] if len(here) == 1 else kind[0] if len(kind) == 1 else None
        if home is None and not kind:
            # "Russian attacks kill 1 in Kherson Oblast" over a body telling strikes: the headline's generic
            # word is the body's first incident of the kind it yields to (as within one sentence)
            home = next(
                (
                    i
                    for i in incidents
                    if i.head.event_type in yields_to(e.fw_type) and _same_day(i.head, e, published)
                ),
                None,
            )
        if home is None:
            incidents.append(_Incident([e]))
        else:
            home.members.append(e)
    for e in tolls:
        # "two people died", "the missiles killed three": the toll of a strike or attack told in the report
        told = [
            i
            for i in incidents
            if _same_day(i.head, e, published) and (_same_place(i.head, e) or _within(e, i.head))
        ]
        if told:
            told[0].members.append(e)
        elif not any(i.head.event_type != e.event_type for i in incidents):
            incidents.append(_Incident([e]))
    incidents = _fights_into_control_changes(incidents)
    merged = [
        _merge(i.members, published=published, title_end=title_end, priority=priority) for i in incidents
    ]
    return sorted(merged, key=lambda e: e.mentions[0].start_char if e.mentions else e.evidence.start_char)


def _fights_into_control_changes(incidents: list[_Incident]) -> list[_Incident]:
    """The fighting told at a place on the day it changed hands is that control change ("recaptured Izyum
    ... as part of a counter-offensive"): ACLED codes the change itself as the battle."""
    changes = [i for i in incidents if i.head.control_to is not None and i.head.place is not None]
    out = []
    for i in incidents:
        e = i.head
        home = None
        if e.event_type == "Battles" and e.control_to is None and e.place is not None:
            home = next((c for c in changes if _same_place(c.head, e) and c.head.date == e.date), None)
        if home is None:
            out.append(i)
        else:
            home.members.extend(i.members)
    return out


def _is_incident(e: Event) -> bool:
    if e.modality == Modality.HOPED:
        return False
    return e.modality != Modality.DENIED or e.control_to is not None


def _side(e: Event) -> str | None:
    return next((a.side for a in e.actors if a.side in _SIDES), None)


def _same(a: Event, b: Event, published: date | None) -> bool:
    """Same kind of action, same control change, compatible days and doers (the place is checked apart)."""
    if a.event_type != b.event_type:
        return False
    # "resulting in the capture of Andriivka", its taker unnamed, beside "the UAF has liberated Andriivka":
    # one change of hands, told by the side that names who took it
    if a.control_to != b.control_to and not (
        a.control_to and b.control_to and None in (_taker(a), _taker(b))
    ):
        return False
    if a.event_type == "Strategic developments" and a.sub_event_type != b.sub_event_type:
        return False
    if a.event_type == "Battles" and (a.control_to is None) != (b.control_to is None):
        return False
    sa, sb = _side(a), _side(b)
    # a strike by one side and one by the other at one place are two; in a battle both sides act, and
    # who shot down the drones is the side whose air defence it is, however the sentence names it
    if sa and sb and sa != sb and a.event_type == "Explosions/Remote violence":
        return False
    return _same_day(a, b, published)


def _taker(e: Event) -> str | None:
    """The side the text names as acting (not one assumed by default)."""
    return next((a.side for a in e.actors if a.side in _SIDES and a.surface), None)


def _same_day(a: Event, b: Event, published: date | None) -> bool:
    if a.date is None or b.date is None or a.date == b.date:
        return True
    early, late = sorted((a, b), key=lambda e: e.date or date.min)
    assert early.date is not None and late.date is not None
    gap = (late.date - early.date).days
    if late.date_precision == DatePrecision.ON_OR_BEFORE and gap <= _BEFORE_SLACK_DAYS:
        return True
    # a headline or a sentence with no day of its own is dated on the publication day: the day before
    # ("overnight", "yesterday") told elsewhere is the same incident
    return gap <= 1 and late.date == published


def _same_place(a: Event, b: Event) -> bool:
    if a.place is None or b.place is None:
        return a.place is None and b.place is None
    return a.place.entry.id == b.place.entry.id


def _whole_country(e: Event, title_end: int) -> bool:
    """Is e placed at a whole country, in the body of a report that has a headline?"""
    return title_end > 0 and e.place is not None and e.place.entry.kind == PlaceKind.COUNTRY


def _within(e: Event, home: Event) -> bool:
    """Can e's place (none, or an area) be the incident's place?"""
    if e.place is None:
        return True
    if home.place is None or home.place.entry.kind in _AREA:
        return False
    area, spot = e.place.entry, home.place.entry
    if area.kind == PlaceKind.COUNTRY:
        return spot.country == area.country
    if area.kind == PlaceKind.ADMIN1:
        return spot.admin1 in (area.admin1, area.name)
    if area.kind == PlaceKind.ADMIN2:
        return spot.admin2 is not None and spot.admin2 in (area.admin2, area.name)
    return spot.admin3 is not None and spot.admin3 in (area.admin3, area.name)


def _rank(e: Event, title_end: int, priority: Callable[[str], int]) -> tuple[int, int, int, int]:
    """The most specific mention first: a settlement, outside the headline, the most specific type."""
    kind = e.place.entry.kind if e.place is not None else None
    return (
        0 if kind in _SETTLEMENT else 1 if kind is not None else 2,
        1 if e.evidence.start_char < title_end else 0,
        -priority(e.fw_type),
        e.evidence.start_char,
    )


def _merge(
    members: list[Event], *, published: date | None, title_end: int, priority: Callable[[str], int]
) -> Event:
    # a control change absorbs the fighting at its place: it stays the head
    pool = [e for e in members if e.control_to is not None] or members
    pool = [e for e in pool if e.control_to is None or _taker(e) is not None] or pool
    head = min(pool, key=lambda e: _rank(e, title_end, priority))
    mentions = tuple(sorted({e.evidence for e in members}, key=lambda s: (s.start_char, s.end_char)))
    if len(members) == 1:
        return dataclasses.replace(head, mentions=mentions)
    subs = {e.sub_event_type for e in members}
    sub = next(
        (s for s in _SPECIFIC_SUB if s in subs and head.event_type == "Explosions/Remote violence"), None
    )
    dated = min(members, key=lambda e: _date_rank(e, published))
    stated = [e for e in members if e.modality != Modality.DENIED]
    voice = head if head.modality != Modality.DENIED or not stated else stated[0]
    claimant = voice.claimant or next((e.claimant for e in members if e.claimant is not None), None)
    return dataclasses.replace(
        head,
        sub_event_type=sub or head.sub_event_type,
        date=dated.date,
        date_precision=dated.date_precision,
        date_end=dated.date_end,
        modality=voice.modality,
        claimant=claimant,
        weapons=tuple({w.catalogue_id: w for e in members for w in e.weapons}.values()),
        quantities=_quantities(members),
        related_places=tuple(
            {
                p.entry.id: p
                for e in members
                for p in (*e.related_places, *([e.place] if e.place else []))
                if head.place is None or p.entry.id != head.place.entry.id
            }.values()
        ),
        mentions=mentions,
    )


def _date_rank(e: Event, published: date | None) -> tuple[int, int]:
    """A day the text states beats the publication day a mention fell back on; a day beats a range."""
    exact = e.date_precision == DatePrecision.DAY
    stated = e.date is not None and e.date != published
    return (0 if exact and stated else 1 if exact else 2 if e.date is not None else 3, e.evidence.start_char)


def _quantities(members: list[Event]) -> tuple[Quantity, ...]:
    """Each count once; of the same kind and unit told twice, the latest figure (tolls rise)."""
    by_kind: dict[tuple[str, str], Quantity] = {}
    for e in sorted(members, key=lambda e: e.evidence.start_char):
        for q in e.quantities:
            by_kind[(q.kind, q.unit)] = q
    return tuple(by_kind.values())
