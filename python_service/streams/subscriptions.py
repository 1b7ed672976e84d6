"""The on-demand streams of one connection: subscribed when a client first asks for what they
keep current (`<symbol>@ticker`, `<symbol>@kline_<interval>`, `<symbol>@depth@100ms`),
unsubscribed when nobody asked within the idle period; never more than Binance's streams per
connection (1,024 spot, 200 futures), the all-market stream included."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .reshape import ALL_MARKET

MAX_STREAMS = {"spot": 1024, "futures": 200}


def stream_for(key: str) -> str | None:
    """The stream that keeps the board's `key` current (on-demand keys only)."""
    kind, _, rest = key.partition(":")
    symbol, _, interval = rest.partition(":")
    if kind == "ticker":
        return f"{symbol.lower()}@ticker"
    if kind == "klines" and interval:
        return f"{symbol.lower()}@kline_{interval}"
    if kind == "book":
        return f"{symbol.lower()}@depth@100ms"
    return None


class Subscriptions:
    def __init__(self, market: str, send: Callable[[dict], None]):
        self.market, self.send = market, send  # send: one JSON message on the connection
        self._subscribed: dict[str, str] = {}  # stream -> board key
        self._next_id = 1

    def key_of(self, stream: str) -> str | None:
        return self._subscribed.get(stream)

    def count(self) -> int:
        """Streams on the connection, the all-market one included."""
        return len(ALL_MARKET[self.market]) + len(self._subscribed)

    def follow(self, wanted: dict[str, Any]) -> tuple[list[str], list[str]]:
        """Subscribes what `wanted` (board keys) needs and drops what it no longer does, in one
        request each; returns (keys newly subscribed, keys dropped)."""
        wanted_streams = {stream_for(k): k for k in wanted if stream_for(k)}
        stale = [s for s in self._subscribed if s not in wanted_streams]
        room = MAX_STREAMS[self.market] - self.count() + len(stale)
        new = [s for s in wanted_streams if s not in self._subscribed][:max(0, room)]
        if stale:
            self._request("UNSUBSCRIBE", stale)
        dropped = [self._subscribed.pop(stream) for stream in stale]
        if new:
            self._request("SUBSCRIBE", new)
        for stream in new:
            self._subscribed[stream] = wanted_streams[stream]
        return [wanted_streams[s] for s in new], dropped

    def clear(self) -> None:
        """The connection is gone, and its subscriptions with it."""
        self._subscribed.clear()

    def _request(self, method: str, streams: list[str]) -> None:
        self.send({"method": method, "params": streams, "id": self._next_id})
        self._next_id += 1
