"""One market's connections to Binance's market streams (a Feed), each kept by a thread (a Link).

The main link connects to the combined-stream endpoint with the market's all-market stream and
seeds what that stream only updates (prices, tickers) with one REST call. The streams clients ask
for (the gateway's own on-demand ones, subscriptions.py, and bots' streams through the stream
mirror, "raw:" keys) are subscribed on the links: one per market, another only past Binance's
streams per connection (1,024 spot, 200 futures); USDT-M futures streams go to the root that
carries them since Binance split it (stream_names.route: depth and bookTicker on /public, the rest
on /market, the main link). Each frame is applied to the board when the board keeps its stream
(reshape.py, books.py), then handed on as it came (`on_frame`: the stream mirror).

Binance's rules: answer pings (websockets does), reconnect before the 24 h cut (`max_age_s`), at
most 5 outgoing messages a second (upstream/websocket.py), connection attempts within the
deployment's budget (upstream/ws_attempts.py: Binance's 300 per 5 minutes per IP), none while the
market's REST state says Binance will refuse us (a ban, a rate limit, a restriction's cool-down),
capped exponential back-off with full jitter."""
from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable

from ..settings import mask_urls_in
from ..upstream import Market, websocket
from ..upstream.errors import UpstreamError
from .board import Board
from .books import Books
from .reshape import ALL_MARKET, all_market_change, kline_row, rest_prices, rest_ticker, rest_tickers
from .stream_names import route
from .subscriptions import MAX_STREAMS, RAW, Subscriptions, stream_for

log = logging.getLogger(__name__)

BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 30.0
TICK_S = 0.2  # how often the feed looks at interest, age and silence
CANDLES_SEEDED = 1000  # candles of one REST call, continued by the kline stream
META_EVERY_S = 0.5  # the market's last-message time is written at most this often (it is shared)
HELD_STATES = ("banned", "rate_limited", "restricted")
COMBINED = re.compile(r'\{\s*"stream"\s*:\s*"([^"\\]+)"\s*,\s*"data"\s*:\s*')
MAIN_ROUTE = {"spot": "", "futures": "/market"}

FrameSink = Callable[[str, str, str, str], None]  # (market, stream, frame as it came, its payload)


def backoff_s(failures: int, rand: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^failures)]."""
    return rand() * min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** min(failures, 16))


def split_frame(raw: str) -> tuple[str, str] | None:
    """(stream, payload text) of a combined-stream frame {"stream":..,"data":..}, the payload cut
    out as Binance wrote it; None for anything else (a reply to a request of ours)."""
    match = COMBINED.match(raw)
    if match is None:
        return None
    end = raw.rstrip()
    if not end.endswith("}"):
        return None
    return match.group(1), end[match.end():-1].rstrip()


class Link:
    """One connection to Binance: its root route, its streams, the thread that keeps it."""

    def __init__(self, feed: Feed, route_path: str, main: bool):
        self.feed, self.route, self.main = feed, route_path, main
        base = tuple(ALL_MARKET[feed.market]) if main else ()
        self.subscriptions = Subscriptions(MAX_STREAMS[feed.market], self._send, base)
        self.assigned: set[str] = set()  # streams this link should carry
        self.socket: websocket.StreamSocket | None = None
        self.up = False
        self.failures = 0
        self.reconnects = -1
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"stream-{feed.market}{route_path.replace('/', '-')}")

    def start(self) -> None:
        self._thread.start()

    def join(self, seconds: float) -> None:
        if self._thread.is_alive():
            self._thread.join(seconds)

    def _send(self, message: dict) -> None:
        self.socket.send_json(message)

    def follow(self) -> tuple[list[str], list[str]]:
        """Subscribes and drops what `assigned` changed (only while connected)."""
        if not self.up or self.socket is None:
            return [], []
        try:
            return self.subscriptions.follow(set(self.assigned))
        except Exception as err:  # noqa: BLE001 - a send on a dying connection: the reader sees it go
            log.info("%s%s subscription request failed: %s", self.feed.market, self.route, describe(err))
            return [], []

    def _run(self) -> None:
        feed = self.feed
        while not feed.stopping.is_set():
            if not self.main and not self.assigned:
                feed.stopping.wait(TICK_S)  # nothing to carry: no connection
                continue
            wait = feed.may_connect()
            if wait:
                feed.stopping.wait(min(wait, 5.0))
                continue
            self.reconnects += 1
            try:
                self._session()
            except Exception as err:  # noqa: BLE001 - any failure of a session means: reconnect
                self.failures += 1
                feed.link_down(self, err)
            else:
                feed.link_down(self, None)
            self._forget()
            feed.stopping.wait(backoff_s(self.failures, feed.rand))

    def _forget(self) -> None:
        self.up = False
        self.subscriptions.clear()
        if self.socket:
            self.socket.close()
            self.socket = None

    def _session(self) -> None:
        feed = self.feed
        url = websocket.stream_url(feed.root + self.route, sorted(self.subscriptions.base))
        self.socket = websocket.open_stream(url, feed.proxy_url, feed.timeout_s)
        connected_at = feed.clock()
        self.up = True
        feed.link_up(self, connected_at)
        while not feed.stopping.is_set():
            if feed.clock() - connected_at >= feed.max_age_s:
                log.info("%s%s stream reconnects before Binance's 24 h cut", feed.market, self.route)
                self.failures = 0
                return
            raw = self.socket.recv_text(TICK_S)
            if raw is not None:
                feed.on_text(self, raw)

    def close(self) -> None:
        if self.socket:
            self.socket.close()


class Feed:
    """The links of one market. `interest()` returns {key: detail} of what clients asked for
    recently (detail: the book depth wanted); `on_frame` gets every stream frame (the mirror)."""

    def __init__(self, market: str, root: str, upstream, board: Board, interest: Callable[[], dict],
                 proxy_url: str | None, timeout_s: float, max_age_s: float, attempts=None,
                 on_frame: FrameSink | None = None, clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random):
        self.market, self.root, self.upstream, self.board = market, root.rstrip("/"), upstream, board
        self.interest, self.proxy_url, self.timeout_s, self.max_age_s = interest, proxy_url, timeout_s, max_age_s
        self.attempts, self.on_frame = attempts, on_frame
        self.clock, self.rand = clock, rand
        self.futures = market == "futures"
        self.stopping = threading.Event()
        self.books = Books(market, upstream, board, interest, clock)
        self.links: list[Link] = [Link(self, MAIN_ROUTE[market], main=True)]
        self.keys_of: dict[str, set[str]] = {}  # stream -> board keys it keeps (not raw ones)
        self._lock = threading.Lock()
        self._meta_at = 0.0
        self._served: set[str] = set()  # board keys whose stream a connected link carries
        self._manager: threading.Thread | None = None

    # ----- lifecycle -----
    def start(self) -> None:
        if self._manager is None:
            self.board.set_meta(self.market, state="connecting", url=self.root, reconnects=0)
            self._manager = threading.Thread(target=self._manage, daemon=True, name=f"stream-{self.market}")
            self._manager.start()
            self.links[0].start()

    def stop(self) -> None:
        self.stopping.set()
        for link in list(self.links):
            link.close()
        for link in list(self.links):
            link.join(5)
        if self._manager:
            self._manager.join(5)
        self.board.set_meta(self.market, state="stopped")
        self.board.drop_market(self.market)

    def may_connect(self) -> float:
        """0 when a connection attempt may be made now (and is counted), else how long to wait."""
        state = self.upstream.state_of(Market(self.market)).snapshot()
        if state["state"] in HELD_STATES and state["retry_after_s"]:
            return state["retry_after_s"]
        return self.attempts.take() if self.attempts is not None else 0.0

    # ----- the links tell -----
    def link_up(self, link: Link, connected_at: float) -> None:
        if link.main:
            self.board.set_meta(self.market, state="up", since=connected_at, connected_at=connected_at,
                                last_message_at=connected_at, last_event_s=None, streams=self.count(),
                                reconnects=max(0, link.reconnects))
            self._seed_all_market()
        self._follow_now()

    def link_down(self, link: Link, err: Exception | None) -> None:
        with self._lock:
            carried = [key for stream in link.subscriptions.subscribed for key in self.keys_of.get(stream, ())]
            self._served -= set(carried)
        for key in carried:
            self.books.forget(key)
            self.board.drop(self.market, key)
        if not link.main:
            if err is not None:
                log.warning("%s%s stream down: %s", self.market, link.route, describe(err))
            return
        self.books.clear()
        self.board.drop_market(self.market)
        with self._lock:
            self._served.clear()
        if err is not None:
            self.board.set_meta(self.market, state="down", since=self.clock(),
                                last_error={"at": self.clock(), "message": describe(err)})
            log.warning("%s stream down: %s", self.market, describe(err))

    def count(self) -> int:
        return sum(link.subscriptions.count() for link in self.links)

    # ----- frames -----
    def on_text(self, link: Link, raw: str) -> None:
        now = self.clock()
        split = split_frame(raw)
        if split is None:
            self._reply(raw)
            self._note_message(now, None)
            return
        stream, payload = split
        event_s = None
        if stream in ALL_MARKET[self.market] or stream in self.keys_of:
            event_s = self._handle(stream, payload)
        link.failures = 0  # data arrives: the next failure starts the back-off from the bottom
        if self.on_frame is not None:
            self.on_frame(self.market, stream, raw, payload)
        self._note_message(now, event_s)

    def _reply(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("error"):
            log.warning("%s stream request %s refused: %s", self.market, message.get("id"), message["error"])

    def _note_message(self, now: float, event_s: float | None) -> None:
        """The market's last message (and event) time, written at most every META_EVERY_S: the board's
        meta is shared with the other workers, and streams can bring thousands of frames a second."""
        if now - self._meta_at < META_EVERY_S and event_s is None:
            return
        if now - self._meta_at < META_EVERY_S and self.board.meta(self.market).get("last_event_s"):
            return
        self._meta_at = now
        self.board.set_meta(self.market, last_message_at=now, **({"last_event_s": event_s} if event_s else {}))

    def _handle(self, stream: str, payload: str) -> float | None:
        """Applies one event to the board; returns its event time in seconds."""
        try:
            data = json.loads(payload)
            change = all_market_change(stream, data)
            if change is not None:
                key, changed, event_s = change
                if self.board.get(self.market, key) is not None:  # only once seeded
                    self.board.merge(self.market, key, changed, event_s)
                return event_s
            event_s = data["E"] / 1000
            for key in self.keys_of.get(stream, ()):
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

    # ----- what clients want -----
    def _manage(self) -> None:
        while not self.stopping.wait(TICK_S):
            try:
                self._follow_now()
            except Exception:
                log.exception("%s stream interest could not be followed", self.market)

    def _follow_now(self) -> None:
        with self._lock:
            wanted = self.interest()
            streams: dict[str, set[str]] = {}
            for key in wanted:
                stream = stream_for(key)
                if stream:
                    keys = streams.setdefault(stream, set())
                    if not key.startswith(RAW):
                        keys.add(key)
            gone = [k for s, keys in self.keys_of.items() for k in keys if k not in streams.get(s, ())]
            self._assign(set(streams))
            for link in list(self.links):
                link.follow()
            self.keys_of = {s: keys for s, keys in streams.items() if keys}
            carried = {s for link in self.links if link.up for s in link.subscriptions.subscribed}
            carried |= {s for link in self.links if link.up for s in link.subscriptions.base}
            served = {k for s, keys in self.keys_of.items() if s in carried for k in keys}
            new, self._served = served - self._served, served
        for key in gone:
            self.books.forget(key)
            self.board.drop(self.market, key)
        for key in sorted(new):
            if key.startswith("book:"):
                self.books.subscribed(key)
            else:
                self._seed_candles(key)
        self.books.deepen(wanted)
        if self.board.meta(self.market).get("streams") != self.count():
            self.board.set_meta(self.market, streams=self.count())

    def _assign(self, wanted: set[str]) -> None:
        """Keeps each wanted stream on the link that carries it; a new one goes to the first link of
        its root with room, or to a new link. A link that carries nothing closes (not the main one)."""
        for link in self.links:
            link.assigned &= wanted
        placed = {s for link in self.links for s in link.assigned}
        for stream in sorted(wanted - placed):
            path = route(self.market, stream)
            link = next((li for li in self.links if li.route == path and
                         len(li.assigned) + len(li.subscriptions.base) < li.subscriptions.capacity), None)
            if link is None:
                link = Link(self, path, main=False)
                self.links.append(link)
                link.start()
            link.assigned.add(stream)
        for link in self.links:
            if not link.main and not link.assigned and link.up:
                link.close()  # its thread sees the close, and waits for streams again

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
