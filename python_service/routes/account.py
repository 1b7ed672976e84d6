"""The account behind the configured keys: credential-using, so behind X-Internal-Token when set."""
from flask import Blueprint

from .respond import require_internal_token, services

bp = Blueprint("account", __name__, url_prefix="/api/binance")
bp.before_request(require_internal_token)


@bp.get("/trading/status")
def trading_status():
    """Keys configured, testnet, and whether Binance accepts the keys."""
    return services().account.trading_status()
