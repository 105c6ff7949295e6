"""The store on both backends (SQLite file, PostgreSQL schema): round trip, idempotence, migrations.

Every test body runs on SQLite and on PostgreSQL; the PostgreSQL runs FAIL when FRONTWATCH_TEST_PG
is unset (test.sh sets it), they never skip.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from frontwatch.errors import StoreError
from frontwatch.store import StoredPlace, normalise_url, open_store
from frontwatch.store.schema import schema_migrations
from store_backends import IZIUM, SPIVAKIVKA, article, backend_url, extracted

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path: Path):
    with backend_url(request.param, tmp_path) as url:
        opened = open_store(url)
        try:
            yield opened
        finally:
            opened.close()


def test_round_trip_gives_back_equal_records(store):
    sample = extracted(1)

    assert store.save(sample) is True

    assert store.articles() == [sample.resolved.annotated.article]
    assert store.article("art0001") == sample.resolved.annotated.article
    assert store.article("nope") is None
    expected_places = [StoredPlace("art0001", p) for p in sample.resolved.places]
    assert store.places() == expected_places
    assert store.places(article_id="art0001") == expected_places
    assert store.places(article_id="other") == []
    assert store.events() == list(sample.events)
    assert store.events(article_id="art0001") == list(sample.events)


def test_claimant_without_name_and_no_claimant_stay_distinct(store):
    sample = extracted(1)
    store.save(sample)

    by_id = {e.id: e for e in store.events()}

    assert by_id["ev0001a"].claimant.name == "Maxim Strelnik"
    assert by_id["ev0001b"].claimant is not None and by_id["ev0001b"].claimant.name is None
    assert by_id["ev0001b"].place is None


def test_saving_the_same_article_twice_changes_nothing(store):
    sample = extracted(1)
    run = store.start_run(gazetteer_version="test-gaz", rules_version="events.rules.v1")
    store.save(sample, run_id=run)
    before = store.counts()
    events_before = store.events()

    again = store.save(sample, run_id=store.start_run(gazetteer_version="test-gaz"))

    after = store.counts()
    assert again is False
    assert {k: v for k, v in after.items() if k != "runs"} == {k: v for k, v in before.items() if k != "runs"}
    assert store.events() == events_before


def test_shared_gazetteer_entries_are_stored_once(store):
    store.save(extracted(1))
    store.save(extracted(2))

    counts = store.counts()

    assert counts["articles"] == 2
    assert counts["gazetteer_places"] == 2  # Izium and Spivakivka, shared by both articles
    assert counts["places"] == 4
    assert counts["events"] == 4
    assert counts["event_related_places"] == 2
    assert {p.place.entry for p in store.places()} == {IZIUM, SPIVAKIVKA}
    assert store.known_article_ids(["art0001", "art0002", "art0003"]) == {"art0001", "art0002"}


def test_events_and_places_keep_their_order_per_article(store):
    store.save(extracted(2))
    store.save(extracted(1))

    result = [(e.article_id, e.id) for e in store.events()]

    expected = [
        ("art0001", "ev0001a"),
        ("art0001", "ev0001b"),
        ("art0002", "ev0002a"),
        ("art0002", "ev0002b"),
    ]
    assert result == expected


def test_article_without_places_or_events(store):
    from frontwatch.model import AnnotatedArticle, ExtractedArticle, ResolvedArticle

    bare = article(7, published=None)

    assert store.save(ExtractedArticle(ResolvedArticle(AnnotatedArticle(bare, ()), ()))) is True
    assert store.article(bare.id) == bare
    assert store.places(article_id=bare.id) == []


def test_migrations_are_recorded_once(store):
    url = store.engine.url  # reopening the same database applies nothing again
    with store.connect() as conn:
        first = list(conn.execute(select(schema_migrations.c.version, schema_migrations.c.applied_at)))

    reopened = open_store(url.render_as_string(hide_password=False))
    with reopened.connect() as conn:
        second = list(conn.execute(select(schema_migrations.c.version, schema_migrations.c.applied_at)))
    reopened.close()

    assert first[0][0] == 1
    assert second == first


def test_sqlite_store_is_one_file_in_wal_mode(tmp_path: Path):
    path = tmp_path / "sub" / "fw.db"
    store = open_store(path)
    with store.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        unmapped = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
    store.close()
    with open_store(path, memory_map=True) as mapped_store, mapped_store.connect() as conn:
        mapped = conn.exec_driver_sql("PRAGMA mmap_size").scalar()

    assert mode == "wal"
    assert fks == 1
    assert unmapped == 0  # a full scan (an export) must not count the whole file as its memory
    assert mapped >= 2**30  # the API's reads, through a memory map (capped by the SQLite build)
    assert path.is_file()
    assert open_store(f"sqlite:///{path}").articles() == []


def test_plain_path_becomes_a_sqlite_url(tmp_path: Path):
    assert normalise_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unusable_store_url_raises_store_error():
    with pytest.raises(StoreError, match="cannot open store"):
        open_store("nosuchdialect://x/y")


def test_save_many_says_which_articles_were_new(store):
    store.save(extracted(1))

    result = store.save_many([extracted(2), extracted(1), extracted(2), extracted(3)])

    assert result == [True, False, False, True]
    assert [a.id for a in store.articles()] == ["art0001", "art0002", "art0003"]
    assert store.counts()["events"] == 6


def test_a_failing_batch_keeps_nothing_and_raises(store):
    from dataclasses import replace

    good = extracted(1)
    clash = extracted(2)
    # An event id already used by another article: the database refuses the row.
    clash = replace(clash, events=(replace(clash.events[0], id=good.events[0].id),))

    with pytest.raises(StoreError, match="cannot store a batch of 2 articles"):
        store.save_many([good, clash])

    assert store.articles() == []
    assert store.save(good) is True
    with pytest.raises(StoreError, match="cannot store article art0002"):
        store.save(clash)
    assert [a.id for a in store.articles()] == ["art0001"]


def test_event_docs_are_the_public_json_of_the_stored_events(store):
    from frontwatch.public import doc_with_cluster, event_json
    from frontwatch.store import query

    store.save(extracted(1))  # saved without merging: no cluster yet

    result = query.event_docs_page(store, query.EventFilter(), limit=10).items
    page = query.events_page(store, query.EventFilter(), limit=10).items
    expected = [doc_with_cluster(event_json(e), None) for e in page]
    assert result == expected


def test_migration_4_backfills_the_docs_of_an_older_store(store):
    from sqlalchemy import delete, update

    from frontwatch.public import event_json
    from frontwatch.store.schema import events

    store.save(extracted(1))
    with store.begin() as conn:  # as a store written before migration 4 looks
        conn.execute(update(events).values(doc=None))
        conn.execute(delete(schema_migrations).where(schema_migrations.c.version == 4))

    reopened = open_store(store.engine.url.render_as_string(hide_password=False))
    with reopened.connect() as conn:
        result = dict(conn.execute(select(events.c.id, events.c.doc)).all())
    expected = {e.id: event_json(e) for e in reopened.events()}
    reopened.close()

    assert result == expected


def test_pages_walk_dated_then_undated_events_once_each(store):
    from frontwatch.store import query

    for n in range(1, 6):  # each article: one dated event and one undated
        store.save(extracted(n))

    pages = [query.events_page(store, query.EventFilter(), limit=3)]
    while pages[-1].next is not None:
        pages.append(query.events_page(store, query.EventFilter(), limit=3, cursor=pages[-1].next))
    result = [e.id for page in pages for e in page.items]
    docs = [json.loads(d)["id"] for d in query.iter_event_docs(store, query.EventFilter(), batch=4)]

    # (date, id) with the undated last; one page straddles the dated and the undated
    expected = [f"ev{n:04d}a" for n in range(1, 6)] + [f"ev{n:04d}b" for n in range(1, 6)]
    assert result == expected
    assert docs == expected
    assert [len(p.items) for p in pages] == [3, 3, 3, 1]


def test_a_date_filter_leaves_the_undated_events_out_of_pages(store):
    from datetime import date

    from frontwatch.store import query

    for n in range(1, 4):
        store.save(extracted(n))
    flt = query.EventFilter(since=date(2022, 5, 1))

    first = query.events_page(store, flt, limit=2)
    rest = query.events_page(store, flt, limit=2, cursor=first.next)

    assert [e.id for e in first.items + rest.items] == ["ev0001a", "ev0002a", "ev0003a"]
    assert rest.next is None


def test_pages_of_one_shape_bind_their_own_window_and_bbox(store):
    from dataclasses import replace
    from datetime import date

    from frontwatch.store import query

    days = [date(2022, 5, 1), date(2022, 5, 10), date(2022, 5, 20)]
    for n, day in enumerate(days, 1):  # each article's placed event on its own day
        x = extracted(n)
        store.save(replace(x, events=(replace(x.events[0], date=day), *x.events[1:])))
    near = query.BBox(SPIVAKIVKA.lon - 0.1, SPIVAKIVKA.lat - 0.1, SPIVAKIVKA.lon + 0.1, SPIVAKIVKA.lat + 0.1)
    far = query.BBox(30.0, 45.0, 31.0, 46.0)

    def pages(since: date, until: date, bbox: query.BBox) -> tuple[list[str], list[str]]:
        flt = query.EventFilter(since=since, until=until, bbox=bbox)
        docs = query.event_docs_page(store, flt, limit=10).items
        return [e.id for e in query.events_page(store, flt, limit=10).items], [
            json.loads(d)["id"] for d in docs
        ]

    # one statement shape (window + bbox), each page with its own values: none kept from the one before
    result = [pages(days[0], days[0], near), pages(days[1], days[2], near), pages(days[0], days[2], far)]

    expected = [["ev0001a"], ["ev0002a", "ev0003a"], []]
    assert result == [(ids, ids) for ids in expected]


def test_a_page_after_a_cursor_starts_at_the_cursors_day_in_the_date_index(tmp_path: Path):
    from datetime import date

    from frontwatch.store import query

    with open_store(tmp_path / "plan.db") as store:  # EXPLAIN QUERY PLAN is SQLite's
        store.save(extracted(1))
        cursor = query.PageCursor(date(2022, 5, 9).isoformat(), "ev0000")

        result = query.explain_events(store, query.EventFilter(), cursor=cursor)

    # an index range from the cursor's day on, not a scan of the date index from its start
    assert any("ix_events_date_id_lat_lon (date>?)" in line for line in result), result


def test_a_map_page_is_read_in_index_order_with_no_sort(tmp_path: Path):
    from datetime import date

    from frontwatch.store import query

    with open_store(tmp_path / "plan.db") as store:
        store.save(extracted(1))
        flt = query.EventFilter(
            since=date(2022, 5, 1), until=date(2022, 5, 31), bbox=query.BBox.parse("36,48,38,50")
        )

        result = query.explain_events(store, flt)

    # the time window is a range of the (date, id, lat, lon) index, already in the page's order
    assert any("ix_events_date_id_lat_lon (date>? AND date<?)" in line for line in result), result
    assert not any("TEMP B-TREE" in line for line in result), result


def test_migration_8_replaces_the_date_index_of_an_older_store(tmp_path: Path):
    from sqlalchemy import delete, text

    path = tmp_path / "old.db"
    with open_store(path) as store, store.begin() as conn:  # as a store written before migration 8
        conn.execute(text("DROP INDEX ix_events_date_id_lat_lon"))
        conn.execute(text("CREATE INDEX ix_events_date_lat_lon ON events (date, lat, lon)"))
        conn.execute(delete(schema_migrations).where(schema_migrations.c.version == 8))

    with open_store(path) as reopened, reopened.connect() as conn:
        result = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE 'ix_events_date%'").scalars()
        )

    assert result == {"ix_events_date_id_lat_lon"}


@pytest.mark.parametrize(
    "cluster_id", [None, "cl-ev:000a4284de4f496d", 'odd "id" \\ with escapes', "кластер"]
)
def test_doc_with_cluster_is_the_doc_with_one_more_key(cluster_id):
    from frontwatch.public import doc_with_cluster

    result = json.loads(doc_with_cluster('{"id":"ev:1","type":"x"}', cluster_id))

    expected = {"id": "ev:1", "type": "x", "cluster_id": cluster_id}
    assert result == expected
    assert list(result) == ["id", "type", "cluster_id"]
