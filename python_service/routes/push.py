"""Live prices as server-sent events (text/event-stream)."""
from flask import Blueprint, Response, request

from ..errors import ApiError
from . import inputs
from .respond import services

bp = Blueprint("push", __name__, url_prefix="/api/binance/stream")


@bp.get("/prices")
def prices():
    """Server-sent events: one `price` event per change of a watched symbol (symbol, price, source, as_of)."""
    symbols = inputs.parse_symbols(request.args.get("symbols"))
    if not symbols:
        raise ApiError(400, "invalid_symbol", "symbols is required, e.g. ?symbols=BTCUSDT,ETHUSDT")
    services().spot.prices(symbols)  # unknown symbols: 404 now, in the usual error shape
    # express_api sends one X-Forwarded-For value (the client's address); direct callers are their address
    client = request.headers.get("X-Forwarded-For") or request.remote_addr or "?"
    subscription = services().push.subscribe(client, symbols)
    response = Response(subscription.events(), mimetype="text/event-stream")  # needs no request context
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # proxies in front must not buffer the events
    return response
