"""Live prices as server-sent events (text/event-stream)."""
from flask import Blueprint, Response, request

from ..errors import ApiError
from . import inputs
from .client_watch import ClientWatch
from .respond import services

bp = Blueprint("push", __name__, url_prefix="/api/binance/stream")


@bp.get("/prices")
def prices():
    """Server-sent events: one `price` event per change of a watched symbol (symbol, price, source, as_of)."""
    symbols = inputs.parse_symbols(request.args.get("symbols"))
    if not symbols:
        raise ApiError(400, "invalid_symbol", "symbols is required, e.g. ?symbols=BTCUSDT,ETHUSDT")
    services().spot.prices(symbols)  # unknown symbols: 404 now, in the usual error shape
    return _event_stream(services().push.subscribe(_client(), symbols))


@bp.get("/klines")
def klines():
    """Server-sent events: one `candle` event per update of the newest candle (named fields, source, as_of)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    interval = inputs.choice(request.args, "interval", inputs.INTERVALS)
    services().spot.klines(symbol=symbol, interval=interval, limit=1)  # unknown symbols: 404 now
    return _event_stream(services().push.subscribe_candles(_client(), symbol, interval))


def _client() -> str:
    # express_api sends one X-Forwarded-For value (the client's address); direct callers are their address
    return request.headers.get("X-Forwarded-For") or request.remote_addr or "?"


def _event_stream(subscription) -> Response:
    # a client that closes its socket ends the subscription at once (gunicorn hands the socket over)
    watch = ClientWatch(request.environ.get("gunicorn.socket"), subscription.client_gone)
    response = Response(watch.around(subscription.events()), mimetype="text/event-stream")  # no request context needed
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # proxies in front must not buffer the events
    return response
