"""Event merging on small multi-report scenarios (hand-built events; the pipeline's own in test_control)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import itertools
import random
from datetime import date
from pathlib import Path

from control_scenarios import GRAD, RUSSIA, SHAHED, UKRAINE, event
from frontwatch.clusters import Cluster, MergeReason, merge, source_key
from frontwatch.geometry import haversine_km
from frontwatch.model import DatePrecision, Weapon
from frontwatch.settings import shared_path

DAY = date(2022, 5, 10)


def shape(clusters: list[Cluster]) -> list[tuple[str, tuple[str, ...], int]]:
    return sorted((c.id, tuple(sorted(c.event_ids)), c.independent_sources) for c in clusters)


def three_outlets() -> list:
    return [
        event(
            "shelling",
            "kharkiv",
            DAY,
            article="a1",
            outlet="Kyiv Independent",
            text="Russian forces shelled Kharkiv with Grad rockets on Tuesday.",
            weapons=(GRAD,),
        ),
        event(
            "shelling",
            "kharkiv",
            DAY,
            article="a2",
            outlet="Ukrainska Pravda",
            text="Kharkiv came under Russian fire, the General Staff of the Ukrainian Armed Forces said.",
            claimant="General Staff of the Ukrainian Armed Forces",
        ),
        event(
            "shelling",
            "kharkiv",
            DAY,
            article="a3",
            outlet="Reuters",
            text="Ukraine's General Staff said Russian troops shelled Kharkiv.",
            claimant="Ukraine's General Staff",
        ),
    ]


def test_same_shelling_from_three_outlets_is_one_cluster():
    result = merge(three_outlets())
    expected = 1
    assert len(result) == expected
    cluster = result[0]
    assert len(cluster.members) == 3
    # two outlets quoting the General Staff are one source; the first outlet's own report is another
    assert cluster.sources == ("claimant:ua-general-staff", "outlet:kyiv independent")
    assert cluster.independent_sources == 2


def test_source_key_falls_back_to_outlet_then_article():
    with_claimant, no_claimant = three_outlets()[1], three_outlets()[0]
    bare = event("shelling", "kharkiv", DAY, article="a9")
    result = (
        source_key(with_claimant),
        source_key(no_claimant),
        source_key(bare, outlets={"a9": "The Guardian"}),
        source_key(bare),
    )
    expected = ("claimant:ua-general-staff", "outlet:kyiv independent", "outlet:guardian", "article:a9")
    assert result == expected


def test_every_member_has_an_explanation():
    cluster = merge(three_outlets())[0]
    seed, *joined = cluster.reasons
    assert seed.matched_event_id is None and seed.event_id == cluster.canonical.id
    for reason in joined:
        assert isinstance(reason, MergeReason)
        assert reason.cluster_id == cluster.id
        assert reason.same_place and reason.distance_km == 0.0
        assert reason.date_overlap == (DAY, DAY)
        assert reason.type_match == "Explosions/Remote violence / Shelling/artillery/missile attack"
        assert "same place" in reason.text()


def test_two_different_strikes_on_one_town_on_one_day_stay_two():
    reports = [
        event(
            "strike",
            "kharkiv",
            DAY,
            article="b1",
            text="A Shahed drone hit Kharkiv in the morning.",
            weapons=(SHAHED,),
        ),
        event("strike", "kharkiv", DAY, article="b2", text="Kharkiv was struck by drones in the evening."),
        event(
            "strike", "kharkiv", DAY, article="b3", text="Drones struck Kharkiv this morning, officials said."
        ),
        event(
            "strike", "kharkiv", DAY, article="b4", text="Another drone strike hit Kharkiv later that day."
        ),
    ]
    result = shape(merge(reports))
    groups = sorted(len(ids) for _, ids, _ in result)
    # morning reports merge; the evening strike and "another" strike are distinct events
    expected = [1, 1, 2]
    assert groups == expected


def test_a_generic_weapon_matches_the_system_it_covers_but_two_systems_differ():
    guns = Weapon("artillery", "artillery", "artillery", "artillery")
    m777 = Weapon("m777", "M777", "towed howitzer", "M777", 155)
    reports = [
        event("shelling", "kharkiv", DAY, article="w1", text="Grad rockets hit Kharkiv.", weapons=(GRAD,)),
        event("shelling", "kharkiv", DAY, article="w2", text="Artillery shelled Kharkiv.", weapons=(guns,)),
        event("shelling", "izyum", DAY, article="w3", text="Grad rockets hit Izyum.", weapons=(GRAD,)),
        event("shelling", "izyum", DAY, article="w4", text="An M777 shelled Izyum.", weapons=(m777,)),
    ]
    result = sorted(sorted(e.article_id for e in c.members) for c in merge(reports))
    assert result == [["w1", "w2"], ["w3"], ["w4"]]


def test_events_of_one_article_are_never_merged():
    reports = [
        event("shelling", "kharkiv", DAY, article="c1", text="Russian forces shelled Kharkiv."),
        event("shelling", "kharkiv", DAY, article="c1", text="Shelling of Kharkiv resumed."),
    ]
    assert len(merge(reports)) == 2


def test_nearby_places_merge_far_ones_do_not():
    reports = [
        event("shelling", "izyum", DAY, article="d1"),
        event("shelling", "izyum-south", DAY, article="d2"),  # 2 km away
        event("shelling", "kharkiv", DAY, article="d3"),  # 120 km away
    ]
    result = shape(merge(reports))
    assert sorted(len(ids) for _, ids, _ in result) == [1, 2]


def test_on_or_before_overlaps_an_earlier_day():
    exact = event("shelling", "izyum", date(2022, 5, 8), article="e1")
    vague = event("shelling", "izyum", DAY, article="e2", precision=DatePrecision.ON_OR_BEFORE)
    later = event("shelling", "izyum", date(2022, 5, 11), article="e3")
    clusters = merge([vague, later, exact])
    result = {c.canonical.id: sorted(c.event_ids) for c in clusters}
    expected = {exact.id: sorted([exact.id, vague.id]), later.id: [later.id]}
    assert result == expected


def test_different_initiators_do_not_merge():
    reports = [
        event("shelling", "kharkiv", DAY, article="f1"),
        event("shelling", "kharkiv", DAY, article="f2", actors=(UKRAINE,)),
    ]
    assert len(merge(reports)) == 2


def test_input_order_does_not_change_clusters():
    reports = [
        *three_outlets(),
        event("shelling", "izyum", DAY, article="g1"),
        event("shelling", "izyum-south", DAY, article="g2"),
        event("shelling", "izyum", date(2022, 5, 12), article="g3", precision=DatePrecision.ON_OR_BEFORE),
        event("strike", "kharkiv", DAY, article="g4", text="A Shahed hit Kharkiv in the morning."),
        event("strike", "kharkiv", DAY, article="g5", text="Another strike hit Kharkiv."),
        event("capture", "izyum", date(2022, 4, 1), article="g6"),
        event("capture", "izyum", date(2022, 4, 1), article="g7"),
    ]
    expected = shape(merge(reports))
    rng = random.Random(7)
    orders = [list(p) for p in itertools.islice(itertools.permutations(reports), 0, 50, 7)]
    orders += [rng.sample(reports, len(reports)) for _ in range(20)]
    for order in orders:
        assert shape(merge(order)) == expected


def test_incremental_merge_joins_an_existing_cluster():
    first, second, third = three_outlets()
    existing = merge([first, second])
    result = merge([third], existing=existing)
    assert len(result) == 1
    assert result[0].id == existing[0].id
    assert sorted(result[0].event_ids) == sorted(e.id for e in (first, second, third))
    # re-merging what is already there changes nothing
    assert shape(merge([first, second, third], existing=result)) == shape(result)


def test_bellingcat_dev_set_near_duplicates_merge():
    """The dev set (read from ../shared; fails loudly when missing) through bench/merge.py's row events."""
    script = Path(__file__).parents[1] / "bench" / "merge.py"
    spec = importlib.util.spec_from_file_location("bench_merge", script)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = shared_path("eval", "bellingcat-cir", "dev.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [(row, ev) for row in csv.DictReader(handle) if (ev := bench.row_event(row)) is not None]
    clusters = merge([ev for _, ev in rows])
    cluster_of = {eid: c.id for c in clusters for eid in c.event_ids}
    pairs = bench.near_duplicate_pairs(rows)
    together = sum(cluster_of[a] == cluster_of[b] for a, b in pairs)
    assert len(rows) == 3429
    assert together / len(pairs) >= 0.9
    assert 0.3 <= 1 - len(clusters) / len(rows) <= 0.6
    # every cluster is compact: one day, members within twice max_km of each other
    for c in clusters:
        assert len({e.date for e in c.members}) == 1
        points = [(e.place.entry.lat, e.place.entry.lon) for e in c.members if e.place]
        assert all(haversine_km(*p, *q) <= 10.0 for p in points for q in points)


def test_stored_merge_is_incremental(tmp_path):
    from control_scenarios import extracted
    from frontwatch import derive
    from frontwatch.store import open_store

    first, second, third = three_outlets()
    with open_store(tmp_path / "merge.db") as store:
        store.save(extracted("a1", [first], outlet="Kyiv Independent"))
        store.save(extracted("a2", [second], outlet="Ukrainska Pravda"))
        before = derive.merge_store(store)
        cluster_id = derive.explain(store, first.id).cluster_id
        store.save(extracted("a3", [third], outlet="Reuters"))
        after = derive.merge_store(store)
        explanation = derive.explain(store, third.id)
    assert (before.reports, before.new, before.clusters) == (2, 2, 1)
    assert (after.reports, after.new, after.clusters) == (3, 1, 1)
    # the new report joined the stored cluster, which kept its id; the General Staff counts once
    assert explanation.cluster_id == cluster_id
    assert explanation.independent_sources == 2
    assert explanation.of(third.id).reason.matched_event_id == explanation.members[0].reason.event_id


def test_ordinals_that_are_not_about_the_event_do_not_split():
    reports = [
        event("shelling", "kharkiv", DAY, article="p1", text="Kharkiv, the second-largest city, burns."),
        event("shelling", "kharkiv", DAY, article="p2", text="Russian troops shelled Kharkiv."),
        event("shelling", "kharkiv", DAY, article="p3", text="A second shelling hit Kharkiv."),
    ]
    result = sorted(len(c.members) for c in merge(reports))
    assert result == [1, 2]


def copies(n: int) -> list:
    """One shelling carried by `n` outlets, a few naming the weapon or the time of day."""
    return [
        event(
            "shelling",
            "kharkiv",
            DAY,
            article=f"copy{i}",
            outlet=f"Outlet {i}",
            text="Russian forces shelled Kharkiv overnight." if i % 3 else "Russian forces shelled Kharkiv.",
            weapons=(GRAD,) if i % 5 == 0 else (),
        )
        for i in range(n)
    ]


def test_merging_compares_a_report_with_the_cluster_summary_not_with_every_member(monkeypatch):
    from frontwatch import clusters

    calls = []
    original = clusters.compare

    def counted(a, b, **kw):
        calls.append((a.id, b.id))
        return original(a, b, **kw)

    monkeypatch.setattr(clusters, "compare", counted)
    for n in (10, 200):
        calls.clear()
        found = merge(copies(n))
        assert [len(c.members) for c in found] == [n]  # one story, one cluster
        assert len(calls) == n - 1  # one comparison per joining report (with the cluster's first)
    summary = clusters.Summary.start("cl", copies(1)[0])
    for e in copies(200)[1:]:
        summary.add(e)
    # the summary holds the distinct facts only: 200 members, one place, one (non-empty) weapon set
    assert summary.size == 200 and len(summary.places) == 1 and len(summary.weapon_sets) == 1
    assert summary.time_sets == {frozenset({"night"})} and summary.repeat_sets == {frozenset()}


def test_summary_admits_exactly_what_every_member_admits():
    """The summary's answer equals asking compare() of every member (pairwise, twice max_km)."""
    from dataclasses import replace

    from frontwatch.clusters import DEFAULT_RULES, Summary, compare

    wider = replace(DEFAULT_RULES, max_km=2 * DEFAULT_RULES.max_km)
    rng = random.Random(7)
    pool = [
        event(
            "shelling",
            rng.choice(["izyum", "izyum-south", "spivakivka", "zavody", "kharkiv-oblast"]),
            DAY,
            article=f"p{i % 7}",
            text=rng.choice(
                ["Shelled overnight.", "Shelled in the morning.", "A second strike.", "Shelling."]
            ),
            weapons=rng.choice([(), (), (GRAD,), (SHAHED,)]),
            actors=rng.choice([(), (RUSSIA,), (RUSSIA,), (UKRAINE,), (RUSSIA, UKRAINE)]),
        )
        for i in range(40)
    ]
    answers = []
    for cluster in merge(pool):  # members that merging put together: compatible with each other
        members = cluster.members
        summary = Summary.start("cl", members[0])
        for m in members[1:]:
            summary.add(m)
        for candidate in pool:
            if candidate in members:
                continue
            pairwise = all(not isinstance(compare(m, candidate, rules=wider), str) for m in members)
            assert summary.admits(candidate, rules=wider) == pairwise, (members, candidate)
            answers.append((len(members) > 1, pairwise))
    # both answers were exercised, on clusters of several members too
    assert {(True, True), (True, False)} <= set(answers)


def test_merge_store_gives_the_clusters_of_merge(tmp_path):
    from control_scenarios import extracted
    from frontwatch import derive
    from frontwatch.store import open_store
    from frontwatch.store.clusters import load_assignments

    reports = [*three_outlets(), *copies(12)]
    with open_store(tmp_path / "same.db") as store:
        for e in reports:
            store.save(extracted(e.article_id, [e], outlet=e.claimant.outlet if e.claimant else None))
        derive.merge_store(store)
        stored = load_assignments(store.engine)
    expected = {eid: c.id for c in merge(reports) for eid in c.event_ids}
    assert {eid: a.cluster_id for eid, a in stored.items()} == expected


def test_event_cluster_reads_only_and_lists_at_most_shown_members(tmp_path):
    from sqlalchemy import func, select

    from control_scenarios import extracted
    from frontwatch import derive
    from frontwatch.store import open_store
    from frontwatch.store.clusters import event_clusters

    first, second, third = three_outlets()
    with open_store(tmp_path / "panel.db") as store:
        for e, outlet in ((first, "Kyiv Independent"), (second, "Ukrainska Pravda"), (third, "Reuters")):
            store.save(extracted(e.article_id, [e], outlet=outlet))  # saved without merging
        unmerged = derive.event_cluster(store, first.id)
        with store.connect() as conn:
            written = conn.execute(select(func.count()).select_from(event_clusters)).scalar_one()
        derive.merge_store(store)
        full = derive.event_cluster(store, third.id)
        last = full.members[-1].report.event_id  # listed last: not among the first two
        capped = derive.event_cluster(store, last, shown=2)

    # a read never merges: the unmerged event has no cluster and nothing was written
    assert unmerged is None
    assert written == 0
    # every report counted, `shown` listed, the canonical first and the event asked about always
    assert (capped.size, len(capped.members), capped.independent_sources) == (3, 2, 2)
    assert capped.members[0].canonical
    assert [m.report.event_id for m in capped.members] == [full.members[0].report.event_id, last]
    assert full.size == len(full.members) == 3
    assert {m.report.event_id: m.report.article.source for m in full.members} == {
        first.id: "Kyiv Independent",
        second.id: "Ukrainska Pravda",
        third.id: "Reuters",
    }
