"""A market-data answer: the payload plus its provenance, in the body and the X-Data-Source header."""
from __future__ import annotations

import hmac

from flask import current_app, jsonify, request

from ..errors import ApiError
from ..observability import metrics
from ..sourcing.provenance import Sourced


def services():
    """The service objects of this app (built by wiring.build)."""
    return current_app.extensions["services"]


def sourced_response(payload: dict, sourced: Sourced):
    response = jsonify({**payload, **sourced.fields(services().clock())})
    response.headers["X-Data-Source"] = sourced.source.value
    metrics.count_answer(sourced.source.value)
    return response


def candles_response(params: dict, sourced: Sourced):
    """Candles as named fields, with the symbol and interval they are for."""
    return sourced_response({"symbol": params["symbol"], "interval": params["interval"], "candles": sourced.data,
                             "count": len(sourced.data)}, sourced)


def require_internal_token() -> None:
    """Credential-using routes need X-Internal-Token, and are never served without one configured:
    with INTERNAL_API_TOKEN unset they would answer anyone who reaches the port."""
    expected = services().settings.internal_api_token
    if not expected:
        raise ApiError(503, "internal_token_not_configured", "this route uses the account's keys and needs "
                       "INTERNAL_API_TOKEN set (make run sets one for both services; see the README)")
    if not hmac.compare_digest(request.headers.get("X-Internal-Token", "").encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong X-Internal-Token")

