"""From a fetch to Sourced data: fresh cache, else one shared upstream call,
else what `last_resort` can offer (last known good, fallback snapshot)."""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Optional

from . import metrics
from .provenance import Sourced
from .upstream.errors import Rejected, UpstreamError

log = logging.getLogger(__name__)


class Provider:
    """`last_good` keeps, in this process, the newest data of the most recent
    `keep` keys: any route's failed refresh can then answer "stale"."""

    def __init__(self, cache, flight, clock: Callable[[], float] = time.time, keep: int = 1000):
        self.cache, self.flight, self.clock, self.keep = cache, flight, clock, keep
        self._last_good: OrderedDict[str, Sourced] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, ttl: float, fetch: Callable[[], Any],
            on_data: Callable[[Any, float], None] = lambda data, as_of: None,
            last_resort: Callable[[], Optional[Sourced]] = lambda: None) -> Sourced:
        """`on_data` sees every fresh value (to keep the last known good); Binance's
        rejections (Rejected) are not unavailability and are raised as they are."""
        hit = self._local_fresh(key, ttl) or self._fresh(key, ttl)
        metrics.count_cache_lookup(hit is not None)
        if hit is not None:
            self._keep(key, hit, on_data)
            return hit
        try:
            sourced = self.flight.run(key, lambda: self._refresh(key, ttl, fetch), lambda: self._fresh(key, ttl))
        except Rejected:
            raise
        except UpstreamError as err:
            fallback = self._stale(key) or last_resort()
            if fallback is None:
                raise
            log.info("serving %s data for %s: %s", fallback.source, key, err.message)
            return fallback
        self._keep(key, sourced, on_data)
        return sourced

    def _keep(self, key: str, sourced: Sourced, on_data: Callable[[Any, float], None]) -> None:
        with self._lock:
            known = self._last_good.get(key)
            if known is not None and known.as_of >= sourced.as_of:
                self._last_good.move_to_end(key)
                return  # nothing new
            self._last_good[key] = Sourced(sourced.data, "stale", sourced.as_of)
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
        return Sourced(known.data, "cache", known.as_of)

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
        return Sourced(data, "live", as_of)

    def _fresh(self, key: str, ttl: float) -> Optional[Sourced]:
        try:
            entry = self.cache.get(key)
        except Exception as err:  # noqa: BLE001 - the cache is best effort
            log.warning("cache read failed for %s: %s", key, err)
            return None
        if not entry or self.clock() - entry["as_of"] >= ttl:
            return None
        return Sourced(entry["data"], "cache", entry["as_of"])

    def _write(self, key: str, entry: dict, ttl: float) -> None:
        try:
            self.cache.set(key, entry, timeout=max(1, math.ceil(ttl * 2)))
        except Exception as err:  # noqa: BLE001 - the cache is best effort
            log.warning("cache write failed for %s: %s", key, err)


def sourced_or_error(provider: Provider, key: str, ttl: float, fetch: Callable[[], Any], **options) -> Sourced:
    """provider.get, with an upstream failure that nothing could cover turned into the client's error."""
    from .errors import from_upstream

    try:
        return provider.get(key, ttl, fetch, **options)
    except UpstreamError as err:
        raise from_upstream(err) from None
