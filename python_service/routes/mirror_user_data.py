"""Binance's listenKey paths for bots: `/api/v3/userDataStream` (spot) and `/fapi/v1/listenKey`
(USDT-M futures), POST, PUT and DELETE, answered with a gateway listenKey for the configured
account's API key and as Binance answers any other key (services/user_data.py)."""
from flask import Response, request

from ..upstream import Market
from ..upstream.passthrough import API_KEY_HEADER, SignedRequest
from .inputs import read_body
from .mirror_respond import mirror_blueprint
from .respond import services

METHODS = ["POST", "PUT", "DELETE"]
spot_bp = mirror_blueprint("mirror_spot_user_data", Market.SPOT, "/api/v3")
futures_bp = mirror_blueprint("mirror_futures_user_data", Market.FUTURES, "/fapi/v1")


def _answer(market: Market) -> Response:
    asked = SignedRequest(method=request.method, market=market, path=request.path, query=request.query_string,
                          body=read_body(request), api_key=request.headers.get(API_KEY_HEADER),
                          content_type=request.content_type)
    answer = services().user_data.answer(asked)
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    response.headers.update(answer.headers)
    response.headers["X-Data-Source"] = "live"
    return response


@spot_bp.route("/userDataStream", methods=METHODS)
def spot_listen_key():
    """A spot listenKey: made, kept alive or closed."""
    return _answer(Market.SPOT)


@futures_bp.route("/listenKey", methods=METHODS)
def futures_listen_key():
    """A USDT-M futures listenKey: made, kept alive or closed."""
    return _answer(Market.FUTURES)
