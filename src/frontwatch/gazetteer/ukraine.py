"""KATOTTH units and settlements merged with GeoNames: one entry per settlement, raions and hromadas.

A settlement that GeoNames has becomes ONE entry (GeoNames id and point, KATOTTH code and path);
the others get an approximate point from their hromada (precision "hromada").
"""

from __future__ import annotations

import logging
from collections import defaultdict

from frontwatch.gazetteer.draft import Draft, settlement_kind
from frontwatch.gazetteer.keys import name_key
from frontwatch.gazetteer.loaders.katotth import SETTLEMENT_CATEGORIES, KatotthRow
from frontwatch.gazetteer.translit import ikavism, kmu2010, russian_style
from frontwatch.geometry import haversine_km, mean_point
from frontwatch.model import PlaceKind, Precision

log = logging.getLogger(__name__)

FEW_KNOWN = 4  # up to this many known settlements (centre included), the centre is the better guess
MAX_LINK_KM = 60.0  # a same-named GeoNames place farther than this from the hromada is another place


def _stems(name: str) -> tuple[str, ...]:
    """Forms a settlement name takes inside an adjective: Ізюм → Ізюм-ський, Барвінкове → Барвінків-ська."""
    low = name.lower()
    stems = [low, low[:-1], low[:-2]]
    for ending, alternation in (("ове", "ів"), ("еве", "ів"), ("ове", "ов"), ("івка", "івськ")):
        if low.endswith(ending):
            stems.append(low[: -len(ending)] + alternation)
    return tuple(s for s in stems if len(s) >= 3)


def _named_after(adjective: str, members: list[KatotthRow]) -> KatotthRow | None:
    """The settlement a raion or hromada is named after: Ізюмський → Ізюм (cities first)."""
    best: tuple[tuple[bool, bool, int], KatotthRow] | None = None
    adj = adjective.lower()
    for row in members:
        for part in _stems(row.name_uk):
            if adj.startswith(part) and len(adj) - len(part) <= 6:
                score = (row.category in "MK", row.category == "T", len(part))
                if best is None or score > best[0]:
                    best = (score, row)
                break
    return best[1] if best else None


def _centre(unit: KatotthRow, members: list[KatotthRow]) -> KatotthRow | None:
    """A hromada's centre is listed first in KATOTTH; a raion is named after its main town."""
    if unit.category == "H" and members:
        named = _named_after(unit.name_uk, members)
        return named or min(members, key=lambda r: r.code)
    return _named_after(unit.name_uk, members)


def _oblast_name(oblasts: dict[str, tuple[str, str | None]], code: str) -> str | None:
    found = oblasts.get(code[2:4])
    return found[0] if found else None


def _unit_names(base_latin: str | None, adj_latin: str, words: tuple[str, ...]) -> list[str]:
    names = []
    for word in words:
        if base_latin:
            names += [f"{base_latin} {word}", f"{base_latin} {word.capitalize()}"]
        names += [f"{adj_latin} {word}", f"{adj_latin} {word.capitalize()}"]
    return names


def build_ukraine(
    rows: list[KatotthRow], places: dict[str, Draft], oblasts: dict[str, tuple[str, str | None]]
) -> list[Draft]:
    """Merge KATOTTH into the GeoNames `places` (modified in place); return the new drafts.

    `oblasts` maps the two KATOTTH digits of an oblast to (English name, GeoNames admin1 code).
    """
    # GeoNames keeps former names (Soviet-era, Russian) as alternates; a village of that name that still
    # exists elsewhere must not take over the renamed town. So primary names link first.
    by_primary: dict[str, list[Draft]] = defaultdict(list)
    by_alternate: dict[str, list[Draft]] = defaultdict(list)
    for place in places.values():
        if place.country == "UA" and place.kind in (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE):
            primary = name_key(place.name)
            by_primary[primary].append(place)
            # Sorted: set order varies with PYTHONHASHSEED and the build must be reproducible.
            for key in sorted({name_key(n) for n in place.names} - {primary, ""}):
                by_alternate[key].append(place)
    units = {r.code: r for r in rows if r.category in "OPH"}
    settlements = [r for r in rows if r.category in SETTLEMENT_CATEGORIES]
    members: dict[str, list[KatotthRow]] = defaultdict(list)
    for row in settlements:
        for unit_code in (row.hromada, row.raion):
            if unit_code:
                members[unit_code].append(row)

    def row_keys(row: KatotthRow) -> list[str]:
        return sorted({name_key(kmu2010(row.name_uk)), name_key(row.name_uk)})

    def in_oblast(row: KatotthRow, found: list[Draft]) -> list[Draft]:
        code = oblasts.get(row.oblast[2:4], ("", None))[1]
        unique = {d.id: d for d in found}.values()
        # Ordered by id so that ties (equal distances, first candidate) never depend on hash order.
        return sorted((d for d in unique if code is None or d.admin1_code == code), key=lambda d: d.id)

    primary_taken = {
        d.id for row in settlements for d in in_oblast(row, [d for k in row_keys(row) for d in by_primary[k]])
    }

    def candidates(row: KatotthRow) -> list[Draft]:
        keys = row_keys(row)
        found = in_oblast(row, [d for k in keys for d in by_primary.get(k, [])])
        if found:
            return found
        alternates = [d for k in keys for d in by_alternate.get(k, []) if d.id not in primary_taken]
        return in_oblast(row, alternates)

    cands = {row.code: candidates(row) for row in settlements}
    # Pass 1: unambiguous links anchor each hromada and raion.
    claims: dict[str, int] = defaultdict(int)
    for found in cands.values():
        for d in found:
            claims[d.id] += 1
    anchors: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in settlements:
        found = cands[row.code]
        if len(found) == 1 and claims[found[0].id] == 1:
            for unit_code in (row.hromada, row.raion):
                if unit_code:
                    anchors[unit_code].append((found[0].lat, found[0].lon))

    def reference(row: KatotthRow) -> tuple[float, float] | None:
        for unit_code in (row.hromada, row.raion):
            if unit_code and anchors.get(unit_code):
                return mean_point(anchors[unit_code])
        return None

    # Pass 2: each settlement takes its nearest candidate; a GeoNames place goes to its nearest claimant.
    best_for_place: dict[str, tuple[float, str]] = {}
    choice: dict[str, Draft] = {}
    for row in settlements:
        found = cands[row.code]
        if not found:
            continue
        ref = reference(row)
        if ref is None:
            if len(found) != 1:
                continue
            pick, dist = found[0], 0.0
        else:
            pick = min(found, key=lambda d: (haversine_km(ref[0], ref[1], d.lat, d.lon), d.id))
            dist = haversine_km(ref[0], ref[1], pick.lat, pick.lon)
            if dist > MAX_LINK_KM:
                continue
        if pick.id not in best_for_place or (dist, row.code) < best_for_place[pick.id]:
            best_for_place[pick.id] = (dist, row.code)
        choice[row.code] = pick
    linked = {code: d for code, d in choice.items() if best_for_place[d.id][1] == code}

    known: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in settlements:
        if row.code in linked:
            d = linked[row.code]
            for unit_code in (row.hromada, row.raion):
                if unit_code:
                    known[unit_code].append((d.lat, d.lon))

    def unit_point(code: str) -> tuple[float, float] | None:
        # The centroid of the unit's known settlements: nearer to most of its villages than a centre
        # that may sit at the unit's edge.
        return mean_point(known[code]) if known.get(code) else None

    def village_point(hromada: str) -> tuple[float, float] | None:
        # Leave-one-out over the settlements GeoNames places: with few known settlements the hromada's
        # centre is nearer to the others than their centroid (within 25 km 97% vs 96%); with many, not.
        if len(known.get(hromada, ())) <= FEW_KNOWN and hromada in centre_points:
            return centre_points[hromada]
        return unit_point(hromada)

    new: list[Draft] = []
    unit_labels: dict[str, str] = {}
    centre_points: dict[str, tuple[float, float]] = {}
    for code, unit in units.items():
        if unit.category == "O":
            continue
        oblast_name = _oblast_name(oblasts, unit.oblast)
        centre = _centre(unit, members.get(code, []))
        base_latin = kmu2010(centre.name_uk) if centre else None
        adj_latin = kmu2010(unit.name_uk)
        if unit.category == "P":
            kind, words, label = PlaceKind.ADMIN2, ("raion", "district", "rayon"), "Raion"
        else:
            kind, words, label = (
                PlaceKind.ADMIN3,
                ("hromada", "community", "territorial community"),
                "Hromada",
            )
        display = f"{base_latin or adj_latin} {label}"
        unit_labels[code] = display
        point = None
        if centre is not None and centre.code in linked:
            point = (linked[centre.code].lat, linked[centre.code].lon)
            centre_points[code] = point
        point = point or unit_point(code)
        raion_point = unit_point(unit.raion) if unit.raion else None
        point = point or raion_point
        if point is None:
            continue
        draft = Draft(
            id=f"katotth:{code}",
            name=display,
            kind=kind,
            lat=point[0],
            lon=point[1],
            precision=Precision.RAION if kind is PlaceKind.ADMIN2 else Precision.HROMADA,
            country="UA",
            admin1=oblast_name,
            katotth=code,
        )
        draft.add_names([display, *_unit_names(base_latin, adj_latin, words), unit.name_uk])
        new.append(draft)

    unplaced = 0
    for row in settlements:
        oblast_name = _oblast_name(oblasts, row.oblast)
        latin = kmu2010(row.name_uk)
        names = [latin, *russian_style(latin), *ikavism(latin), row.name_uk]
        admin2 = unit_labels.get(row.raion) if row.raion else None
        admin3 = unit_labels.get(row.hromada) if row.hromada else None
        if row.code in linked:
            d = linked[row.code]
            d.katotth, d.admin1, d.admin2, d.admin3 = row.code, oblast_name or d.admin1, admin2, admin3
            d.kind = settlement_kind(d.population, row.category)
            d.add_names(names)
            continue
        point, precision = None, Precision.HROMADA
        if row.hromada:
            point = village_point(row.hromada)
        if point is None and row.raion:
            point, precision = unit_point(row.raion), Precision.RAION
        if point is None:
            unplaced += 1
            continue
        draft = Draft(
            id=f"katotth:{row.code}",
            name=latin,
            kind=settlement_kind(None, row.category),
            lat=point[0],
            lon=point[1],
            precision=precision,
            country="UA",
            admin1=oblast_name,
            admin2=admin2,
            admin3=admin3,
            katotth=row.code,
        )
        draft.add_names(names)
        new.append(draft)
    log.info(
        "KATOTTH: %d settlements linked to GeoNames, %d new entries, %d without any point",
        len(linked),
        len(new),
        unplaced,
    )
    return new
