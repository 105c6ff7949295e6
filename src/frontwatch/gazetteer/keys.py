"""Match keys: reduce every spelling of a name (Izyum, Izium, Изюм) to one comparable string."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from importlib import resources

# Cyrillic → Latin for keys only (one letter per sound; the key rules then fold the variants).
_CYR = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "yu",
    "я": "ya",
    "ё": "yo",
    "ы": "y",
    "э": "e",
    "ъ": "",
    "ў": "u",
}
_CYR_TABLE = str.maketrans(_CYR)
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´‘ʹ")
_NON_LETTER = re.compile(r"[^a-z]+")
_TOKEN_SPLIT = re.compile(r"[\s\-‐–—/,.()]+")


@cache
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    text = resources.files("frontwatch.gazetteer").joinpath("data/keys.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return tuple((re.compile(pattern), repl) for pattern, repl in data["rules"])


def keys_version() -> str:
    text = resources.files("frontwatch.gazetteer").joinpath("data/keys.toml").read_text(encoding="utf-8")
    return str(tomllib.loads(text)["version"])


@lru_cache(maxsize=200_000)
def token_key(token: str) -> str:
    """The key of one word; '' when nothing Latin or Cyrillic is left."""
    text = token.lower().translate(_CYR_TABLE).translate(_APOSTROPHES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_LETTER.sub("", text)
    if not text:
        return ""
    for pattern, repl in _rules():
        text = pattern.sub(repl, text)
    return text


def split_name(name: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(name) if t]


@lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """The key of a whole name: its words' keys joined by spaces ('' if any word has none)."""
    parts = [token_key(t) for t in split_name(name)]
    if not parts or not all(parts):
        return ""
    return " ".join(parts)
