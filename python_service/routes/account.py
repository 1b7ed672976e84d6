"""The account behind the configured keys: credential-using, so behind X-Internal-Token when set."""
import hmac

from flask import Blueprint, request

from ..errors import ApiError
from .respond import services

bp = Blueprint("account", __name__, url_prefix="/api/binance")


@bp.before_request
def require_internal_token():
    """Credential-using routes need X-Internal-Token when INTERNAL_API_TOKEN is set."""
    expected = services().settings.internal_api_token
    if expected and not hmac.compare_digest(request.headers.get("X-Internal-Token", "").encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong X-Internal-Token")


@bp.get("/trading/status")
def trading_status():
    """Keys configured, testnet, and whether Binance accepts the keys."""
    return services().account.trading_status()
