"""Units written after a name ("X, Y district, Z region"): each narrows the name's candidates to those
inside it; pre-2020 raions (which KATOTTH no longer has) are placed at the town they were named after,
and a name the gazetteer does not know, written right before a unit, is looked up approximately."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from frontwatch.gazetteer import Gazetteer, NameMatch
from frontwatch.gazetteer.keys import name_key
from frontwatch.geometry import haversine_km
from frontwatch.model import (
    GazetteerEntry,
    PlaceKind,
    Precision,
)
from frontwatch.resolve_rules import SETTLEMENTS, Layout, scoring

# What may stand between a name and the unit that says where it is, and between two such units.
_UNIT_GAP = re.compile(
    r"\s*(?:(?:village|town|city|settlement|urban-type settlement|township)\b\s*)?[,(\[]?\s*"
    r"(?:(?:in|of)\s+)?(?:the\s+)?",
    re.I,
)
_NEXT_UNIT_GAP = re.compile(r"[\s,()\[\]]*(?:(?:in|of)\s+)?(?:the\s+)?", re.I)
# A pre-2020 raion, written as an adjective: "Starobeshivskiy district", "Amvrosievsky region".
_FORMER_RAION = re.compile(
    r"\b([A-Z][a-z'’]+?(?:-[A-Z][a-z'’]+?)?)'?s[ck](?:yi|iy|ii|ij|yy|y|oy|oho|ogo|a|e|i)\s+"
    r"(?:district|raion|rayon|region)\b"
)
FORMER_RAION_SUFFIXES = ("", "e", "a", "o", "ka", "ye", "ia", "aya", "sk", "ske", "ne", "ove", "ive")
FORMER_RAION_ROLE = "former district"  # the role of a pre-2020 raion's mention
# After "X district": "of Mariupol", "in the city of Donetsk": X is a part of that city, not a raion.
_CITY_DISTRICT = re.compile(
    r"(?:[ \t]+(?:district|raion|rayon))?[ \t]+(?:of|in)[ \t]+(?:the[ \t]+)?(?:city[ \t]+of[ \t]+)?"
    r"[A-Z](?![\w'’-]*[ \t]+(?:region|oblast|province))"
)


@dataclass(frozen=True, slots=True)
class _Unit:
    """A region or raion the text writes after a name: where that name's place must be."""

    start: int
    end: int
    admin1: frozenset[str]
    admin2: frozenset[str] = frozenset()
    centre: tuple[float, float] | None = None  # a former raion: its centre town
    town: GazetteerEntry | None = None  # a former raion: the town it was named after
    # written as a region or raion of the gazetteer ("Donetsk region", "Bakhmut district", "DPR"), not
    # guessed from a city or a former raion's name: only such units make approximate names safe
    firm: bool = True


def _former_raion_centre(stem: str, gazetteer: Gazetteer) -> GazetteerEntry | None:
    """The town a pre-2020 raion was named after: "Starobeshivskyi" → Starobesheve, "Maryinsky" → Maryinka."""
    found: dict[str, GazetteerEntry] = {}
    bases = {stem, stem[:-3] if stem.endswith(("yan", "ian")) else stem}
    for base in bases:
        for suffix in FORMER_RAION_SUFFIXES:
            for entry_id in gazetteer.candidates(base + suffix):
                entry = gazetteer.entry(entry_id)
                if entry.country == "UA" and entry.kind in SETTLEMENTS and entry.admin1:
                    found[entry_id] = entry
    if not found:
        return None
    return _town(list(found.values()), stem)


def _town(entries: list[GazetteerEntry], surface: str) -> GazetteerEntry:
    """The town a raion is named after: one written under its own name (Sloviansk, not Nikopol that
    GeoNames also knows as "Slaviansk"), then a town before a village, then the most populous."""
    key = name_key(surface.split()[0]) if surface.split() else ""
    return max(
        entries,
        key=lambda e: (
            name_key(e.name).startswith(key[: max(3, len(key) - 2)]),
            e.kind is not PlaceKind.VILLAGE,
            e.population or 0,
        ),
    )


def _units(
    kept: list[tuple[NameMatch, tuple[str, ...]]], layout: Layout, gazetteer: Gazetteer
) -> tuple[list[_Unit], set[int]]:
    """Every region or raion the text names (also pre-2020 raions, which KATOTTH no longer has), and the
    indexes of kept matches that only named a former raion (not places: "Shakhtarskyi district")."""
    text, context = layout.text, layout.context
    units: list[_Unit] = []
    dropped: set[int] = set()
    district_towns: list[tuple[int, NameMatch, list[GazetteerEntry]]] = []
    spans = []
    for k, (match, ids) in enumerate(kept):
        entries = [gazetteer.entry(i) for i in ids]
        if match.role == "region" and entries and all(e.kind is PlaceKind.ADMIN1 for e in entries):
            units.append(_Unit(match.start, match.end, frozenset(e.name for e in entries)))
        elif match.role == "district" and entries and all(e.kind is PlaceKind.ADMIN2 for e in entries):
            units.append(
                _Unit(
                    match.start,
                    match.end,
                    frozenset(e.admin1 for e in entries if e.admin1),
                    frozenset(e.name for e in entries),
                )
            )
        elif match.role == "district" and _CITY_DISTRICT.match(text, match.end):
            dropped.add(k)  # "the Vostochny district of Mariupol": a part of the city named next, no raion
        elif match.role == "district" and entries and all(e.kind in SETTLEMENTS for e in entries):
            district_towns.append((k, match, entries))
            spans.append((match.start, match.end, k))
        else:
            spans.append((match.start, match.end, k))
            capitals = [e for e in entries if e.kind is PlaceKind.CITY and e.admin1]
            capitals = [e for e in capitals if (e.population or 0) > scoring().oblast_centre_population]
            if match.role is None and capitals:  # "Pobeda village, Donetsk": the oblast of its centre
                seats = frozenset(e.admin1 for e in capitals if e.admin1)
                units.append(_Unit(match.start, match.end, seats, firm=False))
    taken = bytearray(len(text))  # 1 where a unit is written: overlap tests cost a unit's length
    for u in units:
        taken[u.start : u.end] = b"\x01" * (u.end - u.start)
    span_ends = [e for _, e, _ in spans]  # kept matches never overlap, so their ends are sorted too
    for m in _FORMER_RAION.finditer(text):
        if any(taken[m.start() : m.end()]) or _CITY_DISTRICT.match(text, m.end()):
            continue  # a current raion ("Bakhmutskyi raion") the gazetteer knows, or a city's district
        centre = _former_raion_centre(m.group(1), gazetteer)
        if centre is None:
            continue
        covered = []
        for s, _, k in spans[bisect.bisect_right(span_ends, m.start()) :]:
            if s >= m.end():
                break
            covered.append(k)
        if any(kept[k][0].role not in ("district", "region") for k in covered):
            continue  # "Yasynuvata district": a name already matched as a place
        dropped.update(covered)
        # An adjective of an oblast centre ("Kharkivska region") names the oblast, not a raion.
        capital = (centre.population or 0) > scoring().oblast_centre_population
        point = None if capital else (centre.lat, centre.lon)
        admin1 = frozenset({centre.admin1 or ""})
        units.append(_Unit(m.start(), m.end(), admin1, centre=point, town=centre, firm=False))
        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    # "Krasnopolye of the Donetsk People's Republic", "Ozernoye, DPR": a party named after one region
    for start, end, named in context:
        if len(named) == 1:
            units.append(_Unit(start, end, frozenset(named)))
            taken[start:end] = b"\x01" * (end - start)
    for k, match, entries in district_towns:
        if k in dropped or any(taken[match.start : match.end]):
            continue
        # "Novoaydar district": a raion KATOTTH no longer has, named after its town
        towns = [e for e in entries if e.country == "UA"] or entries
        town = _town(towns, match.surface)
        point = (town.lat, town.lon)
        admin1 = frozenset({town.admin1 or ""})
        units.append(_Unit(match.start, match.end, admin1, centre=point, town=town, firm=False))
        dropped.add(k)
    units.sort(key=lambda u: u.start)
    return units, dropped


def _chain(match: NameMatch, units: list[_Unit], starts: list[int], layout: Layout) -> list[_Unit]:
    """The units written right after a name, one after the other: "X (Y district), Z region". `units` are
    sorted by start (`starts`); a bounded number are looked at, so a text of repeats stays linear."""
    w = scoring()
    chain: list[_Unit] = []
    pos = match.end
    first = bisect.bisect_left(starts, pos)
    for unit in units[first : first + w.max_scan]:
        layout.work.unit_checks += 1
        if unit.start < pos:
            continue
        gap = _UNIT_GAP if not chain else _NEXT_UNIT_GAP
        if not gap.fullmatch(layout.text, pos, unit.start):
            break
        chain.append(unit)
        pos = unit.end
        if len(chain) >= w.max_chain:
            break
    return chain


def _inside(entry: GazetteerEntry, unit: _Unit) -> bool:
    if entry.admin1 not in unit.admin1:
        return False
    if unit.admin2 and entry.admin2 is not None and entry.admin2 not in unit.admin2:
        return False
    if unit.centre is not None:
        lat, lon = unit.centre
        return haversine_km(entry.lat, entry.lon, lat, lon) <= scoring().former_raion_km
    return True


def _inside_chain(ids: tuple[str, ...], chain: list[_Unit], gazetteer: Gazetteer) -> tuple[str, ...]:
    """The candidates inside every unit of the chain; failing that (a former raion's centre may sit off),
    inside every unit's region."""
    inside = tuple(i for i in ids if all(_inside(gazetteer.entry(i), u) for u in chain))
    return inside or tuple(i for i in ids if all(gazetteer.entry(i).admin1 in u.admin1 for u in chain))


def _approximate(
    match: NameMatch, chain: list[_Unit], layout: Layout, gazetteer: Gazetteer
) -> tuple[str, ...]:
    """Settlements of the chain's units a few edits from the written name ("Noivomykhailivka, Donetsk
    Obl"): the unit written right after the name is the context that makes a near miss safe to take."""
    firm = [u for u in chain if u.firm]
    if not firm:
        return ()
    regions = frozenset.intersection(*(u.admin1 for u in firm))
    found = _inside_chain(gazetteer.approximate(match.surface, regions=regions), firm, gazetteer)
    if found:
        layout.work.approximate.append((match.start, match.end, match.surface, found))
    return found


# A capitalised word (or two joined by a hyphen) and what may stand between it and a unit after it.
_WORD_BEFORE_UNIT = re.compile(
    r"([A-Z][a-z'’]{3,}(?:-[A-Z]?[a-z'’]+)?)"
    r"(?:[ \t]+(?:village|town|city|settlement))?[ \t]*[,(\[]?[ \t]*(?:(?:in|of)[ \t]+)?(?:the[ \t]+)?$"
)
_WORD_REACH = 60  # characters looked at before a unit


def _unknown_before_units(
    units: list[_Unit], starts: list[int], matched: bytearray, layout: Layout, gazetteer: Gazetteer
) -> list[tuple[NameMatch, tuple[str, ...]]]:
    """Names the gazetteer does not know written right before a unit ("Ilvoaisk, Donetsk region"), placed
    by approximate matching inside that unit; each unit is looked at once, so this stays linear."""
    out = []
    for unit in units:
        found = _WORD_BEFORE_UNIT.search(layout.text, max(0, unit.start - _WORD_REACH), unit.start)
        if (
            found is None
            or any(matched[found.start(1) : found.end(1)])
            or gazetteer.is_common_word(found.group(1))
        ):
            continue
        match = NameMatch(found.start(1), found.end(1), found.group(1), ())
        chain = _chain(match, units, starts, layout)
        ids = _approximate(match, chain, layout, gazetteer) if chain else ()
        if ids:
            out.append((replace(match, candidate_ids=ids), ids))
            matched[match.start : match.end] = b"\x01" * (match.end - match.start)
    return out


def narrow(
    kept: list[tuple[NameMatch, tuple[str, ...]]], matched: bytearray, layout: Layout, gazetteer: Gazetteer
) -> list[tuple[NameMatch, tuple[str, ...]]]:
    """A unit the text writes after a name is a hard filter on its candidates ("Andriivka village in Kyiv
    Oblast", "Kutuzovka, Dobropolsky district, Donetsk region"); former raions narrow, are not places."""
    text = layout.text
    units, dropped = _units(kept, layout, gazetteer)
    starts = [u.start for u in units]
    out = []
    for k, (match, ids) in enumerate(kept):
        if k in dropped:
            continue
        chain = _chain(match, units, starts, layout) if match.role not in ("region", "district") else []
        if chain:
            inside = _inside_chain(ids, chain, gazetteer)
            if not inside and match.role is None:  # "Luhansk, Donetsk region": a village spelt like a city
                inside = _approximate(match, chain, layout, gazetteer)
            ids = inside or ids
        out.append((match, ids))
    out += _unknown_before_units(units, starts, matched, layout, gazetteer)
    for unit in units:
        if unit.town is not None and unit.centre is not None:
            surface = text[unit.start : unit.end]
            out.append((NameMatch(unit.start, unit.end, surface, (unit.town.id,), FORMER_RAION_ROLE), ()))
    out.sort(key=lambda pair: pair[0].start)
    return [(match, ids or match.candidate_ids) for match, ids in out]


def former_raion(town: GazetteerEntry, surface: str) -> GazetteerEntry:
    """A pre-2020 raion as a place: a raion-precision point at the town it was named after (KATOTTH has
    only the new, larger raions); its id is the town's with a prefix, so it never poses as the town."""
    return replace(
        town,
        id=f"former-raion:{town.id}",
        name=surface,
        kind=PlaceKind.ADMIN2,
        precision=Precision.RAION,
        admin2=None,
        admin3=None,
        population=None,
        names=(surface,),
    )
