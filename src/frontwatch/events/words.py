"""The word lists of the place and extraction rules (words.toml), loaded once into one typed record."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from frontwatch.errors import InputError

PATH = Path(__file__).parent / "words.toml"
_TABLE_KEYS = frozenset({"description", "words"})


@dataclass(frozen=True, slots=True)
class Words:
    """One field per table of words.toml: its regex fragments, in order."""

    place_filler: tuple[str, ...]
    generic_object: tuple[str, ...]
    anaphoric_object: tuple[str, ...]
    list_cue: tuple[str, ...]
    next_list: tuple[str, ...]
    venue_after: tuple[str, ...]
    speaker_before: tuple[str, ...]
    speaker_after: tuple[str, ...]
    capital_possession: tuple[str, ...]
    person_title: tuple[str, ...]
    unit_after: tuple[str, ...]
    unit_before: tuple[str, ...]
    vessel_before: tuple[str, ...]
    vessel_after: tuple[str, ...]
    locative_before: tuple[str, ...]
    place_preposition: tuple[str, ...]
    armed_noun: tuple[str, ...]
    side_compound: tuple[str, ...]
    anaphoric: tuple[str, ...]
    definite: tuple[str, ...]
    definite_adjective: tuple[str, ...]
    state_before: tuple[str, ...]
    strong_denial: tuple[str, ...]
    unit_prefix: tuple[str, ...]
    unit_noun: tuple[str, ...]
    number_word: tuple[str, ...]
    death_word: tuple[str, ...]
    list_area: tuple[str, ...]
    list_gap_filler: tuple[str, ...]
    chain_filler: tuple[str, ...]
    passive_filler: tuple[str, ...]
    region_plural: tuple[str, ...]
    instrument: tuple[str, ...]
    clause_conjunction: tuple[str, ...]


def parse(raw: dict[str, object], origin: str = str(PATH)) -> Words:
    """The record of a parsed words.toml; an unknown, missing or malformed table is an InputError."""
    names = [f.name for f in fields(Words)]
    unknown = sorted(set(raw) - set(names))
    missing = [n for n in names if n not in raw]
    if unknown or missing:
        raise InputError(origin, f"unknown tables: {unknown or 'none'}; missing tables: {missing or 'none'}")
    lists: dict[str, tuple[str, ...]] = {}
    for name in names:
        table = raw[name]
        if not isinstance(table, dict) or set(table) != _TABLE_KEYS:
            raise InputError(origin, f"[{name}] must have exactly the keys description and words")
        words = table["words"]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise InputError(origin, f"[{name}] words must be a non-empty list of non-empty strings")
        lists[name] = tuple(words)
    return Words(**lists)


@cache
def words() -> Words:
    """The word lists, read once per process."""
    return parse(tomllib.loads(PATH.read_text(encoding="utf-8")))


def alternation(fragments: tuple[str, ...]) -> str:
    """The fragments as one regex alternation, in their order (ungrouped: the caller frames it)."""
    return "|".join(fragments)
