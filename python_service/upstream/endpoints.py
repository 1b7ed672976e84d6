"""Binance's endpoints the gateway calls: the python-binance method, the market
whose limits it counts against, the shape a 2xx body must have (shapes.py), and
its request weight (binance-facts.md; Binance's docs as of 2026). One place per fact."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from . import shapes
from .shapes import Shape


class Market(StrEnum):
    SPOT = "spot"
    FUTURES = "futures"


@dataclass(frozen=True)
class Endpoint:
    method: str  # python-binance Client method
    market: Market
    shape: Shape  # what a 2xx body must look like to be cached or served
    weight: Callable[[dict], int]
    idempotent: bool = True  # False: a lost answer may mean it happened, so it is never retried


def spot_depth_weight(limit: int) -> int:
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def futures_depth_weight(limit: int) -> int:
    return 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20


def futures_klines_weight(limit: int) -> int:
    return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10


def ticker_24hr_weight(params: dict) -> int:
    if "symbol" in params:
        return 2
    if "symbols" in params:
        count = len(json.loads(params["symbols"]))
        return 2 if count <= 20 else 40 if count <= 100 else 80
    return 80


def one_or_all(one: int, every: int) -> Callable[[dict], int]:
    return lambda params: one if "symbol" in params else every


def book_ticker_weight(params: dict) -> int:
    return 2 if "symbol" in params else 4


def fixed(weight: int) -> Callable[[dict], int]:
    return lambda params: weight


SPOT, FUTURES = Market.SPOT, Market.FUTURES
ENDPOINTS = {
    "ping": Endpoint("ping", SPOT, shapes.obj(), fixed(1)),
    "server_time": Endpoint("get_server_time", SPOT, shapes.SERVER_TIME, fixed(1)),
    "ticker_prices": Endpoint("get_symbol_ticker", SPOT, shapes.one_or_many(shapes.PRICE_ROW), one_or_all(2, 4)),
    "ticker_24hr": Endpoint("get_ticker", SPOT, shapes.one_or_many(shapes.TICKER_ROW), ticker_24hr_weight),
    "klines": Endpoint("get_klines", SPOT, shapes.rows(shapes.KLINE), fixed(2)),
    "depth": Endpoint("get_order_book", SPOT, shapes.BOOK, lambda p: spot_depth_weight(p.get("limit", 100))),
    "trades": Endpoint("get_recent_trades", SPOT, shapes.rows(shapes.TRADE), fixed(25)),
    "avg_price": Endpoint("get_avg_price", SPOT, shapes.AVG_PRICE, fixed(2)),
    "exchange_info": Endpoint("get_exchange_info", SPOT, shapes.EXCHANGE_INFO, fixed(20)),
    "account": Endpoint("get_account", SPOT, shapes.obj(), fixed(20)),
    "my_trades": Endpoint("get_my_trades", SPOT, shapes.rows(shapes.OBJECT), fixed(20)),
    "api_trading_status": Endpoint("get_account_api_trading_status", SPOT, shapes.obj(), fixed(1)),
    "futures_ticker_24hr": Endpoint("futures_ticker", FUTURES, shapes.one_or_many(shapes.TICKER_ROW),
                                    one_or_all(1, 40)),
    "futures_klines": Endpoint("futures_klines", FUTURES, shapes.rows(shapes.KLINE),
                               lambda p: futures_klines_weight(p.get("limit", 500))),
    "futures_depth": Endpoint("futures_order_book", FUTURES, shapes.BOOK,
                              lambda p: futures_depth_weight(p.get("limit", 500))),
    "futures_open_interest": Endpoint("futures_open_interest", FUTURES, shapes.OPEN_INTEREST, fixed(1)),
    "futures_funding_rate": Endpoint("futures_funding_rate", FUTURES, shapes.rows(shapes.FUNDING_ROW), fixed(1)),
    "futures_premium_index": Endpoint("futures_mark_price", FUTURES, shapes.one_or_many(shapes.PREMIUM_ROW),
                                      one_or_all(1, 10)),
    # Orders (signed). Placements and cancels change the account: never retried.
    "order_create": Endpoint("create_order", SPOT, shapes.obj(), fixed(1), idempotent=False),
    "order_test": Endpoint("create_test_order", SPOT, shapes.obj(), fixed(1)),
    "order_get": Endpoint("get_order", SPOT, shapes.obj(), fixed(4)),
    "order_cancel": Endpoint("cancel_order", SPOT, shapes.obj(), fixed(1), idempotent=False),
    "open_orders": Endpoint("get_open_orders", SPOT, shapes.rows(shapes.OBJECT), one_or_all(6, 80)),
    # USDT-M futures, current versions: /fapi/v3/account (pass version=3), /fapi/v3/positionRisk,
    # /fapi/v1/symbolConfig (leverage, no longer in positionRisk v3), /fapi/v1/leverage, /fapi/v1/order.
    "futures_account": Endpoint("futures_account", FUTURES, shapes.obj(), fixed(5)),
    "futures_positions": Endpoint("futures_position_information", FUTURES, shapes.rows(shapes.OBJECT), fixed(5)),
    "futures_symbol_config": Endpoint("futures_symbol_config", FUTURES, shapes.rows(shapes.OBJECT), fixed(5)),
    "futures_leverage": Endpoint("futures_change_leverage", FUTURES, shapes.obj(), fixed(1), idempotent=False),
    "futures_order_create": Endpoint("futures_create_order", FUTURES, shapes.obj(), fixed(0), idempotent=False),
    "futures_order_get": Endpoint("futures_get_order", FUTURES, shapes.obj(), fixed(1)),
    "futures_open_orders": Endpoint("futures_get_open_orders", FUTURES, shapes.rows(shapes.OBJECT),
                                    one_or_all(1, 40)),
    "futures_order_cancel": Endpoint("futures_cancel_order", FUTURES, shapes.obj(), fixed(1), idempotent=False),
    # conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET...) live in the Algo Order API since 2025-12-09
    "futures_algo_order_create": Endpoint("futures_create_algo_order", FUTURES, shapes.obj(), fixed(0),
                                          idempotent=False),
    "futures_algo_order_get": Endpoint("futures_get_algo_order", FUTURES, shapes.obj(), fixed(1)),
    "futures_algo_order_cancel": Endpoint("futures_cancel_algo_order", FUTURES, shapes.obj(), fixed(1),
                                          idempotent=False),
    "futures_open_algo_orders": Endpoint("futures_get_open_algo_orders", FUTURES, shapes.rows(shapes.OBJECT),
                                         fixed(1)),
    # the account's user data stream over a listenKey (API key only); a POST on an account with a
    # live key answers that key, so creating is safe to repeat
    "futures_listen_key": Endpoint("futures_stream_get_listen_key", FUTURES, shapes.LISTEN_KEY, fixed(1)),
    "futures_listen_key_keepalive": Endpoint("futures_stream_keepalive", FUTURES, shapes.obj(), fixed(1)),
    # the Binance-compatible mirror (services/mirror.py)
    "book_ticker": Endpoint("get_orderbook_ticker", SPOT, shapes.one_or_many(shapes.BOOK_TICKER_ROW),
                            book_ticker_weight),
    "agg_trades": Endpoint("get_aggregate_trades", SPOT, shapes.rows(shapes.AGG_TRADE), fixed(4)),
    "ui_klines": Endpoint("get_ui_klines", SPOT, shapes.rows(shapes.KLINE), fixed(2)),
    "futures_ping": Endpoint("futures_ping", FUTURES, shapes.obj(), fixed(1)),
    "futures_server_time": Endpoint("futures_time", FUTURES, shapes.SERVER_TIME, fixed(1)),
    "futures_exchange_info": Endpoint("futures_exchange_info", FUTURES, shapes.EXCHANGE_INFO, fixed(1)),
    "futures_ticker_prices": Endpoint("futures_symbol_ticker", FUTURES, shapes.one_or_many(shapes.PRICE_ROW),
                                      one_or_all(1, 2)),
    "futures_book_ticker": Endpoint("futures_orderbook_ticker", FUTURES, shapes.one_or_many(shapes.BOOK_TICKER_ROW),
                                    one_or_all(2, 5)),
    "futures_mark_price_klines": Endpoint("futures_mark_price_klines", FUTURES, shapes.rows(shapes.KLINE),
                                          lambda p: futures_klines_weight(p.get("limit", 500))),
}

# The signed paths the mirror passes through (routes/mirror_signed.py), by method and path: their
# weight is charged to the calling client's share like any other call. A function of the query when
# Binance's weight depends on it (openOrders: one symbol or all).
SIGNED_WEIGHTS: dict[tuple[str, str], Callable[[dict], int]] = {
    ("GET", "/api/v3/account"): fixed(20),
    ("GET", "/api/v3/order"): fixed(4),
    ("POST", "/api/v3/order"): fixed(1),
    ("DELETE", "/api/v3/order"): fixed(1),
    ("POST", "/api/v3/order/test"): lambda p: 20 if p.get("computeCommissionRates") == "true" else 1,
    ("GET", "/api/v3/openOrders"): one_or_all(6, 80),
    ("GET", "/api/v3/allOrders"): fixed(20),
    ("GET", "/api/v3/myTrades"): lambda p: 5 if "orderId" in p else 20,
    ("GET", "/fapi/v2/account"): fixed(5),
    ("GET", "/fapi/v2/positionRisk"): fixed(5),
    ("GET", "/fapi/v2/balance"): fixed(5),
    ("GET", "/fapi/v1/order"): fixed(1),
    ("POST", "/fapi/v1/order"): fixed(0),
    ("DELETE", "/fapi/v1/order"): fixed(1),
    ("GET", "/fapi/v1/openOrders"): one_or_all(1, 40),
    ("POST", "/fapi/v1/leverage"): fixed(1),
}


def signed_weight(method: str, path: str, params: dict) -> int:
    """The weight of a passed-through signed call (1 for a path this table does not know)."""
    return SIGNED_WEIGHTS.get((method, path), fixed(1))(params)
