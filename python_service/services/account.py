"""Trading status: are keys configured, and does Binance accept them?"""
from __future__ import annotations

import logging

from ..stores.flight import SingleFlightTimeout
from ..upstream import Rejected, UpstreamError

log = logging.getLogger(__name__)
KEY_REJECTIONS = {-2014, -2015, -1022, -1021, -2008}  # bad key format, key/IP/permissions, signature, clock


class Account:
    def __init__(self, upstream, provider, settings):
        self.upstream, self.provider, self.settings = upstream, provider, settings

    def trading_status(self) -> dict:
        """Successful account answers are cached for TRADING_STATUS_TTL_S (and served stale, saying so,
        while Binance cannot be asked); rejections never are."""
        settings = self.settings
        status = {"api_key_configured": bool(settings.api_key), "api_secret_configured": bool(settings.api_secret),
                  "testnet": settings.testnet, "authenticated": False, "can_trade": None, "account_type": None,
                  "permissions": [], "api_trading_status": None, "error": None}
        if not settings.keys_configured:
            status["error"] = {"code": "keys_not_configured",
                               "message": "Set BINANCE_API_KEY and BINANCE_API_SECRET to check the account"}
            return status
        try:
            sourced = self.provider.get("trading:account", settings.trading_status_ttl_s,
                                        lambda: self.upstream.signed("account"))
        except Rejected as err:
            if err.code not in KEY_REJECTIONS:
                raise
            status["error"] = {"code": "keys_rejected", "message": err.message, "upstream": err.upstream_detail()}
            return status
        account = sourced.data
        status.update(authenticated=True, can_trade=bool(account.get("canTrade")),
                      account_type=account.get("accountType"), permissions=list(account.get("permissions") or []))
        if not settings.testnet:  # the testnet serves no /sapi
            status["api_trading_status"] = self._api_trading_status()
        status.update(sourced.fields(self.provider.clock()))
        return status

    def _api_trading_status(self):
        """Extra detail where the root serves /sapi; its absence is not an error."""
        try:
            data = self.provider.get("trading:api_status", self.settings.trading_status_ttl_s,
                                     lambda: self.upstream.signed("api_trading_status")).data.get("data")
        except (UpstreamError, SingleFlightTimeout) as err:
            log.info("apiTradingStatus unavailable: %s", err.message)
            return None
        if not isinstance(data, dict):
            return None
        return {"is_locked": bool(data.get("isLocked")), "planned_recover_time": data.get("plannedRecoverTime"),
                "update_time": data.get("updateTime")}
