"""A small thread-safe least-recently-used cache, shared by the caches of the app."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A mapping that keeps the ``size`` most recently used entries; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value of ``key`` (now the most recently used), or None."""
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[K]) -> list[V | None]:
        """The values of ``keys`` in order (None where absent), all now recently used."""
        with self._lock:
            out = [self._items.get(k) for k in keys]
            for k, v in zip(keys, out, strict=True):
                if v is not None:
                    self._items.move_to_end(k)
            return out

    def put(self, key: K, value: V) -> None:
        """Store one value."""
        self.put_many([(key, value)])

    def put_many(self, pairs: Iterable[tuple[K, V]]) -> None:
        """Store values, dropping the least recently used beyond ``size``."""
        with self._lock:
            for k, v in pairs:
                self._items[k] = v
                self._items.move_to_end(k)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
