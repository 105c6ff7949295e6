"""Scoring FrontWatch against gold data in ../shared/eval: the seed report, Bellingcat/CIR, UCDP GED, news.

One module per gold set (seed, bellingcat, ucdp, news), each with `load_rows`/`load_gold` and `evaluate`;
`metrics` holds the arithmetic; `predict` says which event and point of an article are scored.
"""

from __future__ import annotations

from frontwatch.evaluate.metrics import PRF, DistanceSummary, haversine_km, macro_f1, per_label
from frontwatch.evaluate.predict import Prediction, predict
from frontwatch.evaluate.report import Miss, Ratio, SetReport

__all__ = [
    "PRF",
    "DistanceSummary",
    "Miss",
    "Prediction",
    "Ratio",
    "SetReport",
    "haversine_km",
    "macro_f1",
    "per_label",
    "predict",
]
