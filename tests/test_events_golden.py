"""The golden test: the seed report through the real pipeline, against its gold file; and our own articles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import SEED_PUBLISHED
from frontwatch.events import extract
from frontwatch.gazetteer import Gazetteer
from frontwatch.ingest import read_paths
from frontwatch.model import Article, ExtractedArticle, Modality
from frontwatch.nlp import annotate
from frontwatch.resolve import resolve
from helpers_events import assert_events, compare, place_matches

ARTICLES = Path(__file__).parent / "articles"
FACTUAL = (Modality.ASSERTED, Modality.CLAIMED, Modality.UNNAMED_SOURCE, Modality.ESTIMATED)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.open_default()


def _analyse(article: Article, gazetteer: Gazetteer) -> ExtractedArticle:
    return extract(resolve(annotate(article), gazetteer=gazetteer))


@pytest.fixture(scope="session")
def seed(seed_path: Path, gazetteer: Gazetteer) -> ExtractedArticle:
    (article,) = list(read_paths([str(seed_path)], published=SEED_PUBLISHED))
    assert isinstance(article, Article)
    return _analyse(article, gazetteer)


def test_seed_finds_every_gold_event(seed: ExtractedArticle, seed_gold: dict) -> None:
    assert_events(seed.events, seed_gold)


def test_seed_weapons_link_to_the_catalogue(seed: ExtractedArticle) -> None:
    result = {(w.canonical, w.weapon_class, w.calibre_mm, w.surface) for e in seed.events for w in e.weapons}
    expected = {
        ("2S4 Tyulpan", "self-propelled heavy mortar", 240.0, "2S4 Tyulpan"),
        ("BM-30 Smerch", "multiple rocket launcher", 300.0, "Smerch"),
    }
    assert result == expected


def test_seed_force_estimate(seed: ExtractedArticle) -> None:
    result = [(q.low, q.high, q.unit) for e in seed.events for q in e.quantities]
    expected = [(20.0, 25.0, "battalion-tactical group")]
    assert result == expected


def test_seed_hope_is_no_fact(seed: ExtractedArticle, seed_gold: dict) -> None:
    """ "continue their counteroffensive and liberate Izyum" is hoped: no stated retake of Izyum."""
    places = {p["key"]: p for p in seed_gold["places"]}
    izyum_taken_back = [
        e
        for e in seed.events
        if e.control_to == "Ukraine"
        and e.place is not None
        and place_matches(e.place.entry, places["izyum"], places)
    ]
    result = [e.modality for e in izyum_taken_back]
    assert all(m not in FACTUAL for m in result), result
    hoped = [e for e in seed.events if "liberate Izyum" in e.evidence.text]
    assert all(e.modality == Modality.HOPED for e in hoped)


def test_seed_extraction_is_idempotent(seed: ExtractedArticle) -> None:
    result = [e.id for e in extract(seed.resolved).events]
    expected = [e.id for e in seed.events]
    assert result == expected
    assert len(set(result)) == len(result)


def test_seed_no_noise(seed: ExtractedArticle, seed_gold: dict) -> None:
    """Extra events are allowed when right, but not many: at most a third more than the gold."""
    matched = {id(c.event) for c in compare(seed.events, seed_gold) if c.event is not None}
    extra = [e for e in seed.events if id(e) not in matched]
    assert len(extra) <= len(seed_gold["events"]) // 3 + 1, [(e.fw_type, e.evidence.text[:60]) for e in extra]


@pytest.mark.parametrize("case", sorted(p for p in ARTICLES.glob("*/") if p.is_dir()), ids=lambda p: p.name)
def test_article(case: Path, gazetteer: Gazetteer) -> None:
    gold = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    published = date.fromisoformat(gold["article"]["published"])
    (article,) = list(read_paths([str(case / "article.txt")], published=published))
    assert isinstance(article, Article)
    result = _analyse(article, gazetteer)
    assert_events(result.events, gold)
    if "max_events" in gold:
        assert len(result.events) <= gold["max_events"], [
            (e.fw_type, e.evidence.text[:60]) for e in result.events
        ]
    units = {a.unit for e in result.events for a in e.actors if a.unit}
    assert set(gold.get("units", [])) <= units
    for forbidden in gold.get("not_events", []):
        bad = [
            e
            for e in result.events
            if e.sub_event_type == forbidden["sub_event_type"]
            and e.modality in FACTUAL
            and forbidden["evidence"] in e.evidence.text
        ]
        assert not bad, f"stated as fact: {forbidden}"
