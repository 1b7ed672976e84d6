from flask import Blueprint, current_app

bp = Blueprint("status", __name__)


@bp.get("/api/status")
def status():
    """Liveness and what the service knows; never calls Binance."""
    return current_app.extensions["gateway"].status()
