"""The account behind the configured keys, its risk limits and the audit log: credential-using,
so behind X-Internal-Token (and never served without one configured)."""
from flask import Blueprint, request

from . import inputs
from .clients import actor
from .respond import require_internal_token, services

bp = Blueprint("account", __name__, url_prefix="/api/binance")
bp.before_request(require_internal_token)


@bp.get("/trading/status")
def trading_status():
    """Keys configured, testnet, and whether Binance accepts the keys."""
    return services().account.trading_status()


@bp.get("/account")
def account():
    """Spot balances that are not zero, valued in USDT with each price's provenance, and their total."""
    return services().account.balances()


@bp.get("/my-trades")
def my_trades():
    """The account's fills on one symbol (price, quantity, commission, maker or taker, time)."""
    symbol = inputs.parse_symbol(request.args.get("symbol"))
    return services().account.my_trades(symbol, inputs.integer(request.args, "limit", 50, 1, 1000))


@bp.get("/risk")
def risk():
    """The risk limits in force, the settings' ceilings and the admin's tighter limits."""
    return services().risk.describe()


@bp.put("/risk")
def tighten_risk():
    """An admin's limits (never looser than the settings); kept across restarts, audited."""
    return services().risk.tighten(_limits(), actor())


@bp.get("/audit")
def audit():
    """The audit log, newest first: ?limit=1-500 (default 100), ?before=<id> for the next page."""
    before = inputs.integer(request.args, "before", None, 1, 2**62)
    rows = services().audit.rows(inputs.integer(request.args, "limit", 100, 1, 500), before)
    return {"entries": rows, "count": len(rows)}


def _limits() -> dict:
    return inputs.parse_risk_limits(inputs.json_body(inputs.read_body(request)))
