"""The GraphQL parse and validation caches are bounded by the size of what they keep."""

from __future__ import annotations

from api.graphql.caches import SizedLRU


def test_least_recently_used_entries_go_first_once_the_budget_is_spent() -> None:
    cache = SizedLRU(budget=100)
    cache.put("a", 40, "A")
    cache.put("b", 40, "B")
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", 40, "C")  # 120 > 100: b, the least recent, goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert cache.used == 80 and len(cache) == 2


def test_many_distinct_large_entries_never_exceed_the_budget() -> None:
    cache = SizedLRU(budget=1_000)
    for i in range(10_000):
        cache.put(f"query {i}", 300, object())
        assert cache.used <= 1_000
    assert len(cache) == 3
