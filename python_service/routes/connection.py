from flask import Blueprint, current_app

from ..connection import probe

bp = Blueprint("connection", __name__, url_prefix="/api/binance")


@bp.get("/connection-status")
def connection_status():
    """Actively probes Binance: reachable, restricted, latency, clock offset, proxy."""
    gateway = current_app.extensions["gateway"]
    return probe(gateway.upstream, gateway.clock)
