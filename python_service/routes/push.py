"""Live prices, candles and the account's events as server-sent events (text/event-stream)."""
from flask import Blueprint, Response, request

from ..errors import ApiError
from . import inputs
from .client_watch import ClientWatch
from .clients import client_address
from .respond import require_internal_token, services

bp = Blueprint("push", __name__, url_prefix="/api/binance/stream")


@bp.get("/prices")
def prices():
    """Server-sent events: one `price` event per change of a watched symbol (symbol, price, source, as_of)."""
    symbols = inputs.parse_symbols(request.args.get("symbols"))
    if not symbols:
        raise ApiError(400, "invalid_symbol", "symbols is required, e.g. ?symbols=BTCUSDT,ETHUSDT")
    services().spot.prices(symbols)  # unknown symbols: 404 now, in the usual error shape
    return _event_stream(lambda client: services().push.subscribe(client, symbols))


@bp.get("/klines")
def klines():
    """Server-sent events: one `candle` event per update of the newest candle (named fields, source, as_of)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    interval = inputs.choice(request.args, "interval", inputs.INTERVALS)
    services().spot.klines(symbol=symbol, interval=interval, limit=1)  # unknown symbols: 404 now
    return _event_stream(lambda client: services().push.subscribe_candles(client, symbol, interval))


@bp.get("/account")
def account():
    """Server-sent events: `account` per order update (with its fill), balance, position change or
    margin call as Binance pushes them; `user_streams` when a user data stream goes up or down."""
    require_internal_token()
    settings = services().settings
    if not settings.keys_configured:
        raise ApiError(503, "keys_not_configured", "set BINANCE_API_KEY and BINANCE_API_SECRET to follow the account")
    if not settings.streams_enabled:
        raise ApiError(503, "streams_disabled", "STREAMS_ENABLED=false: read the account over REST instead")
    services().streams.start()
    return _event_stream(lambda client: services().push.subscribe_account(client))


def _client() -> str:
    """Who the per-client limit counts: the trusted-proxy rule of every other limit (routes/clients.py),
    so a direct caller cannot name itself in X-Forwarded-For."""
    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                          services().settings.trusted_proxies)


def _event_stream(subscribe) -> Response:
    """The answer to a subscription: headers only for HEAD (nothing subscribed, nothing held);
    otherwise the events, with the subscription's place given back when the answer is closed,
    however it ends (the events may never have started)."""
    if request.method == "HEAD":
        return _events_response(iter(()))
    subscription = subscribe(_client())
    try:
        # a client that closes its socket ends the subscription at once (gunicorn hands the socket over)
        watch = ClientWatch(request.environ.get("gunicorn.socket"), subscription.client_gone)
        response = _events_response(watch.around(subscription.events()))  # no request context needed
    except BaseException:
        subscription.release()
        raise
    response.call_on_close(subscription.release)
    return response


def _events_response(events) -> Response:
    response = Response(events, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # proxies in front must not buffer the events
    return response
