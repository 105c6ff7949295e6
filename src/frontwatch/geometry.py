"""Distances on the Earth: the one place that knows its radius and the length of a degree."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # one degree of latitude (or of longitude on the equator)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def min_cos_lat(lat: float, margin: float) -> float:
    """The smallest cos(latitude) within `margin` degrees of `lat` (at least 0.01, near the poles):
    a distance in degrees of latitude divided by it covers that distance in longitude."""
    return max(math.cos(math.radians(min(abs(lat) + margin, 89.0))), 0.01)


def equirectangular_km(lat: np.ndarray, lon: np.ndarray, alat: np.ndarray, alon: np.ndarray) -> np.ndarray:
    """Distances in km (points × anchors, all in radians): exact enough at a region's scale, and fast."""
    dlat = lat[:, None] - alat[None, :]
    dlon = (lon[:, None] - alon[None, :]) * np.cos((lat[:, None] + alat[None, :]) / 2)
    return EARTH_RADIUS_KM * np.hypot(dlat, dlon)


def mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The plain mean of (lat, lon) points: for centres of small areas, far from the antimeridian."""
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
