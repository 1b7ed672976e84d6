"""A fake Binance REST exchange on loopback: real HTTP, Binance's shapes, weights,
signature checks and switchable faults, with a request log for the tests."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import listings, market, mirror_routes, orders, user_data
from . import more_routes as more
from .depth_books import DepthBooks
from .faults import MARKETS, Fault, FaultBook
from .gates import Gate, GateBook
from .handler import Handler, Server
from .records import BinanceError, RequestRecord

__all__ = ["BinanceError", "FakeBinance", "RequestRecord"]

WEIGHT_LIMIT_1M = 6000
DEFAULT_RETRY_AFTER = {429: 60, 418: 300}


@dataclass
class Route:
    handler: Callable
    weight: Callable[[dict], int]
    signed: bool = False
    futures: bool = False
    keyed: bool = False  # an API key, no signature (listenKeys)


def _symbols_param(params: dict) -> list | None:
    raw = params.get("symbols")
    if raw is None:
        return None
    try:
        symbols = json.loads(raw)
    except ValueError:
        raise BinanceError(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is "
                           "'^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.") from None
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

    def __init__(self, host: str = "127.0.0.1", api_keys: dict | None = None,
                 weight_limit: int = WEIGHT_LIMIT_1M, clock: Callable[[], float] = time.time,
                 weight_clock: Callable[[], float] | None = None, odd_symbols: bool = False,
                 futures_weight_limit: int | None = None):
        self.host = host
        self.api_keys = dict(api_keys or {})
        self.weight_limit = weight_limit
        self.futures_weight_limit = futures_weight_limit  # None: the same as weight_limit
        self.clock = clock  # server time (signatures, serverTime)
        self.weight_clock = weight_clock or clock  # which minute the weight counters belong to
        self.server_time_offset_ms = 0
        self.filter_overrides: dict[str, dict] = {}  # symbol -> {filterType: {field: value}}
        self.faults = FaultBook()
        self.gates = GateBook()
        self.log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._weights: dict[tuple, int] = {}
        self._report_weight = {m: True for m in MARKETS}
        self._odd_symbols_at_start = odd_symbols
        self._stopping = threading.Event()
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None
        self._list_symbols(odd_symbols)
        self.depth_books = DepthBooks()  # the order books REST depth and the diff-depth streams share
        self.user_data = user_data.UserData(self)  # the account's events (WebSocket API, listenKeys)
        self.routes = {**mirror_routes.routes(self, Route), **self._routes()}  # the fake's own routes win
        self.write_routes = mirror_routes.write_routes(self)  # writes the order engine does not serve
        self.orders = orders.OrderEngine(self, BinanceError, self.user_data)
        self.routes.update(self.orders.routes(Route, _const))  # "METHOD /path" keys for POST and DELETE

    # ----- lifecycle -----
    def start(self, port: int = 0) -> FakeBinance:
        handler = type("Handler", (Handler,), {"fake": self})
        self._httpd = Server((self.host, port), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.gates.release_all()
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

    def hold(self, route: str | None = None, market: str | None = None, times: int | None = None,
             from_addr: str | None = None) -> Gate:
        """Parks matching requests (logged, not yet answered) until the gate is released."""
        return self.gates.add(route=route, market=market, times=times, from_addr=from_addr)

    def requests_to(self, path: str | None = None, market: str | None = None) -> list[RequestRecord]:
        with self._log_lock:
            return [r for r in self.log
                    if (path is None or r.path == path) and (market is None or r.market == market)]

    def count(self, path: str | None = None, market: str | None = None) -> int:
        return len(self.requests_to(path, market))

    def reset(self) -> None:
        self.faults.clear()
        self.gates.release_all()
        with self._log_lock:
            self.log.clear()
            self._weights.clear()
        self._list_symbols(self._odd_symbols_at_start)
        self._report_weight = {m: True for m in MARKETS}
        self.server_time_offset_ms = 0
        self.orders.reset()
        self.depth_books.reset()

    def server_time_ms(self) -> int:
        return int(self.clock() * 1000) + self.server_time_offset_ms

    # ----- listings -----
    def _list_symbols(self, odd: bool) -> None:
        self.prices = market.initial_prices()
        self.symbol_status: dict[str, str] = {}  # symbol -> status other than TRADING
        self.futures_symbols = list(listings.FUTURES_SYMBOLS)
        self.futures_prices: dict[str, str] = {}  # futures-only symbols; the rest use the spot price
        if odd:
            self.list_odd_symbols()

    def list_odd_symbols(self, on: bool = True) -> None:
        """Lists (or delists) NEWUSDT at price 0, OLDBTC in BREAK and futures' 币安人生USDT."""
        for symbol, price in listings.ODD_SPOT_PRICES.items():
            if on:
                self.prices[symbol] = price
            else:
                self.prices.pop(symbol, None)
        for symbol, status in listings.ODD_SPOT_STATUS.items():
            if on:
                self.symbol_status[symbol] = status
            else:
                self.symbol_status.pop(symbol, None)
        for symbol, price in listings.ODD_FUTURES_PRICES.items():
            if on:
                self.futures_prices[symbol] = price
                if symbol not in self.futures_symbols:
                    self.futures_symbols.append(symbol)
            else:
                self.futures_prices.pop(symbol, None)
                if symbol in self.futures_symbols:
                    self.futures_symbols.remove(symbol)

    def futures_price(self, symbol: str) -> str:
        return self.futures_prices.get(symbol) or self.prices[symbol]

    # ----- weight -----
    @property
    def report_weight(self) -> bool:
        """False stops X-MBX-USED-WEIGHT-1M on every answer (set_report_weight for one market)."""
        return all(self._report_weight.values())

    @report_weight.setter
    def report_weight(self, on: bool) -> None:
        self.set_report_weight(on)

    def set_report_weight(self, on: bool, market: str | None = None) -> None:
        if market is not None and market not in MARKETS:
            raise ValueError(f"unknown market {market!r}; one of {sorted(MARKETS)}")
        for name in [market] if market else MARKETS:
            self._report_weight[name] = bool(on)

    def reports_weight(self, market: str | None) -> bool:
        return self._report_weight.get(market, True)

    def limit_of(self, market: str | None) -> int:
        if market == "futures" and self.futures_weight_limit is not None:
            return self.futures_weight_limit
        return self.weight_limit

    def _spend(self, futures: bool, weight: int) -> tuple[int, bool]:
        """Adds `weight` to this minute's counter; returns (used, over_limit)."""
        minute = int(self.weight_clock() // 60)
        key = (futures, minute)
        with self._log_lock:
            used = self._weights.get(key, 0) + weight
            self._weights[key] = used
        return used, used > self.limit_of("futures" if futures else "spot")

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
            "/api/v3/account": Route(lambda p, h: market.account(self.server_time_ms(), self.orders.account_balances()),
                                     _const(20), signed=True),
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
            "/fapi/v1/exchangeInfo": Route(self._futures_exchange_info, _const(1), futures=True),
            "/fapi/v1/ticker/price": Route(self._more(more.futures_price),
                                           lambda p: 1 if "symbol" in p else 2, futures=True),
            "/fapi/v2/ticker/price": Route(self._more(more.futures_price),
                                           lambda p: 1 if "symbol" in p else 2, futures=True),
            # user data: futures listenKeys; spot's REST listenKeys are gone (410) since 2026-02-20
            "POST /fapi/v1/listenKey": Route(self.user_data.create_listen_key, _const(1), futures=True, keyed=True),
            "PUT /fapi/v1/listenKey": Route(self.user_data.keep_alive, _const(1), futures=True, keyed=True),
            "DELETE /fapi/v1/listenKey": Route(self.user_data.close_listen_key, _const(1), futures=True, keyed=True),
            **{f"{method} /api/v3/userDataStream": Route(self._removed, _const(2))
               for method in ("POST", "PUT", "DELETE")},
        }

    @staticmethod
    def _removed(params, headers):
        raise BinanceError(410, -1000, "This endpoint has been removed. Subscribe to the User Data Stream through "
                                       "the WebSocket API (userDataStream.subscribe.signature).")

    def error(self, status: int, code: int, msg: str) -> BinanceError:
        return BinanceError(status, code, msg)

    def check_key(self, headers: dict) -> None:
        """An API key alone (no signature), as the listenKey endpoints ask."""
        if headers.get("x-mbx-apikey", "") not in self.api_keys:
            raise BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.")

    def _more(self, handler):
        return lambda params, headers: handler(self, params, BinanceError)

    def check_symbol_spelling(self, symbol: str | None, param: str = "symbol") -> None:
        """-1100 for characters Binance never accepts in a symbol (before -1121 for an unknown one)."""
        if symbol and not listings.legal_symbol(symbol):
            raise BinanceError(400, -1100, f"Illegal characters found in parameter '{param}'; "
                                           f"legal range is '{listings.SYMBOL_RANGE}'.")

    def _known(self, symbol: str, param: str = "symbol") -> str:
        self.check_symbol_spelling(symbol, param)
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
            self._known(symbol, "symbols")
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
                "rateLimits": market.spot_rate_limits(self.weight_limit),
                "exchangeFilters": [],
                "symbols": [self._rules(s) for s in self._selected(params)]}

    def _futures_exchange_info(self, params, headers):
        return listings.futures_exchange_info([(s, self.futures_price(s)) for s in self.futures_symbols],
                                              self.server_time_ms(), self.limit_of("futures"))

    def _rules(self, symbol: str) -> dict:
        rules = market.exchange_symbol(symbol, self.prices[symbol], self.symbol_status.get(symbol, "TRADING"))
        for item in rules["filters"]:
            item.update(self.filter_overrides.get(symbol, {}).get(item["filterType"], {}))
        return rules

    def check_signature(self, query: str, params: dict, headers: dict) -> None:
        """Binance's rules for SIGNED endpoints (HMAC-SHA256 keys)."""
        secret = self.api_keys.get(headers.get("x-mbx-apikey", ""))
        if secret is None:
            raise BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if "timestamp" not in params:
            raise BinanceError(400, -1102,
                               "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
        timestamp, window = int(params["timestamp"]), int(params.get("recvWindow", 5000))
        now = self.server_time_ms()
        if timestamp >= now + 1000 or now - timestamp > window:
            raise BinanceError(400, -1021,
                               "Timestamp for this request was 1000ms ahead of the server's time."
                               if timestamp >= now + 1000 else
                               "Timestamp for this request is outside of the recvWindow.")
        payload, _, signature = query.rpartition("&signature=")
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(expected, signature):
            raise BinanceError(400, -1022, "Signature for this request is not valid.")


