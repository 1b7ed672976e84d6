"""Liveness and what the service knows, and its OpenAPI document."""
from flask import Blueprint

from .openapi import document
from .respond import services

bp = Blueprint("status", __name__)


@bp.get("/api/status")
def status():
    """Liveness and what the service knows; never calls Binance."""
    return services().status.report()


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3 document of this service."""
    return document()
