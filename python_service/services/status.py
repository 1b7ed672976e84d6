"""What the service knows right now, from local state only: never a call to Binance."""
from __future__ import annotations

import os

from ..sourcing.provenance import iso_utc
from ..upstream import Market
from ..version import __version__


class Status:
    def __init__(self, upstream, store, fallback, clock, started_at: float, streams=None, push=None, workers: int = 1,
                 stream_mirror=None):
        self.upstream, self.store, self.fallback, self.clock = upstream, store, fallback, clock
        self.workers = workers
        self.started_at = started_at
        self.streams, self.push, self.stream_mirror = streams, push, stream_mirror

    def report(self) -> dict:
        """What /api/status shows. Each market (spot, futures) has its own state and budget;
        the top-level `upstream` and `weight` are spot's, as before markets were separate."""
        now = self.clock()
        markets = {market.value: self._market(market) for market in Market}
        spot = markets[Market.SPOT.value]
        return {
            "service": "binance-gateway",
            "version": __version__,
            "started_at": iso_utc(self.started_at),
            "uptime_s": round(now - self.started_at, 3),
            "upstream": {**self.upstream.describe(), **{k: v for k, v in spot.items() if k != "weight"}},
            "markets": markets,
            "cache": {"backend": self.store.name},
            "process": {"pid": os.getpid(), "workers": self.workers},  # the worker that answered, of how many
            "weight": spot["weight"],
            "futures_weight": markets[Market.FUTURES.value]["weight"],
            "clock_offset_ms": self.upstream.clock_offset_ms,
            "fallback": {name: {**info, "as_of": iso_utc(info["as_of"])}
                         for name, info in self.fallback.describe().items()},
            "streams": _stream_times(self.streams.describe()) if self.streams else {"enabled": False},
            "price_subscribers": self.push.open_count() if self.push else 0,  # this worker's SSE clients
            # this worker's bots on the stream mirror (/metrics sums them over the workers)
            "stream_mirror": self.stream_mirror.describe() if self.stream_mirror and self.streams else None,
        }

    def _market(self, market: Market) -> dict:
        return {**_iso_times(self.upstream.state_of(market).snapshot()),
                "weight": self.upstream.budget(market).snapshot()}

    def gauges(self) -> dict:
        """The numbers /metrics exposes as gauges, read now from the (shared) state."""
        states = {market.value: self.upstream.state_of(market).snapshot() for market in Market}
        return {"markets": {name: {"state": s["state"], "retry_after_s": s["retry_after_s"] or 0}
                            for name, s in states.items()},
                "weights": {market.value: self.upstream.budget(market).snapshot() for market in Market}}


def _iso_times(snapshot: dict) -> dict:
    shown = dict(snapshot)
    for key in ("since", "until", "last_success"):
        if shown.get(key):
            shown[key] = iso_utc(shown[key])
    if shown.get("last_error"):
        shown["last_error"] = {**shown["last_error"], "at": iso_utc(shown["last_error"]["at"])}
    return shown


def _stream_times(described: dict) -> dict:
    shown = dict(described)
    for market in ("spot", "futures"):
        if isinstance(shown.get(market), dict):
            shown[market] = _times(shown[market])
    if isinstance(shown.get("user_data"), dict):
        shown["user_data"] = {market: _times(view) for market, view in shown["user_data"].items()}
    return shown


def _times(view: dict) -> dict:
    entry = dict(view)
    for key in ("connected_since", "last_message_at", "reconciled_at"):
        if entry.get(key):
            entry[key] = iso_utc(entry[key])
    if entry.get("last_error"):
        entry["last_error"] = {**entry["last_error"], "at": iso_utc(entry["last_error"]["at"])}
    return entry
