"""Every placement, cancel and leverage change passes here, whoever sends it (a user of the
client through the gateway's order routes, or a bot's signed request through the mirror):
the risk limits first (a refusal sends nothing to Binance), then the audit log's row of the
attempt with the decision, then, once Binance has answered (or has not), a row of the outcome.

`actor` says who: "user:<name>" (express_api names its user, with the internal token),
"client:<address>" (a direct caller of the gateway's routes), or
"bot:<address> key:<fingerprint>" (a signed request through the mirror)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ApiError
from ..sourcing.audit_log import AuditLog
from .risk import Risk, RiskRefused

SHOWN_FIELDS = ("symbol", "side", "type", "quantity", "quoteOrderQty", "price", "stopPrice", "timeInForce",
                "reduceOnly", "newClientOrderId", "origClientOrderId", "leverage")


class Attempt:
    """What the caller learned from Binance, for the outcome row."""

    def __init__(self, attempt_id: int):
        self.id, self.outcome, self.detail = attempt_id, None, {}

    def answered(self, outcome: str, **detail) -> None:
        self.outcome, self.detail = outcome, detail


class OrderGate:
    def __init__(self, risk: Risk, audit: AuditLog):
        self.risk, self.audit = risk, audit

    @contextmanager
    def placing(self, actor: str, market: str, order: dict, count: bool = True,
                action: str = "order.place") -> Iterator[Attempt]:
        """Checks `order`; the body of the `with` sends it. `count`: takes one of the minute's
        placements (not for order/test)."""
        with self._decided(actor, action, market, order, lambda: self.risk.check_order(market, order, count)) as a:
            yield a

    @contextmanager
    def leveraging(self, actor: str, symbol: str, leverage: int) -> Iterator[Attempt]:
        detail = {"symbol": symbol, "leverage": leverage}
        with self._decided(actor, "leverage.set", "futures", detail,
                           lambda: self.risk.check_leverage(symbol, leverage)) as attempt:
            yield attempt

    @contextmanager
    def cancelling(self, actor: str, market: str, detail: dict) -> Iterator[Attempt]:
        """A cancel is never refused by the limits (a halt still lets orders be cancelled)."""
        with self._decided(actor, "order.cancel", market, detail, lambda: None) as attempt:
            yield attempt

    def refused(self, actor: str, action: str, market: str, detail: dict, why: str) -> None:
        """An attempt refused before the limits were asked (its input or the symbol's filters)."""
        self.audit.append(actor, action, market=market, symbol=detail.get("symbol"), decision=f"invalid: {why}",
                          detail=shown(detail))

    @contextmanager
    def _decided(self, actor: str, action: str, market: str, detail: dict, check) -> Iterator[Attempt]:
        symbol = detail.get("symbol")
        try:
            check()
        except RiskRefused as refusal:
            self.audit.append(actor, action, market=market, symbol=symbol, decision=f"refused: {refusal.limit}",
                              detail={**shown(detail), "reason": refusal.message})
            raise
        attempt = Attempt(self.audit.append(actor, action, market=market, symbol=symbol, decision="allowed",
                                            detail=shown(detail)))
        try:
            yield attempt
        except BaseException as err:
            self.audit.append(actor, action + ".outcome", market=market, symbol=symbol, attempt_id=attempt.id,
                              outcome=attempt.outcome or _failure(err), detail=attempt.detail)
            raise
        self.audit.append(actor, action + ".outcome", market=market, symbol=symbol, attempt_id=attempt.id,
                          outcome=attempt.outcome or "sent", detail=attempt.detail)


def shown(detail: dict) -> dict:
    """The fields of an order worth keeping (never a signature, a key or a timestamp)."""
    return {k: (f"{v:f}" if hasattr(v, "is_finite") else v) for k, v in detail.items()
            if k in SHOWN_FIELDS and v is not None}


def _failure(err: BaseException) -> str:
    if isinstance(err, ApiError):
        return f"error: {err.code}"
    message: str | None = getattr(err, "message", None)
    return f"error: {type(err).__name__}" + (f" ({message[:120]})" if message else "")
