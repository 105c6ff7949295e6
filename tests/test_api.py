"""The API through real HTTP: uvicorn on a free local port, a temporary store of real reports, httpx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geojson
import httpx
import pytest

from api_records import analysed, fill_store
from api_server import serving
from frontwatch.settings import Settings

WRITE_TOKEN = "test-write-token"
READ_TOKEN = "test-read-token"


@pytest.fixture(scope="session")
def records(shared: Path):
    return analysed(shared)


@pytest.fixture(scope="session")
def db_url(records, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("api") / "api.db")
    fill_store(url, records)
    return url


@pytest.fixture(scope="session")
def api(db_url: str) -> Iterator[httpx.Client]:
    with (
        serving(Settings(db_url=db_url, write_token=WRITE_TOKEN)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        yield client


@pytest.fixture(scope="session")
def all_events(records) -> list:
    return [e for item in records for e in item.events]


def _walk(api: httpx.Client, path: str, params: dict) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        response = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        assert pages < 1000
        if cursor is None:
            return items


# ---- reads


def test_health_counts_the_store(api, records, all_events):
    result = api.get("/health").json()
    expected = {"status": "ok", "events": len(all_events), "articles": len(records)}
    assert {k: result[k] for k in expected} == expected


def test_pages_walk_every_event_once_in_date_order(api, all_events):
    result = _walk(api, "/events", {"limit": 7})
    ids = [e["id"] for e in result]
    assert len(ids) == len(set(ids))
    assert set(ids) == {e.id for e in all_events}
    dates = [e["date"] for e in result if e["date"]]
    assert dates == sorted(dates)


def test_page_size_is_respected(api):
    body = api.get("/events", params={"limit": 3}).json()
    assert len(body["items"]) == 3
    assert body["next_cursor"]


def test_event_json_has_the_contract_fields(api):
    (event,) = api.get("/events", params={"limit": 1}).json()["items"]
    expected = {
        "id",
        "article_id",
        "event_type",
        "sub_event_type",
        "fw_type",
        "actors",
        "place",
        "related_places",
        "date",
        "date_end",
        "date_precision",
        "claimant",
        "modality",
        "weapons",
        "quantities",
        "evidence",
        "control_to",
    }
    assert expected <= set(event)
    assert {"text", "start_char", "end_char"} == set(event["evidence"])


def test_time_filter(api, all_events):
    since, until = "2022-03-01", "2022-03-31"
    result = {e["id"] for e in _walk(api, "/events", {"since": since, "until": until, "limit": 5})}
    expected = {e.id for e in all_events if e.date and since <= e.date.isoformat() <= until}
    assert expected
    assert result == expected


def test_bbox_filter(api, all_events):
    box = (36.0, 48.5, 38.0, 50.0)  # around Izyum
    result = {e["id"] for e in _walk(api, "/events", {"bbox": ",".join(map(str, box)), "limit": 50})}
    expected = {
        e.id
        for e in all_events
        if e.place and box[0] <= e.place.entry.lon <= box[2] and box[1] <= e.place.entry.lat <= box[3]
    }
    assert expected
    assert result == expected


def test_type_filter_accepts_acled_type_sub_type_and_fw_type(api, all_events):
    event = next(e for e in all_events if e.place)
    for value, key in (
        (event.event_type, "event_type"),
        (event.sub_event_type, "sub_event_type"),
        (event.fw_type, "fw_type"),
    ):
        result = {e["id"] for e in _walk(api, "/events", {"type": value, "limit": 100})}
        expected = {
            e.id
            for e in all_events
            if value.lower() in (e.event_type.lower(), e.sub_event_type.lower(), e.fw_type.lower())
        }
        assert result == expected, key


def test_actor_place_modality_text_article_and_source_filters(api, all_events, records):
    seed = records[0].resolved.annotated.article
    izyum = [e for e in all_events if e.place and e.place.entry.name.lower() in ("izyum", "izium")]
    assert izyum, "the seed report places events at Izyum"
    entry_id = izyum[0].place.entry.id
    cases = {
        "actor": ("ukrain", lambda e: any("ukrain" in (a.name + (a.side or "")).lower() for a in e.actors)),
        "place": (entry_id, lambda e: e.place is not None and e.place.entry.id == entry_id),
        "modality": ("claimed", lambda e: str(e.modality) == "claimed"),
        "q": ("Izyum", lambda e: "izyum" in e.evidence.text.lower()),
        "article_id": (seed.id, lambda e: e.article_id == seed.id),
        "source": (
            "Espresso",
            lambda e: e.claimant is not None and "espresso" in (e.claimant.outlet or "").lower(),
        ),
    }
    for name, (value, keep) in cases.items():
        result = {e["id"] for e in _walk(api, "/events", {name: value, "limit": 100})}
        expected = {e.id for e in all_events if keep(e)}
        assert result == expected, name
    assert {e["id"] for e in _walk(api, "/events", {"place": "Izyum", "limit": 100})} >= {e.id for e in izyum}


def test_event_detail_has_article_and_context(api, records):
    seed = records[0].resolved.annotated.article
    event = next(e for e in records[0].events if e.claimant)
    result = api.get(f"/events/{event.id}").json()
    assert result["id"] == event.id
    assert result["article"]["id"] == seed.id
    assert result["article"]["title"] == seed.title
    ctx = result["context"]
    assert ctx["text"][ctx["evidence_start"] : ctx["evidence_end"]] == event.evidence.text
    assert ctx["text"] in seed.text and "\n\n" not in ctx["text"].strip()
    assert result["claimant"]["name"] == event.claimant.name


def test_event_detail_is_the_listed_event_with_its_article_context_and_cluster(api, all_events):
    listed = _walk(api, "/events", {"limit": 100})

    result = [(api.get(f"/events/{item['id']}").json(), item) for item in listed]

    assert len(listed) == len(all_events)
    assert [{k: detail[k] for k in item} for detail, item in result] == listed
    assert all(set(detail) - set(item) == {"article", "context", "cluster"} for detail, item in result)


def test_event_detail_reads_only_an_unmerged_event_shows_no_cluster(api, db_url, records):
    import sqlite3

    event = records[0].events[0]  # the store was filled without merging
    with sqlite3.connect(db_url) as conn:
        before = conn.execute("SELECT count(*) FROM event_clusters").fetchone()[0]

    result = [api.get(f"/events/{event.id}") for _ in range(3)]

    with sqlite3.connect(db_url) as conn:
        after = conn.execute("SELECT count(*) FROM event_clusters").fetchone()[0]
    assert [r.status_code for r in result] == [200, 200, 200]
    assert [r.json()["cluster"] for r in result] == [None, None, None]
    assert after == before  # a read merges nothing (concurrent lazy merges gave HTTP 500)


def test_geojson_is_valid_and_matches_events(api, all_events):
    response = api.get("/events.geojson")
    assert response.status_code == 200
    collection = geojson.loads(response.text)
    assert collection.is_valid, collection.errors()
    placed = {e.id: e for e in all_events if e.place}
    assert {f["id"] for f in collection["features"]} == set(placed)
    feature = collection["features"][0]
    event = placed[feature["id"]]
    assert feature["geometry"]["coordinates"] == pytest.approx([event.place.entry.lon, event.place.entry.lat])
    assert {
        "id",
        "event_type",
        "sub_event_type",
        "fw_type",
        "date",
        "date_precision",
        "modality",
        "actors",
        "place_name",
        "place_kind",
        "precision",
        "claimant",
        "article_id",
        "evidence",
    } <= set(feature["properties"])


def test_geojson_takes_the_same_filters(api, all_events):
    collection = api.get("/events.geojson", params={"since": "2022-04-01", "until": "2022-04-30"}).json()
    expected = {
        e.id for e in all_events if e.place and e.date and "2022-04-01" <= e.date.isoformat() <= "2022-04-30"
    }
    assert {f["id"] for f in collection["features"]} == expected


def test_facets(api, all_events):
    result = api.get("/facets").json()
    dated = sorted(e.date for e in all_events if e.date)
    assert result["count"] == len(all_events)
    assert (result["date_min"], result["date_max"]) == (dated[0].isoformat(), dated[-1].isoformat())
    assert sum(c["count"] for c in result["event_types"]) == len(all_events)
    assert {c["value"] for c in result["modalities"]} == {str(e.modality) for e in all_events}


def test_places_list_and_detail(api, all_events):
    places = _walk(api, "/places", {"limit": 4})
    expected = {e.place.entry.id for e in all_events if e.place}
    assert {p["id"] for p in places} == expected
    first = places[0]
    detail = api.get(f"/places/{first['id']}").json()
    assert detail["event_count"] == first["event_count"] == len(detail["events"])
    assert all(e["place"]["id"] == first["id"] for e in detail["events"])
    assert api.get("/places", params={"kind": "city"}).status_code == 200


def test_articles_list_and_detail(api, records):
    result = _walk(api, "/articles", {"limit": 6})
    assert len(result) == len(records)
    assert len({a["id"] for a in result}) == len(records)
    seed = records[0].resolved.annotated.article
    detail = api.get(f"/articles/{seed.id}").json()
    assert detail["text"] == seed.text
    assert {e["id"] for e in detail["events"]} == {e.id for e in records[0].events}


def test_openapi_and_docs(api):
    spec = api.get("/openapi.json").json()
    for path in (
        "/events",
        "/events/{event_id}",
        "/events.geojson",
        "/places",
        "/places/{place_id}",
        "/articles",
        "/articles/{article_id}",
        "/facets",
        "/health",
    ):
        assert path in spec["paths"], path
        for operation in spec["paths"][path].values():
            assert operation.get("summary"), path
    assert "EventOut" in spec["components"]["schemas"]
    assert api.get("/docs").status_code == 200


# ---- errors


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"since": "2022-02-30"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"since": "2022-05-01", "until": "2022-04-01"}, "after"),
        ({"bbox": "36,48,38"}, "bbox"),
        ({"bbox": "38,48,36,50"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "36,48,38,95"}, "bbox"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4IiwieSJd"}, "cursor"),  # well-formed JSON, not a date
        ({"modality": "rumoured"}, "modality"),
    ],
)
def test_bad_parameters_get_422_with_a_message(api, params, words):
    response = api.get("/events", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert words in error["message"]


def test_unknown_ids_get_404(api):
    for path in ("/events/ev:ffffffffffffffffffff", "/places/gn:0", "/articles/ffffffffffffffff"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/events/nope", "/events/%25%25%25%25%25%25", "/events/ev:____", "/articles/%00", "/places/x y"]
)
def test_ids_out_of_their_format_get_422(api, path):
    response = api.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_event_id_with_or_without_ev_and_by_prefix(api, all_events):
    event_id = sorted(e.id for e in all_events)[0]
    assert api.get(f"/events/{event_id.removeprefix('ev:')}").json()["id"] == event_id
    assert api.get(f"/events/{event_id[:12]}").json()["id"] == event_id


def test_ambiguous_prefix_gets_409_with_the_candidates(db_url, tmp_path):
    import shutil
    import sqlite3

    copy = tmp_path / "ambiguous.db"
    shutil.copy(db_url, copy)
    with sqlite3.connect(copy) as conn:  # two ids made to share the prefix "ev:0b9"
        ids = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id LIMIT 2")]
        renamed = ["ev:0b9" + i[6:] for i in ids]
        for old, new in zip(ids, renamed, strict=True):
            conn.execute("UPDATE events SET id = ? WHERE id = ?", (new, old))
    with serving(Settings(db_url=str(copy))) as base, httpx.Client(base_url=base) as client:
        response = client.get("/events/ev:0b9")
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["code"] == "ambiguous_id"
        assert sorted(d["id"] for d in error["detail"]) == sorted(renamed)
        assert client.get("/events/0b9").status_code == 404  # under 6 characters: not a prefix


def test_like_wildcards_in_an_id_prefix_match_nothing(db_url, all_events):
    from frontwatch.store import open_store, query

    with open_store(db_url) as store:
        assert query.event_with_article(store, "ev:%%%%%%") is None
        assert query.event_with_article(store, "ev:" + "_" * 20) is None
        first = sorted(e.id for e in all_events)[0]
        assert query.event_with_article(store, first[:-1] + "_") is None


def test_security_headers_and_allow(api):
    page = api.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src-attr")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert api.get("/events").headers["x-content-type-options"] == "nosniff"
    response = api.request("OPTIONS", "/articles")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


# ---- writes and tokens


def test_writes_need_the_token(api):
    body = {"title": "Shelling in Kharkiv", "text": "Russian forces shelled Kharkiv on 3 May."}
    assert api.post("/articles", json=body).status_code == 401
    assert api.post("/articles", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_posted_report_is_stored_and_queryable(api, shared):
    text = (shared / "seed" / "izyum-counterattack.txt").read_text(encoding="utf-8")
    title, _, body = text.partition("\n\n")
    report = {
        "title": "Posted: " + title,
        "text": body,
        "published": "2022-05-11",
        "source": "Ukrinform",
        "url": "https://example.org/posted",
        "tags": ["test"],
    }
    response = api.post("/articles", json=report, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert response.status_code == 201, response.text
    result = response.json()
    article_id = result["article"]["id"]
    assert result["article"]["source"] == "Ukrinform"
    assert api.get(f"/articles/{article_id}").json()["url"] == "https://example.org/posted"
    stored = {e["id"] for e in _walk(api, "/events", {"article_id": article_id})}
    assert stored == {e["id"] for e in result["events"]}
    assert stored, "the posted report yields events"


def test_posted_body_is_validated(api):
    response = api.post("/articles", json={"title": ""}, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_parameter"


def _raw_post(base: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """POST over a bare socket: headers (and maybe a first part of the body) sent, then the answer read
    without sending the rest. A server that waited for the declared body would never answer."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(base)
    lines = ["POST /articles HTTP/1.1", f"Host: {url.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, "connection closed before an answer"
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer


def test_a_huge_post_is_refused_before_its_body_is_read(api):
    base = str(api.base_url).rstrip("/")
    twenty_mb = str(20 * 1024 * 1024)
    json_headers = {"Content-Type": "application/json", "Content-Length": twenty_mb}
    status, _ = _raw_post(base, json_headers)
    assert status == 401
    status, answer = _raw_post(base, {**json_headers, "Authorization": f"Bearer {WRITE_TOKEN}"})
    assert status == 413
    assert b"too_large" in answer
    # Without a Content-Length (chunked), the body is counted as it arrives and cut off at the limit.
    chunk = b"x" * (1 << 20)
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(6))
    chunked = {"Transfer-Encoding": "chunked", "Authorization": f"Bearer {WRITE_TOKEN}"}
    status, _ = _raw_post(base, chunked, body)
    assert status == 413
    # and the server goes on: a small POST right after is stored
    small = {"title": "Shelling of Kupiansk", "text": "Russian forces shelled Kupiansk on 3 May."}
    response = api.post("/articles", json=small, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert response.status_code == 201, response.text


def test_post_checks_token_then_size_then_body(api):
    auth = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    assert api.post("/articles", content=b"{not json").status_code == 401
    response = api.post("/articles", content=b"{not json", headers=auth)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_request")
    response = api.post("/articles", json={"title": "t", "text": "x", "published": 0}, headers=auth)
    assert response.status_code == 422
    assert "published" in response.json()["error"]["message"]
    big = {"title": "t", "text": "Kharkiv. " * 600_000}  # ~5.4 MB: over the 4 MB article limit
    assert api.post("/articles", json=big, headers=auth).status_code == 413


def test_posted_script_url_is_dropped_and_the_article_kept(api):
    auth = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    for url in ("javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>"):
        report = {
            "title": f"Shelling near Izium ({url[:4]})",
            "text": "Russian forces shelled Izium.",
            "url": url,
        }
        response = api.post("/articles", json=report, headers=auth)
        assert response.status_code == 201, response.text
        article_id = response.json()["article"]["id"]
        assert api.get(f"/articles/{article_id}").json()["url"] is None


def test_posted_article_has_a_run_record(api, db_url):
    from sqlalchemy import select

    from frontwatch.store import open_store
    from frontwatch.store.schema import articles, runs

    report = {"title": "Strike on Sumy", "text": "A Russian drone struck Sumy on 4 May, officials said."}
    response = api.post("/articles", json=report, headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
    article_id = response.json()["article"]["id"]
    with open_store(db_url) as store, store.engine.connect() as conn:
        run = (
            conn.execute(
                select(runs)
                .join(articles, articles.c.first_run == runs.c.id)
                .where(articles.c.id == article_id)
            )
            .mappings()
            .one()
        )
    assert run["gazetteer_version"] and run["pipeline_version"]


def test_a_full_analysis_queue_answers_503_with_retry_after(db_url):
    settings = Settings(db_url=db_url, write_token=WRITE_TOKEN, analysis_queue=0)
    with serving(settings) as base, httpx.Client(base_url=base) as client:
        response = client.post(
            "/articles", json={"title": "t", "text": "x"}, headers={"Authorization": f"Bearer {WRITE_TOKEN}"}
        )
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0


def test_read_token_closes_reads_and_no_write_token_closes_writes(db_url):
    with (
        serving(Settings(db_url=db_url, read_token=READ_TOKEN)) as base,
        httpx.Client(base_url=base) as client,
    ):
        assert client.get("/events").status_code == 401
        assert client.get("/events", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/events", headers={"Authorization": f"Bearer {READ_TOKEN}"}).status_code == 200
        assert client.get("/health").status_code == 200
        response = client.post(
            "/articles", json={"title": "t", "text": "x"}, headers={"Authorization": f"Bearer {READ_TOKEN}"}
        )
        assert response.status_code == 403
        assert "closed" in response.json()["error"]["message"]


# ---- the same reads on PostgreSQL + PostGIS


@pytest.mark.postgres
def test_reads_on_postgresql(records, all_events):
    from store_backends import pg_schema_url

    with pg_schema_url() as url:
        fill_store(url, records)
        with serving(Settings(db_url=url)) as base, httpx.Client(base_url=base, timeout=60) as client:
            walked = _walk(client, "/events", {"limit": 9})
            assert sorted(e["id"] for e in walked) == sorted(e.id for e in all_events)
            boxed = _walk(client, "/events", {"bbox": "36,48.5,38,50", "since": "2022-03-01", "limit": 50})
            expected = {
                e.id
                for e in all_events
                if e.place and 36 <= e.place.entry.lon <= 38 and 48.5 <= e.place.entry.lat <= 50
                and e.date and e.date.isoformat() >= "2022-03-01"
            }  # fmt: skip
            assert {e["id"] for e in boxed} == expected
            for params in ({"actor": "ukrain"}, {"q": "izyum"}, {"source": "espresso"}, {"place": "Izyum"}):
                assert client.get("/events", params=params).status_code == 200, params
            assert client.get("/facets").json()["count"] == len(all_events)
            assert len(_walk(client, "/places", {"limit": 5})) == len({e.place.entry.id for e in all_events})
            assert len(_walk(client, "/articles", {"limit": 5})) == len(records)
            assert client.get(f"/events/{walked[0]['id']}").status_code == 200
            assert geojson.loads(client.get("/events.geojson").text).is_valid
