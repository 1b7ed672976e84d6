"""Binance's websocket market streams, faked on loopback beside a FakeBinance.

Spot root: `ws://HOST:PORT` (`/stream?streams=a/b`, `/ws/<name>`); USDT-M futures
root: `ws://HOST:PORT/futures` (`/market/stream?streams=`, as Binance routes its
regular market data since 2025). What the fake's prices do (its REST market data,
`fake.prices`) is pushed on the streams: `!miniTicker@arr` (spot), `!ticker@arr` and
`!markPrice@arr@1s` (futures), `<symbol>@kline_<interval>`, `<symbol>@trade`, `<symbol>@aggTrade`,
`<symbol>@miniTicker`, `<symbol>@depth@100ms`
(diff depth cut from the same book as the REST snapshot, depth_books.py: removals as quantity
"0", never crossed, update ids that continue the snapshot's `lastUpdateId`; on futures,
Binance's USDT-M payload with `T` and `pu`, the previous event's `u`, and ids that jump
between one symbol's events, as other symbols' updates take the ids between).

The protocol: combined streams wrap payloads as {"stream": name, "data": payload};
SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS with ids and replies; server pings
(websockets' keepalive: a connection that does not answer is closed); more than
`max_incoming_per_s` messages a second from a client closes it, as Binance does;
at most `max_streams` streams per connection.

Faults for the tests: `disconnect()` (the 24 h cut), `stall()` (open but silent),
`drop_next_depth(symbol, market)` (an update-id gap), `refuse` (handshakes answered 503).
`connections` is the log: market, peer address, path, streams, open/close times.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from .listings import FUTURES_SYMBOLS
from .more_routes import INTERVAL_MS

SPOT, FUTURES = "spot", "futures"
SENT_KEPT = 1000  # payloads kept per stream for the tests to compare with what a client got
WS_API_PATH = "/ws-api/v3"  # Binance's WebSocket API (wss://ws-api.binance.com:443/ws-api/v3)
PRIVATE_PREFIX = "/futures/private/ws/"  # USDT-M user data: <futures root>/private/ws/<listenKey>


@dataclass
class StreamConnection:
    """One client connection as the tests see it."""
    id: int
    market: str
    peer: str
    path: str
    opened_at: float
    streams: set = field(default_factory=set)
    closed_at: float | None = None
    close_reason: str | None = None  # set when the fake closed it
    requests: list = field(default_factory=list)  # the JSON requests the client sent
    conn: object = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def open(self) -> bool:
        return self.closed_at is None


class FakeStreams:
    def __init__(self, fake, host: str = "127.0.0.1", ping_interval: float = 20, ping_timeout: float = 60,
                 refresh_s: float = 1.0, poll_s: float = 0.01, max_streams: int = 1024,
                 max_incoming_per_s: int = 5):
        """Changes of `fake.prices` are pushed within `poll_s`; every `refresh_s` the
        all-market arrays are sent in full (Binance's 1 s cadence), so a healthy stream is never silent."""
        self.fake, self.host = fake, host
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout
        self.refresh_s, self.poll_s = refresh_s, poll_s
        self.max_streams, self.max_incoming_per_s = max_streams, max_incoming_per_s
        self.connections: list[StreamConnection] = []
        self.sent: dict[tuple[str, str], deque] = {}  # (market, stream) -> the payloads last sent (as text)
        self.refuse = False  # handshakes answered 503 while set
        self.stalled: set[str] = set()  # markets whose connections get no data (pings continue)
        self.change_times: dict[str, float] = {}  # symbol -> when the fake's price last changed
        self._drop_depth: set[tuple[str, str]] = set()  # (market, symbol)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._seen = dict(fake.prices)
        self._candles: dict[tuple, dict] = {}
        self._trade_ids: dict[str, int] = {}
        self._server = None

    # ----- lifecycle -----
    def start(self, port: int = 0) -> FakeStreams:
        self._server = serve(self._handle, self.host, port, process_request=self._process_request,
                             ping_interval=self.ping_interval, ping_timeout=self.ping_timeout,
                             close_timeout=1, compression=None)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-streams").start()
        threading.Thread(target=self._pusher, daemon=True, name="fake-streams-push").start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.disconnect()
        if self._server:
            self._server.shutdown()

    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def futures_url(self) -> str:
        return f"ws://{self.host}:{self.port}/futures"

    @property
    def ws_api_url(self) -> str:
        return f"ws://{self.host}:{self.port}{WS_API_PATH}"

    # ----- what tests use -----
    def open_connections(self, market: str | None = None) -> list[StreamConnection]:
        with self._lock:
            return [c for c in self.connections if c.open and market in (None, c.market)]

    def count(self, market: str | None = None) -> int:
        """Connections ever opened (to `market`)."""
        with self._lock:
            return sum(1 for c in self.connections if market in (None, c.market))

    def disconnect(self, market: str | None = None) -> int:
        """Closes every open connection (to `market`), as Binance does at the 24 h mark."""
        closing = self.open_connections(market)
        for record in closing:
            try:
                record.conn.close(1001, "going away")
            except Exception:  # noqa: BLE001 - already gone
                pass
        return len(closing)

    def stall(self, market: str | None = None, on: bool = True) -> None:
        for name in ([market] if market else [SPOT, FUTURES]):
            (self.stalled.add if on else self.stalled.discard)(name)

    def drop_next_depth(self, symbol: str, market: str = SPOT) -> None:
        """The next depth update of `symbol` on `market` is never sent: the client sees a gap in the
        update ids (spot: U is not the previous u + 1; futures: pu is not the previous u)."""
        self._drop_depth.add((market, symbol.upper()))

    def set_price(self, symbol: str, price: str) -> float:
        """Changes the fake's price (REST and streams alike); returns the change time."""
        self.fake.prices[symbol] = price
        return time.time()

    # ----- the server side -----
    def _process_request(self, connection, request):
        if self.refuse:
            return connection.respond(503, "Service Unavailable\n")
        path = urlsplit(request.path).path
        if path == WS_API_PATH:
            return None
        if path.startswith(PRIVATE_PREFIX):
            return None if self.fake.user_data.live_key(path[len(PRIVATE_PREFIX):]) else \
                connection.respond(400, "Invalid listenKey\n")
        if not self._parse_path(request.path)[0]:
            return connection.respond(404, "Not Found\n")
        return None

    @staticmethod
    def _parse_path(path: str):
        parts = urlsplit(path)
        market, route = (FUTURES, parts.path[len("/futures"):]) if parts.path.startswith("/futures/") \
            else (SPOT, parts.path)
        if market == FUTURES and route.startswith(("/market/", "/public/")):
            route = route[len("/market"):]
        if route == "/stream":
            streams = [s for raw in parse_qs(parts.query).get("streams", []) for s in raw.split("/") if s]
            return market, streams, True
        if route.startswith("/ws/") or route == "/ws":
            return market, [s for s in route[len("/ws/"):].split("/") if s], False
        return None, [], False

    def _handle(self, conn) -> None:
        path = urlsplit(conn.request.path).path
        if path == WS_API_PATH:  # the WebSocket API: spot user data (user_data.py)
            return self.fake.user_data.serve_api(conn)
        if path.startswith(PRIVATE_PREFIX):  # a futures listenKey's stream
            return self.fake.user_data.serve_key_stream(conn, path[len(PRIVATE_PREFIX):])
        market, streams, combined = self._parse_path(conn.request.path)
        try:
            peer = conn.remote_address[0]
        except OSError:  # the client is already gone
            return
        with self._lock:
            record = StreamConnection(len(self.connections) + 1, market, peer, conn.request.path,
                                      time.time(), set(streams[:self.max_streams]), conn=conn)
            record.combined = combined
            self.connections.append(record)
        received: list[float] = []
        try:
            for message in conn:
                now = time.monotonic()
                received = [t for t in received if now - t < 1] + [now]
                if len(received) > self.max_incoming_per_s:
                    record.close_reason = "too many messages"  # Binance disconnects a client over its limit
                    record.closed_at = time.time()
                    conn.close(1008, "Too many messages")
                    break
                self._answer(record, message)
        except ConnectionClosed:
            pass
        finally:
            record.closed_at = time.time()

    def _answer(self, record: StreamConnection, message) -> None:
        try:
            request = json.loads(message)
        except ValueError:
            return self._reply(record, {"error": {"code": 3, "msg": "Invalid JSON"}, "id": None})
        record.requests.append(request)
        ident = request.get("id") if isinstance(request, dict) else None
        method = request.get("method") if isinstance(request, dict) else None
        params = request.get("params", []) if isinstance(request, dict) else None
        if method in ("SUBSCRIBE", "UNSUBSCRIBE") and isinstance(params, list) and \
                all(isinstance(p, str) for p in params):
            with self._lock:
                if method == "SUBSCRIBE":
                    if len(record.streams | set(params)) > self.max_streams:
                        return self._reply(record, {"error": {"code": 2, "msg": "Too many streams"}, "id": ident})
                    record.streams |= set(params)
                else:
                    record.streams -= set(params)
            return self._reply(record, {"result": None, "id": ident})
        if method == "LIST_SUBSCRIPTIONS":
            return self._reply(record, {"result": sorted(record.streams), "id": ident})
        self._reply(record, {"error": {"code": 2, "msg": f"Invalid request: unknown method {method!r}"}, "id": ident})

    def _reply(self, record: StreamConnection, body: dict) -> None:
        self._send(record, json.dumps(body, separators=(",", ":"), ensure_ascii=False))

    def _send(self, record: StreamConnection, text: str) -> None:
        try:
            with record.lock:
                record.conn.send(text)
        except ConnectionClosed:
            pass

    def _publish(self, stream: str, payload, market: str) -> None:
        """Binance's compact JSON; `sent` keeps the payload text of each stream's last frames."""
        if market in self.stalled:
            return
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        self.sent.setdefault((market, stream), deque(maxlen=SENT_KEPT)).append(data)
        for record in self.open_connections(market):
            if stream in record.streams:
                combined = getattr(record, "combined", True)
                self._send(record, f'{{"stream":"{stream}","data":{data}}}' if combined else data)

    # ----- what is pushed -----
    def _pusher(self) -> None:
        last_full = 0.0
        while not self._stop.wait(self.poll_s):
            prices = dict(self.fake.prices)
            changed = [s for s, p in prices.items() if self._seen.get(s) != p]
            now = time.time()
            for symbol in changed:
                self.change_times[symbol] = now
            self._seen = prices
            full = now - last_full >= self.refresh_s
            if full:
                last_full = now
            if changed or full:
                self._push_all_market(prices, prices if full else {s: prices[s] for s in changed})
            self._push_symbol_streams(prices, changed, full)

    def _push_all_market(self, prices: dict, rows: dict) -> None:
        event_ms = self.fake.server_time_ms()
        self._publish("!miniTicker@arr", [mini_ticker(s, p, event_ms) for s, p in rows.items()], SPOT)
        futures = {s: p for s, p in rows.items() if s in FUTURES_SYMBOLS}
        if futures:
            self._publish("!ticker@arr", [futures_ticker(s, p, event_ms) for s, p in futures.items()], FUTURES)
            self._publish("!markPrice@arr@1s", [mark_price(s, p, event_ms) for s, p in futures.items()], FUTURES)

    def _push_symbol_streams(self, prices: dict, changed: list, full: bool) -> None:
        wanted = {(c.market, s) for c in self.open_connections() for s in c.streams if "@" in s and s[0] != "!"}
        depth: dict[tuple[str, str], list[str]] = {}  # one event per book, to every depth stream of it
        for market, stream in wanted:
            symbol, _, kind = stream.partition("@")
            symbol = symbol.upper()
            if symbol not in prices or not (full or symbol in changed):
                continue
            if kind.startswith("kline_"):
                self._publish(stream, self._kline(symbol, kind[len("kline_"):], prices[symbol]), market)
            elif kind == "ticker":
                self._publish(stream, spot_ticker(symbol, prices[symbol], self.fake.server_time_ms()), market)
            elif kind == "miniTicker":
                self._publish(stream, mini_ticker(symbol, prices[symbol], self.fake.server_time_ms()), market)
            elif kind in ("trade", "aggTrade"):
                self._publish(stream, self._trade(kind, symbol, prices[symbol]), market)
            elif kind in ("depth@100ms", "depth"):
                depth.setdefault((market, symbol), []).append(stream)
        for (market, symbol), streams in depth.items():
            self._push_book(market, symbol, streams, prices[symbol])

    def _trade(self, kind: str, symbol: str, price: str) -> dict:
        """A trade at the current price (`<symbol>@trade`, `<symbol>@aggTrade`), ids counting up per symbol."""
        now = self.fake.server_time_ms()
        self._trade_ids[symbol] = ident = self._trade_ids.get(symbol, 28456) + 1
        if kind == "trade":
            return {"e": "trade", "E": now, "s": symbol, "t": ident, "p": price, "q": "0.01000000", "T": now - 1,
                    "m": ident % 2 == 0, "M": True}
        return {"e": "aggTrade", "E": now, "s": symbol, "a": ident, "p": price, "q": "0.01000000", "f": ident,
                "l": ident, "T": now - 1, "m": ident % 2 == 0, "M": True}

    def _kline(self, symbol: str, interval: str, price: str) -> dict:
        now = self.fake.server_time_ms()
        step = INTERVAL_MS.get(interval, 60_000)
        start = now - now % step
        key = (symbol, interval)
        candle = self._candles.get(key)
        if candle is None or candle["t"] != start:
            candle = {"t": start, "T": start + step - 1, "s": symbol, "i": interval, "f": 100, "L": 200,
                      "o": price, "c": price, "h": price, "l": price, "v": "10.00000000", "n": 100, "x": False,
                      "q": "100.00000000", "V": "5.00000000", "Q": "50.00000000", "B": "0"}
            self._candles[key] = candle
        candle.update(c=price, h=max(candle["h"], price, key=Decimal), l=min(candle["l"], price, key=Decimal))
        return {"e": "kline", "E": now, "s": symbol, "k": dict(candle)}

    def _push_book(self, market: str, symbol: str, streams: list[str], price: str) -> None:
        """One diff-depth event of the book, to each of its depth streams: spot {"e","E","s","U","u","b","a"},
        USDT-M {"e","E","T","s","U","u","pu","b","a"} (U jumps past the previous u, pu names it). A
        stalled market's books wait: their next event carries all that moved meanwhile, so the update
        ids still chain when the stall ends."""
        if market in self.stalled:
            return
        if market == FUTURES:
            price = self.fake.futures_price(symbol)
        event = self.fake.depth_books.event(market, symbol, price)
        if event is None or self._dropped(market, symbol):
            return
        now = self.fake.server_time_ms()
        head = {"e": "depthUpdate", "E": now, **({"T": now - 1} if market == FUTURES else {}), "s": symbol}
        for stream in streams:
            self._publish(stream, {**head, **event}, market)

    def _dropped(self, market: str, symbol: str) -> bool:
        if (market, symbol) in self._drop_depth:
            self._drop_depth.discard((market, symbol))
            return True
        return False


def _d(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00000001')):f}"


def mini_ticker(symbol: str, price: str, event_ms: int) -> dict:
    last = Decimal(price)
    return {"e": "24hrMiniTicker", "E": event_ms, "s": symbol, "c": price, "o": _d(last * Decimal("0.98")),
            "h": _d(last * Decimal("1.01")), "l": _d(last * Decimal("0.97")), "v": "12345.67800000",
            "q": _d(last * Decimal("12345.678"))}


def futures_ticker(symbol: str, price: str, event_ms: int) -> dict:
    last = Decimal(price)
    open_ = last * Decimal("0.98")
    return {"e": "24hrTicker", "E": event_ms, "s": symbol, "p": _d(last - open_), "P": "2.041",
            "w": _d((last + open_) / 2), "c": _d(last), "Q": "0.01000000", "o": _d(open_),
            "h": _d(last * Decimal("1.01")), "l": _d(open_ * Decimal("0.99")), "v": "12345.67800000",
            "q": _d(last * Decimal("12345.678")), "O": event_ms - 86_400_000, "C": event_ms,
            "F": 1000, "L": 2000, "n": 1001}


def spot_ticker(symbol: str, price: str, event_ms: int) -> dict:
    """`<symbol>@ticker`: the futures ticker's fields plus the book and the previous close."""
    last = Decimal(price)
    return {**futures_ticker(symbol, price, event_ms), "x": _d(last * Decimal("0.98")),
            "b": _d(last * Decimal("0.9999")), "B": "1.50000000", "a": _d(last * Decimal("1.0001")), "A": "2.25000000"}


def mark_price(symbol: str, price: str, event_ms: int) -> dict:
    return {"e": "markPriceUpdate", "E": event_ms, "s": symbol, "p": price, "ap": price, "P": price, "i": price,
            "r": "0.00010000", "T": event_ms - event_ms % 28_800_000 + 28_800_000}
