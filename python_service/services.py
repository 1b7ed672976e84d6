"""The service objects one app uses, built once per process from the settings."""
from __future__ import annotations

import time
from typing import Callable

from . import __version__
from .charts import Charts
from .exchange_info import ExchangeInfo
from .extensions import cache
from .fallback import FallbackData
from .flight import LocalFlight, RedisFlight
from .futures import Futures
from .last_known_good import LastKnownGood
from .market import MarketData
from .provenance import iso_utc
from .settings import Settings
from .sourcing import Provider
from .upstream import Upstream
from .upstream.budget import WeightBudget
from .upstream.retry import RetryPolicy
from .upstream.state import StatePolicy, UpstreamState
from .upstream.store import MemoryStore, RedisStore


class Services:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings, self.clock = settings, clock
        self.started_at = clock()
        retry = RetryPolicy(attempts=settings.max_attempts, sleep=sleep,
                            total_s=settings.max_attempts * settings.timeout_s + 5)
        self.store, flight = self._shared(settings, clock, wait_s=retry.total_s + 5)
        state = UpstreamState(self.store, StatePolicy(settings.restriction_cooldown_s, settings.breaker_threshold,
                                                      settings.breaker_cooldown_s), clock)
        budget = WeightBudget(self.store, limit=settings.weight_limit_1m, ceiling_ratio=settings.weight_budget_ratio,
                              clock=clock)
        self.upstream = Upstream(settings, state, budget, retry, clock)
        self.provider = Provider(cache, flight, clock)
        self.fallback = FallbackData(settings.fallback_data_dir)
        self.market = MarketData(self.upstream, self.provider, LastKnownGood(settings.last_known_good_dir, clock),
                                 self.fallback, settings.prices_ttl_s, settings.ticker_ttl_s)
        self.charts = Charts(self.upstream, self.provider, settings)
        self.exchange_info = ExchangeInfo(self.upstream, self.provider, self.fallback, settings.exchange_info_ttl_s)
        self.futures = Futures(self.upstream, self.provider, self.fallback, settings)

    @staticmethod
    def _shared(settings: Settings, clock, wait_s: float):
        """Redis when configured (every worker and host shares), else this process's memory."""
        if not settings.cache_redis_url:
            return MemoryStore(clock), LocalFlight(wait_s)
        import redis

        client = redis.Redis.from_url(settings.cache_redis_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisStore(client, clock=clock), RedisFlight(client, wait_s=wait_s, lease_s=wait_s)

    def cache_config(self) -> dict:
        if self.settings.cache_redis_url:
            return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.settings.cache_redis_url,
                    "CACHE_KEY_PREFIX": "gateway:cache:",
                    "CACHE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}}
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}

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
            "futures_weight": self.upstream.futures_budget.snapshot(),
            "clock_offset_ms": self.upstream.clock_offset_ms,
            "fallback": {name: {**info, "as_of": iso_utc(info["as_of"])}
                         for name, info in self.fallback.describe().items()},
        }


def _iso_times(snapshot: dict) -> dict:
    shown = dict(snapshot)
    for key in ("since", "until", "last_success"):
        if shown.get(key):
            shown[key] = iso_utc(shown[key])
    if shown.get("last_error"):
        shown["last_error"] = {**shown["last_error"], "at": iso_utc(shown["last_error"]["at"])}
    return shown
