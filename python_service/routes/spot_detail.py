from flask import Blueprint, current_app, request

from .. import params
from ..provenance import sourced_response
from ..symbols import parse_symbol

bp = Blueprint("spot_detail", __name__, url_prefix="/api/binance")
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000, 5000)


def _gateway():
    return current_app.extensions["gateway"]


def _symbol():
    return parse_symbol(request.args.get("symbol"))


@bp.get("/klines")
def klines():
    """Candles of one symbol on one of Binance's intervals, as named fields."""
    symbol, interval = _symbol(), params.choice(request.args, "interval", params.INTERVALS)
    limit = params.integer(request.args, "limit", 500, 1, 1000)
    sourced = _gateway().charts.klines(symbol, interval, limit, **params.time_range(request.args))
    payload = {"symbol": symbol, "interval": interval, "candles": sourced.data, "count": len(sourced.data)}
    return sourced_response(payload, sourced, _gateway().clock())


@bp.get("/depth")
def depth():
    """The order book to one of Binance's depth limits (weight 5 to 250 by limit)."""
    symbol = _symbol()
    limit = params.choice(request.args, "limit", DEPTH_LIMITS, default=100, cast=int)
    sourced = _gateway().charts.depth(symbol, limit)
    return sourced_response({"symbol": symbol, **sourced.data}, sourced, _gateway().clock())


@bp.get("/trades")
def trades():
    """Recent trades (limit 1-1000, default 500)."""
    symbol, limit = _symbol(), params.integer(request.args, "limit", 500, 1, 1000)
    sourced = _gateway().charts.trades(symbol, limit)
    return sourced_response({"symbol": symbol, "trades": sourced.data, "count": len(sourced.data)},
                            sourced, _gateway().clock())


@bp.get("/avg-price/<anything:raw_symbol>")
def avg_price(raw_symbol):
    """Binance's current average price (5-minute window)."""
    symbol = parse_symbol(raw_symbol)
    sourced = _gateway().charts.avg_price(symbol)
    return sourced_response({"symbol": symbol, **sourced.data}, sourced, _gateway().clock())
