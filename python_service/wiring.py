"""Wiring in one place: builds the object graph from the settings. The app
factory calls `build`; scripts call `build_upstream`, so a script and the
service can never disagree about how Binance is reached."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from .observability import metrics
from .services.account import Account
from .services.exchange import Exchange
from .services.futures import Futures
from .services.mirror import Mirror
from .services.placement import Placement
from .services.price_push import PricePush
from .services.spot import Spot
from .services.status import Status
from .services.trading import Trading
from .settings import Settings
from .sourcing.fallback import FallbackData
from .sourcing.journal import Journal
from .sourcing.last_known_good import LastKnownGood
from .sourcing.provider import LastResort, Provider
from .sourcing.single_flight import HostFlight, LocalFlight, RedisFlight
from .sourcing.streams import Streams
from .upstream import Lane, Market, Upstream
from .upstream.budget import WeightBudget
from .upstream.client import build_client
from .upstream.clients import ClientShares
from .upstream.retry import RetryPolicy
from .upstream.state import StatePolicy, UpstreamState
from .upstream.host_store import HostStore
from .upstream.store import Circuit, MemoryStore, RedisStore

REDIS_TIMEOUT_S = 2


@dataclass
class Services:
    """What the routes reach through `current_app.extensions["services"]`."""
    settings: Settings
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    upstream: Upstream
    provider: Provider
    spot: Spot
    futures: Futures
    exchange: Exchange
    account: Account
    status: Status
    trading: Trading
    mirror: Mirror
    streams: Streams
    push: PricePush


def retry_policy(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> RetryPolicy:
    return RetryPolicy(attempts=settings.max_attempts, sleep=sleep,
                       total_s=settings.max_attempts * settings.timeout_s + 5)


def build_upstream(settings: Settings, store=None, clock: Callable[[], float] = time.time,
                   sleep: Callable[[float], None] = time.sleep, observed: bool = False) -> Upstream:
    """The one way to Binance: a state and a weight budget per market (a futures ban does
    not stop spot, and the reverse), retries, the SDK client."""
    store = store if store is not None else MemoryStore(clock)  # not `or`: an empty store is falsy (len 0)
    policy = StatePolicy(settings.restriction_cooldown_s, settings.breaker_threshold, settings.breaker_cooldown_s,
                         settings.firewall_backoff_s)
    limits = {Market.SPOT: (settings.weight_limit_1m, "weight"),
              Market.FUTURES: (settings.futures_weight_limit_1m, "fweight")}
    lanes = {market: _lane(settings, UpstreamState(store, policy, clock, prefix=f"upstream:{market.value}:"),
                           store, clock, limit, prefix)
             for market, (limit, prefix) in limits.items()}
    hooks: dict[str, Any] = {"on_attempt": metrics.count_upstream_attempt,
                             "on_retry": metrics.count_upstream_retry} if observed else {}
    return Upstream(settings, build_client(settings), lanes, retry_policy(settings, sleep), clock, **hooks)


def _lane(settings: Settings, state: UpstreamState, store, clock, limit: int, prefix: str) -> Lane:
    """One market: its weight budget, and each client's fair share of it."""
    budget = WeightBudget(store, limit, settings.weight_budget_ratio, clock, prefix=prefix)
    shares = ClientShares(store, budget.ceiling, settings.client_weight_share, settings.price_reserve_ratio,
                          clock, prefix=prefix)
    return Lane(state, budget, shares)


def build(settings: Settings, cache, clock: Callable[[], float] = time.time,
          sleep: Callable[[float], None] = time.sleep) -> Services:
    """Everything one app uses, built once per process. `cache` is the app's flask-caching Cache."""
    wait_s = retry_policy(settings).total_s + 5
    store, flight, circuit = _shared(settings, clock, wait_s)
    upstream = build_upstream(settings, store, clock, sleep, observed=True)
    streams = build_streams(settings, upstream)
    # While the store's circuit is open, the cache (flask-caching on the same Redis) is skipped too.
    provider = Provider(cache, flight, clock, max_bytes=settings.cache_max_bytes, on_lookup=metrics.count_cache_lookup,
                        cache_usable=circuit.usable, on_cache_error=circuit.failed)
    fallback = FallbackData(settings.fallback_data_dir)
    last_known_good = LastKnownGood(settings.last_known_good_dir, clock)
    last_resort = LastResort(last_known_good, fallback)
    spot = Spot(upstream, provider, last_known_good, last_resort, settings, streams)
    push = PricePush(spot, streams, settings, on_count=metrics.count_stream_subscribers)
    exchange = Exchange(upstream, provider, last_resort, spot, settings)
    futures = Futures(upstream, provider, last_resort, settings, streams)
    return Services(
        settings=settings, clock=clock, sleep=sleep, upstream=upstream, provider=provider, spot=spot,
        futures=futures, exchange=exchange, streams=streams, push=push,
        account=Account(upstream, provider, settings),
        status=Status(upstream, store, fallback, clock, started_at=clock(), streams=streams, push=push,
                      workers=settings.gunicorn_workers()),
        trading=Trading(upstream, exchange, spot, Placement(upstream, Journal(settings.order_journal_path)), settings,
                        futures),
        mirror=Mirror(upstream, provider, spot, futures, exchange, settings, clock),
    )


def build_streams(settings: Settings, upstream: Upstream) -> Streams:
    """Binance's websocket streams; nothing connects until `start()` (gunicorn's
    post_worker_init, or the first request that asks)."""
    share = None
    if settings.cache_redis_url and settings.streams_enabled:
        import redis

        from .sourcing.stream_share import RedisShare

        share = RedisShare(redis.Redis.from_url(settings.cache_redis_url, socket_timeout=REDIS_TIMEOUT_S,
                                                socket_connect_timeout=REDIS_TIMEOUT_S))
    elif host_shared(settings) and settings.streams_enabled:
        from .sourcing.stream_share_host import HostShare

        share = HostShare(HostStore(settings.host_store_dir))
    return Streams(settings, upstream, share=share)


def host_shared(settings: Settings) -> bool:
    """No Redis, several workers (gunicorn made HOST_STORE_DIR): they share the host store."""
    return bool(settings.host_store_dir) and not settings.cache_redis_url and settings.gunicorn_workers() > 1


def _shared(settings: Settings, clock, wait_s: float):
    """Redis when configured (every worker and host shares), else the host store when several
    workers run, else this process's memory. One circuit per process: after a Redis failure,
    store, single flight and cache all leave Redis alone for REDIS_RETRY_S, so a silent Redis
    costs one timeout, not one per call. Meanwhile the host store (when there is one) holds
    the state: a ban any worker of this host knew is obeyed by all of them."""
    circuit = Circuit(settings.redis_retry_s)
    if host_shared(settings):
        host = HostStore(settings.host_store_dir, clock)
        return host, HostFlight(host, wait_s=wait_s, lease_s=wait_s), circuit
    if not settings.cache_redis_url:
        return MemoryStore(clock), LocalFlight(wait_s), circuit
    import redis

    client = redis.Redis.from_url(settings.cache_redis_url, socket_timeout=REDIS_TIMEOUT_S,
                                  socket_connect_timeout=REDIS_TIMEOUT_S)
    backup = HostStore(settings.host_store_dir, clock) if settings.host_store_dir else None
    return (RedisStore(client, clock=clock, circuit=circuit, backup=backup),
            RedisFlight(client, wait_s=wait_s, lease_s=wait_s, usable=circuit.usable, on_error=circuit.failed),
            circuit)


def cache_config(settings: Settings) -> dict:
    """flask-caching's settings: Redis when configured, else the host store's file when several
    workers share it, else this process's memory."""
    if settings.cache_redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.cache_redis_url,
                "CACHE_KEY_PREFIX": "gateway:cache:",
                "CACHE_OPTIONS": {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S}}
    if host_shared(settings):
        return {"CACHE_TYPE": "python_service.cache_backend.HostCache", "CACHE_DIR": settings.host_store_dir,
                "CACHE_THRESHOLD": 2000, "CACHE_MAX_BYTES": settings.cache_max_bytes}
    return {"CACHE_TYPE": "python_service.cache_backend.ByteBoundedCache", "CACHE_THRESHOLD": 2000,
            "CACHE_MAX_BYTES": settings.cache_max_bytes}
