"""What resolution reads and keeps per article: the weights and word lists of resolve_context.toml, the
count of steps taken (`Work`), and the article's index of entities and lines (`Layout`)."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from frontwatch.model import (
    AnnotatedArticle,
    PlaceKind,
)

NOT_PLACE_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
SETTLEMENTS = (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.VILLAGE)


@dataclass(frozen=True, slots=True)
class Scoring:
    """The resolution weights, from resolve_context.toml's [scoring] and [chain] (each explained there)."""

    population_weight: float
    population_floor: int
    exact_point_bonus: float
    role_bonus: float
    front_prior: float
    region_bonus: float
    proximity_weight: float
    proximity_km: float
    proximity_cap: float
    ambiguous_anchor_weight: float
    max_anchors: int
    own_name_bonus: float
    iterations: int
    runners_up: int
    kind_prior: dict[PlaceKind, float]
    country_prior: dict[str, float]
    max_chain: int
    max_scan: int
    former_raion_km: float
    oblast_centre_population: int


@functools.cache
def context_data() -> dict:
    text = resources.files("frontwatch").joinpath("resolve_context.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def scoring() -> Scoring:
    data = context_data()
    weights, chain = dict(data["scoring"]), data["chain"]
    kind_prior = {PlaceKind(k): float(v) for k, v in weights.pop("kind_prior").items()}
    country_prior = {k: float(v) for k, v in weights.pop("country_prior").items()}
    return Scoring(**weights, **chain, kind_prior=kind_prior, country_prior=country_prior)


@dataclass(slots=True)
class Work:
    """Counts of the steps resolution took: pass one to `resolve` to see that the cost stays linear."""

    unit_checks: int = 0  # units looked at after a name (chains)
    entity_checks: int = 0  # annotated entities compared with a name
    candidate_anchor_pairs: int = 0  # candidate points scored against anchor points
    # names placed by approximate matching: (start, end, surface, chosen candidates), for measuring it
    approximate: list[tuple[int, int, str, tuple[str, ...]]] = field(default_factory=list)


@functools.cache
def context_pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    regions = {name: tuple(r) for name, r in context_data()["regions"].items()}
    names = sorted((re.escape(n) for n in regions), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(names) + r")\b"), regions


def context_names(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Where the article names regions through its parties and areas (DPR, Donbas), and those regions."""
    pattern, regions = context_pattern()
    return [(m.start(), m.end(), regions[m.group()]) for m in pattern.finditer(text)]


class Layout:
    """What resolution looks up around each name, indexed once per article so each look-up is cheap:
    the non-place entities (by start, with the running maximum of their ends to bisect on) and the line
    breaks, and the parties and areas that stand for regions (`context_names`)."""

    def __init__(self, annotated: AnnotatedArticle, work: Work) -> None:
        self.text = annotated.article.text
        self.work = work
        self.blocked = sorted(
            (e.start_char, e.end_char, e.label) for e in annotated.entities if e.label in NOT_PLACE_ENTITIES
        )
        self._ends = list(itertools.accumulate((e for _, e, _ in self.blocked), max))
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        self.context = context_names(self.text)

    def entities_over(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The blocked entities overlapping [start, end)."""
        out = []
        for k in range(bisect.bisect_right(self._ends, start), len(self.blocked)):
            self.work.entity_checks += 1
            s, e, label = self.blocked[k]
            if s >= end:
                break
            if s < end and start < e:
                out.append((s, e, label))
        return out

    def line(self, start: int, end: int) -> str:
        """The whole line holding [start, end)."""
        k = bisect.bisect_left(self._newlines, start)
        line_start = self._newlines[k - 1] + 1 if k else 0
        j = bisect.bisect_left(self._newlines, end)
        line_end = self._newlines[j] if j < len(self._newlines) else len(self.text)
        return self.text[line_start:line_end]
