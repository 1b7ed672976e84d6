"""Binance's request-weight limit (6000 per minute per IP) as a budget we never
overspend: our own spend plus what Binance reports in X-MBX-USED-WEIGHT-1M."""
from __future__ import annotations

import time
from typing import Callable, Optional

from .errors import HeldBack, State


class WeightBudget:
    def __init__(self, store, limit: int = 6000, ceiling_ratio: float = 0.8,
                 clock: Callable[[], float] = time.time, prefix: str = "weight"):
        self.store, self.limit, self.clock, self.prefix = store, limit, clock, prefix
        self.ceiling = int(limit * ceiling_ratio)

    def _keys(self):
        minute = int(self.clock() // 60)
        return f"{self.prefix}:spent:{minute}", f"{self.prefix}:reported:{minute}"

    def used(self) -> int:
        spent_key, reported_key = self._keys()
        return max(self.store.get(spent_key) or 0, self.store.get(reported_key) or 0)

    def reserve(self, weight: int) -> None:
        """Counts `weight` as spent, or raises HeldBack if it would pass the ceiling."""
        spent_key, reported_key = self._keys()
        spent = self.store.incr(spent_key, weight, ttl=120)
        reported = self.store.get(reported_key) or 0
        if max(spent, reported + weight) > self.ceiling:
            self.store.incr(spent_key, -weight, ttl=120)
            raise HeldBack(f"request weight budget for this minute is spent ({self.ceiling} of {self.limit})",
                           State.OK, retry_after=60 - self.clock() % 60)

    def observe(self, reported: Optional[int]) -> None:
        """Records Binance's own count (it includes other users of this IP)."""
        if reported is None:
            return
        _, reported_key = self._keys()
        if reported > (self.store.get(reported_key) or 0):
            self.store.set(reported_key, reported, ttl=120)

    def snapshot(self) -> dict:
        spent_key, reported_key = self._keys()
        return {"used_1m": self.used(), "spent_1m": self.store.get(spent_key) or 0,
                "reported_1m": self.store.get(reported_key) or 0,
                "ceiling_1m": self.ceiling, "limit_1m": self.limit}
