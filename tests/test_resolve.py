"""Resolution on the tiny fixture gazetteer: homonyms, roles, and words that are not places."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontwatch.gazetteer import Gazetteer
from frontwatch.model import AnnotatedArticle, Article, Entity, PlaceKind, ResolvedArticle, Span
from frontwatch.resolve import Work, resolve
from gazetteer_fixture import fixture_gazetteer


@pytest.fixture(scope="module")
def gaz(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return fixture_gazetteer(tmp_path_factory.mktemp("gaz"))


def annotated(text: str, entities: tuple[Entity, ...] = ()) -> AnnotatedArticle:
    """Sentences split crudely at '. '; enough for the resolver, which only needs offsets."""
    article = Article(id="t", title=text.split("\n")[0], text=text, published=None, published_from="unknown")
    spans, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+|$", text):
        if match.start() > start:
            spans.append(Span(start, match.start(), text[start : match.start()]))
        start = match.end()
    return AnnotatedArticle(article=article, sentences=tuple(spans), entities=entities)


def entity(text: str, surface: str, label: str) -> Entity:
    start = text.index(surface)
    return Entity(label=label, start_char=start, end_char=start + len(surface), text=surface)


def by_surface(result: ResolvedArticle) -> dict[str, str]:
    return {p.mention.surface: p.entry.id for p in result.places}


def test_lyman_near_sloviansk_is_the_donetsk_one(gaz: Gazetteer) -> None:
    result = resolve(annotated("Troops moved from Slavyansk to the Lyman direction."), gazetteer=gaz)
    expected = "gn:704204"
    assert by_surface(result)["Lyman"] == expected
    lyman = next(p for p in result.places if p.mention.surface == "Lyman")
    assert lyman.mention.role == "direction"
    assert {"gn:703071", "gn:703076"} <= {c.entry_id for c in lyman.candidates} | set(
        lyman.mention.candidate_ids
    )
    assert lyman.score > max(c.score for c in lyman.candidates)


def test_lyman_near_kharkiv_is_the_one_near_zmiiv(gaz: Gazetteer) -> None:
    result = resolve(annotated("Shelling hit Kharkiv overnight. Later it reached Lyman."), gazetteer=gaz)
    assert by_surface(result)["Lyman"] == "gn:703071"


def test_spivakivka_follows_its_neighbours(gaz: Gazetteer) -> None:
    near_izyum = resolve(annotated("Fighting near Izyum and in Spivakivka."), gazetteer=gaz)
    in_luhansk = resolve(annotated("Shelling hit Spivakivka in the Luhansk region."), gazetteer=gaz)
    assert by_surface(near_izyum)["Spivakivka"] == "katotth:UA63040130220055833"
    assert by_surface(in_luhansk)["Spivakivka"] == "katotth:UA44160030260058735"


def test_two_spellings_resolve_to_one_place(gaz: Gazetteer) -> None:
    result = resolve(annotated("Attacks on Barvenkove continue. Barvinkove was shelled."), gazetteer=gaz)
    ids = by_surface(result)
    assert ids["Barvenkove"] == ids["Barvinkove"] == "gn:712794"


def test_roles_pick_the_unit(gaz: Gazetteer) -> None:
    text = (
        "Kharkiv region: the Izium district and Oskil community; the Siverskyi Donets River; Belgorod Oblast."
    )
    result = resolve(annotated(text), gazetteer=gaz)
    kinds = {p.mention.surface: p.entry.kind for p in result.places}
    expected = {
        "Kharkiv region": PlaceKind.ADMIN1,
        "Izium district": PlaceKind.ADMIN2,
        "Oskil community": PlaceKind.ADMIN3,
        "Siverskyi Donets River": PlaceKind.RIVER,
        "Belgorod Oblast": PlaceKind.ADMIN1,
    }
    assert kinds == expected


def test_countries_and_non_places(gaz: Gazetteer) -> None:
    text = (
        "Russia attacked Ukraine. The Russian Armed Forces and the General Staff said so, "
        "Maxim Strelnik told Espresso TV."
    )
    ents = (entity(text, "Maxim Strelnik", "PERSON"), entity(text, "Espresso TV", "ORG"))
    result = resolve(annotated(text, ents), gazetteer=gaz)
    places = {p.mention.surface: (p.entry.kind, p.entry.country) for p in result.places}
    expected = {"Russia": (PlaceKind.COUNTRY, "RU"), "Ukraine": (PlaceKind.COUNTRY, "UA")}
    assert places == expected


def test_mentions_keep_offsets_and_sentence(gaz: Gazetteer) -> None:
    text = "Nothing here. Izyum was captured."
    result = resolve(annotated(text), gazetteer=gaz)
    (place,) = result.places
    assert text[place.mention.start_char : place.mention.end_char] == "Izyum"
    assert place.mention.sentence == 1
    assert place.entry.geonameid == 707292 and place.entry.katotth == "UA63040090010029555"


def test_river_is_placed_near_the_other_places(gaz: Gazetteer) -> None:
    result = resolve(annotated("Villages near Izyum on the Siverskyi Donets River."), gazetteer=gaz)
    river = next(p for p in result.places if p.entry.kind is PlaceKind.RIVER)
    assert abs(river.entry.lat - 49.2) < 0.3 and abs(river.entry.lon - 37.3) < 0.4


def test_fixture_is_small(gaz: Gazetteer, tmp_path: Path) -> None:
    assert len(gaz) < 100


def _repeated(name: str, repeats: int) -> tuple[AnnotatedArticle, Work]:
    text = "Shelling reported\n" + f"{name} " * repeats
    people = tuple(  # every tenth repeat tagged PERSON, as the small model does: entity look-ups too
        Entity(
            label="PERSON",
            start_char=18 + k * (len(name) + 1),
            end_char=18 + k * (len(name) + 1) + len(name),
            text=name,
        )
        for k in range(0, repeats, 10)
    )
    return annotated(text, people), Work()


@pytest.mark.parametrize("name", ["Kharkiv", "Lyman, Donetsk region,", "Spivakivka in the Luhansk region"])
def test_a_repeated_name_costs_linear_work(gaz: Gazetteer, name: str) -> None:
    small, small_work = _repeated(name, 500)
    big, big_work = _repeated(name, 4000)
    small_places = resolve(small, gazetteer=gaz, work=small_work).places
    big_places = resolve(big, gazetteer=gaz, work=big_work).places
    assert 7.9 * len(small_places) <= len(big_places) <= 8 * len(small_places)  # PERSON-tagged dropped
    assert small_places
    for field in ("unit_checks", "entity_checks", "candidate_anchor_pairs"):
        result, expected = getattr(big_work, field), 8 * getattr(small_work, field)
        assert result <= 1.05 * expected + 10, field  # 8× the text, at most ~8× the work
    assert big_work.entity_checks > 0
    assert big_work.unit_checks > 0 or "region" not in name
