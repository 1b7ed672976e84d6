"""How the mirror answers: Binance's JSON as the body, provenance and weight in headers,
and failures in Binance's shape {"code", "msg"} with Binance's HTTP status. The handler
here is registered on the mirror's blueprints only: the gateway's own routes keep
their error shape (routes/errors.py)."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from ..errors import ApiError, BinanceError, RiskRefused, binance_error
from ..observability import metrics
from ..sourcing.provenance import Sourced, iso_utc
from ..stores.flight import SingleFlightTimeout
from ..upstream import Market, UpstreamError
from .respond import services

log = logging.getLogger(__name__)
UNKNOWN = BinanceError(500, -1000, "An unknown error occurred while processing the request.")
JSON = "application/json;charset=UTF-8"
EVERY_METHOD = ["GET", "POST", "PUT", "DELETE", "PATCH"]
UNMIRRORED = "mirror_unmirrored."


def binance_json(payload, status: int = 200) -> Response:
    """Compact JSON in the order Binance gave it, as Binance writes it."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    return Response(body, status=status, content_type=JSON)


def sourced_answer(sourced: Sourced) -> Response:
    response = binance_json(sourced.data)
    response.headers["X-Data-Source"] = sourced.source.value
    response.headers["X-Data-As-Of"] = iso_utc(sourced.as_of)
    metrics.count_answer(sourced.source.value)
    return response


def error_answer(err: BinanceError) -> Response:
    response = binance_json(err.to_dict(), err.status)
    if err.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(err.retry_after + 0.999)))
    return response


def mirror_blueprint(name: str, market: Market, url_prefix: str) -> Blueprint:
    """A blueprint whose every answer is Binance-shaped and carries the market's used weight."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix)

    @bp.errorhandler(Exception)
    def failure(err: Exception):
        write = request.method in ("POST", "DELETE", "PUT")
        if isinstance(err, (BinanceError, ApiError, RiskRefused, UpstreamError, SingleFlightTimeout)):
            return error_answer(binance_error(err, write=write))
        if isinstance(err, HTTPException):
            return error_answer(BinanceError(err.code or 400, -1000, err.description or err.name))
        log.exception("unhandled error in the mirror")  # the traceback stays in the log
        return error_answer(UNKNOWN)

    @bp.before_request
    def options():
        # Flask's automatic OPTIONS would also count the catch-all's methods (routes/mirror_signed.py)
        if request.method == "OPTIONS":
            allowed = methods_of(request.path)
            allowed |= {"OPTIONS", "HEAD"} if "GET" in allowed else {"OPTIONS"}
            return Response(status=200, headers={"Allow": ", ".join(sorted(allowed))})
        return None

    @bp.after_request
    def weight(response: Response) -> Response:
        # the gateway's view of the IP's weight, so a bot's own limiter sees the truth
        response.headers["X-MBX-USED-WEIGHT-1M"] = str(services().mirror.used_weight(market))
        return response

    return bp


def methods_of(path: str) -> set:
    """The methods the mirror answers on `path` (none: not mirrored at all)."""
    adapter = current_app.url_map.bind("gateway")
    methods = set()
    for method in EVERY_METHOD:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:  # no rule for this method (or a redirect)
            continue
        if not endpoint.startswith(UNMIRRORED):
            methods.add(method)
    return methods
