"""The store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

Names here are a contract for store.query and store.clusters: add columns with a migration, never
rename. Every table that hangs off an event or an article keeps an ``ordinal`` so that tuples come
back in the order the pipeline produced them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# Stable constraint names, so that migrations can refer to them on both backends.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(200)  # article ids, event ids, gazetteer entry ids ("katotth:UA63...") are short strings

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# One row per ingest run: which code, gazetteer and rules produced what was stored.
runs = Table(
    "runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("pipeline_version", String(50), nullable=False),
    Column("gazetteer_version", String(200), nullable=True),
    Column("rules_version", String(100), nullable=True),
)

articles = Table(
    "articles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published", Date, nullable=True),
    Column("published_from", String(20), nullable=False),
    Column("source", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("tags", JSON, nullable=False),  # list of strings
    Column("origin", Text, nullable=True),
    Column("first_run", String(64), ForeignKey("runs.id"), nullable=True),
    Index(None, "published"),
)

# The gazetteer entries that something stored points at (a copy, so the store reads on its own).
gazetteer_places = Table(
    "gazetteer_places",
    metadata,
    Column("entry_id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("precision", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    Column("admin1", Text, nullable=True),
    Column("admin2", Text, nullable=True),
    Column("admin3", Text, nullable=True),
    Column("population", Integer, nullable=True),
    Column("geonameid", Integer, nullable=True),
    Column("katotth", String(40), nullable=True),
    Column("names", JSON, nullable=False),  # list of strings
)

# Resolved place mentions of an article (model.Place: its Mention, the chosen entry, the runners-up).
places = Table(
    "places",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("surface", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=True),
    Column("sentence_end", Integer, nullable=True),
    Column("entry_id", ID, ForeignKey("gazetteer_places.entry_id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("candidate_ids", JSON, nullable=False),  # Mention.candidate_ids: list of entry ids
    Column("candidates", JSON, nullable=False),  # Place.candidates: list of [entry_id, score]
    Column("role", String(40), nullable=True),
    Index(None, "entry_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),  # position among the article's events
    Column("event_type", String(100), nullable=False),
    Column("sub_event_type", String(100), nullable=False),
    Column("fw_type", String(100), nullable=False),
    # The event's place: the chosen entry and the mention that named it (NULL when no place).
    Column("place_entry_id", ID, ForeignKey("gazetteer_places.entry_id"), nullable=True),
    Column("place_start_char", Integer, nullable=True),
    Column("place_end_char", Integer, nullable=True),
    Column("place_surface", Text, nullable=True),
    Column("place_sentence", Integer, nullable=True),
    Column("place_score", Float, nullable=True),
    Column("place_role", String(40), nullable=True),
    Column("place_candidate_ids", JSON, nullable=True),
    Column("place_candidates", JSON, nullable=True),
    Column("date", Date, nullable=True),
    Column("date_end", Date, nullable=True),
    Column("date_precision", String(20), nullable=False),
    Column("modality", String(40), nullable=False),
    Column("has_claimant", Boolean, nullable=False),  # Claimant(None) and no claimant differ
    Column("claimant_name", Text, nullable=True),
    Column("claimant_role", Text, nullable=True),
    Column("claimant_outlet", Text, nullable=True),
    Column("evidence_text", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("control_to", String(100), nullable=True),
    Column("rules_version", String(100), nullable=False),
    # Copied from the place's entry so that a bounding-box filter needs no join.
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("first_run", String(64), ForeignKey("runs.id"), nullable=True),
    # The public JSON object of the event (frontwatch.public.event_json), written with the event so that
    # list endpoints return stored text instead of rebuilding Events from six tables (migration 4).
    Column("doc", Text, nullable=True),
    # date first: every map query has a time window; id next, so that a page in (date, id) order is
    # read in index order with no sort; lat/lon in the index filter a bbox without reading the table
    # rows (migrations 3 and 8).
    Index(None, "date", "id", "lat", "lon"),
    Index(None, "lat", "lon"),
    Index(None, "event_type"),
    Index(None, "article_id"),
    Index(None, "place_entry_id"),
    # /facets counts values over every event: index-only scans instead of reading every row (migration 7).
    Index(None, "sub_event_type"),
    Index(None, "modality"),
)

event_actors = Table(
    "event_actors",
    metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("side", String(100), nullable=True),
    Column("surface", Text, nullable=False),
    Column("unit", Text, nullable=True),
    Index(None, "name"),
    Index(None, "name", "event_id"),  # /facets' events per actor from the index alone (migration 7)
)

event_related_places = Table(
    "event_related_places",
    metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("entry_id", ID, ForeignKey("gazetteer_places.entry_id"), nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("surface", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("role", String(40), nullable=True),
    Column("candidate_ids", JSON, nullable=False),
    Column("candidates", JSON, nullable=False),
    Index(None, "entry_id"),
)

event_weapons = Table(
    "event_weapons",
    metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("catalogue_id", String(100), nullable=False),
    Column("canonical", Text, nullable=False),
    Column("weapon_class", Text, nullable=False),
    Column("surface", Text, nullable=False),
    Column("calibre_mm", Float, nullable=True),
    Index(None, "catalogue_id"),
)

event_quantities = Table(
    "event_quantities",
    metadata,
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("unit", Text, nullable=False),
    Column("surface", Text, nullable=False),
    Column("kind", String(40), nullable=False),
)

CORE_TABLES = (
    runs,
    articles,
    gazetteer_places,
    places,
    events,
    event_actors,
    event_related_places,
    event_weapons,
    event_quantities,
)
