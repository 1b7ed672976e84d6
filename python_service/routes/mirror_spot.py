"""Binance's spot market-data paths (/api/v3/*), answered with Binance's own JSON."""
from flask import request

from ..upstream import Market
from .mirror_params import Params
from .mirror_respond import mirror_blueprint, sourced_answer
from .respond import services

SPOT = Market.SPOT
bp = mirror_blueprint("mirror_spot", SPOT, "/api/v3")
KLINE_PARAMS = ("symbol", "interval", "startTime", "endTime", "limit")


def _mirror():
    return services().mirror


def _params(*reads: str) -> Params:
    return Params(request.args, reads)


@bp.get("/ping")
def ping():
    _params()
    sourced = _mirror().ping(SPOT)
    return sourced_answer(sourced.replace({}))


@bp.get("/time")
def server_time():
    _params()
    return sourced_answer(_mirror().server_time(SPOT))


@bp.get("/exchangeInfo")
def exchange_info():
    symbol, symbols = _params("symbol", "symbols").symbol_or_symbols()
    return sourced_answer(_mirror().exchange_info(SPOT, symbol, symbols))


@bp.get("/ticker/price")
def ticker_price():
    return sourced_answer(_mirror().ticker_price(*_params("symbol", "symbols").symbol_or_symbols()))


@bp.get("/ticker/24hr")
def ticker_24hr():
    return sourced_answer(_mirror().ticker_24hr(*_params("symbol", "symbols").symbol_or_symbols()))


@bp.get("/ticker/bookTicker")
def book_ticker():
    return sourced_answer(_mirror().book_ticker(SPOT, *_params("symbol", "symbols").symbol_or_symbols()))


@bp.get("/depth")
def depth():
    params = _params("symbol", "limit")
    symbol, limit = params.symbol(), params.limit(5000, 100)
    return sourced_answer(_mirror().depth(SPOT, symbol, limit))


def _klines(kind: str):
    params = _params(*KLINE_PARAMS)
    query = {"symbol": params.symbol(), "interval": params.interval(), "limit": params.limit(1000, 500),
             **params.optional("startTime", "endTime")}
    return sourced_answer(_mirror().klines(SPOT, kind, **query))


@bp.get("/klines")
def klines():
    return _klines("klines")


@bp.get("/uiKlines")
def ui_klines():
    return _klines("ui_klines")


@bp.get("/trades")
def trades():
    params = _params("symbol", "limit")
    symbol, limit = params.symbol(), params.limit(1000, 500)
    return sourced_answer(_mirror().trades(symbol, limit))


@bp.get("/aggTrades")
def agg_trades():
    params = _params("symbol", "fromId", "startTime", "endTime", "limit")
    query = {"symbol": params.symbol(), "limit": params.limit(1000, 500),
             **params.optional("fromId", "startTime", "endTime")}
    return sourced_answer(_mirror().agg_trades(**query))


@bp.get("/avgPrice")
def avg_price():
    return sourced_answer(_mirror().avg_price(_params("symbol").symbol()))
