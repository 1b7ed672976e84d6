"""The service objects one app uses, built once per process from the settings."""
from __future__ import annotations

import time
from typing import Callable

from . import __version__
from .market import MarketData
from .provenance import iso_utc
from .settings import Settings
from .sourcing import Provider
from .upstream import Upstream
from .upstream.budget import WeightBudget
from .upstream.retry import RetryPolicy
from .upstream.state import StatePolicy, UpstreamState
from .upstream.store import MemoryStore


class Services:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings, self.clock = settings, clock
        self.started_at = clock()
        self.store = MemoryStore(clock)
        state = UpstreamState(self.store, StatePolicy(restriction_cooldown_s=settings.restriction_cooldown_s), clock)
        budget = WeightBudget(self.store, clock=clock)
        retry = RetryPolicy(attempts=settings.max_attempts, sleep=sleep,
                            total_s=settings.max_attempts * settings.timeout_s + 5)
        self.upstream = Upstream(settings, state, budget, retry, clock)
        self.market = MarketData(self.upstream, Provider(clock))

    def status(self) -> dict:
        """What /api/status shows: only what is known locally, never a call to Binance."""
        now = self.clock()
        return {
            "service": "binance-gateway",
            "version": __version__,
            "started_at": iso_utc(self.started_at),
            "uptime_s": round(now - self.started_at, 3),
            "upstream": {**self.upstream.describe(), **_iso_times(self.upstream.state.snapshot())},
            "cache": {"backend": self.store.name},
            "weight": self.upstream.budget.snapshot(),
            "clock_offset_ms": self.upstream.clock_offset_ms,
        }


def _iso_times(snapshot: dict) -> dict:
    shown = dict(snapshot)
    for key in ("since", "until", "last_success"):
        if shown.get(key):
            shown[key] = iso_utc(shown[key])
    if shown.get("last_error"):
        shown["last_error"] = {**shown["last_error"], "at": iso_utc(shown["last_error"]["at"])}
    return shown
