"""Binance's USDT-M futures market-data paths (/fapi/v1/*), answered with Binance's own JSON."""
from flask import request

from ..upstream import Market
from .mirror_params import Params
from .mirror_respond import mirror_blueprint, sourced_answer
from .respond import services

FUTURES = Market.FUTURES
bp = mirror_blueprint("mirror_futures", FUTURES, "/fapi/v1")
bp_v2 = mirror_blueprint("mirror_futures_v2", FUTURES, "/fapi/v2")  # python-binance asks v2 for prices
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)


def _mirror():
    return services().mirror


def _params(*reads: str) -> Params:
    return Params(request.args, reads)


def _one_or_all():
    return _params("symbol").symbol(required=False)


@bp.get("/ping")
def ping():
    _params()
    return sourced_answer(_mirror().ping(FUTURES).replace({}))


@bp.get("/time")
def server_time():
    _params()
    return sourced_answer(_mirror().server_time(FUTURES))


@bp.get("/exchangeInfo")
def exchange_info():
    _params()
    return sourced_answer(_mirror().exchange_info(FUTURES, None, None))


@bp.get("/ticker/price")
@bp_v2.get("/ticker/price")
def ticker_price():
    return sourced_answer(_mirror().futures_ticker_price(_one_or_all()))


@bp.get("/ticker/24hr")
def ticker_24hr():
    return sourced_answer(_mirror().futures_ticker_24hr(_one_or_all()))


@bp.get("/ticker/bookTicker")
def book_ticker():
    return sourced_answer(_mirror().book_ticker(FUTURES, _one_or_all(), None))


@bp.get("/depth")
def depth():
    params = _params("symbol", "limit")
    symbol, limit = params.symbol(), params.limit(1000, 500, DEPTH_LIMITS)
    return sourced_answer(_mirror().depth(FUTURES, symbol, limit))


def _klines(kind: str):
    params = _params("symbol", "interval", "startTime", "endTime", "limit")
    query = {"symbol": params.symbol(), "interval": params.interval(), "limit": params.limit(1500, 500),
             **params.optional("startTime", "endTime")}
    return sourced_answer(_mirror().klines(FUTURES, kind, **query))


@bp.get("/klines")
def klines():
    return _klines("klines")


@bp.get("/markPriceKlines")
def mark_price_klines():
    return _klines("mark_price_klines")


@bp.get("/fundingRate")
def funding_rate():
    params = _params("symbol", "startTime", "endTime", "limit")
    symbol = params.symbol(required=False)
    query = {**({"symbol": symbol} if symbol else {}), "limit": params.limit(1000, 100),
             **params.optional("startTime", "endTime")}
    return sourced_answer(_mirror().funding_rate(**query))


@bp.get("/premiumIndex")
def premium_index():
    return sourced_answer(_mirror().premium_index(_one_or_all()))


@bp.get("/openInterest")
def open_interest():
    return sourced_answer(_mirror().open_interest(_params("symbol").symbol()))
