"""The map's requests under 20 concurrent clients, on a store of a million events from real reports.

Base records: the seed report and Bellingcat/CIR dev rows (their own text, dates and links) analysed
by the real pipeline, replicated to ``--events`` events by bench/synthetic.py (each copy moved to a
real settlement of Ukraine and a day across 2022-2023). The SQLite store is built once and kept in
``.cache/bench/api-<events>.db``; with ``--pg`` the store is a PostgreSQL + PostGIS schema
``fw_bench_<events>`` on the server ``$FRONTWATCH_TEST_PG`` names (also kept). Then
``frontwatch serve --workers N`` (uvicorn) answers ``--requests`` requests of each kind from
``--clients`` concurrent clients, and the script prints p50/p95/p99 latency per kind:

- events:    GET /events, a bbox of about 2° around a real settlement and a 30-day window
- aggregate: GET /aggregates, the whole of Ukraine over 365 days in 1° cells (the zoomed-out map)
- facets:    GET /facets (the map's first request; cached until the events change)
- event:     GET /events/{id} of a random stored event (the event panel)

    .venv/bin/python bench/api.py [--events 1000000] [--clients 20] [--requests 2000] [--workers 1] \\
        [--pg] [--db PATH|URL] [--kinds events,aggregate,facets,event]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frontwatch.derive import merge_new
from frontwatch.ingest.records import build_article
from frontwatch.model import Article, ExtractedArticle, GazetteerEntry
from frontwatch.settings import shared_path
from frontwatch.store import normalise_url, open_store, query
from frontwatch.store.schema import events
from synthetic import DAYS, SEED, START, fill, settlements

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "bench"
UKRAINE = "22.0,44.0,40.5,52.5"


def base_records(rows: int) -> list[ExtractedArticle]:
    """The seed report and Bellingcat/CIR rows that name their town, through the real pipeline."""
    from frontwatch.ingest import read_paths

    articles: list[Article] = [
        a for a in read_paths([shared_path("seed", "izyum-counterattack.txt")], published=date(2022, 5, 10))
        if isinstance(a, Article)
    ]  # fmt: skip
    with gzip.open(shared_path("eval", "bellingcat-cir", "dev.csv.gz"), "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            town = row["town/city"]
            text = f"{row['title']} {row['brief description']}"
            if row["country"] != "Ukraine" or not town or town.lower() not in text.lower():
                continue
            articles.append(
                build_article(
                    title=row["title"].partition(" ")[2] or row["title"],
                    body=row["brief description"] + f" ({town}, {row['province']}).",
                    origin=f"bellingcat-cir:{row['entry']}",
                    published=date.fromisoformat(row["date"]),
                    option_published=None,
                    source="Bellingcat/CIR",
                    url=row["link"] or None,
                )
            )
            if len(articles) > rows:
                break
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import analyse

    gazetteer = Gazetteer.open_default()
    analysed = [analyse(a, gazetteer=gazetteer) for a in articles]
    return [x for x in analysed if x.events]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _event_requests(places: list[GazetteerEntry], n: int, limit: int) -> list[str]:
    rng = random.Random(SEED + 1)
    out = []
    for _ in range(n):
        c = rng.choice(places)
        since = START + timedelta(days=rng.randrange(DAYS - 30))
        params = {
            "bbox": f"{c.lon - 1:.3f},{c.lat - 1:.3f},{c.lon + 1:.3f},{c.lat + 1:.3f}",
            "since": since.isoformat(),
            "until": (since + timedelta(days=30)).isoformat(),
            "limit": str(limit),
        }
        out.append("/events?" + urlencode(params))
    return out


def _aggregate_requests(n: int) -> list[str]:
    rng = random.Random(SEED + 2)
    out = []
    for _ in range(n):
        since = START + timedelta(days=rng.randrange(DAYS - 365))
        params = {"bbox": UKRAINE, "since": since.isoformat(),
                  "until": (since + timedelta(days=364)).isoformat(), "cell": "1"}  # fmt: skip
        out.append("/aggregates?" + urlencode(params))
    return out


def _event_ids(db: str, n: int) -> list[str]:
    """``n`` random stored event ids (read with plain SQL: a random offset per id)."""
    rng = random.Random(SEED + 3)
    engine = create_engine(normalise_url(db))
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(events)).scalar_one()
            picks = sorted(rng.randrange(total) for _ in range(min(n, 200)))
            ids = [conn.execute(select(events.c.id).order_by(events.c.id).offset(k).limit(1)).scalar_one()
                   for k in picks]  # fmt: skip
    finally:
        engine.dispose()
    # The panel shows an event's cluster; ingest merges as it stores, bench/synthetic.py does not, and
    # merging a million events takes long: merge (once, it is kept) the articles of the sampled events.
    store = open_store(db)
    try:
        t0 = time.perf_counter()
        articles = [a.article_id for a in (query.event_with_article(store, i)[0] for i in ids)]
        joined = merge_new(store, sorted(set(articles)))
        took = time.perf_counter() - t0
        print(f"event: merged the {len(set(articles))} articles of {len(ids)} sampled events: "
              f"{joined.new} new ({took:.1f} s)")  # fmt: skip
    finally:
        store.close()
    return [f"/events/{rng.choice(ids)}" for _ in range(n)]


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, target: str
) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a kept-alive connection: (status, body). Enough for uvicorn's answers."""
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    length = {k.strip().lower(): v.strip() for k, v in headers.items()}.get("content-length")
    if length is None:
        raise RuntimeError(f"no Content-Length in the answer to {target}")
    return status, await reader.readexactly(int(length))


async def _load(base_url: str, targets: list[str], clients: int) -> tuple[list[float], float]:
    """``clients`` concurrent keep-alive connections sending the requests in ``targets``.

    A bare asyncio HTTP/1.1 client: with httpx, this one-process client used a whole core and its
    own queueing showed up as server latency (p95 doubled); the latency measured is still the full
    request → last byte of the body.
    """
    latencies: list[float] = []
    queue = list(reversed(targets))
    url = httpx.URL(base_url)
    host = f"{url.host}:{url.port}"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            while queue:
                target = queue.pop()
                t0 = time.perf_counter()
                status, body = await _get(reader, writer, host, target)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    raise RuntimeError(f"{target}: HTTP {status}: {body[:200]!r}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - t0
    return latencies, wall


def _uvicorn_stack() -> str:
    """What uvicorn's "auto" picks here: uvloop and httptools when installed, else asyncio and h11."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def _sqlite_store(n_events: int, base_rows: int, given: str | None) -> str:
    """The SQLite store of the bench (built once, then reused from .cache/bench)."""
    path = Path(given) if given else CACHE / f"api-{n_events}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _build(str(path), n_events, base_rows)
        return str(path)
    # Built under another name and renamed when complete: an interrupted build is never reused.
    partial = path.with_name(path.name + ".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    _build(str(partial), n_events, base_rows)  # closes the store: the WAL is checkpointed into the file
    partial.rename(path)
    return str(path)


def _pg_store(n_events: int, base_rows: int) -> str:
    """A schema fw_bench_<events> on the $FRONTWATCH_TEST_PG server (built once, then reused)."""
    base = os.environ.get("FRONTWATCH_TEST_PG")
    if not base:
        raise SystemExit(
            "--pg needs FRONTWATCH_TEST_PG (export FRONTWATCH_TEST_PG=$(bash scripts/postgres.sh))"
        )
    schema = f"fw_bench_{n_events}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema},public')}"
    store = open_store(url)
    try:
        have = query.counts(store)[0]
    finally:
        store.close()
    if have < n_events:
        # Row-by-row inserts into PostgreSQL take over an hour for a million events: copy the SQLite
        # bench store (built as usual) with COPY instead, table by table.
        if have:
            raise SystemExit(f"schema {schema} holds {have} events: drop it (DROP SCHEMA {schema} CASCADE)")
        _copy_tables(_sqlite_store(n_events, base_rows, None), url)
    return url


def _copy_tables(sqlite_path: str, pg_url: str) -> None:
    """Every row of the SQLite store into the (migrated, empty) PostgreSQL store, with COPY."""
    from frontwatch.store import metadata

    t0 = time.perf_counter()
    source = create_engine(normalise_url(sqlite_path))
    target = create_engine(pg_url)
    open_store(pg_url).close()  # creates and migrates the tables
    try:
        with source.connect() as src, target.begin() as dst:
            for table in metadata.sorted_tables:
                if table.name == "schema_migrations":
                    continue
                dst.execute(table.delete())
                columns = [c for c in table.columns]
                names = ", ".join(c.name for c in columns)
                json_at = [i for i, c in enumerate(columns) if c.type.__class__.__name__ == "JSON"]
                raw = dst.connection.dbapi_connection
                n = 0
                with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for row in src.execute(table.select()).yield_per(10_000):
                        values = list(row)
                        for i in json_at:
                            values[i] = None if values[i] is None else json.dumps(values[i])
                        copy.write_row(values)
                        n += 1
                print(f"copied {table.name}: {n} rows ({time.perf_counter() - t0:.0f} s)", flush=True)
            dst.execute(text("ANALYZE"))
    finally:
        source.dispose()
        target.dispose()


def _build(url: str, n_events: int, base_rows: int) -> None:
    store = open_store(url)
    try:
        if query.counts(store)[0] >= n_events:
            return
        t0 = time.perf_counter()
        base = base_records(base_rows)
        n_base = sum(len(x.events) for x in base)
        print(f"base: {len(base)} analysed articles with {n_base} events ({time.perf_counter() - t0:.1f} s)")
        seconds = fill(store, base, events=n_events)
        print(f"stored {n_events} events in {seconds:.1f} s ({n_events / seconds:.0f} events/s)")
    finally:
        store.close()


def _percentiles(name: str, latencies: list[float], wall: float, clients: int) -> None:
    ms = sorted(x * 1000 for x in latencies)
    pct = statistics.quantiles(ms, n=100)
    print(
        f"{name:<10} {len(ms)} requests, {clients} clients: p50 {pct[49]:.1f} ms  p95 {pct[94]:.1f} ms  "
        f"p99 {pct[98]:.1f} ms  max {ms[-1]:.1f} ms  ({len(ms) / wall:.0f} requests/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="requests of each kind")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--base-rows", type=int, default=150, help="Bellingcat/CIR rows to analyse")
    parser.add_argument("--workers", type=int, default=1, help="frontwatch serve --workers")
    parser.add_argument("--db", help="SQLite file to reuse (or build once) instead of .cache/bench/")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL + PostGIS ($FRONTWATCH_TEST_PG)")
    parser.add_argument("--kinds", default="events,aggregate,facets,event")
    args = parser.parse_args()

    db = (
        _pg_store(args.events, args.base_rows)
        if args.pg
        else _sqlite_store(args.events, args.base_rows, args.db)
    )
    places = settlements()
    store = open_store(db)
    n_events, n_articles = query.counts(store)
    print(f"store: {n_events} events, {n_articles} articles, {len(places)} settlements ({store.dialect})")
    store.close()
    kinds = {
        "events": lambda n: _event_requests(places, n, args.limit),
        "aggregate": _aggregate_requests,
        "facets": lambda n: ["/facets"] * n,
        "event": lambda n: _event_ids(db, n),
    }
    wanted = [k.strip() for k in args.kinds.split(",") if k.strip()]

    port = _free_port()
    cli = str(Path(sys.executable).with_name("frontwatch"))
    server = subprocess.Popen(
        [cli, "--db", db, "serve", "--port", str(port), "--workers", str(args.workers)], env=dict(os.environ)
    )
    base_url = f"http://127.0.0.1:{port}"
    results = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base_url + "/openapi.json", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        for kind in wanted:
            targets = kinds[kind](args.requests + 50)
            t0 = time.perf_counter()
            first = httpx.get(base_url + targets[0], timeout=120)
            cold = time.perf_counter() - t0
            if kind == "aggregate":
                body = first.json()
                print(f"aggregate: {len(body['cells'])} cells, {body['total']} events in the first answer")
            elif kind == "facets":
                print(
                    f"facets: count {first.json()['count']}; first (uncached) answer in {cold * 1000:.0f} ms"
                )
            asyncio.run(_load(base_url, targets[:50], args.clients))  # warm-up
            latencies, wall = asyncio.run(_load(base_url, targets[50:], args.clients))
            results.append((kind, latencies, wall))
    finally:
        server.terminate()
        server.wait(timeout=10)
    backend = "PostgreSQL + PostGIS" if args.pg else "SQLite"
    print(
        f"server: frontwatch serve --workers {args.workers} (uvicorn {_uvicorn_stack()}), {backend}; "
        f"load average before/after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for kind, latencies, wall in results:
        _percentiles(kind, latencies, wall, args.clients)


if __name__ == "__main__":
    main()
