"""The gazetteer as used at run time: entries by id, name search, and one-pass name matching in text."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from frontwatch.errors import GazetteerError
from frontwatch.gazetteer.admin import front_regions
from frontwatch.gazetteer.build import FEATURES_SOURCE, build, features_available, index_version
from frontwatch.gazetteer.fuzzy import allowed_edits, edit_distance
from frontwatch.gazetteer.keys import name_key, token_key
from frontwatch.model import GazetteerEntry, PlaceKind, Precision
from frontwatch.settings import data_dir

log = logging.getLogger(__name__)

# Words with inner apostrophes (Mykil's'ke), but not an English possessive (Kyiv's).
_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ](?![sS]\b)[^\W\d_]+)*")
# What may stand between the words of one name: one or two blanks, a hyphen, a line break or nothing.
_JOINS = frozenset({"", "\n", "-", "‐"} | {a + b for a in ("", " ", "\t") for b in (" ", "\t")})
_INITIAL = re.compile(r"(?!St\.)[A-Z][a-z]?\.\s")  # "Yu. Chaika": an initial before a surname
_SOURCE_BEFORE = re.compile(r"(?::|\s[-–—])\s*$")  # "... killed in past day: Kiev", "... - Kiev"
_LINE_END = re.compile(r"\s*(?:\n|$)")
_POSSESSIVE = re.compile(r"['’ʼ]s\s+(\w+)")
_FOLD_DROP = str.maketrans("", "", "'’ʼ`´‘ʹ")
_FOLD_SPACE = re.compile(r"[\s\-‐–—]+")
# "Kharkiv, Sumy and Chernihiv regions": the names of a list share the plural role word after its last.
_LIST_TAIL = re.compile(
    r"(?:\s*,\s*[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?)*\s*,?\s+and\s+[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?\s+([a-z]+)\b"
)
_LIST_REACH = 160  # characters a list tail may span, so the look-ahead stays bounded per name
PLURAL_ROLES = {
    "regions": "region",
    "oblasts": "region",
    "districts": "district",
    "raions": "district",
    "communities": "community",
}
SETTLEMENT_KINDS = (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE)
NEAR_MISS_CACHE = 4096  # approximate look-ups remembered (a text repeating a misspelt name pays once)
_OPEN_QUOTE = re.compile("[\"“«'‘]")
_CLOSE_QUOTE = re.compile("[\"”»'’]")
_THING_AFTER = re.compile(r"[\"”»'’]?[ \t]+([A-Za-z]+)")  # the word after a name (past its closing quote)
_THING_BEFORE = re.compile(r"([A-Za-z]+)[ \t]+$")  # the word before a name's opening quote
# "... complex in Kharkiv" (a town: not "... school in the Donetsk region")
_THEN_IN_TOWN = re.compile(
    r"(?:[ \t]+[a-z]+)?[ \t]+(?:in|at)[ \t]+[A-Z][\w'’-]*\b"
    r"(?![ \t]+(?:region|oblast|district|raion|province))"
)
# The countries of the war: their places are indexed under every spelling; a place elsewhere must be
# written exactly as one of its names (loose keys make "Video" Vedea in Romania otherwise).
THEATRE = frozenset({"UA", "RU", "BY"})


def fold(name: str) -> str:
    """A name compared letter for letter: lower case, no diacritics or apostrophes, one space per gap."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_FOLD_DROP))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _FOLD_SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65_536)
def _fold_surface(surface: str) -> str:
    """fold() of a name as written in a text: texts repeat their names, so each is folded once."""
    return fold(surface)


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
        "things": frozenset(data["things"]["words"]),
        "always_things": frozenset(data["things"]["always"]),
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
        # For approximate look-ups, built when first needed: the settlements of each region (entry ids in
        # index order), then per region its (first letter → (folded name, entry id)) table, and the
        # regions' own folded names.
        self._settlements: dict[str, list[str]] | None = None
        self._by_region: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._region_names: list[tuple[str, frozenset[str]]] | None = None
        self._near_misses: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}  # approximate look-ups done
        # Capitals and countries stand for their governments ("Kiev shelling", "... in past day: Kiev"): a
        # country's entry sits at its capital's point.
        countries = [e for e in self._entries.values() if e.kind is PlaceKind.COUNTRY]
        seats = {(e.lat, e.lon) for e in countries}
        self._governments = frozenset(
            [e.id for e in self._entries.values() if e.kind is PlaceKind.CITY and (e.lat, e.lon) in seats]
            + [e.id for e in countries]
        )
        self._front = front_regions()
        self._max_tokens = min(_matching()["max_tokens"], max(k.count(" ") + 1 for k in self._keys))
        # The most words of a name of several words opening with each word's key: most capitalised words
        # open none, so the matcher tries no longer spans for them.
        self._longest: dict[str, int] = {}
        for key in self._keys:
            if " " in key:
                first, _, rest = key.partition(" ")
                words = rest.count(" ") + 2
                if words > self._longest.get(first, 0):
                    self._longest[first] = words
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

    def entries(self) -> Iterator[GazetteerEntry]:
        """Every entry, in index order."""
        return iter(self._entries.values())

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

    def _names_in(self, region: str) -> dict[str, list[tuple[str, str]]]:
        """The folded Latin names of a region's settlements by first letter: only the regions an
        approximate look-up asks for are folded (each once), so the first look-up costs little."""
        if self._settlements is None:
            settlements: dict[str, list[str]] = {}
            for entry in self._entries.values():
                if entry.admin1 and entry.kind in SETTLEMENT_KINDS and entry.country in THEATRE:
                    settlements.setdefault(entry.admin1, []).append(entry.id)
            self._settlements = settlements
        names = self._by_region.get(region)
        if names is None:
            names = {}
            for entry_id in self._settlements.get(region, ()):
                written = self._entries[entry_id].names
                for name in sorted({fold(n) for n in written if n.isascii() and n.strip()}):
                    names.setdefault(name[0], []).append((name, entry_id))
            self._by_region[region] = names
        return names

    def approximate(self, surface: str, *, regions: frozenset[str]) -> tuple[str, ...]:
        """Settlements in `regions` with a name a few edits from `surface` (a typo, an unseen spelling): the
        closest ones, sharing the first letter; none for short names. Callers must have context for it."""
        want = fold(surface)
        done = self._near_misses.get((want, regions))
        if done is not None:
            return done
        if len(self._near_misses) >= NEAR_MISS_CACHE:
            self._near_misses.clear()
        result = self._near_misses[(want, regions)] = self._approximate(want, regions)
        return result

    def _approximate(self, want: str, regions: frozenset[str]) -> tuple[str, ...]:
        limit = allowed_edits(want.replace(" ", ""))
        if not limit:
            return ()
        best, found = limit + 1, []
        for region in sorted(regions):
            for name, entry_id in self._names_in(region).get(want[:1], ()):
                if abs(len(name) - len(want)) > limit:
                    continue
                distance = edit_distance(want, name, min(limit, best))
                if distance < best:
                    best, found = distance, [entry_id]
                elif distance == best and entry_id not in found:
                    found.append(entry_id)
        return tuple(found) if best <= limit else ()

    def is_common_word(self, word: str) -> bool:
        """A word the matcher never takes alone for a place: a stop word or a given name."""
        config = _matching()
        return word.lower() in config["stoplist"] or word.lower() in config["given_names"]

    def approximate_region(self, word: str) -> tuple[str, ...]:
        """First-level regions whose name is a few edits from `word` ("Donestk", "Luhanks")."""
        want = fold(word)
        limit = allowed_edits(want)
        if not limit:
            return ()
        if self._region_names is None:
            # "Donetsk Oblast", "Donetsk region": the region's own name is the words before the unit word
            self._region_names = [
                (e.id, frozenset(fold(n).rsplit(" ", 1)[0] if " " in n else fold(n) for n in e.names))
                for e in self._entries.values()
                if e.kind is PlaceKind.ADMIN1
            ]
        found = []
        for entry_id, bare in self._region_names:
            if any(n[:1] == want[:1] and edit_distance(want, n, limit) <= limit for n in bare):
                found.append(entry_id)
        return tuple(found)

    def _exact(self, ids: tuple[str, ...], surface: str) -> tuple[str, ...]:
        """The entries having `surface` letter for letter among their names."""
        want = _fold_surface(surface)
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
        joinable = [text[tokens[j][1] : tokens[j + 1][0]] in _JOINS for j in range(len(tokens) - 1)]
        lowercase = {t[2] for t in tokens if t[2][:1].islower()}
        matches: list[NameMatch] = []
        n = len(tokens)
        cues = config["lowercase_cues"]
        # The words a name may open: a capitalised one, or a long lower-case one right after a cue ("in
        # bakhmut"); the others are passed over. `resume`: the first word no match has taken yet.
        opening = [
            i
            for i, (_, _, word) in enumerate(tokens)
            if keys[i]
            and (
                word[:1].isupper()
                or (
                    word[:1].islower()
                    and len(word) >= 5
                    and i > 0
                    and joinable[i - 1]
                    and tokens[i - 1][2].lower() in cues
                    and word not in stoplist
                )
            )
        ]
        resume = 0
        for i in opening:
            if i < resume:
                continue
            word = tokens[i][2]
            lower_cued = word[:1].islower()
            found = None
            longest = self._longest.get(keys[i]) or (1 if keys[i] in self._keys else 0)
            limit = min(self._max_tokens, longest, n - i)
            reach = 1  # words from i on that may form one name
            while reach < limit and joinable[i + reach - 1]:
                reach += 1
            for length in range(min(limit, reach), 0, -1):
                ids = self._keys.get(" ".join(keys[i : i + length]))
                if ids:
                    found = (length, ids)
                    break
            if found is None:
                misspelt = self._misspelt_region(text, tokens, joinable, i, roles, stoplist)
                if misspelt is not None:
                    matches.append(misspelt)
                    resume = i + 2
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
                continue
            surface = text[tokens[i][0] : tokens[last][1]]
            ids = self._plausible(ids, surface, strict=lower_cued)
            if lower_cued:
                ids = tuple(k for k in ids if self._entries[k].country in THEATRE)
            if not ids:
                continue
            if self._inside_longer_name(text, tokens, i, last, roles):
                resume = last + 1
                continue
            role = roles.get(tokens[last][2].lower()) if length > 1 else None
            if role is None and last + 1 < n and joinable[last]:
                role = roles.get(tokens[last + 1][2].lower())
            if role is None and i > 0 and joinable[i - 1] and tokens[i - 1][2].lower() == "river":
                role = "river"
            if role is None and i > 2 and all(joinable[i - 3 : i]) and tokens[i - 1][2] == "of":
                # "the region of Donetsk" (not "the Vostochny district of Mariupol": there "the" is farther)
                before = roles.get(tokens[i - 2][2].lower()) if tokens[i - 3][2].lower() == "the" else None
                role = before if before in ("region", "district", "community") else None
            if role is None:
                role = self._list_role(text, tokens[last][1])
            nxt = tokens[last + 1][2].lower() if last + 1 < n and joinable[last] else ""
            if role is None and self._names_a_thing(text, tokens, i, last, ids, config):
                role = "facility"
            if role is None and nxt in config["facilities"]:
                role = "facility"
            prev = tokens[i - 1][2].lower() if i > 0 else ""
            subject = prev not in cues and nxt in config["speech"]
            possessive = _POSSESSIVE.match(text, tokens[last][1])
            # A capital or a country stands for its government ("Kiev's shelling", "Russia's war"); a town's
            # possessive is what happened to it ("Mariupol's shelling").
            capital = not self._governments.isdisjoint(ids)
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
            resume = last + 1
        return matches

    def _misspelt_region(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        joinable: list[bool],
        i: int,
        roles: dict,
        stoplist: frozenset[str],
    ) -> NameMatch | None:
        """An unknown capitalised word before "region"/"oblast" a few edits from a region's name."""
        word = tokens[i][2]
        if i + 1 >= len(tokens) or not joinable[i] or not word[:1].isupper() or word.lower() in stoplist:
            return None
        if roles.get(tokens[i + 1][2].lower()) != "region":
            return None
        ids = self.approximate_region(word)
        if not ids:
            return None
        start, end = tokens[i][0], tokens[i + 1][1]
        return NameMatch(start, end, text[start:end], ids, "region")

    def _names_a_thing(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        i: int,
        last: int,
        ids: tuple[str, ...],
        config: dict,
    ) -> bool:
        """A name given to a business or a building, not the place where it is: "Nova Poshta", the "Ukraina"
        theatre, the Druzhba sports complex in Kharkiv."""
        start, end = tokens[i][0], tokens[last][1]
        quoted = (
            _OPEN_QUOTE.match(text, max(0, start - 1), start) is not None
            and _CLOSE_QUOTE.match(text, end) is not None
        )
        things = config["things"]
        after = _THING_AFTER.match(text, end)
        before = _THING_BEFORE.search(text, max(0, start - 31), max(0, start - 1))
        word = after.group(1).lower() if after is not None else ""
        if quoted and (word in things or (before is not None and before.group(1).lower() in things)):
            return True
        if after is None or word not in things or after.group(0)[:1] in "\"'»”’":
            return False
        return word in config["always_things"] or _THEN_IN_TOWN.match(text, after.end()) is not None

    @staticmethod
    def _list_role(text: str, end: int) -> str | None:
        """The plural role word closing a list the name opens: "Donetsk and Luhansk regions" → region."""
        tail = _LIST_TAIL.match(text[end : end + _LIST_REACH])
        return PLURAL_ROLES.get(tail.group(1)) if tail else None

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
