"""A market-data answer: the payload plus its provenance, in the body and the X-Data-Source header."""
from __future__ import annotations

from flask import current_app, jsonify

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
