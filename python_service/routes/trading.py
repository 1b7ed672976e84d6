import hmac

from flask import Blueprint, current_app, request

from ..errors import ApiError
from ..trading import trading_status

bp = Blueprint("trading", __name__, url_prefix="/api/binance")


@bp.before_request
def require_internal_token():
    """Credential-using routes need X-Internal-Token when INTERNAL_API_TOKEN is set."""
    expected = current_app.extensions["gateway"].settings.internal_api_token
    if expected and not hmac.compare_digest(request.headers.get("X-Internal-Token", "").encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong X-Internal-Token")


@bp.get("/trading/status")
def status():
    """Keys configured, testnet, and whether Binance accepts the keys."""
    gateway = current_app.extensions["gateway"]
    return trading_status(gateway.upstream, gateway.provider, gateway.settings)
