"""Every vocabulary entry is documented and used: its examples (or its own names) match it."""

from __future__ import annotations

import re

import pytest

from frontwatch.events.vocab import actor_key, trigger_key, vocabulary, weapon_key

ACLED = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Shelling/artillery/missile attack",
        "Air/drone strike",
        "Remote explosive/landmine/IED",
        "Grenade",
        "Suicide bomb",
        "Chemical weapon",
    },
    "Violence against civilians": {"Attack", "Abduction/forced disappearance", "Sexual violence"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    },
}
V = vocabulary()


@pytest.mark.parametrize("key", sorted(V.types))
def test_event_type_is_documented_mapped_and_used(key: str) -> None:
    t = V.types[key]
    assert t.description.strip()
    assert t.sub_event_type in ACLED[t.event_type]
    assert t.examples, f"{key} has no example"
    # as extraction scans: caption-only triggers apart from the others
    scan = V.caption_re if t.caption_only else V.plain_re
    for example in t.examples:
        result = {trigger_key(V, m.group()) for m in scan.finditer(example.lower())}
        assert key in result, f"{example!r} does not trigger {key} (got {result})"


def test_control_change_maps_to_acled() -> None:
    result = set(V.control_change.values())
    assert result <= ACLED["Battles"]
    assert V.control_change["Ukraine"] == "Government regains territory"
    assert V.control_change["Russia"] == "Non-state actor overtakes territory"


@pytest.mark.parametrize("key", sorted(V.actors))
def test_actor_is_documented_and_used(key: str) -> None:
    a = V.actors[key]
    assert a.description.strip() and a.name and a.aliases
    assert a.examples, f"{key} has no example"
    for example in a.examples:
        m = V.actor_re.search(example.lower())
        assert m is not None and actor_key(V, m.group()) == key, f"{example!r} is not {a.name}"


@pytest.mark.parametrize("key", sorted(V.weapons))
def test_weapon_is_documented_and_used(key: str) -> None:
    w = V.weapons[key]
    assert w.description.strip() and w.weapon_class
    # every alias written as plain text (no regex syntax) finds its own entry, the canonical name too
    plain = [a.replace("\\", "") for a in w.aliases if not re.search(r"[()?\[\]|*+{}]", a.replace("\\-", ""))]
    for surface in plain:
        m = V.weapon_re.search(surface.lower())
        assert m is not None and weapon_key(V, m.group()) == key, f"{surface!r} is not {w.canonical}"


def test_weapon_catalogue_covers_the_war() -> None:
    result = {w.weapon_class for w in V.weapons.values()}
    expected = {
        "multiple rocket launcher",
        "self-propelled howitzer",
        "cruise missile",
        "ballistic missile",
        "loitering munition",
        "combat drone",
        "main battle tank",
        "infantry fighting vehicle",
        "air defence system",
        "attack helicopter",
    }
    assert expected <= result
    assert V.weapons["bm30_smerch"].calibre_mm == 300 and V.weapons["2s4_tyulpan"].calibre_mm == 240


def test_cue_lists_are_documented() -> None:
    for section in ("modality", "attribution", "dates", "quantities"):
        for name, body in V.cues[section].items():
            if isinstance(body, dict):
                assert body.get("description"), f"{section}.{name} lacks a description"
    assert V.cues["attribution"]["description"] and V.cues["dates"]["description"]


def test_rules_version_is_read_from_the_vocabulary() -> None:
    import tomllib

    from frontwatch.events import RULES_VERSION
    from frontwatch.events.vocab import HERE

    written = tomllib.loads((HERE / "event_types.toml").read_text(encoding="utf-8"))["version"]
    assert RULES_VERSION == V.version == written


def test_an_unknown_key_of_an_event_type_is_an_error() -> None:
    from frontwatch.errors import InputError
    from frontwatch.events.vocab import _event_types

    misspelt = {"description": "x", "event_type": "E", "sub_event_type": "S", "triggers": ["a"], "prority": 3}
    raw = {"types": {"shelling": misspelt}}
    with pytest.raises(InputError, match=r"event_types.toml: \[types.shelling\] has unknown keys: prority"):
        _event_types(raw)


def test_word_lists_load_into_their_record_and_are_used() -> None:
    import tomllib
    from dataclasses import fields

    from frontwatch.events.words import PATH, words

    raw = tomllib.loads(PATH.read_text(encoding="utf-8"))
    result = words()
    expected = {name: tuple(body["words"]) for name, body in raw.items()}
    assert {f.name: getattr(result, f.name) for f in fields(result)} == expected
    assert all(body["description"] for body in raw.values())


def test_a_word_list_moved_to_data_still_decides() -> None:
    from frontwatch.events import places as pl

    # list_cue: "including" opens a list; the rule reads it from words.toml
    result = pl.LIST_CUE.search("Russian troops shelled several villages, including Antonivka.")
    assert result is not None and result.group() == "including"
    assert pl.LIST_CUE.search("Russian troops shelled Antonivka.") is None


def test_an_unknown_or_malformed_word_list_is_an_error() -> None:
    import tomllib

    from frontwatch.errors import InputError
    from frontwatch.events.words import PATH, parse

    raw = tomllib.loads(PATH.read_text(encoding="utf-8"))
    with pytest.raises(InputError, match=r"words.toml: unknown tables: \['list_cues'\]"):
        parse({**raw, "list_cues": {"description": "x", "words": ["a"]}})
    with pytest.raises(InputError, match=r"missing tables: \['list_cue'\]"):
        parse({k: v for k, v in raw.items() if k != "list_cue"})
    with pytest.raises(InputError, match=r"\[list_cue\] must have exactly the keys description and words"):
        parse({**raw, "list_cue": {**raw["list_cue"], "word": ["a"]}})
    with pytest.raises(InputError, match=r"\[list_cue\] words must be a non-empty list"):
        parse({**raw, "list_cue": {"description": "x", "words": []}})
