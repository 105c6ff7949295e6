"""The gazetteer: an index of places built from GeoNames, KATOTTH and the physical-geography register."""

from frontwatch.gazetteer.index import Gazetteer, NameMatch
from frontwatch.model import GazetteerEntry

__all__ = ["Gazetteer", "GazetteerEntry", "NameMatch"]
