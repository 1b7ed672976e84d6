"""Where the state the gateway shares lives, chosen once (wiring.py) and handed out in pieces:

- this process's memory: one worker;
- the host's SQLite file (host.py): several workers of one host, no Redis;
- Redis: every worker of every host; the host's file (when there is one) keeps a copy of
  the bans for the moments Redis is away.

Each gives the same pieces: the key-value store (upstream state, weight budget, leases),
single flight, flask-caching's settings for the cache, one circuit around Redis, and
what a stream share is built on (the host store or the Redis client)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .circuit import Circuit
from .flight import HostFlight, LocalFlight, RedisFlight, SingleFlightTimeout
from .host import HostStore
from .memory import MemoryStore
from .redis import RedisStore

__all__ = ["Storage", "in_memory", "on_host", "on_redis", "Circuit", "MemoryStore", "HostStore", "RedisStore",
           "LocalFlight", "HostFlight", "RedisFlight", "SingleFlightTimeout"]

REDIS_TIMEOUT_S = 2
CACHE_KEYS = 2000  # entries the embedded caches keep at most (they are bounded by bytes too)


@dataclass(frozen=True)
class Storage:
    kind: str  # "memory", "host" or "redis": shown in /api/status
    store: Any  # MemoryStore, HostStore or RedisStore: the same operations
    flight: LocalFlight
    cache_config: dict  # flask-caching's settings
    circuit: Circuit  # after a Redis failure, the store, single flight and cache all leave Redis alone a while
    host: HostStore | None = None  # the host's file, when there is one
    redis: Any | None = None  # the Redis client, with Redis


def in_memory(clock: Callable[[], float], wait_s: float, cache_max_bytes: int) -> Storage:
    """One worker: its own memory."""
    cache = _embedded_cache("ByteBoundedCache", cache_max_bytes)
    return Storage("memory", MemoryStore(clock), LocalFlight(wait_s), cache, Circuit())


def on_host(directory: str, clock: Callable[[], float], wait_s: float, cache_max_bytes: int) -> Storage:
    """The workers of one host, without Redis: the host's SQLite file in `directory`."""
    host = HostStore(directory, clock)
    cache = {**_embedded_cache("HostCache", cache_max_bytes), "CACHE_DIR": directory}
    return Storage("host", host, HostFlight(host, wait_s=wait_s, lease_s=wait_s), cache, Circuit(), host=host)


def on_redis(url: str, clock: Callable[[], float], wait_s: float, retry_s: float,
             host_directory: str | None) -> Storage:
    """Every worker and host on Redis; while it is away, the host's file (or this process's memory)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
    circuit = Circuit(retry_s)
    host = HostStore(host_directory, clock) if host_directory else None
    cache = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "gateway:cache:",
             "CACHE_OPTIONS": {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S}}
    return Storage("redis", RedisStore(client, clock=clock, circuit=circuit, backup=host),
                   RedisFlight(client, wait_s=wait_s, lease_s=wait_s, usable=circuit.usable, on_error=circuit.failed),
                   cache, circuit, host=host, redis=client)


def _embedded_cache(backend: str, max_bytes: int) -> dict:
    return {"CACHE_TYPE": f"{__name__}.cache.{backend}", "CACHE_THRESHOLD": CACHE_KEYS, "CACHE_MAX_BYTES": max_bytes}
