"""Wiring in one place: builds the object graph from the settings. The app
factory calls `build`; scripts call `build_upstream`, so a script and the
service can never disagree about how Binance is reached."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import stores
from .observability import metrics
from .services.account import Account
from .services.exchange import Exchange
from .services.futures import Futures
from .services.mirror import Mirror
from .services.order_gate import OrderGate
from .services.placement import Placement
from .services.price_push import PricePush
from .services.risk import Prices, Risk
from .services.spot import Spot
from .services.status import Status
from .services.stream_mirror import StreamMirror
from .services.trading import Trading
from .services.user_data import UserDataStreams
from .settings import Settings
from .sourcing.audit_log import AuditLog
from .sourcing.fallback import FallbackData
from .sourcing.last_known_good import LastKnownGood
from .sourcing.order_journal import OrderJournal
from .sourcing.provider import LastResort, Provider
from .stores import MemoryStore, Storage
from .streams import Streams, relay_on, share_on
from .streams.listen_keys import ListenKeys
from .upstream import Lane, Market, Upstream
from .upstream.attempts import Attempts
from .upstream.budget import WeightBudget
from .upstream.retry import RetryPolicy
from .upstream.sdk import build_client
from .upstream.shares import ClientShares
from .upstream.state import StatePolicy, UpstreamState
from .upstream.ws_attempts import ConnectAttempts


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
    stream_mirror: StreamMirror
    risk: Risk
    audit: AuditLog
    user_data: UserDataStreams


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
    return Upstream(settings, build_client(settings), lanes, Attempts(retry_policy(settings, sleep), **hooks), clock)


def _lane(settings: Settings, state: UpstreamState, store, clock, limit: int, prefix: str) -> Lane:
    """One market: its weight budget, and each client's fair share of it."""
    budget = WeightBudget(store, limit, settings.weight_budget_ratio, clock, prefix=prefix)
    shares = ClientShares(store, budget.ceiling, settings.client_weight_share, settings.price_reserve_ratio,
                          clock, prefix=prefix)
    return Lane(state, budget, shares)


def build(settings: Settings, cache, storage: Storage, clock: Callable[[], float] = time.time,
          sleep: Callable[[float], None] = time.sleep) -> Services:
    """Everything one app uses, built once per process. `cache` is the app's flask-caching Cache,
    `storage` where the shared state lives (`storage_for`)."""
    upstream = build_upstream(settings, storage.store, clock, sleep, observed=True)
    # connection attempts to Binance's websockets on the real clock: Binance's window is real time
    attempts = ConnectAttempts(storage.store, settings.stream_attempts_5m)
    streams = Streams(settings, upstream, share=share_on(storage, clock) if settings.streams_enabled else None,
                      clock=clock, attempts=attempts, relay=relay_on(storage) if settings.streams_enabled else None,
                      mirror_hooks={"on_subscriptions": metrics.count_mirror_subscriptions,
                                    "on_drop": metrics.count_mirror_drop},
                      listen_keys=ListenKeys(storage.store, settings.listen_key_ttl_s, clock))  # every worker's
    # While the store's circuit is open, the cache (flask-caching on the same Redis) is skipped too.
    provider = Provider(cache, storage.flight, clock, max_bytes=settings.cache_max_bytes,
                        on_lookup=metrics.count_cache_lookup, cache_usable=storage.circuit.usable,
                        on_cache_error=storage.circuit.failed)
    fallback = FallbackData(settings.fallback_data_dir)
    last_known_good = LastKnownGood(settings.last_known_good_dir, clock)
    last_resort = LastResort(last_known_good, fallback)
    spot = Spot(upstream, provider, last_known_good, last_resort, settings, streams)
    push = PricePush(spot, streams, settings, on_count=metrics.count_stream_subscribers)
    exchange = Exchange(upstream, provider, last_resort, spot, settings)
    futures = Futures(upstream, provider, last_resort, settings, streams)
    audit = AuditLog(settings.audit_log_path, clock)
    risk = Risk(settings, storage.store, Prices(spot, futures, exchange), audit, clock)
    gate = OrderGate(risk, audit)
    stream_mirror = StreamMirror(streams, settings, on_count=metrics.count_mirror_connections)
    return Services(
        settings=settings, clock=clock, sleep=sleep, upstream=upstream, provider=provider, spot=spot,
        futures=futures, exchange=exchange, streams=streams, push=push, stream_mirror=stream_mirror,
        account=Account(upstream, provider, settings, Prices(spot, futures, exchange), streams),
        risk=risk, audit=audit,
        status=Status(upstream, storage.store, fallback, clock, started_at=clock(), streams=streams, push=push,
                      workers=settings.gunicorn_workers(), stream_mirror=stream_mirror),
        trading=Trading(upstream, exchange, spot, Placement(upstream, OrderJournal(settings.order_journal_path)),
                        settings, futures, gate),
        mirror=Mirror(upstream, provider, spot, futures, exchange, settings, gate, clock),
        user_data=UserDataStreams(settings, upstream, streams.listen_keys),
    )


def host_shared(settings: Settings) -> bool:
    """No Redis, several workers (gunicorn made HOST_STORE_DIR): they share the host store."""
    return bool(settings.host_store_dir) and not settings.cache_redis_url and settings.gunicorn_workers() > 1


def storage_for(settings: Settings, clock: Callable[[], float] = time.time) -> Storage:
    """The one choice of where shared state lives: Redis when configured (every worker and host
    shares; the host's file keeps bans while Redis is away), else the host's file when several
    workers run, else this process's memory."""
    wait_s = retry_policy(settings).total_s + 5  # how long a caller waits for a refresh under way
    if settings.cache_redis_url:
        return stores.on_redis(settings.cache_redis_url, clock, wait_s, settings.redis_retry_s,
                               settings.host_store_dir)
    if host_shared(settings):
        return stores.on_host(settings.host_store_dir, clock, wait_s, settings.cache_max_bytes)
    return stores.in_memory(clock, wait_s, settings.cache_max_bytes)
