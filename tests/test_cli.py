"""The CLI: ingest, places, articles, demo; exit codes; the JSON contracts; --help on every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from frontwatch.cli import main

REPO = Path(__file__).resolve().parents[1]
PLACE_KEYS = {
    "article_id", "surface", "start_char", "end_char", "name", "kind", "lat", "lon", "precision",
    "geonameid", "katotth", "admin1", "country", "score",
}  # fmt: skip
ARTICLE_KEYS = {"id", "url", "title", "published", "source", "tags"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=lambda p: " ".join(p) or "frontwatch")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = main
    for name in path:
        command = command.commands[name]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory, seed_path: Path) -> Path:
    db = tmp_path_factory.mktemp("cli") / "fw.db"
    result = CliRunner().invoke(
        main, ["--db", str(db), "ingest", str(seed_path), "--published", "2022-05-10"]
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 article read, 1 stored" in result.stderr
    return db


def test_places_json_keeps_its_contract(seeded_db: Path, seed_path: Path):
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "places", "--json"])

    rows = json.loads(result.stdout)
    text = seed_path.read_text(encoding="utf-8")
    assert result.exit_code == 0
    assert rows and all(set(r) >= PLACE_KEYS for r in rows)
    by_surface = {r["surface"]: r for r in rows}
    izyum = by_surface["Izyum"]
    assert (izyum["geonameid"], izyum["country"], izyum["admin1"]) == (707292, "UA", "Kharkiv Oblast")
    assert izyum["lat"] == pytest.approx(49.21, abs=0.05)
    assert all(r["surface"] in text for r in rows)


def test_places_of_one_article_and_of_none(seeded_db: Path):
    [article] = json.loads(CliRunner().invoke(main, ["--db", str(seeded_db), "articles", "--json"]).stdout)

    mine = json.loads(
        CliRunner()
        .invoke(main, ["--db", str(seeded_db), "places", "--article", article["id"], "--json"])
        .stdout
    )
    none = json.loads(
        CliRunner().invoke(main, ["--db", str(seeded_db), "places", "--article", "nope", "--json"]).stdout
    )
    table = CliRunner().invoke(main, ["--db", str(seeded_db), "places"])

    assert mine and {r["article_id"] for r in mine} == {article["id"]}
    assert none == []
    assert table.exit_code == 0 and "Spivakivka" in table.stdout


def test_articles_json_keeps_its_contract(seeded_db: Path):
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "articles", "--json"])

    [row] = json.loads(result.stdout)
    assert set(row) >= ARTICLE_KEYS
    assert row["published"] == "2022-05-10"
    assert row["title"] == "Ukrainian Forces counterattack Russian troops near Izyum"
    assert row["tags"] == ["War in Ukraine", "Izyum", "Russia"]


def test_ingesting_again_stores_nothing_new(seeded_db: Path, seed_path: Path):
    before = CliRunner().invoke(main, ["--db", str(seeded_db), "places", "--json"]).stdout

    result = CliRunner().invoke(
        main, ["--db", str(seeded_db), "ingest", str(seed_path), "--published", "2022-05-10"]
    )

    assert result.exit_code == 0
    assert "0 stored (0 events), 1 already present, 0 skipped" in result.stderr
    assert CliRunner().invoke(main, ["--db", str(seeded_db), "places", "--json"]).stdout == before


def test_jsonl_url_is_kept_and_a_skipped_input_gives_exit_code_1(tmp_path: Path):
    reports = tmp_path / "in.jsonl"
    url = "https://Example.org/News/Item?id=7&utm=x"
    reports.write_text(
        json.dumps({"title": "Kharkiv shelled", "text": "Russian forces shelled Kharkiv.", "url": url})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "fw.db"

    result = CliRunner().invoke(
        main, ["--db", str(db), "ingest", str(reports), str(tmp_path / "missing.txt")]
    )
    rows = json.loads(CliRunner().invoke(main, ["--db", str(db), "articles", "--json"]).stdout)

    assert result.exit_code == 1
    assert f"skipped {tmp_path / 'missing.txt'}: " in result.stderr
    assert "1 article read, 1 stored" in result.stderr
    assert [r["url"] for r in rows] == [url]


def test_a_one_line_report_is_analysed(tmp_path: Path):
    flash = tmp_path / "flash.txt"
    flash.write_text("Russian forces shelled Kupiansk on 9 May, the General Staff said.\n", encoding="utf-8")
    db = tmp_path / "fw.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(flash), "--published", "2022-05-10"])
    assert result.exit_code == 0, result.output
    assert "1 article read, 1 stored (1 event), 0 already present, 0 skipped" in result.stderr
    (event,) = json.loads(CliRunner().invoke(main, ["--db", str(db), "events", "--json"]).stdout)
    assert (event["sub_event_type"], event["place"]["name"], event["date"]) == (
        "Shelling/artillery/missile attack",
        "Kupyansk",
        "2022-05-09",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["ingest"],  # no path
        ["ingest", "x.txt", "--format", "nosuchformat"],
        ["ingest", "x.txt", "--published", "10/05/2022"],
        ["ingest", "x.txt", "--workers", "0"],
    ],
    ids=["no-path", "bad-format", "bad-date", "zero-workers"],
)
def test_usage_errors_give_exit_code_2(args, tmp_path: Path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "fw.db"), *args])

    assert result.exit_code == 2


def test_an_unusable_store_gives_exit_code_2(tmp_path: Path):
    result = CliRunner().invoke(main, ["--db", "nosuchdialect://x/y", "articles"])

    assert result.exit_code == 2
    assert "cannot open store" in result.stderr


def test_demo_subprocess_prints_places_and_events(tmp_path: Path):
    """The console script itself, as run.sh runs it (without the server)."""
    env = {**os.environ, "FRONTWATCH_DB": str(tmp_path / "demo.db")}
    script = Path(sys.executable).with_name("frontwatch")

    result = subprocess.run(
        [str(script), "demo", "--no-serve"], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )

    assert result.returncode == 0, result.stderr
    assert "Spivakivka" in result.stdout and "Barvinkove" in result.stdout
    assert "events" in result.stdout
    assert "1 article read, 1 stored" in result.stderr
