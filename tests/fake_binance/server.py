"""A fake Binance REST exchange on loopback: real HTTP, Binance's shapes, weights,
signature checks and switchable faults, with a request log for the tests."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import struct
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qsl, urlsplit

from . import market, mirror_routes
from . import more_routes as more
from .faults import RESTRICTED_MSG, Fault, FaultBook

WEIGHT_LIMIT_1M = 6000
DEFAULT_RETRY_AFTER = {429: 60, 418: 300}


@dataclass
class RequestRecord:
    method: str
    path: str
    query: str
    params: dict
    headers: dict
    client_addr: str
    weight: int
    at: float
    status: int = 0
    fault: Optional[str] = None


class BinanceError(Exception):
    def __init__(self, status: int, code: int, msg: str):
        self.status, self.code, self.msg = status, code, msg


@dataclass
class Route:
    handler: Callable
    weight: Callable[[dict], int]
    signed: bool = False
    futures: bool = False


def _symbols_param(params: dict) -> Optional[list]:
    raw = params.get("symbols")
    if raw is None:
        return None
    try:
        symbols = json.loads(raw)
    except ValueError:
        raise BinanceError(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
    if not isinstance(symbols, list) or not symbols or not all(isinstance(s, str) for s in symbols):
        raise BinanceError(400, -1100, "Illegal characters found in parameter 'symbols'.")
    return symbols


def _weight_ticker_price(params):
    return 2 if "symbol" in params else 4


def _weight_ticker_24hr(params):
    if "symbol" in params:
        return 2
    if "symbols" in params:
        try:
            n = len(json.loads(params["symbols"]))
        except (ValueError, TypeError):
            return 2
        return 2 if n <= 20 else 40 if n <= 100 else 80
    return 80


def _const(weight):
    return lambda params: weight


class FakeBinance:
    """Start with `start()`; `url` is the spot root and also serves /fapi and /sapi."""

    def __init__(self, host: str = "127.0.0.1", api_keys: Optional[dict] = None,
                 weight_limit: int = WEIGHT_LIMIT_1M, clock: Callable[[], float] = time.time,
                 weight_clock: Optional[Callable[[], float]] = None):
        self.host = host
        self.api_keys = dict(api_keys or {})
        self.weight_limit = weight_limit
        self.clock = clock  # server time (signatures, serverTime)
        self.weight_clock = weight_clock or clock  # which minute the weight counters belong to
        self.server_time_offset_ms = 0
        self.prices = market.initial_prices()
        self.filter_overrides: dict[str, dict] = {}  # symbol -> {filterType: {field: value}}
        self.faults = FaultBook()
        self.log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._weights: dict[tuple, int] = {}
        self._stopping = threading.Event()
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.routes = {**mirror_routes.routes(self, Route), **self._routes()}  # its own routes win
        self.write_routes = mirror_routes.write_routes(self)

    # ----- lifecycle -----
    def start(self, port: int = 0) -> "FakeBinance":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server((self.host, port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ----- what tests use -----
    def add_fault(self, kind: str, **kwargs) -> Fault:
        return self.faults.add(Fault(kind, **kwargs))

    def requests_to(self, path: Optional[str] = None) -> list[RequestRecord]:
        with self._log_lock:
            return [r for r in self.log if path is None or r.path == path]

    def count(self, path: Optional[str] = None) -> int:
        return len(self.requests_to(path))

    def reset(self) -> None:
        self.faults.clear()
        with self._log_lock:
            self.log.clear()
            self._weights.clear()
        self.prices = market.initial_prices()
        self.server_time_offset_ms = 0

    def server_time_ms(self) -> int:
        return int(self.clock() * 1000) + self.server_time_offset_ms

    # ----- weight -----
    def _spend(self, futures: bool, weight: int) -> tuple[int, bool]:
        """Adds `weight` to this minute's counter; returns (used, over_limit)."""
        minute = int(self.weight_clock() // 60)
        key = (futures, minute)
        with self._log_lock:
            used = self._weights.get(key, 0) + weight
            self._weights[key] = used
        return used, used > self.weight_limit

    def used_weight(self, futures: bool = False) -> int:
        with self._log_lock:
            return self._weights.get((futures, int(self.weight_clock() // 60)), 0)

    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self.log.append(record)

    # ----- routes -----
    def _routes(self) -> dict[str, Route]:
        return {
            "/api/v3/ping": Route(lambda p, h: {}, _const(1)),
            "/api/v3/time": Route(lambda p, h: {"serverTime": self.server_time_ms()}, _const(1)),
            "/api/v3/ticker/price": Route(self._ticker_price, _weight_ticker_price),
            "/api/v3/ticker/24hr": Route(self._ticker_24hr, _weight_ticker_24hr),
            "/api/v3/exchangeInfo": Route(self._exchange_info, _const(20)),
            "/api/v3/account": Route(lambda p, h: market.account(self.server_time_ms()), _const(20), signed=True),
            "/sapi/v1/account/apiTradingStatus": Route(
                lambda p, h: market.api_trading_status(self.server_time_ms()), _const(1), signed=True),
            "/sapi/v1/account/status": Route(lambda p, h: {"data": "Normal"}, _const(1), signed=True),
            "/api/v3/klines": Route(self._more(more.klines), _const(2)),
            "/api/v3/depth": Route(self._more(more.depth), more.depth_weight),
            "/api/v3/trades": Route(self._more(more.trades), _const(25)),
            "/api/v3/avgPrice": Route(self._more(more.avg_price), _const(2)),
            "/fapi/v1/ticker/24hr": Route(self._more(more.futures_ticker),
                                          lambda p: 1 if "symbol" in p else 40, futures=True),
            "/fapi/v1/klines": Route(self._more(more.futures_klines), more.futures_klines_weight, futures=True),
            "/fapi/v1/depth": Route(self._more(more.futures_depth), more.futures_depth_weight, futures=True),
            "/fapi/v1/openInterest": Route(self._more(more.open_interest), _const(1), futures=True),
            "/fapi/v1/fundingRate": Route(self._more(more.funding_rate), _const(1), futures=True),
            "/fapi/v1/premiumIndex": Route(self._more(more.premium_index),
                                           lambda p: 1 if "symbol" in p else 10, futures=True),
            "/fapi/v1/ping": Route(lambda p, h: {}, _const(1), futures=True),
            "/fapi/v1/time": Route(lambda p, h: {"serverTime": self.server_time_ms()}, _const(1), futures=True),
        }

    def _more(self, handler):
        return lambda params, headers: handler(self, params, BinanceError)

    def _known(self, symbol: str) -> str:
        if symbol not in self.prices:
            raise BinanceError(400, -1121, "Invalid symbol.")
        return self.prices[symbol]

    def _selected(self, params: dict) -> list[str]:
        if "symbol" in params and "symbols" in params:
            raise BinanceError(400, -1128, "Combination of optional parameters invalid.")
        if "symbol" in params:
            self._known(params["symbol"])
            return [params["symbol"]]
        symbols = _symbols_param(params)
        if symbols is None:
            return list(self.prices)
        for symbol in symbols:
            self._known(symbol)
        return symbols

    def _ticker_price(self, params, headers):
        rows = [market.ticker_price(s, self.prices[s]) for s in self._selected(params)]
        return rows[0] if "symbol" in params else rows

    def _ticker_24hr(self, params, headers):
        now = self.server_time_ms()
        rows = [market.ticker_24hr(s, self.prices[s], now) for s in self._selected(params)]
        return rows[0] if "symbol" in params else rows

    def _exchange_info(self, params, headers):
        return {"timezone": "UTC", "serverTime": self.server_time_ms(),
                "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE",
                                "intervalNum": 1, "limit": self.weight_limit}],
                "exchangeFilters": [],
                "symbols": [self._rules(s) for s in self._selected(params)]}

    def _rules(self, symbol: str) -> dict:
        rules = market.exchange_symbol(symbol, self.prices[symbol])
        for item in rules["filters"]:
            item.update(self.filter_overrides.get(symbol, {}).get(item["filterType"], {}))
        return rules

    def check_signature(self, query: str, params: dict, headers: dict) -> None:
        """Binance's rules for SIGNED endpoints (HMAC-SHA256 keys)."""
        secret = self.api_keys.get(headers.get("x-mbx-apikey", ""))
        if secret is None:
            raise BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if "timestamp" not in params:
            raise BinanceError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
        timestamp, window = int(params["timestamp"]), int(params.get("recvWindow", 5000))
        now = self.server_time_ms()
        if timestamp >= now + 1000 or now - timestamp > window:
            raise BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."
                               if timestamp >= now + 1000 else "Timestamp for this request is outside of the recvWindow.")
        payload, _, signature = query.rpartition("&signature=")
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(expected, signature):
            raise BinanceError(400, -1022, "Signature for this request is not valid.")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Clients that gave up (timeouts, resets) are part of the tests, not errors of the fake.
        import sys
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBinance
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall
    server_version = "FakeBinance/1.0"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path.startswith("/_fake/"):
            return _control(self, parts.path)
        fake = self.fake
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = fake.routes.get(parts.path)
        weight = route.weight(params) if route else 1
        record = RequestRecord("GET", parts.path, parts.query, params, headers,
                               self.client_address[0], weight, fake.clock())
        fake._record(record)
        fault = fake.faults.take(parts.path, self.client_address[0])
        if fault is not None:
            record.fault = fault.kind
            if _apply_fault(self, fault, record):
                return
        futures = bool(route and route.futures)
        used, over = fake._spend(futures, weight)
        if route is None:
            return self._send_json(record, 404, {"code": -1000, "msg": "Unknown path."}, used)
        if over:
            return self._send_json(record, 429, {"code": -1003, "msg": "Too much request weight used; current limit is "
                                                 f"{fake.weight_limit} request weight per 1 MINUTE."}, used,
                                   {"Retry-After": str(60 - int(fake.weight_clock()) % 60)})
        try:
            if route.signed:
                fake.check_signature(parts.query, params, headers)
            body = route.handler(params, headers)
        except BinanceError as err:
            return self._send_json(record, err.status, {"code": err.code, "msg": err.msg}, used)
        self._send_json(record, 200, body, used)

    def do_POST(self):
        parts = urlsplit(self.path)
        if parts.path.startswith("/_fake/"):
            return _control(self, parts.path)
        mirror_routes.serve_write(self, self.command)

    do_DELETE = do_POST

    def _send_json(self, record, status, body, used, extra=None):
        headers = {"X-MBX-USED-WEIGHT-1M": str(used), "X-MBX-USED-WEIGHT": str(used), **(extra or {})}
        record.status = status
        self._send_raw(status, json.dumps(body).encode(), "application/json;charset=UTF-8", headers)

    def _send_raw(self, status, payload: bytes, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _apply_fault(handler: _Handler, fault: Fault, record: RequestRecord) -> bool:
    """Acts out `fault`; True when the request is finished."""
    fake = handler.fake
    if fault.kind == "slow":
        fake._stopping.wait(fault.delay)
        return False
    if fault.kind == "silent":
        handler.close_connection = True
        fake._stopping.wait(3600)
        return True
    if fault.kind == "reset":
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()
        return True
    used = fake.used_weight()
    if fault.kind == "restricted":
        handler._send_json(record, 451, {"code": 0, "msg": RESTRICTED_MSG}, used)
    elif fault.kind in ("rate_limited", "banned"):
        status = 429 if fault.kind == "rate_limited" else 418
        extra = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        msg = ("Too much request weight used; current limit is 6000 request weight per 1 MINUTE. "
               "Please use WebSocket Streams for live updates to avoid polling the API."
               if status == 429 else f"Way too much request weight used; IP banned until {fake.server_time_ms() + 120000}.")
        handler._send_json(record, status, {"code": -1003, "msg": msg}, used, extra)
    elif fault.kind == "server_error":
        status = fault.status or 503
        record.status = status
        page = f"<html><head><title>{status}</title></head><body><h1>{status} Service Temporarily Unavailable</h1></body></html>"
        handler._send_raw(status, page.encode(), "text/html", {"X-MBX-USED-WEIGHT-1M": str(used)})
    elif fault.kind == "malformed":
        record.status = 200
        handler._send_raw(200, b'{"symbol": "BTCUSDT", "price": "6701', "application/json",
                          {"X-MBX-USED-WEIGHT-1M": str(used)})
    return True


def _control(handler: _Handler, path: str) -> None:
    """Small HTTP control surface for running the fake by hand or from another process."""
    fake = handler.fake
    length = int(handler.headers.get("Content-Length") or 0)
    body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
    try:
        if path == "/_fake/requests" and handler.command == "GET":
            result = [asdict(r) for r in fake.requests_to(body.get("path"))]
        elif path == "/_fake/faults" and handler.command == "POST":
            fake.add_fault(**body)
            result = fake.faults.describe()
        elif path == "/_fake/faults":
            if handler.command == "DELETE":
                fake.faults.clear()
            result = fake.faults.describe()
        elif path == "/_fake/prices" and handler.command == "POST":
            fake.prices.update({str(k): str(v) for k, v in body.items()})
            result = fake.prices
        elif path == "/_fake/reset" and handler.command == "POST":
            fake.reset()
            result = {"reset": True}
        else:
            return handler._send_raw(404, b'{"error":"unknown control route"}', "application/json")
    except (TypeError, ValueError) as err:
        return handler._send_raw(400, json.dumps({"error": str(err)}).encode(), "application/json")
    handler._send_raw(200, json.dumps(result).encode(), "application/json")
