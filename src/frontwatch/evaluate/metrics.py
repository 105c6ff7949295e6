"""Scores: great-circle distance, precision/recall/F1, macro-F1, confusion tables, distance summaries."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# Re-exported: haversine_km is part of the public evaluate API.
from frontwatch.geometry import EARTH_RADIUS_KM as EARTH_RADIUS_KM
from frontwatch.geometry import haversine_km as haversine_km

THRESHOLDS_KM = (10.0, 25.0, 161.0)  # 161 km = 100 miles, the geoparsing literature's "accuracy@161"
NO_EVENT = "(no event)"  # the prediction when the pipeline found no event in the text


def in_range(day: date | None, *, since: date | None, until: date | None) -> bool:
    """Whether a row dated `day` falls in [since, until] (either end open); an undated row only without
    bounds."""
    if since is None and until is None:
        return True
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """How many gold items carry this label."""
        return self.tp + self.fn


def per_label(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, PRF]:
    """Single-label scores per label from (gold, predicted) pairs; None on either side means nothing there."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in pairs:
        if gold is not None and gold == pred:
            tp[gold] += 1
            continue
        if gold is not None:
            fn[gold] += 1
        if pred is not None:
            fp[pred] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    return {label: PRF(tp[label], fp[label], fn[label]) for label in labels}


def macro_f1(scores: dict[str, PRF], *, labels: Sequence[str] | None = None) -> float:
    """Unweighted mean F1 over `labels` (default: the labels that occur in the gold)."""
    chosen = list(labels) if labels is not None else [k for k, v in scores.items() if v.support]
    if not chosen:
        return 0.0
    return sum(scores[k].f1 if k in scores else 0.0 for k in chosen) / len(chosen)


def micro(scores: dict[str, PRF]) -> PRF:
    """All labels pooled."""
    return PRF(
        sum(s.tp for s in scores.values()),
        sum(s.fp for s in scores.values()),
        sum(s.fn for s in scores.values()),
    )


def confusion(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Counts of (gold, predicted) pairs."""
    return Counter(pairs)


@dataclass(frozen=True, slots=True)
class DistanceSummary:
    """Location accuracy over n gold rows; a row without a point of ours misses at every threshold."""

    n: int
    placed: int  # rows where we gave a point
    within: tuple[tuple[float, int], ...]  # (threshold km, rows within it)
    median_km: float | None  # over the placed rows

    def share(self, threshold: float) -> float:
        count = dict(self.within)[threshold]
        return count / self.n if self.n else 0.0


def distance_summary(
    distances: Iterable[float | None], *, thresholds: Sequence[float] = THRESHOLDS_KM
) -> DistanceSummary:
    values = list(distances)
    placed = [d for d in values if d is not None]
    within = tuple((t, sum(1 for d in placed if d <= t)) for t in thresholds)
    median = statistics.median(placed) if placed else None
    return DistanceSummary(n=len(values), placed=len(placed), within=within, median_km=median)
