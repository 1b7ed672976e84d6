"""Prometheus scrape endpoint."""
from flask import Blueprint, Response

from ..observability.metrics import exposition
from .respond import services

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    """Prometheus text format: upstream calls, retries, cache, sources, state, weight."""
    body, content_type = exposition(services().status.gauges())
    return Response(body, content_type=content_type)
