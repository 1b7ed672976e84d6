"""Live prices pushed to clients as server-sent events: one event per change of a
watched symbol's price, with its source and as_of. While Binance's stream is healthy
the changes come from it as they arrive; otherwise the prices are read every
PRICES_TTL_S through the usual path (REST, cache, last known good, fallback), so the
events say honestly where each price came from.

Each subscriber holds a worker thread (gunicorn gthread), so subscribers are bounded
per client and per process, a subscription ends after MAX_LIFETIME_S (EventSource
reconnects by itself), and an idle one writes a comment every second. A client that
goes away ends its subscription at once when the route tells it (`client_gone`, from a
watch on the client's socket), else at the next write that fails; its place is free then."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ApiError
from ..sourcing.provenance import Source, iso_utc
from ..stores.flight import SingleFlightTimeout
from ..streams import MARKETS
from ..streams.account import EVENT as ACCOUNT_EVENT
from ..upstream.errors import UpstreamError
from .candles import named_candles

PER_CLIENT = 4
MAX_LIFETIME_S = 300.0
KEEPALIVE_S = 1.0
RETRY_MS = 1000


def per_process_limit(settings) -> int:
    """Open event streams one worker allows. A gthread worker gives each a thread, so at most half of
    them; a gevent worker gives each a greenlet, so a quarter of its connections."""
    if settings.worker_class == "gthread":
        return max(1, settings.threads // 2)  # leave threads for ordinary requests
    return max(1, settings.worker_connections // 4)


class PricePush:
    def __init__(self, spot, streams, settings, clock=time.time, on_count=lambda change: None):
        self.spot, self.streams, self.settings, self.clock = spot, streams, settings, clock
        self.on_count = on_count  # told +1 / -1 as places are taken and given back (a metric)
        self.per_process = per_process_limit(settings)
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def subscribe(self, client: str, symbols: list[str]) -> Subscription:
        """Raises ApiError 429 (this client has PER_CLIENT open) or 503 (this worker is full).
        The place taken is given back by `release()`, which the caller must see called
        however the answer ends (its events may never be iterated: HEAD, an early close)."""
        self._admit(client)
        return Subscription(self, client, symbols)

    def subscribe_candles(self, client: str, symbol: str, interval: str) -> CandleSubscription:
        """The same bounds as price streams: they share this worker's threads."""
        self._admit(client)
        return CandleSubscription(self, client, symbol, interval)

    def subscribe_account(self, client: str) -> AccountSubscription:
        """The account's events (orders and fills, balances, positions, margin calls) as the user
        data streams push them; the same bounds as the other streams."""
        self._admit(client)
        return AccountSubscription(self, client)

    def _admit(self, client: str) -> None:
        with self._lock:
            if self._open.get(client, 0) >= PER_CLIENT:
                raise ApiError(429, "too_many_subscriptions",
                               f"at most {PER_CLIENT} price streams per client; close one first", retry_after=5)
            if sum(self._open.values()) >= self.per_process:
                raise ApiError(503, "subscriptions_full", "no room for another price stream; try again",
                               retry_after=5)
            self._open[client] = self._open.get(client, 0) + 1
            self.on_count(+1)

    def open_count(self) -> int:
        with self._lock:
            return sum(self._open.values())

    def _closed(self, client: str) -> None:
        with self._lock:
            self._open[client] -= 1
            if not self._open[client]:
                del self._open[client]
            self.on_count(-1)


class _Stream:
    """What both kinds of subscription share: a board listener while the events run, a
    wake-up for a change, and an end as soon as the client has gone."""

    def __init__(self, push: PricePush, client: str):
        self.push, self.client = push, client
        self._changed = threading.Condition()
        self._gone = False
        self._released = False

    def release(self) -> None:
        """Gives the place back, once, however the answer ended (the events' end, or the
        response's close when they never started)."""
        with self._changed:
            if self._released:
                return
            self._released = True
            self._gone = True
            self._changed.notify()
        self.push._closed(self.client)

    def client_gone(self) -> None:
        """The client closed its connection: the events end now, and free its place."""
        with self._changed:
            self._gone = True
            self._changed.notify()

    def _wait(self, has_news) -> None:
        """Until a change, the client's leaving, or the keepalive interval (under self._changed)."""
        if not has_news() and not self._gone:
            self._changed.wait(KEEPALIVE_S)

    def _running(self, ends_at: float) -> bool:
        return not self._gone and time.monotonic() < ends_at

    @contextmanager
    def _listening(self):
        """The board's changes reach `_on_change` until the events end; then the place is free."""
        board = getattr(self.push.streams, "board", None)
        if board is not None:
            board.listen(self._on_change)
        try:
            yield
        finally:
            if board is not None:
                board.unlisten(self._on_change)
            self.release()


class Subscription(_Stream):
    def __init__(self, push: PricePush, client: str, symbols: list[str]):
        super().__init__(push, client)
        self.symbols = symbols
        self._pending: dict[str, tuple[str, float]] = {}
        self._sent: dict[str, str] = {}

    def _on_change(self, market: str, key: str, payload, event_s: float, mode: str) -> None:
        if market != "spot" or key != "prices" or not isinstance(payload, dict):
            return
        with self._changed:
            for symbol in self.symbols:
                if symbol in payload:
                    self._pending[symbol] = (payload[symbol], event_s)
            self._changed.notify()

    def events(self) -> Iterator[str]:
        with self._listening():
            yield f"retry: {RETRY_MS}\n\n"
            yield from self._poll()  # the current prices first
            ends_at = time.monotonic() + MAX_LIFETIME_S
            next_poll = time.monotonic() + self.push.settings.prices_ttl_s
            while self._running(ends_at):
                with self._changed:
                    self._wait(lambda: self._pending)
                    pending, self._pending = self._pending, {}
                if self._gone:
                    return
                sent = False
                for symbol, (price, event_s) in pending.items():
                    event = self._event(symbol, price, Source.STREAM, event_s)
                    if event:
                        sent = True
                        yield event
                if time.monotonic() >= next_poll:
                    next_poll = time.monotonic() + self.push.settings.prices_ttl_s
                    if self.push.streams.fresh("spot", "prices") is None:  # stream down: the usual path
                        for event in self._poll():
                            sent = True
                            yield event
                if not sent:
                    yield ": keepalive\n\n"

    def _poll(self) -> Iterator[str]:
        try:
            prices = self.push.spot.prices(self.symbols)
        except (ApiError, UpstreamError, SingleFlightTimeout):
            return  # nothing to tell this round; the next poll tries again
        for symbol, price in prices.data.items():
            event = self._event(symbol, price, prices.source, prices.as_of)
            if event:
                yield event

    def _event(self, symbol: str, price: str, source, as_of: float) -> str | None:
        shown = (price, Source(source))  # a change of price, or of where it comes from (what a client shows)
        if self._sent.get(symbol) == shown:
            return None
        self._sent[symbol] = shown
        body = {"symbol": symbol, "price": price, "source": Source(source).value, "as_of": iso_utc(as_of)}
        return f"event: price\ndata: {json.dumps(body, separators=(',', ':'))}\n\n"


class CandleSubscription(_Stream):
    """One symbol's candles on one interval: an event per update of the newest candle."""

    def __init__(self, push: PricePush, client: str, symbol: str, interval: str):
        super().__init__(push, client)
        self.symbol, self.interval = symbol, interval
        self.key = f"klines:{symbol}:{interval}"
        self._pending: tuple[list, float] | None = None
        self._sent = None

    def _on_change(self, market: str, key: str, payload, event_s: float, mode: str) -> None:
        if market == "spot" and key == self.key and mode == "candle":
            with self._changed:
                self._pending = (named_candles([payload])[0], event_s)
                self._changed.notify()

    def events(self) -> Iterator[str]:
        with self._listening():
            yield f"retry: {RETRY_MS}\n\n"
            yield self._poll() or ": keepalive\n\n"  # the current candle first, without waiting for a change
            ends_at, next_poll = time.monotonic() + MAX_LIFETIME_S, time.monotonic() + KEEPALIVE_S
            while self._running(ends_at):
                with self._changed:
                    self._wait(lambda: self._pending is not None)
                    pending, self._pending = self._pending, None
                if self._gone:
                    return
                event = self._event(pending[0], Source.STREAM, pending[1]) if pending else None
                if event is None and time.monotonic() >= next_poll:
                    next_poll = time.monotonic() + KEEPALIVE_S
                    event = self._poll()  # keeps the stream wanted; REST while it is down
                yield event or ": keepalive\n\n"

    def _poll(self) -> str | None:
        try:
            candles = self.push.spot.klines(symbol=self.symbol, interval=self.interval, limit=1)
        except (ApiError, UpstreamError, SingleFlightTimeout):
            return None
        return self._event(candles.data[-1], candles.source, candles.as_of) if candles.data else None

    def _event(self, candle: dict, source, as_of: float) -> str | None:
        shown = (candle, Source(source))  # a change of the candle, or of where it comes from (a 451 makes it stale)
        if shown == self._sent:
            return None
        self._sent = shown
        body = {**candle, "symbol": self.symbol, "interval": self.interval, "source": Source(source).value,
                "as_of": iso_utc(as_of)}
        return f"event: candle\ndata: {json.dumps(body, separators=(',', ':'))}\n\n"


class AccountSubscription(_Stream):
    """An `account` event per account event of either market (streams/account.py's shape), and a
    `user_streams` event whenever a user data stream goes up or down (then the account is read
    over REST, and the client should read it again). A client too slow to take MAX_QUEUED events
    is let go: it reconnects and reads the account afresh, rather than the worker holding more."""

    MAX_QUEUED = 1000

    def __init__(self, push: PricePush, client: str):
        super().__init__(push, client)
        self._queue: list[tuple[str, dict]] = []
        self._states = {market: self._state(market) for market in MARKETS}
        self._overflowed = False

    def _state(self, market: str) -> str:
        board = getattr(self.push.streams, "board", None)
        return (board.meta(f"user:{market}").get("state") if board is not None else None) or "not_started"

    def _on_change(self, market: str, key: str, payload, event_s: float, mode: str) -> None:
        if mode == "event" and key == ACCOUNT_EVENT and isinstance(payload, dict):
            queued = ("account", payload)
        elif mode == "meta" and market.startswith("user:") and isinstance(payload, dict):
            state = payload.get("state") or "not_started"
            if self._states.get(market[len("user:"):]) == state:
                return
            self._states[market[len("user:"):]] = state
            queued = ("user_streams", dict(self._states))
        else:
            return
        with self._changed:
            if len(self._queue) >= self.MAX_QUEUED:
                self._overflowed = True
            else:
                self._queue.append(queued)
            self._changed.notify()

    def events(self) -> Iterator[str]:
        with self._listening():
            yield f"retry: {RETRY_MS}\n\n"
            yield _sse("user_streams", dict(self._states))  # where the account's numbers come from now
            ends_at = time.monotonic() + MAX_LIFETIME_S
            while self._running(ends_at):
                with self._changed:
                    self._wait(lambda: self._queue or self._overflowed)
                    queued, self._queue = self._queue, []
                if self._gone or self._overflowed:
                    return
                for name, body in queued:
                    yield _sse(name, body)
                if not queued:
                    yield ": keepalive\n\n"


def _sse(name: str, body: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(body, separators=(',', ':'))}\n\n"
