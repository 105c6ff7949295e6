"""The result of scoring one gold set: figures, tables and the misses, ready for the CLI to print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from frontwatch.evaluate.metrics import PRF, DistanceSummary, macro_f1, micro
from frontwatch.model import Article, ExtractedArticle

Analyse = Callable[[Article], ExtractedArticle]  # the pipeline with its gazetteer bound
Progress = Callable[[int], None]  # called with the number of rows just done


@dataclass(frozen=True, slots=True)
class Miss:
    """One scored row we got wrong, with what --errors shows."""

    set_name: str
    row_id: str
    aspect: str  # "place", "type", "date", "sides", "event"
    text: str
    gold: str  # gold label or place name
    ours: str  # our label or place name ("-" when none)
    gold_point: tuple[float, float] | None = None
    our_point: tuple[float, float] | None = None
    distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Ratio:
    """A count of correct rows out of scored rows."""

    correct: int
    n: int

    @property
    def share(self) -> float:
        return self.correct / self.n if self.n else 0.0


@dataclass(slots=True)
class SetReport:
    name: str
    rows: int
    geo: dict[str, DistanceSummary] = field(default_factory=dict)  # subset label → location accuracy
    type_scores: dict[str, PRF] = field(default_factory=dict)
    type_labels: tuple[str, ...] = ()  # the labels macro-F1 averages over
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    ratios: dict[str, Ratio] = field(default_factory=dict)  # date accuracy, sides, places found, ...
    counts: Counter[str] = field(default_factory=Counter)  # how the point was chosen, rows skipped, ...
    misses: list[Miss] = field(default_factory=list)

    @property
    def macro_f1(self) -> float | None:
        if not self.type_labels:
            return None
        return macro_f1(self.type_scores, labels=self.type_labels)

    def to_json(self, *, errors: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"set": self.name, "rows": self.rows}
        out["location"] = {
            label: {
                "n": s.n,
                "placed": s.placed,
                **{f"within_{t:g}km": round(s.share(t), 4) for t, _ in s.within},
                "median_km": None if s.median_km is None else round(s.median_km, 2),
            }
            for label, s in self.geo.items()
        }
        if self.type_scores:
            pooled = micro({k: v for k, v in self.type_scores.items() if k in self.type_labels})
            out["types"] = {
                "macro_f1": round(self.macro_f1 or 0.0, 4),
                "micro_f1": round(pooled.f1, 4),
                "labels": list(self.type_labels),
                "per_type": {
                    k: {
                        "precision": round(v.precision, 4),
                        "recall": round(v.recall, 4),
                        "f1": round(v.f1, 4),
                        "tp": v.tp,
                        "fp": v.fp,
                        "fn": v.fn,
                    }
                    for k, v in self.type_scores.items()
                },
                "confusion": [
                    {"gold": g, "predicted": p, "n": n} for (g, p), n in sorted(self.confusion.items())
                ],
            }
        out["ratios"] = {
            k: {"correct": r.correct, "n": r.n, "share": round(r.share, 4)} for k, r in self.ratios.items()
        }
        out["counts"] = dict(self.counts)
        if errors:
            out["misses"] = [
                {
                    "row_id": m.row_id,
                    "aspect": m.aspect,
                    "text": m.text,
                    "gold": m.gold,
                    "ours": m.ours,
                    "gold_point": m.gold_point,
                    "our_point": m.our_point,
                    "distance_km": None if m.distance_km is None else round(m.distance_km, 1),
                }
                for m in self.misses
            ]
        return out
