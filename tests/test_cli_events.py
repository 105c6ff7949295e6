"""`frontwatch events`, `show`, `export` and `serve` on a temporary store of real reports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api_records import analysed, fill_store
from frontwatch.api.schemas import EventOut
from frontwatch.cli import main

CONTRACT = set(
    [
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
    ]
)
PLACE = {"name", "lat", "lon", "precision", "kind", "geonameid", "katotth", "admin1", "country"}


@pytest.fixture(scope="module")
def stored(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    records = analysed(shared)
    url = str(tmp_path_factory.mktemp("cli") / "cli.db")
    fill_store(url, records)
    return url, records


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_events_json_is_the_public_contract(stored):
    db, records = stored
    result = json.loads(run(db, "events", "--json"))
    expected = [e for item in records for e in item.events]
    assert len(result) == len(expected)
    assert all(set(e) >= CONTRACT for e in result)
    by_id = {e["id"]: e for e in result}
    for event in expected:
        assert by_id[event.id] == EventOut.from_event(event).to_json()
    placed = next(e for e in result if e["place"])
    assert set(placed["place"]) >= PLACE
    assert all({"name", "side", "unit"} <= set(a) for e in result for a in e["actors"])
    assert all({"canonical", "class", "calibre_mm", "surface", "catalogue_id"} <= set(w)
               for e in result for w in e["weapons"])  # fmt: skip


def test_events_filters(stored):
    db, records = stored
    events = [e for item in records for e in item.events]
    result = json.loads(run(db, "events", "--json", "--bbox", "36,48.5,38,50", "--since", "2022-03-01"))
    expected = {
        e.id
        for e in events
        if e.place and 36 <= e.place.entry.lon <= 38 and 48.5 <= e.place.entry.lat <= 50
        and e.date and e.date.isoformat() >= "2022-03-01"
    }  # fmt: skip
    assert expected
    assert {e["id"] for e in result} == expected
    some = events[0]
    by_type = json.loads(run(db, "events", "--json", "--type", some.sub_event_type))
    assert {e["id"] for e in by_type} == {e.id for e in events if e.sub_event_type == some.sub_event_type}
    assert len(json.loads(run(db, "events", "--json", "--limit", "3"))) == 3


def test_events_table_and_csv(stored):
    db, records = stored
    n = sum(len(item.events) for item in records)
    assert f"{n} events" in run(db, "events")
    lines = run(db, "events", "--csv").strip().splitlines()
    assert len(lines) == n + 1 and lines[0].startswith("id,article_id,event_type")


def test_events_rejects_a_bad_bbox(stored):
    db, _ = stored
    result = CliRunner().invoke(main, ["--db", db, "events", "--bbox", "38,48,36"])
    assert result.exit_code == 2
    assert "bbox" in result.output


def test_show_prints_evidence_claimant_and_article(stored):
    db, records = stored
    seed = records[0].resolved.annotated.article
    event = next(e for e in records[0].events if e.claimant and e.place)
    output = run(db, "show", event.id)
    flat = " ".join(output.split())
    assert " ".join(event.evidence.text.split()) in flat
    assert event.claimant.name in flat
    assert event.place.entry.name in flat
    assert " ".join(seed.title.split()) in flat
    assert str(event.modality) in flat
    assert run(db, "show", event.id[:10]) == output  # a unique prefix is enough


def test_show_unknown_id_fails_cleanly(stored):
    db, _ = stored
    result = CliRunner().invoke(main, ["--db", db, "show", "no-such-event"])
    assert result.exit_code == 1
    assert "no event" in result.output


@pytest.mark.parametrize("command", ["events", "show", "export", "serve"])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3


def test_serve_answers_over_http(stored):
    db, records = stored
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "FRONTWATCH_WRITE_TOKEN": "t"}
    command = [str(Path(sys.executable).with_name("frontwatch")), "--db", db, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["articles"] == len(records)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
