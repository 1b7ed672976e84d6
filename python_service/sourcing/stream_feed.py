"""One market's websocket connection to Binance, kept alive by one thread.

It connects to the combined-stream endpoint with the market's all-market streams,
seeds what the streams only update (prices, tickers, candles, books) with one REST
call each, subscribes on demand to what clients ask for (`<symbol>@ticker`,
`<symbol>@kline_<interval>`, `<symbol>@depth@100ms`) and unsubscribes what nobody
asked for within `idle_s`. Binance's rules: answer pings (websockets does), reconnect
before the 24 h cut (`max_age_s`), at most 5 outgoing messages a second
(upstream/websocket.py), at most `max_streams` streams per connection, at most 300
connection attempts per 5 minutes, capped exponential back-off with full jitter."""
from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from typing import Any, Callable, Optional

from ..settings import mask_urls_in
from ..upstream import websocket
from ..upstream.errors import UpstreamError
from ..upstream.shapes import decimal
from .order_book import Book, EventBuffer
from .stream_board import Board

log = logging.getLogger(__name__)

BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 30.0
ATTEMPTS_PER_WINDOW, ATTEMPT_WINDOW_S = 300, 300.0
MAX_STREAMS = {"spot": 1024, "futures": 200}
ALL_MARKET = {"spot": ["!miniTicker@arr"], "futures": ["!ticker@arr"]}
TICK_S = 0.2  # how often the loop looks at interest, age and silence between messages
BOOK_SEED_LIMITS = {"spot": (100, 500, 1000, 5000), "futures": (100, 500, 1000)}  # REST depth limits
RESEED_MIN_S = 1.0  # a book whose fresh snapshot could not be continued is seeded again at most this often


def backoff_s(failures: int, rand: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^failures)]."""
    return rand() * min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** min(failures, 16))


class AttemptLimit:
    """At most ATTEMPTS_PER_WINDOW connection attempts in any ATTEMPT_WINDOW_S."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._times: deque = deque()

    def wait_s(self) -> float:
        now = self.clock()
        while self._times and now - self._times[0] >= ATTEMPT_WINDOW_S:
            self._times.popleft()
        return 0.0 if len(self._times) < ATTEMPTS_PER_WINDOW else ATTEMPT_WINDOW_S - (now - self._times[0])

    def note(self) -> None:
        self._times.append(self.clock())


def stream_for(key: str) -> Optional[str]:
    """The stream that keeps `key` current (on-demand keys only)."""
    kind, _, rest = key.partition(":")
    symbol, _, interval = rest.partition(":")
    if kind == "ticker":
        return f"{symbol.lower()}@ticker"
    if kind == "klines" and interval:
        return f"{symbol.lower()}@kline_{interval}"
    if kind == "book":
        return f"{symbol.lower()}@depth@100ms"
    return None


def rest_ticker(row: dict, with_book: bool) -> dict:
    """A 24hrTicker event in the REST answer's field names and order."""
    shaped = {"symbol": row["s"], "priceChange": row["p"], "priceChangePercent": row["P"],
              "weightedAvgPrice": row["w"]}
    if with_book:
        shaped["prevClosePrice"] = row.get("x")
    shaped.update(lastPrice=row["c"], lastQty=row["Q"])
    if with_book:
        shaped.update(bidPrice=row.get("b"), bidQty=row.get("B"), askPrice=row.get("a"), askQty=row.get("A"))
    shaped.update(openPrice=row["o"], highPrice=row["h"], lowPrice=row["l"], volume=row["v"], quoteVolume=row["q"],
                  openTime=row["O"], closeTime=row["C"], firstId=row["F"], lastId=row["L"], count=row["n"])
    return shaped


def kline_row(k: dict) -> list:
    """A kline event's candle as the REST array."""
    return [k["t"], k["o"], k["h"], k["l"], k["c"], k["v"], k["T"], k["q"], k["n"], k["V"], k["Q"], "0"]


class Feed:
    """The thread and connection of one market. `interest()` returns {key: detail} of what
    clients asked for recently (detail: the book depth wanted)."""

    def __init__(self, market: str, root: str, upstream, board: Board, interest: Callable[[], dict],
                 proxy_url: Optional[str], timeout_s: float, max_age_s: float,
                 clock: Callable[[], float] = time.time, rand: Callable[[], float] = random.random):
        self.market, self.root, self.upstream, self.board = market, root, upstream, board
        self.interest, self.proxy_url, self.timeout_s, self.max_age_s = interest, proxy_url, timeout_s, max_age_s
        self.clock, self.rand = clock, rand
        self.futures = market == "futures"
        self.attempts = AttemptLimit()
        self.failures = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._socket: Optional[websocket.StreamSocket] = None
        self._subscribed: dict[str, str] = {}  # stream -> key
        self._books: dict[str, Book] = {}
        self._events = EventBuffer()  # recent depth events, replayed onto each new snapshot
        self._seed_due: dict[str, float] = {}  # book key -> from when its next event may seed it
        self._next_id = 1
        self.reconnects = -1
        self.reseeds = 0

    # ----- lifecycle -----
    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True, name=f"stream-{self.market}")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._socket:
            self._socket.close()
        if self._thread:
            self._thread.join(5)
        self.board.set_meta(self.market, state="stopped")
        self.board.drop_market(self.market)

    def _run(self) -> None:
        self.board.set_meta(self.market, state="connecting", url=self.root, reconnects=0)
        while not self._stop.is_set():
            wait = self.attempts.wait_s()
            if wait:
                self._stop.wait(wait)
                continue
            self.attempts.note()
            self.reconnects += 1
            try:
                self._session()
            except Exception as err:  # noqa: BLE001 - any failure of a session means: reconnect
                self.failures += 1
                self.board.set_meta(self.market, state="down", since=self.clock(),
                                    last_error={"at": self.clock(), "message": _describe(err)})
                log.warning("%s stream down: %s", self.market, _describe(err))
            self.board.drop_market(self.market)
            self._subscribed.clear()
            self._books.clear()
            self._events.clear()
            self._seed_due.clear()
            if self._socket:
                self._socket.close()
                self._socket = None
            self._stop.wait(backoff_s(self.failures, self.rand))

    # ----- one connection -----
    def _session(self) -> None:
        base = ALL_MARKET[self.market]
        self.board.set_meta(self.market, state="connecting", reconnects=max(0, self.reconnects))
        self._socket = websocket.open_stream(websocket.stream_url(self.root, base, self.futures),
                                             self.proxy_url, self.timeout_s)
        connected_at = self.clock()
        self.board.set_meta(self.market, state="up", since=connected_at, connected_at=connected_at,
                            last_message_at=connected_at, last_event_s=None, streams=len(base))
        self._seed_all_market()
        while not self._stop.is_set():
            if self.clock() - connected_at >= self.max_age_s:
                log.info("%s stream reconnects before Binance's 24 h cut", self.market)
                self.failures = 0
                return
            self._follow_interest()
            message = self._socket.recv_json(TICK_S)
            if message is not None:
                self._receive(message)

    def _seed_all_market(self) -> None:
        """One REST call fills what the all-market stream only updates (prices: weight 4)."""
        try:
            if self.futures:
                rows = self.upstream.fetch("futures_ticker_24hr")
                self.board.put(self.market, "tickers", {r["symbol"]: r for r in rows if "symbol" in r}, self.clock())
            else:
                rows = self.upstream.fetch("ticker_prices")
                self.board.put(self.market, "prices", {r["symbol"]: r["price"] for r in rows if "symbol" in r},
                               self.clock())
        except UpstreamError as err:
            log.warning("%s stream seed failed (%s): REST serves until the next connection", self.market, err.message)

    def _receive(self, message: Any) -> None:
        now = self.clock()
        if not isinstance(message, dict):
            return
        if "stream" not in message:  # a reply to SUBSCRIBE/UNSUBSCRIBE
            if message.get("error"):
                log.warning("%s stream request %s refused: %s", self.market, message.get("id"), message["error"])
            self.board.set_meta(self.market, last_message_at=now)
            return
        stream, data = message.get("stream"), message.get("data")
        event_s = self._handle(stream, data)
        self.failures = 0  # data arrives: the next failure starts the back-off from the bottom
        self.board.set_meta(self.market, last_message_at=now,
                            **({"last_event_s": event_s} if event_s else {}))

    def _handle(self, stream: str, data: Any) -> Optional[float]:
        """Applies one event to the board; returns its event time in seconds."""
        try:
            if stream == "!miniTicker@arr":
                event_s = max(row["E"] for row in data) / 1000
                if self.board.get(self.market, "prices") is not None:  # only once seeded
                    self.board.merge(self.market, "prices", {row["s"]: row["c"] for row in data
                                                             if isinstance(row["s"], str) and decimal(row["c"])},
                                     event_s)
                return event_s
            if stream == "!ticker@arr":
                event_s = max(row["E"] for row in data) / 1000
                if self.board.get(self.market, "tickers") is not None:
                    self.board.merge(self.market, "tickers", {row["s"]: rest_ticker(row, False) for row in data},
                                     event_s)
                return event_s
            key = self._subscribed.get(stream)
            if key is None:
                return None
            event_s = data["E"] / 1000
            if stream.endswith("@ticker"):
                self.board.put(self.market, key, rest_ticker(data, not self.futures), event_s)
            elif "@kline_" in stream:
                self.board.candle(self.market, key, kline_row(data["k"]), event_s)
            elif stream.endswith("@depth@100ms"):
                self._depth(key, data, event_s)
            return event_s
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as err:  # decimal's too
            log.warning("%s stream %s sent an event of an unexpected shape: %s", self.market, stream, err)
            return None

    def _depth(self, key: str, data: dict, event_s: float) -> None:
        self._events.add(key, data)
        book = self._books.get(key)
        if book is None:
            if key in self._seed_due and self.clock() >= self._seed_due[key]:
                self._seed(key, self.interest().get(key))
            return
        if not book.apply(data):
            rule = "pu is not the previous u" if self.futures else "U is not the previous u + 1"
            log.info("%s %s: gap in the depth update ids (%s); seeding the book again", self.market, key, rule)
            self.board.drop(self.market, key)  # REST answers until the book is whole again
            self._books.pop(key, None)
            self.reseeds += 1
            self.board.set_meta(self.market, book_reseeds=self.reseeds)
            self._seed(key, self.interest().get(key) or book.limit)
            return
        self.board.put(self.market, key, book.snapshot(), event_s)

    # ----- on-demand streams -----
    def _follow_interest(self) -> None:
        wanted = self.interest()
        wanted_streams = {stream_for(k): k for k in wanted if stream_for(k)}
        stale = [s for s in self._subscribed if s not in wanted_streams]
        room = MAX_STREAMS[self.market] - len(ALL_MARKET[self.market]) - len(self._subscribed) + len(stale)
        new = [s for s in wanted_streams if s not in self._subscribed][:max(0, room)]
        if stale:
            self._request("UNSUBSCRIBE", stale)
            for stream in stale:
                key = self._subscribed.pop(stream)
                self._books.pop(key, None)
                self._events.forget(key)
                self._seed_due.pop(key, None)
                self.board.drop(self.market, key)
        if new:
            self._request("SUBSCRIBE", new)
            for stream in new:
                key = self._subscribed[stream] = wanted_streams[stream]
                if key.startswith("book:"):
                    # Binance's recipe: the stream's events first, then the snapshot. Seeded at once,
                    # before the subscription takes effect, the snapshot could predate the first event
                    # delivered, which futures' id jumps cannot tell from a gap.
                    self._seed_due[key] = 0.0
                else:
                    self._seed(key, wanted[key])
        for key, detail in wanted.items():  # a deeper book than seeded: seed again, deeper
            book = self._books.get(key)
            if book is not None and isinstance(detail, int) and detail > book.limit:
                self._seed(key, detail)
        if stale or new:
            self.board.set_meta(self.market, streams=len(ALL_MARKET[self.market]) + len(self._subscribed))

    def _request(self, method: str, streams: list[str]) -> None:
        self._socket.send_json({"method": method, "params": streams, "id": self._next_id})
        self._next_id += 1

    def _seed(self, key: str, detail: Any) -> None:
        """One REST call for what the stream only updates (candles, books); tickers need none."""
        kind, _, rest = key.partition(":")
        symbol, _, interval = rest.partition(":")
        try:
            if kind == "klines":
                endpoint = "futures_klines" if self.futures else "klines"
                rows = self.upstream.fetch(endpoint, symbol=symbol, interval=interval, limit=1000)
                self.board.put(self.market, key, rows, self.clock())
            elif kind == "book":
                self._seed_book(key, symbol, detail)
        except UpstreamError as err:
            log.warning("%s seed of %s failed (%s): REST serves it", self.market, key, err.message)


    def _seed_book(self, key: str, symbol: str, detail: Any) -> None:
        """A REST snapshot, continued by the events buffered meanwhile; served once they continue it."""
        limits = BOOK_SEED_LIMITS[self.market]
        limit = next((n for n in limits if n >= int(detail or 100)), limits[-1])
        endpoint = "futures_depth" if self.futures else "depth"
        self._seed_due.pop(key, None)
        book = Book(self.upstream.fetch(endpoint, symbol=symbol, limit=limit), limit, self.futures)
        if not self._events.replay(key, book):
            log.info("%s %s: the snapshot does not continue into the buffered events; seeding again", self.market, key)
            self._books.pop(key, None)
            self._seed_due[key] = self.clock() + RESEED_MIN_S
            return
        self._books[key] = book
        self.board.put(self.market, key, book.snapshot(), self.clock())


def _describe(err: Exception) -> str:
    """A short cause, with any URL's userinfo masked (a proxy's key may be its user name)."""
    return mask_urls_in(f"{type(err).__name__}: {err}")[:300]
