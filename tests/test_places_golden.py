"""The defining example: every gold place of the seed article found within tolerance, nothing else.

Reads ../shared/seed (fails loudly if it is missing) and runs the real reader, annotator and default
gazetteer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEED_PUBLISHED
from frontwatch.gazetteer import Gazetteer
from frontwatch.geometry import haversine_km as km
from frontwatch.ingest import read_paths
from frontwatch.model import Article, Place, ResolvedArticle
from frontwatch.nlp import annotate
from frontwatch.resolve import resolve

RIVER_KM_FROM_NEAR = 50  # "any point of it within 50 km of Izyum is right"


@pytest.fixture(scope="module")
def seed_article(seed_path: Path) -> Article:
    (article,) = list(read_paths([seed_path], published=SEED_PUBLISHED))
    assert isinstance(article, Article)
    return article


@pytest.fixture(scope="module")
def resolved(seed_article: Article) -> ResolvedArticle:
    return resolve(annotate(seed_article), gazetteer=Gazetteer.open_default())


def _places_for(resolved: ResolvedArticle, gold: dict) -> list[Place]:
    return [p for p in resolved.places if p.mention.surface in gold["surface"]]


def _check(place: Place, gold: dict, by_key: dict[str, dict]) -> None:
    entry = place.entry
    assert str(entry.kind) == gold["kind"], (gold["key"], entry)
    if "geonameid" in gold:
        assert entry.geonameid == gold["geonameid"], (gold["key"], entry)
    if "katotth" in gold:
        assert entry.katotth == gold["katotth"], (gold["key"], entry)
    if "country" in gold:
        assert entry.country == gold["country"], (gold["key"], entry)
    if "admin1" in gold and gold["kind"] != "river":
        assert entry.admin1 == gold["admin1"], (gold["key"], entry)
    if "lat" in gold:
        assert km(entry.lat, entry.lon, gold["lat"], gold["lon"]) <= gold["tolerance_km"], (
            gold["key"],
            entry,
        )
    near = by_key.get(gold.get("near", "izyum"))
    if "max_km_from_near" in gold:
        assert km(entry.lat, entry.lon, near["lat"], near["lon"]) <= gold["max_km_from_near"], gold["key"]
    if gold["kind"] == "river":
        assert km(entry.lat, entry.lon, near["lat"], near["lon"]) <= RIVER_KM_FROM_NEAR, (gold["key"], entry)


def test_every_gold_place_is_found_within_tolerance(
    resolved: ResolvedArticle, seed_article: Article, seed_gold: dict
) -> None:
    by_key = {g["key"]: g for g in seed_gold["places"]}
    gaz = Gazetteer.open_default()
    for gold in seed_gold["places"]:
        if not any(s in seed_article.text for s in gold["surface"]):
            # Only the tags line names it ("War in Ukraine"); tags are not in Article.text, so no mention
            # can carry offsets. Check the tag is there and resolves as that country.
            tags = [t for t in seed_article.tags if any(s in t for s in gold["surface"])]
            assert tags, gold["key"]
            entries = [gaz.entry(i) for m in gaz.match(tags[0]) for i in m.candidate_ids]
            assert (gold["kind"], gold["country"]) in {(str(e.kind), e.country) for e in entries}, gold["key"]
            continue
        places = _places_for(resolved, gold)
        assert places, f"{gold['key']} not found"
        for place in places:
            _check(place, gold, by_key)


def test_both_spellings_of_barvinkove_are_one_place(resolved: ResolvedArticle) -> None:
    ids = {p.entry.id for p in resolved.places if p.mention.surface in ("Barvenkove", "Barvinkove")}
    assert len(ids) == 1


def test_nothing_but_gold_places_is_reported(resolved: ResolvedArticle, seed_gold: dict) -> None:
    allowed = {s for g in seed_gold["places"] for s in g["surface"]}
    reported = {p.mention.surface for p in resolved.places}
    assert reported <= allowed, reported - allowed


def test_offsets_index_the_text(resolved: ResolvedArticle) -> None:
    text = resolved.annotated.article.text
    for place in resolved.places:
        assert text[place.mention.start_char : place.mention.end_char] == place.mention.surface
        sentence = resolved.annotated.sentences[place.mention.sentence]
        assert sentence.start_char <= place.mention.start_char < sentence.end_char
