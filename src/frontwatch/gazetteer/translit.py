"""Latin forms of Ukrainian names: the official KMU 2010 transliteration and Russian-style variants."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources


@cache
def _table() -> dict:
    text = resources.files("frontwatch.gazetteer").joinpath("data/translit.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def kmu2010(name: str) -> str:
    """Transliterate a Ukrainian name by the 2010 official rules, keeping the case of each letter."""
    table = _table()["kmu2010"]
    other, initial = table["other"], table["initial"]
    out: list[str] = []
    prev = ""
    for ch in name:
        low = ch.lower()
        if low == "г" and prev.lower() == "з":
            latin = "gh"
        elif low in initial and (prev == "" or (not prev.isalpha() and prev not in "'’ʼ")):
            latin = initial[low]
        else:
            latin = other.get(low, ch)
        if ch.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        if ch not in "'’ʼ":
            prev = ch
    return "".join(out)


def russian_style(latin: str) -> list[str]:
    """Russian-style variants of a KMU-transliterated name (one per rule that applies, then all at once)."""
    rules = [(re.compile(p), r) for p, r in _table()["russian_style"]["rules"]]
    variants: list[str] = []
    words = latin.split(" ")
    combined = []
    for word in words:
        low = word.lower()
        for pattern, repl in rules:
            low = pattern.sub(repl, low)
        combined.append(low.capitalize() if word[:1].isupper() else low)
    joined = " ".join(combined)
    if joined != latin:
        variants.append(joined)
    return variants


def ikavism(latin: str) -> list[str]:
    """The Russian-style "o" for a Ukrainian "i" in a closed syllable: Sokilnyky → Sokolnyky."""
    variant = latin
    for pattern, repl in _table()["ikavism"]["rules"]:
        variant = re.sub(pattern, repl, variant)
    return [variant] if variant != latin else []
