"""Symbol rules and order checks."""
from flask import Blueprint, request

from . import inputs
from .respond import services, sourced_response

bp = Blueprint("exchange", __name__, url_prefix="/api/binance")


@bp.get("/exchange-info")
def exchange_info():
    """Trading rules (status, assets, parsed filters) of one, some or all symbols."""
    sourced = services().exchange.select(inputs.symbol_or_symbols(request.args))
    rows = list(sourced.data.values())
    return sourced_response({"symbols": rows, "count": len(rows)}, sourced)


@bp.post("/order/validate")
def validate_order():
    """Checks an order against its symbol's filters; never sends it to Binance."""
    order = inputs.parse_order(inputs.json_body(inputs.read_body(request)))
    result, rules = services().exchange.validate_order(order)
    return sourced_response(result, rules)
