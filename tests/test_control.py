"""Control timeline and contradictions: hand-built scenarios, then the example report end to end."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from control_scenarios import UKRAINE, event, extracted
from frontwatch.cli import main
from frontwatch.clusters import merge
from frontwatch.conflicts import DENIAL, HOLDER, find_conflicts
from frontwatch.control import CONFIRMED, SINGLE_SOURCE, held_on, timeline
from frontwatch.model import DatePrecision, Modality
from frontwatch.store import open_store

APRIL_1 = date(2022, 4, 1)
MAY_10 = date(2022, 5, 10)
SEPT_10 = date(2022, 9, 10)


def rows(intervals) -> list[tuple]:
    return [(i.holder, i.since, i.since_precision, i.until, i.until_precision, i.modality) for i in intervals]


def test_capture_then_liberation_gives_two_intervals():
    reports = [
        event(
            "capture", "izyum", APRIL_1, article="h1", text="Izyum was captured by Russian troops on April 1."
        ),
        event(
            "retake",
            "izyum",
            SEPT_10,
            article="h2",
            actors=(UKRAINE,),
            claimant="Volodymyr Zelensky",
            modality=Modality.CLAIMED,
            text="Izyum has been liberated, Zelensky said.",
        ),
    ]
    result = rows(timeline(reports)["gn:707292"])
    expected = [
        ("Russia", APRIL_1, DatePrecision.DAY, SEPT_10, DatePrecision.DAY, Modality.ASSERTED),
        ("Ukraine", SEPT_10, DatePrecision.DAY, None, None, Modality.CLAIMED),
    ]
    assert result == expected


def test_one_claim_is_single_source_two_independent_are_confirmed():
    claim = event(
        "retake",
        "zavody",
        MAY_10,
        article="i1",
        actors=(UKRAINE,),
        claimant="Maxim Strelnik",
        outlet="Espresso TV",
        modality=Modality.CLAIMED,
        precision=DatePrecision.ON_OR_BEFORE,
    )
    alone = timeline([claim])["katotth:UA63040130100094915"]
    second = event(
        "retake",
        "zavody",
        MAY_10,
        article="i2",
        actors=(UKRAINE,),
        outlet="Reuters",
        precision=DatePrecision.ON_OR_BEFORE,
        text="Ukrainian troops retook Zavody, Reuters saw.",
    )
    both = timeline([claim, second])["katotth:UA63040130100094915"]
    result = [(len(t), t[0].status, len(t[0].sources), t[0].modality) for t in (alone, both)]
    expected = [(1, SINGLE_SOURCE, 1, Modality.CLAIMED), (1, CONFIRMED, 2, Modality.ASSERTED)]
    assert result == expected
    assert both[0].claimants == ("Maxim Strelnik (Espresso TV)", "Reuters")


def test_repeated_reports_of_one_holder_extend_one_interval():
    reports = [
        event("capture", "izyum", APRIL_1, article="j1"),
        event(
            "capture",
            "izyum",
            date(2022, 4, 20),
            article="j2",
            precision=DatePrecision.ON_OR_BEFORE,
            text="Izyum, occupied by Russian forces, ...",
        ),
        event("retake", "izyum", SEPT_10, article="j3", actors=(UKRAINE,)),
    ]
    result = [(i.holder, i.since, i.until, len(i.events)) for i in timeline(reports)["gn:707292"]]
    expected = [("Russia", APRIL_1, SEPT_10, 2), ("Ukraine", SEPT_10, None, 1)]
    assert result == expected


def test_claim_and_denial_are_a_listed_contradiction():
    claim = event(
        "retake",
        "spivakivka",
        MAY_10,
        article="k1",
        actors=(UKRAINE,),
        claimant="Maxim Strelnik",
        modality=Modality.CLAIMED,
        precision=DatePrecision.ON_OR_BEFORE,
        text="Ukrainian forces liberated Spivakivka.",
    )
    denial = event(
        "retake",
        "spivakivka",
        date(2022, 5, 11),
        article="k2",
        actors=(UKRAINE,),
        claimant="Russian Defence Ministry",
        modality=Modality.DENIED,
        text="The Russian Defence Ministry denied that Ukraine had retaken Spivakivka.",
    )
    conflicts = find_conflicts([claim, denial])
    result = [(c.kind, c.event_ids, c.place.name) for c in conflicts]
    expected = [(DENIAL, (claim.id, denial.id), "Spivakivka")]
    assert result == expected
    # both reports are kept: the claim still opens control, flagged as disputed; the denial opens nothing
    (interval,) = timeline([claim, denial])["katotth:UA63040130220055833"]
    assert interval.holder == "Ukraine" and interval.disputed and interval.conflicts == (conflicts[0].id,)


def test_different_holders_for_the_same_day_conflict():
    russian = event("capture", "izyum", APRIL_1, article="l1", claimant="Russian Defence Ministry")
    ukrainian = event("retake", "izyum", APRIL_1, article="l2", actors=(UKRAINE,), claimant="General Staff")
    result = [(c.kind, c.holders) for c in find_conflicts([russian, ukrainian])]
    expected = [(HOLDER, ("Russia", "Ukraine"))]
    assert result == expected


def test_a_sequence_is_not_a_contradiction():
    reports = [
        event("capture", "izyum", APRIL_1, article="m1"),
        event("retake", "izyum", SEPT_10, article="m2", actors=(UKRAINE,)),
    ]
    assert find_conflicts(reports) == []


def test_hoped_liberation_changes_nothing():
    hope = event(
        "retake",
        "izyum",
        MAY_10,
        article="n1",
        actors=(UKRAINE,),
        modality=Modality.HOPED,
        text="We hope that our military will liberate Izyum.",
    )
    capture = event("capture", "izyum", APRIL_1, article="n2")
    result = rows(timeline([hope, capture])["gn:707292"])
    expected = [("Russia", APRIL_1, DatePrecision.DAY, None, None, Modality.ASSERTED)]
    assert result == expected


def test_held_on_a_day_with_bbox():
    reports = [
        event("capture", "izyum", APRIL_1, article="o1"),
        event("retake", "izyum", SEPT_10, article="o2", actors=(UKRAINE,)),
        event(
            "retake", "zavody", MAY_10, article="o3", actors=(UKRAINE,), precision=DatePrecision.ON_OR_BEFORE
        ),
    ]
    intervals = timeline(reports)
    result = [(i.place.name, i.holder) for i in held_on(intervals, date(2022, 6, 1))]
    assert result == [("Izyum", "Russia"), ("Zavody", "Ukraine")]
    west_of_izyum = (36.0, 48.0, 37.2, 50.0)
    result = [(i.place.name, i.holder) for i in held_on(intervals, date(2022, 6, 1), bbox=west_of_izyum)]
    assert result == [("Zavody", "Ukraine")]
    assert [i.holder for i in held_on(intervals, date(2022, 10, 1))] == ["Ukraine", "Ukraine"]
    assert held_on(intervals, date(2022, 3, 1)) == []


# --- through the store, the CLI and the API ------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A SQLite store of six short reports: a capture twice, a claim and its denial, one shelling thrice."""
    capture_a = event("capture", "izyum", APRIL_1, article="s1", text="Izyum fell on April 1.")
    capture_b = event("capture", "izyum", APRIL_1, article="s2", text="Russian forces took Izyum on April 1.")
    shelling_a = event("shelling", "kharkiv", MAY_10, article="s1", text="Russian forces shelled Kharkiv.")
    claim = event(
        "retake", "spivakivka", MAY_10, article="s3", actors=(UKRAINE,), claimant="Maxim Strelnik",
        outlet="Espresso TV", modality=Modality.CLAIMED, precision=DatePrecision.ON_OR_BEFORE,
        text="Among them are the villages Spivakivka and Zavody.",
    )  # fmt: skip
    denial = event(
        "retake", "spivakivka", date(2022, 5, 11), article="s4", actors=(UKRAINE,),
        claimant="Russian Defence Ministry", modality=Modality.DENIED,
        text="The Russian Defence Ministry denied that Ukraine had retaken Spivakivka.",
    )  # fmt: skip
    shelling_b = event("shelling", "kharkiv", MAY_10, article="s5", claimant="General Staff",
                       text="Russia shelled Kharkiv, the General Staff said.")  # fmt: skip
    shelling_c = event("shelling", "kharkiv", MAY_10, article="s6", claimant="Ukrainian General Staff",
                       text="The Ukrainian General Staff reported shelling of Kharkiv.")  # fmt: skip
    path = tmp_path_factory.mktemp("control") / "scenario.db"
    with open_store(path) as store:
        for article_id, events, outlet in (
            ("s1", [capture_a, shelling_a], "Kyiv Independent"),
            ("s2", [capture_b], "Reuters"),
            ("s3", [claim], "Espresso TV"),
            ("s4", [denial], "TASS"),
            ("s5", [shelling_b], "Ukrainska Pravda"),
            ("s6", [shelling_c], "RBC-Ukraine"),
        ):
            store.save(extracted(article_id, events, outlet=outlet))
    return {"path": str(path), "shelling": shelling_a, "claim": claim, "denial": denial}


def cli(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_merge_and_explain(scenario_db):
    db = scenario_db["path"]
    first = json.loads(cli(db, "merge", "--json"))
    assert first == {"reports": 7, "new": 7, "clusters": 4, "clusters_with_several_reports": 2,
                     "merge_rate": round(1 - 4 / 7, 4)}  # fmt: skip
    again = json.loads(cli(db, "merge", "--json"))
    assert again["new"] == 0 and again["clusters"] == 4
    explained = json.loads(cli(db, "merge", "--explain", scenario_db["shelling"].id, "--json"))
    assert len(explained["members"]) == 3
    # the two General Staff reports are one source; Kyiv Independent's own report the other
    assert explained["independent_sources"] == 2
    assert sorted(m["source"] for m in explained["members"]) == [
        "claimant:ua-general-staff", "claimant:ua-general-staff", "outlet:kyiv independent",
    ]  # fmt: skip
    joined = [m for m in explained["members"] if not m["canonical"]]
    assert all(m["same_place"] and m["date_overlap"] == ["2022-05-10", "2022-05-10"] for m in joined)
    text = cli(db, "merge", "--explain", scenario_db["shelling"].id)
    assert "same type Explosions/Remote violence / Shelling/artillery/missile attack" in text


def test_cli_control_timeline_and_day(scenario_db):
    db = scenario_db["path"]
    (izyum,) = json.loads(cli(db, "control", "Izyum", "--json"))
    keys = ("holder", "since", "since_precision", "until", "modality", "sources", "status")
    result = [tuple(i[k] for k in keys) for i in izyum["intervals"]]
    assert result == [("Russia", "2022-04-01", "day", None, "asserted", 2, "confirmed")]
    held = json.loads(cli(db, "control", "--date", "2022-05-12", "--json"))
    result = [(i["place"]["name"], i["holder"], i["status"], i["disputed"]) for i in held]
    expected = [("Izyum", "Russia", "confirmed", False), ("Spivakivka", "Ukraine", "single source", True)]
    assert result == expected
    table = cli(db, "control", "katotth:UA63040130220055833")
    assert "Spivakivka" in table and "Ukraine" in table and "Strelnik" in table


def test_cli_conflicts(scenario_db):
    found = json.loads(cli(scenario_db["path"], "conflicts", "--json"))
    result = [(c["kind"], c["place"]["name"], c["events"]) for c in found]
    assert result == [("denial", "Spivakivka", [scenario_db["claim"].id, scenario_db["denial"].id])]


def test_api_control_routes(scenario_db):
    from fastapi.testclient import TestClient

    from frontwatch.api import create_app
    from frontwatch.settings import Settings

    with TestClient(create_app(Settings(db_url=scenario_db["path"]))) as client:
        izyum = client.get("/places/gn:707292/control")
        assert izyum.status_code == 200
        assert [(i["holder"], i["since"]) for i in izyum.json()["intervals"]] == [("Russia", "2022-04-01")]
        day = client.get("/control", params={"date": "2022-05-12", "bbox": "37.0,49.0,37.2,49.5"})
        assert day.status_code == 200
        assert [(i["place"]["name"], i["holder"]) for i in day.json()] == [("Spivakivka", "Ukraine")]
        assert set(day.json()[0]["place"]) == {"id", "name", "lat", "lon"}
        conflicts = client.get("/conflicts")
        assert [c["kind"] for c in conflicts.json()] == ["denial"]
        assert client.get("/places/gn:0/control").status_code == 404
        assert client.get("/control", params={"date": "May 12"}).status_code == 422


# --- the real pipeline: the example report and short reports of our own -----------------------


@pytest.fixture(scope="session")
def gazetteer():
    from frontwatch.gazetteer import Gazetteer

    return Gazetteer.open_default()


def analysed(gazetteer, text: str, *, published: date, outlet: str | None = None, origin: str = "report"):
    from dataclasses import replace

    from frontwatch.ingest import read_text
    from frontwatch.pipeline import analyse

    article = read_text(text, origin=origin, published=published)
    return analyse(replace(article, source=outlet), gazetteer=gazetteer)


def outlets_of(*extracted) -> dict[str, str]:
    return {
        x.resolved.annotated.article.id: x.resolved.annotated.article.source
        for x in extracted
        if x.resolved.annotated.article.source
    }


def by_name(intervals: dict) -> dict[str, list]:
    """Intervals by every name of their place (GeoNames says Kupyansk, the reports Kupiansk)."""
    found: dict[str, list] = {}
    for place_intervals in intervals.values():
        entry = place_intervals[0].place
        for name in {entry.name, *entry.names}:
            found.setdefault(name, []).extend(place_intervals)
    return found


def test_seed_report_timeline_end_to_end(gazetteer, seed_path, seed_gold):
    from frontwatch.ingest import read_text
    from frontwatch.pipeline import analyse

    article = read_text(seed_path.read_text(encoding="utf-8"), origin=str(seed_path), published=MAY_10)
    result = by_name(timeline(analyse(article, gazetteer=gazetteer).events))
    izyum, spivakivka, zavody = result["Izyum"], result["Spivakivka"], result["Zavody"]
    assert [(i.holder, i.since, i.since_precision, i.until, i.modality) for i in izyum] == [
        ("Russia", APRIL_1, DatePrecision.DAY, None, Modality.ASSERTED)
    ]
    for village in (spivakivka, zavody):
        (interval,) = village
        assert (interval.holder, interval.since, interval.since_precision, interval.modality) == (
            "Ukraine", MAY_10, DatePrecision.ON_OR_BEFORE, Modality.CLAIMED,
        )  # fmt: skip
        assert interval.status == SINGLE_SOURCE
        assert any("Strelnik" in c and "Espresso" in c for c in interval.claimants), interval.claimants
    gold_ids = {p["key"]: p.get("katotth") for p in seed_gold["places"]}
    assert zavody[0].place.katotth == gold_ids["zavody"]
    assert spivakivka[0].place.katotth == gold_ids["spivakivka"]


# Short reports of our own: (outlet, publication day, text: title, blank line, body).
REPORTS = {
    "shelling-ki": ("Kyiv Independent", MAY_10, "Evening report\n\nRussian forces shelled "
                    "residential areas of Kharkiv with Grad rockets on May 9, damaging several houses."),
    "shelling-up": ("Ukrainska Pravda", MAY_10, "News digest\n\nRussian troops shelled Kharkiv "
                    "on May 9, the General Staff of the Armed Forces of Ukraine said."),
    "shelling-rbc": ("RBC-Ukraine", MAY_10, "Morning briefing\n\nOn May 9 Russian artillery "
                     "shelled Kharkiv, the General Staff of the Ukrainian Armed Forces reported."),
    "capture": ("Reuters", date(2022, 3, 1), "War update\n\nRussian troops captured "
                "Kupiansk on February 27."),
    "liberation": ("Ukrinform", date(2022, 9, 11), "War update\n\nUkrainian forces liberated "
                   "Kupiansk on September 10, the General Staff said."),
    "claim": ("Espresso TV", MAY_10, "Evening report\n\nUkrainian forces liberated Spivakivka "
              "near Izyum, Izyum deputy Maxim Strelnik said."),
    "denial": ("TASS", date(2022, 5, 11), "Briefing in Moscow\n\nThe Russian Defence Ministry denied that "
               "Ukrainian forces had liberated Spivakivka near Izyum."),
    "strike-morning": ("Suspilne", MAY_10, "Morning report\n\nIn the morning of May 9 a Russian "
                       "missile hit a school in Kramatorsk."),
    "strike-evening": ("Hromadske", MAY_10, "Evening report\n\nIn the evening of May 9 a Russian "
                       "drone struck a market in Kramatorsk."),
}  # fmt: skip


def report(gazetteer, key: str):
    outlet, published, text = REPORTS[key]
    return analysed(gazetteer, text, published=published, outlet=outlet, origin=key)


def events_at(extracted, name: str, event_type: str) -> list:
    return [
        e
        for x in extracted
        for e in x.events
        if e.place is not None and e.place.entry.name == name and e.event_type == event_type
    ]


def test_pipeline_same_shelling_from_three_outlets(gazetteer):
    reports = [report(gazetteer, k) for k in ("shelling-ki", "shelling-up", "shelling-rbc")]
    shellings = events_at(reports, "Kharkiv", "Explosions/Remote violence")
    assert len({e.article_id for e in shellings}) == 3, shellings
    clusters = merge(shellings, outlets=outlets_of(*reports))
    assert len(clusters) == 1
    # Kyiv Independent's own report and the General Staff (quoted by two outlets): two sources
    assert clusters[0].independent_sources == 2, clusters[0].sources


def test_pipeline_capture_then_liberation(gazetteer):
    first, second = report(gazetteer, "capture"), report(gazetteer, "liberation")
    result = by_name(timeline([*first.events, *second.events], outlets=outlets_of(first, second)))
    rows = [(i.holder, i.since, i.until) for i in result["Kupiansk"]]
    assert rows == [("Russia", date(2022, 2, 27), SEPT_10), ("Ukraine", SEPT_10, None)]


def test_pipeline_claim_and_denial(gazetteer):
    claim, denial = report(gazetteer, "claim"), report(gazetteer, "denial")
    found = find_conflicts([*claim.events, *denial.events])
    assert [(c.kind, c.place.name) for c in found] == [(DENIAL, "Spivakivka")]


def test_pipeline_two_strikes_on_one_town_on_one_day(gazetteer):
    reports = [report(gazetteer, k) for k in ("strike-morning", "strike-evening")]
    strikes = events_at(reports, "Kramatorsk", "Explosions/Remote violence")
    assert len({e.article_id for e in strikes}) == 2, strikes
    assert len(merge(strikes)) == 2


def _articles(keys: list[str]) -> list:
    from dataclasses import replace

    from frontwatch.ingest import read_text

    out = []
    for key in keys:
        outlet, published, text = REPORTS[key]
        out.append(replace(read_text(text, origin=key, published=published), source=outlet))
    return out


def _groups(store) -> list[list[str]]:
    from frontwatch.store.clusters import load_assignments

    groups: dict[str, list[str]] = {}
    for event_id, assignment in load_assignments(store.engine).items():
        groups.setdefault(assignment.cluster_id, []).append(event_id)
    return sorted(sorted(g) for g in groups.values())


def test_ingest_merges_new_reports_into_clusters(gazetteer, tmp_path):
    from frontwatch import derive
    from frontwatch.pipeline import ingest_items

    keys = ["shelling-ki", "strike-morning", "shelling-up"]
    store = open_store(tmp_path / "a.db")
    ingest_items(_articles(keys), store=store, gazetteer=gazetteer)
    # a later ingest: the third outlet's report joins the stored cluster, nothing else is re-read
    ingest_items(_articles(["shelling-rbc"]), store=store, gazetteer=gazetteer)
    (shelling,) = [e for e in store.events() if e.article_id == _articles(["shelling-rbc"])[0].id]
    explained = derive.explain(store, shelling.id)
    assert explained is not None
    assert (len(explained.members), explained.independent_sources) == (3, 2)
    assert all(m.reason.text() for m in explained.members)
    assert derive.merge_store(store).new == 0  # nothing was left for a manual merge
    # deterministic: the other order, all at once, gives the same groups
    other = open_store(tmp_path / "b.db")
    ingest_items(_articles(["shelling-rbc", *reversed(keys)]), store=other, gazetteer=gazetteer)
    assert _groups(store) == _groups(other)
    store.close()
    other.close()


def test_show_and_api_give_the_events_cluster(gazetteer, tmp_path):
    from fastapi.testclient import TestClient

    from frontwatch.api import create_app
    from frontwatch.pipeline import ingest_items
    from frontwatch.settings import Settings

    path = tmp_path / "shown.db"
    with open_store(path) as store:
        ingest_items(
            _articles(["shelling-ki", "shelling-up", "shelling-rbc"]), store=store, gazetteer=gazetteer
        )
        shellings = sorted(store.events(), key=lambda e: e.id)
    text = cli(str(path), "show", shellings[0].id)
    assert "3 reports, 2 independent sources" in text
    for outlet in ("Kyiv Independent", "Ukrainska Pravda", "RBC-Ukraine"):
        assert outlet in text
    assert "claimant:ua-general-staff" in text and "same place" in text
    with TestClient(create_app(Settings(db_url=str(path)))) as client:
        body = client.get(f"/events/{shellings[0].id}").json()
    cluster = body["cluster"]
    assert (len(cluster["members"]), cluster["independent_sources"]) == (3, 2)
    assert sorted(m["event_id"] for m in cluster["members"]) == [e.id for e in shellings]
    assert sum(m["canonical"] for m in cluster["members"]) == 1
    assert all(m["why"] for m in cluster["members"])
