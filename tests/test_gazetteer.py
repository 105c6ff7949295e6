"""The gazetteer: match keys, transliteration, the default index built from real sources, matching."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from frontwatch.cli import main
from frontwatch.gazetteer import Gazetteer
from frontwatch.gazetteer.draft import Draft
from frontwatch.gazetteer.keys import name_key
from frontwatch.gazetteer.loaders.katotth import KatotthRow
from frontwatch.gazetteer.translit import kmu2010, russian_style
from frontwatch.gazetteer.ukraine import build_ukraine
from frontwatch.geometry import haversine_km as km
from frontwatch.model import PlaceKind, Precision

DATA = Path(__file__).parent / "data" / "gazetteer"
IZYUM = (49.20697, 37.27679)


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.open_default()


@pytest.mark.parametrize(
    "spellings",
    [
        ["Izyum", "Izium", "Изюм", "Ізюм", "Izjum"],
        ["Slavyansk", "Sloviansk", "Slovyansk", "Слов'янськ", "Славянск"],
        ["Severodonetsk", "Sievierodonetsk", "Сєвєродонецьк", "Северодонецк"],
        ["Barvenkove", "Barvinkove", "Барвінкове", "Барвенково"],
        ["Kharkov", "Kharkiv", "Харків", "Харьков"],
        ["Lugansk", "Luhansk", "Луганськ"],
        ["Kiev", "Kyiv", "Київ", "Киев"],
        ["Spivakivka", "Spivakovka", "Співаківка"],
        ["Yenakiieve", "Yenakievo", "Енакиево"],
        ["Kryvyi Rih", "Kryvyy Rih", "Кривий Ріг"],
    ],
)
def test_spellings_share_a_key(spellings: list[str]) -> None:
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1, keys


def test_different_places_keep_different_keys() -> None:
    assert name_key("Lyman") != name_key("Lysychansk")
    assert name_key("Russia") != name_key("Russian")


def test_kmu2010_transliteration() -> None:
    result = [kmu2010(n) for n in ["Співаківка", "Ізюм", "Згурівка", "Яготин", "Слов'янськ", "Їжакевич"]]
    expected = ["Spivakivka", "Izium", "Zghurivka", "Yahotyn", "Sloviansk", "Yizhakevych"]
    assert result == expected
    assert russian_style("Spivakivka") == ["Spivakovka"]


@pytest.mark.parametrize(
    ("name", "names"),
    [("Nikolaev", "Mykolaiv"), ("Zaporozhye", "Zaporizhzhia"), ("Kharkov", "Kharkiv"), ("Kiev", "Kyiv")],
)
def test_russian_forms_find_the_ukrainian_city(gaz: Gazetteer, name: str, names: str) -> None:
    result = gaz.search(name)[0]
    assert result.country == "UA"
    assert result.id == gaz.search(names)[0].id


def test_izyum_is_one_entry_with_both_ids(gaz: Gazetteer) -> None:
    (entry,) = [e for e in gaz.search("Izium") if e.kind is PlaceKind.CITY]
    assert (entry.id, entry.geonameid, entry.katotth) == ("gn:707292", 707292, "UA63040090010029555")
    assert entry.admin1 == "Kharkiv Oblast" and entry.precision is Precision.EXACT
    assert {"Izyum", "Izium", "Ізюм", "Изюм"} <= set(entry.names)


def test_every_katotth_settlement_is_placed(gaz: Gazetteer) -> None:
    with sqlite3.connect(gaz.path) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM entries WHERE katotth IS NOT NULL AND kind IN ('city','town','village')"
        ).fetchone()
    assert count == 29_703  # KATOTTH 2024-01: 461 M + 27,261 C + 1,979 X + 2 K rows (no T left)


def test_villages_missing_from_cities500_get_their_hromada(gaz: Gazetteer) -> None:
    zavody = gaz.entry("katotth:UA63040130100094915")
    spivakivka = gaz.entry("katotth:UA63040130220055833")
    assert zavody.precision is Precision.HROMADA and zavody.admin3 == "Oskil Hromada"
    assert km(zavody.lat, zavody.lon, 49.1536, 37.0641) <= 30
    assert km(zavody.lat, zavody.lon, *IZYUM) <= 35
    assert km(spivakivka.lat, spivakivka.lon, *IZYUM) <= 35


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("Kharkiv region", PlaceKind.ADMIN1, "UA"),
        ("Kharkiv Oblast", PlaceKind.ADMIN1, "UA"),
        ("Kharkivshchyna", PlaceKind.ADMIN1, "UA"),
        ("Kharkov region", PlaceKind.ADMIN1, "UA"),
        ("Belgorod region", PlaceKind.ADMIN1, "RU"),
        ("Belgorod Oblast", PlaceKind.ADMIN1, "RU"),
        ("Izium district", PlaceKind.ADMIN2, "UA"),
        ("Izium raion", PlaceKind.ADMIN2, "UA"),
        ("Oskil community", PlaceKind.ADMIN3, "UA"),
        ("Oskil hromada", PlaceKind.ADMIN3, "UA"),
        ("Siverskyi Donets", PlaceKind.RIVER, "UA"),
        ("Ukraine", PlaceKind.COUNTRY, "UA"),
        ("Russia", PlaceKind.COUNTRY, "RU"),
    ],
)
def test_units_features_and_countries(gaz: Gazetteer, name: str, kind: PlaceKind, country: str) -> None:
    found = [e for e in gaz.search(name) if e.kind is kind and e.country == country]
    assert found, f"{name} not found as {kind}"


def test_region_point_is_inside_the_region(gaz: Gazetteer) -> None:
    kharkiv = gaz.search("Kharkiv Oblast")[0]
    belgorod = gaz.search("Belgorod Oblast")[0]
    assert km(kharkiv.lat, kharkiv.lon, 49.6, 36.6) < 150
    assert km(belgorod.lat, belgorod.lon, 50.7, 37.4) < 150


def test_match_finds_names_and_roles_in_one_pass(gaz: Gazetteer) -> None:
    text = (
        "Among them are Spivakivka and Zavody on the Siverskyi Donets River. Fierce fighting "
        "continues in the Izyum direction, in the Kharkiv region and near Kyiv's outskirts."
    )
    result = [(m.surface, m.role) for m in gaz.match(text)]
    expected = [
        ("Spivakivka", None),
        ("Zavody", None),
        ("Siverskyi Donets River", "river"),
        ("Izyum", "direction"),
        ("Kharkiv region", "region"),
        ("Kyiv", None),
    ]
    assert result == expected
    for m in gaz.match(text):
        assert text[m.start : m.end] == m.surface and m.candidate_ids


def test_match_skips_lowercase_and_common_words(gaz: Gazetteer) -> None:
    text = "Russian troops. We said Armed Forces, General Staff, March and Espresso. The war goes on."
    assert gaz.match(text) == []


def test_build_with_a_geonames_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTWATCH_HOME", str(tmp_path))
    runner = CliRunner()
    built = runner.invoke(main, ["gazetteer", "build", "--geonames", str(DATA / "UA-sample.txt")])
    assert built.exit_code == 0, built.output
    info = runner.invoke(main, ["gazetteer", "info"])
    assert info.exit_code == 0 and "UA-sample.txt" in info.output and "KATOTTH" in info.output
    gaz = Gazetteer.open_default()
    zavody = gaz.entry("gn:12000001")  # the dump's village merged with its KATOTTH settlement
    assert (zavody.katotth, zavody.precision) == ("UA63040130100094915", Precision.EXACT)
    assert km(zavody.lat, zavody.lon, 49.1536, 37.0641) < 1
    assert [e.id for e in gaz.search("Zavody") if e.katotth == "UA63040130100094915"] == ["gn:12000001"]
    assert gaz.entry("gn:707292").population == 46000 and "Izjum" in gaz.entry("gn:707292").names
    assert gaz.entry("gn:12000003").kind is PlaceKind.RIVER
    with pytest.raises(Exception, match="no gazetteer entry"):
        gaz.entry("gn:12000004")  # a hill (class T) is not indexed from dumps
    assert list(tmp_path.glob("*.tmp")) == []


def test_an_index_built_without_shared_data_is_rebuilt_once_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared: Path
) -> None:
    monkeypatch.setenv("FRONTWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FRONTWATCH_SHARED", str(tmp_path / "no-shared"))
    without = Gazetteer.open_default()
    assert not without.has_features and not without.search("Siverskyi Donets")
    monkeypatch.setenv("FRONTWATCH_SHARED", str(shared))
    rebuilt = Gazetteer.open_default()
    assert rebuilt.has_features
    assert PlaceKind.RIVER in {e.kind for e in rebuilt.search("Siverskyi Donets")}


def test_cli_commands_have_help() -> None:
    runner = CliRunner()
    for args in (
        ["gazetteer", "--help"],
        ["gazetteer", "build", "--help"],
        ["gazetteer", "download", "--help"],
        ["gazetteer", "info", "--help"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage" in result.output


def _linking_input(order: list[int]) -> tuple[list, dict[str, Draft]]:
    # A hromada anchored by its unambiguous town, and two same-named villages exactly as far from it
    # (north and south along the meridian): a tie that only a stable order can break the same way.
    oblast, raion, hromada = "UA63000000000000000", "UA63020000000000000", "UA63020010000000000"
    rows = [
        KatotthRow(oblast, "O", "Харківська", oblast, None, None),
        KatotthRow(raion, "P", "Ізюмський", oblast, raion, None),
        KatotthRow(hromada, "H", "Ізюмська", oblast, raion, hromada),
        KatotthRow("UA63020010010000001", "M", "Ізюм", oblast, raion, hromada),
        KatotthRow("UA63020010020000002", "C", "Кам'янка", oblast, raion, hromada),
    ]
    drafts = [
        Draft("gn:1", "Izium", PlaceKind.CITY, 49.2, 37.26, Precision.EXACT, "UA", population=45000),
        Draft("gn:2", "Kamianka", PlaceKind.VILLAGE, 49.3, 37.26, Precision.EXACT, "UA"),
        Draft("gn:3", "Kamianka", PlaceKind.VILLAGE, 49.1, 37.26, Precision.EXACT, "UA"),
    ]
    for d in drafts:
        d.names, d.admin1_code = [d.name], "07"
    return rows, {drafts[i].id: drafts[i] for i in order}


def _linked(order: list[int]) -> list[tuple]:
    rows, places = _linking_input(order)
    new = build_ukraine(rows, places, {"63": ("Kharkiv Oblast", "07")})
    return sorted((d.id, d.katotth, d.lat, d.lon, tuple(d.names)) for d in [*places.values(), *new])


def test_katotth_linking_does_not_depend_on_input_order() -> None:
    first = _linked([0, 1, 2])
    assert first == _linked([2, 1, 0]) == _linked([1, 0, 2])
    links = {row[0]: row[1] for row in first}
    assert links["gn:1"] == "UA63020010010000001"
    assert links["gn:2"] == "UA63020010020000002" and links["gn:3"] is None  # the tie goes to the lower id


def test_katotth_linking_does_not_depend_on_hash_seed() -> None:
    # Set iteration order changes with PYTHONHASHSEED; two interpreters must build the same links.
    code = "import tests.test_gazetteer as t; print(t._linked([0, 1, 2]))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and "UA63020010020000002" in outputs.pop()


def test_famous_features_name_their_source_and_spellings() -> None:
    from frontwatch.gazetteer.loaders import features

    result = features.load()
    assert len(result) >= 12
    for draft in result:
        assert draft.id.startswith("feature:") and draft.kind is PlaceKind.FEATURE
        assert draft.precision is Precision.EXACT
        assert 44.0 < draft.lat < 52.5 and 22.0 < draft.lon < 40.5, draft.id  # in Ukraine, Crimea included
        assert any(n.isascii() for n in draft.names) and any(not n.isascii() for n in draft.names), draft.id
    data = tomllib.loads(
        (Path(features.__file__).parent.parent / "data" / "features.toml").read_text("utf-8")
    )
    assert all(spec["source"].startswith(("Wikipedia", "GeoNames")) for spec in data["feature"])


def test_a_broken_feature_file_is_named(tmp_path: Path) -> None:
    from frontwatch.errors import GazetteerError
    from frontwatch.gazetteer.loaders import features

    bad = tmp_path / "features.toml"
    bad.write_text(
        '[[feature]]\nid = "x"\nname = "X"\nlat = 50.0\nlon = 30.0\nnames = ["X"]\n', encoding="utf-8"
    )
    with pytest.raises(GazetteerError, match=r"features\.toml: feature #1 lacks admin1, source"):
        features.load(bad)
    bad.write_text("[[feature]\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="cannot read"):
        features.load(bad)


def test_edit_distance_counts_a_swap_as_one() -> None:
    from frontwatch.gazetteer.fuzzy import allowed_edits, edit_distance

    assert edit_distance("donestk", "donetsk", 2) == 1
    assert edit_distance("luhansk", "luhanske", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("kitten", "sitting", 1) == 2  # stops past the limit
    assert [allowed_edits(w) for w in ("kyiv", "lyman", "novoselivka")] == [0, 1, 2]


@pytest.mark.parametrize(
    ("written", "regions"),
    [
        ("Noivomykhailivka", ("Donetsk Oblast",)),
        ("Ilvoaisk", ("Donetsk Oblast",)),
        ("Kramatrsk", ("Donetsk Oblast", "Luhansk Oblast")),
        ("Kupyansk-Vuzlovyi", ("Kharkiv Oblast",)),
    ],
)
def test_approximate_finds_what_a_scan_of_every_entry_finds(
    gaz: Gazetteer, written: str, regions: tuple[str, ...]
) -> None:
    """The per-region name tables built on demand give what comparing with every settlement gives."""
    from frontwatch.gazetteer.fuzzy import allowed_edits, edit_distance
    from frontwatch.gazetteer.index import THEATRE, fold

    want, limit = fold(written), allowed_edits(fold(written).replace(" ", ""))
    distances: dict[str, int] = {}
    for e in gaz.entries():
        settlement = e.kind in (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE)
        if e.admin1 in regions and settlement and e.country in THEATRE:
            names = {fold(n) for n in e.names if n.isascii() and n.strip()}
            near = [edit_distance(want, n, limit) for n in names if n[:1] == want[:1]]
            distances[e.id] = min(near, default=limit + 1)
    best = min(distances.values())
    expected = {i for i, d in distances.items() if d == best and d <= limit}

    result = gaz.approximate(written, regions=frozenset(regions))

    assert expected, "each misspelling is near a real settlement"
    assert set(result) == expected
    assert gaz.approximate(written, regions=frozenset(regions)) == result  # remembered, the same


def test_approximate_region_names_the_region_each_time(gaz: Gazetteer) -> None:
    result = [gaz.entry(i).name for w in ("Donestk", "Luhanks", "Donestk") for i in gaz.approximate_region(w)]

    assert result == ["Donetsk Oblast", "Luhansk Oblast", "Donetsk Oblast"]
