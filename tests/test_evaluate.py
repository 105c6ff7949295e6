"""frontwatch.evaluate: metrics on hand-made cases, the gold loaders on the real files, the CLI."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner

from frontwatch.evaluate import bellingcat, ucdp
from frontwatch.evaluate.metrics import (
    NO_EVENT,
    PRF,
    confusion,
    distance_summary,
    haversine_km,
    macro_f1,
    micro,
    per_label,
)
from frontwatch.evaluate.naming import names_place
from frontwatch.evaluate.predict import predict
from frontwatch.model import (
    Actor,
    AnnotatedArticle,
    Article,
    DatePrecision,
    Event,
    ExtractedArticle,
    GazetteerEntry,
    Mention,
    Modality,
    Place,
    PlaceKind,
    Precision,
    ResolvedArticle,
    Span,
)

KYIV = (50.45466, 30.5238)
KHARKIV = (49.98081, 36.25272)


# --- metrics -------------------------------------------------------------------------------------


def test_haversine_one_degree_of_longitude_on_the_equator() -> None:
    result = haversine_km(0.0, 0.0, 0.0, 1.0)
    expected = 111.195
    assert result == pytest.approx(expected, abs=0.01)


def test_haversine_kyiv_kharkiv_and_zero() -> None:
    assert haversine_km(*KYIV, *KHARKIV) == pytest.approx(409.0, abs=5.0)
    assert haversine_km(*KYIV, *KYIV) == 0.0
    assert haversine_km(*KYIV, *KHARKIV) == pytest.approx(haversine_km(*KHARKIV, *KYIV))


def test_prf_known_values() -> None:
    result = PRF(tp=3, fp=1, fn=2)
    assert result.precision == pytest.approx(0.75)
    assert result.recall == pytest.approx(0.6)
    assert result.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert result.support == 5
    assert PRF(0, 0, 0).f1 == 0.0


def test_per_label_and_macro_f1() -> None:
    pairs = [("A", "A"), ("A", "B"), ("B", "B"), ("B", None), ("C", "C"), (None, "A")]
    result = per_label(pairs)
    expected = {"A": PRF(1, 1, 1), "B": PRF(1, 1, 1), "C": PRF(1, 0, 0)}
    assert result == expected
    # A: p=r=0.5 → F1 0.5; B: 0.5; C: 1.0
    assert macro_f1(result) == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    assert macro_f1(result, labels=["A", "C"]) == pytest.approx(0.75)
    assert micro(result) == PRF(3, 2, 2)


def test_macro_f1_ignores_labels_only_predicted() -> None:
    scores = per_label([("A", "A"), ("A", "Z")])
    assert macro_f1(scores) == pytest.approx(PRF(1, 0, 1).f1)  # Z has no gold support


def test_confusion_counts_pairs() -> None:
    result = confusion([("A", "A"), ("A", NO_EVENT), ("A", "A"), ("B", "A")])
    expected = Counter({("A", "A"): 2, ("A", NO_EVENT): 1, ("B", "A"): 1})
    assert result == expected


def test_distance_summary_counts_unplaced_rows_as_misses() -> None:
    result = distance_summary([1.0, 12.0, 30.0, 200.0, None])
    assert result.n == 5
    assert result.placed == 4
    assert dict(result.within) == {10.0: 1, 25.0: 2, 161.0: 3}
    assert result.share(25.0) == pytest.approx(0.4)
    assert result.median_km == pytest.approx(21.0)
    assert distance_summary([]).median_km is None


# --- naming ---------------------------------------------------------------------------------------


def test_names_place_across_spellings() -> None:
    assert names_place("Kadyrov fighters in Skadovsk", "Skadovs'k")
    assert names_place("Shelling of Kharkov's centre", "Kharkiv")
    assert names_place("Clashes in Malaya Rohan, Kharkiv", "Malaya Rohan")
    assert names_place("Shelling in Svyatogorsk", "Sviatohirsk", aliases=["Svyatogorsk"])
    assert not names_place("Destroyed Russian tank near the highway", "Buzova")
    assert not names_place("Rohan", "Malaya Rohan")


# --- predict --------------------------------------------------------------------------------------


def _entry(eid: str, name: str, kind: PlaceKind, lat: float, lon: float) -> GazetteerEntry:
    return GazetteerEntry(
        id=eid, name=name, kind=kind, lat=lat, lon=lon, precision=Precision.EXACT, country="UA"
    )


def _place(entry: GazetteerEntry, start: int, score: float) -> Place:
    mention = Mention(entry.name, start, start + len(entry.name), 0, (entry.id,))
    return Place(mention=mention, entry=entry, score=score)


def _extracted(text: str, places: tuple[Place, ...], events: tuple[Event, ...]) -> ExtractedArticle:
    article = Article(id="a1", title=text, text=text, published=date(2022, 3, 1), published_from="input")
    annotated = AnnotatedArticle(article=article, sentences=(Span(0, len(text), text),))
    return ExtractedArticle(resolved=ResolvedArticle(annotated=annotated, places=places), events=events)


def _event(event_type: str, place: Place | None) -> Event:
    return Event(
        id=f"e-{event_type}",
        article_id="a1",
        event_type=event_type,
        sub_event_type="Armed clash",
        fw_type="clash",
        actors=(Actor("Russian forces", "Russia"),),
        place=place,
        related_places=(),
        date=date(2022, 3, 1),
        date_precision=DatePrecision.DAY,
        modality=Modality.ASSERTED,
        evidence=Span(0, 4, "text"),
    )


def test_predict_takes_the_first_event_with_a_place() -> None:
    kyiv = _place(_entry("gn:1", "Kyiv", PlaceKind.CITY, *KYIV), 0, 0.9)
    events = (_event("Strategic developments", None), _event("Battles", kyiv))
    result = predict(_extracted("Kyiv fighting", (kyiv,), events))
    assert (result.event_type, result.place_rule, result.point) == ("Battles", "event", KYIV)


def test_predict_falls_back_to_the_best_resolved_place() -> None:
    oblast = _place(_entry("adm:UA-63", "Kharkiv Oblast", PlaceKind.ADMIN1, 49.6, 36.6), 0, 1.0)
    city = _place(_entry("gn:2", "Kharkiv", PlaceKind.CITY, *KHARKIV), 20, 0.8)
    result = predict(_extracted("Kharkiv Oblast and Kharkiv", (oblast, city), ()))
    assert (result.event, result.place_rule, result.point) == (None, "resolved", KHARKIV)
    empty = predict(_extracted("nothing", (), ()))
    assert (empty.place_rule, empty.point, empty.event_type) == ("none", None, None)


# --- the gold sets on the real files ---------------------------------------------------------------


@pytest.fixture(scope="session")
def bellingcat_rows() -> list[bellingcat.BellingcatRow]:
    return bellingcat.load_rows()


def test_bellingcat_loader_reads_every_row(bellingcat_rows: list[bellingcat.BellingcatRow]) -> None:
    assert len(bellingcat_rows) == 3429
    first = bellingcat_rows[0]
    assert first.entry == "UW0067"
    assert first.date == date(2022, 1, 1)
    assert first.article().text == f"{first.title}\n\n{first.description}"
    assert first.article().published == date(2022, 1, 1)


def test_every_event_group_is_mapped_and_every_mapping_used(
    bellingcat_rows: list[bellingcat.BellingcatRow],
) -> None:
    groups = {r.event_group for r in bellingcat_rows}
    prefixes = {m.prefix for m in bellingcat.group_mappings()}
    used = {p for p in prefixes if any(g.startswith(p) for g in groups)}
    unmapped = {g for g in groups if not any(g.startswith(p) for p in prefixes)}
    assert unmapped == set()
    assert used == prefixes
    assert all(m.why for m in bellingcat.group_mappings())
    assert bellingcat.acled_type("Civilian Infrastructure Damage March 2022") == "Explosions/Remote violence"
    assert bellingcat.acled_type("Russian Military Presence January 2022") == "Strategic developments"
    assert bellingcat.acled_type("Other") is None


def test_ucdp_loader_reads_every_row() -> None:
    rows = ucdp.load_rows()
    assert len(rows) == 3883
    first = rows[0]
    assert first.id == "147997"
    assert (first.date_start, first.date_end) == (date(2014, 1, 22), date(2014, 1, 22))
    assert first.where_prec == 1
    assert len(first.headlines) == 5
    assert first.article().published == first.date_end
    assert sum(1 for r in rows if r.where_prec <= 2) == 2896


def test_bellingcat_scoring_with_a_constant_answer(bellingcat_rows: list[bellingcat.BellingcatRow]) -> None:
    """Every row answered 'Explosions/Remote violence at Kyiv': the figures follow from the gold alone."""
    kyiv = _place(_entry("gn:703448", "Kyiv", PlaceKind.CITY, *KYIV), 0, 1.0)

    def analyse(article: Article) -> ExtractedArticle:
        return _extracted(article.text, (kyiv,), (_event("Explosions/Remote violence", kyiv),))

    rows = bellingcat_rows[:400]
    report = bellingcat.evaluate(rows, analyse=analyse)
    expected_near = sum(1 for r in rows if haversine_km(r.lat, r.lon, *KYIV) <= 25.0)
    assert dict(report.geo[bellingcat.ALL_ROWS].within)[25.0] == expected_near
    gold = [bellingcat.acled_type(r.event_group) for r in rows]
    expected_tp = sum(1 for g in gold if g == "Explosions/Remote violence")
    assert report.type_scores["Explosions/Remote violence"].tp == expected_tp
    assert report.type_scores["Explosions/Remote violence"].fp == sum(1 for g in gold if g) - expected_tp
    assert sum(report.confusion.values()) == sum(1 for g in gold if g)


# --- the CLI end to end through the real pipeline ---------------------------------------------------


def test_evaluate_seed_prints_its_figures() -> None:
    from frontwatch.cli import main

    result = CliRunner().invoke(main, ["evaluate", "--set", "seed"])
    assert result.exit_code == 0, result.output
    assert "gold events matched" in result.output
    assert "macro-F1" in result.output
    assert "gold places found within tolerance" in result.output


def test_evaluate_seed_json_scores_full_recall() -> None:
    from frontwatch.cli import main

    result = CliRunner().invoke(main, ["evaluate", "--set", "seed", "--json"])
    assert result.exit_code == 0, result.output
    (seed,) = json.loads(result.stdout)
    matched = seed["ratios"]["gold events matched (type, sub-type, place, date)"]
    places = seed["ratios"]["gold places found within tolerance"]
    assert matched["correct"] == matched["n"] == 11
    # every gold place but "Ukraine", which only the tags line names (no mention with offsets carries it)
    assert (places["correct"], places["n"]) == (11, 12)


def test_evaluate_bellingcat_and_ucdp_with_limit() -> None:
    from frontwatch.cli import main

    result = CliRunner().invoke(main, ["evaluate", "--set", "all", "--limit", "5", "--json", "--errors"])
    assert result.exit_code == 0, result.output
    reports = {r["set"]: r for r in json.loads(result.stdout)}
    assert set(reports) >= {"seed", "bellingcat", "ucdp"}
    assert reports["bellingcat"]["rows"] == reports["ucdp"]["rows"] == 5
    location = reports["bellingcat"]["location"]["all rows"]
    assert set(location) >= {"within_10km", "within_25km", "within_161km", "median_km"}
    assert "misses" in reports["ucdp"]


def test_evaluate_since_until_splits_the_rows_by_date() -> None:
    from frontwatch.cli import main

    rows = ucdp.load_rows()
    expected = sum(1 for r in rows if date(2022, 1, 1) <= r.date_start <= date(2023, 12, 31))
    result = ucdp.load_rows(since=date(2022, 1, 1), until=date(2023, 12, 31))
    assert len(result) == expected > 0
    assert all(date(2022, 1, 1) <= r.date_start <= date(2023, 12, 31) for r in result)
    before = ucdp.load_rows(until=date(2021, 12, 31))
    assert len(before) + len(result) + sum(r.date_start > date(2023, 12, 31) for r in rows) == len(rows)
    dated = bellingcat.load_rows(since=date(2022, 3, 1), until=date(2022, 3, 7))
    assert dated and all(r.date is not None and date(2022, 3, 1) <= r.date <= date(2022, 3, 7) for r in dated)
    cli = CliRunner().invoke(
        main, ["evaluate", "--set", "ucdp", "--since", "2022-01-01", "--until", "2022-01-31", "--json"]
    )
    assert cli.exit_code == 0, cli.output
    (report,) = json.loads(cli.stdout)
    assert report["rows"] == sum(1 for r in rows if date(2022, 1, 1) <= r.date_start <= date(2022, 1, 31))
    bad = CliRunner().invoke(main, ["evaluate", "--set", "ucdp", "--since", "last week"])
    assert bad.exit_code == 2 and "--since" in bad.output
