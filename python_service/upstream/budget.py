"""Binance's request-weight limit (6000 per minute per IP for spot) as a budget we
never overspend: our own spend, and what Binance reports in X-MBX-USED-WEIGHT-1M plus
what we have sent that no report can include yet (requests still in flight)."""
from __future__ import annotations

import time
from collections.abc import Callable

from .errors import HeldBack, State

TTL_S = 120


class WeightBudget:
    def __init__(self, store, limit: int = 6000, ceiling_ratio: float = 0.8,
                 clock: Callable[[], float] = time.time, prefix: str = "weight"):
        self.store, self.limit, self.clock, self.prefix = store, limit, clock, prefix
        self.ceiling = int(limit * ceiling_ratio)

    def _keys(self, minute: int | None = None):
        minute = int(self.clock() // 60) if minute is None else minute
        return (f"{self.prefix}:spent:{minute}", f"{self.prefix}:reported:{minute}",
                f"{self.prefix}:in_flight:{minute}")

    def used(self) -> int:
        spent_key, reported_key, in_flight_key = self._keys()
        return max(self.store.get(spent_key) or 0,
                   (self.store.get(reported_key) or 0) + max(0, self.store.get(in_flight_key) or 0))

    def reserve(self, weight: int) -> int:
        """Counts `weight` as spent and in flight, or raises HeldBack if it would pass the ceiling.
        Returns the ticket to `settle` once the answer (or the failure) is in."""
        minute = int(self.clock() // 60)
        spent_key, reported_key, in_flight_key = self._keys(minute)
        in_flight = self.store.incr(in_flight_key, weight, ttl=TTL_S)
        spent = self.store.incr(spent_key, weight, ttl=TTL_S)
        reported = self.store.get(reported_key) or 0
        if max(spent, reported + in_flight) > self.ceiling:
            self.store.incr(spent_key, -weight, ttl=TTL_S)
            self.store.incr(in_flight_key, -weight, ttl=TTL_S)
            raise HeldBack(f"request weight budget for this minute is spent ({self.ceiling} of {self.limit})",
                           State.OK, retry_after=60 - self.clock() % 60)
        return minute

    def settle(self, weight: int, ticket: int) -> None:
        """The request reserved with `ticket` is answered: Binance's reports include it from now on."""
        self.store.incr(self._keys(ticket)[2], -weight, ttl=TTL_S)

    def observe(self, reported: int | None) -> None:
        """Records Binance's own count (it includes other users of this IP)."""
        if reported is None:
            return
        reported_key = self._keys()[1]
        if reported > (self.store.get(reported_key) or 0):
            self.store.set(reported_key, reported, ttl=TTL_S)

    def snapshot(self) -> dict:
        spent_key, reported_key, in_flight_key = self._keys()
        return {"used_1m": self.used(), "spent_1m": self.store.get(spent_key) or 0,
                "reported_1m": self.store.get(reported_key) or 0,
                "in_flight_1m": max(0, self.store.get(in_flight_key) or 0),
                "ceiling_1m": self.ceiling, "limit_1m": self.limit}
