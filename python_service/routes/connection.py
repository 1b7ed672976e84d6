"""An active probe of the connection to Binance."""
from flask import Blueprint

from ..services.connection import probe
from .respond import services

bp = Blueprint("connection", __name__, url_prefix="/api/binance")


@bp.get("/connection-status")
def connection_status():
    """Actively probes Binance: reachable, restricted, latency, clock offset, proxy."""
    return probe(services().upstream, services().clock)
