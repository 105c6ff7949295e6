"""Resolution on the real index: words that are not places, and units that say where a village is."""

from __future__ import annotations

import re
from datetime import date

import pytest

from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.translit import ikavism
from frontwatch.geometry import haversine_km as km
from frontwatch.model import (
    AnnotatedArticle,
    Article,
    Entity,
    GazetteerEntry,
    PlaceKind,
    Precision,
    ResolvedArticle,
    Span,
)
from frontwatch.resolve import Work, resolve


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.open_default()


def annotated(text: str, entities: tuple[Entity, ...] = ()) -> AnnotatedArticle:
    article = Article(id="t", title=text.split("\n")[0], text=text, published=None, published_from="unknown")
    spans, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+|\n+|$", text):
        if match.start() > start:
            spans.append(Span(start, match.start(), text[start : match.start()]))
        start = match.end()
    return AnnotatedArticle(article=article, sentences=tuple(spans), entities=entities)


def places(gaz: Gazetteer, text: str, entities: tuple[Entity, ...] = ()) -> ResolvedArticle:
    return resolve(annotated(text, entities), gazetteer=gaz)


def surfaces(result: ResolvedArticle) -> list[str]:
    return [p.mention.surface for p in result.places]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Drone footage of the destruction in Borodianka", ["Borodianka"]),
        ("Fire in the outskirts of Kharkiv", ["Kharkiv"]),
        ("Video of a supermarket damaged in Chuhuiv", ["Chuhuiv"]),
        ("Aftermath of the strike on Gagarin Stadium in Chernihiv", ["Chernihiv"]),
        ("Reportedly Russian troops in the Police station of Melitopol", ["Melitopol"]),
        ("Russian forces in melitopol", ["melitopol"]),
        ("One KIA, two WIA near Avdiivka, said Oleksandr Hlushko.", ["Avdiivka"]),
        ("Five soldiers killed near Avdiivka: Kiev", ["Avdiivka"]),
        ("Kiev says rebels shelled Avdiivka", ["Avdiivka"]),
        ("Civilian killed in Kiev's shelling of Horlivka", ["Horlivka"]),
        ("TOS-1 in Tokmak", ["Tokmak"]),
        ("A BALLET SOLOIST DIED IN SUMY", ["SUMY"]),
    ],
)
def test_words_and_parties_are_not_places(gaz: Gazetteer, text: str, expected: list[str]) -> None:
    assert surfaces(places(gaz, text)) == expected


def test_a_lone_org_label_on_a_place_name_is_the_models_mislabel(gaz: Gazetteer) -> None:
    text = "Reportedly, tanks drive into Slavutych."
    start = text.index("Slavutych")
    mislabel = (Entity("ORG", start, start + 9, "Slavutych"),)
    assert surfaces(places(gaz, text, mislabel)) == ["Slavutych"]
    theatre = "Mariupol Drama Theater after the strike; the Security Service of Ukraine"
    service = theatre.index("Security")
    orgs = (
        Entity("ORG", 0, 22, "Mariupol Drama Theater"),
        Entity("ORG", service, len(theatre), "Security Service of Ukraine"),
    )
    assert surfaces(places(gaz, theatre, orgs)) == ["Mariupol"]


def _as_person(text: str, *names: str) -> tuple[Entity, ...]:
    found = []
    for name in names:
        start = text.index(name)
        found.append(Entity("PERSON", start, start + len(name), name))
    return tuple(found)


@pytest.mark.parametrize(
    ("text", "persons", "expected"),
    [
        # The small model's PERSON on a well-known town, or on a place after a place preposition: places.
        (
            "Russian forces had captured Kupiansk in the Kharkiv region",
            ["Kupiansk"],
            ["Kupiansk", "Kharkiv region"],
        ),
        ("Ukraine denies Russian claims about Kupiansk", ["Kupiansk"], ["Kupiansk"]),
        ("Reportedly, tanks drive into Slavutych.", ["Slavutych"], ["Slavutych"]),
        ("Shelling reported near Spivakivka overnight", ["Spivakivka"], ["Spivakivka"]),
        # Real people: a first name and surname, a surname after a title, a village-surname with no cue.
        ("Maxim Strelnik said the city was shelled", ["Maxim Strelnik"], []),
        ("General Izium said the attack failed", ["Izium"], []),
        ("Mr. Kupiansk told reporters", ["Kupiansk"], []),
        ("Spivakivka said the attack failed", ["Spivakivka"], []),
    ],
)
def test_a_lone_person_label_on_a_town_is_a_place(
    gaz: Gazetteer, text: str, persons: list[str], expected: list[str]
) -> None:
    assert surfaces(places(gaz, text, _as_person(text, *persons))) == expected


@pytest.mark.parametrize(
    ("text", "name", "oblast"),
    [
        ("Damaged school, Andriivka village in Kyiv Oblast", "Andriivka", "Kyiv Oblast"),
        ("Shelling near Pavlivka (Donetsk region)", "Pavlivka", "Donetsk Oblast"),
        ("near the village of Kamyanka in the Kharkiv region", "Kamyanka", "Kharkiv Oblast"),
        ("near Berezivka, Donetsk", "Berezivka", "Donetsk Oblast"),
        ("near Zolote, Luhansk Obl", "Zolote", "Luhansk Oblast"),
    ],
)
def test_a_unit_written_after_the_name_decides(gaz: Gazetteer, text: str, name: str, oblast: str) -> None:
    found = {p.mention.surface: p.entry for p in places(gaz, text).places}
    assert found[name].admin1 == oblast


def test_a_former_raion_narrows_and_is_a_raion_point(gaz: Gazetteer) -> None:
    result = places(gaz, "near the village of Dolyna, Sloviansk district, Donetsk region")
    found = {p.mention.surface: p.entry for p in result.places}
    raion = next(p.entry for p in result.places if p.mention.role == "former district")
    assert (raion.kind, raion.precision) == (PlaceKind.ADMIN2, Precision.RAION)
    assert raion.admin1 == found["Dolyna"].admin1 == "Donetsk Oblast"
    assert raion.id.startswith("former-raion:")
    assert km(found["Dolyna"].lat, found["Dolyna"].lon, raion.lat, raion.lon) < 50
    adjective = places(gaz, "near Novokaterynivka village, Starobeshivskiy district, Donetsk region")
    kinds = {p.mention.surface: p.entry.kind for p in adjective.places}
    assert kinds["Starobeshivskiy district"] is PlaceKind.ADMIN2
    assert kinds["Novokaterynivka"] is PlaceKind.VILLAGE


def test_russian_spellings_with_o_for_ukrainian_i(gaz: Gazetteer) -> None:
    assert ikavism("Sokilnyky") == ["Sokolnyky"]
    assert ikavism("Kalynivka") == ["Kalynovka"]
    assert ikavism("Pisky") == []
    assert any(e.admin1 == "Luhansk Oblast" for e in gaz.search("Sokolniki"))


@pytest.mark.parametrize(
    ("former", "current"),
    [
        ("Artemivsk", "Bakhmut"),
        ("Dzerzhynsk", "Toretsk"),
        ("Krasnyi Lyman", "Lyman"),
        ("Kirovohrad", "Kropyvnytskyi"),
        ("Dnipropetrovsk", "Dnipro"),
    ],
)
def test_decommunised_names_find_the_current_town(gaz: Gazetteer, former: str, current: str) -> None:
    assert current in {e.name for e in gaz.search(former) if e.country == "UA"}


def test_a_height_of_the_register_is_a_place(gaz: Gazetteer) -> None:
    found = {p.mention.surface: p.entry for p in places(gaz, "Fighting for the Savur-Mohyla height").places}
    height = found["Savur-Mohyla height"]
    assert height.kind is PlaceKind.FEATURE and km(height.lat, height.lon, 47.92, 38.74) < 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A headline line that is only a surname matching villages names a person, not a place.
        ("Pavlov\nShelling of the outskirts of Donetsk", ["Donetsk"]),
        ("Marchenko:\nShelling of the outskirts of Donetsk", ["Donetsk"]),
        # A town on a line of its own, and a surname-like village after a place cue, stay places.
        ("Izium\nShelling of the outskirts of Donetsk", ["Izium", "Donetsk"]),
        ("Shelling near Pavlov\nOutskirts of Donetsk", ["Pavlov", "Donetsk"]),
        ("Kozlov\nOutskirts of Donetsk", ["Kozlov", "Donetsk"]),  # also a city: left to the homonym choice
    ],
)
def test_a_surname_alone_on_a_line_is_not_a_place(gaz: Gazetteer, text: str, expected: list[str]) -> None:
    assert surfaces(places(gaz, text)) == expected


def test_before_the_invasion_the_front_is_donbas(gaz: Gazetteer) -> None:
    # A village name shared by a Donbas village and larger villages in today's front regions: a report
    # from before 24 February 2022 with nothing else to go on means the Donbas one.
    text = "One Ukrainian serviceman killed near Pisky"
    for published, oblast in ((date(2015, 3, 1), "Donetsk Oblast"), (date(2023, 3, 1), "Mykolaiv Oblast")):
        article = Article(id="t", title=text, text=text, published=published, published_from="input")
        result = resolve(
            AnnotatedArticle(article=article, sentences=(Span(0, len(text), text),)), gazetteer=gaz
        )
        assert [(p.mention.surface, p.entry.admin1) for p in result.places] == [("Pisky", oblast)]


def place_of(result: ResolvedArticle, surface: str) -> GazetteerEntry:
    return next(p.entry for p in result.places if p.mention.surface == surface)


@pytest.mark.parametrize(
    ("text", "surface", "admin1", "admin2"),
    [
        ("Shelling hit Novoselivka, Kharkiv Oblast.", "Novoselivka", "Kharkiv Oblast", None),
        ("Fighting near Sukhyi Yar, Donetsk region.", "Sukhyi Yar", "Donetsk Oblast", None),
        ("Shelling of Novoselivka, Donestk region.", "Novoselivka", "Donetsk Oblast", None),
        ("Strikes on Novoselivka, Luhanks region", "Novoselivka", "Luhansk Oblast", None),
        ("Explosions in Vasylivka, Zaporizhia region", "Vasylivka", "Zaporizhzhia Oblast", None),
        ("Attack near Zolochiv, Kharkov region", "Zolochiv", "Kharkiv Oblast", None),
        ("Shelling of Kamianka in the Pokrovsk district.", "Kamianka", "Donetsk Oblast", "Pokrovsk Raion"),
        ("Shelling of Kamianka, Horlivka district.", "Kamianka", "Donetsk Oblast", "Horlivka Raion"),
        (
            "Shelling near the village of Luhansk, Bakhmut district, Donetsk region.",
            "Luhansk",
            "Donetsk Oblast",
            "Bakhmut Raion",
        ),
    ],
)
def test_a_named_region_decides(
    gaz: Gazetteer, text: str, surface: str, admin1: str, admin2: str | None
) -> None:
    result = place_of(places(gaz, text), surface)
    assert result.kind in (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE)
    assert (result.admin1, result.admin2 if admin2 else None) == (admin1, admin2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shelling in the region of Donetsk.", {"Donetsk": "Donetsk Oblast"}),
        (
            "Battles in the Donetsk and Luhansk regions.",
            {"Donetsk": "Donetsk Oblast", "Luhansk": "Luhansk Oblast"},
        ),
        (
            "Alerts in Kharkiv, Sumy and Chernihiv regions.",
            {"Kharkiv": "Kharkiv Oblast", "Sumy": "Sumy Oblast", "Chernihiv": "Chernihiv Oblast"},
        ),
        ("Strikes across the Donestk region.", {"Donestk region": "Donetsk Oblast"}),
    ],
)
def test_region_phrasings_and_misspellings_are_oblasts(
    gaz: Gazetteer, text: str, expected: dict[str, str]
) -> None:
    result = {p.mention.surface: (p.entry.kind, p.entry.name) for p in places(gaz, text).places}
    assert result == {surface: (PlaceKind.ADMIN1, name) for surface, name in expected.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A Nova Poshta branch was hit in Kharkiv.", ["Kharkiv"]),
        ('A missile hit the "Ukraina" theatre in Sumy.', ["Sumy"]),
        ("The Druzhba sports complex in Kharkiv burned.", ["Kharkiv"]),
        ('The hypermarket "Rosa" in Odesa was hit.', ["Odesa"]),
        ("Shelling of the Zorya plant in Mykolaiv.", ["Mykolaiv"]),
        ("The Trinity church in Lyman was damaged.", ["Lyman"]),
        # a town before the thing is where it is
        ("A strike on the Kharkiv tractor plant.", ["Kharkiv"]),
        ("Missiles hit the Kremenchuk refinery.", ["Kremenchuk"]),
        ("The Mariupol drama theatre was destroyed.", ["Mariupol"]),
        ("A shell hit the Pisky school in the Donetsk region.", ["Pisky", "Donetsk region"]),
    ],
)
def test_names_of_things_are_not_places(gaz: Gazetteer, text: str, expected: list[str]) -> None:
    assert surfaces(places(gaz, text)) == expected


@pytest.mark.parametrize(
    ("text", "surface", "feature_id", "near"),
    [
        (
            "Russian ships shelled Snake Island again.",
            "Snake Island",
            "feature:snake-island",
            (45.255, 30.204),
        ),
        (
            "Water rose after the Kakhovka dam was blown up.",
            "Kakhovka dam",
            "feature:kakhovka-hpp",
            (46.778, 33.37),
        ),
        (
            "Fires near the Zaporizhzhia nuclear plant.",
            "Zaporizhzhia nuclear plant",
            "feature:zaporizhzhia-npp",
            (47.512, 34.586),
        ),
        (
            "Strikes on the Antonivskyi bridge.",
            "Antonivskyi bridge",
            "feature:antonivskyi-bridge",
            (46.672, 32.715),
        ),
        ("An explosion damaged the Kerch bridge.", "Kerch bridge", "feature:crimean-bridge", (45.31, 36.506)),
        ("Defenders of Azovstal surrendered.", "Azovstal", "feature:azovstal", (47.097, 37.601)),
        ("Troops left the Chornobyl zone.", "Chornobyl zone", "feature:chornobyl-zone", (51.34, 29.95)),
        (
            "Paratroopers landed at Hostomel airport.",
            "Hostomel airport",
            "feature:hostomel-airport",
            (50.603, 30.192),
        ),
        ("Бої за Зміїний тривають.", "Зміїний", "feature:snake-island", (45.255, 30.204)),
        ("Каховська ГЕС зруйнована.", "Каховська ГЕС", "feature:kakhovka-hpp", (46.778, 33.37)),
    ],
)
def test_famous_features_are_places(
    gaz: Gazetteer, text: str, surface: str, feature_id: str, near: tuple[float, float]
) -> None:
    result = place_of(places(gaz, text), surface)
    assert result.id == feature_id
    assert km(result.lat, result.lon, *near) < 1.0


def test_a_feature_name_leaves_its_town_alone(gaz: Gazetteer) -> None:
    result = places(gaz, "Water rose after the Kakhovka dam was blown up; Kakhovka itself flooded.")
    expected = {"Kakhovka dam": PlaceKind.FEATURE, "Kakhovka": PlaceKind.CITY}
    assert {p.mention.surface: p.entry.kind for p in result.places} == expected


@pytest.mark.parametrize(
    ("text", "surface", "name", "admin1"),
    [
        ("Explosions near Ilvoaisk, Donetsk region.", "Ilvoaisk", "Ilovays’k", "Donetsk Oblast"),
        (
            "Fighting at Noivomykhailivka, Donetsk Obl",
            "Noivomykhailivka",
            "Novomykhailivka",
            "Donetsk Oblast",
        ),
        ("Drones over Kupainsk, Kharkiv region.", "Kupainsk", "Kupyansk", "Kharkiv Oblast"),
    ],
)
def test_a_misspelt_name_is_found_with_its_region(
    gaz: Gazetteer, text: str, surface: str, name: str, admin1: str
) -> None:
    work = Work()
    result = place_of(resolve(annotated(text), gazetteer=gaz, work=work), surface)
    assert (result.name, result.admin1) == (name, admin1)
    assert [w[2] for w in work.approximate] == [surface]


@pytest.mark.parametrize(
    "text",
    [
        "Ilvoaisk was shelled.",  # no region: a near miss alone is not taken
        "Yesterday, Donetsk region was quiet.",  # a word that is no name
        "Kolya, Donetsk region, said it was quiet.",  # too short to risk
        # a city is no unit for a near miss
        "Mariupol (Donetsk region) was shelled; Gorbachova\nin Mariupol.",
    ],
)
def test_a_near_miss_needs_a_region_written_after_it(gaz: Gazetteer, text: str) -> None:
    work = Work()
    resolve(annotated(text), gazetteer=gaz, work=work)
    assert work.approximate == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Damage to buildings in the Vostochny district of Mariupol", {"Mariupol": PlaceKind.CITY}),
        ("Shelling in the Kyivskyi district of Donetsk.", {"Donetsk": PlaceKind.CITY}),
        (
            "Shelling of Vuhledar in Volnovakha district of Donetsk region",
            {
                "Vuhledar": PlaceKind.TOWN,
                "Volnovakha district": PlaceKind.ADMIN2,
                "Donetsk region": PlaceKind.ADMIN1,
            },
        ),
    ],
)
def test_a_district_of_a_city_is_part_of_the_city(
    gaz: Gazetteer, text: str, expected: dict[str, PlaceKind]
) -> None:
    result = {p.mention.surface: p.entry.kind for p in places(gaz, text).places}
    assert result == expected


def test_a_village_called_so_today_beats_one_renamed(gaz: Gazetteer) -> None:
    # Valianivske was Krasne until 2016 and still carries the name among its others; in the same
    # (former) district the village whose current name is Krasne is meant.
    result = place_of(
        places(gaz, "Shelling near Krasne village, Krasnodon district, Luhansk region"), "Krasne"
    )
    assert (result.name, result.admin1) == ("Krasne", "Luhansk Oblast")


def test_a_list_of_thousands_of_names_costs_linear_work(gaz: Gazetteer) -> None:
    villages = sorted(
        {
            e.name
            for e in gaz.entries()
            if e.kind is PlaceKind.VILLAGE and e.country == "UA" and e.name.isascii() and e.name.isalpha()
        }
    )[:2400]
    small, big = Work(), Work()
    resolve(annotated("List\n" + ", ".join(villages[:300])), gazetteer=gaz, work=small)
    resolve(annotated("List\n" + ", ".join(villages)), gazetteer=gaz, work=big)
    assert small.candidate_anchor_pairs > 0
    assert big.candidate_anchor_pairs <= 1.5 * 8 * small.candidate_anchor_pairs  # 8× the names, ~8× the work


@pytest.mark.parametrize(
    ("published", "oblast"),
    [
        (date(2022, 3, 10), "Kyiv Oblast"),  # the spring of 2022: the north is a front
        (date(2023, 6, 1), "Kharkiv Oblast"),  # later: the north is not, Kharkiv Oblast still is
        (None, "Kharkiv Oblast"),  # undated: today's front
    ],
)
def test_the_front_prior_follows_the_date(gaz: Gazetteer, published: date | None, oblast: str) -> None:
    text = "Shelling in Buzova"
    article = Article(id="t", title=text, text=text, published=published, published_from="input")
    result = resolve(AnnotatedArticle(article=article, sentences=(Span(0, len(text), text),)), gazetteer=gaz)
    assert [(p.mention.surface, p.entry.admin1) for p in result.places] == [("Buzova", oblast)]
