"""From a fetch to Sourced data: fresh cache, else one shared upstream call,
else what `last_resort` can offer (last known good, fallback snapshot).
A failure nothing can cover is raised as it is (UpstreamError, SingleFlightTimeout):
the one error handler above turns it into the client's answer."""
from __future__ import annotations

import logging
import dataclasses
import math
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Optional

from ..upstream.errors import Rejected, UpstreamError
from .fallback import FallbackData
from .last_known_good import LastKnownGood
from .provenance import Source, Sourced
from .single_flight import SingleFlightTimeout

log = logging.getLogger(__name__)


class Provider:
    """`last_good` keeps, in this process, the newest data of the most recent
    `keep` keys: any route's failed refresh can then answer "stale"."""

    def __init__(self, cache, flight, clock: Callable[[], float] = time.time, keep: int = 1000,
                 on_lookup: Callable[[bool], None] = lambda hit: None,
                 cache_usable: Callable[[], bool] = lambda: True, on_cache_error: Callable[[], None] = lambda: None):
        """`on_lookup(hit)` lets an observer count cache hits and misses. The cache is skipped
        while `cache_usable()` is false (its server is known to be down: no call waits for it);
        `on_cache_error()` tells whoever decides that about a failed cache call."""
        self.cache, self.flight, self.clock, self.keep, self.on_lookup = cache, flight, clock, keep, on_lookup
        self.cache_usable, self.on_cache_error = cache_usable, on_cache_error
        self._last_good: OrderedDict[str, Sourced] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, ttl: float, fetch: Callable[[], Any],
            on_data: Callable[[Any, float], None] = lambda data, as_of: None,
            last_resort: Callable[[], Optional[Sourced]] = lambda: None) -> Sourced:
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
            self._last_good[key] = Sourced(sourced.data, Source.STALE, sourced.as_of)
            self._last_good.move_to_end(key)
            while len(self._last_good) > self.keep:
                self._last_good.popitem(last=False)
        on_data(sourced.data, sourced.as_of)

    def _local_fresh(self, key: str, ttl: float) -> Optional[Sourced]:
        """This process's copy, while it is within its TTL: no deserialising, no Redis round trip.
        (Another worker may hold newer data; this copy is still fresh, so still honest as "cache".)"""
        with self._lock:
            known = self._last_good.get(key)
        if known is None or self.clock() - known.as_of >= ttl:
            return None
        return Sourced(known.data, Source.CACHE, known.as_of)

    def _stale(self, key: str) -> Optional[Sourced]:
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

    def _fresh(self, key: str, ttl: float) -> Optional[Sourced]:
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
            self.cache.set(key, entry, timeout=max(1, math.ceil(ttl * 2)))
        except Exception as err:  # noqa: BLE001 - the cache is best effort
            log.warning("cache write failed for %s: %s", key, err)
            self.on_cache_error()


class LastResort:
    """When nothing fresh can be had: the last known good ("stale"), else the shipped snapshot ("fallback")."""

    def __init__(self, last_known_good: LastKnownGood, fallback: FallbackData):
        self.last_known_good, self.fallback = last_known_good, fallback

    def lookup(self, dataset: str, symbols: Optional[list[str]] = None,
               shape: Callable[[dict], Any] = lambda rows: rows) -> Optional[Sourced]:
        """`dataset`'s rows for `symbols` (all when None), `shape`d into what the caller serves."""
        for source, store in ((Source.STALE, self.last_known_good), (Source.FALLBACK, self.fallback)):
            found = store.lookup(dataset, symbols)
            if found:
                return Sourced(shape(found[0]), source, found[1])
        return None

    def lists(self, dataset: str, symbol: str) -> bool:
        """Does any kept copy of `dataset` know `symbol`?"""
        return self.lookup(dataset, [symbol]) is not None
