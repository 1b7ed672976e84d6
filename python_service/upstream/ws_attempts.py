"""Websocket connection attempts to Binance, counted for the whole deployment: Binance allows
300 per 5 minutes per IP, and every worker and host of the gateway shares the store (the host's
file, or Redis), so the count is the deployment's. Counted first and refused past the limit, so
racing workers can never go over it together (the count of a refused one is taken back)."""
from __future__ import annotations

import time
from collections.abc import Callable

BUCKET_S = 60.0
WINDOW_BUCKETS = 5  # Binance's window: 5 minutes


class ConnectAttempts:
    def __init__(self, store, limit: int, clock: Callable[[], float] = time.time, prefix: str = "ws_attempts:"):
        self.store, self.limit, self.clock, self.prefix = store, limit, clock, prefix

    def take(self) -> float:
        """0.0 when an attempt may be made now (it is counted); else the seconds to wait."""
        now = self.clock()
        bucket = int(now // BUCKET_S)
        mine = self.store.incr(f"{self.prefix}{bucket}", 1, ttl=BUCKET_S * (WINDOW_BUCKETS + 1))
        before = sum(self.store.get(f"{self.prefix}{b}") or 0 for b in range(bucket - WINDOW_BUCKETS + 1, bucket))
        if before + mine <= self.limit:
            return 0.0
        self.store.incr(f"{self.prefix}{bucket}", -1, ttl=BUCKET_S * (WINDOW_BUCKETS + 1))
        return BUCKET_S - now % BUCKET_S + 0.01

    def used(self) -> int:
        bucket = int(self.clock() // BUCKET_S)
        return sum(self.store.get(f"{self.prefix}{b}") or 0 for b in range(bucket - WINDOW_BUCKETS + 1, bucket + 1))
