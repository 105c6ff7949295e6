"""A small in-process cache of answers that holds only while the store's events stay unchanged."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class GenerationCache(Generic[V]):
    """Up to ``size`` values, dropped all at once when the events' generation (a store counter) moves.

    Every process (uvicorn worker) keeps its own; the generation lives in the store, so a save made by
    any process (`frontwatch watch`, `ingest`, POST /articles) invalidates them all.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._generation: int | None = None
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, generation: int, key: Hashable) -> V | None:
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._generation = generation
                return None
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, generation: int, key: Hashable, value: V) -> None:
        """Keep ``value``, computed from the store as it was at ``generation``."""
        with self._lock:
            if generation != self._generation:
                return  # the events changed while it was computed: do not keep an old answer
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
