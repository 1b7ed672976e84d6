"""What Binance's streams delivered, per market and key, and each market's connection
state: written by the connections (or, in other workers, by the share), read by
the services. Keys: "prices" ({symbol: price}), "tickers" ({symbol: ticker}),
"ticker:SYM", "klines:SYM:INTERVAL" (Binance's kline arrays), "book:SYM" (depth)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (market, key, payload, event time s, mode): mode "put" (payload: the data), "merge" (payload:
# the changed items), "candle" (payload: the newest candle row), "meta" (payload: the market's meta),
# "drop" (payload None: the key is gone, so copies in other workers must go too), "event" (payload:
# an event for the listeners only, stored nowhere: the account's pushes)
Listener = Callable[[str, str, Any, float, str], None]
MAX_CANDLES = 1000


@dataclass(frozen=True)
class Entry:
    data: Any
    event_s: float  # Binance's event time (E) of the newest message behind `data`


class Board:
    def __init__(self):
        self._entries: dict[tuple[str, str], Entry] = {}
        self._meta: dict[str, dict] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    # ----- written by the feeds -----
    def put(self, market: str, key: str, data: Any, event_s: float, payload: Any = None, mode: str = "put") -> None:
        """Stores `data`; listeners see `payload` (what changed) when given, else `data`."""
        with self._lock:
            self._entries[(market, key)] = Entry(data, event_s)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(market, key, data if payload is None else payload, event_s, mode)

    def merge(self, market: str, key: str, delta: dict, event_s: float) -> None:
        """Adds `delta`'s items to the dict under `key` (prices, tickers)."""
        with self._lock:
            known = self._entries.get((market, key))
            merged = {**(known.data if known else {}), **delta}
        self.put(market, key, merged, event_s, delta, "merge")

    def candle(self, market: str, key: str, row: list, event_s: float) -> None:
        """The newest candle (Binance's kline array) replaces the open one or follows it."""
        with self._lock:
            known = self._entries.get((market, key))
        if known is None:
            return  # not seeded
        rows = list(known.data)
        if rows and rows[-1][0] == row[0]:
            rows[-1] = row
        elif not rows or row[0] > rows[-1][0]:
            rows = (rows + [row])[-MAX_CANDLES:]
        self.put(market, key, rows, event_s, row, "candle")

    def drop(self, market: str, key: str) -> None:
        """Forgets `key` (its stream is gone, or its book broke); listeners see mode "drop"."""
        with self._lock:
            dropped = self._entries.pop((market, key), None) is not None
        if dropped:
            self._dropped(market, [key])

    def drop_market(self, market: str) -> None:
        with self._lock:
            keys = [k for m, k in self._entries if m == market]
            for key in keys:
                del self._entries[(market, key)]
        self._dropped(market, keys)

    def _dropped(self, market: str, keys: list[str]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for key in keys:
            for listener in listeners:
                listener(market, key, None, 0.0, "drop")

    def emit(self, market: str, key: str, payload: Any, event_s: float) -> None:
        """An event for the listeners (mode "event"); nothing is stored (the account's pushes)."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(market, key, payload, event_s, "event")

    def set_meta(self, market: str, **fields) -> None:
        with self._lock:
            self._meta[market] = {**self._meta.get(market, {}), **fields}
            meta = dict(self._meta[market])
        for listener in list(self._listeners):
            listener(market, "meta", meta, 0.0, "meta")

    # ----- read by the services -----
    def get(self, market: str, key: str) -> Entry | None:
        with self._lock:
            return self._entries.get((market, key))

    def meta(self, market: str) -> dict:
        with self._lock:
            return dict(self._meta.get(market, {}))

    def keys(self, market: str) -> list[str]:
        with self._lock:
            return [k for m, k in self._entries if m == market]

    def listen(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


def healthy(meta: dict, silence_s: float, now: float) -> bool:
    """Up, and a message came within `silence_s`: only then is stream data served."""
    return meta.get("state") == "up" and now - (meta.get("last_message_at") or 0) <= silence_s
