"""The account behind the configured keys: are the keys configured and accepted (trading
status), its spot balances valued in USDT with each price's provenance, and its fills.
Read over REST (signed, budgeted), cached for ACCOUNT_TTL_S, served stale (saying so)
while Binance cannot be asked."""
from __future__ import annotations

import logging
from decimal import Decimal

from ..errors import ApiError
from ..sourcing.provenance import Sourced, iso_utc
from ..stores.flight import SingleFlightTimeout
from ..streams.account import BALANCES, INFO
from ..upstream import Rejected, UpstreamError
from .streamed import NO_STREAMS

log = logging.getLogger(__name__)
KEY_REJECTIONS = {-2014, -2015, -1022, -1021, -2008}  # bad key format, key/IP/permissions, signature, clock


class Account:
    def __init__(self, upstream, provider, settings, prices, streams=NO_STREAMS):
        self.upstream, self.provider, self.settings, self.prices = upstream, provider, settings, prices
        self.streams = streams

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

    # ----- balances and fills -----
    def balances(self) -> dict:
        """The spot balances that are not zero, each valued in USDT at the gateway's current price
        (with that price's source and as_of; null where no price is known), and their total."""
        self._require_keys()
        sourced = self._streamed_account() or self.provider.get("account:spot", self.settings.account_ttl_s,
                                                                lambda: self.upstream.signed("account"))
        rows, total, unpriced = [], Decimal(0), []
        for balance in sourced.data.get("balances") or []:
            free, locked = Decimal(balance.get("free") or "0"), Decimal(balance.get("locked") or "0")
            if free + locked == 0:
                continue
            row = {"asset": balance["asset"], "free": balance["free"], "locked": balance["locked"],
                   "total": _decimal(free + locked), **self._valued(balance["asset"], free + locked)}
            if row["value_usdt"] is None:
                unpriced.append(balance["asset"])
            else:
                total += Decimal(row["value_usdt"])
            rows.append(row)
        return {"balances": rows, "count": len(rows), "total_usdt": _decimal(total), "unpriced": unpriced,
                "can_trade": sourced.data.get("canTrade"), "account_type": sourced.data.get("accountType"),
                **sourced.fields(self.provider.clock())}

    def _streamed_account(self) -> Sourced | None:
        """The balances as the user data stream keeps them (REST's shape), while it is up."""
        balances = self.streams.account_state("spot", BALANCES)
        if balances is None:
            return None
        info = self.streams.account_state("spot", INFO)
        rows = [{"asset": asset, "free": b["free"], "locked": b["locked"]} for asset, b in balances.data.items()]
        account = {**(info.data if info else {}), "balances": rows}
        return balances.replace(account)

    def _valued(self, asset: str, amount: Decimal) -> dict:
        try:
            rate, source, as_of = self.prices.usdt_rate(asset)
        except (KeyError, ArithmeticError, ApiError, UpstreamError, SingleFlightTimeout):
            return {"price_usdt": None, "value_usdt": None, "price_source": None, "price_as_of": None}
        return {"price_usdt": _decimal(rate), "value_usdt": _decimal((amount * rate).quantize(CENTS)),
                "price_source": source, "price_as_of": iso_utc(as_of) if as_of is not None else None}

    def my_trades(self, symbol: str, limit: int) -> dict:
        """The account's fills on `symbol`, newest last, as Binance's myTrades gives them (weight 20)."""
        self._require_keys()
        sourced = self.provider.get(f"account:trades:{symbol}:{limit}", self.settings.account_ttl_s,
                                    lambda: self.upstream.signed("my_trades", symbol=symbol, limit=limit))
        trades = [_fill(row) for row in sourced.data if isinstance(row, dict)]
        return {"symbol": symbol, "trades": trades, "count": len(trades), **sourced.fields(self.provider.clock())}

    def _require_keys(self) -> None:
        if not self.settings.keys_configured:
            raise ApiError(503, "keys_not_configured", "set BINANCE_API_KEY and BINANCE_API_SECRET to read the account")


CENTS = Decimal("0.00000001")


def _fill(row: dict) -> dict:
    return {"id": row.get("id"), "orderId": row.get("orderId"), "side": "BUY" if row.get("isBuyer") else "SELL",
            "price": row.get("price"), "qty": row.get("qty"), "quoteQty": row.get("quoteQty"),
            "commission": row.get("commission"), "commissionAsset": row.get("commissionAsset"),
            "maker": bool(row.get("isMaker")),
            "time": iso_utc(row["time"] / 1000) if isinstance(row.get("time"), int) else None}


def _decimal(value: Decimal) -> str:
    return f"{value.normalize():f}"
