"""Binance's websocket streams: one connection per market per host keeps prices, tickers,
candles and order books fresh at no request weight (facade.py is what the services use)."""
from __future__ import annotations

from collections.abc import Callable

from .facade import MARKETS, Streams
from .share import Share

__all__ = ["Streams", "MARKETS", "Share", "share_on", "relay_on"]


def share_on(storage, clock: Callable[[], float]) -> Share | None:
    """How this host's workers share one connection per market, on the storage chosen for the
    deployment (stores/): Redis, the host's file, or nothing to share (one worker)."""
    if storage.redis is not None:
        from .share_redis import RedisBackend

        return Share(RedisBackend(storage.redis), clock)
    if storage.kind == "host":
        from .share_host import HostBackend

        return Share(HostBackend(storage.host, clock), clock)
    return None


def relay_on(storage):
    """What carries the stream mirror's frames from the owner to this host's other workers: a unix
    socket beside the host's file (relay_host.py), with or without Redis; None without a host file
    (one worker: it owns the connections)."""
    if storage.host is not None:
        import os

        from .relay_host import HostRelay

        directory = os.path.dirname(storage.host.db.path)
        return lambda hub: HostRelay(directory, hub)
    return None
