"""Does a text name a place? Compares spellings through the gazetteer's match keys (Izyum = Izium = Изюм)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from frontwatch.gazetteer.keys import name_key, split_name, token_key

_POSSESSIVE = re.compile(r"['’ʼ]s\b")
_BRACKETS = re.compile(r"\([^)]*\)")


def text_keys(text: str) -> tuple[str, ...]:
    """The match key of every word of a text, in order ('' for words without letters)."""
    return tuple(token_key(t) for t in split_name(_POSSESSIVE.sub("", text)))


def names_place(text: str, place_name: str, *, aliases: Iterable[str] = ()) -> bool:
    """True when the words of `place_name` or of one of its `aliases` (any spelling the keys fold
    together) occur in a row in `text`."""
    names = [n for n in (place_name, _BRACKETS.sub(" ", place_name), *aliases) if n.strip()]
    words = text_keys(text)
    for name in names:
        key = name_key(name)
        if not key:
            continue
        wanted = tuple(key.split(" "))
        width = len(wanted)
        if any(words[i : i + width] == wanted for i in range(len(words) - width + 1)):
            return True
    return False
