"""The pipeline end to end with the real stages (spaCy, the embedded gazetteer, the event rules).

analyse() on the example report; ingest() into SQLite and PostgreSQL (idempotent re-ingest, a bad
file in the middle of a batch, an article whose analysis fails); Dask workers give the same result.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import SEED_PUBLISHED
from frontwatch.ingest import read_paths
from frontwatch.model import Article
from frontwatch.pipeline import analyse, ingest, ingest_items
from frontwatch.store import open_store
from store_backends import backend_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def gazetteer():
    from frontwatch.gazetteer import Gazetteer

    return Gazetteer.open_default()


@pytest.fixture(scope="session")
def seed_article(seed_path: Path) -> Article:
    [article] = list(read_paths([seed_path], published=SEED_PUBLISHED))
    assert isinstance(article, Article)
    return article


@pytest.fixture(scope="session")
def seed_analysed(seed_article, gazetteer):
    return analyse(seed_article, gazetteer=gazetteer)


@pytest.fixture
def batch_dir(tmp_path: Path, seed_path: Path) -> Path:
    """Two good reports with a broken file between them (and an empty one)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a-seed.txt").write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b-broken.txt").write_bytes(b"\xff\xfe\x00\x00broken \x81\x8d bytes\n\n\xc3\x28")
    (folder / "c-empty.txt").write_text("", encoding="utf-8")
    (folder / "d-second.jsonl").write_text(
        json.dumps(
            {
                "title": "Shelling of Kharkiv",
                "text": "Russian forces shelled Kharkiv on May 8, the regional governor said. "
                "Two civilians were injured in the Saltivka district.",
                "url": "https://example.org/kharkiv",
                "published": "2022-05-09",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return folder


def test_analyse_keeps_the_article_and_finds_its_places(seed_article, seed_analysed):
    result = seed_analysed

    ids = {p.entry.id for p in result.resolved.places}
    assert result.resolved.annotated.article == seed_article
    assert {"gn:707292", "gn:712794"} <= ids  # Izium, Barvinkove
    assert all(
        seed_article.text[p.mention.start_char : p.mention.end_char] == p.mention.surface
        for p in result.resolved.places
    )
    assert all(e.article_id == seed_article.id for e in result.events)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reingesting_the_same_file_changes_nothing(backend, tmp_path: Path, seed_path: Path, gazetteer):
    with backend_url(backend, tmp_path) as url:
        store = open_store(url)
        first = ingest([seed_path], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED)
        counts = store.counts()
        events = store.events()

        second = ingest([seed_path], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED)

        assert (first.read, first.stored, first.already_present, first.skipped) == (1, 1, 0, ())
        assert first.events == len(events) > 0
        assert (second.read, second.stored, second.already_present, second.skipped) == (1, 0, 1, ())
        assert store.counts() == counts  # not even a new run is recorded
        assert store.events() == events
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_syndicated_copies_join_the_stored_clusters_as_they_are_stored(
    backend, tmp_path: Path, seed_path: Path, gazetteer
):
    """Copies of one report from several outlets, in two ingests: every event of the story is one
    cluster across both (the second ingest joins the stored summaries), each copy an independent
    source, and every stored event has its cluster_id in the public JSON."""
    from frontwatch.store import query
    from frontwatch.store.clusters import load_assignments

    title, _, body = seed_path.read_text(encoding="utf-8").strip().partition("\n\n")

    def copies(first: int, last: int) -> Path:
        path = tmp_path / f"copies-{first}.jsonl"
        records = [
            {"title": title, "text": f"{body}\n\nCarried by outlet {i}.", "source": f"Outlet {i}"}
            for i in range(first, last)
        ]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    with backend_url(backend, tmp_path) as url:
        store = open_store(url)
        first = ingest([copies(0, 3)], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED)
        clusters_then = {a.cluster_id for a in load_assignments(store.engine).values()}
        second = ingest([copies(3, 5)], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED)
        assignments = load_assignments(store.engine)
        docs = [json.loads(d) for d in query.iter_event_docs(store, query.EventFilter())]
        store.close()

    assert first.stored == 3 and second.stored == 2 and first.events == second.events * 3 // 2 > 0
    per_copy = first.events // 3
    assert {a.cluster_id for a in assignments.values()} == clusters_then  # no new cluster
    sizes = Counter(a.cluster_id for a in assignments.values())
    assert len(sizes) == per_copy and set(sizes.values()) == {5}  # one event of each copy in each
    assert sum(a.is_canonical for a in assignments.values()) == len(sizes)  # one canonical each
    assert {d["id"]: d["cluster_id"] for d in docs} == {k: a.cluster_id for k, a in assignments.items()}


def test_an_ingest_first_clusters_the_events_stored_without_merging(
    tmp_path: Path, seed_path: Path, gazetteer
):
    from frontwatch.derive import merge_store
    from frontwatch.store.clusters import load_assignments

    with open_store(tmp_path / "pending.db") as store:
        ingest([seed_path], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED, merge=False)
        assert load_assignments(store.engine) == {}
        again = ingest([seed_path], store=store, gazetteer=gazetteer, published=SEED_PUBLISHED)
        assignments = load_assignments(store.engine)
        events = store.events()
        assert merge_store(store).new == 0
    assert again.stored == 0 and again.already_present == 1  # nothing new, yet the events got clusters
    assert set(assignments) == {e.id for e in events} != set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bad_file_in_the_middle_of_a_batch_is_skipped_and_named(backend, tmp_path, batch_dir, gazetteer):
    with backend_url(backend, tmp_path) as url:
        store = open_store(url)
        summary = ingest([batch_dir], store=store, gazetteer=gazetteer)

        skipped = {Path(s.origin).name: s.reason for s in summary.skipped}
        assert (summary.read, summary.stored) == (2, 2)
        assert set(skipped) == {"b-broken.txt", "c-empty.txt"}
        assert all(skipped.values())
        assert {a.url for a in store.articles()} == {None, "https://example.org/kharkiv"}
        assert not summary.ok
        store.close()


class ExplodingGazetteer:
    """The real gazetteer, except that matching a text holding BOOM fails (as a bug would)."""

    def __init__(self, real) -> None:
        self._real = real

    def match(self, text: str):
        if "BOOM" in text:
            raise RuntimeError("matcher exploded")
        return self._real.match(text)

    def __getattr__(self, name: str):
        return getattr(self._real, name)


def test_an_article_whose_analysis_fails_is_skipped_and_the_batch_goes_on(tmp_path, seed_article, gazetteer):
    from frontwatch.ingest import read_text

    bad = read_text("BOOM in Kharkiv\n\nSomething about BOOM near Izium.", origin="bad.txt")
    store = open_store(tmp_path / "fw.db")

    summary = ingest_items([seed_article, bad], store=store, gazetteer=ExplodingGazetteer(gazetteer))

    assert (summary.read, summary.stored) == (2, 1)
    assert [(s.origin, s.reason) for s in summary.skipped] == [
        ("bad.txt", "analysis failed: RuntimeError: matcher exploded")
    ]
    assert [a.id for a in store.articles()] == [seed_article.id]
    store.close()


def test_dask_workers_give_the_same_result_as_one_process(tmp_path, batch_dir, gazetteer):
    one = open_store(tmp_path / "one.db")
    two = open_store(tmp_path / "two.db")

    serial = ingest([batch_dir], store=one, gazetteer=gazetteer, workers=1)
    parallel = ingest([batch_dir], store=two, workers=2)

    assert (parallel.read, parallel.stored, len(parallel.skipped)) == (serial.read, serial.stored, 2)
    assert two.articles() == one.articles()
    assert two.places() == one.places()
    assert two.events() == one.events()
    one.close()
    two.close()
