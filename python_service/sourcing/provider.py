"""From a fetch to Sourced data: fresh cache, else one shared upstream call,
else what `last_resort` can offer (last known good, fallback snapshot).
A failure nothing can cover is raised as it is (UpstreamError, SingleFlightTimeout):
the one error handler above turns it into the client's answer."""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..stores.flight import SingleFlightTimeout
from ..upstream.errors import Rejected, UpstreamError
from .fallback import FallbackData
from .last_known_good import LastKnownGood
from .provenance import Source, Sourced

log = logging.getLogger(__name__)


class Provider:
    """`last_good` keeps, in this process, the newest data of the most recently used keys,
    at most `keep` of them and `max_bytes` of their serialized size (clients choose keys:
    klines startTimes, depth limits): any route's failed refresh can then answer "stale".
    An entry over a quarter of `max_bytes` is served but not kept."""

    def __init__(self, cache, flight, clock: Callable[[], float] = time.time, keep: int = 1000,
                 max_bytes: int = 16 * 1024 * 1024, on_lookup: Callable[[bool], None] = lambda hit: None,
                 cache_usable: Callable[[], bool] = lambda: True, on_cache_error: Callable[[], None] = lambda: None):
        """`on_lookup(hit)` lets an observer count cache hits and misses. The cache is skipped
        while `cache_usable()` is false (its server is known to be down: no call waits for it);
        `on_cache_error()` tells whoever decides that about a failed cache call."""
        self.cache, self.flight, self.clock, self.keep, self.on_lookup = cache, flight, clock, keep, on_lookup
        self.cache_usable, self.on_cache_error = cache_usable, on_cache_error
        self.max_bytes = max_bytes
        self._last_good: OrderedDict[str, Sourced] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._kept_bytes = 0
        self._lock = threading.Lock()

    @property
    def kept_bytes(self) -> int:
        with self._lock:
            return self._kept_bytes

    def get(self, key: str, ttl: float, fetch: Callable[[], Any],
            on_data: Callable[[Any, float], None] = lambda data, as_of: None,
            last_resort: Callable[[], Sourced | None] = lambda: None) -> Sourced:
        """`on_data` sees every fresh value (to keep the last known good); Binance's
        rejections (Rejected) are not unavailability and are raised as they are."""
        hit = self._local_fresh(key, ttl) or self._fresh(key, ttl)
        self.on_lookup(hit is not None)
        if hit is not None:
            self._keep(key, hit, on_data)
            return hit
        try:
            sourced = self.flight.run(key, lambda: self._refresh(key, ttl, fetch), lambda: self._fresh(key, ttl))
        except Rejected:
            raise
        except (UpstreamError, SingleFlightTimeout) as err:
            fallback = self._stale(key) or last_resort()
            if fallback is None:
                raise
            log.info("serving %s data for %s: %s", fallback.source, key, err.message)
            return dataclasses.replace(fallback, retry_after=err.retry_after)
        self._keep(key, sourced, on_data)
        return sourced

    def _keep(self, key: str, sourced: Sourced, on_data: Callable[[Any, float], None]) -> None:
        with self._lock:
            known = self._last_good.get(key)
            if known is not None and known.as_of >= sourced.as_of:
                self._last_good.move_to_end(key)
                return  # nothing new
        size = _serialized_size(sourced.data)  # outside the lock: a big entry takes milliseconds
        with self._lock:
            self._forget(key)
            if size <= self.max_bytes // 4:
                self._last_good[key] = Sourced(sourced.data, Source.STALE, sourced.as_of)
                self._sizes[key] = size
                self._kept_bytes += size
            while self._last_good and (len(self._last_good) > self.keep or self._kept_bytes > self.max_bytes):
                self._forget(next(iter(self._last_good)))  # the least recently used
        on_data(sourced.data, sourced.as_of)

    def _forget(self, key: str) -> None:
        """Drops `key` from the last good copies (caller holds the lock)."""
        if self._last_good.pop(key, None) is not None:
            self._kept_bytes -= self._sizes.pop(key)

    def _local_fresh(self, key: str, ttl: float) -> Sourced | None:
        """This process's copy, while it is within its TTL: no deserialising, no Redis round trip.
        (Another worker may hold newer data; this copy is still fresh, so still honest as "cache".)"""
        with self._lock:
            known = self._last_good.get(key)
        if known is None or self.clock() - known.as_of >= ttl:
            return None
        return Sourced(known.data, Source.CACHE, known.as_of)

    def _stale(self, key: str) -> Sourced | None:
        with self._lock:
            return self._last_good.get(key)

    def _refresh(self, key: str, ttl: float, fetch: Callable[[], Any]) -> Sourced:
        hit = self._fresh(key, ttl)  # filled while we waited for our turn?
        if hit is not None:
            return hit
        data = fetch()
        as_of = self.clock()
        self._write(key, {"data": data, "as_of": as_of}, ttl)
        return Sourced(data, Source.LIVE, as_of)

    def _fresh(self, key: str, ttl: float) -> Sourced | None:
        if not self.cache_usable():
            return None
        try:
            entry = self.cache.get(key)
        except Exception as err:  # noqa: BLE001 - the cache is best effort
            log.warning("cache read failed for %s: %s", key, err)
            self.on_cache_error()
            return None
        if not entry or self.clock() - entry["as_of"] >= ttl:
            return None
        return Sourced(entry["data"], Source.CACHE, entry["as_of"])

    def _write(self, key: str, entry: dict, ttl: float) -> None:
        if not self.cache_usable():
            return
        try:
            self.cache.set(key, entry, timeout=max(1, math.ceil(ttl)))  # past its TTL it is only read to be thrown away
        except Exception as err:  # noqa: BLE001 - the cache is best effort
            log.warning("cache write failed for %s: %s", key, err)
            self.on_cache_error()


SAMPLE = 16  # rows measured of a long list; the rest are assumed alike (candles, book levels, trades)


def _serialized_size(data: Any) -> int:
    """About the data's size as compact JSON: what it costs to keep, up to Python's per-object
    overhead. Long lists are measured on SAMPLE rows spread along them and scaled: market data
    rows are alike, and serializing a whole 1,000-candle answer again would cost milliseconds."""
    try:
        if isinstance(data, dict):
            items = _spread(list(data.items()))
            return 2 + sum(len(str(key)) + 4 + _serialized_size(value) for key, value in items) * len(data) // \
                max(1, len(items))
        if isinstance(data, list) and len(data) > SAMPLE:
            return len(json.dumps(_spread(data), separators=(",", ":"), default=str)) * len(data) // SAMPLE
        return len(json.dumps(data, separators=(",", ":"), default=str))
    except (TypeError, ValueError, RecursionError):
        return 1 << 62  # cannot be measured: never kept


def _spread(rows: list) -> list:
    """At most SAMPLE rows, spread evenly from first to last."""
    if len(rows) <= SAMPLE:
        return rows
    step = len(rows) / SAMPLE
    return [rows[int(i * step)] for i in range(SAMPLE)]


class LastResort:
    """When nothing fresh can be had: the last known good ("stale"), else the shipped snapshot ("fallback")."""

    def __init__(self, last_known_good: LastKnownGood, fallback: FallbackData):
        self.last_known_good, self.fallback = last_known_good, fallback

    def lookup(self, dataset: str, symbols: list[str] | None = None,
               shape: Callable[[dict], Any] = lambda rows: rows) -> Sourced | None:
        """`dataset`'s rows for `symbols` (all when None), `shape`d into what the caller serves."""
        for source, store in ((Source.STALE, self.last_known_good), (Source.FALLBACK, self.fallback)):
            found = store.lookup(dataset, symbols)
            if found:
                return Sourced(shape(found[0]), source, found[1])
        return None

    def lists(self, dataset: str, symbol: str) -> bool:
        """Does any kept copy of `dataset` know `symbol`?"""
        return self.lookup(dataset, [symbol]) is not None
