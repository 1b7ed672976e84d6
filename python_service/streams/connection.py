"""One market's websocket connection to Binance, kept alive by one thread.

It connects to the combined-stream endpoint with the market's all-market stream, seeds
what the streams only update (prices, tickers) with one REST call, keeps the on-demand
streams clients ask for (subscriptions.py; their candles are seeded here, their books in
books.py) and hands each event to the board in REST's shapes (reshape.py). Binance's
rules: answer pings (websockets does), reconnect before the 24 h cut (`max_age_s`), at
most 5 outgoing messages a second (upstream/websocket.py), at most 300 connection attempts
per 5 minutes, capped exponential back-off with full jitter."""
from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..settings import mask_urls_in
from ..upstream import websocket
from ..upstream.errors import UpstreamError
from .board import Board
from .books import Books
from .reshape import ALL_MARKET, all_market_change, kline_row, rest_prices, rest_ticker, rest_tickers
from .subscriptions import Subscriptions

log = logging.getLogger(__name__)

BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 30.0
ATTEMPTS_PER_WINDOW, ATTEMPT_WINDOW_S = 300, 300.0
TICK_S = 0.2  # how often the loop looks at interest, age and silence between messages
CANDLES_SEEDED = 1000  # candles of one REST call, continued by the kline stream


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


class SocketLoop:
    """A websocket kept open by a thread of its own (`_run`, until `_stop`): started once, and
    halted by closing its socket so that a blocked read returns at once."""
    thread_name = "stream"
    _thread: threading.Thread | None = None
    _socket: websocket.StreamSocket | None = None
    _stop: threading.Event

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True, name=f"{self.thread_name}-{self.market}")
            self._thread.start()

    def halt(self) -> None:
        self._stop.set()
        if self._socket:
            self._socket.close()
        if self._thread:
            self._thread.join(5)

    def _run(self) -> None:
        raise NotImplementedError


class Feed(SocketLoop):
    """The thread and connection of one market. `interest()` returns {key: detail} of what
    clients asked for recently (detail: the book depth wanted)."""

    def __init__(self, market: str, root: str, upstream, board: Board, interest: Callable[[], dict],
                 proxy_url: str | None, timeout_s: float, max_age_s: float,
                 clock: Callable[[], float] = time.time, rand: Callable[[], float] = random.random):
        self.market, self.root, self.upstream, self.board = market, root, upstream, board
        self.interest, self.proxy_url, self.timeout_s, self.max_age_s = interest, proxy_url, timeout_s, max_age_s
        self.clock, self.rand = clock, rand
        self.futures = market == "futures"
        self.attempts = AttemptLimit()
        self.failures = 0
        self.reconnects = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: websocket.StreamSocket | None = None
        self.subscriptions = Subscriptions(market, lambda message: self._socket.send_json(message))
        self.books = Books(market, upstream, board, interest, clock)

    # ----- lifecycle -----
    def stop(self) -> None:
        self.halt()
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
                                    last_error={"at": self.clock(), "message": describe(err)})
                log.warning("%s stream down: %s", self.market, describe(err))
            self._forget_session()
            self._stop.wait(backoff_s(self.failures, self.rand))

    def _forget_session(self) -> None:
        self.board.drop_market(self.market)
        self.subscriptions.clear()
        self.books.clear()
        if self._socket:
            self._socket.close()
            self._socket = None

    # ----- one connection -----
    def _session(self) -> None:
        base = list(ALL_MARKET[self.market])
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
                self.board.put(self.market, "tickers", rest_tickers(self.upstream.fetch("futures_ticker_24hr")),
                               self.clock())
            else:
                self.board.put(self.market, "prices", rest_prices(self.upstream.fetch("ticker_prices")), self.clock())
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
        event_s = self._handle(message.get("stream"), message.get("data"))
        self.failures = 0  # data arrives: the next failure starts the back-off from the bottom
        self.board.set_meta(self.market, last_message_at=now, **({"last_event_s": event_s} if event_s else {}))

    def _handle(self, stream: str, data: Any) -> float | None:
        """Applies one event to the board; returns its event time in seconds."""
        try:
            change = all_market_change(stream, data)
            if change is not None:
                key, changed, event_s = change
                if self.board.get(self.market, key) is not None:  # only once seeded
                    self.board.merge(self.market, key, changed, event_s)
                return event_s
            key = self.subscriptions.key_of(stream)
            if key is None:
                return None
            event_s = data["E"] / 1000
            if stream.endswith("@ticker"):
                self.board.put(self.market, key, rest_ticker(data, not self.futures), event_s)
            elif "@kline_" in stream:
                self.board.candle(self.market, key, kline_row(data["k"]), event_s)
            elif stream.endswith("@depth@100ms"):
                self.books.on_event(key, data, event_s)
            return event_s
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as err:  # decimal's too
            log.warning("%s stream %s sent an event of an unexpected shape: %s", self.market, stream, err)
            return None

    # ----- on-demand streams -----
    def _follow_interest(self) -> None:
        wanted = self.interest()
        new, dropped = self.subscriptions.follow(wanted)
        for key in dropped:
            self.books.forget(key)
            self.board.drop(self.market, key)
        for key in new:
            if key.startswith("book:"):
                self.books.subscribed(key)
            else:
                self._seed_candles(key)
        self.books.deepen(wanted)
        if new or dropped:
            self.board.set_meta(self.market, streams=self.subscriptions.count())

    def _seed_candles(self, key: str) -> None:
        """One REST call for the candles a kline stream only updates (tickers need none)."""
        kind, _, rest = key.partition(":")
        symbol, _, interval = rest.partition(":")
        if kind != "klines":
            return
        try:
            rows = self.upstream.fetch("futures_klines" if self.futures else "klines", symbol=symbol,
                                       interval=interval, limit=CANDLES_SEEDED)
            self.board.put(self.market, key, rows, self.clock())
        except UpstreamError as err:
            log.warning("%s seed of %s failed (%s): REST serves it", self.market, key, err.message)


def describe(err: Exception) -> str:
    """A short cause, with any URL's userinfo masked (a proxy's key may be its user name)."""
    return mask_urls_in(f"{type(err).__name__}: {err}")[:300]
