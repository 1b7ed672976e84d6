"""An active probe of the connection to Binance."""
from flask import Blueprint

from ..services.connection import cached_probe
from .respond import services

bp = Blueprint("connection", __name__, url_prefix="/api/binance")


@bp.get("/connection-status")
def connection_status():
    """Actively probes Binance (at most once per CONNECTION_STATUS_TTL_S): reachable, restricted,
    latency, clock offset, proxy."""
    found = services()
    return cached_probe(found.provider, found.upstream, found.clock, found.settings.connection_status_ttl_s)
