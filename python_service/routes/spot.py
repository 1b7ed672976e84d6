"""Spot market data: prices, 24h tickers, candles, order book, trades, average price."""
from flask import Blueprint, request

from . import inputs
from .respond import candles_response, services, sourced_response

bp = Blueprint("spot", __name__, url_prefix="/api/binance")
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000, 5000)


def _spot():
    return services().spot


@bp.get("/price/<anything:raw_symbol>")
def price(raw_symbol):
    """One symbol's latest price."""
    symbol = inputs.parse_symbol(raw_symbol)
    sourced = _spot().prices([symbol])
    return sourced_response({"symbol": symbol, "price": sourced.data[symbol]}, sourced)


@bp.get("/prices")
def prices():
    """Latest prices of all symbols, or of ?symbols=A,B (one upstream call at most)."""
    sourced = _spot().prices(inputs.parse_symbols(request.args.get("symbols")))
    rows = [{"symbol": s, "price": p} for s, p in sourced.data.items()]
    return sourced_response({"prices": rows, "count": len(rows)}, sourced)


@bp.get("/ticker/24hr")
def ticker_24hr():
    """24h rolling statistics with Binance's field names, for ?symbol=, ?symbols= or all."""
    wanted = inputs.symbol_or_symbols(request.args)
    if "symbol" in request.args:
        sourced = _spot().ticker_24hr(symbol=wanted[0])
        return sourced_response(dict(sourced.data[wanted[0]]), sourced)
    sourced = _spot().ticker_24hr(symbols=wanted)
    rows = list(sourced.data.values())
    return sourced_response({"tickers": rows, "count": len(rows)}, sourced)


@bp.get("/klines")
def klines():
    """Candles of one symbol on one of Binance's intervals, as named fields."""
    params = inputs.kline_params(request.args, max_limit=1000)
    return candles_response(params, _spot().klines(**params))


@bp.get("/depth")
def depth():
    """The order book to one of Binance's depth limits (weight 5 to 250 by limit)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    limit = inputs.choice(request.args, "limit", DEPTH_LIMITS, default=100, cast=int)
    sourced = _spot().depth(symbol, limit)
    return sourced_response({"symbol": symbol, **sourced.data}, sourced)


@bp.get("/trades")
def trades():
    """Recent trades (limit 1-1000, default 500)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    limit = inputs.integer(request.args, "limit", 500, 1, 1000)
    sourced = _spot().trades(symbol, limit)
    return sourced_response({"symbol": symbol, "trades": sourced.data, "count": len(sourced.data)}, sourced)


@bp.get("/avg-price/<anything:raw_symbol>")
def avg_price(raw_symbol):
    """Binance's current average price (5-minute window)."""
    symbol = inputs.parse_symbol(raw_symbol)
    sourced = _spot().avg_price(symbol)
    return sourced_response({"symbol": symbol, **sourced.data}, sourced)
