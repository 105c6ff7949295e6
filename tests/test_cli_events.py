"""`frontwatch events`, `show`, `export` and `serve` on a temporary store of real reports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def test_show_takes_an_id_without_its_ev_prefix(stored):
    db, records = stored
    event = records[0].events[0]
    assert run(db, "show", event.id.removeprefix("ev:")) == run(db, "show", event.id)


def test_show_an_ambiguous_prefix_lists_the_candidates_and_exits_2(stored, tmp_path):
    import shutil
    import sqlite3

    db, _ = stored
    copy = tmp_path / "ambiguous.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as conn:  # two ids made to share the prefix "ev:0b9"
        ids = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id LIMIT 2")]
        renamed = sorted("ev:0b9" + i[6:] for i in ids)
        for old, new in zip(ids, renamed, strict=True):
            conn.execute("UPDATE events SET id = ? WHERE id = ?", (new, old))
    result = CliRunner().invoke(main, ["--db", str(copy), "show", "ev:0b9"])
    assert result.exit_code == 2, result.output
    assert "matches more than one event" in result.output
    assert [line.strip() for line in result.output.splitlines()[-2:]] == renamed


def test_control_of_a_place_without_reports_says_so(stored):
    db, _ = stored
    output = run(db, "control", "Uzhhorod")
    assert output.strip() == "no control changes reported for 'Uzhhorod' in the stored reports"
    assert json.loads(run(db, "control", "Uzhhorod", "--json")) == []


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


@contextmanager
def serve_process(db: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """`frontwatch serve` as a real subprocess (write token "t"), once it answers /health."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "FRONTWATCH_WRITE_TOKEN": "t"}
    command = [str(Path(sys.executable).with_name("frontwatch")), "--db", db, "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def test_serve_answers_over_http(stored):
    db, records = stored
    with serve_process(db) as (_, base):
        response = httpx.get(f"{base}/health", timeout=10)
        assert response.status_code == 200
        assert response.json()["articles"] == len(records)


def test_serve_stops_on_sigterm_while_an_analysis_runs(stored, shared, tmp_path):
    import shutil
    import signal
    import threading

    db, _ = stored
    copy = tmp_path / "sigterm.db"
    shutil.copy(db, copy)
    with serve_process(str(copy)) as (proc, base):
        body = (shared / "seed" / "izyum-counterattack.txt").read_text(encoding="utf-8").partition("\n\n")[2]
        report = {"title": "Long", "text": "\n\n".join(f"Update {i}. {body}" for i in range(300))}
        answers: list[httpx.Response] = []
        posting = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    f"{base}/articles", json=report, headers={"Authorization": "Bearer t"}, timeout=300
                )
            )
        )
        posting.start()
        time.sleep(2)  # the report (~650 KB) is uploaded and its long analysis under way
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)  # the grace period is 3 s; without it, serve waited for the analysis
        posting.join(timeout=15)
        assert [a.status_code for a in answers] == [503]
        assert "stopping" in answers[0].json()["error"]["message"]
