"""The shared least-recently-used cache."""

from __future__ import annotations

import threading

from app.lru import LRU


def test_keeps_the_most_recently_used_entries() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)  # drops "b"
    assert cache.get_many(["a", "b", "c"]) == [1, None, 3] and len(cache) == 2
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0


def test_is_safe_across_threads() -> None:
    cache: LRU[int, int] = LRU(50)

    def work(offset: int) -> None:
        for i in range(2000):
            cache.put_many([(offset + i % 80, i)])
            cache.get_many([offset + (i * 7) % 80, offset])

    threads = [threading.Thread(target=work, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50
