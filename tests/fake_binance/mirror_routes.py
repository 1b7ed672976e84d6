"""Routes the fake needs for the Binance-compatible mirror (issue 13): book tickers,
aggregate trades, uiKlines, mark-price klines, and a
minimal order round trip (spot and USDT-M: place, query, cancel, open orders; no
matching engine), with the signed account reads bots make.

server.py merges `routes(fake, Route)` under its own table (its own routes win);
handler.py hands POST/DELETE to `serve_write`."""
from __future__ import annotations

import itertools
import threading
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from . import more_routes as more
from .fault_actions import act
from .records import BinanceError, RequestRecord


def _const(weight):
    return lambda params: weight


def routes(fake, Route) -> dict:
    """GET routes (path -> Route) in the fake's own Route type."""
    fake.mirror_orders = Orders(fake)
    err = BinanceError
    orders = fake.mirror_orders

    def known_or_all(params):
        symbols = fake._selected(params)
        return symbols

    def book_ticker(params, headers):
        rows = [_book_row(s, fake.prices[s]) for s in known_or_all(params)]
        return rows[0] if "symbol" in params else rows

    def futures_symbols(params):
        return [more._futures_symbol(fake, params, err)] if "symbol" in params else list(fake.futures_symbols)

    def futures_book(params, headers):
        now = fake.server_time_ms()
        rows = [{**_book_row(s, fake.futures_price(s)), "time": now, "lastUpdateId": 1027024}
                for s in futures_symbols(params)]
        return rows[0] if "symbol" in params else rows

    def agg_trades(params, headers):
        price = Decimal(fake._known(params.get("symbol", "")))
        limit = more._int(params, "limit", 500, 1, 1000, err)
        now = fake.server_time_ms()
        return [{"a": 26129 + i, "p": more._d(price), "q": "0.01000000", "f": 27781 + i, "l": 27781 + i,
                 "T": now - (limit - i) * 100, "m": i % 2 == 0, "M": True} for i in range(limit)]

    def mark_price_klines(params, headers):
        rows = more.futures_klines(fake, params, err)
        return [[r[0], r[1], r[2], r[3], r[4], "0", r[6], "0", 0, "0", "0", "0"] for r in rows]

    signed = dict(signed=True)
    fsigned = dict(signed=True, futures=True)
    return {
        "/api/v3/ticker/bookTicker": Route(book_ticker, lambda p: 2 if "symbol" in p else 4),
        "/api/v3/aggTrades": Route(lambda p, h: agg_trades(p, h), _const(4)),
        "/api/v3/uiKlines": Route(lambda p, h: more.klines(fake, p, err), _const(2)),
        "/fapi/v1/ticker/bookTicker": Route(futures_book, lambda p: 2 if "symbol" in p else 5, futures=True),
        "/fapi/v1/markPriceKlines": Route(lambda p, h: mark_price_klines(p, h), more.futures_klines_weight,
                                          futures=True),
        "/api/v3/order": Route(lambda p, h: orders.get(p, futures=False), _const(4), **signed),
        "/api/v3/openOrders": Route(lambda p, h: orders.open(p, futures=False), _const(6), **signed),
        "/api/v3/allOrders": Route(lambda p, h: orders.all(p, futures=False), _const(20), **signed),
        "/fapi/v1/order": Route(lambda p, h: orders.get(p, futures=True), _const(1), **fsigned),
        "/fapi/v1/openOrders": Route(lambda p, h: orders.open(p, futures=True), _const(1), **fsigned),
        "/fapi/v2/account": Route(lambda p, h: futures_account(fake), _const(5), **fsigned),
        "/fapi/v2/balance": Route(lambda p, h: futures_account(fake)["assets"], _const(5), **fsigned),
        "/fapi/v2/positionRisk": Route(lambda p, h: [], _const(5), **fsigned),
    }


def write_routes(fake) -> dict:
    """(method, path) -> handler(params) for signed POST/DELETE."""
    orders = fake.mirror_orders
    return {
        ("POST", "/api/v3/order"): lambda p: orders.place(p, futures=False),
        ("POST", "/api/v3/order/test"): lambda p: (orders.check(p, futures=False), {})[1],
        ("DELETE", "/api/v3/order"): lambda p: orders.cancel(p, futures=False),
        ("POST", "/fapi/v1/order"): lambda p: orders.place(p, futures=True),
        ("DELETE", "/fapi/v1/order"): lambda p: orders.cancel(p, futures=True),
        ("POST", "/fapi/v1/leverage"): lambda p: {"leverage": int(p.get("leverage", 1)),
                                                  "maxNotionalValue": "1000000", "symbol": p.get("symbol")},
    }


def serve_write(handler, method: str) -> None:
    """A signed POST/DELETE: logged (with its body, byte for byte), faults, weight, signature over
    query + body as Binance computes it, then the route."""
    fake = handler.fake
    parts = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    body = raw.decode("utf-8", "replace")
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update(parse_qsl(body, keep_blank_values=True))
    headers = {k.lower(): v for k, v in handler.headers.items()}
    route = getattr(fake, "write_routes", {}).get((method, parts.path))
    record = RequestRecord(method, parts.path, parts.query, params, headers, handler.client_address[0], 1,
                           fake.clock())
    record.body = raw
    fake._record(record)
    fault = fake.faults.take(parts.path, handler.client_address[0])
    if fault is not None:
        record.fault = fault.kind
        if act(handler, fault, record, lambda: {}):
            return
    used, over = fake._spend(parts.path.startswith("/fapi/"), 1)
    if route is None:
        return handler.send_json(record, 405, {"code": -1000, "msg": "Method not allowed."}, used)
    try:
        fake.check_signature(parts.query + body, params, headers)
        result = route(params)
    except BinanceError as err:
        return handler.send_json(record, err.status, {"code": err.code, "msg": err.msg}, used)
    handler.send_json(record, 200, result, used)


def _book_row(symbol: str, price: str) -> dict:
    p = Decimal(price)
    return {"symbol": symbol, "bidPrice": more._d(p * Decimal("0.9999")), "bidQty": "1.50000000",
            "askPrice": more._d(p * Decimal("1.0001")), "askQty": "2.25000000"}


class Orders:
    """Enough of an order book for a bot's place / query / cancel round trip: orders rest
    (LIMIT) or fill at the fake's price (MARKET); nothing matches against anything."""

    def __init__(self, fake):
        self.fake = fake
        self._orders: dict[tuple, dict] = {}  # (futures, symbol, orderId) -> order
        self._ids = itertools.count(1000001)
        self._lock = threading.Lock()

    def check(self, p: dict, futures: bool) -> str:
        err = BinanceError
        symbol = p.get("symbol", "")
        if futures:
            more._futures_symbol(self.fake, p, err)
        else:
            self.fake._known(symbol)
        for name in ("side", "type"):
            if not p.get(name):
                raise err(400, -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
        if p["type"] != "MARKET" and not p.get("price"):
            raise err(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.")
        return symbol

    def place(self, p: dict, futures: bool) -> dict:
        symbol = self.check(p, futures)
        now = self.fake.server_time_ms()
        with self._lock:
            order_id = next(self._ids)
            filled = p["type"] == "MARKET"
            price = p.get("price") or "0.00000000"
            qty = p.get("quantity", "0")
            order = {"symbol": symbol, "orderId": order_id, "orderListId": -1,
                     "clientOrderId": p.get("newClientOrderId") or f"fake{order_id}", "transactTime": now,
                     "price": price, "origQty": qty, "executedQty": qty if filled else "0.00000000",
                     "origQuoteOrderQty": "0.00000000",
                     "cummulativeQuoteQty": more._d(Decimal(qty) * Decimal(self.fake.prices[symbol])) if filled
                     else "0.00000000",
                     "status": "FILLED" if filled else "NEW", "timeInForce": p.get("timeInForce", "GTC"),
                     "type": p["type"], "side": p["side"], "workingTime": now, "selfTradePreventionMode": "NONE"}
            if futures:
                order = {"orderId": order_id, "symbol": symbol, "status": order["status"],
                         "clientOrderId": order["clientOrderId"], "price": price, "avgPrice": "0.00",
                         "origQty": qty, "executedQty": order["executedQty"], "cumQty": order["executedQty"],
                         "cumQuote": "0.00000", "timeInForce": order["timeInForce"], "type": p["type"],
                         "reduceOnly": False, "closePosition": False, "side": p["side"], "positionSide": "BOTH",
                         "stopPrice": "0.00", "workingType": "CONTRACT_PRICE", "priceProtect": False,
                         "origType": p["type"], "updateTime": now}
            self._orders[(futures, symbol, order_id)] = order
        return {**order, "fills": []} if not futures else dict(order)

    def _find(self, p: dict, futures: bool) -> tuple:
        err = BinanceError
        symbol = p.get("symbol", "")
        wanted_id, wanted_client = p.get("orderId"), p.get("origClientOrderId")
        with self._lock:
            for key, order in self._orders.items():
                if key[0] == futures and key[1] == symbol and (
                        str(order["orderId"]) == wanted_id or order["clientOrderId"] == wanted_client):
                    return key, order
        raise err(400, -2013, "Order does not exist.")

    def get(self, p: dict, futures: bool) -> dict:
        return dict(self._find(p, futures)[1])

    def cancel(self, p: dict, futures: bool) -> dict:
        err = BinanceError
        try:
            key, order = self._find(p, futures)
        except err:
            raise err(400, -2011, "Unknown order sent.") from None
        with self._lock:
            order["status"] = "CANCELED"
        if futures:
            return dict(order)
        return {**order, "origClientOrderId": order["clientOrderId"], "transactTime": self.fake.server_time_ms()}

    def open(self, p: dict, futures: bool) -> list:
        with self._lock:
            return [dict(o) for k, o in self._orders.items()
                    if k[0] == futures and o["status"] == "NEW" and (not p.get("symbol") or k[1] == p["symbol"])]

    def all(self, p: dict, futures: bool) -> list:
        with self._lock:
            return [dict(o) for k, o in self._orders.items() if k[0] == futures and k[1] == p.get("symbol")]


def futures_account(fake) -> dict:
    now = fake.server_time_ms()
    usdt = {"asset": "USDT", "walletBalance": "1000.00000000", "unrealizedProfit": "0.00000000",
            "marginBalance": "1000.00000000", "maintMargin": "0.00000000", "initialMargin": "0.00000000",
            "positionInitialMargin": "0.00000000", "openOrderInitialMargin": "0.00000000",
            "crossWalletBalance": "1000.00000000", "crossUnPnl": "0.00000000", "availableBalance": "1000.00000000",
            "maxWithdrawAmount": "1000.00000000", "marginAvailable": True, "updateTime": now,
            "balance": "1000.00000000", "accountAlias": "SgsR"}
    return {"feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True, "updateTime": 0,
            "multiAssetsMargin": False, "tradeGroupId": -1, "totalInitialMargin": "0.00000000",
            "totalMaintMargin": "0.00000000", "totalWalletBalance": "1000.00000000",
            "totalUnrealizedProfit": "0.00000000", "totalMarginBalance": "1000.00000000",
            "totalPositionInitialMargin": "0.00000000", "totalOpenOrderInitialMargin": "0.00000000",
            "totalCrossWalletBalance": "1000.00000000", "totalCrossUnPnl": "0.00000000",
            "availableBalance": "1000.00000000", "maxWithdrawAmount": "1000.00000000",
            "assets": [usdt], "positions": []}
