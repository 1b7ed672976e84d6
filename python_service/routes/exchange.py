import json
from decimal import Decimal

from flask import Blueprint, current_app, request

from ..errors import ApiError
from ..orders import parse_order, validate
from ..provenance import sourced_response
from ..symbols import parse_symbol, parse_symbols

bp = Blueprint("exchange", __name__, url_prefix="/api/binance")


def _gateway():
    return current_app.extensions["gateway"]


@bp.get("/exchange-info")
def exchange_info():
    """Trading rules (status, assets, parsed filters) of one, some or all symbols."""
    if "symbol" in request.args and "symbols" in request.args:
        raise ApiError(400, "invalid_parameters", "give either symbol or symbols, not both")
    wanted = [parse_symbol(request.args["symbol"])] if "symbol" in request.args \
        else parse_symbols(request.args.get("symbols"))
    sourced = _gateway().exchange_info.select(wanted)
    rows = list(sourced.data.values())
    return sourced_response({"symbols": rows, "count": len(rows)}, sourced, _gateway().clock())


@bp.post("/order/validate")
def validate_order():
    """Checks an order against its symbol's filters; never sends it to Binance."""
    try:  # decimals parsed as Decimal, never float: 0.1 + 0.2 must stay 0.3
        body = json.loads(request.get_data(cache=False) or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
    order = parse_order(body)
    rules = _gateway().exchange_info.select([order["symbol"]])
    market_price = None
    if order["type"] == "MARKET":
        try:
            market_price = Decimal(_gateway().market.prices([order["symbol"]]).data[order["symbol"]])
        except ApiError:
            market_price = None  # the notional check is skipped, and the answer says so (notional: null)
    result = validate(order, rules.data[order["symbol"]], market_price)
    return sourced_response(result, rules, _gateway().clock())
