"""The web map in real headless Chromium, served by the real app, with the seed report ingested.

Every request that is not to the test server is aborted, so the page is tested as it runs with no
network: OSM tiles fail and the shipped country outlines and city labels must carry the map.
The screenshot of the last state lands in artifacts/web-map.png.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from api_server import serving
from frontwatch.model import Event
from frontwatch.settings import Settings

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by scripts/system-deps.sh
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED_PUBLISHED = dt.date(2022, 5, 10)
CAPTURE_EVIDENCE = "Izyum was captured by Russian troops on April 1"
BEFORE_CAPTURE = dt.date(2022, 3, 31)


@dataclass(frozen=True)
class Seeded:
    db_url: str
    events: tuple[Event, ...]  # as the store holds them
    urls: dict[str, str | None]  # article id → its URL

    @property
    def placed(self) -> list[Event]:
        return [e for e in self.events if e.place is not None]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Seeded:
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.pipeline import ingest
    from frontwatch.store import open_store

    db_url = str(tmp_path_factory.mktemp("web") / "web.db")
    store = open_store(db_url)
    try:
        summary = ingest(
            [seed_path], store=store, gazetteer=Gazetteer.open_default(), published=SEED_PUBLISHED
        )
        events = tuple(store.events())
        urls = {a.id: a.url for a in store.articles()}
    finally:
        store.close()
    assert summary.ok, summary.skipped
    return Seeded(db_url=db_url, events=events, urls=urls)


@pytest.fixture(scope="module")
def server(seeded: Seeded) -> Iterator[str]:
    """The real app on a free loopback port, in a thread, for this module."""
    with serving(Settings(db_url=seeded.db_url)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/system-deps.sh"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    with offline_page(browser, server) as page:
        yield page


@contextlib.contextmanager
def offline_page(browser: Browser, server: str, timings: dict[str, float] | None = None) -> Iterator[Page]:
    """The map, loaded and ready, with every request outside the server aborted (time to ready in timings)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    requested: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def offline(route: Route) -> None:
        # Deterministic and offline: only the app under test answers; OSM tiles (and anything else) fail.
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", offline)
    page.on("request", lambda request: requested.append(request.url))
    t0 = time.perf_counter()
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready]", timeout=30_000)
    if timings is not None:
        timings["first_render_s"] = time.perf_counter() - t0
    assert page.get_attribute("body", "data-ready") == "true", page.inner_text("#status")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    # Nothing leaves the server but OpenStreetMap tile requests.
    outside = {urlsplit(url).hostname for url in requested if not url.startswith(server + "/")}
    assert outside <= {"tile.openstreetmap.org"}, outside


def map_data(page: Page) -> dict[str, str]:
    return page.eval_on_selector("#map", "el => ({...el.dataset})")


DRAWN_JS = """() => {
    const pane = document.querySelector('.leaflet-marker-pane');
    const markers = pane.querySelectorAll('.fw-marker').length;
    const clusters = [...pane.querySelectorAll('.fw-cluster span')].map((s) => Number(s.textContent));
    return markers + clusters.reduce((a, b) => a + b, 0);
}"""


def assert_drawn(page: Page, expected: int) -> None:
    """The map ends up drawing `expected` events: single markers plus the counts on cluster icons.

    Waits for it because cluster icons fade in and out after every change.
    """
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"n => ({DRAWN_JS})() === n", arg=expected, timeout=5_000)
    result = page.evaluate(DRAWN_JS)
    assert result == expected


def slider_to(page: Page, day: dt.date) -> None:
    date_min = dt.date.fromisoformat(page.get_attribute("#slider", "data-date-min") or "")
    page.locator("#slider").fill(str((day - date_min).days))
    page.wait_for_function(
        "d => document.querySelector('#slider-date').textContent === d", arg=day.isoformat()
    )


def open_by_marker(page: Page, event_id: str) -> str:
    """Bring the event's marker out of its cluster, click it, and return the panel's text."""
    page.evaluate("id => frontwatch.reveal(id, {open: false})", event_id)
    page.locator(f'.leaflet-marker-pane .fw-marker [data-event-id="{event_id}"]').click()
    page.wait_for_function(
        "id => { const d = document.querySelector('#detail'); return !d.hidden && d.dataset.eventId == id; }",
        arg=event_id,
    )
    return page.inner_text("#detail")


def test_map_shows_events_offline_and_opens_the_evidence(page: Page, seeded: Seeded) -> None:
    placed = seeded.placed
    assert placed, "the seed report gave no event with a place"

    # Every event with a place is on the map, drawn as a marker or counted in a cluster.
    page.wait_for_function("n => document.querySelector('#map').dataset.shown === String(n)", arg=len(placed))
    expected = len(placed)
    assert_drawn(page, expected)
    assert f"{expected} event" in page.inner_text("#status")

    # No network: the tiles failed, the shipped outlines and labels are drawn instead.
    data = map_data(page)
    assert data["basemap"] == "offline"
    assert int(data["outlines"]) > 200
    assert page.locator(".leaflet-basemap-pane path").count() > 200
    assert page.locator(".leaflet-tile-pane img").count() == 0
    assert page.locator(".leaflet-basemapLabels-pane .city-label").count() > 0

    # Approximate places are drawn as dashed rings with a circle, never as an exact dot.
    approximate = [e for e in placed if e.place and str(e.place.entry.precision) != "exact"]
    assert page.locator(".leaflet-approx-pane path").count() == len(approximate)

    # Before Izyum's capture fewer events are shown: those dated up to that day.
    slider_to(page, BEFORE_CAPTURE)
    result = int(map_data(page)["shown"])
    expected = sum(1 for e in placed if e.date is not None and e.date <= BEFORE_CAPTURE)
    assert result == expected
    assert result < len(placed)
    assert_drawn(page, expected)

    # Back to the last day; click the capture's marker and read its evidence in the panel.
    slider_to(page, max(e.date for e in placed if e.date is not None))
    capture = next(e for e in placed if CAPTURE_EVIDENCE in e.evidence.text)
    panel = open_by_marker(page, capture.id)
    assert CAPTURE_EVIDENCE in page.inner_text("#detail mark")
    assert capture.evidence.text in page.inner_text("#detail mark")
    if capture.claimant is not None and capture.claimant.name:
        assert capture.claimant.name in panel
    else:
        assert "No claimant named" in panel
    assert "Date" in panel and "precision" in panel
    href = page.get_attribute("#detail .article a", "href")
    assert href == (seeded.urls.get(capture.article_id) or f"articles/{capture.article_id}")

    # An event claimed by a named person shows the claimant and the outlet.
    claimed = [e for e in placed if e.claimant is not None and e.claimant.name]
    assert claimed, "no event of the seed report has a named claimant"
    strelnik = [e for e in claimed if e.claimant and e.claimant.name == "Maxim Strelnik"]
    shown = (strelnik or claimed)[0]
    panel = open_by_marker(page, shown.id)
    assert shown.claimant is not None and shown.claimant.name
    assert shown.claimant.name in page.inner_text("#detail .claimant")
    if shown.claimant.outlet:
        assert shown.claimant.outlet in panel
    assert shown.evidence.text in page.inner_text("#detail mark")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-map.png"))


def test_filters_play_and_the_control_layer(page: Page, seeded: Seeded) -> None:
    placed = seeded.placed
    # The type filter asks the API again; the map shows that type only.
    kinds = sorted({e.event_type for e in placed})
    chosen = kinds[0]
    page.select_option("#f-type", chosen)
    expected = sum(1 for e in placed if chosen in (e.event_type, e.sub_event_type, e.fw_type))
    page.wait_for_function("n => document.querySelector('#map').dataset.shown === String(n)", arg=expected)
    assert_drawn(page, expected)
    page.select_option("#f-type", "")
    page.wait_for_function("n => document.querySelector('#map').dataset.shown === String(n)", arg=len(placed))

    # Play restarts from the first day and moves forward by itself; pause stops it.
    last = page.inner_text("#slider-date")
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.wait_for_function(
        "first => { const d = document.querySelector('#slider-date').textContent; return d > first; }",
        arg=page.get_attribute("#slider", "data-date-min"),
    )
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    assert page.inner_text("#slider-date") < last

    # The control layer colours the settlements whose holder is known on the slider's date.
    toggle = page.locator("#control-toggle")
    assert toggle.is_visible(), "the app serves /control, so the toggle must show"
    slider_to(page, SEED_PUBLISHED)
    page.check("#f-control")
    rows = page.evaluate("d => fetch('control?date=' + d).then(r => r.json())", SEED_PUBLISHED.isoformat())
    page.wait_for_function(
        "n => document.querySelector('#map').dataset.controlPlaces === String(n)", arg=len(rows)
    )
    assert page.locator(".leaflet-holders-pane path.control-mark").count() == len(rows)
    holders = {r["place"]["name"]: r["holder"] for r in rows}
    assert re.search("Russia|Ukraine", " ".join(holders.values())), holders


# ---------------------------------------------------------------- a store of 200,000 events

BIG = 200_000


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> str:
    """The seed report's events replicated to 200,000 (bench/synthetic.py: real settlements, 2022-2023)."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from frontwatch.gazetteer import Gazetteer
    from frontwatch.ingest import read_paths
    from frontwatch.pipeline import analyse
    from frontwatch.store import open_store
    from synthetic import fill

    gazetteer = Gazetteer.open_default()
    base = [analyse(a, gazetteer=gazetteer) for a in read_paths([seed_path], published=SEED_PUBLISHED)]
    db_url = str(tmp_path_factory.mktemp("web-big") / "big.db")
    store = open_store(db_url)
    try:
        seconds = fill(store, base, events=BIG, per_article=250)
    finally:
        store.close()
    print(f"\nbuilt a store of {BIG} events in {seconds:.1f} s")
    return db_url


def view_total(db_url: str, page: Page) -> int:
    """The events the map should count for its current view, asked of the store directly."""
    from frontwatch.store import aggregates, open_store
    from frontwatch.store.query import BBox, EventFilter

    view = page.evaluate(
        """() => { const b = frontwatch.map.getBounds(); const s = frontwatch.state;
        const iso = (d) => new Date(d * 86400000).toISOString().slice(0, 10);
        const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
        return {bbox: bbox.map((x) => x.toFixed(3)).join(','),
                until: iso(s.day), since: s.window === 'all' ? null : iso(s.day - Number(s.window) + 1),
                zoom: frontwatch.map.getZoom()}; }"""
    )
    flt = EventFilter(
        bbox=BBox.parse(view["bbox"]),
        until=dt.date.fromisoformat(view["until"]),
        since=dt.date.fromisoformat(view["since"]) if view["since"] else None,
    )
    store = open_store(db_url)
    try:
        zoom = view["zoom"]
        cell = 2 if zoom < 5.5 else 1 if zoom < 6.5 else 0.5 if zoom < 7.5 else 0.25
        return aggregates.grid(store, flt, cell=cell).total
    finally:
        store.close()


def test_a_large_store_is_drawn_by_view_and_the_slider_updates_it(browser: Browser, big_db: str) -> None:
    timings: dict[str, float] = {}
    with serving(Settings(db_url=big_db)) as url, offline_page(browser, url, timings) as page:
        # First view: counts per grid cell for the whole map, every event up to the last day.
        data = map_data(page)
        assert data["mode"] == "aggregate"
        assert int(data["total"]) == BIG
        shown = int(data["shown"])
        assert shown == view_total(big_db, page)
        assert 0 < shown <= BIG
        assert page.locator(".leaflet-marker-pane .fw-cell").count() == int(data["cells"]) > 10

        # A slider step to the middle of the range: fewer events, the view asked again.
        date_min = dt.date.fromisoformat(page.get_attribute("#slider", "data-date-min") or "")
        date_max = dt.date.fromisoformat(page.get_attribute("#slider", "data-date-max") or "")
        middle = date_min + (date_max - date_min) / 2
        t0 = time.perf_counter()
        page.locator("#slider").fill(str((middle - date_min).days))
        page.wait_for_function(
            "d => document.querySelector('#map').dataset.viewDay === d", arg=middle.isoformat()
        )
        step = time.perf_counter() - t0
        result = int(map_data(page)["shown"])
        assert result == view_total(big_db, page)
        assert 0 < result < shown

        # The 30 days to that date: fewer still.
        page.select_option("#window", "30")
        page.wait_for_function("n => Number(document.querySelector('#map').dataset.shown) < n", arg=result)
        assert int(map_data(page)["shown"]) == view_total(big_db, page)

        # Zoomed in on a city: single events of the view, drawn as markers and clusters.
        page.evaluate("() => { frontwatch.map.setView([49.99, 36.23], 10); }")  # Kharkiv
        page.wait_for_function("() => document.querySelector('#map').dataset.mode === 'points'")
        expected = int(map_data(page)["shown"])
        assert expected > 0
        assert_drawn(page, expected)

        ARTIFACTS.mkdir(exist_ok=True)
        page.evaluate("() => { frontwatch.map.setView([48.8, 34.5], 6); }")
        page.wait_for_function("() => document.querySelector('#map').dataset.mode === 'aggregate'")
        page.screenshot(path=str(ARTIFACTS / "web-map-200k.png"))
    line = f"{BIG} events: first render {timings['first_render_s']:.2f} s, slider step {step:.2f} s"
    (ARTIFACTS / "web-map-200k.txt").write_text(line + "\n", encoding="utf-8")
    print(line)
