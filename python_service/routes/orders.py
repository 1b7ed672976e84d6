"""Orders and the USDT-M futures account (TRADING_ENABLED): credential-using, so behind
X-Internal-Token when INTERNAL_API_TOKEN is set. Decimals in and out as strings."""
from flask import Blueprint, jsonify, request

from ..errors import ApiError
from . import inputs
from .clients import actor
from .respond import require_internal_token, services

bp = Blueprint("orders", __name__, url_prefix="/api/binance")


@bp.before_request
def trading_gate():
    """403 trading_disabled unless TRADING_ENABLED; the internal token when one is set; keys to sign with."""
    settings = services().settings
    if not settings.trading_enabled:
        raise ApiError(403, "trading_disabled", "order routes are off: set TRADING_ENABLED=true to use them")
    require_internal_token()
    if not settings.keys_configured:
        raise ApiError(503, "keys_not_configured", "set BINANCE_API_KEY and BINANCE_API_SECRET to trade")


def _trading():
    return services().trading


def _body():
    return inputs.json_body(inputs.read_body(request))


def _outcome(outcome):
    """placed: 201 (200 when answered from the journal); unknown: 202 with Retry-After."""
    response = jsonify(outcome.to_dict())
    if outcome.outcome == "unknown":
        response.status_code = 202
        response.headers["Retry-After"] = str(max(1, round(outcome.retry_after_s or 1)))
    else:
        response.status_code = 200 if outcome.replayed else 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/orders")
def place_order():
    """Places a spot order once: checked against the symbol's filters, journalled, then sent."""
    return _outcome(_trading().place(inputs.parse_placement(_body()), actor()))


@bp.post("/orders/test")
def test_order():
    """Binance's order/test: the checks of a placement, nothing booked."""
    return _trading().test(inputs.parse_placement(_body()), actor())


@bp.get("/orders/<anything:raw_symbol>/<client_order_id>")
def get_order(raw_symbol, client_order_id):
    """Binance's record of one spot order by clientOrderId."""
    return _trading().order(inputs.parse_symbol(raw_symbol), inputs.client_order_id(client_order_id))


@bp.delete("/orders/<anything:raw_symbol>/<client_order_id>")
def cancel_order(raw_symbol, client_order_id):
    """Cancels one open spot order by clientOrderId (never retried)."""
    return _trading().cancel(inputs.parse_symbol(raw_symbol), inputs.client_order_id(client_order_id), actor())


@bp.get("/open-orders")
def open_orders():
    """Open spot orders, of one symbol or all."""
    symbol = inputs.parse_symbol(request.args["symbol"]) if "symbol" in request.args else None
    return _trading().open_orders(symbol)


@bp.get("/futures/account")
def futures_account():
    """USDT-M balances, available balance and unrealised PnL (/fapi/v3/account)."""
    return _trading().futures_account()


@bp.get("/futures/positions")
def futures_positions():
    """Non-zero USDT-M positions: side, size, entry and mark price, PnL, leverage, liquidation price."""
    return _trading().futures_positions()


@bp.post("/futures/orders")
def place_futures_order():
    """Places a USDT-M MARKET or LIMIT order once (same journal and rules as spot)."""
    return _outcome(_trading().futures_place(inputs.parse_futures_placement(_body()), actor()))


@bp.get("/futures/orders/<anything:raw_symbol>/<client_order_id>")
def get_futures_order(raw_symbol, client_order_id):
    """Binance's record of one USDT-M order by clientOrderId."""
    return _trading().order(inputs.parse_symbol(raw_symbol), inputs.client_order_id(client_order_id), "futures")


@bp.delete("/futures/orders/<anything:raw_symbol>/<client_order_id>")
def cancel_futures_order(raw_symbol, client_order_id):
    """Cancels one open USDT-M order by clientOrderId (never retried)."""
    return _trading().futures_cancel(inputs.parse_symbol(raw_symbol), inputs.client_order_id(client_order_id), actor())


@bp.get("/futures/open-orders")
def futures_open_orders():
    """Open USDT-M orders, of one symbol or all."""
    symbol = inputs.parse_symbol(request.args["symbol"]) if "symbol" in request.args else None
    return _trading().futures_open_orders(symbol)


@bp.post("/futures/positions/<anything:raw_symbol>/close")
def close_futures_position(raw_symbol):
    """Closes the whole position on a symbol: a MARKET order the other way, reduce-only."""
    return _outcome(_trading().futures_close(inputs.parse_symbol(raw_symbol), actor()))


@bp.post("/futures/leverage")
def futures_leverage():
    """Sets a symbol's USDT-M initial leverage (1-125)."""
    return _trading().futures_leverage(*inputs.parse_leverage(_body()), actor())
