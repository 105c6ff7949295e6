"""The gazetteer as used at run time: entries by id, name search, and one-pass name matching in text."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from frontwatch.errors import GazetteerError
from frontwatch.gazetteer.admin import front_regions
from frontwatch.gazetteer.build import FEATURES_SOURCE, build, features_available, index_version
from frontwatch.gazetteer.keys import name_key, token_key
from frontwatch.model import GazetteerEntry, PlaceKind, Precision
from frontwatch.settings import data_dir

log = logging.getLogger(__name__)

# Words with inner apostrophes (Mykil's'ke), but not an English possessive (Kyiv's).
_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ](?![sS]\b)[^\W\d_]+)*")
_JOIN = re.compile(r"[ \t]{1,2}|[-‐]|\n?")  # what may stand between the words of one name
_INITIAL = re.compile(r"(?!St\.)[A-Z][a-z]?\.\s")  # "Yu. Chaika": an initial before a surname
_SOURCE_BEFORE = re.compile(r"(?::|\s[-–—])\s*$")  # "... killed in past day: Kiev", "... - Kiev"
_LINE_END = re.compile(r"\s*(?:\n|$)")
_POSSESSIVE = re.compile(r"['’ʼ]s\s+(\w+)")
_FOLD_DROP = str.maketrans("", "", "'’ʼ`´‘ʹ")
_FOLD_SPACE = re.compile(r"[\s\-‐–—]+")
# The countries of the war: their places are indexed under every spelling; a place elsewhere must be
# written exactly as one of its names (loose keys make "Video" Vedea in Romania otherwise).
THEATRE = frozenset({"UA", "RU", "BY"})


def fold(name: str) -> str:
    """A name compared letter for letter: lower case, no diacritics or apostrophes, one space per gap."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_FOLD_DROP))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _FOLD_SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One occurrence of a gazetteer name in a text, before choosing among its candidates."""

    start: int
    end: int
    surface: str
    candidate_ids: tuple[str, ...]
    # "region", "district", "community", "river", "direction"; not places: "actor" ("Kiev forces", "Kiev
    # says") and "facility" ("Gagarin Stadium": named after, not located at)
    role: str | None = None


@cache
def _matching() -> dict:
    text = resources.files("frontwatch.gazetteer").joinpath("data/matching.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    roles = {word: role for role, words in data["roles"].items() for word in words}
    return {
        "roles": roles,
        "stoplist": frozenset(data["stoplist"]["words"]),
        "actors": frozenset(data["actors"]["words"]),
        "facilities": frozenset(data["facilities"]["words"]),
        "speech": frozenset(data["speech"]["verbs"]),
        "possessed": frozenset(data["speech"]["possessed"]),
        "lowercase_cues": frozenset(data["lowercase_cues"]["words"]),
        "given_names": frozenset(data["given_names"]["words"]),
        "max_tokens": data["max_tokens"],
    }


def default_path() -> Path:
    return data_dir() / f"gazetteer-{index_version()}.sqlite"


def _remove_stale(current: Path) -> None:
    """Indexes of older versions are dead weight once the current one exists."""
    for old in current.parent.glob("gazetteer-*.sqlite"):
        if old != current:
            log.info("removing stale gazetteer index %s", old)
            old.unlink(missing_ok=True)


class Gazetteer:
    """A loaded gazetteer index. Read-only after loading, so one instance can serve many threads."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise GazetteerError(f"gazetteer index {path} not found: run `frontwatch gazetteer build`")
        self.path = path
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                self.meta = dict(conn.execute("SELECT key, value FROM meta"))
                self._entries: dict[str, GazetteerEntry] = {}
                self._points: dict[str, tuple[tuple[float, float], ...]] = {}
                for row in conn.execute("SELECT * FROM entries"):
                    entry = GazetteerEntry(
                        id=row[0],
                        name=row[1],
                        kind=PlaceKind(row[2]),
                        lat=row[3],
                        lon=row[4],
                        precision=Precision(row[5]),
                        country=row[6],
                        admin1=row[7],
                        admin2=row[8],
                        admin3=row[9],
                        population=row[10],
                        geonameid=row[11],
                        katotth=row[12],
                        names=tuple(json.loads(row[13])),
                    )
                    self._entries[entry.id] = entry
                    if row[14]:
                        self._points[entry.id] = tuple((a, b) for a, b in json.loads(row[14]))
                keys: dict[str, list[str]] = {}
                for key, entry_id in conn.execute("SELECT key, entry_id FROM keys"):
                    keys.setdefault(key, []).append(entry_id)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise GazetteerError(f"cannot read gazetteer index {path}: {exc}") from exc
        self._keys = {key: tuple(ids) for key, ids in keys.items()}
        self._folded: dict[str, frozenset[str]] = {}
        # Capitals stand for their governments ("Kiev shelling", "... in past day: Kiev"): a country's
        # entry sits at its capital's point.
        seats = {(e.lat, e.lon) for e in self._entries.values() if e.kind is PlaceKind.COUNTRY}
        self._capitals = frozenset(
            e.id for e in self._entries.values() if e.kind is PlaceKind.CITY and (e.lat, e.lon) in seats
        )
        self._front = front_regions()
        self._max_tokens = min(_matching()["max_tokens"], max(k.count(" ") + 1 for k in self._keys))
        log.info("gazetteer %s: %d entries, %d keys", path.name, len(self._entries), len(self._keys))

    @classmethod
    def open(cls, path: Path) -> Gazetteer:
        return cls(path)

    @classmethod
    def open_default(cls, *, rebuild: bool = False) -> Gazetteer:
        """The embedded index in the data directory, built from the packaged sources on first use."""
        path = default_path()
        if not rebuild and path.exists():
            gazetteer = cls(path)
            # An index built while ../shared was missing lacks the rivers; rebuild once they can be read.
            if gazetteer.has_features or not features_available():
                return gazetteer
            log.warning("rebuilding %s: the rivers and physical features can be read now", path)
        else:
            log.warning("building the gazetteer index %s (first use; takes a few seconds)", path)
        build(path)
        _remove_stale(path)
        return cls(path)

    @classmethod
    def build_default(cls, *, geonames: Sequence[Path] = ()) -> Gazetteer:
        """Rebuild the default index, merging GeoNames country dumps when given."""
        path = build(default_path(), geonames=geonames)
        _remove_stale(path)
        return cls(path)

    @property
    def front_regions(self) -> frozenset[str]:
        return self._front

    @property
    def has_features(self) -> bool:
        """Whether the rivers and physical features of the register went into this index."""
        return any(name.startswith(FEATURES_SOURCE) for name in self.sources)

    @property
    def version(self) -> str:
        return self.meta.get("version", "unknown")

    @property
    def sources(self) -> dict[str, int]:
        return json.loads(self.meta.get("sources", "{}"))

    def kind_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self._entries.values():
            counts[str(entry.kind)] = counts.get(str(entry.kind), 0) + 1
        return counts

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, entry_id: str) -> GazetteerEntry:
        try:
            return self._entries[entry_id]
        except KeyError:
            raise GazetteerError(f"no gazetteer entry {entry_id!r} in {self.path.name}") from None

    def points(self, entry_id: str) -> tuple[tuple[float, float], ...]:
        """Every known point of an entry: several along a long river, else its one point."""
        if entry_id in self._points:
            return self._points[entry_id]
        entry = self.entry(entry_id)
        return ((entry.lat, entry.lon),)

    def candidates(self, name: str) -> tuple[str, ...]:
        return self._keys.get(name_key(name), ())

    def search(self, name: str) -> list[GazetteerEntry]:
        """Entries having `name` in any spelling, the most populous first."""
        found = [self._entries[i] for i in self.candidates(name)]
        return sorted(found, key=lambda e: -(e.population or 0))

    def _exact(self, ids: tuple[str, ...], surface: str) -> tuple[str, ...]:
        """The entries having `surface` letter for letter among their names."""
        want = fold(surface)
        out = []
        for entry_id in ids:
            names = self._folded.get(entry_id)
            if names is None:
                names = self._folded[entry_id] = frozenset(fold(n) for n in self._entries[entry_id].names)
            if want in names:
                out.append(entry_id)
        return tuple(out)

    def _plausible(self, ids: tuple[str, ...], surface: str, *, strict: bool) -> tuple[str, ...]:
        """Candidates a written name can mean: abroad only exact names; `strict` (a sentence's first word,
        a lower-case word): exact names only, and for a lower-case word only in the war's countries."""
        exact = set(self._exact(ids, surface))
        kept = []
        for entry_id in ids:
            abroad = self._entries[entry_id].country not in THEATRE
            if entry_id in exact or not (strict or abroad):
                kept.append(entry_id)
        return tuple(kept)

    def match(self, text: str) -> list[NameMatch]:
        """Every gazetteer name in `text`, longest first, in one pass over its words."""
        config = _matching()
        roles, stoplist = config["roles"], config["stoplist"]
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        keys = [token_key(t[2]) for t in tokens]
        joinable = [
            _JOIN.fullmatch(text, tokens[j][1], tokens[j + 1][0]) is not None for j in range(len(tokens) - 1)
        ]
        lowercase = {t[2] for t in tokens if t[2][:1].islower()}
        matches: list[NameMatch] = []
        i, n = 0, len(tokens)
        cues = config["lowercase_cues"]
        while i < n:
            word = tokens[i][2]
            lower_cued = (
                word[:1].islower()
                and len(word) >= 5
                and i > 0
                and joinable[i - 1]
                and tokens[i - 1][2].lower() in cues
                and word not in stoplist
            )
            if not (word[:1].isupper() or lower_cued) or not keys[i]:
                i += 1
                continue
            found = None
            limit = min(self._max_tokens, n - i)
            for length in range(limit, 0, -1):
                if length > 1 and not all(joinable[i : i + length - 1]):
                    continue
                ids = self._keys.get(" ".join(keys[i : i + length]))
                if ids:
                    found = (length, ids)
                    break
            if found is None:
                i += 1
                continue
            length, ids = found
            last = i + length - 1
            given = config["given_names"]
            after_given = i > 0 and (
                (joinable[i - 1] and tokens[i - 1][2].lower() in given)
                or _INITIAL.fullmatch(text, tokens[i - 1][0], tokens[i][0]) is not None
            )
            if length == 1 and (
                len(keys[i]) < 3
                or word.lower() in stoplist
                or word.lower() in given
                or after_given  # "Oleksandr Hlushko", "Yu. Chaika": a surname
                or (word.isupper() and len(word) <= 4 and not self._shouted(tokens, i))  # KIA, GUR, TOS
                or (word.lower() in lowercase and not lower_cued)
            ):
                i += 1
                continue
            surface = text[tokens[i][0] : tokens[last][1]]
            ids = self._plausible(ids, surface, strict=lower_cued)
            if lower_cued:
                ids = tuple(k for k in ids if self._entries[k].country in THEATRE)
            if not ids:
                i += 1
                continue
            if self._inside_longer_name(text, tokens, i, last, roles):
                i = last + 1
                continue
            role = roles.get(tokens[last][2].lower()) if length > 1 else None
            if role is None and last + 1 < n and joinable[last]:
                role = roles.get(tokens[last + 1][2].lower())
            if role is None and i > 0 and joinable[i - 1] and tokens[i - 1][2].lower() == "river":
                role = "river"
            nxt = tokens[last + 1][2].lower() if last + 1 < n and joinable[last] else ""
            if role is None and nxt in config["facilities"]:
                role = "facility"
            prev = tokens[i - 1][2].lower() if i > 0 else ""
            subject = prev not in cues and nxt in config["speech"]
            possessive = _POSSESSIVE.match(text, tokens[last][1])
            # A capital or a country stands for its government ("Kiev's shelling", "Russia's war"); a town's
            # possessive is what happened to it ("Mariupol's shelling").
            capital = any(k in self._capitals or self._entries[k].kind is PlaceKind.COUNTRY for k in ids)
            begin = tokens[i][0]
            source = (
                _SOURCE_BEFORE.search(text, max(0, begin - 4), begin) is not None
                and _LINE_END.match(text, tokens[last][1]) is not None
            )
            if role is None and (
                (capital and (nxt in config["possessed"] or source))
                or nxt in config["actors"]
                or subject
                or (capital and possessive is not None and possessive.group(1).lower() in config["possessed"])
            ):
                role = "actor"
            start, end = tokens[i][0], tokens[last][1]
            matches.append(NameMatch(start, end, text[start:end], ids, role))
            i = last + 1
        return matches

    @staticmethod
    def _shouted(tokens: list[tuple[int, int, str]], i: int) -> bool:
        """An upper-case word among upper-case words is a headline in capitals, not an acronym."""
        near = [tokens[j][2] for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
        return any(len(w) > 1 and w.isupper() for w in near)

    @staticmethod
    def _inside_longer_name(
        text: str, tokens: list[tuple[int, int, str]], i: int, last: int, roles: dict
    ) -> bool:
        """Savur-Mohyla: a known name that is only part of an unknown hyphenated one."""
        before = tokens[i - 1] if i > 0 else None
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        if before and before[2][:1].isupper() and text[before[1] : tokens[i][0]] in ("-", "‐"):
            return True
        if after is None or not after[2][:1].isupper() or after[2].lower() in roles:
            return False
        # Only a hyphen joins names safely: after a space, "Kharkiv National University" is in Kharkiv.
        return text[tokens[last][1] : after[0]] in ("-", "‐")
