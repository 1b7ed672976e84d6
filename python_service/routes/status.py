from flask import Blueprint, current_app

from ..openapi import document

bp = Blueprint("status", __name__)


@bp.get("/api/status")
def status():
    """Liveness and what the service knows; never calls Binance."""
    return current_app.extensions["gateway"].status()


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3 document of this service."""
    return document()
