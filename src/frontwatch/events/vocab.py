"""The vocabularies of extraction, loaded once from the TOML files beside this module."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _words(fragments: list[str]) -> str:
    """One alternation of regex fragments, longest first so that "Russian troops" beats "Russian"."""
    return "|".join(f"(?:{f})" for f in sorted(fragments, key=len, reverse=True))


def _bounded(fragments: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{_words(fragments)})(?![\w-])", flags)


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
    trigger_re: re.Pattern[str]  # one named group per type, ordered by priority
    actors: dict[str, ActorEntry]
    actor_re: re.Pattern[str]  # one named group per actor
    weapons: dict[str, WeaponEntry]
    weapon_re: re.Pattern[str]
    cues: dict[str, Any]
    hoped_re: re.Pattern[str]
    denied_re: re.Pattern[str]
    unnamed_re: re.Pattern[str]
    attribution_verb: str  # regex alternation of attribution verbs
    org_roles: tuple[tuple[re.Pattern[str], str], ...]
    role_word_re: re.Pattern[str]
    earlier_re: re.Pattern[str]
    consequence_re: re.Pattern[str]
    numbers: dict[str, int]


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads((HERE / name).read_text(encoding="utf-8"))


def _event_types(raw: dict[str, Any]) -> dict[str, EventType]:
    return {
        key: EventType(
            key=key,
            description=t["description"],
            event_type=t["event_type"],
            sub_event_type=t["sub_event_type"],
            triggers=tuple(t["triggers"]),
            examples=tuple(t.get("examples", ())),
            priority=int(t.get("priority", 1)),
            aspect=t.get("aspect", "ongoing"),
            both_sides=bool(t.get("both_sides", False)),
            control=t.get("control"),
            default_control_to=t.get("default_control_to"),
            needs_object_place=bool(t.get("needs_object_place", False)),
            modality=t.get("modality"),
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
    trigger_re = re.compile(
        "|".join(rf"(?<![\w-])(?P<{t.key}>{_words(list(t.triggers))})(?![\w-])" for t in ordered), re.IGNORECASE
    )
    ac = _load("actors.toml")
    actors = {
        key: ActorEntry(key, a["name"], a.get("side"), a["description"], tuple(a["aliases"]), tuple(a.get("examples", ())))
        for key, a in ac["actors"].items()
    }
    # All aliases of all actors in one alternation, longest first, each tagged with its actor key.
    tagged = sorted(((alias, key) for key, a in actors.items() for alias in a.aliases), key=lambda p: -len(p[0]))
    actor_re = re.compile(
        "|".join(rf"(?<![\w-])(?P<a{i}__{key}>{alias})(?![\w-])" for i, (alias, key) in enumerate(tagged)),
        re.IGNORECASE,
    )
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
    wtagged = sorted(((alias, key) for key, w in weapons.items() for alias in w.aliases), key=lambda p: -len(p[0]))
    weapon_re = re.compile(
        "|".join(rf"(?<![\w-])(?P<w{i}__{_safe(key)}>{alias})(?![\w-])" for i, (alias, key) in enumerate(wtagged)),
        re.IGNORECASE,
    )
    cues = _load("cues.toml")
    att = cues["attribution"]
    return Vocabulary(
        version=et["version"],
        types=types,
        control_change={k: v for k, v in et["control_change"].items() if k != "description"},
        trigger_re=trigger_re,
        actors=actors,
        actor_re=actor_re,
        weapons=weapons,
        weapon_re=weapon_re,
        cues=cues,
        hoped_re=_bounded(cues["modality"]["hoped"]["cues"]),
        denied_re=_bounded(cues["modality"]["denied"]["cues"]),
        unnamed_re=_bounded(cues["modality"]["unnamed"]["cues"]),
        attribution_verb=_words(att["verbs"]),
        org_roles=tuple(
            (re.compile(rf"\b{k}\b", re.IGNORECASE), v) for k, v in att["roles"].items() if k != "description"
        ),
        role_word_re=re.compile(rf"^(?:the\s+)?(?:{_words(att['role_words']['words'])})\b", re.IGNORECASE),
        earlier_re=_bounded(cues["dates"]["earlier"]),
        consequence_re=re.compile(rf"^\W*(?:{_words(cues['dates']['consequence'])})", re.IGNORECASE),
        numbers={k: int(v) for k, v in cues["numbers"].items() if k != "description"},
    )


def _safe(key: str) -> str:
    """Catalogue keys may start with a digit ("2s4_tyulpan"); group names may not."""
    return "k" + key


def group_key(group: str) -> str:
    """The vocabulary key encoded in a tagged group name ("a12__russian_forces" → "russian_forces")."""
    key = group.split("__", 1)[1]
    return key[1:] if group.startswith("w") else key
