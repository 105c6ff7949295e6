"""The news scorer (frontwatch.evaluate.news): GUIDE.md's matching rule, the date split, the counts."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from frontwatch.errors import InputError
from frontwatch.evaluate import news
from frontwatch.model import (
    DatePrecision,
    Event,
    ExtractedArticle,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    Span,
)

KHARKIV = GazetteerEntry(
    "gn:706483", "Kharkiv", PlaceKind.CITY, 49.98081, 36.25272, Precision.EXACT, "UA", "Kharkiv Oblast",
    katotth="UA63120270010096107", names=("Kharkov",),
)  # fmt: skip
IZYUM = GazetteerEntry("gn:707292", "Izyum", PlaceKind.CITY, 49.20697, 37.27679, Precision.EXACT, "UA")
GOLD_PLACE = {
    "name": "Kharkiv",
    "katotth": "UA63120270010096107",
    "lat": 49.98177,
    "lon": 36.25475,
    "tolerance_km": 10,
}


def event(
    entry: GazetteerEntry | None, day: date, *, kind: str = "Explosions/Remote violence", at: int = 0
) -> Event:
    place = None
    if entry is not None:
        place = Place(Mention(entry.name, 0, len(entry.name), 0, (entry.id,)), entry, 1.0)
    return Event(
        id=f"ev:{at}", article_id="a", event_type=kind, sub_event_type="Shelling/artillery/missile attack",
        fw_type="shelling", actors=(), place=place, related_places=(), date=day,
        date_precision=DatePrecision.DAY, modality=Modality.ASSERTED, evidence=Span(at, at + 10, "x" * 10),
    )  # fmt: skip


def gold(
    place: dict, day: str = "2024-05-25", precision: str = "day", kind: str = "Explosions/Remote violence"
) -> dict:
    return {
        "evidence": "x", "event_type": kind, "sub_event_type": "Shelling/artillery/missile attack",
        "place": place, "date": day, "date_precision": precision, "actor1": "Russia", "actor2": None,
        "claimant": None, "modality": "asserted", "control_change": None, "fatalities": None,
    }  # fmt: skip


def test_place_by_code_by_distance_and_by_name() -> None:
    assert news.place_right(event(KHARKIV, date(2024, 5, 25)), GOLD_PLACE)
    by_point = {"name": "Kharkiv", "katotth": None, "lat": 49.9, "lon": 36.3, "tolerance_km": 10}
    assert news.place_right(event(KHARKIV, date(2024, 5, 25)), by_point)
    assert not news.place_right(event(IZYUM, date(2024, 5, 25)), by_point)
    by_name = {"name": "Kharkov", "katotth": None, "lat": None, "lon": None, "tolerance_km": 10}
    assert news.place_right(event(KHARKIV, date(2024, 5, 25)), by_name)
    assert not news.place_right(event(None, date(2024, 5, 25)), by_name)


def test_a_front_direction_is_scored_by_the_name_of_the_direction() -> None:
    gold_direction = {
        "name": "Izyum direction",
        "katotth": None,
        "lat": None,
        "lon": None,
        "tolerance_km": 50,
    }
    mention = Mention("Izium", 0, 5, 0, (IZYUM.id,), role="direction")
    towards = dataclasses.replace(event(IZYUM, date(2024, 5, 25)), place=Place(mention, IZYUM, 1.0))
    assert news.place_right(towards, gold_direction)
    # the city itself, named as a city, is not the front direction
    assert not news.place_right(event(IZYUM, date(2024, 5, 25)), gold_direction)


@pytest.mark.parametrize(
    ("precision", "ours", "right"),
    [
        ("day", date(2024, 5, 26), True),
        ("day", date(2024, 5, 27), False),
        ("on or before", date(2024, 6, 1), True),
        ("week", date(2024, 6, 2), False),
        ("month", date(2024, 6, 20), True),
    ],
)
def test_date_within_the_gold_precision(precision: str, ours: date, right: bool) -> None:
    assert news.date_right(event(KHARKIV, ours), gold(GOLD_PLACE, precision=precision)) is right


def test_matching_is_one_to_one_and_maximal() -> None:
    golds = [gold(GOLD_PLACE, "2024-05-25"), gold(GOLD_PLACE, "2024-05-26")]
    # the first record fits both gold events, the second only the first: both must be matched
    ours = [event(KHARKIV, date(2024, 5, 25), at=0), event(KHARKIV, date(2024, 5, 24), at=20)]
    assert news.match(ours, golds) == {0: 1, 1: 0}
    twice = [event(KHARKIV, date(2024, 5, 25), at=0), event(KHARKIV, date(2024, 5, 25), at=20)]
    assert len(news.match(twice, [gold(GOLD_PLACE)])) == 1  # a second record of one event is spurious


def test_evaluate_counts_spurious_missed_and_no_event_records() -> None:
    reports = [
        news.NewsReport(
            "n-1", date(2024, 5, 25), "T", "Strike. Fire.", None, None, (gold(GOLD_PLACE),), ("Fire.",)
        ),
        news.NewsReport("n-2", date(2024, 5, 25), "T", "Talks.", None, None, (), ()),
    ]
    answers = {
        "n-1": [
            event(KHARKIV, date(2024, 5, 25), at=0),
            event(IZYUM, date(2024, 5, 25), at=11),
        ],  # "Fire." at 11
        "n-2": [event(IZYUM, date(2024, 5, 25), at=3)],
    }

    def analyse(article):  # the pipeline swapped for the answers, through the same seam
        rid = next(r.id for r in reports if r.article().id == article.id)
        return ExtractedArticle(resolved=None, events=tuple(answers[rid]))

    result = news.evaluate(reports, analyse=analyse)
    pooled = result.type_scores["Explosions/Remote violence"]
    assert (pooled.tp, pooled.fp, pooled.fn) == (1, 2, 0)
    assert result.counts["records on the no-event reports"] == 1
    assert result.counts["records whose evidence is a listed not-event"] == 1
    assert {m.aspect for m in result.misses} >= {"spurious"}


def test_the_dev_set_and_its_date_split() -> None:
    every = news.load_reports()
    tuned = news.load_reports(until=date(2024, 4, 26))
    held = news.load_reports(since=news.HOLDOUT_SINCE)
    assert (len(every), len(tuned), len(held)) == (46, 32, 14)
    assert sum(1 for r in every if not r.events) == 11
    assert sum(len(r.events) for r in every) == 140
    for r in every:
        assert all(g["evidence"] in r.text for g in r.events), r.id


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    path.write_text('{"id": "n-1"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"dev.jsonl:1: not a news report line"):
        news.load_reports(path)


def test_evaluate_news_from_the_command_line_on_a_date_window() -> None:
    import json

    from click.testing import CliRunner

    from frontwatch.cli import main

    result = CliRunner().invoke(
        main, ["evaluate", "--set", "news", "--since", "2025-06-01", "--json", "--errors"]
    )
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert (report["set"], report["rows"]) == ("news", 3)
    assert report["counts"]["gold events"] == 5
    assert {"precision (our records matching a gold event)", "modality right on matched pairs"} <= set(
        report["ratios"]
    )
    assert all(m["aspect"] in ("missed", "spurious", *news._ASPECTS) for m in report["misses"])
