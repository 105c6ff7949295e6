"""The vocabularies of extraction, loaded once from the TOML files beside this module."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from frontwatch.errors import InputError

HERE = Path(__file__).parent


def _words(fragments: list[str]) -> str:
    """One alternation of regex fragments, longest first so that "Russian troops" beats "Russian"."""
    return "|".join(f"(?:{f})" for f in sorted(fragments, key=len, reverse=True))


def _structure(f: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of a regex fragment's characters from `start`,
    skipping escapes and [...] classes."""
    depth, i, in_class = 0, start, False
    while i < len(f):
        c = f[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        else:
            depth += (c == "(") - (c == ")")
            yield i, c, depth
        i += 1


def _close(f: str, start: int) -> int | None:
    """Index of the parenthesis closing the group opened at f[start]."""
    return next((i for i, c, depth in _structure(f, start) if c == ")" and depth == 0), None)


def _top_level(fragment: str) -> Iterator[tuple[int, str]]:
    """(index, character) of a regex fragment's characters outside any group, class or escape."""
    return ((i, c) for i, c, depth in _structure(fragment) if depth == 0 and c not in "()")


def _split_top(f: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    out, last = [], 0
    for i, c in _top_level(f):
        if c == "|":
            out.append(f[last:i])
            last = i + 1
    return [*out, f[last:]]


def first_chars(f: str) -> set[str] | None:
    """The letters or digits a fragment can start with, or None when that is not plain to see."""
    if not f:
        return None
    if f[0].isalnum():
        return {f[0]} if f[1:2] not in ("?", "*", "{") else None
    if not f.startswith("(?:"):
        return None
    end = _close(f, 0)
    if end is None:
        return None
    rest = f[end + 1 :]
    optional = rest[:1] in ("?", "*")
    after = rest[1:] if optional or rest[:1] == "+" else rest
    found: set[str] = set()
    for alt in _split_top(f[3:end]):
        chars = first_chars(alt) if alt else first_chars(after)
        if chars is None:
            return None
        found |= chars
    if optional:
        more = first_chars(after)
        if more is None:
            return None
        found |= more
    return found


def words(fragment: str) -> int:
    """How many words a fragment spells out at its top level (spaces outside any group, plus one)."""
    return 1 + sum(c == " " for _, c in _top_level(fragment))


def trie(fragments: list[str], *, key: Callable[[str], Any] = len) -> str:
    """An alternation bucketed by first character behind a lookahead: `re` tries one bucket, not all.

    Within a bucket the fragments are tried in descending `key` (longest first by default), since
    `re` takes the first alternative that matches, not the longest. A fragment starting with a group
    ("(?:dead|deceased) civilian") goes into the bucket of every letter it can start with.
    """
    buckets: dict[str, list[str]] = {}
    other: list[str] = []
    for f in sorted(fragments, key=key, reverse=True):
        firsts = first_chars(f)
        if firsts:
            for first in sorted(firsts):
                buckets.setdefault(first, []).append(f)
        else:
            other.append(f)
    parts = [f"(?={re.escape(c)})(?:{'|'.join(f'(?:{f})' for f in fs)})" for c, fs in sorted(buckets.items())]
    parts += [f"(?:{f})" for f in other]
    return "|".join(parts)


def _bounded(fragments: list[str]) -> re.Pattern[str]:
    """Cue words for the lower-cased text."""
    return re.compile(rf"\b(?:{trie(_lower(fragments))})(?![\w-])")


@dataclass(frozen=True, slots=True)
class EventType:
    key: str
    description: str
    event_type: str
    sub_event_type: str
    triggers: tuple[str, ...]
    examples: tuple[str, ...]
    priority: int
    aspect: str  # "ongoing" or "completed"
    both_sides: bool
    control: str | None  # "agent" for control changes
    default_control_to: str | None
    needs_object_place: bool
    modality: str | None
    consequence: bool
    yields_to: tuple[str, ...]  # ACLED event types or fw type keys
    max_words: int | None
    caption_only: bool  # the trigger counts only in a caption (a title or a one-sentence paragraph)
    overrides: tuple[str, ...]  # fw type keys this type sets aside in the same sentence
    toll: bool  # a count of dead and wounded: told right after an event, it belongs to that event
    by_means: tuple[str, ...] = ()  # fw types this generic type becomes when its sentence names their means
    needs_armed_actor: bool = (
        False  # outside a caption, only with an armed side named in or before the sentence
    )
    weak_re: re.Pattern[str] | None = None  # the triggers of the type that need an armed side (same rule)
    party_report: bool = False  # told by a warring side's command or ministry, it is that side's claim
    needs_own_place: bool = False  # outside a caption, only where its own sentence names a scene


@dataclass(frozen=True, slots=True)
class ActorEntry:
    key: str
    name: str
    side: str | None
    description: str
    aliases: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeaponEntry:
    key: str
    canonical: str
    weapon_class: str
    calibre_mm: float | None
    description: str
    aliases: tuple[str, ...]
    generic: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    version: str
    types: dict[str, EventType]
    control_change: dict[str, str]
    trigger_re: re.Pattern[str]  # every trigger, on lower-cased text
    plain_re: re.Pattern[str]  # the triggers that count in any sentence
    caption_re: re.Pattern[str]  # the triggers that count only in captions (scanned there only: faster)
    trigger_type: tuple[tuple[re.Pattern[str], str], ...]  # surface → type key, by priority
    actors: dict[str, ActorEntry]
    actor_re: re.Pattern[str]  # every alias, on lower-cased text
    actor_entry: tuple[tuple[re.Pattern[str], str], ...]  # surface → actor key
    weapons: dict[str, WeaponEntry]
    weapon_re: re.Pattern[str]  # on lower-cased text
    weapon_entry: tuple[tuple[re.Pattern[str], str], ...]  # surface → catalogue key, specific entries first
    cues: dict[str, Any]
    hoped_re: re.Pattern[str]
    denied_re: re.Pattern[str]
    unnamed_re: re.Pattern[str]
    claimed_re: re.Pattern[str]
    attribution_verb: str  # regex alternation of attribution verbs
    org_roles: tuple[tuple[re.Pattern[str], str], ...]
    role_word_re: re.Pattern[str]
    role_words: str  # regex alternation of role words
    org_noun_re: re.Pattern[str]
    earlier_re: re.Pattern[str]
    consequence_re: re.Pattern[str]
    numbers: dict[str, int]
    means: tuple[tuple[str, re.Pattern[str]], ...]  # fw type → its means, in the order tried
    background_re: re.Pattern[str]  # a sentence telling no one incident
    aggregate_re: re.Pattern[str]
    party_roles: frozenset[str]  # claimant roles that speak for a warring side
    own_success_re: re.Pattern[str]  # a side's success: told by that side, a claim
    memo: dict[str, dict[str, str | None]] = field(default_factory=dict)  # surface → entry, per table


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads((HERE / name).read_text(encoding="utf-8"))


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def expand(fragment: str, patterns: dict[str, str]) -> str:
    """A trigger with its named sub-patterns ("{military_equipment}") written out."""
    return _PLACEHOLDER.sub(lambda m: f"(?:{patterns[m.group(1)]})", fragment)


def _patterns(raw: dict[str, Any]) -> dict[str, str]:
    patterns: dict[str, str] = {}
    for k, v in raw.get("patterns", {}).items():  # a pattern may use those defined before it
        patterns[k] = expand(v["pattern"], patterns)
    return patterns


def _specificity(raw: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    """Lower-cased expanded trigger → (words, priority, length) of the trigger as written: at a position
    the more specific trigger is tried first ("dead civilian" before "dead"), then the type of higher
    priority, whatever the sub-patterns expand to."""
    patterns = _patterns(raw)
    return {
        _lower([expand(f, patterns)])[0]: (words(f), int(t.get("priority", 1)), len(f))
        for t in raw["types"].values()
        for f in t["triggers"]
    }


# Every key an event type may have (event_types.toml's header documents each): a misspelt key is an
# error, not a rule silently ignored.
TYPE_KEYS = frozenset(
    {
        "description", "event_type", "sub_event_type", "triggers", "examples", "priority", "aspect",
        "both_sides", "control", "default_control_to", "needs_object_place", "modality", "consequence",
        "yields_to", "max_words", "caption_only", "overrides", "toll", "by_means", "needs_armed_actor",
        "weak", "party_report", "needs_own_place",
    }
)  # fmt: skip


def _event_types(raw: dict[str, Any]) -> dict[str, EventType]:
    patterns = _patterns(raw)
    for key, t in raw["types"].items():
        unknown = sorted(set(t) - TYPE_KEYS)
        if unknown:
            raise InputError(
                str(HERE / "event_types.toml"), f"[types.{key}] has unknown keys: {', '.join(unknown)}"
            )
    unknown_means = sorted(
        k
        for k, m in raw.get("means", {}).items()
        if k not in raw["types"] or set(m) - {"description", "terms"}
    )
    if unknown_means:
        raise InputError(
            str(HERE / "event_types.toml"), f"[means] names no type or has unknown keys: {unknown_means}"
        )
    return {
        key: EventType(
            key=key,
            description=t["description"],
            event_type=t["event_type"],
            sub_event_type=t["sub_event_type"],
            triggers=tuple(expand(f, patterns) for f in t["triggers"]),
            examples=tuple(t.get("examples", ())),
            priority=int(t.get("priority", 1)),
            aspect=t.get("aspect", "ongoing"),
            both_sides=bool(t.get("both_sides", False)),
            control=t.get("control"),
            default_control_to=t.get("default_control_to"),
            needs_object_place=bool(t.get("needs_object_place", False)),
            modality=t.get("modality"),
            consequence=bool(t.get("consequence", False)),
            yields_to=tuple(t.get("yields_to", ())),
            max_words=t.get("max_words"),
            caption_only=bool(t.get("caption_only", False)),
            overrides=tuple(t.get("overrides", ())),
            toll=bool(t.get("toll", False)),
            by_means=tuple(t.get("by_means", ())),
            needs_armed_actor=bool(t.get("needs_armed_actor", False)),
            party_report=bool(t.get("party_report", False)),
            needs_own_place=bool(t.get("needs_own_place", False)),
            weak_re=re.compile(rf"(?:{_words(_lower(t['weak']))})$") if t.get("weak") else None,
        )
        for key, t in raw["types"].items()
    }


@cache
def vocabulary() -> Vocabulary:
    """Every vocabulary, compiled once per process."""
    et = _load("event_types.toml")
    types = _event_types(et)
    # Higher priority first: at one position the more specific type wins the alternation.
    ordered = sorted(types.values(), key=lambda t: -t.priority)
    # Matched against the lower-cased text: case-insensitive `re` is several times slower.
    # Within each first-character bucket the most specific trigger is tried first (_specificity);
    # the type of the matched surface is found afterwards, trying types by priority.
    specific = _specificity(et)

    def alternation(kinds: list[EventType]) -> re.Pattern[str]:
        fragments = [f for t in kinds for f in _lower(t.triggers)]
        ordered_by = trie(fragments, key=lambda f: specific.get(f, (1, 1, len(f))))
        return re.compile(rf"\b(?:{ordered_by})(?![\w-])")

    trigger_re = alternation(ordered)
    plain_re = alternation([t for t in ordered if not t.caption_only])
    caption_re = alternation([t for t in ordered if t.caption_only])
    trigger_type = tuple((re.compile(rf"(?:{_words(_lower(t.triggers))})"), t.key) for t in ordered)
    ac = _load("actors.toml")
    actors = {
        key: ActorEntry(
            key, a["name"], a.get("side"), a["description"], tuple(a["aliases"]), tuple(a.get("examples", ()))
        )
        for key, a in ac["actors"].items()
    }
    # One group per actor, on the lower-cased text; the first actor to match at a position wins.
    actor_re = re.compile(rf"\b(?:{trie([f for a in actors.values() for f in _lower(a.aliases)])})(?![\w-])")
    actor_entry = tuple((re.compile(rf"(?:{_words(_lower(a.aliases))})"), key) for key, a in actors.items())
    wp = _load("weapons.toml")
    weapons = {
        key: WeaponEntry(
            key,
            w["canonical"],
            w["class"],
            float(w["calibre_mm"]) if "calibre_mm" in w else None,
            w["description"],
            tuple(dict.fromkeys([re.escape(w["canonical"]), *w["aliases"]])),
            bool(w.get("generic", False)),
        )
        for key, w in wp["weapons"].items()
    }
    # Without groups (many groups slow `re` down); which entry matched is found afterwards.
    weapon_re = re.compile(
        rf"\b(?:{trie(_lower([a for w in weapons.values() for a in w.aliases]))})(?![\w-])"
    )
    weapon_entry = tuple(
        (re.compile(rf"(?:{_words(_lower(list(w.aliases)))})"), key)
        for key, w in sorted(weapons.items(), key=lambda kv: kv[1].generic)
    )
    cues = _load("cues.toml")
    att = cues["attribution"]
    return Vocabulary(
        version=et["version"],
        types=types,
        control_change={k: v for k, v in et["control_change"].items() if k != "description"},
        trigger_re=trigger_re,
        plain_re=plain_re,
        caption_re=caption_re,
        trigger_type=trigger_type,
        actors=actors,
        actor_re=actor_re,
        actor_entry=actor_entry,
        weapons=weapons,
        weapon_re=weapon_re,
        weapon_entry=weapon_entry,
        cues=cues,
        hoped_re=_bounded(cues["modality"]["hoped"]["cues"]),
        denied_re=_bounded(cues["modality"]["denied"]["cues"]),
        unnamed_re=_bounded(cues["modality"]["unnamed"]["cues"]),
        claimed_re=_bounded(cues["modality"]["claimed"]["cues"]),
        attribution_verb=_words(att["verbs"]),
        org_roles=tuple(
            (re.compile(rf"\b{k}\b", re.IGNORECASE), v) for k, v in att["roles"].items() if k != "description"
        ),
        role_word_re=re.compile(
            rf"^(?:(?:the|an?)\s+)?(?:{_words(att['role_words']['words'])})\b", re.IGNORECASE
        ),
        role_words=_words(att["role_words"]["words"]),
        org_noun_re=re.compile(rf"\b(?:{_words(att['org_nouns']['words'])})\b"),
        earlier_re=_bounded(cues["dates"]["earlier"]),
        consequence_re=re.compile(rf"^\W*(?:{_words(cues['dates']['consequence'])})", re.IGNORECASE),
        numbers={k: int(v) for k, v in cues["numbers"].items() if k != "description"},
        means=tuple((k, _bounded(m["terms"])) for k, m in et["means"].items()),
        background_re=_bounded(cues["incident"]["background"]["cues"]),
        party_roles=frozenset(att["party_roles"]["roles"]),
        own_success_re=_bounded(cues["modality"]["own_success"]["cues"]),
        aggregate_re=_bounded(
            cues["incident"]["aggregate"]["cues"] + cues["incident"]["no_incident"]["cues"]
        ),
    )


def _lower(fragments: list[str] | tuple[str, ...]) -> list[str]:
    """Fragments for the lower-cased text; escapes (\\b, \\d) and named groups (?P<...>) keep their case."""
    return [
        re.sub(r"(\\.|\(\?P[<=][^>)]*[>)]?)|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), f)
        for f in fragments
    ]


def _key(
    table: tuple[tuple[re.Pattern[str], str], ...], memo: dict[str, str | None], surface: str
) -> str | None:
    """The first entry whose pattern spells out the surface; remembered, as surfaces recur."""
    if surface not in memo:
        if len(memo) > _MEMO_SIZE:
            memo.clear()
        memo[surface] = next((key for rx, key in table if rx.fullmatch(surface)), None)
    return memo[surface]


_MEMO_SIZE = 50_000


def trigger_key(v: Vocabulary, surface: str) -> str | None:
    return _key(v.trigger_type, v.memo.setdefault("trigger", {}), surface)


def actor_key(v: Vocabulary, surface: str) -> str | None:
    return _key(v.actor_entry, v.memo.setdefault("actor", {}), surface)


def weapon_key(v: Vocabulary, surface: str) -> str | None:
    return _key(v.weapon_entry, v.memo.setdefault("weapon", {}), surface)
