from flask import Blueprint, current_app, request

from ..errors import ApiError
from ..provenance import sourced_response
from ..symbols import parse_symbol, parse_symbols

bp = Blueprint("market", __name__, url_prefix="/api/binance")


def _market():
    return current_app.extensions["gateway"].market


def _now():
    return current_app.extensions["gateway"].clock()


@bp.get("/price/<anything:raw_symbol>")
def price(raw_symbol):
    """One symbol's latest price."""
    symbol = parse_symbol(raw_symbol)
    sourced = _market().prices([symbol])
    return sourced_response({"symbol": symbol, "price": sourced.data[symbol]}, sourced, _now())


@bp.get("/prices")
def prices():
    """Latest prices of all symbols, or of ?symbols=A,B (one upstream call at most)."""
    sourced = _market().prices(parse_symbols(request.args.get("symbols")))
    rows = [{"symbol": s, "price": p} for s, p in sourced.data.items()]
    return sourced_response({"prices": rows, "count": len(rows)}, sourced, _now())


@bp.get("/ticker/24hr")
def ticker_24hr():
    """24h rolling statistics with Binance's field names, for ?symbol=, ?symbols= or all."""
    if "symbol" in request.args and "symbols" in request.args:
        raise ApiError(400, "invalid_parameters", "give either symbol or symbols, not both")
    if "symbol" in request.args:
        symbol = parse_symbol(request.args["symbol"])
        sourced = _market().ticker_24hr(symbol=symbol)
        return sourced_response(dict(sourced.data[symbol]), sourced, _now())
    sourced = _market().ticker_24hr(symbols=parse_symbols(request.args.get("symbols")))
    rows = list(sourced.data.values())
    return sourced_response({"tickers": rows, "count": len(rows)}, sourced, _now())
