from flask import Blueprint, Response, current_app

from ..metrics import exposition

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    """Prometheus text format: upstream calls, retries, cache, sources, state, weight."""
    body, content_type = exposition(current_app.extensions["gateway"])
    return Response(body, content_type=content_type)
