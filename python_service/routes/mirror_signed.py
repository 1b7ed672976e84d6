"""Binance's signed paths, passed through exactly as the client signed them (query and body
byte for byte, the client's X-MBX-APIKEY): never cached, never re-signed, never logged with
their signature or key; a POST or DELETE is never retried. During a ban or restriction
they are answered here, without calling Binance.

Also the answer for Binance paths the gateway does not mirror: a JSON 404 naming the
path, never a blind forward."""
from flask import Blueprint, Response, request

from ..errors import BinanceError
from ..sourcing.audit_log import key_fingerprint
from ..upstream import Market
from ..upstream.passthrough import API_KEY_HEADER, SignedRequest
from .clients import client_address
from .inputs import read_body
from .mirror_respond import EVERY_METHOD, error_answer, methods_of, mirror_blueprint
from .respond import services

SPOT_SIGNED = {"/account": ["GET"], "/order": ["GET", "POST", "DELETE"], "/order/test": ["POST"],
               "/openOrders": ["GET"], "/allOrders": ["GET"], "/myTrades": ["GET"]}
FUTURES_SIGNED = {"/v2/account": ["GET"], "/v2/positionRisk": ["GET"], "/v2/balance": ["GET"],
                  "/v1/order": ["GET", "POST", "DELETE"], "/v1/openOrders": ["GET"], "/v1/leverage": ["POST"]}
# Binance's REST roots: a path below them that is not mirrored gets a 404 here
BINANCE_ROOTS = ("/api/v1", "/api/v3", "/fapi", "/sapi", "/dapi", "/eapi", "/papi", "/wapi")

spot_bp = mirror_blueprint("mirror_spot_signed", Market.SPOT, "/api/v3")
futures_bp = mirror_blueprint("mirror_futures_signed", Market.FUTURES, "/fapi")
unmirrored_bp = mirror_blueprint("mirror_unmirrored", Market.SPOT, "")


def _pass_through(market: Market) -> Response:
    # read whole or refused: a body past MAX_BODY_BYTES, however framed, is a 413 and reaches no one
    signed = SignedRequest(method=request.method, market=market, path=request.path,
                           query=request.query_string, body=read_body(request),
                           api_key=request.headers.get(API_KEY_HEADER), content_type=request.content_type)
    answer = services().mirror.signed(signed, _bot(signed.api_key))
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    response.headers.update(answer.headers)
    response.headers["X-Data-Source"] = "live"
    return response


def _bot(api_key) -> str:
    """A bot as the audit log names it: its address and a fingerprint of its API key (never the key)."""
    address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                             services().settings.trusted_proxies)
    return f"bot:{address} key:{key_fingerprint(api_key) or 'none'}"


def _register(bp: Blueprint, routes: dict, market: Market) -> None:
    for path, methods in routes.items():
        bp.add_url_rule(path, "signed" + path.replace("/", "_"), lambda m=market: _pass_through(m), methods=methods)


_register(spot_bp, SPOT_SIGNED, Market.SPOT)
_register(futures_bp, FUTURES_SIGNED, Market.FUTURES)


def not_mirrored(rest: str = ""):
    """A Binance path the gateway does not answer (or a method it does not answer there)."""
    allowed = sorted(methods_of(request.path))
    if allowed:
        response = error_answer(BinanceError(405, -1000, f"{request.method} {request.path} is not mirrored; "
                                                         f"allowed: {', '.join(allowed)}."))
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return error_answer(BinanceError(404, -1000, f"{request.path} is not mirrored by this gateway; "
                                                 "it is not forwarded to Binance."))


for _root in BINANCE_ROOTS:
    unmirrored_bp.add_url_rule(_root, "root" + _root.replace("/", "_"), not_mirrored, methods=EVERY_METHOD)
    unmirrored_bp.add_url_rule(_root + "/<path:rest>", "below" + _root.replace("/", "_"), not_mirrored,
                               methods=EVERY_METHOD)
