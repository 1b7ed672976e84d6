"""The streams of one upstream connection: subscribed when wanted, unsubscribed when no longer,
one request each way per round (in chunks of CHUNK streams), never more than the connection
may carry (Binance: 1,024 streams per spot connection, 200 per futures connection, the
all-market stream included).

`stream_for` names the stream behind a board key (the gateway's own on-demand streams) or a
bot's stream (key "raw:<stream>", the stream mirror)."""
from __future__ import annotations

from collections.abc import Callable

MAX_STREAMS = {"spot": 1024, "futures": 200}
CHUNK = 200  # streams per SUBSCRIBE: a request well under any frame limit
RAW = "raw:"  # a bot's stream, mirrored as it is


def stream_for(key: str) -> str | None:
    """The stream that keeps the board's `key` current, or the bot's stream a "raw:" key names."""
    if key.startswith(RAW):
        return key[len(RAW):]
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
    def __init__(self, capacity: int, send: Callable[[dict], None], base: tuple = ()):
        self.capacity, self.send = capacity, send  # send: one JSON message on the connection
        self.base = set(base)  # in the connection's URL: always there
        self.subscribed: set[str] = set()
        self._next_id = 1

    def count(self) -> int:
        return len(self.base) + len(self.subscribed)

    def room(self) -> int:
        return self.capacity - self.count()

    def follow(self, wanted: set[str]) -> tuple[list[str], list[str]]:
        """Subscribes what `wanted` adds and drops what it no longer has; returns (new, dropped)."""
        dropped = sorted(s for s in self.subscribed if s not in wanted)
        for start in range(0, len(dropped), CHUNK):
            self._request("UNSUBSCRIBE", dropped[start:start + CHUNK])
        self.subscribed -= set(dropped)
        new = sorted(s for s in wanted if s not in self.subscribed and s not in self.base)[:max(0, self.room())]
        for start in range(0, len(new), CHUNK):
            self._request("SUBSCRIBE", new[start:start + CHUNK])
        self.subscribed |= set(new)
        return new, dropped

    def clear(self) -> None:
        """The connection is gone, and its subscriptions with it."""
        self.subscribed.clear()

    def _request(self, method: str, streams: list[str]) -> None:
        self.send({"method": method, "params": streams, "id": self._next_id})
        self._next_id += 1
