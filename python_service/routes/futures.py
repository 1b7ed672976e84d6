"""USDT-M futures market data."""
from flask import Blueprint, request

from . import inputs
from .respond import candles_response, services, sourced_response

bp = Blueprint("futures", __name__, url_prefix="/api/binance/futures")
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)


def _futures():
    return services().futures


def _optional_symbol():
    return inputs.parse_symbol(request.args["symbol"]) if "symbol" in request.args else None


@bp.get("/ticker/24hr")
def ticker_24hr():
    """USDT-M 24h statistics for one symbol or all."""
    symbol = _optional_symbol()
    sourced = _futures().ticker_24hr(symbol)
    payload = dict(sourced.data) if symbol else {"tickers": sourced.data, "count": len(sourced.data)}
    return sourced_response(payload, sourced)


@bp.get("/klines")
def klines():
    """USDT-M candles as named fields (limit 1-1500)."""
    params = inputs.kline_params(request.args, max_limit=1500)
    return candles_response(params, _futures().klines(**params))


@bp.get("/depth")
def depth():
    """USDT-M order book to one of Binance's limits."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    limit = inputs.choice(request.args, "limit", DEPTH_LIMITS, default=500, cast=int)
    sourced = _futures().depth(symbol, limit)
    return sourced_response({"symbol": symbol, **sourced.data}, sourced)


@bp.get("/open-interest/<anything:raw_symbol>")
def open_interest(raw_symbol):
    """Open interest of one USDT-M contract."""
    sourced = _futures().open_interest(inputs.parse_symbol(raw_symbol))
    return sourced_response(dict(sourced.data), sourced)


@bp.get("/funding-rate")
def funding_rate():
    """Funding rate history (limit 1-1000, default 100)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    limit = inputs.integer(request.args, "limit", 100, 1, 1000)
    sourced = _futures().funding_rate(symbol, limit)
    return sourced_response({"symbol": symbol, "rates": sourced.data, "count": len(sourced.data)}, sourced)


@bp.get("/premium-index")
def premium_index():
    """Mark price, index price, last funding rate and next funding time."""
    symbol = _optional_symbol()
    sourced = _futures().premium_index(symbol)
    payload = dict(sourced.data) if symbol else {"items": sourced.data, "count": len(sourced.data)}
    return sourced_response(payload, sourced)
