"""The mutable record the builder merges sources into before freezing them as GazetteerEntry."""

from __future__ import annotations

from dataclasses import dataclass, field

from frontwatch.model import GazetteerEntry, PlaceKind, Precision


@dataclass(slots=True)
class Draft:
    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    precision: Precision
    country: str
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    population: int | None = None
    geonameid: int | None = None
    katotth: str | None = None
    names: list[str] = field(default_factory=list)
    admin1_code: str | None = None  # GeoNames admin1 code, used only while building
    points: list[tuple[float, float]] = field(default_factory=list)  # extra points of long features

    def add_names(self, names: list[str] | tuple[str, ...]) -> None:
        seen = set(self.names)
        for name in names:
            if name and name not in seen:
                self.names.append(name)
                seen.add(name)

    def freeze(self) -> GazetteerEntry:
        return GazetteerEntry(
            id=self.id,
            name=self.name,
            kind=self.kind,
            lat=round(self.lat, 5),
            lon=round(self.lon, 5),
            precision=self.precision,
            country=self.country,
            admin1=self.admin1,
            admin2=self.admin2,
            admin3=self.admin3,
            population=self.population,
            geonameid=self.geonameid,
            katotth=self.katotth,
            names=tuple(self.names),
        )


def settlement_kind(population: int | None, category: str | None = None) -> PlaceKind:
    """City/town/village from population, with KATOTTH's category as a floor for small towns."""
    pop = population or 0
    if pop >= 15_000:
        return PlaceKind.CITY
    if pop >= 3_000 or category in ("M", "T", "K"):
        return PlaceKind.TOWN
    return PlaceKind.VILLAGE
